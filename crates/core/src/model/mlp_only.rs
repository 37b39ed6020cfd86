//! The attention-free models of the paper's appendix (SPEC.md §2.1, `train-linear.py`): a
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
use crate::rng::HostRng;
use crate::weights::{HostTensor, NamedParameter, Weights, flat};

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
        self.embed.val().select(0, tokens.reshape([b * n])).reshape([b, n, d_embed])
    }

    pub fn forward_embedded(&self, e: Tensor<3>) -> Tensor<2> {
        let [b, _, d_embed] = e.dims();
        let token = |i: usize| e.clone().narrow(1, i, 1).reshape([b, d_embed]);
        let (e_a, e_b) = (token(0), token(1));
        let first = match self.kind {
            MlpOnlyType::A | MlpOnlyType::B => self.l1.forward(e_a + e_b),
            MlpOnlyType::C => self.l1.forward(e_a) + self.l1.forward(e_b),
            MlpOnlyType::D => self.l1.forward(Tensor::cat(vec![e_a, e_b], 1)),
        };
        let mut h = relu(first);
        if let Some(l2) = &self.l2 {
            h = relu(l2.forward(h));
        }
        h.matmul(self.unembed.val().transpose())
    }

    /// PyTorch's defaults for `nn.Linear` (uniform ±1/√fan_in for weight and bias); the
    /// embedding is N(0, 1/128) whatever its width, the unembedding N(0, 1/d_hidden), as in
    /// the official code.
    pub fn init_weights(config: &MlpOnlyConfig, p: usize, rng: &mut HostRng) -> Weights {
        let (d_embed, d_in, d_hidden) = (config.d_embed(), config.d_in(), config.d_hidden);
        let mut w = Weights::default();
        w.insert("embed.weight", HostTensor::new(vec![p, d_embed], rng.normal_vec(p * d_embed, 1.0 / 128f64.sqrt())));
        let mut dense = |w: &mut Weights, name: &str, d_in: usize| {
            let bound = 1.0 / (d_in as f64).sqrt();
            w.insert(format!("{name}.weight"), HostTensor::new(vec![d_hidden, d_in], rng.uniform_vec(d_hidden * d_in, bound)));
            w.insert(format!("{name}.bias"), HostTensor::new(vec![d_hidden], rng.uniform_vec(d_hidden, bound)));
        };
        dense(&mut w, "l1", d_in);
        if config.has_second_layer() {
            dense(&mut w, "l2", d_hidden);
        }
        w.insert("unembed.weight", HostTensor::new(vec![p, d_hidden], rng.normal_vec(p * d_hidden, 1.0 / (d_hidden as f64).sqrt())));
        w
    }

    pub fn from_weights(config: &MlpOnlyConfig, p: usize, w: &Weights, device: &Device) -> Result<Self, Error> {
        let d_hidden = config.d_hidden;
        let dense = |name: &str, d_in: usize| -> Result<Dense, Error> {
            Ok(Dense {
                weight: Param::from_tensor(w.load(&format!("{name}.weight"), [d_hidden, d_in], device)?),
                bias: Param::from_tensor(w.load(&format!("{name}.bias"), [d_hidden], device)?),
            })
        };
        Ok(MlpOnly {
            embed: Param::from_tensor(w.load("embed.weight", [p, config.d_embed()], device)?),
            l1: dense("l1", config.d_in())?,
            l2: if config.has_second_layer() { Some(dense("l2", d_hidden)?) } else { None },
            unembed: Param::from_tensor(w.load("unembed.weight", [p, d_hidden], device)?),
            kind: config.mlp_type,
        })
    }

    pub fn named_parameters(&self) -> Vec<NamedParameter> {
        let mut named = vec![flat("embed.weight", &self.embed)];
        let layers = [Some(("l1", &self.l1)), self.l2.as_ref().map(|l2| ("l2", l2))];
        for (name, dense) in layers.into_iter().flatten() {
            named.push(flat(format!("{name}.weight"), &dense.weight));
            named.push(flat(format!("{name}.bias"), &dense.bias));
        }
        named.push(flat("unembed.weight", &self.unembed));
        named
    }
}
