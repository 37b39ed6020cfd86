//! The embedding's principal components: each against the token index re-ordered by its
//! circle step (a clean sinusoid when the component is half of a circle), and the PC-pair
//! scatter plots where the circles appear.

use grokscope_analysis::Analysis;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::style::*;

/// Up to `count` components in a grid of four columns: PC j at tokens t·δ_j mod p.
pub fn components<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, analysis: &Analysis, count: usize) -> PlotResult {
    area.fill(&WHITE)?;
    let p = analysis.report.task.p;
    let shown = &analysis.report.components[..count.min(analysis.report.components.len())];
    let cols = 4;
    let panels = area.split_evenly((shown.len().div_ceil(cols).max(1), cols));
    for (j, (component, panel)) in shown.iter().zip(&panels).enumerate() {
        let step = component.circle.step.max(1);
        let scores = analysis.pca.scores.column(j);
        let points: Vec<(f64, f64)> = (0..p).map(|t| (t as f64, scores[t * step % p])).collect();
        let (lo, hi) = range(points.iter().map(|&(_, y)| y));
        let title = format!("PC {} · δ = {} · {:.0}%", j + 1, step, 100.0 * component.explained_variance_ratio);
        let mut chart = ChartBuilder::on(panel)
            .caption(title, label_style())
            .margin(8)
            .x_label_area_size(40)
            .y_label_area_size(44)
            .build_cartesian_2d(0.0..p as f64, padded(lo, hi))?;
        chart
            .configure_mesh()
            .x_desc(format!("t (token t·{step} mod {p})"))
            .x_labels(4)
            .y_labels(4)
            .x_label_formatter(&|v| format!("{}", *v as usize))
            .label_style(small_style())
            .axis_desc_style(small_style())
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(235, 235, 235))
            .draw()?;
        chart.draw_series(LineSeries::new(points.clone(), DEEP_BLUE.stroke_width(2)))?;
        chart.draw_series(points.iter().map(|&pt| Circle::new(pt, 2, DEEP_BLUE.filled())))?;
    }
    Ok(())
}

/// Scatter plots of PC i against PC j for i < j among the first `count` components, in a
/// triangle: the paper's circles are the pairs (1, 2), (3, 4), …. Tokens are coloured by
/// index (viridis), so the order around a circle shows its step.
pub fn circles<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, analysis: &Analysis, count: usize) -> PlotResult {
    area.fill(&WHITE)?;
    let p = analysis.report.task.p;
    // On a narrow area, fewer and larger panels.
    let count = if area.dim_in_pixel().0 < 700 { count.min(4) } else { count };
    let k = count.min(analysis.pca.len());
    if k < 2 {
        area.draw(&Text::new("Fewer than two principal components.", (20, 30), label_style()))?;
        return Ok(());
    }
    let panels = area.split_evenly((k - 1, k - 1));
    for i in 0..k - 1 {
        for j in i + 1..k {
            let panel = &panels[i * (k - 1) + (j - 1)];
            let (x, y) = (analysis.pca.scores.column(i), analysis.pca.scores.column(j));
            let (xl, xh) = range(x[..p].iter().copied());
            let (yl, yh) = range(y[..p].iter().copied());
            let mut chart = ChartBuilder::on(panel)
                .caption(format!("PC {} vs PC {}", i + 1, j + 1), small_style())
                .margin(4)
                .build_cartesian_2d(padded(xl, xh), padded(yl, yh))?;
            chart.plotting_area().fill(&RGBColor(248, 248, 248))?;
            chart.draw_series((0..p).map(|t| Circle::new((x[t], y[t]), 3, viridis(t as f64, 0.0, p as f64 - 1.0).filled())))?;
        }
    }
    Ok(())
}
