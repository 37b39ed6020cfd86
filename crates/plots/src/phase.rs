//! Phase diagrams (docs/science.md §4.7, §8): a sweep's models against attention rate, coloured
//! by the other order parameter, with the paper's points as a lighter layer beneath. A model
//! that is not accurate or circular enough is drawn hollow, never left out.

use grokscope_sweep::Row;
use grokscope_sweep::paper::{PaperSweep, points};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::heatmap::colour_bar;
use crate::style::*;
use crate::{PlotError, PlotResult};

/// One model on a phase diagram.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PhasePoint {
    pub attn_coeff: f64,
    pub d_model: usize,
    pub gradient_sim: f64,
    /// The top-wrong variant, as the paper's diagrams.
    pub distance_irrelevance: f64,
    /// Accurate and circular enough for the paper's figures.
    pub circular: bool,
}

impl From<&Row> for PhasePoint {
    fn from(row: &Row) -> Self {
        PhasePoint {
            attn_coeff: row.attn_coeff,
            d_model: row.d_model,
            gradient_sim: row.gradient_sim,
            distance_irrelevance: row.distance_irrelevance,
            circular: row.circular(),
        }
    }
}

/// The paper's published points (`grokscope_sweep::paper`), split by the sweep they come from.
pub struct PaperLayers {
    fixed_width: Vec<PhasePoint>,
    varying_width: Vec<PhasePoint>,
}

impl PaperLayers {
    pub fn load() -> Self {
        let all = points();
        let of = |sweep: PaperSweep| -> Vec<PhasePoint> {
            all.iter()
                .filter(|p| p.sweep == sweep)
                .map(|p| PhasePoint {
                    attn_coeff: p.attn_coeff,
                    d_model: p.d_model,
                    gradient_sim: p.gradient_sim,
                    distance_irrelevance: p.distance_irrelevance,
                    circular: true,
                })
                .collect()
        };
        PaperLayers { fixed_width: of(PaperSweep::FixedWidth), varying_width: of(PaperSweep::VaryingWidth) }
    }

    /// The layer under `chart`: the varying-width sweep under the width charts, the fixed-width
    /// one under the rest.
    pub fn beneath(&self, chart: PhaseChart) -> &[PhasePoint] {
        match chart {
            PhaseChart::WidthByGradientSymmetricity | PhaseChart::WidthByDistanceIrrelevance => &self.varying_width,
            _ => &self.fixed_width,
        }
    }
}

/// Where each of our points was drawn, in the backend's pixels (none on the chart of means):
/// what the page's hover and click find a model by.
pub type Marks = Vec<(i32, i32)>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhaseChart {
    /// Distance irrelevance against α, coloured by gradient symmetricity.
    DistanceIrrelevance,
    /// Gradient symmetricity against α, coloured by distance irrelevance.
    GradientSymmetricity,
    /// Width (log scale) against α, coloured by gradient symmetricity.
    WidthByGradientSymmetricity,
    /// Width (log scale) against α, coloured by distance irrelevance.
    WidthByDistanceIrrelevance,
    /// Mean gradient symmetricity per α bin of 0.1, ours beside the paper's.
    MeanGradientSymmetricity,
}

/// The measure a point is placed or coloured by.
#[derive(Clone, Copy)]
enum Measure {
    Gs,
    Di,
}

impl Measure {
    fn of(self, p: &PhasePoint) -> f64 {
        match self {
            Measure::Gs => p.gradient_sim,
            Measure::Di => p.distance_irrelevance,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Measure::Gs => "gradient symmetricity",
            Measure::Di => "distance irrelevance",
        }
    }
}

