//! The Clock & Pizza transformer (docs/science.md §2): a shared token embedding plus a learned
//! position embedding, `n_layers` residual blocks of attention and MLP, no LayerNorm, an
//! unembedding without bias, read out at the last position. With Furuta's encoding
//! (docs/operations.md) it is their model: no position embedding, no MLP biases, causal attention.
//!
//! Parameters keep the official layouts (`W_E` is `[d_model, vocab]`, `W_Q` is
//! `[heads, d_head, d_model]`, ...), so checkpoints move in and out without transposes. Their
//! names, shapes and scales are written once, in [`Transformer::parameters`]; the fields are
//! declared in the same order.

use burn::module::Param;
use burn::prelude::*;
use burn::tensor::activation::softmax;

use super::{Activation, TransformerConfig};
use crate::Error;
use crate::weights::{Init, Loader, Parameter, Weights};

#[derive(Module, Debug)]
pub struct Transformer {
    /// Token embedding `W_E`, `[d_model, vocab]`: column t is token t.
    pub w_e: Param<Tensor<2>>,
    /// Position embedding `W_pos`, `[n_ctx, d_model]` (none in Furuta's model).
    pub w_pos: Option<Param<Tensor<2>>>,
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
    /// A query sees only the keys up to its own position (Furuta's model).
    #[module(skip)]
    pub causal: bool,
}

#[derive(Module, Debug)]
pub struct Mlp {
    /// `[d_mlp, d_model]`, `[d_model, d_mlp]`, and the biases `[d_mlp]`, `[d_model]` (none in
    /// Furuta's model).
    pub w_in: Param<Tensor<2>>,
    pub w_out: Param<Tensor<2>>,
    pub b_in: Option<Param<Tensor<1>>>,
    pub b_out: Option<Param<Tensor<1>>>,
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
    /// The block's attention output `[batch, n, d_model]` and its pattern
    /// `A = α·softmax(QKᵀ/√d_head) + (1−α)·J`, `[batch, heads, query, key]`. The official Clock &
    /// Pizza code registers a causal mask but never applies it: attention is bidirectional.
    /// Furuta's applies it: masked keys score −∞ and J is lower-triangular.
    pub fn forward(&self, x: Tensor<3>) -> (Tensor<3>, Tensor<4>) {
        let [b, n, _] = x.dims();
        let input = BlockInput::Stream(x);
        let q = self.heads(&input, n, &self.w_q); // [b, h, n, d_head]
        let k = self.heads(&input, n, &self.w_k); // [b, h, n, d_head]
        let v = self.heads(&input, n, &self.w_v); // [b, h, n, d_head]
        let [_, h, _, d_head] = v.dims();
        let (z, pattern) = self.attend(q, k, v); // [b, h, n, d_head]
        let z = z.swap_dims(1, 2).reshape([b, n, h * d_head]); // heads side by side, head-major
        (project(z, self.w_o.val()), pattern)
    }

    /// The attention output at the last position only, `[batch, 1, d_model]`: all that the
    /// readout sees of the last block. Keys and values still come from every position.
    fn forward_last(&self, input: &BlockInput) -> Tensor<3> {
        let [b, n] = input.dims();
        let q = self.heads(input, 1, &self.w_q); // [b, h, 1, d_head]
        let k = self.heads(input, n, &self.w_k); // [b, h, n, d_head]
        let v = self.heads(input, n, &self.w_v); // [b, h, n, d_head]
        let [_, h, _, d_head] = v.dims();
        let (z, _) = self.attend(q, k, v); // [b, h, 1, d_head]
        project(z.reshape([b, 1, h * d_head]), self.w_o.val())
    }

