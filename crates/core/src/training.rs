//! The training loop: full-batch AdamW with warm-up, advanced by n steps at a time, and metric
//! snapshots read back from the device in one asynchronous read.
//!
//! Nothing here reads the device while stepping: `advance` only queues work, so the caller
//! decides how often to pay for a read-back (every K steps in the browser, where a
//! synchronous read panics on WebGPU).

use burn::prelude::*;
use burn::tensor::IndexingUpdateOp;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::config::RunConfig;
use crate::data::{Batch, Split};
use crate::model::Model;
use crate::optimizer::{AdamW, AdamWState};
use crate::read::read_one;
use crate::weights::{Parameter, Weights, flat_parameters, read_back};

/// Train and test loss and accuracy after `step` optimizer steps. For a mixture of operations
/// each number is the mean of the operations' (the loss trained on is their sum), and
/// `per_task` has each operation's own, in `Task::operations` order.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Snapshot {
    pub step: usize,
    pub train_loss: f64,
    pub train_acc: f64,
    pub test_loss: f64,
    pub test_acc: f64,
    /// Accuracy over all p² pairs.
    pub all_acc: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub per_task: Vec<Snapshot>,
}

/// Numbers evaluation computes per operation: train loss, train accuracy, test loss, test
/// accuracy, accuracy over all pairs.
pub const METRICS: usize = 5;

impl Snapshot {
    /// From the metrics as evaluation computes them, `METRICS` per operation of the task.
    pub fn from_metrics(step: usize, v: &[f32]) -> Snapshot {
        let one = |v: &[f32]| Snapshot {
            step,
            train_loss: v[0] as f64,
            train_acc: v[1] as f64,
            test_loss: v[2] as f64,
            test_acc: v[3] as f64,
            all_acc: v[4] as f64,
            per_task: Vec::new(),
        };
        if v.len() == METRICS {
            return one(v);
        }
        let per_task: Vec<Snapshot> = v.chunks(METRICS).map(one).collect();
        let mean = |f: fn(&Snapshot) -> f64| per_task.iter().map(f).sum::<f64>() / per_task.len() as f64;
        Snapshot {
            step,
            train_loss: mean(|s| s.train_loss),
            train_acc: mean(|s| s.train_acc),
            test_loss: mean(|s| s.test_loss),
            test_acc: mean(|s| s.test_acc),
            all_acc: mean(|s| s.all_acc),
            per_task,
        }
    }
}

/// Cross-entropy `−log softmax(z)_c` of each example, from logits `[..., classes]` (rank `D`)
/// and the correct classes `[...]` (rank `L` = `D` − 1): `[...]`.
///
/// It is computed as `log1p(S)` with `S = Σ_{j≠c} e^{z_j − z_c}`, never forming `1 + S`. Late in
/// training S falls below float32's resolution of 1 (6e-8): `log_softmax` then rounds `1 + S` to
/// 1, the correct class's gradient `−S/(1+S)` becomes exactly 0 while the wrong classes' remain
/// ("softmax collapse"). The papers' code casts the logits to float64 first; WebGPU has no
/// float64, and this form keeps float64's relative precision in float32 (docs/science.md, "The
/// training loss").
pub fn cross_entropy<const D: usize, const L: usize>(logits: Tensor<D>, labels: Tensor<L, Int>) -> Tensor<L> {
    let last = D - 1;
    let correct = labels.unsqueeze_dim::<D>(last); // [..., 1]
    let z_c = logits.clone().gather(last, correct.clone()); // [..., 1]
    // z_j − z_c over the wrong classes: the correct class's 0 is pushed to −1e30, so that it drops
    // out of every sum below (e^−1e30 = 0). (burn's `one_hot` reads the labels back synchronously,
    // which WebGPU refuses.)
    let away = Tensor::full(correct.shape(), -1e30, &logits.device());
    let margins = (logits - z_c).scatter(last, correct, away, IndexingUpdateOp::Add);
    let top = margins.clone().max_dim(last).detach(); // [..., 1]
    let u = top.clone() + (margins - top).exp().sum_dim(last).log(); // log S
    // log1p(e^u), which does not overflow for a large u (a wrong answer).
    let loss = u.clone().clamp_min(0.0) + log1p_unit(u.abs().neg().exp());
    loss.squeeze_dim(last)
}

