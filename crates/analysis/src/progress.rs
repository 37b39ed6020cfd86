//! Progress measures of grokking (docs/operations.md): how the weights gather onto a few
//! Fourier frequencies of the token index while a model trains, cheap enough to compute at
//! every evaluation and draw as curves beside the loss.
//!
//! - Furuta et al. (TMLR 2024): the Fourier frequency density (FFD) and the Fourier
//!   coefficient ratio (FCR) of the embedding W_E and the neuron-logit map W_L.
//! - Nanda et al. (ICLR 2023): key frequencies, restricted and excluded loss, the Gini
//!   coefficient of the Fourier norms, the weight norm Σ‖θ‖².
//! - For multiplication, the same spectrum in the multiplicative (character) basis, through a
//!   primitive root: there a grokked model is sparse.
//! - Per neuron (He et al. 2026): dominant frequency, phases and their alignment, IPR.

use std::f64::consts::PI;

use burn::prelude::*;
use grokscope_core::data::Batch;
use grokscope_core::model::transformer::{EMBED, UNEMBED};
use grokscope_core::model::{BlockParameter, ModelConfig, TransformerConfig};
use grokscope_core::read::read_f32;
use grokscope_core::task::is_prime;
use grokscope_core::weights::Weights;
use grokscope_core::{Error, Model, Operation, RunConfig, Snapshot, Task};
use serde::{Deserialize, Serialize};

use crate::embedding::embedding_rows;
use crate::fourier::spectrum;
use crate::matrix::Matrix;

/// η: a frequency counts towards the density when its norm exceeds this share of its family's
/// largest (Furuta et al.'s setting).
pub const DENSITY_THRESHOLD: f64 = 0.5;
/// Norms below this share of the largest norm of a spectrum are zero: float rounding, not
/// signal (a pure-cosine embedding has sine norms of ~1e-15, not 0).
const ZERO: f64 = 1e-9;
/// The accuracy that marks the end of a grokking stage (He et al.).
pub const STAGE_ACCURACY: f64 = 0.95;

/// A real orthonormal Fourier basis over a cycle of `period` positions, with the tokens placed
/// on it by `position`: the additive basis puts token t at t (period p); the multiplicative
/// basis puts a ≠ 0 at its discrete logarithm (period p − 1) and leaves 0 out. Rows are
/// cos(2πk·position/period) and sin(…) for k = 1..=period/2, each scaled to unit norm over the
/// placed tokens (a row that is zero everywhere stays zero); the constant is left out.
#[derive(Clone, Debug)]
pub struct FourierBasis {
    /// Per token, its place on the cycle, or none.
    position: Vec<Option<usize>>,
    /// `[frequency - 1][token]`.
    cos: Vec<Vec<f64>>,
    sin: Vec<Vec<f64>>,
}

impl FourierBasis {
    pub fn additive(p: usize) -> Self {
        Self::new((0..p).map(Some).collect(), p)
    }

    /// The character basis of (Z/pZ)* for a prime p, or none when p is not prime.
    pub fn multiplicative(p: usize) -> Option<Self> {
        let g = primitive_root(p)?;
        let mut position = vec![None; p];
        let mut x = 1;
        for i in 0..p - 1 {
            position[x] = Some(i);
            x = x * g % p;
        }
        Some(Self::new(position, p - 1))
    }

    fn new(position: Vec<Option<usize>>, period: usize) -> Self {
        let row = |k: usize, f: fn(f64) -> f64| {
            let raw: Vec<f64> = position.iter().map(|t| t.map_or(0.0, |i| f(2.0 * PI * (k * i % period) as f64 / period as f64))).collect();
            let norm = raw.iter().map(|v| v * v).sum::<f64>().sqrt();
            // sin at k = period/2 (an even period) vanishes on every token: zero, not noise.
            if norm < 1e-6 { vec![0.0; raw.len()] } else { raw.iter().map(|v| v / norm).collect() }
        };
        let frequencies = 1..=period / 2;
        FourierBasis {
            cos: frequencies.clone().map(|k| row(k, f64::cos)).collect(),
            sin: frequencies.map(|k| row(k, f64::sin)).collect(),
            position,
        }
    }

