//! The models: their configurations and one `Model` that is either of them.

mod mlp_only;
pub mod transformer;

pub use mlp_only::{Dense, MlpOnly, MlpOnlyType};
pub use transformer::{Attention, Block, BlockParameter, Mlp, Transformer};

use std::fmt;
use std::str::FromStr;

use burn::prelude::*;
use burn::tensor::activation::{gelu, relu};
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::encoding::{Encoding, Scheme};
use crate::rng::{HostRng, Stream};
use crate::weights::{Parameter, Weights, init_weights};

/// The MLP non-linearity, named as in the official configs' `act_fn`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Activation {
    #[default]
    ReLU,
    GeLU,
    Tanh,
}

impl Activation {
    pub const ALL: [Activation; 3] = [Activation::ReLU, Activation::GeLU, Activation::Tanh];

    pub fn apply<const D: usize>(self, x: Tensor<D>) -> Tensor<D> {
        match self {
            Activation::ReLU => relu(x),
            Activation::GeLU => gelu(x),
            Activation::Tanh => x.tanh(),
        }
    }

    /// The official `act_fn` name (also the serde name).
    pub fn name(self) -> &'static str {
        match self {
            Activation::ReLU => "ReLU",
            Activation::GeLU => "GeLU",
            Activation::Tanh => "Tanh",
        }
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Activation {
    type Err = String;
    fn from_str(name: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|a| a.name() == name).ok_or_else(|| format!("unknown activation `{name}` (ReLU, GeLU or Tanh)"))
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(from = "TransformerConfigFields")]
pub struct TransformerConfig {
    pub d_model: usize,
    pub n_heads: usize,
    pub n_layers: usize,
    pub activation: Activation,
    /// α in `A = α·softmax(QKᵀ/√d_head) + (1−α)·J`.
    pub attention_rate: f64,
    /// The appendix's input variants (`diff_vocab`, `eqn_sign`), flat in the JSON as the
    /// official configs have them.
    #[serde(flatten)]
    pub encoding: Encoding,
}

/// [`TransformerConfig`] as it is read: serde cannot refuse unknown keys next to a flattened
/// field, so the encoding's keys are spelt out here, where they can be.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransformerConfigFields {
    d_model: usize,
    n_heads: usize,
    n_layers: usize,
    activation: Activation,
    attention_rate: f64,
    #[serde(default)]
    encoding: Scheme,
    #[serde(default)]
    diff_vocab: bool,
    #[serde(default)]
    eqn_sign: bool,
}

impl From<TransformerConfigFields> for TransformerConfig {
    fn from(f: TransformerConfigFields) -> Self {
        TransformerConfig {
            d_model: f.d_model,
            n_heads: f.n_heads,
            n_layers: f.n_layers,
            activation: f.activation,
            attention_rate: f.attention_rate,
            encoding: Encoding { scheme: f.encoding, diff_vocab: f.diff_vocab, eqn_sign: f.eqn_sign },
        }
    }
}