/// log(1 + t) for t in [0, 1], to float32's relative precision on every backend: cubecl lowers
/// `log1p` to `log(1 + t)`, which rounds a small t away. It is 2·atanh(y) with y = t / (2 + t)
/// ≤ 1/3, summed as its series to y¹⁷ (the rest is below 1e-10 of the sum).
fn log1p_unit<const D: usize>(t: Tensor<D>) -> Tensor<D> {
    let y = t.clone() / t.add_scalar(2.0);
    let w = y.clone() * y.clone();
    // 1 + w/3 + w²/5 + … + w⁸/17, by Horner.
    let mut sum = w.clone().mul_scalar(1.0 / 17.0).add_scalar(1.0 / 15.0);
    for k in [13.0, 11.0, 9.0, 7.0, 5.0, 3.0, 1.0] {
        sum = (sum * w.clone()).add_scalar(1.0 / k);
    }
    (y * sum).mul_scalar(2.0)
}

pub struct Trainer {
    run: RunConfig,
    model: Model,
    /// The model's parameter table, which names what is read back.
    parameters: Vec<Parameter>,
    optimizer: AdamW,
    step: usize,
    /// The training pairs of every operation, one operation after another.
    train: Batch,
    /// Every pair of every operation, for evaluation, and which pairs are training pairs.
    all: Batch,
    train_mask: Tensor<1>,
    n_train: usize,
    /// Operations trained together: the loss is the sum of their means.
    n_operations: usize,
}

impl Trainer {
    /// Trains `run` to its step budget on `device` and returns its curve: a snapshot at the
    /// start and after every `every` steps. What reproducing a run compares.
    pub async fn curve(run: &RunConfig, device: &Device, every: usize) -> Result<Vec<Snapshot>, Error> {
        let mut trainer = Trainer::new(run, device)?;
        let mut curve = vec![trainer.snapshot().await?];
        while trainer.step() < run.train.steps {
            trainer.advance(every.max(1).min(run.train.steps - trainer.step()));
            curve.push(trainer.snapshot().await?);
        }
        Ok(curve)
    }

    /// A fresh run: split and initial weights from the run's seed.
    pub fn new(run: &RunConfig, device: &Device) -> Result<Self, Error> {
        run.validate()?;
        let weights = run.model.init_weights(run.task.p, run.train.seed);
        Self::from_weights(run, &weights, device)
    }

    /// A run that continues from `weights` recorded after `step` steps, on another device say.
    /// The learning-rate schedule continues; AdamW continues from `optimizer` (what
    /// `observe_resumable` read at that step: the run then goes on exactly as if never
    /// stopped) or starts its moments again from zero.
    pub fn resume(run: &RunConfig, weights: &Weights, step: usize, optimizer: Option<&AdamWState>, device: &Device) -> Result<Self, Error> {
        let mut trainer = Self::from_weights(run, weights, device)?;
        trainer.step = step;
        if let Some(state) = optimizer {
            trainer.optimizer = AdamW::resume(&run.train, state, &trainer.parameters, &device.clone().without_autodiff())?;
        }
        Ok(trainer)
    }

    /// A run that starts from given weights (the split still comes from the run's seed).
    pub fn from_weights(run: &RunConfig, weights: &Weights, device: &Device) -> Result<Self, Error> {
        run.validate()?;
        // Evaluation data lives on the plain device: it never needs gradients.
        let plain = device.clone().without_autodiff();
        let device = plain.clone().autodiff();
        let (task, t) = (&run.task, &run.train);
        let split = Split::new(task, t.train_fraction, t.seed);
        let model = Model::from_weights(&run.model, task.p, weights, &device)?;
        let optimizer = AdamW::new(t);
        let n = task.num_pairs();
        Ok(Trainer {
            train: Batch::every_operation(task, &run.model, &split.train, &device),
            all: Batch::every_operation(task, &run.model, &(0..n as u32).collect::<Vec<_>>(), &plain),
            train_mask: Tensor::from_data(burn::tensor::TensorData::new(split.train_mask(n), [n]), &plain),
            n_train: split.train.len(),
            n_operations: task.operations().count(),
            parameters: run.model.parameters(task.p),
            run: run.clone(),
            model,
            optimizer,
            step: 0,
        })
    }