    pub fn frequencies(&self) -> usize {
        self.cos.len()
    }

    /// Where each token sits on the cycle (the discrete log in the multiplicative basis): the
    /// order to lay a heatmap's axes in so that the basis' periodicity shows.
    pub fn positions(&self) -> &[Option<usize>] {
        &self.position
    }

    /// The coefficients of a function of the token, `values[t]`: (cos, sin) per frequency.
    fn coefficients(&self, values: &[f64]) -> Vec<(f64, f64)> {
        let dot = |row: &[f64]| row.iter().zip(values).map(|(r, v)| r * v).sum::<f64>();
        self.cos.iter().zip(&self.sin).map(|(c, s)| (dot(c), dot(s))).collect()
    }

    /// The norms of a `[tokens, d]` matrix's projections onto each row, over the d columns.
    pub fn norms(&self, w: &Matrix) -> FourierNorms {
        assert_eq!(w.rows, self.position.len(), "one matrix row per token");
        let (mut cos, mut sin) = (vec![0.0; self.frequencies()], vec![0.0; self.frequencies()]);
        for column in 0..w.cols {
            for (k, (c, s)) in self.coefficients(&w.column(column)).into_iter().enumerate() {
                cos[k] += c * c;
                sin[k] += s * s;
            }
        }
        FourierNorms { cos: cos.into_iter().map(f64::sqrt).collect(), sin: sin.into_iter().map(f64::sqrt).collect() }
    }
}

/// ‖μ_k‖ and ‖ν_k‖: the norms of a weight matrix's cosine and sine components at each
/// frequency k = 1, 2, … (index k − 1).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FourierNorms {
    pub cos: Vec<f64>,
    pub sin: Vec<f64>,
}

impl FourierNorms {
    fn largest(&self) -> f64 {
        self.cos.iter().chain(&self.sin).fold(0.0, |m, &v| m.max(v))
    }

    /// Each family with its rounding-level entries set to zero.
    fn cleaned(&self) -> (Vec<f64>, Vec<f64>) {
        let floor = ZERO * self.largest();
        let clean = |v: &[f64]| v.iter().map(|&x| if x <= floor { 0.0 } else { x }).collect();
        (clean(&self.cos), clean(&self.sin))
    }

    /// FFD(η): the share of the 2·⌊p/2⌋ components above η times their own family's largest.
    /// A family that is zero everywhere has no largest: it is flat, and every component of it
    /// counts (so one multiplicative circle, whose additive spectrum is flat in one family and
    /// empty in the other, has density 1, as its Gauss sums say).
    pub fn fourier_frequency_density(&self, eta: f64) -> f64 {
        let (cos, sin) = self.cleaned();
        let above = |family: &[f64]| {
            let max = family.iter().fold(0.0, |m: f64, &v| m.max(v));
            if max == 0.0 { family.len() } else { family.iter().filter(|&&v| v / max > eta).count() }
        };
        (above(&cos) + above(&sin)) as f64 / (cos.len() + sin.len()).max(1) as f64
    }

    /// FCR: the mean over frequencies of min(‖μ_k‖/‖ν_k‖, ‖ν_k‖/‖μ_k‖). The paper leaves 0/0 open: a
    /// frequency with neither component is balanced (1); with one only, 0.
    pub fn fourier_coefficient_ratio(&self) -> f64 {
        let (cos, sin) = self.cleaned();
        let ratio = |(c, s): (&f64, &f64)| if c.max(*s) == 0.0 { 1.0 } else { c.min(*s) / c.max(*s) };
        cos.iter().zip(&sin).map(ratio).sum::<f64>() / cos.len().max(1) as f64
    }

