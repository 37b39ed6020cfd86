//! Progress measures over training (docs/operations.md), on the loss curves' step axis: the
//! Fourier measures of W_E and W_L on the left, the losses with Nanda et al.'s restricted and
//! excluded loss on the right, the grokking stages marked on both, and the step whose weights
//! are analysed (the scrub bar's) as a cursor.

use grokscope_analysis::progress::{Evaluation, ProgressMeasures, Stages};
use grokscope_core::Snapshot;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::curves::{SIDE_BY_SIDE_MIN_WIDTH, chart, nearest_step, step_axis};
use crate::style::*;

pub const SIZE: (u32, u32) = (1100, 460);

/// One curve: its label, its look, and its value (none where not measured).
struct Line {
    label: &'static str,
    look: LineLook,
    value: fn(&Evaluation) -> Option<f64>,
}

const fn look(colour: RGBColor, dashed: bool) -> LineLook {
    LineLook { colour, dashed, marker: None }
}

fn measure(e: &Evaluation, f: fn(&ProgressMeasures) -> Option<f64>) -> Option<f64> {
    e.progress.as_ref().and_then(f)
}

/// FFD and FCR solid, Gini dashed; W_E in blues, W_L in oranges, the character basis purple (each
/// also named in the legend).
const FOURIER: [Line; 7] = [
    Line { label: "FFD W_E", look: look(DEEP_BLUE, false), value: |e| measure(e, |m| Some(m.ffd_we)) },
    Line { label: "FCR W_E", look: look(SKY_BLUE, false), value: |e| measure(e, |m| Some(m.fcr_we)) },
    Line { label: "FFD W_L", look: look(VERMILLION, false), value: |e| measure(e, |m| m.ffd_wl) },
    Line { label: "FCR W_L", look: look(ORANGE, false), value: |e| measure(e, |m| m.fcr_wl) },
    Line { label: "Gini W_E", look: look(DEEP_BLUE, true), value: |e| measure(e, |m| Some(m.gini_we)) },
    Line { label: "Gini W_L", look: look(VERMILLION, true), value: |e| measure(e, |m| m.gini_wl) },
    Line { label: "Gini W_E, characters", look: look(PURPLE, true), value: |e| measure(e, |m| m.multiplicative_gini_we) },
];

const LOSSES: [Line; 4] = [
    Line { label: "train loss", look: look(TRAIN, false), value: |e| Some(e.snapshot.train_loss) },
    Line { label: "test loss", look: look(TEST, false), value: |e| Some(e.snapshot.test_loss) },
    Line { label: "restricted (train)", look: look(TEAL, true), value: |e| measure(e, |m| m.restricted_loss_train) },
    Line { label: "excluded (train)", look: look(PURPLE, true), value: |e| measure(e, |m| m.excluded_loss_train) },
];

/// Both panels where the restricted and excluded loss were measured (the command line); the
/// Fourier panel alone where they were not (the notebook, whose loss curves are just above, on
/// the same step axis). `cursor`: the step analysed, marked on each panel.
pub fn progress<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, evaluations: &[Evaluation], cursor: Option<usize>) -> PlotResult {
    area.fill(&WHITE)?;
    let (w, h) = area.dim_in_pixel();
    let circuit = evaluations.iter().any(|e| LOSSES[2..].iter().any(|l| (l.value)(e).is_some()));
    let (left, right) = if !circuit {
        (area.clone(), None)
    } else {
        let (left, right) = if w >= SIDE_BY_SIDE_MIN_WIDTH { area.split_horizontally(w / 2) } else { area.split_vertically(h / 2) };
        (left, Some(right))
    };
    let steps = step_axis(evaluations.last().map(|e| e.snapshot.step));
    let snapshots: Vec<Snapshot> = evaluations.iter().map(|e| e.snapshot.clone()).collect();
    let stages = Stages::of(&snapshots);

    let mut panel = chart(&left, "Fourier progress measures", steps.clone(), 0.0..1.02)?;
    axes(&mut panel, "step", "measure")?;
    mark_stages(&mut panel, stages, 1.02)?;
    mark_cursor(&mut panel, cursor, 1.02)?;
    let fourier = draw_lines(&mut panel, &FOURIER, evaluations, |v| v)?;
    legend(&panel.plotting_area().strip_coord_spec(), &fourier, &small_style(), Corner::Right)?;

    let Some(right) = right else { return Ok(()) };
    let floor = 1e-8;
    let (lo, hi) = range(evaluations.iter().flat_map(|e| LOSSES.iter().filter_map(|l| (l.value)(e))).filter(|&v| v > 0.0));
    let axis = log_axis(lo.max(floor) * 0.8..hi.max(lo * 1.01).max(floor * 10.0) * 1.5);
    let top = axis.end;
    let mut panel = chart(&right, "Loss, restricted and excluded (log scale)", steps, axis.log_scale())?;
    axes(&mut panel, "step", "cross-entropy")?;
    mark_stages(&mut panel, stages, top)?;
    mark_cursor(&mut panel, cursor, top)?;
    let losses = draw_lines(&mut panel, &LOSSES, evaluations, |v| v.max(floor))?;
    legend(&panel.plotting_area().strip_coord_spec(), &losses, &small_style(), Corner::LowerRight)?;
    Ok(())
}