    /// `A·V` and `A` for the last m queries `[b, h, m, d_head]` and keys and values
    /// `[b, h, n, d_head]`: `[b, h, m, d_head]` and `[b, h, m, n]`. Written as broadcast products
    /// and sums: with two or three positions a batched matmul is one tiny product per example
    /// and head.
    fn attend(&self, q: Tensor<4>, k: Tensor<4>, v: Tensor<4>) -> (Tensor<4>, Tensor<4>) {
        let ([_, _, m, d_head], n) = (q.dims(), k.dims()[2]);
        let qk = q.unsqueeze_dim::<5>(3) * k.unsqueeze_dim::<5>(2); // [b, h, m, n, d_head]
        let scores = qk.sum_dim(4).squeeze_dim::<4>(4).div_scalar((d_head as f64).sqrt()); // [b, h, m, n]
        let alpha = self.attention_rate;
        let mask = if self.causal { causal_mask(m, n, &scores.device()) } else { None };
        let pattern = match mask {
            Some(allowed) => {
                let allowed = allowed.unsqueeze::<4>(); // [1, 1, m, n]
                let scores = scores + allowed.clone().sub_scalar(1.0).mul_scalar(-MASKED_SCORE);
                softmax(scores, 3).mul_scalar(alpha) + allowed.mul_scalar(1.0 - alpha)
            }
            None => softmax(scores, 3).mul_scalar(alpha).add_scalar(1.0 - alpha),
        };
        let weighted = pattern.clone().unsqueeze_dim::<5>(4) * v.unsqueeze_dim::<5>(2); // [b, h, m, n, d_head]
        (weighted.sum_dim(3).squeeze_dim::<4>(3), pattern)
    }

    /// The input's last m positions through `w`, `[heads, d_head, d_model]`:
    /// `[batch, heads, m, d_head]`.
    fn heads(&self, input: &BlockInput, m: usize, w: &Param<Tensor<3>>) -> Tensor<4> {
        let [b, _] = input.dims();
        let [h, d_head, d] = w.dims();
        let all_heads = input.project_last(m, w.val().reshape([h * d_head, d])); // [b, m, h * d_head]
        all_heads.reshape([b, m, h, d_head]).swap_dims(1, 2)
    }
}

/// What a block reads: the residual stream `[batch, n, d_model]`, or, for the first block, the
/// stream's possible starts and where each example's positions sit among them. A position's
/// start depends on its token alone, so the first block's projections are taken once per
/// (position, token), `n·vocab` rows, and looked up per example: with one layer no example's
/// queries, keys and values are projected (docs/performance.md).
enum BlockInput {
    Stream(Tensor<3>),
    /// `starts` `[rows, d_model]`: token t's embedding plus position i's at row i·vocab + t
    /// (row t alone, at every position, without position embedding); `rows` `[batch, n]`.
    Lookup {
        starts: Tensor<2>,
        rows: Tensor<2, Int>,
    },
}

impl BlockInput {
    /// `[batch, n]`.
    fn dims(&self) -> [usize; 2] {
        match self {
            BlockInput::Stream(x) => {
                let [b, n, _] = x.dims();
                [b, n]
            }
            BlockInput::Lookup { rows, .. } => rows.dims(),
        }
    }

    /// The last m positions through `w`, `[d_out, d_model]`: `[batch, m, d_out]`.
    fn project_last(&self, m: usize, w: Tensor<2>) -> Tensor<3> {
        let [b, n] = self.dims();
        match self {
            BlockInput::Stream(x) => project(x.clone().narrow(1, n - m, m), w),
            BlockInput::Lookup { starts, rows } => {
                let d_out = w.dims()[0];
                let projected = starts.clone().matmul(w.transpose()); // [rows, d_out]
                projected.select(0, rows.clone().narrow(1, n - m, m).reshape([b * m])).reshape([b, m, d_out])
            }
        }
    }

    /// The stream at the last position, `[batch, 1, d_model]`.
    fn last(&self) -> Tensor<3> {
        let [b, n] = self.dims();
        match self {
            BlockInput::Stream(x) => x.clone().narrow(1, n - 1, 1),
            BlockInput::Lookup { starts, rows } => {
                let d_model = starts.dims()[1];
                starts.clone().select(0, rows.clone().narrow(1, n - 1, 1).reshape([b])).reshape([b, 1, d_model])
            }
        }
    }
}

/// Furuta's score for a masked key (their fill comes before the scaling by √d_head; either way
/// the key's weight is 0).
pub(crate) const MASKED_SCORE: f64 = -1e10;

