//! The 2026 reading of the same models (docs/science.md §10): what shape the first
//! layer's neurons trace over the p² pairs, a **disc**, a **torus** or a **circle**
//! (Moisescu-Pareja, McCracken et al., ICLR 2026, "MAN"), how well each neuron is the simple
//! neuron cos(θ_f a + φ_L) + cos(θ_f b + φ_R) (McCracken et al., NeurIPS 2025, "ACRT"), where
//! each neuron peaks (the phase alignment distribution, PAD), and which part of the neurons the
//! model needs: its accuracy with every live neuron replaced by parts of itself.
//!
//! The neuron grid N_i(a, b) is neuron i's preactivation on the pair (a, b): for a transformer
//! at the last position of its (only) block, for an MLP-only model its first hidden layer.
//! Everything here is on host copies of the grids but the model's layers after the neurons,
//! which run on the device from the replaced neurons (the model's own activation and readout).

use std::collections::BTreeMap;
use std::f64::consts::PI;

use burn::prelude::*;
use burn::tensor::TensorData;
use grokscope_core::data::Batch;
use grokscope_core::model::{Activation, MlpOnly};
use grokscope_core::read::read_f32;
use grokscope_core::rng::{HostRng, Stream};
use grokscope_core::weights::Weights;
use grokscope_core::{Error, Model, ModelConfig, Operation, RunConfig};
use serde::{Deserialize, Serialize};

use crate::logits::LogitTable;
use crate::matrix::Matrix;

/// A neuron whose preactivation never exceeds this is dead and left out everywhere.
pub const DEAD: f64 = 0.01;
/// Clusters of fewer neurons are skipped (docs/science.md §10): one neuron traces no manifold.
pub const MIN_CLUSTER: usize = 2;
/// Label permutations of the MMD's p-value: p-values in steps of 1/1000.
pub const PERMUTATIONS: usize = 999;

/// Linear CKA against the three reference manifolds at a cluster's frequency f (docs/science.md §10):
/// the disc (cos θ_a + cos θ_b, sin θ_a + sin θ_b), the torus (cos θ_a, sin θ_a, cos θ_b, sin θ_b)
/// and the circle (cos θ_(a+b), sin θ_(a+b)).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Default)]
pub struct Cka {
    pub disc: f64,
    pub torus: f64,
    pub circle: f64,
}

/// One frequency cluster: the live neurons whose dominant frequency is `frequency`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Cluster {
    pub frequency: usize,
    pub neurons: usize,
    pub r2_first_mean: f64,
    /// Of the cluster's preactivations, `[p², neurons]`.
    pub cka_first_layer: Cka,
    /// Of the cluster's contribution to the number tokens' logits, `[p², p]`.
    pub cka_logits: Cka,
}

/// Means over the live neurons of ACRT's fit (docs/science.md §10).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct SimpleNeuron {
    pub r2_first_mean: f64,
    pub r2_additive_mean: f64,
    /// R²_second at each neuron's own frequency: the (a + b) term a Clock's product makes.
    pub r2_second_mean: f64,
    /// |mean_i e^{i(φ_L,i − φ_R,i)}|: 1 when every neuron's two phases agree.
    pub phase_locking: f64,
}

/// A phase alignment distribution in numbers (docs/science.md §10).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct PadSummary {
    /// P(Δ = 0): the neurons that peak on the diagonal, locked phases (a disc).
    pub diagonal_fraction: f64,
    /// P(Δ ≤ 1).
    pub within_one: f64,
    pub mean_torus_distance: f64,
}

/// Accuracy over all pairs with every live neuron's preactivation replaced (docs/science.md §10).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct ReplacedAccuracy {
    /// By its first-order fit N̄ + A_L cos(θ_f a + φ_L) + A_R cos(θ_f b + φ_R).
    pub first_order: f64,
    /// By its additive projection r(a) + c(b) − N̄.
    pub additive: f64,
    /// By its first-order fit plus its non-additive residual N − (r(a) + c(b) − N̄).
    pub first_order_plus_residual: f64,
}

/// The `manifold` block of `grokscope analyze` (names fixed: other tools read them).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Manifold {
    /// Neuron-weighted means over the clusters (docs/science.md §10's *choice*).
    pub cka_first_layer: Cka,
    pub cka_logits: Cka,
    pub clusters: Vec<Cluster>,
    pub simple_neuron: SimpleNeuron,
    /// The normalised-centroid estimator.
    pub pad: PadSummary,
    /// MAN's argmax in raw token coordinates.
    pub pad_argmax: PadSummary,
    pub replaced_accuracy: ReplacedAccuracy,
}

