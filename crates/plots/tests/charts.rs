//! Every chart rendered to SVG and read back: the marks it must contain, not only that it
//! exists. The hand-built Clock and Pizza give patterns known in advance: Pizza logits constant
//! along rows, Clock along columns; p dots per scatter panel and all 12 PC panels; key frequencies
//! named; the verdict in the read-out; constant attention at α = 0; division's b = 0 column blank;
//! train and test told apart by marker and dash, not colour alone; numbers on a log loss axis
//! spanning less than a decade; a mixture's line per operation; compared runs each named in their
//! colour; the progress chart's cursor where hovering finds it; multiplication's logits by
//! discrete log; neurons by frequency and phase.

use grokscope_analysis::isolation::CircleReading;
use grokscope_analysis::{Analysis, analyze, ideal};
use grokscope_core::device::Backend;
use grokscope_core::model::{ModelConfig, TransformerConfig};
use grokscope_core::{Operation, RunConfig, Snapshot, Task};
use grokscope_plots::Chart;
use grokscope_plots::style::viridis;
use grokscope_plots::svg::render;
use pollster::block_on;

const P: usize = 31;
const FREQUENCIES: [usize; 2] = [3, 11];

fn pizza() -> Analysis {
    let (run, weights) = ideal::pizza(P, FREQUENCIES);
    block_on(analyze(&run, &weights, None, &Backend::CPU.device())).unwrap()
}

fn clock() -> Analysis {
    let (run, weights) = ideal::clock(P, FREQUENCIES);
    block_on(analyze(&run, &weights, None, &Backend::CPU.device())).unwrap()
}

/// Every `<tag …>` element's `attr` values, in drawing order.
fn attributes(svg: &str, tag: &str, attr: &str) -> Vec<String> {
    svg.split(&format!("<{tag} "))
        .skip(1)
        .filter_map(|el| {
            let el = &el[..el.find('>').unwrap_or(el.len())];
            let start = el.find(&format!(" {attr}=\"")).or_else(|| el.starts_with(&format!("{attr}=\"")).then_some(0))?;
            let rest = &el[start..];
            let rest = &rest[rest.find('"')? + 1..];
            Some(rest[..rest.find('"')?].to_string())
        })
        .collect()
}

