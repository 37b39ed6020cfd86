//! The correct-class logit over (a + b) × (a − b): stripes along a − b are the Pizza's
//! signature (its logit depends on the difference), flat columns the Clock's. For multiplication
//! and division modulo a prime, over the discrete logs of a and b instead.

use plotters::coord::Shift;
use plotters::prelude::*;

use grokscope_analysis::distance::sum_difference_table;
use grokscope_analysis::progress::FourierBasis;
use grokscope_core::Task;

use crate::heatmap::heatmap;
use crate::style::PlotResult;

/// `values` per pair of `task`, in pair order. With `step` δ the rows are re-ordered as the
/// paper's figures: row r shows a − b = r·δ mod p, so a circle's pattern becomes smooth.
pub fn correct_logits<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    values: &[f64],
    task: &Task,
    step: Option<usize>,
) -> PlotResult {
    let p = task.p;
    let table = sum_difference_table(values, task); // [s * p + d]
    let y_desc = match step {
        Some(d) => format!("(a − b)/{d} mod {p}"),
        None => format!("(a − b) mod {p}"),
    };
    let row = |r: usize| step.map_or(r, |d| r * d % p);
    heatmap(area, title, p, (&format!("(a + b) mod {p}"), &y_desc), |x, y| table[x * p + row(y)])
}

/// `values` per pair of a multiplicative `task` (multiplication or division modulo a prime) over
/// (log_g a, log_g b) for a, b ≠ 0, g a primitive root: there the operation adds (or subtracts)
/// logs, so a model that computes through them shows diagonal stripes, as an additive one does
/// over (a, b). None when p is not prime.
pub fn correct_logits_by_log<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    values: &[f64],
    task: &Task,
) -> Option<PlotResult> {
    let p = task.p;
    let basis = FourierBasis::multiplicative(p)?;
    // The token at each discrete log.
    let mut token = vec![0; p - 1];
    for (t, log) in basis.positions().iter().enumerate() {
        if let Some(k) = log {
            token[*k] = t as u32;
        }
    }
    let value = |x: usize, y: usize| task.pair_number(token[x], token[y]).map_or(f64::NAN, |i| values[i]);
    Some(heatmap(area, title, p - 1, (&format!("log a (mod {})", p - 1), &format!("log b (mod {})", p - 1)), value))
}
