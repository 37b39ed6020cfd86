//! The 2026 reading (docs/science.md §10): where each neuron peaks (the PAD, with its diagonal:
//! locked phases, a disc), the CKA of each frequency cluster against the disc, torus and circle,
//! and how well the neurons are simple neurons (R² histograms).

use grokscope_analysis::manifold::{Cka, Estimator, Manifold, NeuronFit, Pad};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::curves::SIDE_BY_SIDE_MIN_WIDTH;
use crate::heatmap::colour_bar;
use crate::style::*;

pub const PAD_SIZE: (u32, u32) = (1100, 540);
pub const CKA_SIZE: (u32, u32) = (1100, 440);
pub const R2_SIZE: (u32, u32) = (1100, 380);

/// Two panels side by side on a wide area, one above the other on a narrow one.
fn halves<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>) {
    let (w, h) = area.dim_in_pixel();
    if w >= SIDE_BY_SIDE_MIN_WIDTH { area.split_horizontally(w / 2) } else { area.split_vertically(h / 2) }
}

/// The PAD by both estimators: neurons per cell of the p × p grid, the diagonal dashed.
pub fn pad<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, fits: &[NeuronFit], p: usize) -> PlotResult {
    area.fill(&WHITE)?;
    let (left, right) = halves(area);
    for (panel, estimator, title, axes) in [
        (&left, Estimator::Centroid, "PAD, normalised centroid", ("u_a (f·a)", "u_b (f·b)")),
        (&right, Estimator::Argmax, "PAD, argmax", ("a", "b")),
    ] {
        let pad = Pad::of(fits, estimator, p);
        let summary = pad.summary();
        let title = format!("{title}: {:.0} % on the diagonal", 100.0 * summary.diagonal_fraction);
        pad_panel(panel, &title, axes, &pad)?;
    }
    Ok(())
}

fn pad_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, title: &str, (x_desc, y_desc): (&str, &str), pad: &Pad) -> PlotResult {
    let p = pad.p;
    let counts = pad.counts();
    let most = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let bar_width = 70.min(area.dim_in_pixel().0 / 5);
    let (map_area, bar_area) = area.split_horizontally(area.dim_in_pixel().0 - bar_width);
    let mut chart = ChartBuilder::on(&map_area)
        .caption(title, label_style())
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..p as f64, 0.0..p as f64)?;
    axes_with(&mut chart, (x_desc, y_desc), &|v| format!("{}", *v as usize), &|v| format!("{}", *v as usize))?;
    // An empty cell stays blank, so the few occupied ones read against the page.
    chart.draw_series(counts.iter().enumerate().filter(|&(_, &c)| c > 0).map(|(i, &c)| {
        let (a, b) = ((i / p) as f64, (i % p) as f64);
        Rectangle::new([(a, b), (a + 1.0, b + 1.0)], viridis(c as f64, 0.0, most).filled())
    }))?;
    chart.draw_series(DashedLineSeries::new([(0.0, 0.0), (p as f64, p as f64)], 6, 4, GREY.stroke_width(2)))?;
    colour_bar(&bar_area, 0.0, most)
}

/// Per cluster (and neuron-weighted over them, "all"), CKA against the three references: the
/// first layer's preactivations on one panel, the cluster's logit contribution on the other.
pub fn cka<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, manifold: &Manifold) -> PlotResult {
    area.fill(&WHITE)?;
    let (left, right) = halves(area);
    let mut groups: Vec<(String, Cka, Cka)> =
        manifold.clusters.iter().map(|c| (format!("f={} ({})", c.frequency, c.neurons), c.cka_first_layer, c.cka_logits)).collect();
    groups.push(("all".into(), manifold.cka_first_layer, manifold.cka_logits));
    cka_panel(&left, "First layer: CKA per cluster", &groups.iter().map(|(l, c, _)| (l.as_str(), *c)).collect::<Vec<_>>())?;
    cka_panel(&right, "Logits: CKA per cluster", &groups.iter().map(|(l, _, c)| (l.as_str(), *c)).collect::<Vec<_>>())
}

const REFERENCES: [(&str, RGBColor); 3] = [("disc", ORANGE), ("torus", SKY_BLUE), ("circle", TEAL)];