    /// The norm of each component, cosines and sines in turn: the p − 1 values Nanda et al.'s
    /// Gini coefficient runs over.
    pub fn components(&self) -> Vec<f64> {
        self.cos.iter().zip(&self.sin).flat_map(|(&c, &s)| [c, s]).collect()
    }

    /// √(‖μ_k‖² + ‖ν_k‖²) per frequency.
    pub fn per_frequency(&self) -> Vec<f64> {
        self.cos.iter().zip(&self.sin).map(|(c, s)| c.hypot(*s)).collect()
    }
}

/// The Gini coefficient of non-negative values: 0 when all are equal, (n − 1)/n when one holds
/// everything.
pub fn gini(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (n, total) = (sorted.len() as f64, sorted.iter().sum::<f64>());
    if total <= 0.0 {
        return 0.0;
    }
    sorted.iter().enumerate().map(|(i, x)| (2.0 * (i + 1) as f64 - n - 1.0) * x).sum::<f64>() / (n * total)
}

/// The smallest generator of (Z/pZ)*, for a prime p.
pub fn primitive_root(p: usize) -> Option<usize> {
    if p < 3 || !is_prime(p) {
        return None;
    }
    // The prime factors of p − 1: g generates when no g^((p−1)/q) is 1.
    let mut factors = Vec::new();
    let mut m = p - 1;
    let mut q = 2;
    while q * q <= m {
        if m.is_multiple_of(q) {
            factors.push(q);
            while m.is_multiple_of(q) {
                m /= q;
            }
        }
        q += 1;
    }
    if m > 1 {
        factors.push(m);
    }
    let power = |g: usize, e: usize| (0..e).fold(1, |x, _| x * g % p);
    (2..p).find(|&g| factors.iter().all(|&q| power(g, (p - 1) / q) != 1))
}

/// The numbers the notebook charts over training and `grokscope analyze` prints. Options are
/// absent where a measure does not apply: W_L and the neuron measures need a transformer's
/// MLP, the restricted loss an operation of a + b or a − b, the split a run of ours, the
/// multiplicative basis multiplication modulo a prime.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ProgressMeasures {
    /// FFD and FCR of W_E over the number tokens.
    pub ffd_we: f64,
    pub fcr_we: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ffd_wl: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fcr_wl: Option<f64>,
    /// Gini of the p − 1 component norms of W_E and of W_L.
    pub gini_we: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gini_wl: Option<f64>,
    /// W_E's key frequencies (`fourier::KEY_SHARE`), strongest first: what the restricted loss keeps.
    pub key_frequencies: Vec<usize>,
    /// Σ‖θ‖² over every parameter.
    pub weight_norm_sq: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted_loss_train: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted_loss_test: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted_loss_all: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excluded_loss_train: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excluded_loss_test: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excluded_loss_all: Option<f64>,
    /// Gini of W_E's per-frequency norms in the character basis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiplicative_gini_we: Option<f64>,
    /// Mean inverse participation ratio of the neurons' input spectra (1: one frequency each).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neuron_ipr: Option<f64>,
    /// Mean |sin(2φ − ψ)| over neurons: 0 when every neuron's output phase is twice its input's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase_misalignment: Option<f64>,
}

/// An evaluation as `metrics.jsonl` holds it: the snapshot and, at the same step, the progress
/// measures.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Evaluation {
    #[serde(flatten)]
    pub snapshot: Snapshot,
    #[serde(flatten)]
    pub progress: Option<ProgressMeasures>,
}

/// The spectra behind the measures, for the charts.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Spectra {
    /// W_E over the number tokens, additive basis.
    pub embedding: FourierNorms,
    /// W_L, additive basis (transformers).
    pub neuron_logit: Option<FourierNorms>,
    /// W_E in the character basis (multiplication modulo a prime).
    pub multiplicative: Option<FourierNorms>,
    /// Per neuron of the last block (transformers).
    pub neurons: Vec<NeuronFrequency>,
}

