//! K transformers of one shape trained as one program (docs/sweeps.md): every parameter has a
//! leading member axis, the matmuls are batched over it, and the loss is the sum of the
//! members' losses. Their parameters are disjoint, so each member gets exactly its own
//! gradient, and AdamW, elementwise, updates each as its own run would.
//!
//! Members may differ in attention rate (a `[K]` tensor), seed (their own initial weights, and
//! their own split: every pair is in one batch, with a `[K, pairs]` train mask) and train
//! fraction. Everything else, shapes and the optimiser's settings, is shared.

use burn::module::Param;
use burn::prelude::*;
use burn::tensor::TensorData;
use burn::tensor::activation::softmax;

use crate::Error;
use crate::config::RunConfig;
use crate::data::{Batch, Split};
use crate::model::transformer::{MASKED_SCORE, causal_mask};
use crate::model::{Activation, ModelConfig, TransformerConfig};
use crate::optimizer::AdamW;
use crate::training::{self, METRICS, Snapshot};
use crate::weights::{HostTensor, Loader, Parameter, Weights, flat_parameters, read_back};

/// The transformer of `model/transformer.rs`, each parameter with a leading member axis `K`;
/// fields in the parameter table's order.
#[derive(Module, Debug)]
struct Stacked {
    /// `[K, d_model, vocab]`.
    w_e: Param<Tensor<3>>,
    /// `[K, n_ctx, d_model]` (none in Furuta's model).
    w_pos: Option<Param<Tensor<3>>>,
    blocks: Vec<StackedBlock>,
    /// `[K, d_model, vocab]`.
    w_u: Param<Tensor<3>>,
    #[module(skip)]
    activation: Activation,
    #[module(skip)]
    causal: bool,
}

#[derive(Module, Debug)]
struct StackedBlock {
    /// `[K, heads, d_head, d_model]` each.
    w_q: Param<Tensor<4>>,
    w_k: Param<Tensor<4>>,
    w_v: Param<Tensor<4>>,
    /// `[K, d_model, heads * d_head]`.
    w_o: Param<Tensor<3>>,
    /// `[K, d_mlp, d_model]`, `[K, d_model, d_mlp]`, and the biases `[K, d_mlp]`, `[K, d_model]`
    /// (none in Furuta's model).
    w_in: Param<Tensor<3>>,
    w_out: Param<Tensor<3>>,
    b_in: Option<Param<Tensor<2>>>,
    b_out: Option<Param<Tensor<2>>>,
}

/// `x + bias` per member, for a `[K, m, d]` stream and a `[K, d]` bias.
fn plus_bias(x: Tensor<3>, bias: &Option<Param<Tensor<2>>>) -> Tensor<3> {
    match bias {
        Some(bias) => x + bias.val().unsqueeze_dim::<3>(1),
        None => x,
    }
}

/// `x @ wᵀ` per member, for a `[K, m, d_in]` stream and a `[K, d_out, d_in]` weight.
fn project(x: Tensor<3>, w: Tensor<3>) -> Tensor<3> {
    x.matmul(w.swap_dims(1, 2))
}