fn cka_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, title: &str, groups: &[(&str, Cka)]) -> PlotResult {
    let n = groups.len();
    let mut chart = ChartBuilder::on(area)
        .caption(title, label_style())
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(-0.5..n as f64 - 0.5, 0.0..1.25)?;
    let label = |v: &f64| {
        let i = v.round();
        if (v - i).abs() < 1e-9 && i >= 0.0 { groups.get(i as usize).map(|g| g.0.to_string()).unwrap_or_default() } else { String::new() }
    };
    chart
        .configure_mesh()
        .x_desc("cluster (neurons)")
        .y_desc("linear CKA")
        .x_labels(n + 1)
        .y_labels(6)
        .x_label_formatter(&label)
        .y_label_formatter(&|v| tidy(*v))
        .label_style(small_style())
        .axis_desc_style(label_style())
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(232, 232, 232))
        .disable_x_mesh()
        .draw()?;
    for (r, (_, colour)) in REFERENCES.iter().enumerate() {
        chart.draw_series(groups.iter().enumerate().map(|(i, (_, cka))| {
            let value = [cka.disc, cka.torus, cka.circle][r].clamp(0.0, 1.0);
            let left = i as f64 - 0.39 + 0.26 * r as f64;
            Rectangle::new([(left, 0.0), (left + 0.24, value)], colour.filled())
        }))?;
    }
    let entries: Vec<(&str, LineLook)> =
        REFERENCES.iter().map(|&(name, colour)| (name, LineLook { colour, dashed: false, marker: None })).collect();
    legend(&chart.plotting_area().strip_coord_spec(), &entries, &small_style(), Corner::UpperRight)
}

/// Histograms over the live neurons of R²_first, R²_additive and R²_second (at each neuron's
/// frequency), 20 bins over [0, 1].
pub fn r2<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, fits: &[NeuronFit]) -> PlotResult {
    area.fill(&WHITE)?;
    let panels = area.split_evenly((1, 3));
    let values: [(&str, Vec<f64>); 3] = [
        ("R² of the first-order fit", fits.iter().map(|f| f.r2_first).collect()),
        ("R² additive", fits.iter().map(|f| f.r2_additive).collect()),
        ("R² of the (a+b) term", fits.iter().map(|f| f.r2_second).collect()),
    ];
    for (panel, (title, values)) in panels.iter().zip(values) {
        const BINS: usize = 20;
        let mut counts = [0usize; BINS];
        for v in values {
            counts[((v.clamp(0.0, 1.0) * BINS as f64) as usize).min(BINS - 1)] += 1;
        }
        let most = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
        let mut chart = ChartBuilder::on(panel)
            .caption(title, label_style())
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..1.0, 0.0..most * 1.1)?;
        axes_with(&mut chart, ("R²", "neurons"), &|v| tidy(*v), &|v| format!("{}", v.round() as i64))?;
        chart.draw_series(counts.iter().enumerate().map(|(i, &c)| {
            let x = i as f64 / BINS as f64;
            Rectangle::new([(x + 0.004, 0.0), (x + 1.0 / BINS as f64 - 0.004, c as f64)], DEEP_BLUE.filled())
        }))?;
    }
    Ok(())
}

/// The three charts in words.
pub fn summary(manifold: &Manifold) -> [String; 3] {
    let m = manifold;
    let (c, l) = (m.cka_first_layer, m.cka_logits);
    [
        format!(
            "Where each live neuron peaks over (a, b), as counts on the p × p grid with the diagonal dashed, by the normalised centroid ({:.0} % on the diagonal, {:.0} % within one, mean torus distance {:.2}) and by the argmax ({:.0} % on the diagonal): mass on the diagonal means locked phases, a disc; spread means a torus.",
            100.0 * m.pad.diagonal_fraction,
            100.0 * m.pad.within_one,
            m.pad.mean_torus_distance,
            100.0 * m.pad_argmax.diagonal_fraction
        ),
        format!(
            "Linear CKA of each frequency cluster against a disc, a torus and a circle: first layer disc {:.3}, torus {:.3}, circle {:.3}; logits disc {:.3}, torus {:.3}, circle {:.3} (neuron-weighted over {} clusters).",
            c.disc,
            c.torus,
            c.circle,
            l.disc,
            l.torus,
            l.circle,
            m.clusters.len()
        ),
        format!(
            "Histograms over the live neurons of how much of each the simple-neuron fit explains (mean R² {:.3}), any sum g(a) + h(b) ({:.3}) and the (a+b) term at its frequency ({:.3}); phase locking {:.3}.",
            m.simple_neuron.r2_first_mean, m.simple_neuron.r2_additive_mean, m.simple_neuron.r2_second_mean, m.simple_neuron.phase_locking
        ),
    ]
}