fn texts(svg: &str) -> String {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>').map(|(_, rest)| rest.split('<').next().unwrap_or("")))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The p² heatmap cells: the `<rect>`s of cell size, in drawing order (row by row from y = 0).
fn cells(svg: &str) -> Vec<String> {
    let mut out = cell_sized(svg);
    // The colour bar's 32 steps come after the cells.
    out.truncate(P * P);
    out
}

/// The fills of every `<rect>` of a heatmap cell's size: every panel's cells and colour bars.
fn cell_sized(svg: &str) -> Vec<String> {
    let fills = attributes(svg, "rect", "fill");
    let widths = attributes(svg, "rect", "width");
    let cell = widths.iter().filter_map(|w| w.parse::<u32>().ok()).filter(|&w| w > 0).min().unwrap();
    fills
        .into_iter()
        .zip(widths)
        .filter(|(_, w)| w.parse::<u32>().ok() == Some(cell) || w.parse::<u32>().ok() == Some(cell + 1))
        .map(|(f, _)| f)
        .collect()
}

#[test]
fn logit_heatmaps_show_pizza_stripes_and_clock_columns() {
    // Pizza: the correct logit depends on a − b only, so each row (fixed a − b) is one colour.
    let a = pizza();
    let svg = render(Chart::CorrectLogits, &a, &[]).unwrap();
    let c = cells(&svg);
    assert_eq!(c.len(), P * P);
    for y in 0..P {
        assert!(c[y * P..(y + 1) * P].iter().all(|f| *f == c[y * P]), "row {y} of the Pizza's logits is not one colour");
    }
    assert!(c.iter().collect::<std::collections::BTreeSet<_>>().len() > 3, "the rows differ");
    assert!(texts(&svg).contains("(a + b) mod 31") && texts(&svg).contains("(a − b) mod 31"));

    // Clock: it depends on a + b only, so each column is one colour, up to the hand-built
    // multiplier's 1e-4 error tipping a few cells into the next colour.
    let svg = render(Chart::CorrectLogits, &clock(), &[]).unwrap();
    let c = cells(&svg);
    let off_column = (0..P * P).filter(|&i| c[i] != c[i % P]).count();
    let off_row = (0..P * P).filter(|&i| c[i] != c[i / P * P]).count();
    assert!(off_column < P * P / 20 && off_row > P * P / 2, "{off_column} cells differ from their column, {off_row} from their row");
    // Isolated circles have their own charts, rows re-ordered by the circle's step.
    let svg = render(Chart::IsolatedLogits(0), &a, &[]).unwrap();
    assert!(texts(&svg).contains(&format!("(a − b)/{} mod 31", a.report.circles[0].step)));
}

#[test]
fn embedding_charts_draw_every_token_and_component() {
    let a = pizza();
    let svg = render(Chart::Circles, &a, &[]).unwrap();
    // 6 components: 15 pair panels, one dot per token in each.
    assert_eq!(attributes(&svg, "circle", "cx").len(), 15 * P);
    assert!(texts(&svg).contains("PC 1 vs PC 2") && texts(&svg).contains("PC 5 vs PC 6"));
    // Tokens coloured by index with viridis: its two ends are there.
    let fills = attributes(&svg, "circle", "fill");
    let hex = |c: plotters::style::RGBColor| format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
    let (first, last) = (hex(viridis(0.0, 0.0, 1.0)), hex(viridis(1.0, 0.0, 1.0)));
    assert!(fills.contains(&first) && fills.contains(&last), "{first} {last} in {:?}", &fills[..3]);

    let svg = render(Chart::Components, &a, &[]).unwrap();
    let t = texts(&svg);
    for j in 1..=12 {
        assert!(t.contains(&format!("PC {j} ·")), "panel {j} in {t}");
    }
    let step = a.report.components[0].circle.step;
    assert!(t.contains(&format!("PC 1 · δ = {step}")));

    let svg = render(Chart::Fourier, &a, &[]).unwrap();
    let t = texts(&svg);
    assert!(t.contains("k=3") && t.contains("k=11"), "{t}");
    assert!(!t.contains("k=5"));
}

#[test]
fn readout_and_attention() {
    let svg = render(Chart::Readout, &pizza(), &[]).unwrap();
    let t = texts(&svg);
    assert!(t.contains("Verdict: Pizza") && t.contains("gradient symmetricity") && t.contains("circularity"), "{t}");
    let svg = render(Chart::Readout, &clock(), &[]).unwrap();
    assert!(texts(&svg).contains("Verdict: Clock"));
    // On a phone's width the text wraps (each value under its name) into a taller chart, and the
    // gauges below it are still inside.
    let analysis = pizza();
    let (narrow, wide) = (Chart::Readout.height(340, &analysis), Chart::Readout.height(900, &analysis));
    assert!(narrow > wide, "{narrow} vs {wide}");
    let svg = grokscope_plots::svg::to_svg((340, narrow), |area| Chart::Readout.draw(area, &analysis, &[])).unwrap();
    assert!(texts(&svg).contains("Pizza ≥"), "the gauges are drawn");
    let ys: Vec<i32> = attributes(&svg, "text", "y").iter().map(|y| y.parse().unwrap()).collect();
    assert!(ys.iter().all(|&y| y < narrow as i32), "{ys:?} within {narrow}");

    // α = 0: attention is the constant 1, one colour over all inputs.
    let svg = render(Chart::Attention, &pizza(), &[]).unwrap();
    let c = cells(&svg);
    assert_eq!(c.len(), P * P);
    assert!(c.iter().all(|f| *f == c[0]));
    assert!(texts(&svg).contains("head 1"));
}

/// The parallel circles: a bar per isolated circle in its reading's colour, each named by its
/// frequency and its reading in words (not by colour alone), and a marker per point of the curve
/// of the first n kept (and the legend's one).
#[test]
fn parallel_circles_name_each_circle_and_draw_the_curve() {
    let a = pizza();
    let r = &a.report;
    assert!(!r.circles.is_empty() && r.top_circles_accuracy.len() == r.circles.len(), "{:?}", r.top_circles_accuracy);
    let svg = render(Chart::ParallelCircles, &a, &[]).unwrap();
    let t = texts(&svg);
    for c in &r.circles {
        assert!(t.contains(&format!("k={}", c.frequency)), "{t}");
    }
    // The hand-built Pizza's circles read Pizza, each drawn in the Pizza colour.
    let pizzas = r.circles.iter().filter(|c| c.reading == Some(CircleReading::Pizza)).count();
    assert!(pizzas >= 1 && t.contains("Pizza"), "{:?}", r.circles);
    let orange = attributes(&svg, "rect", "fill").iter().filter(|f| f.as_str() == "#E69F00").count();
    assert_eq!(orange, pizzas);
    assert_eq!(attributes(&svg, "circle", "cx").len(), r.circles.len() + 1);
    assert!(Chart::ParallelCircles.describe(&a, &[]).contains("With circles 1..n kept"));
}

/// Division has no pair with b = 0: its heatmaps over (a, b) leave that column blank, and its
/// spectrum is also drawn in the character basis.
#[test]
fn division_leaves_b_zero_blank() {
    let analysis = |operation| {
        let mut run = RunConfig::paper(1.0);
        run.task = Task::new(operation, P);
        run.model = ModelConfig::Transformer(TransformerConfig { d_model: 16, n_heads: 2, ..TransformerConfig::paper(1.0) });
        let weights = run.model.init_weights(P, 0);
        block_on(analyze(&run, &weights, None, &Backend::CPU.device())).unwrap()
    };
    let (divide, add) = (analysis(Operation::Divide), analysis(Operation::Add));
    assert_eq!(divide.attention[0][0].len(), P * (P - 1));
    // One column of p cells fewer in each of the two heads' panels.
    let drawn = |a: &Analysis| cell_sized(&render(Chart::Attention, a, &[]).unwrap()).len();
    assert_eq!(drawn(&add) - drawn(&divide), 2 * P);
    render(Chart::CorrectLogits, &divide, &[]).unwrap();
    assert!(texts(&render(Chart::Characters, &divide, &[]).unwrap()).contains("multiplicative basis"));
}

#[test]
fn curves_distinguish_train_and_test_without_colour() {
    let history: Vec<Snapshot> = (0..=20)
        .map(|i| {
            let x = i as f64 / 20.0;
            Snapshot {
                step: i * 50,
                train_loss: 4.0 * (-6.0 * x).exp(),
                train_acc: x.min(1.0),
                test_loss: 4.0 * (-3.0 * x).exp(),
                test_acc: (x * 0.8).min(1.0),
                all_acc: x,
                ..Default::default()
            }
        })
        .collect();
    let svg = render(Chart::Curves, &pizza(), &history).unwrap();
    let t = texts(&svg);
    assert!(
        t.contains("train") && t.contains("test") && t.contains("step") && t.contains("Loss (log scale)") && t.contains("cross-entropy"),
        "{t}"
    );
    // Train markers are circles, test markers triangles (polygons), on both panels.
    assert!(attributes(&svg, "circle", "cx").len() >= 2 * 11);
    assert!(attributes(&svg, "polygon", "points").len() >= 2 * 11);
    // The test line is dashed: many short segments in its colour.
    let test_lines = attributes(&svg, "polyline", "stroke").iter().filter(|s| s.as_str() == "#D55E00").count();
    assert!(test_lines > 20, "{test_lines}");
}

/// A loss that stays within one decade (a run's first steps) still has numbers on its log
/// axis: the decade's bounds.
#[test]
fn a_loss_within_one_decade_keeps_its_axis_numbers() {
    use grokscope_plots::curves::curves;
    use grokscope_plots::svg::to_svg;
    let history: Vec<Snapshot> = (0..=4)
        .map(|i| Snapshot { step: i * 100, train_loss: 4.6 - 0.4 * i as f64, test_loss: 4.6 + 0.1 * i as f64, ..Default::default() })
        .collect();
    let svg = to_svg((900, 320), |area| curves(area, &history, &[], true)).unwrap();
    let t = texts(&svg);
    assert!(t.split(" | ").any(|label| label.trim() == "10"), "{t}");
}

/// The `i`-th of eleven evaluations 20 steps apart: train accuracy rising from 0 to 1, test
/// accuracy `test_acc`, each loss falling as its accuracy rises.
fn evaluation(i: usize, test_acc: f64) -> Snapshot {
    let x = i as f64 / 10.0;
    Snapshot {
        step: i * 20,
        train_loss: 4.0 - 3.0 * x,
        train_acc: x,
        test_loss: 4.0 - 3.0 * test_acc,
        test_acc,
        all_acc: test_acc,
        ..Default::default()
    }
}

/// A mixture's accuracy panel adds a line per operation, named by its formula, and its
/// description gives each operation's test accuracy; one operation's curves add nothing.
#[test]
fn a_mixtures_curves_show_each_operation() {
    use grokscope_plots::curves::{curves, summary};
    use grokscope_plots::svg::to_svg;
    let task = Task::new(Operation::Add, P).with_operations("add,subtract").unwrap();
    let history: Vec<Snapshot> = (0..=10)
        .map(|i| {
            let x = i as f64 / 10.0;
            Snapshot { per_task: vec![evaluation(i, x), evaluation(i, x * x)], ..evaluation(i, (x + x * x) / 2.0) }
        })
        .collect();
    let svg = to_svg((900, 320), |area| curves(area, &history, &task.formulas(), true)).unwrap();
    let t = texts(&svg);
    assert!(t.contains("test, a + b") && t.contains("test, a − b"), "{t}");
    let teal = attributes(&svg, "polyline", "stroke").iter().filter(|s| s.as_str() == "#009E73").count();
    assert!(teal >= 1, "{teal}");
    assert!(summary(&history, &task.formulas()).ends_with("Test accuracy of each operation: a + b 1.000, a − b 1.000."));
    let single = to_svg((900, 320), |area| curves(area, &history, &[String::from("a + b")], true)).unwrap();
    assert!(!texts(&single).contains("test, a + b"));
}

#[test]
fn a_comparison_names_every_run_and_draws_each_in_its_colour() {
    use grokscope_analysis::progress::Evaluation;
    use grokscope_plots::curves::{Compared, compare, compare_summary};
    let run = |rate: f64| -> Vec<Evaluation> {
        (0..=10).map(|i| Evaluation { snapshot: evaluation(i, (i as f64 / 10.0 * rate).min(1.0)), progress: None }).collect()
    };
    let (fast, slow) = (run(1.0), run(0.5));
    let runs = [Compared { label: "fast (α 1)", evaluations: &fast }, Compared { label: "slow (α 0)", evaluations: &slow }];
    let svg = grokscope_plots::svg::to_svg((1200, 400), |area| compare(area, &runs)).unwrap();
    let t = texts(&svg);
    assert!(t.contains("fast (α 1)") && t.contains("slow (α 0)") && t.contains("train: dashed") && t.contains("Accuracy"), "{t}");
    // No progress measures: two panels, no FFD.
    assert!(!t.contains("FFD"), "{t}");
    let strokes = attributes(&svg, "polyline", "stroke");
    for colour in ["#0072B2", "#D55E00"] {
        assert!(strokes.iter().any(|s| s == colour), "a line in {colour}");
    }
    assert_eq!(
        compare_summary(&runs),
        "2 runs overlaid. fast (α 1): test accuracy 1.000, test loss 1.0000 at step 200; slow (α 0): test accuracy 0.500, test loss 2.5000 at step 200."
    );
}

/// The analysed step is a cursor on the progress chart, on the loss curves' step axis: hovering
/// its line reads back the evaluation of that step.
#[test]
fn the_progress_chart_marks_the_analysed_step_where_hovering_finds_it() {
    use grokscope_analysis::progress::{Evaluation, ProgressMeasures};
    use grokscope_plots::progress::{evaluation_at, progress};
    let evaluations: Vec<Evaluation> = (0..=20)
        .map(|i| {
            let x = i as f64 / 20.0;
            let snapshot = Snapshot {
                step: i * 10,
                train_loss: 4.0 - 3.9 * x,
                train_acc: x,
                test_loss: 4.0 - 3.0 * x,
                test_acc: x * x,
                all_acc: x,
                ..Default::default()
            };
            let progress = ProgressMeasures { ffd_we: 1.0 - 0.8 * x, fcr_we: 0.5 + 0.4 * x, gini_we: 0.1 + 0.7 * x, ..Default::default() };
            Evaluation { snapshot, progress: Some(progress) }
        })
        .collect();
    let width = 900;
    let svg = grokscope_plots::svg::to_svg((width, 340), |area| progress(area, &evaluations, Some(100))).unwrap();
    let t = texts(&svg);
    assert!(t.contains("analysed: step 100") && t.contains("train ≥ 0.95") && t.contains("FFD W_E"), "{t}");
    // The cursor: the one thick black line (the axes are thin).
    let cursor = svg
        .split("<polyline")
        .find(|p| p.contains(r##"stroke="#000000""##) && p.contains(r#"stroke-width="2""#))
        .expect("a thick black line");
    let points = cursor.split("points=\"").nth(1).unwrap().split('"').next().unwrap();
    let xs: Vec<i32> = points.split_whitespace().map(|p| p.split(',').next().unwrap().parse().unwrap()).collect();
    assert!(xs.len() == 2 && xs[0] == xs[1], "{points}");
    assert_eq!(evaluation_at(width, xs[0], &evaluations), Some(10), "{points}");
    assert_eq!(evaluation_at(width, 5, &evaluations), None, "left of the plot area");
}

/// Over the discrete logs, a function of log a + log b (what a model that multiplies through
/// logs computes) is constant along the diagonals, which the heatmap shows as stripes; the
/// chart of a multiplication model is drawn so.
#[test]
fn multiplication_logits_are_laid_out_by_discrete_log() {
    use grokscope_analysis::progress::FourierBasis;
    use grokscope_plots::logits::correct_logits_by_log;
    let task = Task::new(Operation::Multiply, P);
    let basis = FourierBasis::multiplicative(P).unwrap();
    let log = |t: u32| basis.positions()[t as usize];
    let values: Vec<f64> = (0..task.num_pairs())
        .map(|i| {
            let (a, b) = task.pair(i);
            match (log(a), log(b)) {
                (Some(x), Some(y)) => (std::f64::consts::TAU * ((x + y) % (P - 1)) as f64 / (P - 1) as f64).cos(),
                _ => 5.0,
            }
        })
        .collect();
    let svg = grokscope_plots::svg::to_svg((640, 560), |area| correct_logits_by_log(area, "by log", &values, &task).unwrap()).unwrap();
    let n = P - 1;
    // The map's cells come first; the colour bar's may follow.
    let mut fills = cell_sized(&svg);
    assert!(fills.len() >= n * n);
    fills.truncate(n * n);
    let cell = |r: usize, c: usize| &fills[r * n + c];
    let along = |dc: isize| (1..n).all(|r| (0..n).all(|c| cell(r, c) == cell(r - 1, (c as isize + dc).rem_euclid(n as isize) as usize)));
    assert!(along(1) || along(-1), "constant along a diagonal");
    assert!(fills.iter().any(|f| *f != fills[0]), "not flat");
    assert!(texts(&svg).contains("log a (mod 30)"));
}

/// The neurons chart draws one bar per frequency and one point per neuron; the hand-built Clock's
/// neurons use its two frequencies.
#[test]
fn neurons_by_frequency_and_phase() {
    let analysis = clock();
    // The hand-built model leaves its spare neurons silent: they are left out.
    let neurons: Vec<_> = analysis.spectra.neurons.iter().filter(|n| n.ipr > 0.0).collect();
    assert!(!neurons.is_empty() && neurons.len() < analysis.spectra.neurons.len());
    let svg = render(Chart::Neurons, &analysis, &[]).unwrap();
    let t = texts(&svg);
    assert!(t.contains("Neurons by dominant input frequency") && t.contains("ψ = 2φ"), "{t}");
    assert_eq!(svg.matches("<circle").count(), neurons.len());
    let summary = Chart::Neurons.describe(&analysis, &[]);
    assert!(neurons.iter().all(|n| FREQUENCIES.contains(&n.frequency)), "{summary}");
    assert!(summary.contains("silent ones left out"), "{summary}");
}

/// The 2026 reading's charts of the hand-built Pizza: one PAD panel per estimator with its
/// diagonal, a disc/torus/circle bar per cluster and for all, three R² histograms.
#[test]
fn the_manifold_charts_show_the_pizzas_disc() {
    let analysis = pizza();
    let m = analysis.report.manifold.as_ref().expect("a one-block transformer adding: the measures apply");
    let charts = Chart::all(&analysis, false);
    assert!([Chart::Pad, Chart::Cka, Chart::SimpleNeurons].iter().all(|c| charts.contains(c)));

    let svg = render(Chart::Pad, &analysis, &[]).unwrap();
    let t = texts(&svg);
    assert!(t.contains("PAD, normalised centroid") && t.contains("PAD, argmax") && t.contains("% on the diagonal"), "{t}");
    // The diagonal of each panel is dashed: plotters draws each dash as a line of its own.
    assert!(svg.matches("<polyline").count() >= 10, "dashed diagonals");

    let svg = render(Chart::Cka, &analysis, &[]).unwrap();
    let fills = attributes(&svg, "rect", "fill");
    let groups = m.clusters.len() + 1;
    assert_eq!(m.clusters.iter().map(|c| c.frequency).collect::<Vec<_>>(), FREQUENCIES);
    // Per panel and group, one bar per reference: disc orange, torus sky blue, circle teal.
    for colour in ["#E69F00", "#56B4E9", "#009E73"] {
        assert_eq!(fills.iter().filter(|f| f.eq_ignore_ascii_case(colour)).count(), 2 * groups, "{colour}");
    }
    let t = texts(&svg);
    assert!(t.contains("f=3 (") && t.contains("all") && t.contains("disc") && t.contains("circle"), "{t}");
    assert!(Chart::Cka.describe(&analysis, &[]).contains("first layer disc 1.000"), "{}", Chart::Cka.describe(&analysis, &[]));

    let svg = render(Chart::SimpleNeurons, &analysis, &[]).unwrap();
    let t = texts(&svg);
    assert!(t.contains("R² of the first-order fit") && t.contains("R² additive") && t.contains("R² of the (a+b) term"), "{t}");
    // 20 bins per histogram; every neuron of the Pizza is simple: all in the last bin of the first.
    let bars = attributes(&svg, "rect", "fill").iter().filter(|f| f.eq_ignore_ascii_case("#0072B2")).count();
    assert_eq!(bars, 60);
}
