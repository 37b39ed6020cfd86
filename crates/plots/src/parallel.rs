//! The parallel circles (docs/science.md §4.5): what each isolated circle (PC pair) does alone,
//! a bar per circle coloured and named by the template that explains it, and the accuracy with
//! the first n circles kept as a line, against the whole model's accuracy.

use grokscope_analysis::Report;
use grokscope_analysis::isolation::CircleReading;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::style::*;

pub const SIZE: (u32, u32) = (960, 480);
/// The legend's strip at the right, clear of the bars.
const LEGEND_WIDTH: u32 = 250;

/// The colour of a circle's bar by its reading, and the word written over it (so the reading
/// never rests on colour alone).
fn look(reading: Option<CircleReading>) -> (RGBColor, &'static str) {
    match reading {
        Some(CircleReading::Pizza) => (ORANGE, "Pizza"),
        Some(CircleReading::Clock) => (DEEP_BLUE, "Clock"),
        Some(CircleReading::AccompanyingPizza) => (PURPLE, "acc. Pizza"),
        None => (GREY, "none"),
    }
}

pub fn parallel_circles<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, report: &Report) -> PlotResult {
    area.fill(&WHITE)?;
    let n = report.circles.len();
    let (plot, strip) = area.split_horizontally(area.dim_in_pixel().0.saturating_sub(LEGEND_WIDTH));
    let mut chart = ChartBuilder::on(&plot)
        .caption("Parallel circles: each alone, and the first n kept", title_style())
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(60)
        .build_cartesian_2d(0.4..n as f64 + 0.6, 0.0..1.36)?;
    axes_with(
        &mut chart,
        ("circle n (PC pair 2n−1, 2n)", "accuracy over all pairs"),
        &|v| if (v - v.round()).abs() < 1e-9 && *v >= 1.0 { format!("{}", v.round() as i64) } else { String::new() },
        &|v| if *v <= 1.0 { tidy(*v) } else { String::new() },
    )?;
    let full = report.accuracy;
    chart.draw_series(DashedLineSeries::new([(0.4, full), (n as f64 + 0.6, full)], 6, 4, GREY.stroke_width(2)))?;
    for (i, c) in report.circles.iter().enumerate() {
        let x = i as f64 + 1.0;
        let (colour, word) = look(c.reading);
        chart.draw_series([Rectangle::new([(x - 0.3, 0.0), (x + 0.3, c.accuracy)], colour.filled())])?;
        // Each column's circle named in a row above every mark (accuracies stop at 1), so
        // neither the bars nor the curve run through the words.
        chart.draw_series([
            Text::new(format!("k={}", c.frequency), (x - 0.28, 1.3), small_style()),
            Text::new(word.to_string(), (x - 0.28, 1.22), small_style()),
        ])?;
    }
    let kept = report.top_circles_accuracy.iter().enumerate().map(|(i, &a)| (i as f64 + 1.0, a));
    chart.draw_series(LineSeries::new(kept.clone(), INK.stroke_width(2)))?;
    chart.draw_series(kept.map(|at| Circle::new(at, 5, INK.filled())))?;
    let bar = |colour| LineLook { colour, dashed: false, marker: None };
    let entries = [
        ("alone, Pizza-like", bar(ORANGE)),
        ("alone, Clock-like", bar(DEEP_BLUE)),
        ("alone, accompanying Pizza", bar(PURPLE)),
        ("alone, no template ≥ 0.5 FVE", bar(GREY)),
        ("circles 1..n kept", LineLook { colour: INK, dashed: false, marker: Some(Marker::FilledCircle) }),
        ("whole model", LineLook { colour: GREY, dashed: true, marker: None }),
    ];
    legend(&strip, &entries, &small_style(), Corner::Right)
}

/// The chart's numbers in words.
pub fn summary(report: &Report) -> String {
    let circles: Vec<String> = report
        .circles
        .iter()
        .map(|c| format!("PC {}-{} (k = {}) {:.3}, {}", c.components[0], c.components[1], c.frequency, c.accuracy, look(c.reading).1))
        .collect();
    let kept: Vec<String> = report.top_circles_accuracy.iter().map(|a| format!("{a:.3}")).collect();
    format!(
        "Accuracy of each isolated circle alone: {}. With circles 1..n kept, n = 1..{}: {}; the whole model {:.3}.",
        circles.join("; "),
        kept.len(),
        kept.join(", "),
        report.accuracy
    )
}
