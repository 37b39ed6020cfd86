//! The Clock & Pizza transformer (SPEC.md §2): shared token embedding plus a learned position
//! embedding, `n_layers` residual blocks of attention and MLP, no LayerNorm, an unembedding
//! without bias, read out at the last position.
//!
//! Parameters keep the official layouts (`W_E` is `[d_model, vocab]`, `W_Q` is
//! `[heads, d_head, d_model]`, ...), so checkpoints move in and out without transposes.

use burn::module::Param;
use burn::prelude::*;
use burn::tensor::activation::softmax;

use super::{Activation, TransformerConfig};
use crate::Error;
use crate::rng::HostRng;
use crate::weights::{HostTensor, NamedParameter, Weights, flat};

#[derive(Module, Debug)]
pub struct Transformer {
    /// Token embedding `W_E`, `[d_model, vocab]`: column t is token t.
    pub w_e: Param<Tensor<2>>,
    /// Position embedding `W_pos`, `[n_ctx, d_model]`.
    pub w_pos: Param<Tensor<2>>,
    pub blocks: Vec<Block>,
    /// Unembedding `W_U`, `[d_model, vocab]`.
    pub w_u: Param<Tensor<2>>,
}

#[derive(Module, Debug)]
pub struct Block {
    pub attn: Attention,
    pub mlp: Mlp,
}

#[derive(Module, Debug)]
pub struct Attention {
    /// `[heads, d_head, d_model]` each.
    pub w_q: Param<Tensor<3>>,
    pub w_k: Param<Tensor<3>>,
    pub w_v: Param<Tensor<3>>,
    /// `[d_model, heads * d_head]`, head-major columns.
    pub w_o: Param<Tensor<2>>,
    /// α: 1 is standard softmax attention, 0 is constant attention (the all-ones matrix).
    #[module(skip)]
    pub attention_rate: f64,
}

#[derive(Module, Debug)]
pub struct Mlp {
    /// `[d_mlp, d_model]`, `[d_mlp]`, `[d_model, d_mlp]`, `[d_model]`.
    pub w_in: Param<Tensor<2>>,
    pub b_in: Param<Tensor<1>>,
    pub w_out: Param<Tensor<2>>,
    pub b_out: Param<Tensor<1>>,
    #[module(skip)]
    pub activation: Activation,
}

/// `x @ wᵀ` for a `[batch, n, d_in]` stream and a `[d_out, d_in]` weight.
fn project(x: Tensor<3>, w: Tensor<2>) -> Tensor<3> {
    let [b, n, d_in] = x.dims();
    let d_out = w.dims()[0];
    x.reshape([b * n, d_in]).matmul(w.transpose()).reshape([b, n, d_out])
}

impl Attention {
    /// `A = α·softmax(QKᵀ/√d_head) + (1−α)·J`, `[batch, heads, n, n]` (query, key). The
    /// official code registers a causal mask but never applies it: attention is bidirectional.
    pub fn pattern(&self, x: Tensor<3>) -> Tensor<4> {
        let q = self.heads(x.clone(), &self.w_q);
        let k = self.heads(x, &self.w_k);
        let d_head = q.dims()[3] as f64;
        let scores = q.matmul(k.swap_dims(2, 3)).div_scalar(d_head.sqrt());
        let alpha = self.attention_rate;
        softmax(scores, 3).mul_scalar(alpha).add_scalar(1.0 - alpha)
    }

    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let [b, n, _] = x.dims();
        let v = self.heads(x.clone(), &self.w_v);
        let [_, h, _, d_head] = v.dims();
        let z = self.pattern(x).matmul(v); // [b, h, n, d_head]
        let z = z.swap_dims(1, 2).reshape([b, n, h * d_head]);
        project(z, self.w_o.val())
    }

    /// `[batch, n, d_model]` → `[batch, heads, n, d_head]` through `w`, `[heads, d_head, d_model]`.
    fn heads(&self, x: Tensor<3>, w: &Param<Tensor<3>>) -> Tensor<4> {
        let [b, n, d] = x.dims();
        let [h, d_head, _] = w.dims();
        project(x, w.val().reshape([h * d_head, d])).reshape([b, n, h, d_head]).swap_dims(1, 2)
    }
}

impl Mlp {
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let hidden = project(x, self.w_in.val()) + self.b_in.val().unsqueeze::<3>();
        project(self.activation.apply(hidden), self.w_out.val()) + self.b_out.val().unsqueeze::<3>()
    }
}

impl Block {
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let x = x.clone() + self.attn.forward(x);
        x.clone() + self.mlp.forward(x)
    }
}

impl Transformer {
    /// The token embeddings of a `[batch, n_ctx]` token batch, before the position embedding
    /// is added: `[batch, n_ctx, d_model]`. Gradient symmetricity differentiates with respect
    /// to exactly this.
    pub fn embed(&self, tokens: Tensor<2, Int>) -> Tensor<3> {
        let [b, n] = tokens.dims();
        let d_model = self.w_e.dims()[0];
        self.w_e.val().transpose().select(0, tokens.reshape([b * n])).reshape([b, n, d_model])
    }

    /// The residual stream after every block, from token embeddings.
    pub fn residual(&self, token_embeddings: Tensor<3>) -> Tensor<3> {
        let mut x = token_embeddings + self.w_pos.val().unsqueeze::<3>();
        for block in &self.blocks {
            x = block.forward(x);
        }
        x
    }