impl TransformerConfig {
    /// The paper's model at attention rate α: d_model 128, 4 heads, 1 layer, ReLU.
    pub fn paper(attention_rate: f64) -> Self {
        TransformerConfig {
            d_model: 128,
            n_heads: 4,
            n_layers: 1,
            activation: Activation::ReLU,
            attention_rate,
            encoding: Encoding::default(),
        }
    }
    /// Rounded down, as the official code: heads·d_head may fall short of d_model.
    pub fn d_head(&self) -> usize {
        self.d_model / self.n_heads
    }
    pub fn d_mlp(&self) -> usize {
        4 * self.d_model
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MlpOnlyConfig {
    pub mlp_type: MlpOnlyType,
    pub d_hidden: usize,
}

impl MlpOnlyConfig {
    pub fn paper(mlp_type: MlpOnlyType) -> Self {
        MlpOnlyConfig { mlp_type, d_hidden: 256 }
    }
    /// Type D concatenates two embeddings into the first layer's input.
    pub fn d_embed(&self) -> usize {
        if self.mlp_type == MlpOnlyType::D { self.d_hidden / 2 } else { self.d_hidden }
    }
    pub fn d_in(&self) -> usize {
        if self.mlp_type == MlpOnlyType::D { 2 * self.d_embed() } else { self.d_embed() }
    }
    pub fn has_second_layer(&self) -> bool {
        matches!(self.mlp_type, MlpOnlyType::B | MlpOnlyType::C)
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ModelConfig {
    Transformer(TransformerConfig),
    MlpOnly(MlpOnlyConfig),
}

impl ModelConfig {
    /// How pairs become tokens: the MLP-only models take the plain `[a, b]`.
    pub fn encoding(&self) -> Encoding {
        match self {
            ModelConfig::Transformer(c) => c.encoding,
            ModelConfig::MlpOnly(_) => Encoding::default(),
        }
    }

    /// The official name of the token embedding table.
    pub fn embedding_name(&self) -> &'static str {
        match self {
            ModelConfig::Transformer(_) => transformer::EMBED,
            ModelConfig::MlpOnly(_) => mlp_only::EMBED,
        }
    }

    /// The model's parameter table: every official name, shape and initial distribution.
    pub fn parameters(&self, p: usize) -> Vec<Parameter> {
        match self {
            ModelConfig::Transformer(c) => Transformer::parameters(c, p),
            ModelConfig::MlpOnly(c) => MlpOnly::parameters(c, p),
        }
    }

    /// Fresh weights from the seeded host RNG.
    pub fn init_weights(&self, p: usize, seed: u64) -> Weights {
        init_weights(&self.parameters(p), &mut HostRng::new(seed, Stream::Init))
    }
}

#[derive(Module, Debug)]
pub enum Model {
    Transformer(Transformer),
    MlpOnly(MlpOnly),
}

impl Model {
    /// Builds the model from named weights, which must be exactly the model's: no tensor
    /// missing, none of the wrong shape, none left over.
    pub fn from_weights(config: &ModelConfig, p: usize, weights: &Weights, device: &Device) -> Result<Self, Error> {
        let model = match config {
            ModelConfig::Transformer(c) => Model::Transformer(Transformer::from_weights(c, p, weights, device)?),
            ModelConfig::MlpOnly(c) => Model::MlpOnly(MlpOnly::from_weights(c, p, weights, device)?),
        };
        match weights.unexpected_name(&config.parameters(p)) {
            Some(extra) => Err(Error::UnexpectedTensor(extra.clone())),
            None => Ok(model),
        }
    }

    pub fn init(config: &ModelConfig, p: usize, seed: u64, device: &Device) -> Self {
        Self::from_weights(config, p, &config.init_weights(p, seed), device).expect("fresh weights have the model's own names and shapes")
    }

    /// The token embeddings, before any position embedding: `[batch, n_ctx, d]`.
    pub fn embed(&self, tokens: Tensor<2, Int>) -> Tensor<3> {
        match self {
            Model::Transformer(m) => m.embed(tokens),
            Model::MlpOnly(m) => m.embed(tokens),
        }
    }

    /// Logits (last position) from token embeddings: `[batch, vocab]`.
    pub fn forward_embedded(&self, token_embeddings: Tensor<3>) -> Tensor<2> {
        match self {
            Model::Transformer(m) => m.forward_embedded(token_embeddings),
            Model::MlpOnly(m) => m.forward_embedded(token_embeddings),
        }
    }

    /// Logits (last position) of a `[batch, n_ctx]` token batch: `[batch, vocab]`.
    pub fn forward(&self, tokens: Tensor<2, Int>) -> Tensor<2> {
        match self {
            Model::Transformer(m) => m.forward(tokens),
            Model::MlpOnly(m) => m.forward_embedded(m.embed(tokens)),
        }
    }

    /// [`Self::forward`]'s logits and, for transformers, the last block's MLP neurons at the
    /// last position `[batch, d_mlp]`.
    pub fn forward_with_neurons(&self, tokens: Tensor<2, Int>) -> (Tensor<2>, Option<Tensor<2>>) {
        match self {
            Model::Transformer(m) => m.forward_with_neurons(tokens),
            Model::MlpOnly(m) => (m.forward_embedded(m.embed(tokens)), None),
        }
    }

    /// [`Self::forward`]'s logits and the neurons the manifold measures read (docs/science.md
    /// §10), before their activation, `[batch, d_mlp]`: a transformer's last block at the last
    /// position (its first and only one in the paper's models; none without blocks), an MLP-only
    /// model's first hidden layer.
    pub fn forward_with_preactivations(&self, tokens: Tensor<2, Int>) -> (Tensor<2>, Option<Tensor<2>>) {
        match self {
            Model::Transformer(m) => m.forward_with_preactivations(tokens),
            Model::MlpOnly(m) => {
                let first = m.first_layer(m.embed(tokens));
                (m.read_out(relu(first.clone())), Some(first))
            }
        }
    }
}
