//! The models: their configurations and one `Model` that is either of them.

mod mlp_only;
mod transformer;

pub use mlp_only::{Dense, MlpOnly, MlpOnlyType};
pub use transformer::{Attention, Block, Mlp, Transformer};

use burn::prelude::*;
use burn::tensor::activation::{gelu, relu};
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::rng::{HostRng, Stream};
use crate::weights::{NamedParameter, Weights, read_back};

/// The MLP non-linearity, named as in the official configs' `act_fn`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Activation {
    #[default]
    ReLU,
    GeLU,
    Tanh,
}

impl Activation {
    pub fn apply<const D: usize>(self, x: Tensor<D>) -> Tensor<D> {
        match self {
            Activation::ReLU => relu(x),
            Activation::GeLU => gelu(x),
            Activation::Tanh => x.tanh(),
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TransformerConfig {
    pub d_model: usize,
    pub n_heads: usize,
    pub n_layers: usize,
    pub activation: Activation,
    /// α in `A = α·softmax(QKᵀ/√d_head) + (1−α)·J`.
    pub attention_rate: f64,
    /// Appendix variant: b is encoded as token b + p (vocab 2p).
    #[serde(default)]
    pub diff_vocab: bool,
    /// Appendix variant: a third token `=` (the last id) is appended.
    #[serde(default)]
    pub eqn_sign: bool,
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
            diff_vocab: false,
            eqn_sign: false,
        }
    }
    /// Rounded down, as the official code: heads·d_head may fall short of d_model.
    pub fn d_head(&self) -> usize {
        self.d_model / self.n_heads
    }
    pub fn d_mlp(&self) -> usize {
        4 * self.d_model
    }
    pub fn vocab(&self, p: usize) -> usize {
        p * (1 + self.diff_vocab as usize) + self.eqn_sign as usize
    }
    pub fn n_ctx(&self) -> usize {
        2 + self.eqn_sign as usize
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
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
    pub fn vocab(&self, p: usize) -> usize {
        match self {
            ModelConfig::Transformer(c) => c.vocab(p),
            ModelConfig::MlpOnly(_) => p,
        }
    }

    pub fn n_ctx(&self) -> usize {
        match self {
            ModelConfig::Transformer(c) => c.n_ctx(),
            ModelConfig::MlpOnly(_) => 2,
        }
    }

    /// The token sequence of the pair (a, b).
    pub fn encode(&self, a: u32, b: u32, p: usize) -> Vec<u32> {
        match self {
            ModelConfig::Transformer(c) => {
                let mut tokens = vec![a, b + if c.diff_vocab { p as u32 } else { 0 }];
                if c.eqn_sign {
                    tokens.push(c.vocab(p) as u32 - 1);
                }
                tokens
            }
            ModelConfig::MlpOnly(_) => vec![a, b],
        }
    }

    /// Fresh weights from the seeded host RNG.
    pub fn init_weights(&self, p: usize, seed: u64) -> Weights {
        let mut rng = HostRng::new(seed, Stream::Init);
        match self {
            ModelConfig::Transformer(c) => Transformer::init_weights(c, p, &mut rng),
            ModelConfig::MlpOnly(c) => MlpOnly::init_weights(c, p, &mut rng),
        }
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
        let names: Vec<String> = model.named_parameters().into_iter().map(|(name, ..)| name).collect();
        if let Some(extra) = weights.unexpected_names(&names).next() {
            return Err(Error::UnexpectedTensor(extra.clone()));
        }
        Ok(model)
    }

    pub fn init(config: &ModelConfig, p: usize, seed: u64, device: &Device) -> Self {
        Self::from_weights(config, p, &config.init_weights(p, seed), device)
            .expect("fresh weights have the model's own names and shapes")
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
        self.forward_embedded(self.embed(tokens))
    }

    pub fn named_parameters(&self) -> Vec<NamedParameter> {
        match self {
            Model::Transformer(m) => m.named_parameters(),
            Model::MlpOnly(m) => m.named_parameters(),
        }
    }

    /// Host copies of every parameter, in one asynchronous read.
    pub async fn weights(&self) -> Result<Weights, Error> {
        read_back(self.named_parameters()).await
    }
}