    /// Every layer's attention pattern `[batch, heads, query, key]`, from token embeddings.
    pub fn attention_patterns(&self, token_embeddings: Tensor<3>) -> Vec<Tensor<4>> {
        let mut x = token_embeddings + self.w_pos.val().unsqueeze::<3>();
        let mut patterns = Vec::with_capacity(self.blocks.len());
        for block in &self.blocks {
            patterns.push(block.attn.pattern(x.clone()));
            x = block.forward(x);
        }
        patterns
    }

    /// Logits at the last position, `[batch, vocab]`.
    pub fn forward_embedded(&self, token_embeddings: Tensor<3>) -> Tensor<2> {
        let x = self.residual(token_embeddings);
        let [b, n, d] = x.dims();
        x.narrow(1, n - 1, 1).reshape([b, d]).matmul(self.w_u.val())
    }

    pub fn init_weights(config: &TransformerConfig, p: usize, rng: &mut HostRng) -> Weights {
        let (d, d_mlp, vocab) = (config.d_model, config.d_mlp(), config.vocab(p));
        let (h, d_head, n_ctx) = (config.n_heads, config.d_head(), config.n_ctx());
        let mut w = Weights::default();
        let mut randn = |shape: Vec<usize>, fan: usize| {
            let n = shape.iter().product();
            HostTensor::new(shape, rng.normal_vec(n, 1.0 / (fan as f64).sqrt()))
        };
        // Scales of SPEC.md §2's table, in the official code's order of creation.
        w.insert("embed.W_E", randn(vec![d, vocab], d));
        w.insert("pos_embed.W_pos", randn(vec![n_ctx, d], d));
        for l in 0..config.n_layers {
            for name in ["W_Q", "W_K", "W_V"] {
                w.insert(format!("blocks.{l}.attn.{name}"), randn(vec![h, d_head, d], d));
            }
            w.insert(format!("blocks.{l}.attn.W_O"), randn(vec![d, h * d_head], d));
            w.insert(format!("blocks.{l}.mlp.W_in"), randn(vec![d_mlp, d], d_mlp));
            w.insert(format!("blocks.{l}.mlp.W_out"), randn(vec![d, d_mlp], d));
            w.insert(format!("blocks.{l}.mlp.b_in"), HostTensor::zeros(vec![d_mlp]));
            w.insert(format!("blocks.{l}.mlp.b_out"), HostTensor::zeros(vec![d]));
        }
        w.insert("unembed.W_U", randn(vec![d, vocab], vocab));
        w
    }

    pub fn from_weights(config: &TransformerConfig, p: usize, w: &Weights, device: &Device) -> Result<Self, Error> {
        let (d, d_mlp, vocab) = (config.d_model, config.d_mlp(), config.vocab(p));
        let (h, d_head, n_ctx) = (config.n_heads, config.d_head(), config.n_ctx());
        let blocks = (0..config.n_layers)
            .map(|l| {
                let attn = |name: &str| w.load(&format!("blocks.{l}.attn.{name}"), [h, d_head, d], device).map(Param::from_tensor);
                let mlp = |name: &str| format!("blocks.{l}.mlp.{name}");
                Ok(Block {
                    attn: Attention {
                        w_q: attn("W_Q")?,
                        w_k: attn("W_K")?,
                        w_v: attn("W_V")?,
                        w_o: Param::from_tensor(w.load(&format!("blocks.{l}.attn.W_O"), [d, h * d_head], device)?),
                        attention_rate: config.attention_rate,
                    },
                    mlp: Mlp {
                        w_in: Param::from_tensor(w.load(&mlp("W_in"), [d_mlp, d], device)?),
                        b_in: Param::from_tensor(w.load(&mlp("b_in"), [d_mlp], device)?),
                        w_out: Param::from_tensor(w.load(&mlp("W_out"), [d, d_mlp], device)?),
                        b_out: Param::from_tensor(w.load(&mlp("b_out"), [d], device)?),
                        activation: config.activation,
                    },
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Transformer {
            w_e: Param::from_tensor(w.load("embed.W_E", [d, vocab], device)?),
            w_pos: Param::from_tensor(w.load("pos_embed.W_pos", [n_ctx, d], device)?),
            blocks,
            w_u: Param::from_tensor(w.load("unembed.W_U", [d, vocab], device)?),
        })
    }

    /// Every parameter by its official name, flattened, with its shape.
    pub fn named_parameters(&self) -> Vec<NamedParameter> {
        let mut named = vec![flat("embed.W_E", &self.w_e), flat("pos_embed.W_pos", &self.w_pos)];
        for (l, block) in self.blocks.iter().enumerate() {
            let a = &block.attn;
            named.push(flat(format!("blocks.{l}.attn.W_Q"), &a.w_q));
            named.push(flat(format!("blocks.{l}.attn.W_K"), &a.w_k));
            named.push(flat(format!("blocks.{l}.attn.W_V"), &a.w_v));
            named.push(flat(format!("blocks.{l}.attn.W_O"), &a.w_o));
            let m = &block.mlp;
            named.push(flat(format!("blocks.{l}.mlp.W_in"), &m.w_in));
            named.push(flat(format!("blocks.{l}.mlp.b_in"), &m.b_in));
            named.push(flat(format!("blocks.{l}.mlp.W_out"), &m.w_out));
            named.push(flat(format!("blocks.{l}.mlp.b_out"), &m.b_out));
        }
        named.push(flat("unembed.W_U", &self.w_u));
        named
    }
}
