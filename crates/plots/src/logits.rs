//! The correct-class logit over (a + b) × (a − b): stripes along a − b are the Pizza's
//! signature (its logit depends on the difference), flat columns the Clock's.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::heatmap::heatmap;
use crate::style::PlotResult;

/// `values` per pair (a = i / p, b = i % p). With `step` δ the rows are re-ordered as the
/// paper's figures: row r shows a − b = r·δ mod p, so a circle's pattern becomes smooth.
pub fn correct_logits<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, title: &str, values: &[f64], p: usize, step: Option<usize>) -> PlotResult {
    let mut table = vec![0.0; p * p];
    for (i, &v) in values.iter().enumerate() {
        let (a, b) = (i / p, i % p);
        table[(a + p - b) % p * p + (a + b) % p] = v;
    }
    let y_desc = match step {
        Some(d) => format!("(a − b)/{d} mod {p}"),
        None => format!("(a − b) mod {p}"),
    };
    let row = |r: usize| step.map_or(r, |d| r * d % p);
    heatmap(area, title, p, (&format!("(a + b) mod {p}"), &y_desc), |x, y| table[row(y) * p + x])
}
