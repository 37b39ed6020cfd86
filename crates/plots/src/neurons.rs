//! The last block's neurons (docs/operations.md): how many take each frequency as their dominant
//! input frequency, and each neuron's output phase ψ against its input phase φ, with the line
//! ψ = 2φ that a neuron computing cos(2(ωa + φ)) from its inputs' phase lies on.

use std::f64::consts::PI;

use grokscope_analysis::progress::NeuronFrequency;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::curves::SIDE_BY_SIDE_MIN_WIDTH;
use crate::style::*;

pub const SIZE: (u32, u32) = (1000, 420);

/// The neurons with any input from the tokens: a silent one (a hand-built model's spare) has no
/// dominant frequency or phase.
fn active(neurons: &[NeuronFrequency]) -> Vec<NeuronFrequency> {
    neurons.iter().copied().filter(|n| n.ipr > 0.0).collect()
}

pub fn neurons<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, neurons: &[NeuronFrequency], p: usize) -> PlotResult {
    area.fill(&WHITE)?;
    let neurons = active(neurons);
    let (w, h) = area.dim_in_pixel();
    let (left, right) = if w >= SIDE_BY_SIDE_MIN_WIDTH { area.split_horizontally(w / 2) } else { area.split_vertically(h / 2) };

    let frequencies = p / 2;
    let counts: Vec<usize> = (1..=frequencies).map(|k| neurons.iter().filter(|n| n.frequency == k).count()).collect();
    let most = counts.iter().copied().max().unwrap_or(0).max(1);
    let mut chart = ChartBuilder::on(&left)
        .caption("Neurons by dominant input frequency", title_style())
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.5..frequencies as f64 + 0.5, 0.0..most as f64 * 1.1)?;
    axes(&mut chart, "frequency k", "neurons")?;
    chart.draw_series(
        counts.iter().enumerate().map(|(i, &n)| Rectangle::new([(i as f64 + 0.6, 0.0), (i as f64 + 1.4, n as f64)], DEEP_BLUE.filled())),
    )?;

    let mut chart = ChartBuilder::on(&right)
        .caption("Output phase ψ against input phase φ", title_style())
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(-PI..PI, -PI..PI)?;
    axes(&mut chart, "φ (input, at the dominant frequency)", "ψ (output)")?;
    // ψ = 2φ, wrapped into [−π, π): three pieces.
    let wrap = |phi: f64| (2.0 * phi + PI).rem_euclid(2.0 * PI) - PI;
    for (start, end) in [(-PI, -PI / 2.0), (-PI / 2.0, PI / 2.0), (PI / 2.0, PI)] {
        let from = wrap(start);
        chart.draw_series(DashedLineSeries::new([(start, from), (end, from + 2.0 * (end - start))], 6, 4, GREY.stroke_width(2)))?;
    }
    chart.draw_series(neurons.iter().map(|n| Circle::new((n.input_phase, n.output_phase), 3, VERMILLION.filled())))?;
    legend(
        &chart.plotting_area().strip_coord_spec(),
        &[("ψ = 2φ", LineLook { colour: GREY, dashed: true, marker: None })],
        &small_style(),
        Corner::UpperRight,
    )?;
    Ok(())
}

/// The neurons in words: the chart's text for those who cannot see it. `phase_misalignment`:
/// the analysis' mean |sin(2φ − ψ)|.
pub fn summary(neurons: &[NeuronFrequency], phase_misalignment: Option<f64>) -> String {
    let active = active(neurons);
    let mut by_count: Vec<(usize, usize)> = Vec::new();
    for n in &active {
        match by_count.iter_mut().find(|(k, _)| *k == n.frequency) {
            Some((_, count)) => *count += 1,
            None => by_count.push((n.frequency, 1)),
        }
    }
    by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let top: Vec<String> = by_count.iter().take(5).map(|(k, n)| format!("k = {k}: {n}")).collect();
    let silent = match neurons.len() - active.len() {
        0 => String::new(),
        n => format!(" ({n} silent ones left out)"),
    };
    let misaligned =
        phase_misalignment.map(|m| format!("; mean |sin(2φ − ψ)| {m:.3} (0 when every neuron lies on ψ = 2φ)")).unwrap_or_default();
    format!(
        "The {} neurons of the last block{silent} by dominant input frequency (most common: {}), and each neuron's output phase against its input phase{misaligned}.",
        active.len(),
        top.join(", ")
    )
}