impl Stacked {
    /// Logits at the last position, `[K, batch, vocab]`, with each member's attention rate
    /// from `alpha`, `[K]`. As in the single model, the last block runs only at the last
    /// position.
    fn forward(&self, tokens: Tensor<2, Int>, alpha: Tensor<1>) -> Tensor<3> {
        let [b, n] = tokens.dims();
        let [k, d, vocab] = self.w_e.dims();
        // Every (position, token) start of the stream, `[K, rows, d]`, and each pair's rows,
        // `[b, n]`, as `BlockInput::Lookup` lays them out.
        let embeddings = self.w_e.val().swap_dims(1, 2); // [K, vocab, d]
        let (starts, rows) = match &self.w_pos {
            Some(w_pos) => {
                let starts = embeddings.unsqueeze_dim::<4>(1) + w_pos.val().unsqueeze_dim::<4>(2); // [K, n, vocab, d]
                let offsets = Tensor::<1, Int>::arange(0..n as i64, &tokens.device()).mul_scalar(vocab as i64); // [n]
                (starts.reshape([k, n * vocab, d]), tokens + offsets.unsqueeze::<2>())
            }
            None => (embeddings, tokens),
        };
        // A one-block model looks its block's projections up; deeper ones run the stream.
        let mut x = match self.blocks.len() {
            1 => Input::Lookup { starts, rows },
            _ => Input::Stream(starts.select(1, rows.reshape([b * n])).reshape([k, b, n, d])),
        };
        let alpha = alpha.reshape([k, 1, 1, 1, 1]);
        let last_layer = self.blocks.len().saturating_sub(1);
        for (layer, block) in self.blocks.iter().enumerate() {
            // Queries, and everything after attention, at every position but in the last block.
            let m = if layer == last_layer { 1 } else { n };
            let heads = |w: &Param<Tensor<4>>, positions: usize| {
                let [_, h, d_head, _] = w.dims();
                let all = x.project_last(positions, w.val().reshape([k, h * d_head, d])); // [K, b, positions, h * d_head]
                all.reshape([k, b, positions, h, d_head]).swap_dims(2, 3) // [K, b, h, positions, d_head]
            };
            let query_rows = x.last(m); // [K, b, m, d]
            let (q, key, v) = (heads(&block.w_q, m), heads(&block.w_k, n), heads(&block.w_v, n));
            let [_, _, h, _, d_head] = v.dims();
            // Broadcast products and sums, as `Attention::attend` explains.
            let qk = q.unsqueeze_dim::<6>(4) * key.unsqueeze_dim::<6>(3); // [K, b, h, m, n, d_head]
            let scores = qk.sum_dim(5).squeeze_dim::<5>(5).div_scalar((d_head as f64).sqrt()); // [K, b, h, m, n]
            let mask = if self.causal { causal_mask(m, n, &scores.device()) } else { None };
            let pattern = match mask {
                Some(allowed) => {
                    let allowed = allowed.unsqueeze::<5>(); // [1, 1, 1, m, n]
                    let scores = scores + allowed.clone().sub_scalar(1.0).mul_scalar(-MASKED_SCORE);
                    softmax(scores, 4) * alpha.clone() + allowed * alpha.clone().neg().add_scalar(1.0)
                }
                None => softmax(scores, 4) * alpha.clone() + alpha.clone().neg().add_scalar(1.0),
            };
            let z = (pattern.unsqueeze_dim::<6>(5) * v.unsqueeze_dim::<6>(3)).sum_dim(4).squeeze_dim::<5>(4); // [K, b, h, m, d_head]
            let z = z.swap_dims(2, 3).reshape([k, b * m, h * d_head]); // heads side by side
            let stream = query_rows.reshape([k, b * m, d]) + project(z, block.w_o.val()); // [K, b * m, d]
            let hidden = plus_bias(project(stream.clone(), block.w_in.val()), &block.b_in); // [K, b * m, d_mlp]
            let stream = stream.clone() + plus_bias(project(self.activation.apply(hidden), block.w_out.val()), &block.b_out);
            x = Input::Stream(stream.reshape([k, b, m, d]));
        }
        x.last(1).reshape([k, b, d]).matmul(self.w_u.val()) // [K, b, d_model] @ [K, d_model, vocab]
    }
}

/// What a block of the ensemble reads: `BlockInput` of `model/transformer.rs` with the member
/// axis in front.
enum Input {
    /// `[K, b, n, d]`.
    Stream(Tensor<4>),
    /// `starts` `[K, rows, d]`, `rows` `[b, n]`.
    Lookup { starts: Tensor<3>, rows: Tensor<2, Int> },
}

impl Input {
    /// The stream at the last m positions, `[K, b, m, d]`.
    fn last(&self, m: usize) -> Tensor<4> {
        match self {
            Input::Stream(x) => {
                let n = x.dims()[2];
                x.clone().narrow(2, n - m, m)
            }
            Input::Lookup { starts, rows } => {
                let ([b, n], [k, _, d]) = (rows.dims(), starts.dims());
                starts.clone().select(1, rows.clone().narrow(1, n - m, m).reshape([b * m])).reshape([k, b, m, d])
            }
        }
    }

    /// The last m positions through `w`, `[K, d_out, d]`: `[K, b, m, d_out]`.
    fn project_last(&self, m: usize, w: Tensor<3>) -> Tensor<4> {
        let [k, d_out, d] = w.dims();
        match self {
            Input::Stream(x) => {
                let b = x.dims()[1];
                project(self.last(m).reshape([k, b * m, d]), w).reshape([k, b, m, d_out])
            }
            Input::Lookup { starts, rows } => {
                let [b, n] = rows.dims();
                let projected = project(starts.clone(), w); // [K, rows, d_out]
                projected.select(1, rows.clone().narrow(1, n - m, m).reshape([b * m])).reshape([k, b, m, d_out])
            }
        }
    }
}

