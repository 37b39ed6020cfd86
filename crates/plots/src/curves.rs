//! Loss and accuracy against step, train and test; several runs overlaid (`compare`).

use grokscope_analysis::progress::Evaluation;
use grokscope_core::Snapshot;
use plotters::coord::Shift;
use plotters::coord::ranged1d::AsRangedCoord;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::style::*;

/// Below this width the two panels stack.
pub const SIDE_BY_SIDE_MIN_WIDTH: u32 = 640;
// Each panel's layout, in pixels: what `snapshot_at` inverts.
const MARGIN: u32 = 12;
const MARGIN_RIGHT: u32 = 28;
const X_LABELS: u32 = 40;
const Y_LABELS: u32 = 60;

/// The step axis spans at least this many steps, so that an empty or one-step run still gets
/// distinct whole-number ticks.
const MIN_STEP_AXIS: usize = 10;

/// Line colours of a mixture's operations, in turn (Okabe-Ito, apart from train's and test's).
const TASK_COLOURS: [RGBColor; 5] = [TEAL, ORANGE, PURPLE, SKY_BLUE, INK];

/// Two panels, cross-entropy (log scale if `log_loss`) and accuracy: side by side, or one
/// above the other on a narrow area. For a mixture (snapshots with `per_task`) train and test
/// are the operations' means, and the accuracy panel adds each operation's test accuracy,
/// labelled by `tasks` (the operations' formulas, in `Task::operations` order).
pub fn curves<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, snapshots: &[Snapshot], tasks: &[String], log_loss: bool) -> PlotResult {
    area.fill(&WHITE)?;
    let (w, h) = area.dim_in_pixel();
    let (left, right) = if w >= SIDE_BY_SIDE_MIN_WIDTH { area.split_horizontally(w / 2) } else { area.split_vertically(h / 2) };
    let steps = step_axis(snapshots.last().map(|s| s.step));
    let loss = |s: &Snapshot| [s.train_loss, s.test_loss];
    let (lo, hi) = range(snapshots.iter().flat_map(loss).filter(|&v| !log_loss || v > 0.0));
    if log_loss {
        // "log scale" in the title: the axis label must fit the height of a small panel.
        let mut chart =
            chart(&left, "Loss (log scale)", steps.clone(), log_axis(lo.max(1e-8) * 0.8..hi.max(lo * 1.01) * 1.25).log_scale())?;
        axes(&mut chart, "step", "cross-entropy")?;
        series(&mut chart, snapshots, |s| s.train_loss.max(lo.max(1e-8)), |s| s.test_loss.max(lo.max(1e-8)), &[], Corner::UpperRight)?;
    } else {
        let mut chart = chart(&left, "Loss", steps.clone(), 0.0..hi.max(1e-6) * 1.05)?;
        axes(&mut chart, "step", "cross-entropy")?;
        series(&mut chart, snapshots, |s| s.train_loss, |s| s.test_loss, &[], Corner::UpperRight)?;
    }
    // Loss ends low and accuracy high on the right: the legends go where the curves end up not being.
    let mut chart = chart(&right, "Accuracy", steps, 0.0..1.02)?;
    axes(&mut chart, "step", "accuracy")?;
    let each: Vec<(String, LineLook)> = per_task_labels(snapshots, tasks)
        .iter()
        .enumerate()
        .map(|(i, label)| {
            (format!("test, {label}"), LineLook { colour: TASK_COLOURS[i % TASK_COLOURS.len()], dashed: false, marker: None })
        })
        .collect();
    for (i, (_, look)) in each.iter().enumerate() {
        let points = snapshots.iter().filter_map(|s| Some((s.step as f64, s.per_task.get(i)?.test_acc)));
        chart.draw_series(LineSeries::new(points, look.colour.stroke_width(1)))?;
    }
    let more: Vec<(&str, LineLook)> = each.iter().map(|(label, look)| (label.as_str(), *look)).collect();
    series(&mut chart, snapshots, |s| s.train_acc, |s| s.test_acc, &more, Corner::LowerRight)?;
    Ok(())
}

/// The labels of a mixture's operations if the snapshots have one entry per operation, else none.
fn per_task_labels<'a>(snapshots: &[Snapshot], tasks: &'a [String]) -> &'a [String] {
    match snapshots.last() {
        Some(s) if tasks.len() > 1 && s.per_task.len() == tasks.len() => tasks,
        _ => &[],
    }
}

