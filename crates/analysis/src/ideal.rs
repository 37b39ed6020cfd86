//! Hand-built networks that run the Clock and the Pizza exactly (docs/science.md §4.5), in the paper's
//! own transformer: a reference for what each algorithm looks like, and a check that the
//! metrics and the verdict tell them apart.
//!
//! Both embed token t on two circles, (cos ω₁t, sin ω₁t) with radius 1 in dimensions 0-1 and
//! (cos ω₂t, sin ω₂t) with radius 0.7 in dimensions 2-3 (different radii so PCA orders them).
//! Attention copies the embeddings of both positions into dimensions 4-7; the skip connection
//! keeps E_b in dimensions 0-3 (and passes it on directly wherever the MLP reads).

use std::f64::consts::PI;

use grokscope_core::model::transformer::{EMBED, UNEMBED};
use grokscope_core::model::{Activation, BlockParameter, ModelConfig, TransformerConfig};
use grokscope_core::weights::{HostTensor, Weights};
use grokscope_core::{RunConfig, Task};

const RADII: [f64; 2] = [1.0, 0.7];
/// Logit scale: confident but finite.
const SCALE: f64 = 4.0;
/// Residual dimensions: 0-3 the embedding, 4-7 attention's copy, 8+ the MLP's output.
const ATTENDED: usize = 4;
const OUTPUT: usize = 8;

/// Gain of the Pizza's internal signals. The residual stream hands E_b directly to whatever
/// reads it (the MLP, the unembedding) as well as through attention, so no transformer here
/// sees exactly E_a + E_b (why the paper's α = 0 models score GS ≈ 0.994, not 1). Writing the
/// attention copy and the MLP output G times larger and reading them back scaled by 1/G
/// shrinks the direct paths' share of ∂logit/∂E_b to 1/G: GS = 1 − O(1/G²).
const PIZZA_GAIN: f64 = 1000.0;

/// The Pizza, α = 0: attention sums the two embeddings, s_j = E_a + E_b on circle j, and the
/// MLP computes logit_c = Σ_j |s_j·u_c| − |s_j·u⊥_c| (u_c at angle ω_j c/2) with ReLUs, as
/// |x| = ReLU(x) + ReLU(−x). Its correct logit 2|cos(ω(a−b)/2)| depends on a − b only.
pub fn pizza(p: usize, frequencies: [usize; 2]) -> (RunConfig, Weights) {
    // 8 neurons per class (2 circles × ±u, ±u⊥) and one residual dimension per class.
    let d = 2 * p.max(OUTPUT);
    let run = run(p, d, 0.0, Activation::ReLU);
    let mut w = Net::new(&run, p, frequencies, PIZZA_GAIN);
    let mut neuron = 0;
    for (j, &k) in frequencies.iter().enumerate() {
        for c in 0..p {
            let half = PI * (k * c) as f64 / p as f64;
            let (u, u_perp) = ([half.cos(), half.sin()], [-half.sin(), half.cos()]);
            for (direction, sign_out) in [(u, 1.0), (u_perp, -1.0)] {
                for sign_in in [1.0, -1.0] {
                    for m in 0..2 {
                        w.w_in[neuron * d + ATTENDED + 2 * j + m] = (sign_in * direction[m] / RADII[j] / PIZZA_GAIN) as f32;
                    }
                    w.w_out[(OUTPUT + c) * w.d_mlp + neuron] = (sign_out * PIZZA_GAIN) as f32;
                    neuron += 1;
                }
            }
        }
    }
    for c in 0..p {
        w.w_u[(OUTPUT + c) * p + c] = (SCALE / PIZZA_GAIN) as f32;
    }
    let weights = w.into_weights(&run);
    (run, weights)
}

/// Offset added to every class: a Clock's correct logit is otherwise the same for every pair,
/// which leaves distance irrelevance 0/0. An offset shared by all classes changes no
/// probability; depending on a + b only, it makes DI exactly 1.
const CLOCK_OFFSET: f64 = 0.1;
/// GeLU inputs stay within ±2ε, where GeLU(u) + GeLU(−u) = √(2/π)·u² to a part in 10⁵ (smaller
/// ε loses more to f32 rounding in the difference than it gains).
const EPSILON: f64 = 0.005;