/// A neuron's input weights over the number tokens (W_in · W_E, the direct path) and output
/// weights over the answers (its column of W_L), in the additive basis.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct NeuronFrequency {
    /// k* = argmax_k √(c_k² + s_k²) of the input weights.
    pub frequency: usize,
    /// φ = atan2(−s, c) at k* of the input weights, and ψ the same of the output weights.
    pub input_phase: f64,
    pub output_phase: f64,
    /// Σ_k A_k⁴ / (Σ_k A_k²)² of the input spectrum.
    pub ipr: f64,
}

/// Everything this module measures about one model. `test_pairs` are the held-out pairs when
/// the split is known; the others are the training pairs.
pub async fn progress_measures(
    run: &RunConfig,
    weights: &Weights,
    test_pairs: Option<&[u32]>,
    device: &Device,
) -> Result<(ProgressMeasures, Spectra), Error> {
    let (mut measures, spectra) = fourier_measures(run, weights)?;
    let (task, p) = (&run.task, run.task.p);
    let (ModelConfig::Transformer(config), Some(sign)) = (&run.model, SumOrDifference::of(task.operation)) else {
        return Ok((measures, spectra));
    };
    let model = Model::from_weights(&run.model, p, weights, device)?;
    let (logits, neurons) = model.forward_with_neurons(Batch::all(task, &run.model, device).inputs);
    let neurons = neurons.expect("transformers have neurons");
    let [n_pairs, classes] = logits.dims();
    let d_mlp = neurons.dims()[1];
    let values = read_f32(vec![logits.reshape([n_pairs * classes]), neurons.reshape([n_pairs * d_mlp])]).await?;
    let as_matrix = |v: &[f32], cols: usize| Matrix { rows: n_pairs, cols, data: v.iter().map(|&x| x as f64).collect() };
    let circuit = KeyCircuit {
        task,
        sign,
        keys: &measures.key_frequencies,
        neurons: &as_matrix(&values[1], d_mlp),
        readout: &readout(config, weights)?,
        logits: &as_matrix(&values[0], classes),
    };
    let (restricted, excluded) = (circuit.restricted_logits(), circuit.excluded_logits());
    let all: Vec<u32> = (0..n_pairs as u32).collect();
    let answers = task.answers();
    let loss = |logits: &Matrix, pairs: &[u32]| cross_entropy(logits, &answers, pairs);
    measures.restricted_loss_all = Some(loss(&restricted, &all));
    measures.excluded_loss_all = Some(loss(&excluded, &all));
    if let Some(test) = test_pairs {
        let held_out: std::collections::BTreeSet<u32> = test.iter().copied().collect();
        let train: Vec<u32> = all.iter().copied().filter(|i| !held_out.contains(i)).collect();
        measures.restricted_loss_train = Some(loss(&restricted, &train));
        measures.restricted_loss_test = Some(loss(&restricted, test));
        measures.excluded_loss_train = Some(loss(&excluded, &train));
        measures.excluded_loss_test = Some(loss(&excluded, test));
    }
    Ok((measures, spectra))
}

/// `[d_mlp, vocab]`: each neuron of the last block's direct effect on each logit, W_outᵀ · W_U.
fn readout(config: &TransformerConfig, weights: &Weights) -> Result<Matrix, Error> {
    let mlp_out = BlockParameter::MlpOut.name(config.n_layers - 1);
    Ok(host_matrix(weights, &mlp_out)?.transpose().matmul(&host_matrix(weights, UNEMBED)?))
}

fn host_matrix(weights: &Weights, name: &str) -> Result<Matrix, Error> {
    weights.get(name).map(Matrix::from_host).ok_or_else(|| Error::MissingTensor(name.to_string()))
}