impl PhaseChart {
    pub const ALL: [PhaseChart; 5] = [
        PhaseChart::DistanceIrrelevance,
        PhaseChart::GradientSymmetricity,
        PhaseChart::WidthByGradientSymmetricity,
        PhaseChart::WidthByDistanceIrrelevance,
        PhaseChart::MeanGradientSymmetricity,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PhaseChart::DistanceIrrelevance => "phase_di",
            PhaseChart::GradientSymmetricity => "phase_gs",
            PhaseChart::WidthByGradientSymmetricity => "phase_width_gs",
            PhaseChart::WidthByDistanceIrrelevance => "phase_width_di",
            PhaseChart::MeanGradientSymmetricity => "phase_mean_gs",
        }
    }

    /// What the chart shows, in a few words (the page's chart menu).
    pub fn label(self) -> &'static str {
        match self {
            PhaseChart::DistanceIrrelevance => "distance irrelevance against α",
            PhaseChart::GradientSymmetricity => "gradient symmetricity against α",
            PhaseChart::WidthByGradientSymmetricity => "width against α, by gradient symmetricity",
            PhaseChart::WidthByDistanceIrrelevance => "width against α, by distance irrelevance",
            PhaseChart::MeanGradientSymmetricity => "mean gradient symmetricity per α bin",
        }
    }

    pub const SIZE: (u32, u32) = (820, 560);

    /// The chart in words, with `ours` (the sweep's models so far) as numbers: its text for those
    /// who cannot see it.
    pub fn describe(self, ours: &[PhasePoint], with_paper: bool) -> String {
        let beneath = if with_paper { ", over the paper's published points" } else { "" };
        let circular = ours.iter().filter(|p| p.circular).count();
        let mut text = format!("Phase diagram, {}{beneath}: {} models measured, {circular} of them circular.", self.label(), ours.len());
        let bins = mean_per_bin(ours, |p| p.gradient_sim);
        if !bins.is_empty() {
            let means: Vec<String> = bins.iter().map(|(alpha, gs, n)| format!("α ≈ {alpha:.2}: {gs:.3} ({n})")).collect();
            text += &format!(" Mean gradient symmetricity by α: {}.", means.join(", "));
        }
        text
    }

    /// `ours` over `paper` (the paper's points of the matching sweep, `PaperLayers::beneath`);
    /// where each of ours was drawn.
    pub fn draw<DB: DrawingBackend>(
        self,
        area: &DrawingArea<DB, Shift>,
        ours: &[PhasePoint],
        paper: &[PhasePoint],
    ) -> Result<Marks, PlotError> {
        area.fill(&WHITE)?;
        match self {
            PhaseChart::DistanceIrrelevance => scatter(area, ours, paper, Measure::Di, Measure::Gs),
            PhaseChart::GradientSymmetricity => scatter(area, ours, paper, Measure::Gs, Measure::Di),
            PhaseChart::WidthByGradientSymmetricity => width_scatter(area, ours, paper, Measure::Gs),
            PhaseChart::WidthByDistanceIrrelevance => width_scatter(area, ours, paper, Measure::Di),
            PhaseChart::MeanGradientSymmetricity => mean_by_bin(area, ours, paper).map(|()| Marks::new()),
        }
    }
}

/// Room for the colour bar on the right.
const BAR_WIDTH: u32 = 80;

fn scatter<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ours: &[PhasePoint],
    paper: &[PhasePoint],
    y: Measure,
    colour: Measure,
) -> Result<Marks, PlotError> {
    let (plot, bar) = area.split_horizontally(area.dim_in_pixel().0 - BAR_WIDTH);
    let (plot, strip) = with_legend(&plot);
    let title = format!("{} against attention rate, coloured by {}", capitalised(y.name()), colour.name());
    let mut chart = ChartBuilder::on(&plot)
        .caption(title, small_title())
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(-0.02..1.02, -0.02..1.02)?;
    axes_with(&mut chart, ("attention rate α", y.name()), &|v| tidy(*v), &|v| tidy(*v))?;
    let marks = draw_points(&mut chart, ours, paper, |p| (p.attn_coeff, y.of(p)), colour)?;
    legend(&strip, &scatter_legend(!paper.is_empty()))?;
    colour_bar(&bar, 0.0, 1.0)?;
    Ok(marks)
}