/// The index of the evaluation nearest the step under pixel `x` of the notebook's `progress`
/// chart (its Fourier panel alone), `width` pixels wide: for a hover read-out.
pub fn evaluation_at(width: u32, x: i32, evaluations: &[Evaluation]) -> Option<usize> {
    nearest_step(width, x, &evaluations.iter().map(|e| e.snapshot.step).collect::<Vec<_>>())
}

/// The measures of `e` in words: the chart's text (of the latest) for those who cannot see it,
/// and its hover read-out.
pub fn summary(e: &Evaluation) -> String {
    let Some(m) = &e.progress else { return String::new() };
    let pair = |we: f64, wl: Option<f64>| match wl {
        Some(wl) => format!("{we:.3} (W_E) and {wl:.3} (W_L)"),
        None => format!("{we:.3} (W_E)"),
    };
    let mut text = format!(
        "At step {}: Fourier frequency density {}, coefficient ratio {}, Gini {}",
        e.snapshot.step,
        pair(m.ffd_we, m.ffd_wl),
        pair(m.fcr_we, m.fcr_wl),
        pair(m.gini_we, m.gini_wl)
    );
    if let Some(g) = m.multiplicative_gini_we {
        text += &format!("; Gini in the character basis {g:.3}");
    }
    if !m.key_frequencies.is_empty() {
        let keys: Vec<String> = m.key_frequencies.iter().map(usize::to_string).collect();
        text += &format!("; key frequencies {}", keys.join(", "));
    }
    text + "."
}

/// Draws the lines that have values; returns those drawn, as legend entries.
fn draw_lines<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
    lines: &[Line],
    evaluations: &[Evaluation],
    clamp: impl Fn(f64) -> f64,
) -> Result<Vec<(&'static str, LineLook)>, PlotError> {
    let mut drawn = Vec::new();
    for line in lines {
        let points: Vec<(f64, f64)> =
            evaluations.iter().filter_map(|e| (line.value)(e).map(|v| (e.snapshot.step as f64, clamp(v)))).collect();
        if points.is_empty() {
            continue;
        }
        let style = line.look.colour.stroke_width(2);
        if line.look.dashed {
            chart.draw_series(DashedLineSeries::new(points, 6, 4, style))?;
        } else {
            chart.draw_series(LineSeries::new(points, style))?;
        }
        drawn.push((line.label, line.look));
    }
    Ok(drawn)
}

/// A solid vertical at the step analysed, named at the bottom.
fn mark_cursor<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
    cursor: Option<usize>,
    top: f64,
) -> PlotResult {
    let Some(step) = cursor else { return Ok(()) };
    let (x, bottom) = (step as f64, chart.y_range().start);
    let side = label_side(chart, x);
    chart.draw_series(LineSeries::new([(x, bottom), (x, top)], BLACK.stroke_width(2)))?;
    let label = format!(" analysed: step {step} ");
    chart.draw_series([EmptyElement::at((x, bottom)) + Text::new(label, (0, -4), small_style().pos(Pos::new(side, VPos::Bottom)))])?;
    Ok(())
}

/// Which side of a vertical at step `x` its label goes: near the right edge it ends there.
fn label_side<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    chart: &ChartContext<'_, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
    x: f64,
) -> HPos {
    let right = chart.plotting_area().get_pixel_range().0.end;
    if chart.backend_coord(&(x, chart.y_range().start)).0 > right - 110 { HPos::Right } else { HPos::Left }
}

/// Dotted verticals where memorisation and generalisation end, named at the top.
fn mark_stages<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
    stages: Stages,
    top: f64,
) -> PlotResult {
    let bottom = chart.y_range().start;
    // Two stages close together: the second label goes a line lower, not over the first.
    let close = match (stages.memorised, stages.generalised) {
        (Some(a), Some(b)) => (chart.backend_coord(&(b as f64, top)).0 - chart.backend_coord(&(a as f64, top)).0).abs() < 100,
        _ => false,
    };
    for (i, (step, label)) in [(stages.memorised, "train ≥ 0.95"), (stages.generalised, "test ≥ 0.95")].into_iter().enumerate() {
        let Some(step) = step else { continue };
        let x = step as f64;
        let below = if close && i == 1 { SMALL_SIZE as i32 + 4 } else { 0 };
        let side = label_side(chart, x);
        chart.draw_series(DashedLineSeries::new([(x, bottom), (x, top)], 2, 4, GREY.stroke_width(1)))?;
        chart.draw_series([EmptyElement::at((x, top)) + Text::new(label, (0, below), small_style().pos(Pos::new(side, VPos::Top)))])?;
    }
    Ok(())
}
