//! The embedding's Fourier spectrum: norm per frequency, key frequencies marked; in the
//! additive basis, and for multiplication in the character basis.

use grokscope_analysis::fourier::Spectrum;
use grokscope_analysis::progress::FourierNorms;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::style::*;

pub fn fourier<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, spectrum: &Spectrum) -> PlotResult {
    bars(area, "Fourier spectrum of the embedding", spectrum)
}

/// W_E in the character basis of (Z/pZ)*: frequency k of the discrete logarithm.
pub fn characters<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, norms: &FourierNorms) -> PlotResult {
    // k = 0 is the constant, left out of the basis: a zero bar keeps the axis starting at 0.
    let spectrum = Spectrum::from_norms(std::iter::once(0.0).chain(norms.per_frequency()).collect());
    bars(area, "Embedding in the multiplicative basis (discrete log)", &spectrum)
}

fn bars<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, title: &str, spectrum: &Spectrum) -> PlotResult {
    area.fill(&WHITE)?;
    let n = spectrum.norms.len();
    let (_, hi) = range(spectrum.norms.iter().copied());
    let mut chart = ChartBuilder::on(area)
        .caption(title, title_style())
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(-0.5..n as f64 - 0.5, 0.0..hi.max(1e-12) * 1.15)?;
    axes(&mut chart, "frequency k", "norm")?;
    let is_key = |k: usize| spectrum.key_frequencies.contains(&k);
    chart.draw_series(spectrum.norms.iter().enumerate().map(|(k, &v)| {
        let colour = if is_key(k) { ORANGE } else { SKY_BLUE };
        Rectangle::new([(k as f64 - 0.4, 0.0), (k as f64 + 0.4, v)], colour.filled())
    }))?;
    // Key frequencies are also named, so the marking does not rest on colour.
    chart.draw_series(
        spectrum
            .key_frequencies
            .iter()
            .map(|&k| Text::new(format!("k={k}"), (k as f64 - 0.4, spectrum.norms[k] + hi * 0.07), small_style())),
    )?;
    Ok(())
}