/// The measures that need only the weights, no forward pass (everything but the restricted and
/// excluded loss): cheap enough for the notebook's worker to compute at every update.
pub fn fourier_measures(run: &RunConfig, weights: &Weights) -> Result<(ProgressMeasures, Spectra), Error> {
    let task = &run.task;
    let p = task.p;
    let additive = FourierBasis::additive(p);
    let embedding = embedding_rows(&run.model, weights)?.top_rows(p); // [p, d_model], number tokens only
    let we = additive.norms(&embedding);
    let mut measures = ProgressMeasures {
        ffd_we: we.fourier_frequency_density(DENSITY_THRESHOLD),
        fcr_we: we.fourier_coefficient_ratio(),
        gini_we: gini(&we.components()),
        key_frequencies: spectrum(&embedding, p).key_frequencies,
        weight_norm_sq: weights.squared_norm(),
        ..Default::default()
    };
    // The embedding is shared by a mixture's operations: one multiplicative operation among them
    // makes the character basis worth reading for all.
    let multiplicative =
        task.operations().any(Operation::is_multiplicative).then(|| FourierBasis::multiplicative(p)).flatten().map(|basis| {
            let rows = Matrix::from_fn(p, embedding.cols, |t, c| if basis.positions()[t].is_some() { embedding.get(t, c) } else { 0.0 });
            basis.norms(&rows)
        });
    measures.multiplicative_gini_we = multiplicative.as_ref().map(|m| gini(&m.per_frequency()));
    let mut spectra = Spectra { embedding: we, neuron_logit: None, multiplicative, neurons: Vec::new() };

    let ModelConfig::Transformer(config) = &run.model else { return Ok((measures, spectra)) };
    let w_in = host_matrix(weights, &BlockParameter::MlpIn.name(config.n_layers - 1))?; // [d_mlp, d_model]
    let neuron_logit = readout(config, weights)?.transpose().top_rows(p); // W_L = W_U[:, :p]ᵀ · W_out, [p, d_mlp]
    let wl = additive.norms(&neuron_logit);
    measures.ffd_wl = Some(wl.fourier_frequency_density(DENSITY_THRESHOLD));
    measures.fcr_wl = Some(wl.fourier_coefficient_ratio());
    measures.gini_wl = Some(gini(&wl.components()));
    spectra.neuron_logit = Some(wl);

    let inputs = host_matrix(weights, EMBED)?.transpose().top_rows(p).matmul(&w_in.transpose()); // [p, d_mlp]
    spectra.neurons = neuron_frequencies(&additive, &inputs, &neuron_logit);
    let n = spectra.neurons.len().max(1) as f64;
    measures.neuron_ipr = Some(spectra.neurons.iter().map(|f| f.ipr).sum::<f64>() / n);
    measures.phase_misalignment = Some(spectra.neurons.iter().map(|f| (2.0 * f.input_phase - f.output_phase).sin().abs()).sum::<f64>() / n);
    Ok((measures, spectra))
}

fn neuron_frequencies(basis: &FourierBasis, inputs: &Matrix, outputs: &Matrix) -> Vec<NeuronFrequency> {
    (0..inputs.cols)
        .map(|n| {
            let input = basis.coefficients(&inputs.column(n));
            let output = basis.coefficients(&outputs.column(n));
            let power: Vec<f64> = input.iter().map(|(c, s)| c * c + s * s).collect();
            let k = (0..power.len()).fold(0, |best, k| if power[k] > power[best] { k } else { best });
            let total: f64 = power.iter().sum();
            let phase = |(c, s): (f64, f64)| (-s).atan2(c);
            NeuronFrequency {
                frequency: k + 1,
                input_phase: phase(input[k]),
                output_phase: phase(output[k]),
                ipr: if total > 0.0 { power.iter().map(|a| a * a).sum::<f64>() / (total * total) } else { 0.0 },
            }
        })
        .collect()
}

/// The operations whose answer is a function of a + b (or of a − b): the frequencies of
/// Nanda's restricted loss are those of that sum.
#[derive(Clone, Copy, Debug, PartialEq)]
enum SumOrDifference {
    Sum,
    Difference,
}

