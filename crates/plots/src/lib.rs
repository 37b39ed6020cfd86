//! grokscope's charts. Every chart is plotters code generic over the drawing backend, so the
//! same function draws to a canvas in the browser and to SVG natively (feature `svg`).

pub mod attention;
pub mod curves;
pub mod embedding;
pub mod fourier;
pub mod heatmap;
pub mod logits;
pub mod manifold;
pub mod neurons;
pub mod parallel;
pub mod phase;
pub mod progress;
pub mod readout;
pub mod style;
#[cfg(feature = "svg")]
pub mod svg;

pub use style::{PlotError, PlotResult};

use grokscope_analysis::Analysis;
use grokscope_core::Snapshot;
use grokscope_core::task::is_prime;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Every chart grokscope draws of one model, by the name its file takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chart {
    Curves,
    Components,
    Circles,
    CorrectLogits,
    /// The correct logit with only the n-th circle (PC pair) of the embedding left.
    IsolatedLogits(usize),
    /// Each isolated circle's accuracy alone and the accuracy with the first n kept.
    ParallelCircles,
    Fourier,
    /// The embedding in the character basis (multiplication, division).
    Characters,
    /// The last block's neurons: dominant frequencies and phases (transformers).
    Neurons,
    /// The 2026 reading (docs/science.md §10): the phase alignment distribution, the CKA per
    /// frequency cluster, the simple-neuron R² histograms.
    Pad,
    Cka,
    SimpleNeurons,
    Attention,
    Readout,
}

impl Chart {
    /// The charts there are for this analysis (curves only with a training history).
    pub fn all(analysis: &Analysis, has_history: bool) -> Vec<Chart> {
        let mut charts = Vec::new();
        if has_history {
            charts.push(Chart::Curves);
        }
        charts.extend([Chart::Readout, Chart::Components, Chart::Circles, Chart::CorrectLogits]);
        charts.extend((0..analysis.report.circles.len()).map(Chart::IsolatedLogits));
        if !analysis.report.circles.is_empty() {
            charts.push(Chart::ParallelCircles);
        }
        charts.push(Chart::Fourier);
        if analysis.spectra.multiplicative.is_some() {
            charts.push(Chart::Characters);
        }
        if !analysis.spectra.neurons.is_empty() {
            charts.push(Chart::Neurons);
        }
        if analysis.report.manifold.is_some() {
            charts.extend([Chart::Pad, Chart::Cka, Chart::SimpleNeurons]);
        }
        charts.push(Chart::Attention);
        charts
    }

    pub fn name(self) -> String {
        match self {
            Chart::Curves => "curves".into(),
            Chart::Components => "components".into(),
            Chart::Circles => "circles".into(),
            Chart::CorrectLogits => "correct_logits".into(),
            Chart::IsolatedLogits(n) => format!("correct_logits_circle{}", n + 1),
            Chart::ParallelCircles => "parallel_circles".into(),
            Chart::Fourier => "fourier".into(),
            Chart::Characters => "fourier_characters".into(),
            Chart::Neurons => "neurons".into(),
            Chart::Pad => "manifold_pad".into(),
            Chart::Cka => "manifold_cka".into(),
            Chart::SimpleNeurons => "manifold_r2".into(),
            Chart::Attention => "attention".into(),
            Chart::Readout => "readout".into(),
        }
    }

    /// A size in pixels that keeps the chart readable.
    pub fn size(self, analysis: &Analysis) -> (u32, u32) {
        match self {
            Chart::Curves => (1000, 420),
            Chart::Components => (1100, 240 * analysis.report.components.len().div_ceil(4).max(1) as u32),
            Chart::Circles => (1000, 1000),
            Chart::CorrectLogits | Chart::IsolatedLogits(_) => (640, 560),
            Chart::ParallelCircles => parallel::SIZE,
            Chart::Fourier | Chart::Characters => (900, 420),
            Chart::Neurons => neurons::SIZE,
            Chart::Pad => manifold::PAD_SIZE,
            Chart::Cka => manifold::CKA_SIZE,
            Chart::SimpleNeurons => manifold::R2_SIZE,
            Chart::Attention => {
                let heads = analysis.attention.iter().map(Vec::len).max().unwrap_or(1).max(1) as u32;
                (360 * heads, 320 * analysis.attention.len().max(1) as u32)
            }
            Chart::Readout => (900, readout::height(900, &analysis.report)),
        }
    }

    /// The height to draw the chart at `width`: `size`'s proportions, but the readout's text
    /// wraps on a narrow area and needs more.
    pub fn height(self, width: u32, analysis: &Analysis) -> u32 {
        match self {
            Chart::Readout => readout::height(width, &analysis.report),
            _ => {
                let (w, h) = self.size(analysis);
                width * h / w
            }
        }
    }