impl Manifold {
    /// The 2026 reading in words, with its numbers: the shape of the first layer and of the
    /// logits (the reference each is most alike), and how much of `accuracy` (the model's own,
    /// over all pairs) each replacement of the neurons keeps: the test the dispute turns on.
    pub fn in_words(&self, accuracy: f64) -> String {
        let shape = |c: &Cka| {
            let (name, value) = [("a disc", c.disc), ("a torus", c.torus), ("a circle", c.circle)]
                .into_iter()
                .fold(("none", f64::MIN), |best, (n, v)| if v > best.1 { (n, v) } else { best });
            format!("{name} (CKA {value:.3}; disc {:.3}, torus {:.3}, circle {:.3})", c.disc, c.torus, c.circle)
        };
        let r = &self.replaced_accuracy;
        let kept = |x: f64| 100.0 * x / accuracy.max(f64::MIN_POSITIVE);
        let settled = if kept(r.first_order) >= 99.0 {
            "the simple fits are the whole story for this model"
        } else if kept(r.first_order_plus_residual) >= 99.0 {
            "the small non-additive part of its neurons does real work"
        } else if kept(r.additive) >= 99.0 {
            "its neurons are additive, but need more than their one frequency (their harmonics)"
        } else {
            "neither the simple fits nor their non-additive part explain it alone"
        };
        format!(
            "First layer: {}. Logits: {}. With every live neuron replaced by its simple fit the model keeps {:.1} % of its \
             answers, by its additive part {:.1} %, by its simple fit plus its non-additive part {:.1} %: {settled}.",
            shape(&self.cka_first_layer),
            shape(&self.cka_logits),
            kept(r.first_order),
            kept(r.additive),
            kept(r.first_order_plus_residual),
        )
    }
}

/// One live neuron's fit: the table behind the means, the PAD and the R² histograms.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct NeuronFit {
    /// Its index among the layer's neurons.
    pub neuron: usize,
    /// f = argmax_k |R_k|² + |C_k|² (the equal-frequency fit), and the argmax of each apart.
    pub frequency: usize,
    pub frequency_a: usize,
    pub frequency_b: usize,
    /// N̄, the mean over the grid.
    pub mean: f64,
    /// A_L, φ_L of a at f; A_R, φ_R of b.
    pub amplitude_a: f64,
    pub phase_a: f64,
    pub amplitude_b: f64,
    pub phase_b: f64,
    pub r2_first: f64,
    pub r2_additive: f64,
    /// R²_second at f, and the largest over all frequencies with its frequency.
    pub r2_second: f64,
    pub r2_second_best: f64,
    pub second_best_frequency: usize,
    /// Where it peaks: (u_a, u_b) by the normalised centroid, (a, b) by the argmax.
    pub peak: [usize; 2],
    pub peak_argmax: [usize; 2],
}

/// The two PAD estimators of docs/science.md §10.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Estimator {
    /// u = arg(Σ σ(N) e^{iθ_f a})·p/2π: the peak phase in frequency-normalised coordinates.
    Centroid,
    /// The pair where the preactivation is largest, in raw token coordinates (MAN's).
    Argmax,
}

/// The peaks of a model's live neurons by one estimator, on the p × p grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Pad {
    pub p: usize,
    pub points: Vec<[usize; 2]>,
}

impl Pad {
    pub fn of(neurons: &[NeuronFit], estimator: Estimator, p: usize) -> Pad {
        let point = |n: &NeuronFit| match estimator {
            Estimator::Centroid => n.peak,
            Estimator::Argmax => n.peak_argmax,
        };
        Pad { p, points: neurons.iter().map(point).collect() }
    }

    /// How many neurons peak at each torus distance Δ = 0..=⌊p/2⌋.
    pub fn histogram(&self) -> Vec<usize> {
        let mut counts = vec![0; self.p / 2 + 1];
        for &[a, b] in &self.points {
            counts[torus_distance(a, b, self.p)] += 1;
        }
        counts
    }

    /// How many neurons peak at each cell, `counts[a * p + b]`: the heatmap.
    pub fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.p * self.p];
        for &[a, b] in &self.points {
            counts[a * self.p + b] += 1;
        }
        counts
    }

    pub fn summary(&self) -> PadSummary {
        let n = self.points.len().max(1) as f64;
        let histogram = self.histogram();
        PadSummary {
            diagonal_fraction: histogram[0] as f64 / n,
            within_one: histogram.iter().take(2).sum::<usize>() as f64 / n,
            mean_torus_distance: histogram.iter().enumerate().map(|(d, &c)| (d * c) as f64).sum::<f64>() / n,
        }
    }
}