fn width_scatter<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ours: &[PhasePoint],
    paper: &[PhasePoint],
    colour: Measure,
) -> Result<Marks, PlotError> {
    let (plot, bar) = area.split_horizontally(area.dim_in_pixel().0 - BAR_WIDTH);
    let (plot, strip) = with_legend(&plot);
    let widths = ours.iter().chain(paper).map(|p| p.d_model as f64);
    let (lo, hi) = range(widths);
    let (lo, hi) = ((lo.min(32.0)) / 1.15, (hi.max(512.0)) * 1.15);
    let mut chart = ChartBuilder::on(&plot)
        .caption(format!("Width against attention rate, coloured by {}", colour.name()), small_title())
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(-0.02..1.02, (lo..hi).log_scale().base(2.0))?;
    axes_with(&mut chart, ("attention rate α", "d_model (log scale)"), &|v| tidy(*v), &|v| format!("{}", v.round() as i64))?;
    let marks = draw_points(&mut chart, ours, paper, |p| (p.attn_coeff, p.d_model as f64), colour)?;
    legend(&strip, &scatter_legend(!paper.is_empty()))?;
    colour_bar(&bar, 0.0, 1.0)?;
    Ok(marks)
}

/// One of our points at `at`, in any coordinates: filled and outlined where circular; a
/// ring of the colour between two outlines where not, so it reads as hollow even in the
/// palette's light yellow.
macro_rules! our_mark {
    ($at:expr, $colour:expr, $circular:expr) => {{
        let (ring, inner) = if $circular { ($colour.filled(), 0) } else { ($colour.stroke_width(3), 4) };
        EmptyElement::at($at)
            + Circle::new((0, 0), 7, ring)
            + Circle::new((0, 0), 8, INK.stroke_width(1))
            + Circle::new((0, 0), inner, INK.stroke_width(1))
    }};
}

/// The paper's points small and faint, ours larger with an outline: filled where circular, a
/// thick ring of the colour where not. Where each of ours went.
fn draw_points<'a, DB: DrawingBackend + 'a, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    ours: &[PhasePoint],
    paper: &[PhasePoint],
    at: impl Fn(&PhasePoint) -> (f64, f64),
    colour: Measure,
) -> Result<Marks, PlotError>
where
    X: plotters::coord::ranged1d::Ranged<ValueType = f64>,
    Y: plotters::coord::ranged1d::Ranged<ValueType = f64>,
{
    chart.draw_series(paper.iter().map(|p| Circle::new(at(p), 3, viridis(colour.of(p), 0.0, 1.0).mix(0.35).filled())))?;
    chart.draw_series(ours.iter().map(|p| our_mark!(at(p), viridis(colour.of(p), 0.0, 1.0), p.circular)))?;
    Ok(ours.iter().map(|p| chart.backend_coord(&at(p))).collect())
}

/// A mark in a legend.
#[derive(Clone, Copy)]
enum Mark {
    Ours,
    OursNonCircular,
    Paper,
    Line(RGBColor),
}

/// Height of the legend's strip under a chart.
const LEGEND_HEIGHT: u32 = 30;

/// The chart's area and, under it, a strip for [`legend`].
fn with_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>) {
    area.split_vertically(area.dim_in_pixel().1 - LEGEND_HEIGHT)
}

/// What the marks mean, side by side in `strip`. Drawn by hand: plotters' series labels
/// measure their text through the DOM in the page.
fn legend<DB: DrawingBackend>(strip: &DrawingArea<DB, Shift>, items: &[(Mark, &str)]) -> PlotResult {
    let (mut x, y) = (70, LEGEND_HEIGHT as i32 / 2);
    for &(mark, text) in items {
        match mark {
            Mark::Ours | Mark::OursNonCircular => strip.draw(&our_mark!((x, y), GREY, matches!(mark, Mark::Ours)))?,
            Mark::Paper => strip.draw(&Circle::new((x, y), 3, GREY.mix(0.5).filled()))?,
            Mark::Line(colour) => {
                strip.draw(&PathElement::new(vec![(x - 10, y), (x + 10, y)], colour.stroke_width(2)))?;
                strip.draw(&Circle::new((x, y), 5, colour.filled()))?;
            }
        }
        strip.draw(&Text::new(text, (x + 14, y - 8), small_style()))?;
        // About 8 px a character at the small size, and room before the next mark.
        x += 14 + 8 * text.chars().count() as i32 + 30;
    }
    Ok(())
}