/// The Clock, α = 1 with zero queries and keys (uniform attention, so dimensions 4-7 hold
/// (E_a + E_b)/2 and E_a = 2·that − E_b): the MLP multiplies (cos ωa, sin ωa) by (cos ωb,
/// sin ωb) to get cos ω(a+b) and sin ω(a+b), with xy = [g(ε(x+y)) + g(−ε(x+y)) − g(ε(x−y))
/// − g(−ε(x−y))] / (4√(2/π)ε²) for g = GeLU, and the unembedding reads
/// logit_c = Σ_j cos(ω_j(a + b − c)) (+ the offset).
pub fn clock(p: usize, frequencies: [usize; 2]) -> (RunConfig, Weights) {
    let d = 16;
    let run = run(p, d, 1.0, Activation::GeLU);
    let mut w = Net::new(&run, p, frequencies, 1.0);
    let curvature = (2.0 / PI).sqrt();
    let mut neuron = 0;
    for j in 0..2 {
        // (x component, y component, output dimension, sign): cos(a+b) = cc − ss, sin(a+b) = sc + cs.
        for (mx, my, out, sign) in [(0, 0, 0, 1.0), (1, 1, 0, -1.0), (1, 0, 1, 1.0), (0, 1, 1, 1.0)] {
            for (sign_y, sign_out) in [(1.0, 1.0), (-1.0, -1.0)] {
                for sign_in in [1.0, -1.0] {
                    // Input ε·sign_in·(x_mx + sign_y·y_my), with x = (2·attended − E_b)/R, y = E_b/R.
                    let g = EPSILON * sign_in / RADII[j];
                    w.w_in[neuron * d + ATTENDED + 2 * j + mx] += (2.0 * g) as f32;
                    w.w_in[neuron * d + 2 * j + mx] -= g as f32;
                    w.w_in[neuron * d + 2 * j + my] += (g * sign_y) as f32;
                    let product_scale = 1.0 / (4.0 * curvature * EPSILON * EPSILON);
                    w.w_out[(OUTPUT + 2 * j + out) * w.d_mlp + neuron] = (sign * sign_out * product_scale) as f32;
                    neuron += 1;
                }
            }
        }
    }
    for (j, &k) in frequencies.iter().enumerate() {
        for c in 0..p {
            let angle = 2.0 * PI * (k * c) as f64 / p as f64;
            w.w_u[(OUTPUT + 2 * j) * p + c] = (SCALE * angle.cos()) as f32;
            w.w_u[(OUTPUT + 2 * j + 1) * p + c] = (SCALE * angle.sin()) as f32;
        }
    }
    for c in 0..p {
        w.w_u[(OUTPUT + 2) * p + c] += (SCALE * CLOCK_OFFSET) as f32;
    }
    let weights = w.into_weights(&run);
    (run, weights)
}

fn run(p: usize, d_model: usize, attention_rate: f64, activation: Activation) -> RunConfig {
    let mut run = RunConfig::paper(attention_rate);
    run.task = Task { p, ..Task::paper() };
    run.model = ModelConfig::Transformer(TransformerConfig { d_model, n_heads: 1, activation, ..TransformerConfig::paper(attention_rate) });
    run
}

/// The weights being written, in the official layouts, everything not set zero.
struct Net {
    d_mlp: usize,
    w_e: Vec<f32>,
    w_v: Vec<f32>,
    w_o: Vec<f32>,
    w_in: Vec<f32>,
    w_out: Vec<f32>,
    w_u: Vec<f32>,
}

impl Net {
    /// The circles in dimensions 0-3, and attention's value/output maps copying them, times
    /// `gain`, to 4-7.
    fn new(run: &RunConfig, p: usize, frequencies: [usize; 2], gain: f64) -> Self {
        let ModelConfig::Transformer(t) = &run.model else { unreachable!("ideal networks are transformers") };
        let (d, d_mlp) = (t.d_model, t.d_mlp());
        let mut w_e = vec![0.0; d * p];
        for (j, &k) in frequencies.iter().enumerate() {
            for token in 0..p {
                let angle = 2.0 * PI * (k * token) as f64 / p as f64;
                w_e[(2 * j) * p + token] = (RADII[j] * angle.cos()) as f32;
                w_e[(2 * j + 1) * p + token] = (RADII[j] * angle.sin()) as f32;
            }
        }
        let (mut w_v, mut w_o) = (vec![0.0; d * d], vec![0.0; d * d]);
        for i in 0..ATTENDED {
            w_v[i * d + i] = gain as f32;
            w_o[(ATTENDED + i) * d + i] = 1.0;
        }
        Net { d_mlp, w_e, w_v, w_o, w_in: vec![0.0; d_mlp * d], w_out: vec![0.0; d * d_mlp], w_u: vec![0.0; d * p] }
    }

    /// The weights in the model's own table, every tensor not written here zero.
    fn into_weights(self, run: &RunConfig) -> Weights {
        let table = run.model.parameters(run.task.p);
        let mut w = Weights(table.iter().map(|t| (t.name.clone(), HostTensor::zeros(t.shape.clone()))).collect());
        let written = [
            (EMBED.to_string(), self.w_e),
            (BlockParameter::Value.name(0), self.w_v),
            (BlockParameter::Output.name(0), self.w_o),
            (BlockParameter::MlpIn.name(0), self.w_in),
            (BlockParameter::MlpOut.name(0), self.w_out),
            (UNEMBED.to_string(), self.w_u),
        ];
        for (name, values) in written {
            let tensor = w.0.get_mut(&name).expect("the table has every parameter");
            assert_eq!(tensor.values.len(), values.len(), "{name} written in its table shape");
            tensor.values = values;
        }
        w
    }
}