/// Δ = min(|a − b| mod p, p − |a − b| mod p).
pub fn torus_distance(a: usize, b: usize, p: usize) -> usize {
    let d = a.abs_diff(b) % p;
    d.min(p - d)
}

/// The MMD between two PADs and its permutation p-value (docs/science.md §10).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct PadMmd {
    /// √max(MMD², 0) between the two PADs' distributions over the grid: the population MMD of
    /// the two histograms, which MAN's 8,000-draw estimate has for expectation.
    pub mmd: f64,
    /// (1 + permutations at least as large) / (1 + permutations), neurons' labels permuted.
    pub p_value: f64,
    /// σ of the Gaussian kernel: √(0.5 · median ‖z − z′‖²) over the pooled points.
    pub bandwidth: f64,
    pub permutations: usize,
}

/// The MMD between the PADs `x` and `y` (points on the same grid), Gaussian kernel on Euclidean
/// (a, b) without wrap-around (MAN's choice), with a p-value from `permutations` label
/// permutations drawn from `seed`.
pub fn pad_mmd(x: &Pad, y: &Pad, permutations: usize, seed: u64) -> PadMmd {
    assert!(!x.points.is_empty() && !y.points.is_empty(), "an MMD needs points on both sides");
    let pooled: Vec<[usize; 2]> = x.points.iter().chain(&y.points).copied().collect();
    let squared = |u: [usize; 2], v: [usize; 2]| (u[0] as f64 - v[0] as f64).powi(2) + (u[1] as f64 - v[1] as f64).powi(2);
    let mut distances: Vec<f64> =
        (0..pooled.len()).flat_map(|i| (i + 1..pooled.len()).map(move |j| (i, j))).map(|(i, j)| squared(pooled[i], pooled[j])).collect();
    let median = if distances.is_empty() {
        0.0
    } else {
        let mid = distances.len() / 2;
        *distances.select_nth_unstable_by(mid, f64::total_cmp).1
    };
    // Half the pooled points on one cell makes the median 0: one grid step is then the scale.
    let bandwidth = if median > 0.0 { (0.5 * median).sqrt() } else { 1.0 };
    // The kernel depends on the cell only: work on the distinct cells, each neuron a weight on its own.
    let cells: Vec<[usize; 2]> = pooled.iter().copied().collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let cell_of: Vec<usize> = pooled.iter().map(|u| cells.binary_search(u).expect("every point is a cell")).collect();
    let kernel: Vec<f64> =
        cells.iter().flat_map(|&u| cells.iter().map(move |&v| (-squared(u, v) / (2.0 * bandwidth * bandwidth)).exp())).collect();
    let (n, m) = (x.points.len(), y.points.len());
    // MMD² = wᵀKw with w = (histogram of x) − (histogram of y), each normalised.
    let statistic = |first: &[usize]| {
        let mut w = vec![0.0; cells.len()];
        for (rank, &i) in first.iter().enumerate() {
            w[cell_of[i]] += if rank < n { 1.0 / n as f64 } else { -1.0 / m as f64 };
        }
        let c = cells.len();
        (0..c).map(|i| w[i] * (0..c).map(|j| kernel[i * c + j] * w[j]).sum::<f64>()).sum::<f64>()
    };
    let mut order: Vec<usize> = (0..n + m).collect();
    let observed = statistic(&order);
    let mut rng = HostRng::new(seed, Stream::Permutation);
    let mut at_least = 0;
    for _ in 0..permutations {
        rng.shuffle(&mut order);
        // A tie within rounding counts as at least as large.
        at_least += (statistic(&order) >= observed - 1e-12 * observed.abs()) as usize;
    }
    PadMmd { mmd: observed.max(0.0).sqrt(), p_value: (1 + at_least) as f64 / (1 + permutations) as f64, bandwidth, permutations }
}

/// Linear CKA of two representations of the same inputs (rows), Kornblith et al. 2019: columns
/// centred over the rows, ‖Yᵀ X‖²_F / (‖Xᵀ X‖_F ‖Yᵀ Y‖_F). 0 where either is constant.
pub fn linear_cka(x: &Matrix, y: &Matrix) -> f64 {
    assert_eq!(x.rows, y.rows, "one row per input in both");
    let (x, y) = (centred(x), centred(y));
    // ‖·‖²_F.
    let frobenius = |m: &Matrix| m.data.iter().map(|v| v * v).sum::<f64>();
    let cross = frobenius(&y.transpose().matmul(&x));
    let norms = (frobenius(&x.gram_of_columns()) * frobenius(&y.gram_of_columns())).sqrt();
    if norms > 0.0 { cross / norms } else { 0.0 }
}