impl SumOrDifference {
    fn of(operation: Operation) -> Option<Self> {
        match operation {
            Operation::Add => Some(SumOrDifference::Sum),
            Operation::Subtract => Some(SumOrDifference::Difference),
            _ => None,
        }
    }
}

/// Nanda et al.'s split of the last block's neurons on every pair into the part that varies
/// with the key frequencies of a ± b and the rest.
struct KeyCircuit<'a> {
    task: &'a Task,
    sign: SumOrDifference,
    keys: &'a [usize],
    /// `[p², d_mlp]` after the activation, at the readout position.
    neurons: &'a Matrix,
    /// `[d_mlp, classes]`: W_outᵀ · W_U.
    readout: &'a Matrix,
    /// `[p², classes]`: the model's own.
    logits: &'a Matrix,
}

impl KeyCircuit<'_> {
    /// s = a ± b mod p of each pair.
    fn sums(&self) -> Vec<usize> {
        let p = self.task.p;
        (0..self.task.num_pairs())
            .map(|i| {
                let (a, b) = self.task.pair(i);
                match self.sign {
                    SumOrDifference::Sum => (a as usize + b as usize) % p,
                    SumOrDifference::Difference => (a as usize + p - b as usize) % p,
                }
            })
            .collect()
    }

    /// The key-frequency part of the neurons' effect on the logits, per value of s: `[p, classes]`.
    /// Each neuron is projected onto cos(2πks/p) and sin(2πks/p), unit-normed over the p² grid.
    fn key_logits(&self) -> Matrix {
        let p = self.task.p;
        let sums = self.sums();
        // Per neuron, the sum of its activations over the pairs with each s: `[p, d_mlp]`.
        let mut by_sum = Matrix::zeros(p, self.neurons.cols);
        for (i, &s) in sums.iter().enumerate() {
            for (n, &v) in self.neurons.row(i).iter().enumerate() {
                by_sum.data[s * self.neurons.cols + n] += v;
            }
        }
        // Rows of the (a ± b) basis on the grid are those of the p-point basis, repeated p
        // times along the other operand: scaled by 1/√p they have unit norm over p² pairs.
        let basis = FourierBasis::additive(p);
        let mut projection = Matrix::zeros(p, self.neurons.cols); // [p, d_mlp]
        for &k in self.keys {
            for row in [&basis.cos[k - 1], &basis.sin[k - 1]] {
                for n in 0..self.neurons.cols {
                    let coefficient = (0..p).map(|s| row[s] * by_sum.get(s, n)).sum::<f64>() / (p as f64).sqrt();
                    for s in 0..p {
                        projection.data[s * self.neurons.cols + n] += coefficient * row[s] / (p as f64).sqrt();
                    }
                }
            }
        }
        projection.matmul(self.readout)
    }

    /// The logits of the neurons' mean plus their key-frequency part, shifted to the true
    /// logits' mean per class.
    fn restricted_logits(&self) -> Matrix {
        let key = self.key_logits();
        let sums = self.sums();
        let mean = self.class_means();
        Matrix::from_fn(self.logits.rows, self.logits.cols, |i, c| key.get(sums[i], c) + mean[c])
    }

    /// The true logits with the key-frequency part taken out.
    fn excluded_logits(&self) -> Matrix {
        let key = self.key_logits();
        let sums = self.sums();
        Matrix::from_fn(self.logits.rows, self.logits.cols, |i, c| self.logits.get(i, c) - key.get(sums[i], c))
    }

    fn class_means(&self) -> Vec<f64> {
        (0..self.logits.cols).map(|c| self.logits.column(c).iter().sum::<f64>() / self.logits.rows as f64).collect()
    }
}

