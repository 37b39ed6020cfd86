//! A p × p heatmap with a colour bar: the building block of the logit and attention charts.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::style::*;

/// `value(x, y)` for x, y in 0..n, viridis between the values' extremes, with axis names and
/// a colour bar.
pub fn heatmap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    n: usize,
    (x_desc, y_desc): (&str, &str),
    value: impl Fn(usize, usize) -> f64,
) -> PlotResult {
    let (lo, hi) = range((0..n * n).map(|i| value(i % n, i / n)));
    let bar_width = 70.min(area.dim_in_pixel().0 / 5);
    let (map_area, bar_area) = area.split_horizontally(area.dim_in_pixel().0 - bar_width);
    let mut chart = ChartBuilder::on(&map_area)
        .caption(title, title_style())
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..n as f64, 0.0..n as f64)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(6)
        .y_labels(6)
        .label_style(small_style())
        .axis_desc_style(label_style())
        .x_label_formatter(&|v| format!("{}", *v as usize))
        .y_label_formatter(&|v| format!("{}", *v as usize))
        .draw()?;
    // A cell without a value (NaN) stays blank.
    chart.draw_series(
        (0..n * n)
            .map(|i| (i % n, i / n))
            .filter(|&(x, y)| value(x, y).is_finite())
            .map(|(x, y)| Rectangle::new([(x as f64, y as f64), (x as f64 + 1.0, y as f64 + 1.0)], viridis(value(x, y), lo, hi).filled())),
    )?;
    colour_bar(&bar_area, lo, hi)
}

/// A vertical viridis bar labelled with its extremes.
pub(crate) fn colour_bar<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, lo: f64, hi: f64) -> PlotResult {
    let h = area.dim_in_pixel().1;
    let (top, bottom) = (50i32, h as i32 - 50);
    let steps = 32;
    for k in 0..steps {
        let y0 = bottom - (bottom - top) * k / steps;
        let y1 = bottom - (bottom - top) * (k + 1) / steps;
        let colour = viridis(lo + (hi - lo) * (k as f64 + 0.5) / steps as f64, lo, hi);
        area.draw(&Rectangle::new([(8, y1), (24, y0)], colour.filled()))?;
    }
    area.draw(&Rectangle::new([(8, top), (24, bottom)], INK.stroke_width(1)))?;
    let label = |v: f64| if v.abs() >= 100.0 || (v != 0.0 && v.abs() < 0.01) { format!("{v:.1e}") } else { format!("{v:.2}") };
    area.draw(&Text::new(label(hi), (28, top - 6), small_style()))?;
    area.draw(&Text::new(label(lo), (28, bottom - 6), small_style()))?;
    Ok(())
}