fn centred(m: &Matrix) -> Matrix {
    let means: Vec<f64> = (0..m.cols).map(|c| (0..m.rows).map(|r| m.get(r, c)).sum::<f64>() / m.rows as f64).collect();
    Matrix::from_fn(m.rows, m.cols, |r, c| m.get(r, c) - means[c])
}

/// The three references at frequency f over the p² pairs (row a·p + b).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reference {
    Disc,
    Torus,
    Circle,
}

impl Reference {
    pub fn matrix(self, p: usize, f: usize) -> Matrix {
        let angle = |t: usize| 2.0 * PI * ((f * t) % p) as f64 / p as f64;
        let cols = if self == Reference::Torus { 4 } else { 2 };
        Matrix::from_fn(p * p, cols, |i, c| {
            let (a, b) = (angle(i / p), angle(i % p));
            match (self, c) {
                (Reference::Disc, 0) => a.cos() + b.cos(),
                (Reference::Disc, _) => a.sin() + b.sin(),
                (Reference::Torus, 0) => a.cos(),
                (Reference::Torus, 1) => a.sin(),
                (Reference::Torus, 2) => b.cos(),
                (Reference::Torus, _) => b.sin(),
                (Reference::Circle, 0) => angle(i / p + i % p).cos(),
                (Reference::Circle, _) => angle(i / p + i % p).sin(),
            }
        })
    }

    /// CKA of `x` against the three references at frequency f.
    pub fn all(x: &Matrix, p: usize, f: usize) -> Cka {
        let cka = |r: Reference| linear_cka(x, &r.matrix(p, f));
        Cka { disc: cka(Reference::Disc), torus: cka(Reference::Torus), circle: cka(Reference::Circle) }
    }
}

/// ACRT's fit of one neuron grid `grid[a·p + b]` (docs/science.md §10). On the full grid the constant
/// and the cos/sin of θ_k a, θ_k b and θ_k (a + b) are mutually orthogonal, so every least
/// squares fit here is a projection, read off the DFTs of the row means, the column means and
/// the sums along a + b. Frequencies run over 1..=(p − 1)/2: for an even p the Nyquist term
/// would need other factors, and the paper's p are prime.
pub fn fit_neuron(grid: &[f64], activated: &[f64], p: usize, neuron: usize) -> NeuronFit {
    let pf = p as f64;
    let mean = grid.iter().sum::<f64>() / (pf * pf);
    let rows: Vec<f64> = (0..p).map(|a| grid[a * p..(a + 1) * p].iter().sum::<f64>() / pf).collect();
    let cols: Vec<f64> = (0..p).map(|b| (0..p).map(|a| grid[a * p + b]).sum::<f64>() / pf).collect();
    let mut sums = vec![0.0; p];
    for (i, &v) in grid.iter().enumerate() {
        sums[(i / p + i % p) % p] += v;
    }
    let ss_total: f64 = grid.iter().map(|v| (v - mean).powi(2)).sum();
    let share = |ss: f64| if ss_total > 0.0 { ss / ss_total } else { 0.0 };
    let frequencies = 1..=(p - 1) / 2;
    let (row_dft, col_dft, sum_dft) = (dft(&rows, p), dft(&cols, p), dft(&sums, p));
    let power = |z: (f64, f64)| z.0 * z.0 + z.1 * z.1;
    let argmax = |score: &dyn Fn(usize) -> f64| frequencies.clone().fold(1, |best, k| if score(k) > score(best) { k } else { best });
    let frequency = argmax(&|k| power(row_dft[k]) + power(col_dft[k]));
    let second = |k: usize| share(2.0 * power(sum_dft[k]) / (pf * pf));
    let best_second = argmax(&second);
    let (r, c) = (row_dft[frequency], col_dft[frequency]);
    let additive = pf * (rows.iter().map(|v| (v - mean).powi(2)).sum::<f64>() + cols.iter().map(|v| (v - mean).powi(2)).sum::<f64>());
    // The peak by the argmax: the first largest in pair order.
    let top = (0..grid.len()).fold(0, |best, i| if grid[i] > grid[best] { i } else { best });
    NeuronFit {
        neuron,
        frequency,
        frequency_a: argmax(&|k| power(row_dft[k])),
        frequency_b: argmax(&|k| power(col_dft[k])),
        mean,
        amplitude_a: 2.0 * power(r).sqrt() / pf,
        phase_a: r.1.atan2(r.0),
        amplitude_b: 2.0 * power(c).sqrt() / pf,
        phase_b: c.1.atan2(c.0),
        r2_first: share(2.0 * (power(r) + power(c))),
        r2_additive: share(additive),
        r2_second: second(frequency),
        r2_second_best: second(best_second),
        second_best_frequency: best_second,
        peak: centroid_peak(activated, p, frequency),
        peak_argmax: [top / p, top % p],
    }
}