    pub fn run(&self) -> &RunConfig {
        &self.run
    }

    pub fn step(&self) -> usize {
        self.step
    }

    /// Queues `n` full-batch AdamW steps on the device. Reads nothing back.
    pub fn advance(&mut self, n: usize) {
        for _ in 0..n {
            let lr = self.run.train.learning_rate(self.step);
            let logits = self.model.forward(self.train.inputs.clone());
            // Every operation has the same number of training pairs, so the sum of their mean
            // losses is the mean over the batch times their number.
            let loss = cross_entropy(logits, self.train.labels.clone()).mean().mul_scalar(self.n_operations as f64);
            self.model = self.optimizer.step(lr, self.model.clone(), loss);
            self.step += 1;
        }
    }

    /// Evaluates the current weights on every pair and reads the five numbers back in one
    /// asynchronous read.
    pub async fn snapshot(&self) -> Result<Snapshot, Error> {
        Ok(self.snapshot_from(&read_one(self.metrics()).await?))
    }

    /// The snapshot and host copies of every weight, in one asynchronous read: what the
    /// notebook records (and what it resumes from should its device fail).
    pub async fn observe(&self) -> Result<(Snapshot, Weights), Error> {
        let (leading, weights) = self.read_weights(vec![self.metrics()]).await?;
        Ok((self.snapshot_from(&leading[0]), weights))
    }

    /// What `observe` reads and AdamW's state, in one asynchronous read: all a run needs to
    /// resume exactly (`resume`).
    pub async fn observe_resumable(&self) -> Result<(Snapshot, Weights, AdamWState), Error> {
        let moments = self.optimizer.moments();
        let n_moments = moments.len();
        let (mut leading, weights) = self.read_weights([vec![self.metrics()], moments].concat()).await?;
        let moments = leading.split_off(leading.len() - n_moments);
        Ok((self.snapshot_from(&leading[0]), weights, self.optimizer.state(&self.parameters, moments)))
    }

    /// Train loss, train accuracy, test loss, test accuracy and accuracy over all pairs of each
    /// operation (`METRICS` numbers each), on the device.
    fn metrics(&self) -> Tensor<1> {
        let model = self.model.valid();
        let all = &self.all;
        let logits = model.forward(all.inputs.clone());
        let labels = all.labels.clone();
        let (k, n) = (self.n_operations, all.len() / self.n_operations);
        // [k · n] → [k, n]: one row per operation, its pairs in pair order.
        let loss = cross_entropy(logits.clone(), labels.clone()).reshape([k, n]);
        let correct = logits.argmax(1).squeeze_dim::<1>(1).equal(labels).float().reshape([k, n]);
        let train_mask = self.train_mask.clone().unsqueeze::<2>();
        let test_mask = train_mask.clone().neg().add_scalar(1.0);
        let n_train = self.n_train as f64;
        let n_test = (n - self.n_train) as f64;
        let masked_mean = |values: Tensor<2>, mask: Tensor<2>, n: f64| (values * mask).sum_dim(1).div_scalar(n);
        // Five [k, 1] columns → [k, 5] → [5k], operation by operation.
        Tensor::cat(
            vec![
                masked_mean(loss.clone(), train_mask.clone(), n_train),
                masked_mean(correct.clone(), train_mask, n_train),
                masked_mean(loss, test_mask.clone(), n_test),
                masked_mean(correct.clone(), test_mask, n_test),
                correct.mean_dim(1),
            ],
            1,
        )
        .reshape([k * METRICS])
    }

    fn snapshot_from(&self, v: &[f32]) -> Snapshot {
        Snapshot::from_metrics(self.step, v)
    }

    /// Host copies of the current weights.
    pub async fn weights(&self) -> Result<Weights, Error> {
        Ok(self.read_weights(Vec::new()).await?.1)
    }

    /// Every weight, with `leading` tensors in the same read. One transaction holds tensors of
    /// one backend: both come from the model without autodiff.
    async fn read_weights(&self, leading: Vec<Tensor<1>>) -> Result<(Vec<Vec<f32>>, Weights), Error> {
        read_back(&self.parameters, flat_parameters(&self.model.valid()), leading).await
    }
}
