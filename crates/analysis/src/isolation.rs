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

/// An isolated circle's logits explained by a template at least this well (FVE = 2ρ − 1, so
/// ρ ≥ 0.75) read as that template. A Pizza circle's Clock FVE is itself about 0.75 and a Clock
/// circle's Pizza FVE 0.6-0.75 (the two templates correlate), so the better of the two decides.
pub const MIN_TEMPLATE_FVE: f64 = 0.5;

/// What an isolated circle computes, by the template that explains its logits best.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CircleReading {
    Clock,
    Pizza,
    /// At twice a main circle's frequency, correcting that circle's Pizza (Model A's circles 4-6).
    AccompanyingPizza,
}

impl CircleReading {
    /// The best template at [`MIN_TEMPLATE_FVE`] or above; `None` where none explains the logits.
    pub fn of(fve: &Fve) -> Option<CircleReading> {
        [(CircleReading::Clock, fve.clock), (CircleReading::Pizza, fve.pizza), (CircleReading::AccompanyingPizza, fve.accompanying_pizza)]
            .into_iter()
            .filter(|&(_, f)| f >= MIN_TEMPLATE_FVE)
            .max_by(|x, y| x.1.total_cmp(&y.1))
            .map(|(reading, _)| reading)
    }

    pub fn label(self) -> &'static str {
        match self {
            CircleReading::Clock => "Clock-like",
            CircleReading::Pizza => "Pizza-like",
            CircleReading::AccompanyingPizza => "accompanying Pizza",
        }
    }
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
    /// Which template explains its logits (`CircleReading::of` its FVEs); absent in reports
    /// written before it existed.
    #[serde(default)]
    pub reading: Option<CircleReading>,
}

/// The parallel circles in words: each one's frequency, reading and accuracy alone, then the
/// accuracy with the first n kept (`top`, from [`top_circles_accuracy`]).
pub fn in_words(circles: &[IsolatedCircle], top: &[f64]) -> String {
    let percent = |x: f64| format!("{:.1} %", 100.0 * x);
    let alone: Vec<String> = circles
        .iter()
        .map(|c| format!("k = {} {} {}", c.frequency, c.reading.map_or("(no template)", CircleReading::label), percent(c.accuracy)))
        .collect();
    let kept: Vec<String> = top.iter().map(|&a| percent(a)).collect();
    format!("each circle alone: {}; the first 1, 2, … kept: {}.", alone.join(", "), kept.join(", "))
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
            reading: fve.as_ref().and_then(CircleReading::of),
        };
        circles.push((circle, logits.correct(&run.task)));
    }
    Ok(circles)
}

/// Accuracy over every pair with the first n circles kept, PC pairs (1, 2) … (2n − 1, 2n), for
/// n = 1..=`circles`: how many of the parallel circles the model needs. The n = 1 point is the
/// first circle's own accuracy.
pub async fn top_circles_accuracy(
    run: &RunConfig,
    weights: &Weights,
    pca: &Pca,
    circles: usize,
    device: &Device,
) -> Result<Vec<f64>, Error> {
    let mut curve = Vec::new();
    for n in 1..=circles.min(pca.len() / 2) {
        let keep: Vec<usize> = (0..2 * n).collect();
        let kept = with_embedding_rows(&run.model, weights, &pca.reconstruct(&keep));
        curve.push(LogitTable::compute(run, &kept, device).await?.accuracy(&run.task, 0..run.task.num_pairs()));
    }
    Ok(curve)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The released models' circles (tests/released.rs): Model A's main circles are Pizzas, its
    /// circles 4-6 accompanying Pizzas, Model B's first circle a Clock, its second none of them.
    #[test]
    fn circles_read_by_their_best_template() {
        let fve = |[clock, pizza, pizza_prime, accompanying_pizza]: [f64; 4]| Fve { clock, pizza, pizza_prime, accompanying_pizza };
        assert_eq!(CircleReading::of(&fve([0.75408, 0.98315, 0.98359, -1.00377])), Some(CircleReading::Pizza));
        assert_eq!(CircleReading::of(&fve([-1.0, -1.0, -1.0, 0.97563])), Some(CircleReading::AccompanyingPizza));
        assert_eq!(CircleReading::of(&fve([0.76619, 0.59629, 0.59662, -1.00044])), Some(CircleReading::Clock));
        assert_eq!(CircleReading::of(&fve([0.05145, -0.05252, -0.05261, -0.99872])), None);
    }
}