/// (Re, Im) of Σ_t x(t) e^{−2πikt/p} for every k in 0..p.
fn dft(x: &[f64], p: usize) -> Vec<(f64, f64)> {
    (0..p)
        .map(|k| {
            x.iter().enumerate().fold((0.0, 0.0), |(re, im), (t, &v)| {
                let angle = 2.0 * PI * ((k * t) % p) as f64 / p as f64;
                (re + v * angle.cos(), im - v * angle.sin())
            })
        })
        .collect()
}

/// The corrected centroid (docs/science.md §10): u_a = arg(Σ σ(N(a,b)) e^{2πi f a/p})·p/2π mod p, rounded
/// (and u_b), exactly the peak phase of a simple neuron in frequency-normalised coordinates.
/// (The lineage code's centroid weights |N| and places a at f⁻¹·a: degenerate off the diagonal.)
fn centroid_peak(activated: &[f64], p: usize, f: usize) -> [usize; 2] {
    let coordinate = |of: &dyn Fn(usize) -> usize| {
        let (mut re, mut im) = (0.0, 0.0);
        for (i, &v) in activated.iter().enumerate() {
            let angle = 2.0 * PI * ((f * of(i)) % p) as f64 / p as f64;
            re += v * angle.cos();
            im += v * angle.sin();
        }
        let u = im.atan2(re) * p as f64 / (2.0 * PI);
        (u.round() as i64).rem_euclid(p as i64) as usize
    };
    [coordinate(&|i| i / p), coordinate(&|i| i % p)]
}

/// Everything in this module for one model, and the per-neuron table; `None` where the measures
/// do not apply:
/// - an operation other than a + b: the references and the fit are functions of a + b's circle;
/// - a transformer of more than one block: the neurons read are the last block's, and the first
///   block's reach the logits through later attention over every position, which the model
///   runs with no way to replace one position's neurons; the paper's models have one block;
/// - a model without live neurons, or whose live neurons share no frequency: no cluster.
pub async fn manifold(run: &RunConfig, weights: &Weights, device: &Device) -> Result<Option<(Manifold, Vec<NeuronFit>)>, Error> {
    let task = &run.task;
    let p = task.p;
    let activation = match &run.model {
        _ if task.operation != Operation::Add || task.num_pairs() != p * p => return Ok(None),
        ModelConfig::Transformer(c) if c.n_layers != 1 => return Ok(None),
        ModelConfig::Transformer(c) => c.activation,
        // train-linear.py's models are ReLU throughout.
        ModelConfig::MlpOnly(_) => Activation::ReLU,
    };
    let model = Model::from_weights(&run.model, p, weights, device)?;
    let (logits, preactivations) = model.forward_with_preactivations(Batch::all(task, &run.model, device).inputs);
    let Some(preactivations) = preactivations else { return Ok(None) };
    let activated = activation.apply(preactivations.clone());
    let [pairs, width] = preactivations.dims();
    let readout = Readout::of(&model, logits, activated.clone());
    let values = read_f32(vec![preactivations, activated.clone()]).await?;
    let as_matrix = |v: &[f32]| Matrix { rows: pairs, cols: width, data: v.iter().map(|&x| x as f64).collect() };
    let (grid, active) = (as_matrix(&values[0]), as_matrix(&values[1]));

    let fits: Vec<NeuronFit> = (0..width)
        .map(|n| (n, grid.column(n)))
        .filter(|(_, g)| g.iter().any(|&v| v >= DEAD))
        .map(|(n, g)| fit_neuron(&g, &active.column(n), p, n))
        .collect();
    let mut by_frequency: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for fit in &fits {
        by_frequency.entry(fit.frequency).or_default().push(fit.neuron);
    }
    by_frequency.retain(|_, neurons| neurons.len() >= MIN_CLUSTER);
    if by_frequency.is_empty() {
        return Ok(None);
    }

    // The device work, read back at once: each cluster's logit contribution and the model
    // with its neurons replaced three ways.
    let mut outputs: Vec<Tensor<2>> =
        by_frequency.values().map(|neurons| readout.cluster(&activated, neurons, width).narrow(1, 0, p)).collect();
    let replacements = Replacement::ALL.map(|r| r.apply(&grid, &fits, p));
    outputs.extend(replacements.iter().map(|g| readout.logits(activation.apply(to_device(g, device)))));
    let mut read = read_f32(outputs).await?;
    let replaced: Vec<Vec<f32>> = read.split_off(by_frequency.len());
    let classes = replaced[0].len() / pairs;
    let accuracy = |values: Vec<f32>| LogitTable { classes, values }.accuracy(task, 0..pairs);
    let [first_order, additive, first_order_plus_residual] = <[Vec<f32>; 3]>::try_from(replaced).expect("three replacements").map(accuracy);

    let fit_of: BTreeMap<usize, &NeuronFit> = fits.iter().map(|f| (f.neuron, f)).collect();
    let clusters: Vec<Cluster> = by_frequency
        .iter()
        .zip(read)
        .map(|((&frequency, neurons), logits)| {
            let x = Matrix::from_fn(pairs, neurons.len(), |i, j| grid.get(i, neurons[j]));
            let l = Matrix { rows: pairs, cols: p, data: logits.iter().map(|&v| v as f64).collect() };
            Cluster {
                frequency,
                neurons: neurons.len(),
                r2_first_mean: neurons.iter().map(|n| fit_of[n].r2_first).sum::<f64>() / neurons.len() as f64,
                cka_first_layer: Reference::all(&x, p, frequency),
                cka_logits: Reference::all(&l, p, frequency),
            }
        })
        .collect();
    let weighted = |cka: fn(&Cluster) -> Cka| {
        let total = clusters.iter().map(|c| c.neurons).sum::<usize>() as f64;
        let sum = |part: fn(Cka) -> f64| clusters.iter().map(|c| part(cka(c)) * c.neurons as f64).sum::<f64>() / total;
        Cka { disc: sum(|c| c.disc), torus: sum(|c| c.torus), circle: sum(|c| c.circle) }
    };
    let n = fits.len() as f64;
    let mean = |of: fn(&NeuronFit) -> f64| fits.iter().map(of).sum::<f64>() / n;
    let (cos, sin) = fits.iter().fold((0.0, 0.0), |(c, s), f| (c + (f.phase_a - f.phase_b).cos(), s + (f.phase_a - f.phase_b).sin()));
    let manifold = Manifold {
        cka_first_layer: weighted(|c| c.cka_first_layer),
        cka_logits: weighted(|c| c.cka_logits),
        simple_neuron: SimpleNeuron {
            r2_first_mean: mean(|f| f.r2_first),
            r2_additive_mean: mean(|f| f.r2_additive),
            r2_second_mean: mean(|f| f.r2_second),
            phase_locking: cos.hypot(sin) / n,
        },
        pad: Pad::of(&fits, Estimator::Centroid, p).summary(),
        pad_argmax: Pad::of(&fits, Estimator::Argmax, p).summary(),
        replaced_accuracy: ReplacedAccuracy { first_order, additive, first_order_plus_residual },
        clusters,
    };
    Ok(Some((manifold, fits)))
}

