//! Charts as SVG text (native builds: the CLI and the tests).

use grokscope_analysis::Analysis;
use grokscope_core::Snapshot;
use plotters::prelude::*;

use crate::{Chart, PlotError};

pub fn render(chart: Chart, analysis: &Analysis, history: &[Snapshot]) -> Result<String, PlotError> {
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, chart.size(analysis)).into_drawing_area();
        chart.draw(&area, analysis, history)?;
        area.present()?;
    }
    Ok(svg)
}
