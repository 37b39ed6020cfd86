//! The correct-class logit over (a + b) × (a − b): stripes along a − b are the Pizza's
//! signature (its logit depends on the difference), flat columns the Clock's.

use plotters::coord::Shift;
use plotters::prelude::*;

use grokscope_analysis::distance::sum_difference_table;
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