fn to_device(m: &Matrix, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(m.data.iter().map(|&v| v as f32).collect(), [m.rows, m.cols]), device)
}

/// The three ways of replacing every live neuron's grid (docs/science.md §10's functional checks); dead
/// neurons keep their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Replacement {
    FirstOrder,
    Additive,
    FirstOrderPlusResidual,
}

impl Replacement {
    const ALL: [Replacement; 3] = [Replacement::FirstOrder, Replacement::Additive, Replacement::FirstOrderPlusResidual];

    /// `grid` `[p², neurons]` with each fitted neuron's column replaced.
    fn apply(self, grid: &Matrix, fits: &[NeuronFit], p: usize) -> Matrix {
        let mut out = grid.clone();
        for fit in fits {
            let column = grid.column(fit.neuron);
            let pf = p as f64;
            let rows: Vec<f64> = (0..p).map(|a| column[a * p..(a + 1) * p].iter().sum::<f64>() / pf).collect();
            let cols: Vec<f64> = (0..p).map(|b| (0..p).map(|a| column[a * p + b]).sum::<f64>() / pf).collect();
            let angle = |t: usize| 2.0 * PI * ((fit.frequency * t) % p) as f64 / pf;
            for (i, &v) in column.iter().enumerate() {
                let (a, b) = (i / p, i % p);
                let first = fit.mean + fit.amplitude_a * (angle(a) + fit.phase_a).cos() + fit.amplitude_b * (angle(b) + fit.phase_b).cos();
                let additive = rows[a] + cols[b] - fit.mean;
                let value = match self {
                    Replacement::FirstOrder => first,
                    Replacement::Additive => additive,
                    Replacement::FirstOrderPlusResidual => first + v - additive,
                };
                out.set(i, fit.neuron, value);
            }
        }
        out
    }
}