/// For the last m of n queries, 1 where a query may see a key (key ≤ query) and 0 elsewhere,
/// `[m, n]`; `None` when every query sees every key (the last query alone).
pub(crate) fn causal_mask(m: usize, n: usize, device: &Device) -> Option<Tensor<2>> {
    (m > 1).then(|| {
        let allowed: Vec<f32> = (n - m..n).flat_map(|query| (0..n).map(move |key| (key <= query) as u8 as f32)).collect();
        Tensor::from_data(TensorData::new(allowed, [m, n]), device)
    })
}

impl Mlp {
    /// `W_out·act(W_in·x + b_in) + b_out` at every position.
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        self.output(self.neurons(x))
    }

    /// The neurons, `act(W_in·x + b_in)`: `[b, n, d_model]` → `[b, n, d_mlp]`.
    fn neurons(&self, x: Tensor<3>) -> Tensor<3> {
        self.activation.apply(self.preactivations(x))
    }

    /// The neurons before the activation, `W_in·x + b_in`: `[b, n, d_model]` → `[b, n, d_mlp]`.
    fn preactivations(&self, x: Tensor<3>) -> Tensor<3> {
        plus_bias(project(x, self.w_in.val()), &self.b_in)
    }

    /// `W_out·neurons + b_out`: `[b, n, d_mlp]` → `[b, n, d_model]`.
    fn output(&self, neurons: Tensor<3>) -> Tensor<3> {
        plus_bias(project(neurons, self.w_out.val()), &self.b_out)
    }
}

fn plus_bias(x: Tensor<3>, bias: &Option<Param<Tensor<1>>>) -> Tensor<3> {
    match bias {
        Some(bias) => x + bias.val().unsqueeze::<3>(),
        None => x,
    }
}

impl Block {
    /// The residual stream after the block, and the block's attention pattern.
    pub fn forward(&self, x: Tensor<3>) -> (Tensor<3>, Tensor<4>) {
        let (attended, pattern) = self.attn.forward(x.clone());
        let x = x + attended;
        (x.clone() + self.mlp.forward(x), pattern)
    }

    /// The residual stream after the block at the last position, `[batch, 1, d_model]`, and the
    /// MLP's neurons there before their activation, `[batch, 1, d_mlp]`: the other positions'
    /// attention output and MLP never reach a later readout.
    fn forward_last(&self, input: &BlockInput) -> (Tensor<3>, Tensor<3>) {
        let x_last = input.last() + self.attn.forward_last(input);
        let preactivations = self.mlp.preactivations(x_last.clone());
        (x_last + self.mlp.output(self.mlp.activation.apply(preactivations.clone())), preactivations)
    }
}

/// The official names of the embeddings.
pub const EMBED: &str = "embed.W_E";
pub const POS_EMBED: &str = "pos_embed.W_pos";
pub const UNEMBED: &str = "unembed.W_U";

/// The parameters of each block, in the official code's order of creation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockParameter {
    Query,
    Key,
    Value,
    Output,
    MlpIn,
    MlpOut,
    MlpInBias,
    MlpOutBias,
}

impl BlockParameter {
    pub const ALL: [BlockParameter; 8] = [
        BlockParameter::Query,
        BlockParameter::Key,
        BlockParameter::Value,
        BlockParameter::Output,
        BlockParameter::MlpIn,
        BlockParameter::MlpOut,
        BlockParameter::MlpInBias,
        BlockParameter::MlpOutBias,
    ];

    /// The official name in block `layer`: `blocks.0.attn.W_Q`, ...
    pub fn name(self, layer: usize) -> String {
        let local = match self {
            BlockParameter::Query => "attn.W_Q",
            BlockParameter::Key => "attn.W_K",
            BlockParameter::Value => "attn.W_V",
            BlockParameter::Output => "attn.W_O",
            BlockParameter::MlpIn => "mlp.W_in",
            BlockParameter::MlpOut => "mlp.W_out",
            BlockParameter::MlpInBias => "mlp.b_in",
            BlockParameter::MlpOutBias => "mlp.b_out",
        };
        format!("blocks.{layer}.{local}")
    }
}