    /// What the chart shows and its key numbers, in words: its text for those who cannot see it.
    pub fn describe(self, analysis: &Analysis, history: &[Snapshot]) -> String {
        let r = &analysis.report;
        let list = |values: &[usize]| values.iter().map(usize::to_string).collect::<Vec<_>>().join(", ");
        match self {
            Chart::Curves => curves::summary(history, &r.task.formulas()),
            Chart::Readout => format!(
                "Verdict: {}. {} Gradient symmetricity {:.3}, distance irrelevance {:.3}, circularity {:.3}.",
                r.verdict.algorithm.label(),
                r.verdict.reason,
                r.gradient_symmetricity,
                r.distance_irrelevance,
                r.circularity
            ),
            Chart::Components => format!(
                "The embedding's first {} principal components, each over the tokens in the order of its circle step; circle steps {}; circularity {:.3}.",
                r.components.len().min(12),
                list(&r.circle_steps),
                r.circularity
            ),
            Chart::Circles => format!(
                "The embedding's principal components in pairs, one dot per token (p = {}): a ring is a circle; circle steps {}; circularity {:.3}.",
                r.task.p,
                list(&r.circle_steps),
                r.circularity
            ),
            Chart::CorrectLogits if r.task.operation.is_multiplicative() && is_prime(r.task.p) => format!(
                "Heatmap of the correct-class logit for every pair (a, b) of nonzero numbers, p = {}, its axes the discrete logs of a and b: a model that multiplies by adding logs shows diagonal stripes.",
                r.task.p
            ),
            Chart::CorrectLogits => format!(
                "Heatmap of the correct-class logit for every pair (a, b), p = {}: constant along a − b for a Pizza, along rows for a Clock; distance irrelevance {:.3}.",
                r.task.p, r.distance_irrelevance
            ),
            Chart::IsolatedLogits(n) => match r.circles.get(n) {
                Some(c) => {
                    let fve = c.fve.map(|f| format!("; FVE Clock {:.3}, Pizza {:.3}", f.clock, f.pizza)).unwrap_or_default();
                    format!(
                        "Heatmap of the correct-class logit with only the circle of PCs {} and {} kept (step {}, frequency {}): accuracy {:.3}{fve}.",
                        c.components[0], c.components[1], c.step, c.frequency, c.accuracy
                    )
                }
                None => String::new(),
            },
            Chart::ParallelCircles => parallel::summary(r),
            Chart::Fourier => {
                format!("Norm of the embedding at each Fourier frequency; key frequencies {}.", list(&r.fourier.key_frequencies))
            }
            Chart::Characters => format!(
                "Norm of the embedding at each frequency of the character (discrete-log) basis; Gini {:.3} there.",
                r.progress.multiplicative_gini_we.unwrap_or(f64::NAN)
            ),
            Chart::Neurons => neurons::summary(&analysis.spectra.neurons, r.progress.phase_misalignment),
            Chart::Pad | Chart::Cka | Chart::SimpleNeurons => {
                let Some(m) = &r.manifold else { return String::new() };
                let [pad, cka, simple] = manifold::summary(m);
                match self {
                    Chart::Pad => pad,
                    Chart::Cka => cka,
                    _ => simple,
                }
            }
            Chart::Attention => {
                let layers: Vec<String> = analysis
                    .attention
                    .iter()
                    .map(|heads| heads.iter().map(|h| format!("{:.2}", mean(h))).collect::<Vec<_>>().join(", "))
                    .collect();
                format!(
                    "Heatmaps of the attention from the last position to the first over (a, b), per layer and head; mean weights {}.",
                    layers.join("; ")
                )
            }
        }
    }

    pub fn draw<DB: DrawingBackend>(self, area: &DrawingArea<DB, Shift>, analysis: &Analysis, history: &[Snapshot]) -> PlotResult {
        let r = &analysis.report;
        match self {
            Chart::Curves => curves::curves(area, history, &r.task.formulas(), true),
            Chart::Components => embedding::components(area, analysis, 12),
            Chart::Circles => embedding::circles(area, analysis, 6),
            Chart::CorrectLogits => {
                area.fill(&WHITE)?;
                // The formula tells a mixture's operations apart.
                let title = format!("Correct-class logit of {}", r.task.operation.formula());
                let by_log =
                    r.task.operation.is_multiplicative().then(|| {
                        logits::correct_logits_by_log(area, &format!("{title}, by discrete log"), &analysis.correct_logits, &r.task)
                    });
                by_log.flatten().unwrap_or_else(|| logits::correct_logits(area, &title, &analysis.correct_logits, &r.task, None))
            }
            Chart::IsolatedLogits(n) => {
                area.fill(&WHITE)?;
                let (Some(c), Some(values)) = (r.circles.get(n), analysis.circle_logits.get(n)) else {
                    return Err(PlotError(format!("there is no circle {}", n + 1)));
                };
                let title = format!("Correct logit, circle PC {}-{} only", c.components[0], c.components[1]);
                logits::correct_logits(area, &title, values, &r.task, Some(c.step.max(1)))
            }
            Chart::ParallelCircles => parallel::parallel_circles(area, r),
            Chart::Fourier => fourier::fourier(area, &r.fourier),
            Chart::Characters => match &analysis.spectra.multiplicative {
                Some(norms) => fourier::characters(area, norms),
                None => Err(PlotError("the character basis is for multiplication and division modulo a prime".into())),
            },
            Chart::Neurons => neurons::neurons(area, &analysis.spectra.neurons, r.task.p),
            Chart::Pad => manifold::pad(area, &analysis.neuron_fits, r.task.p),
            Chart::Cka => match &r.manifold {
                Some(m) => manifold::cka(area, m),
                None => Err(PlotError("the manifold measures are for a + b on one-block transformers and MLP-only models".into())),
            },
            Chart::SimpleNeurons => manifold::r2(area, &analysis.neuron_fits),
            Chart::Attention => attention::attention(area, &analysis.attention, &r.task),
            Chart::Readout => readout::readout(area, r),
        }
    }
}

fn mean(values: &[f32]) -> f64 {
    values.iter().map(|&v| v as f64).sum::<f64>() / values.len().max(1) as f64
}