pub struct EnsembleTrainer {
    runs: Vec<RunConfig>,
    model: Stacked,
    /// The single model's table, and the same with the member axis in front.
    table: Vec<Parameter>,
    stacked_table: Vec<Parameter>,
    optimizer: AdamW,
    step: usize,
    /// `[K]` attention rates, for training and for evaluation.
    alpha: Tensor<1>,
    eval_alpha: Tensor<1>,
    /// Every pair, on the autodiff device (training) and the plain one (evaluation).
    train_batch: Batch,
    eval_batch: Batch,
    /// `[K, pairs]`: 1 where the pair is in the member's training set; on both devices.
    train_mask: Tensor<2>,
    eval_train_mask: Tensor<2>,
    /// `[K]`: each member's count of training pairs (for training and for evaluation) and of
    /// held-out pairs.
    n_train: Tensor<1>,
    eval_n_train: Tensor<1>,
    n_test: Tensor<1>,
}

impl EnsembleTrainer {
    /// Fresh runs from their seeds. They must share every setting but the attention rate, the
    /// seed and the train fraction.
    pub fn new(runs: &[RunConfig], device: &Device) -> Result<Self, Error> {
        let first = runs.first().ok_or_else(|| Error::InvalidConfig("an ensemble needs at least one run".into()))?;
        let ModelConfig::Transformer(config) = &first.model else {
            return Err(Error::InvalidConfig("ensembles train transformers".into()));
        };
        if first.task.is_mixture() {
            return Err(Error::InvalidConfig("ensembles train one operation; a mixture trains as a run of its own".into()));
        }
        for run in runs {
            run.validate()?;
            if shape_of(run) != shape_of(first) {
                return Err(Error::InvalidConfig(
                    "the runs of an ensemble may differ only in attention rate, seed and train fraction".into(),
                ));
            }
        }
        let (k, p) = (runs.len(), first.task.p);
        let table = first.model.parameters(p);
        let stacked_table: Vec<Parameter> =
            table.iter().map(|t| Parameter { shape: [k].into_iter().chain(t.shape.iter().copied()).collect(), ..t.clone() }).collect();
        let members: Vec<Weights> = runs.iter().map(|r| r.model.init_weights(p, r.train.seed)).collect();
        let stacked = Weights(
            stacked_table
                .iter()
                .map(|t| {
                    (t.name.clone(), HostTensor::new(t.shape.clone(), members.iter().flat_map(|w| w.0[&t.name].values.clone()).collect()))
                })
                .collect(),
        );
        let plain = device.clone().without_autodiff();
        let autodiff = plain.clone().autodiff();
        let model = load(config, &stacked_table, &stacked, &autodiff)?;
        let optimizer = AdamW::new(&first.train);
        let n = first.task.num_pairs();
        let splits: Vec<Split> = runs.iter().map(|r| Split::new(&r.task, r.train.train_fraction, r.train.seed)).collect();
        let mask: Vec<f32> = splits.iter().flat_map(|s| s.train_mask(n)).collect();
        let counts = |f: &dyn Fn(&Split) -> usize| -> Vec<f32> { splits.iter().map(|s| f(s) as f32).collect() };
        let vector = |values: Vec<f32>, device: &Device| Tensor::<1>::from_data(TensorData::new(values, [k]), device);
        let alpha: Vec<f32> = runs.iter().map(|r| attention_rate(r) as f32).collect();
        Ok(EnsembleTrainer {
            alpha: vector(alpha.clone(), &autodiff),
            eval_alpha: vector(alpha, &plain),
            train_batch: Batch::all(&first.task, &first.model, &autodiff),
            eval_batch: Batch::all(&first.task, &first.model, &plain),
            train_mask: Tensor::from_data(TensorData::new(mask.clone(), [k, n]), &autodiff),
            eval_train_mask: Tensor::from_data(TensorData::new(mask, [k, n]), &plain),
            n_train: vector(counts(&|s| s.train.len()), &autodiff),
            eval_n_train: vector(counts(&|s| s.train.len()), &plain),
            n_test: vector(counts(&|s| s.test.len()), &plain),
            runs: runs.to_vec(),
            model,
            table,
            stacked_table,
            optimizer,
            step: 0,
        })
    }

    /// The members' runs, in order.
    pub fn runs(&self) -> &[RunConfig] {
        &self.runs
    }

    pub fn step(&self) -> usize {
        self.step
    }