/// Mean cross-entropy over `pairs`, in double precision.
fn cross_entropy(logits: &Matrix, answers: &[u32], pairs: &[u32]) -> f64 {
    let total: f64 = pairs
        .iter()
        .map(|&i| {
            let row = logits.row(i as usize);
            let max = row.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
            let log_sum = max + row.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
            log_sum - row[answers[i as usize] as usize]
        })
        .sum();
    total / pairs.len().max(1) as f64
}

/// When training accuracy and test accuracy first reach [`STAGE_ACCURACY`]: the end of
/// memorisation and of generalisation.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Default)]
pub struct Stages {
    pub memorised: Option<usize>,
    pub generalised: Option<usize>,
}

impl Stages {
    pub fn of(curve: &[Snapshot]) -> Self {
        let first = |acc: fn(&Snapshot) -> f64| curve.iter().find(|s| acc(s) >= STAGE_ACCURACY).map(|s| s.step);
        Stages { memorised: first(|s| s.train_acc), generalised: first(|s| s.test_acc) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use grokscope_core::rng::{HostRng, Stream};

    const P: usize = 31;

    fn angle(k: usize, t: usize, period: usize) -> f64 {
        2.0 * PI * (k * t % period) as f64 / period as f64
    }

    #[test]
    fn the_basis_is_orthonormal() {
        let basis = FourierBasis::additive(P);
        let rows: Vec<&Vec<f64>> = basis.cos.iter().chain(&basis.sin).collect();
        assert_eq!(rows.len(), P - 1);
        for (i, a) in rows.iter().enumerate() {
            for (j, b) in rows.iter().enumerate() {
                let dot: f64 = a.iter().zip(b.iter()).map(|(x, y)| x * y).sum();
                assert!((dot - (i == j) as u8 as f64).abs() < 1e-12, "rows {i}, {j}: {dot}");
            }
            assert!(a.iter().sum::<f64>().abs() < 1e-12, "orthogonal to the constant");
        }
    }

    #[test]
    fn one_additive_circle_is_as_sparse_as_can_be() {
        let circle = Matrix::from_fn(P, 2, |t, c| if c == 0 { angle(5, t, P).cos() } else { angle(5, t, P).sin() });
        let norms = FourierBasis::additive(P).norms(&circle);
        assert!((norms.fourier_frequency_density(DENSITY_THRESHOLD) - 2.0 / (P - 1) as f64).abs() < 1e-12);
        assert!((norms.fourier_coefficient_ratio() - 1.0).abs() < 1e-12);
        // Two equal components of p − 1: Gini 1 − 2/(p − 1).
        assert!((gini(&norms.components()) - (1.0 - 2.0 / (P - 1) as f64)).abs() < 1e-12);
    }

    #[test]
    fn gaussian_init_is_dense() {
        let mut rng = HostRng::new(0, Stream::Init);
        let d_model = 128;
        let w = Matrix::from_fn(97, d_model, |_, _| 0.0);
        let w = Matrix { data: w.data.iter().map(|_| rng.normal()).collect(), ..w };
        let norms = FourierBasis::additive(97).norms(&w);
        let ffd = norms.fourier_frequency_density(DENSITY_THRESHOLD);
        assert!(ffd > 0.95, "FFD at init {ffd}");
        assert!(norms.fourier_coefficient_ratio() > 0.85);
        assert!(gini(&norms.components()) < 0.1);
    }

    #[test]
    fn a_multiplicative_circle_is_flat_additively_and_sparse_in_characters() {
        let basis = FourierBasis::multiplicative(P).expect("31 is prime");
        for k in [1, 4] {
            // cos and sin of 2πk·ind(a)/(p − 1); 0 has no logarithm and sits at the origin.
            let circle = Matrix::from_fn(P, 2, |t, c| match basis.positions()[t] {
                Some(i) if c == 0 => angle(k, i, P - 1).cos(),
                Some(i) => angle(k, i, P - 1).sin(),
                None => 0.0,
            });
            let additive = FourierBasis::additive(P).norms(&circle);
            let spread = additive.per_frequency();
            let (lo, hi) = spread.iter().fold((f64::MAX, 0.0f64), |(lo, hi), &v| (lo.min(v), hi.max(v)));
            assert!(hi - lo < 1e-9 * hi, "a Gauss sum has one modulus at every frequency: {spread:?}");
            assert_eq!(additive.fourier_frequency_density(DENSITY_THRESHOLD), 1.0);
            // Even characters are cosines additively, odd ones sines: a one-sided ratio.
            assert!(additive.fourier_coefficient_ratio() < 1e-9);
            let characters = basis.norms(&circle).per_frequency();
            let n = characters.len() as f64;
            assert!((gini(&characters) - (n - 1.0) / n).abs() < 1e-12, "one character: {characters:?}");
        }
    }

    #[test]
    fn gini_of_uniform_and_one_hot() {
        assert_eq!(gini(&[2.0; 10]), 0.0);
        let mut one_hot = [0.0; 10];
        one_hot[3] = 5.0;
        assert!((gini(&one_hot) - 0.9).abs() < 1e-12);
    }

    #[test]
    fn primitive_roots() {
        assert_eq!(primitive_root(31), Some(3));
        assert_eq!(primitive_root(113), Some(3));
        assert_eq!(primitive_root(59), Some(2));
        assert_eq!(primitive_root(33), None);
    }

    /// Neurons that vary only at the key frequencies of a + b, read out linearly: restricting to
    /// the key frequencies changes nothing, excluding them leaves constant logits.
    #[test]
    fn the_restricted_loss_of_a_key_frequency_model_is_its_loss() {
        let task = Task::new(Operation::Add, P);
        let keys = [3, 7];
        let d_mlp = 6;
        let neurons = Matrix::from_fn(P * P, d_mlp, |i, n| {
            let (a, b) = task.pair(i);
            let s = (a + b) as usize % P;
            0.4 + (n as f64 + 1.0) * angle(keys[n % 2], s, P).cos() + 0.5 * angle(keys[(n + 1) % 2], s, P).sin()
        });
        let readout = Matrix::from_fn(d_mlp, P, |n, c| ((n * 7 + c * 3) % 11) as f64 / 5.0 - 1.0);
        let bias = |c: usize| (c % 4) as f64;
        let product = neurons.matmul(&readout);
        let logits = Matrix::from_fn(P * P, P, |i, c| product.get(i, c) + bias(c));
        let circuit =
            KeyCircuit { task: &task, sign: SumOrDifference::Sum, keys: &keys, neurons: &neurons, readout: &readout, logits: &logits };
        let all: Vec<u32> = (0..(P * P) as u32).collect();
        let answers = task.answers();
        let loss = cross_entropy(&logits, &answers, &all);
        let restricted = cross_entropy(&circuit.restricted_logits(), &answers, &all);
        assert!((restricted - loss).abs() < 1e-9, "restricted {restricted} against {loss}");
        let constant = |logits: &Matrix| (0..P).all(|c| logits.column(c).iter().all(|v| (v - logits.get(0, c)).abs() < 1e-9));
        assert!(constant(&circuit.excluded_logits()), "without its key frequencies nothing varies");
        // Restricting to other frequencies keeps only the class means.
        assert!(constant(&KeyCircuit { keys: &[5], ..circuit }.restricted_logits()));
    }

    #[test]
    fn stages_are_first_crossings() {
        let at = |step, train_acc, test_acc| Snapshot {
            step,
            train_loss: 0.0,
            train_acc,
            test_loss: 0.0,
            test_acc,
            all_acc: 0.0,
            ..Default::default()
        };
        let curve = [at(0, 0.1, 0.0), at(10, 0.96, 0.1), at(20, 0.9, 0.5), at(30, 1.0, 0.97)];
        assert_eq!(Stages::of(&curve), Stages { memorised: Some(10), generalised: Some(30) });
        assert_eq!(Stages::of(&curve[..2]).generalised, None);
    }
}
