//! The attention-free models of the paper's appendix (docs/science.md §2.1, `train-linear.py`): a
//! token embedding, one or two hidden layers, an unembedding without bias.
//!
//! Types A, B and C see the two tokens only through `E_a + E_b` (or `L1(E_a) + L1(E_b)`), so
//! they are exactly symmetric in a and b; type D concatenates the embeddings and is not.

use burn::module::Param;
use burn::prelude::*;
use burn::tensor::activation::relu;
use serde::{Deserialize, Serialize};

use super::MlpOnlyConfig;
use crate::Error;
use crate::weights::{Init, Loader, Parameter, Weights};

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MlpOnlyType {
    /// `h = ReLU(L1(E_a + E_b))`
    A,
    /// `h = ReLU(L2(ReLU(L1(E_a + E_b))))`, the paper's Model β.
    B,
    /// `h = ReLU(L2(ReLU(L1(E_a) + L1(E_b))))`
    C,
    /// `h = ReLU(L1(concat(E_a, E_b)))`, embeddings half as wide; the paper's Model δ.
    D,
}

/// The official name of the embedding table.
pub const EMBED: &str = "embed.weight";

#[derive(Module, Debug)]
pub struct Dense {
    /// `[d_out, d_in]` and `[d_out]`, as `torch.nn.Linear`.
    pub weight: Param<Tensor<2>>,
    pub bias: Param<Tensor<1>>,
}

impl Dense {
    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        x.matmul(self.weight.val().transpose()) + self.bias.val().unsqueeze::<2>()
    }
}

#[derive(Module, Debug)]
pub struct MlpOnly {
    /// `[vocab, d_embed]`, row t is token t.
    pub embed: Param<Tensor<2>>,
    pub l1: Dense,
    pub l2: Option<Dense>,
    /// `[vocab, d_hidden]`.
    pub unembed: Param<Tensor<2>>,
    #[module(skip)]
    pub kind: MlpOnlyType,
}

impl MlpOnly {
    /// `[batch, 2, d_embed]`.
    pub fn embed(&self, tokens: Tensor<2, Int>) -> Tensor<3> {
        let [b, n] = tokens.dims();
        let d_embed = self.embed.dims()[1];
        let rows = self.embed.val().select(0, tokens.reshape([b * n])); // [b * n, d_embed]
        rows.reshape([b, n, d_embed])
    }

    pub fn forward_embedded(&self, e: Tensor<3>) -> Tensor<2> {
        self.read_out(relu(self.first_layer(e)))
    }

    /// The first hidden layer before its ReLU, `[batch, d_hidden]`, from the token embeddings.
    pub fn first_layer(&self, e: Tensor<3>) -> Tensor<2> {
        let [b, _, d_embed] = e.dims();
        let token = |i: usize| e.clone().narrow(1, i, 1).reshape([b, d_embed]);
        let (e_a, e_b) = (token(0), token(1));
        match self.kind {
            MlpOnlyType::A | MlpOnlyType::B => self.l1.forward(e_a + e_b),
            MlpOnlyType::C => self.l1.forward(e_a) + self.l1.forward(e_b),
            MlpOnlyType::D => self.l1.forward(Tensor::cat(vec![e_a, e_b], 1)),
        }
    }

    /// The logits from the first hidden layer's activations `[batch, d_hidden]`: the second
    /// layer where there is one, then the unembedding.
    pub fn read_out(&self, mut h: Tensor<2>) -> Tensor<2> {
        if let Some(l2) = &self.l2 {
            h = relu(l2.forward(h));
        }
        h.matmul(self.unembed.val().transpose())
    }

    /// Every parameter, in the official code's order of creation: PyTorch's defaults for
    /// `nn.Linear` (uniform ±1/√fan_in for weight and bias); the embedding N(0, 1/128) whatever
    /// its width, the unembedding N(0, 1/d_hidden), as in the official code.
    pub fn parameters(config: &MlpOnlyConfig, p: usize) -> Vec<Parameter> {
        let (d_embed, d_hidden) = (config.d_embed(), config.d_hidden);
        let mut table = vec![Parameter::new(EMBED, [p, d_embed], Init::Normal(1.0 / 128f64.sqrt()))];
        let mut dense = |name: &str, d_in: usize| {
            let init = Init::Uniform(1.0 / (d_in as f64).sqrt());
            table.push(Parameter::new(format!("{name}.weight"), [d_hidden, d_in], init));
            table.push(Parameter::new(format!("{name}.bias"), [d_hidden], init));
        };
        dense("l1", config.d_in());
        if config.has_second_layer() {
            dense("l2", d_hidden);
        }
        table.push(Parameter::new("unembed.weight", [p, d_hidden], Init::Normal(1.0 / (d_hidden as f64).sqrt())));
        table
    }

    pub fn from_weights(config: &MlpOnlyConfig, p: usize, weights: &Weights, device: &Device) -> Result<Self, Error> {
        let table = Self::parameters(config, p);
        let mut load = Loader::new(&table, weights, device);
        // Fields in table order.
        let embed = load.param()?;
        let l1 = Dense { weight: load.param()?, bias: load.param()? };
        let l2 = if config.has_second_layer() { Some(Dense { weight: load.param()?, bias: load.param()? }) } else { None };
        Ok(MlpOnly { embed, l1, l2, unembed: load.param()?, kind: config.mlp_type })
    }
}