/// The legend of the scatter charts.
fn scatter_legend(with_paper: bool) -> Vec<(Mark, &'static str)> {
    let mut items = vec![(Mark::Ours, "ours"), (Mark::OursNonCircular, "ours, non-circular")];
    if with_paper {
        items.push((Mark::Paper, "the paper's (circular runs)"));
    }
    items
}

/// Bins of 0.1 in α; the mean over the points in each (bins with none are skipped).
pub fn mean_per_bin(points: &[PhasePoint], measure: fn(&PhasePoint) -> f64) -> Vec<(f64, f64, usize)> {
    (0..10)
        .filter_map(|b| {
            let (lo, hi) = (b as f64 / 10.0, (b + 1) as f64 / 10.0);
            let values: Vec<f64> = points.iter().filter(|p| p.attn_coeff >= lo && (p.attn_coeff < hi || b == 9)).map(measure).collect();
            (!values.is_empty()).then(|| (lo + 0.05, values.iter().sum::<f64>() / values.len() as f64, values.len()))
        })
        .collect()
}

fn mean_by_bin<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, ours: &[PhasePoint], paper: &[PhasePoint]) -> PlotResult {
    let (plot, strip) = with_legend(area);
    let mut chart = ChartBuilder::on(&plot)
        .caption("Mean gradient symmetricity per attention-rate bin", small_title())
        .margin(12)
        .margin_right(28)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(0.0..1.0, 0.0..1.05)?;
    axes_with(&mut chart, ("attention rate α (bins of 0.1)", "mean gradient symmetricity"), &|v| tidy(*v), &|v| tidy(*v))?;
    let gs = |p: &PhasePoint| p.gradient_sim;
    let series = [(mean_per_bin(paper, gs), GREY, "the paper's (circular runs)"), (mean_per_bin(ours, gs), DEEP_BLUE, "ours (all runs)")];
    let mut items = Vec::new();
    for (means, colour, label) in series.iter().filter(|(m, _, _)| !m.is_empty()) {
        chart.draw_series(LineSeries::new(means.iter().map(|&(x, y, _)| (x, y)), colour.stroke_width(2)))?;
        chart.draw_series(means.iter().map(|&(x, y, _)| Circle::new((x, y), 5, colour.filled())))?;
        items.push((Mark::Line(*colour), *label));
    }
    legend(&strip, &items)
}

fn small_title() -> TextStyle<'static> {
    (FONT, LABEL_SIZE + 2.0).into_font().color(&INK)
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(attn_coeff: f64, gradient_sim: f64) -> PhasePoint {
        PhasePoint { attn_coeff, d_model: 128, gradient_sim, distance_irrelevance: 0.5, circular: true }
    }

    #[test]
    fn bins_of_a_tenth_with_alpha_one_in_the_last() {
        let points = [at(0.0, 1.0), at(0.05, 0.8), at(0.55, 0.5), at(1.0, 0.2), at(0.95, 0.4)];
        let means = mean_per_bin(&points, |p| p.gradient_sim);
        assert_eq!(means.len(), 3, "empty bins are skipped");
        assert!((means[0].0 - 0.05).abs() < 1e-12 && (means[0].1 - 0.9).abs() < 1e-12 && means[0].2 == 2);
        assert!((means[2].1 - 0.3).abs() < 1e-12 && means[2].2 == 2);
    }
}