impl Transformer {
    /// Every parameter, in the official code's order of creation, with the scales of
    /// docs/science.md §2: weights N(0, 1/fan) with fan = d_model, except `W_in` (d_mlp) and
    /// `W_U` (vocab); biases zero. Furuta's model has no `W_pos` and no biases, and its fans
    /// are vocab for `W_E` and d_model for every other weight.
    pub fn parameters(config: &TransformerConfig, p: usize) -> Vec<Parameter> {
        let (d, d_mlp, vocab) = (config.d_model, config.d_mlp(), config.encoding.vocab(p));
        let (h, d_head, n_ctx) = (config.n_heads, config.d_head(), config.encoding.n_ctx());
        let clock_pizza = config.encoding.has_positions_and_biases();
        let normal = |fan: usize| Init::Normal(1.0 / (fan as f64).sqrt());
        let mut table = vec![Parameter::new(EMBED, [d, vocab], normal(if clock_pizza { d } else { vocab }))];
        if clock_pizza {
            table.push(Parameter::new(POS_EMBED, [n_ctx, d], normal(d)));
        }
        for l in 0..config.n_layers {
            table.extend(BlockParameter::ALL.into_iter().filter_map(|b| {
                let (shape, init) = match b {
                    BlockParameter::Query | BlockParameter::Key | BlockParameter::Value => (vec![h, d_head, d], normal(d)),
                    BlockParameter::Output => (vec![d, h * d_head], normal(d)),
                    BlockParameter::MlpIn => (vec![d_mlp, d], normal(if clock_pizza { d_mlp } else { d })),
                    BlockParameter::MlpOut => (vec![d, d_mlp], normal(d)),
                    BlockParameter::MlpInBias if clock_pizza => (vec![d_mlp], Init::Zeros),
                    BlockParameter::MlpOutBias if clock_pizza => (vec![d], Init::Zeros),
                    BlockParameter::MlpInBias | BlockParameter::MlpOutBias => return None,
                };
                Some(Parameter::new(b.name(l), shape, init))
            }));
        }
        table.push(Parameter::new(UNEMBED, [d, vocab], normal(if clock_pizza { vocab } else { d })));
        table
    }

    pub fn from_weights(config: &TransformerConfig, p: usize, weights: &Weights, device: &Device) -> Result<Self, Error> {
        let table = Self::parameters(config, p);
        let mut load = Loader::new(&table, weights, device);
        // Fields in table order.
        let optional = config.encoding.has_positions_and_biases();
        let w_e = load.param()?;
        let w_pos = load.param_if(optional)?;
        let mut blocks = Vec::with_capacity(config.n_layers);
        for _ in 0..config.n_layers {
            let attn = Attention {
                w_q: load.param()?,
                w_k: load.param()?,
                w_v: load.param()?,
                w_o: load.param()?,
                attention_rate: config.attention_rate,
                causal: config.encoding.is_causal(),
            };
            let mlp = Mlp {
                w_in: load.param()?,
                w_out: load.param()?,
                b_in: load.param_if(optional)?,
                b_out: load.param_if(optional)?,
                activation: config.activation,
            };
            blocks.push(Block { attn, mlp });
        }
        Ok(Transformer { w_e, w_pos, blocks, w_u: load.param()? })
    }

    /// The token embeddings of a `[batch, n_ctx]` token batch, before the position embedding
    /// is added: `[batch, n_ctx, d_model]`. Gradient symmetricity differentiates with respect
    /// to exactly this.
    pub fn embed(&self, tokens: Tensor<2, Int>) -> Tensor<3> {
        let [b, n] = tokens.dims();
        let d_model = self.w_e.dims()[0];
        let rows = self.w_e.val().transpose().select(0, tokens.reshape([b * n])); // [b * n, d_model]
        rows.reshape([b, n, d_model])
    }

    /// The residual stream's start: the token embeddings plus the position embedding, if any.
    fn positioned(&self, token_embeddings: Tensor<3>) -> Tensor<3> {
        match &self.w_pos {
            Some(w_pos) => token_embeddings + w_pos.val().unsqueeze::<3>(),
            None => token_embeddings,
        }
    }

    /// The forward pass from token embeddings: the residual stream after the last block
    /// `[batch, n_ctx, d_model]`, and every layer's attention pattern `[batch, heads, query, key]`.
    pub fn residual(&self, token_embeddings: Tensor<3>) -> (Tensor<3>, Vec<Tensor<4>>) {
        let mut x = self.positioned(token_embeddings);
        let mut patterns = Vec::with_capacity(self.blocks.len());
        for block in &self.blocks {
            let (next, pattern) = block.forward(x);
            x = next;
            patterns.push(pattern);
        }
        (x, patterns)
    }

