//! Circle isolation and the logit templates (docs/science.md §4.5): keep one pair of principal
//! components of the embedding, run every pair through the model, and ask how much of the
//! resulting logits each algorithm's template explains.

use std::f64::consts::PI;

use burn::prelude::*;
use grokscope_core::weights::Weights;
use grokscope_core::{Error, RunConfig};
use serde::{Deserialize, Serialize};

use crate::circularity::{circle_fit, inverse_mod};
use crate::embedding::with_embedding_rows;
use crate::logits::LogitTable;
use crate::pca::Pca;

/// A pair of components with less than this share of the variance carries no circle: the
/// embedding has that few dimensions in use.
pub const MIN_VARIANCE_RATIO: f64 = 1e-6;

/// The fraction of variance of the isolated logits each template explains.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Fve {
    /// cos(ω(a + b − c)).
    pub clock: f64,
    /// |s·u| − |s·u⊥|, s = (cos ωa + cos ωb, sin ωa + sin ωb), u at angle ωc/2.
    pub pizza: f64,
    /// The appendix's Pizza′.
    pub pizza_prime: f64,
    /// An accompanying Pizza: this circle at twice a main circle's frequency.
    pub accompanying_pizza: f64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct IsolatedCircle {
    /// The two principal components kept, numbered from 1 as in the paper.
    pub components: [usize; 2],
    /// The circle step δ of the pair's first component, and its frequency δ⁻¹ mod p.
    pub step: usize,
    pub frequency: usize,
    /// `None` where the templates are undefined (δ not invertible mod p) or the logits are flat.
    pub fve: Option<Fve>,
    /// Accuracy of the model with only this circle left.
    pub accuracy: f64,
}

/// Isolates the component pairs (0, 1), (2, 3), … up to `max_pairs` of them: each circle, and
/// the correct-class logit per pair with only it left.
pub async fn isolate_circles(
    run: &RunConfig,
    weights: &Weights,
    pca: &Pca,
    max_pairs: usize,
    device: &Device,
) -> Result<Vec<(IsolatedCircle, Vec<f64>)>, Error> {
    let p = run.task.p;
    let mut circles = Vec::new();
    for pair in 0..max_pairs.min(pca.len() / 2) {
        let keep = [2 * pair, 2 * pair + 1];
        if keep.iter().any(|&j| pca.explained_variance_ratio[j] < MIN_VARIANCE_RATIO) {
            break;
        }
        let fit = circle_fit(&pca.scores.column(keep[0]), p);
        let isolated = with_embedding_rows(&run.model, weights, &pca.reconstruct(&keep));
        let logits = LogitTable::compute(run, &isolated, device).await?;
        let fve = inverse_mod(fit.step, p).and_then(|_| template_fve(&logits, p, fit.step));
        let circle = IsolatedCircle {
            components: [keep[0] + 1, keep[1] + 1],
            step: fit.step,
            frequency: fit.frequency,
            fve,
            accuracy: logits.accuracy(&run.task, 0..run.task.num_pairs()),
        };
        circles.push((circle, logits.correct(&run.task)));
    }
    Ok(circles)
}

/// FVE of each template against the logits of the first p classes, O[a, b, c].
///
/// sklearn's `explained_variance_score` of two z-scored arrays is 1 − Var(z_O − z_T) = 2ρ − 1
/// with ρ their correlation, so one pass of running sums does it without the p³ templates
/// in memory.
fn template_fve(logits: &LogitTable, p: usize, step: usize) -> Option<Fve> {
    let k = inverse_mod(step, p)?;
    let omega = 2.0 * PI * k as f64 / p as f64;
    // The accompanying circle's output runs at half its frequency: k · 2⁻¹ mod p.
    let half = inverse_mod(2, p).map(|h| 2.0 * PI * ((k * h) % p) as f64 / p as f64);
    let mut sums = [Correlation::default(); 4];
    for a in 0..p {
        for b in 0..p {
            let row = logits.pair(a * p + b);
            let (ca, sa, cb, sb) = ((omega * a as f64).cos(), (omega * a as f64).sin(), (omega * b as f64).cos(), (omega * b as f64).sin());
            let (sx, sy) = (ca + cb, sa + sb);
            for (c, &o) in row.iter().take(p).enumerate() {
                let c = c as f64;
                let clock = (omega * (a as f64 + b as f64 - c)).cos();
                let (u, v) = ((omega * c / 2.0).cos(), (omega * c / 2.0).sin());
                let pizza = (u * sx + v * sy).abs() - (-v * sx + u * sy).abs();
                let pizza_prime =
                    (sx.abs() - sy.abs()) * (omega * c).cos() - ((sx - sy).abs() - (sx + sy).abs()) * (omega * c).sin() / 2f64.sqrt();
                let accompanying = half.map_or(0.0, |h| {
                    let (a2, b2) = (2.0 * h * a as f64, 2.0 * h * b as f64);
                    -((a2.cos() + b2.cos()) * (h * c).cos() + (a2.sin() + b2.sin()) * (h * c).sin())
                });
                for (s, t) in sums.iter_mut().zip([clock, pizza, pizza_prime, accompanying]) {
                    s.add(o as f64, t);
                }
            }
        }
    }
    let [clock, pizza, pizza_prime, accompanying_pizza] = sums.map(|s| 2.0 * s.correlation() - 1.0);
    [clock, pizza, pizza_prime].iter().all(|x| x.is_finite()).then_some(Fve { clock, pizza, pizza_prime, accompanying_pizza })
}

/// Running sums for a Pearson correlation.
#[derive(Clone, Copy, Default)]
struct Correlation {
    n: f64,
    x: f64,
    y: f64,
    xx: f64,
    yy: f64,
    xy: f64,
}

impl Correlation {
    fn add(&mut self, x: f64, y: f64) {
        self.n += 1.0;
        self.x += x;
        self.y += y;
        self.xx += x * x;
        self.yy += y * y;
        self.xy += x * y;
    }

    fn correlation(&self) -> f64 {
        let cov = self.xy - self.x * self.y / self.n;
        let var_x = self.xx - self.x * self.x / self.n;
        let var_y = self.yy - self.y * self.y / self.n;
        cov / (var_x * var_y).sqrt()
    }
}
