//! Attention from the last position to the first token, over the inputs (a, b), per head.

use plotters::coord::Shift;
use plotters::prelude::*;

use grokscope_core::Task;

use crate::heatmap::heatmap;
use crate::style::*;

/// One row per layer, one panel per head. `attention[layer][head][pair]`, in `task`'s pair order.
pub fn attention<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, attention: &[Vec<Vec<f32>>], task: &Task) -> PlotResult {
    area.fill(&WHITE)?;
    let layers = attention.len();
    let heads = attention.iter().map(Vec::len).max().unwrap_or(0);
    if layers == 0 || heads == 0 {
        area.draw(&Text::new("This model has no attention (MLP only).", (20, 30), label_style()))?;
        return Ok(());
    }
    let panels = area.split_evenly((layers, heads));
    for (l, layer) in attention.iter().enumerate() {
        for (h, values) in layer.iter().enumerate() {
            let title = if layers > 1 { format!("layer {} head {}", l + 1, h + 1) } else { format!("head {}", h + 1) };
            let value = |b: usize, a: usize| task.pair_number(a as u32, b as u32).map_or(f64::NAN, |i| values[i] as f64);
            heatmap(&panels[l * heads + h], &title, task.p, ("b", "a"), value)?;
        }
    }
    Ok(())
}