    /// Logits at the last position, `[batch, vocab]`, from token embeddings (gradient
    /// symmetricity differentiates with respect to them): the blocks before the last in full,
    /// the last one only where the readout looks (the same logits as [`Self::residual`]'s
    /// stream, to float rounding).
    pub fn forward_embedded(&self, token_embeddings: Tensor<3>) -> Tensor<2> {
        self.read_out(&self.last_block_input(token_embeddings)).0
    }

    /// The stream from token embeddings through every block but the last.
    fn last_block_input(&self, token_embeddings: Tensor<3>) -> BlockInput {
        let mut x = self.positioned(token_embeddings);
        for block in &self.blocks[..self.blocks.len().saturating_sub(1)] {
            x = block.forward(x).0;
        }
        BlockInput::Stream(x)
    }

    /// Logits of a `[batch, n_ctx]` token batch, `[batch, vocab]`, as [`Self::forward_embedded`]
    /// computes them; a one-block model looks its first block's projections up
    /// ([`BlockInput::Lookup`]).
    pub fn forward(&self, tokens: Tensor<2, Int>) -> Tensor<2> {
        self.forward_with_preactivations(tokens).0
    }

    /// [`Self::forward`]'s logits and the last block's MLP neurons at the last position,
    /// `[batch, d_mlp]` (after the activation; none without blocks): what the restricted and
    /// excluded losses take apart.
    pub fn forward_with_neurons(&self, tokens: Tensor<2, Int>) -> (Tensor<2>, Option<Tensor<2>>) {
        let (logits, preactivations) = self.forward_with_preactivations(tokens);
        let activation = self.blocks.last().map(|block| block.mlp.activation);
        (logits, preactivations.zip(activation).map(|(x, activation)| activation.apply(x)))
    }

    /// [`Self::forward`]'s logits and the last block's MLP neurons at the last position before
    /// their activation, `W_in·x + b_in`, `[batch, d_mlp]` (none without blocks): the neuron grids
    /// of the manifold measures (docs/science.md §10).
    pub fn forward_with_preactivations(&self, tokens: Tensor<2, Int>) -> (Tensor<2>, Option<Tensor<2>>) {
        let input = match self.blocks.len() {
            0 | 1 => self.lookup(tokens),
            _ => self.last_block_input(self.embed(tokens)),
        };
        self.read_out(&input)
    }

    /// Every (position, token) start of the residual stream and each example's rows among them.
    fn lookup(&self, tokens: Tensor<2, Int>) -> BlockInput {
        let [_, n] = tokens.dims();
        let embeddings = self.w_e.val().transpose(); // [vocab, d_model]
        let [vocab, d_model] = embeddings.dims();
        match &self.w_pos {
            Some(w_pos) => {
                let starts = embeddings.unsqueeze::<3>() + w_pos.val().unsqueeze_dim::<3>(1); // [n, vocab, d_model]
                let offsets = Tensor::<1, Int>::arange(0..n as i64, &tokens.device()).mul_scalar(vocab as i64); // [n]
                BlockInput::Lookup { starts: starts.reshape([n * vocab, d_model]), rows: tokens + offsets.unsqueeze::<2>() }
            }
            None => BlockInput::Lookup { starts: embeddings, rows: tokens },
        }
    }

    /// The logits and the last block's neurons before their activation from the last block's
    /// input (the stream itself without blocks).
    fn read_out(&self, input: &BlockInput) -> (Tensor<2>, Option<Tensor<2>>) {
        let [b, _] = input.dims();
        let (last, preactivations) = match self.blocks.last() {
            Some(block) => {
                let (last, preactivations) = block.forward_last(input);
                let d_mlp = preactivations.dims()[2];
                (last, Some(preactivations.reshape([b, d_mlp])))
            }
            None => (input.last(), None),
        };
        let d_model = last.dims()[2];
        (last.reshape([b, d_model]).matmul(self.w_u.val()), preactivations) // [b, d_model] @ [d_model, vocab]
    }
}