/// The model after the neurons, from their activations `[pairs, neurons]` to the logits.
enum Readout {
    /// A transformer's one block: logits = direct + h · W_outᵀ · W_U, where `direct` is all the
    /// rest (the stream past the MLP, b_out): the logits are linear in the neurons.
    Linear { map: Tensor<2>, direct: Tensor<2> },
    /// An MLP-only model's layers after the first (core's own code).
    Mlp(MlpOnly),
}

impl Readout {
    fn of(model: &Model, logits: Tensor<2>, activated: Tensor<2>) -> Readout {
        match model {
            Model::Transformer(t) => {
                let block = t.blocks.last().expect("one block");
                let map = block.mlp.w_out.val().transpose().matmul(t.w_u.val()); // [d_mlp, vocab]
                Readout::Linear { direct: logits - activated.matmul(map.clone()), map }
            }
            Model::MlpOnly(m) => Readout::Mlp(m.clone()),
        }
    }

    fn logits(&self, activated: Tensor<2>) -> Tensor<2> {
        match self {
            Readout::Linear { map, direct } => direct.clone() + activated.matmul(map.clone()),
            Readout::Mlp(m) => m.read_out(activated),
        }
    }

    /// docs/science.md §10's logit contribution of the `neurons`, Σ_{i∈f} σ(N_i) W_L[:, i], up to a
    /// constant per class, which the CKA's centring removes: the neurons' map without the
    /// direct path, every other neuron held at its mean over the pairs. For a transformer this
    /// is exactly Σ σ(N_i) W_L[:, i] plus a constant; for an MLP-only model with a second layer,
    /// where the neurons reach the logits through it, it is the *choice* that generalises it
    /// (the cluster's effect with the others mean-ablated).
    fn cluster(&self, activated: &Tensor<2>, neurons: &[usize], width: usize) -> Tensor<2> {
        let device = activated.device();
        let mut keep = vec![0.0f32; width];
        for &n in neurons {
            keep[n] = 1.0;
        }
        let keep: Tensor<2> = Tensor::from_data(TensorData::new(keep, [1, width]), &device);
        let mean = activated.clone().mean_dim(0); // [1, width]
        let h = activated.clone() * keep.clone() + mean * keep.neg().add_scalar(1.0);
        match self {
            Readout::Linear { map, .. } => h.matmul(map.clone()),
            Readout::Mlp(m) => m.read_out(h),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pca::Pca;

    const P: usize = 31;
    const F: usize = 5;

    fn theta(t: usize) -> f64 {
        2.0 * PI * ((F * t) % P) as f64 / P as f64
    }

    /// A cluster of neurons on the grid, neuron j = `neuron(j, a, b)`.
    fn cluster(m: usize, neuron: impl Fn(usize, usize, usize) -> f64) -> Matrix {
        Matrix::from_fn(P * P, m, |i, j| neuron(j, i / P, i % P))
    }

    /// Evenly spread phases.
    fn phase(j: usize, m: usize) -> f64 {
        2.0 * PI * j as f64 / m as f64
    }

    fn close(name: &str, ours: f64, expected: f64) {
        assert!((ours - expected).abs() < 1e-9, "{name}: {ours}, expected {expected}");
    }

    /// The CKA sanity values and PCA shares of docs/science.md §10 for ideal clusters.
    #[test]
    fn ideal_disc_torus_and_circle() {
        // Locked phases: the disc.
        let disc = cluster(8, |j, a, b| (theta(a) + phase(j, 8)).cos() + (theta(b) + phase(j, 8)).cos());
        let cka = Reference::all(&disc, P, F);
        close("disc/disc", cka.disc, 1.0);
        close("disc/torus", cka.torus, 0.5f64.sqrt());
        close("disc/circle", cka.circle, 0.0);
        // Independent phases, each pair of a 4 × 4 grid: the torus.
        let torus = cluster(16, |j, a, b| (theta(a) + phase(j / 4, 4)).cos() + (theta(b) + phase(j % 4, 4)).cos());
        let cka = Reference::all(&torus, P, F);
        close("torus/torus", cka.torus, 1.0);
        close("torus/disc", cka.disc, 0.5f64.sqrt());
        close("torus/circle", cka.circle, 0.0);
        let circle = cluster(6, |j, a, b| (theta(a + b) + phase(j, 6)).cos());
        let cka = Reference::all(&circle, P, F);
        close("circle/circle", cka.circle, 1.0);
        close("circle/disc", cka.disc, 0.0);
        close("circle/torus", cka.torus, 0.0);
        // PCA over the inputs: a disc lies in a plane, a torus spreads over four dimensions.
        let top = |x: &Matrix, k: usize| Pca::fit(x, 4).explained_variance_ratio[..k].iter().sum::<f64>();
        close("disc top 2", top(&disc, 2), 1.0);
        close("torus top 2", top(&torus, 2), 0.5);
        close("torus top 4", top(&torus, 4), 1.0);
    }

    /// The fit is a projection: a simple neuron is fitted exactly, a product neuron not at all.
    #[test]
    fn the_simple_neuron_fit_recovers_a_simple_neuron() {
        let grid: Vec<f64> = (0..P * P).map(|i| 0.3 + 2.0 * (theta(i / P) + 0.4).cos() + 1.5 * (theta(i % P) - 1.0).cos()).collect();
        let relu: Vec<f64> = grid.iter().map(|v| v.max(0.0)).collect();
        let fit = fit_neuron(&grid, &relu, P, 0);
        assert_eq!((fit.frequency, fit.frequency_a, fit.frequency_b), (F, F, F));
        close("mean", fit.mean, 0.3);
        close("A_L", fit.amplitude_a, 2.0);
        close("φ_L", fit.phase_a, 0.4);
        close("A_R", fit.amplitude_b, 1.5);
        close("φ_R", fit.phase_b, -1.0);
        close("R²_first", fit.r2_first, 1.0);
        close("R²_additive", fit.r2_additive, 1.0);
        close("R²_second", fit.r2_second_best, 0.0);
        // cos θa · cos θb = ½ cos θ(a + b) + ½ cos θ(a − b): half in the (a + b) term, none additive.
        let product: Vec<f64> = (0..P * P).map(|i| theta(i / P).cos() * theta(i % P).cos()).collect();
        let fit = fit_neuron(&product, &product, P, 0);
        close("product R²_first", fit.r2_first, 0.0);
        close("product R²_additive", fit.r2_additive, 0.0);
        close("product R²_second", fit.r2_second_best, 0.5);
        assert_eq!(fit.second_best_frequency, F);
    }

    /// The centroid returns exactly the peak phase of a simple neuron (θ_f a at the peak is
    /// −φ), where the argmax returns where the rounded cosine happens to be largest.
    #[test]
    fn the_centroid_finds_the_peak_phase() {
        let (u_a, u_b) = (7usize, 20usize);
        let phi = |u: usize| -2.0 * PI * u as f64 / P as f64;
        let grid: Vec<f64> = (0..P * P).map(|i| (theta(i / P) + phi(u_a)).cos() + (theta(i % P) + phi(u_b)).cos() - 0.5).collect();
        let relu: Vec<f64> = grid.iter().map(|v| v.max(0.0)).collect();
        let fit = fit_neuron(&grid, &relu, P, 0);
        assert_eq!(fit.peak, [u_a, u_b]);
        // The argmax is a token pair: f·a ≡ u_a.
        assert_eq!([F * fit.peak_argmax[0] % P, F * fit.peak_argmax[1] % P], [u_a, u_b]);
    }

    #[test]
    fn pad_summary_and_torus_distance() {
        assert_eq!(torus_distance(1, 30, P), 2);
        assert_eq!(torus_distance(4, 4, P), 0);
        assert_eq!(torus_distance(0, 15, P), 15);
        let pad = Pad { p: P, points: vec![[3, 3], [5, 6], [0, 30], [0, 10]] };
        assert_eq!(pad.histogram().iter().sum::<usize>(), 4);
        let s = pad.summary();
        close("diagonal", s.diagonal_fraction, 0.25);
        close("within one", s.within_one, 0.75);
        close("mean", s.mean_torus_distance, 12.0 / 4.0);
    }

    /// Two PADs drawn alike are not told apart; a diagonal one and a spread one are.
    #[test]
    fn mmd_tells_a_disc_from_a_torus() {
        let diagonal = Pad { p: P, points: (0..60).map(|i| [i % P, i % P]).collect() };
        let also_diagonal = Pad { p: P, points: (0..60).map(|i| [(i * 7) % P, (i * 7) % P]).collect() };
        let spread = Pad { p: P, points: (0..60).map(|i| [(i * 7) % P, (i * 13 + 5) % P]).collect() };
        let same = pad_mmd(&diagonal, &also_diagonal, 199, 1);
        let different = pad_mmd(&diagonal, &spread, 199, 1);
        assert!(same.p_value > 0.2 && same.mmd < 0.1, "{same:?}");
        assert!(different.p_value <= 0.01 && different.mmd > 0.2, "{different:?}");
        // Seeded: the same numbers every time.
        assert_eq!(pad_mmd(&diagonal, &spread, 199, 1), different);
        // The MMD of a PAD with itself is 0.
        close("self", pad_mmd(&spread, &spread, 9, 1).mmd, 0.0);
    }
}