    /// Queues `n` full-batch AdamW steps for every member. Reads nothing back.
    pub fn advance(&mut self, n: usize) {
        for _ in 0..n {
            let lr = self.runs[0].train.learning_rate(self.step);
            let logits = self.model.forward(self.train_batch.inputs.clone(), self.alpha.clone());
            let per_pair = cross_entropy(logits, self.train_batch.labels.clone()); // [K, pairs]
            // Each member's mean over its own training pairs; their sum is the loss.
            let k = self.runs.len();
            let loss = ((per_pair * self.train_mask.clone()).sum_dim(1).reshape([k]) / self.n_train.clone()).sum();
            self.model = self.optimizer.step(lr, self.model.clone(), loss);
            self.step += 1;
        }
    }

    /// Every member's snapshot and weights, in one asynchronous read.
    pub async fn observe(&self) -> Result<Vec<(Snapshot, Weights)>, Error> {
        let k = self.runs.len();
        let model = self.model.valid();
        let logits = model.forward(self.eval_batch.inputs.clone(), self.eval_alpha.clone());
        let labels = self.eval_batch.labels.clone();
        let loss = cross_entropy(logits.clone(), labels.clone()); // [K, pairs]
        let n = labels.dims()[0];
        let correct = logits.argmax(2).reshape([k, n]).equal(labels.reshape([1, n]).repeat_dim(0, k)).float(); // [K, pairs]
        let train = self.eval_train_mask.clone();
        let test = train.clone().neg().add_scalar(1.0);
        let (n_train, n_test) = (self.eval_n_train.clone(), self.n_test.clone());
        let masked_mean = |values: Tensor<2>, mask: Tensor<2>, count: Tensor<1>| (values * mask).sum_dim(1).reshape([k]) / count;
        let metrics = Tensor::stack::<2>(
            vec![
                masked_mean(loss.clone(), train.clone(), n_train.clone()),
                masked_mean(correct.clone(), train, n_train),
                masked_mean(loss, test.clone(), n_test.clone()),
                masked_mean(correct.clone(), test, n_test),
                correct.mean_dim(1).reshape([k]),
            ],
            1,
        ) // [K, METRICS]
        .reshape([k * METRICS]);
        let (leading, stacked) = read_back(&self.stacked_table, flat_parameters(&model), vec![metrics]).await?;
        Ok((0..k)
            .map(|m| {
                let weights = Weights(
                    self.table
                        .iter()
                        .map(|t| {
                            let len: usize = t.shape.iter().product();
                            let values = stacked.0[&t.name].values[m * len..(m + 1) * len].to_vec();
                            (t.name.clone(), HostTensor::new(t.shape.clone(), values))
                        })
                        .collect(),
                );
                (Snapshot::from_metrics(self.step, &leading[0][m * METRICS..(m + 1) * METRICS]), weights)
            })
            .collect())
    }
}

/// Per-pair cross-entropy of `[K, pairs, vocab]` logits, `[K, pairs]`: the single run's.
fn cross_entropy(logits: Tensor<3>, labels: Tensor<1, Int>) -> Tensor<2> {
    let [k, n, _] = logits.dims();
    training::cross_entropy(logits, labels.reshape([1, n]).repeat_dim(0, k))
}

fn attention_rate(run: &RunConfig) -> f64 {
    match &run.model {
        ModelConfig::Transformer(c) => c.attention_rate,
        ModelConfig::MlpOnly(_) => 1.0,
    }
}

/// What the members of an ensemble share: the run with the settings a member may have of its
/// own (attention rate, seed, train fraction) set to one value. Runs with equal shapes train
/// together.
pub fn shape_of(run: &RunConfig) -> RunConfig {
    let mut shared = run.clone();
    if let ModelConfig::Transformer(c) = &mut shared.model {
        c.attention_rate = 0.0;
    }
    shared.train.seed = 0;
    shared.train.train_fraction = 0.5;
    shared
}

fn load(config: &TransformerConfig, table: &[Parameter], weights: &Weights, device: &Device) -> Result<Stacked, Error> {
    let mut load = Loader::new(table, weights, device);
    let optional = config.encoding.has_positions_and_biases();
    let (w_e, w_pos) = (load.param()?, load.param_if(optional)?);
    let mut blocks = Vec::with_capacity(config.n_layers);
    for _ in 0..config.n_layers {
        blocks.push(StackedBlock {
            w_q: load.param()?,
            w_k: load.param()?,
            w_v: load.param()?,
            w_o: load.param()?,
            w_in: load.param()?,
            w_out: load.param()?,
            b_in: load.param_if(optional)?,
            b_out: load.param_if(optional)?,
        });
    }
    Ok(Stacked { w_e, w_pos, blocks, w_u: load.param()?, activation: config.activation, causal: config.encoding.is_causal() })
}