/// The curves in words: the chart's text for those who cannot see it. `tasks` as `curves` takes them.
pub fn summary(snapshots: &[Snapshot], tasks: &[String]) -> String {
    let Some(last) = snapshots.last() else { return "Loss and accuracy over training: no step yet.".into() };
    // Where test accuracy first reached its best, to a thousandth: when the model generalised.
    let best = snapshots.iter().map(|s| s.test_acc).fold(0.0, f64::max);
    let reached = snapshots.iter().find(|s| s.test_acc >= best - 5e-4).map_or(0, |s| s.step);
    let labels = per_task_labels(snapshots, tasks);
    let each: Vec<String> = labels.iter().zip(&last.per_task).map(|(label, s)| format!("{label} {:.3}", s.test_acc)).collect();
    let mean = if labels.is_empty() { "" } else { ", the mean over the operations" };
    let each = if labels.is_empty() { String::new() } else { format!(" Test accuracy of each operation: {}.", each.join(", ")) };
    format!(
        "Loss and accuracy over {} steps{mean}. At step {}: train loss {:.4}, test loss {:.4}, train accuracy {:.3}, test accuracy {:.3}; best test accuracy {:.3}, first at step {}.{each}",
        last.step, last.step, last.train_loss, last.test_loss, last.train_acc, last.test_acc, best, reached
    )
}

/// The index of the snapshot nearest the step under pixel `x` of a `curves` chart `width`
/// pixels wide (in either panel), or `None` off the plot areas: for a hover read-out.
pub fn snapshot_at(width: u32, x: i32, snapshots: &[Snapshot]) -> Option<usize> {
    let panel = if width >= SIDE_BY_SIDE_MIN_WIDTH { width / 2 } else { width };
    nearest_step(panel, x, &snapshots.iter().map(|s| s.step).collect::<Vec<_>>())
}

/// The index of the step of `steps` (ascending) nearest the step under pixel `x`, on a step
/// axis laid out by `chart` in panels `panel` pixels wide side by side, or `None` off the plot
/// areas.
pub(crate) fn nearest_step(panel: u32, x: i32, steps: &[usize]) -> Option<usize> {
    let last = steps.last()?.max(&MIN_STEP_AXIS);
    let x = (x.max(0) as u32) % panel.max(1);
    let (x0, x1) = (MARGIN + Y_LABELS, panel.saturating_sub(MARGIN_RIGHT));
    if x < x0 || x > x1 || x1 <= x0 {
        return None;
    }
    let step = (x - x0) as f64 / (x1 - x0) as f64 * *last as f64;
    (0..steps.len()).min_by(|&a, &b| (steps[a] as f64 - step).abs().total_cmp(&(steps[b] as f64 - step).abs()))
}

/// The step axis of every chart over training: from 0 to the last step (at least
/// `MIN_STEP_AXIS`).
pub(crate) fn step_axis(last: Option<usize>) -> std::ops::Range<f64> {
    0.0..last.map_or(MIN_STEP_AXIS, |s| s.max(MIN_STEP_AXIS)) as f64
}

/// A panel of a chart over training, laid out as `nearest_step` inverts.
pub(crate) fn chart<'a, DB: DrawingBackend, Y: AsRangedCoord<Value = f64>>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    x: std::ops::Range<f64>,
    y: Y,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y::CoordDescType>>, PlotError> {
    Ok(ChartBuilder::on(area)
        .caption(title, title_style())
        .margin(MARGIN)
        .margin_right(MARGIN_RIGHT)
        .x_label_area_size(X_LABELS)
        .y_label_area_size(Y_LABELS)
        .build_cartesian_2d(x, y)?)
}

/// Train: solid line, filled circles. Test: dashed line, hollow triangles. `more` adds legend
/// entries for lines drawn apart.
fn series<'a, DB: DrawingBackend + 'a, Y: Ranged<ValueType = f64>>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y>>,
    snapshots: &[Snapshot],
    train: impl Fn(&Snapshot) -> f64,
    test: impl Fn(&Snapshot) -> f64,
    more: &[(&str, LineLook)],
    legend_at: Corner,
) -> PlotResult {
    let every = (snapshots.len() / 12).max(1);
    let train_pts: Vec<(f64, f64)> = snapshots.iter().map(|s| (s.step as f64, train(s))).collect();
    let test_pts: Vec<(f64, f64)> = snapshots.iter().map(|s| (s.step as f64, test(s))).collect();
    chart.draw_series(LineSeries::new(train_pts.clone(), TRAIN.stroke_width(2)))?;
    chart.draw_series(DashedLineSeries::new(test_pts.clone(), 6, 4, TEST.stroke_width(2)))?;
    chart.draw_series(train_pts.iter().step_by(every).map(|&p| Circle::new(p, 4, TRAIN.filled())))?;
    chart.draw_series(test_pts.iter().step_by(every).map(|&p| TriangleMarker::new(p, 5, TEST.stroke_width(2))))?;
    let train = LineLook { colour: TRAIN, dashed: false, marker: Some(Marker::FilledCircle) };
    let test = LineLook { colour: TEST, dashed: true, marker: Some(Marker::HollowTriangle) };
    let entries: Vec<(&str, LineLook)> = [("train", train), ("test", test)].into_iter().chain(more.iter().copied()).collect();
    legend(&chart.plotting_area().strip_coord_spec(), &entries, &label_style(), legend_at)
}

/// One run of a comparison: its legend label and its evaluations.
pub struct Compared<'a> {
    pub label: &'a str,
    pub evaluations: &'a [Evaluation],
}

