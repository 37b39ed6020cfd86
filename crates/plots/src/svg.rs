//! Charts as SVG text: the CLI's files, the tests, and the notebook's "SVG" downloads.

use grokscope_analysis::Analysis;
use grokscope_core::Snapshot;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::{Chart, PlotError, PlotResult};

pub fn render(chart: Chart, analysis: &Analysis, history: &[Snapshot]) -> Result<String, PlotError> {
    to_svg(chart.size(analysis), |area| chart.draw(area, analysis, history))
}

/// Whatever `draw` draws, as SVG of `size` pixels.
pub fn to_svg(size: (u32, u32), draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> PlotResult) -> Result<String, PlotError> {
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        draw(&area)?;
        area.present()?;
    }
    Ok(svg)
}