/// Line colours of compared runs, in turn (Okabe-Ito).
const RUN_COLOURS: [RGBColor; 7] = [DEEP_BLUE, VERMILLION, TEAL, ORANGE, PURPLE, SKY_BLUE, INK];

/// Several runs overlaid, a colour each, test solid and train dashed: accuracy, loss (log
/// scale), and the embedding's Fourier frequency density where the runs measured it. Side by
/// side on a wide area, stacked on a narrow one; the legend names the runs.
pub fn compare<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, runs: &[Compared]) -> PlotResult {
    area.fill(&WHITE)?;
    let with_ffd = runs.iter().any(|r| r.evaluations.iter().any(|e| e.progress.is_some()));
    let n = if with_ffd { 3 } else { 2 };
    // The legend in a strip of its own above the panels: long run names would cover the curves.
    let rows = runs.len() as u32 + 2;
    let (strip, body) = area.split_vertically(rows * (SMALL_SIZE as u32 + 8) + 16);
    let (w, _) = area.dim_in_pixel();
    let panels = if w >= SIDE_BY_SIDE_MIN_WIDTH * 3 / 2 { body.split_evenly((1, n)) } else { body.split_evenly((n, 1)) };
    let steps = step_axis(runs.iter().filter_map(|r| r.evaluations.last()).map(|e| e.snapshot.step).max());
    let colour = |i: usize| RUN_COLOURS[i % RUN_COLOURS.len()];
    // Test solid, train dashed and thinner, in the run's colour.
    let overlay =
        |chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, value: fn(&Snapshot) -> (f64, f64)| -> PlotResult {
            for (i, run) in runs.iter().enumerate() {
                let points = || run.evaluations.iter().map(|e| (e.snapshot.step as f64, value(&e.snapshot)));
                chart.draw_series(LineSeries::new(points().map(|(x, (test, _))| (x, test)), colour(i).stroke_width(2)))?;
                chart.draw_series(DashedLineSeries::new(points().map(|(x, (_, train))| (x, train)), 6, 4, colour(i).stroke_width(1)))?;
            }
            Ok(())
        };
    let mut entries: Vec<(&str, LineLook)> =
        runs.iter().enumerate().map(|(i, r)| (r.label, LineLook { colour: colour(i), dashed: false, marker: None })).collect();
    entries.push(("test: solid", LineLook { colour: GREY, dashed: false, marker: None }));
    entries.push(("train: dashed", LineLook { colour: GREY, dashed: true, marker: None }));
    legend(&strip, &entries, &small_style(), Corner::UpperRight)?;
    let mut accuracy = chart(&panels[0], "Accuracy", steps.clone(), 0.0..1.02)?;
    axes(&mut accuracy, "step", "accuracy")?;
    overlay(&mut accuracy, |s| (s.test_acc, s.train_acc))?;
    let losses =
        runs.iter().flat_map(|r| r.evaluations.iter().flat_map(|e| [e.snapshot.test_loss, e.snapshot.train_loss])).filter(|&v| v > 0.0);
    let (lo, hi) = range(losses);
    let floor = lo.max(1e-8);
    let mut loss = chart(&panels[1], "Loss (log scale)", steps.clone(), log_axis(floor * 0.8..hi.max(floor * 1.01) * 1.25).log_scale())?;
    axes(&mut loss, "step", "cross-entropy")?;
    for (i, run) in runs.iter().enumerate() {
        let points = |f: fn(&Snapshot) -> f64| run.evaluations.iter().map(move |e| (e.snapshot.step as f64, f(&e.snapshot).max(floor)));
        loss.draw_series(LineSeries::new(points(|s| s.test_loss), colour(i).stroke_width(2)))?;
        loss.draw_series(DashedLineSeries::new(points(|s| s.train_loss), 6, 4, colour(i).stroke_width(1)))?;
    }
    if with_ffd {
        let mut ffd = chart(&panels[2], "FFD of W_E", steps, 0.0..1.02)?;
        axes(&mut ffd, "step", "FFD")?;
        for (i, run) in runs.iter().enumerate() {
            let points = run.evaluations.iter().filter_map(|e| Some((e.snapshot.step as f64, e.progress.as_ref()?.ffd_we)));
            ffd.draw_series(LineSeries::new(points, colour(i).stroke_width(2)))?;
        }
    }
    Ok(())
}

/// The comparison in words: the chart's text for those who cannot see it.
pub fn compare_summary(runs: &[Compared]) -> String {
    let each: Vec<String> = runs
        .iter()
        .map(|r| match r.evaluations.last() {
            Some(e) => format!(
                "{}: test accuracy {:.3}, test loss {:.4} at step {}",
                r.label, e.snapshot.test_acc, e.snapshot.test_loss, e.snapshot.step
            ),
            None => format!("{}: not trained yet", r.label),
        })
        .collect();
    let n = runs.len();
    format!("{n} run{} overlaid. {}.", if n == 1 { "" } else { "s" }, each.join("; "))
}
