//! Colours, type and the error type every chart shares. Palettes are colour-blind safe:
//! Okabe-Ito for lines and categories, viridis for values; train and test also differ in
//! line pattern and marker, so nothing depends on colour alone.

use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::colors::colormaps::{ColorMap, ViridisRGB};
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Okabe & Ito (2008).
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
pub const TEAL: RGBColor = RGBColor(0, 158, 115);
pub const DEEP_BLUE: RGBColor = RGBColor(0, 114, 178);
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
pub const INK: RGBColor = RGBColor(34, 34, 34);
pub const GREY: RGBColor = RGBColor(150, 150, 150);

/// Train is solid blue with circles, test dashed vermillion with triangles.
pub const TRAIN: RGBColor = DEEP_BLUE;
pub const TEST: RGBColor = VERMILLION;

pub const FONT: &str = "sans-serif";
/// Sizes as given to plotters, which draws text at 1/1.24 of them.
pub const TITLE_SIZE: f64 = 22.0;
pub const LABEL_SIZE: f64 = 17.0;
pub const SMALL_SIZE: f64 = 15.0;

pub fn title_style() -> TextStyle<'static> {
    (FONT, TITLE_SIZE).into_font().color(&INK)
}

pub fn label_style() -> TextStyle<'static> {
    (FONT, LABEL_SIZE).into_font().color(&INK)
}

pub fn small_style() -> TextStyle<'static> {
    (FONT, SMALL_SIZE).into_font().color(&INK)
}

/// Viridis at `x` between `lo` and `hi` (the middle where the range is empty).
pub fn viridis(x: f64, lo: f64, hi: f64) -> RGBColor {
    let t = if hi > lo { ((x - lo) / (hi - lo)).clamp(0.0, 1.0) } else { 0.5 };
    ViridisRGB.get_color(t as f32)
}

/// A chart failed to draw: the backend's message.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotError(pub String);

impl std::fmt::Display for PlotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "plot: {}", self.0)
    }
}

impl std::error::Error for PlotError {}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        PlotError(e.to_string())
    }
}

pub type PlotResult = Result<(), PlotError>;

/// Finite minimum and maximum of values (0..1 when there are none).
pub fn range(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) =
        values.into_iter().filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) }
}

/// A log axis's range: `range` as it is if a power of ten lies inside it, else the decade that
/// holds it. At our label count plotters labels only powers of ten on a log axis, so a loss
/// within one decade (every run's first steps) would have an axis without a number.
pub fn log_axis(range: std::ops::Range<f64>) -> std::ops::Range<f64> {
    let decade = range.start.log10().floor();
    if range.end.log10().floor() > decade { range } else { 10f64.powf(decade)..10f64.powf(decade + 1.0) }
}

/// A range with a little room on both sides, never empty.
pub fn padded(lo: f64, hi: f64) -> std::ops::Range<f64> {
    let pad = if hi > lo { (hi - lo) * 0.05 } else { lo.abs().max(1.0) * 0.05 };
    lo - pad..hi + pad
}

/// Axes with names, whole-number x ticks and a light grid, the same on every line chart.
pub fn axes<'a, DB: DrawingBackend + 'a, Y: Ranged<ValueType = f64> + ValueFormatter<f64>>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y>>,
    x_desc: &str,
    y_desc: &str,
) -> PlotResult {
    axes_with(chart, (x_desc, y_desc), &|v| format!("{}", v.round() as i64), &|v| tidy(*v))
}

/// [`axes`] with the tick labels' formats given.
pub fn axes_with<
    'a,
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    (x_desc, y_desc): (&str, &str),
    x_format: &dyn Fn(&f64) -> String,
    y_format: &dyn Fn(&f64) -> String,
) -> PlotResult {
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(x_format)
        .y_label_formatter(y_format)
        .label_style(small_style())
        .axis_desc_style(label_style())
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(232, 232, 232))
        .draw()?;
    Ok(())
}

/// A line's look, for its series and its legend swatch: dashed or solid, and the marker drawn
/// on it, if any.
#[derive(Clone, Copy)]
pub struct LineLook {
    pub colour: RGBColor,
    pub dashed: bool,
    pub marker: Option<Marker>,
}

#[derive(Clone, Copy)]
pub enum Marker {
    FilledCircle,
    HollowTriangle,
}

/// Where a legend goes on its panel: where the curves end up not being.
#[derive(Clone, Copy)]
pub enum Corner {
    UpperRight,
    Right,
    LowerRight,
}

/// A legend box at the right edge of `area`, one row per entry. Drawn here rather than by
/// plotters' series labels: those measure their text through the font itself, which in the
/// browser means a `<span>` added to the page and a layout of the whole page per label, on
/// every redraw. Here the text is measured by the backend (the canvas's `measureText` in the
/// notebook).
pub fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(&str, LineLook)],
    style: &TextStyle,
    corner: Corner,
) -> PlotResult {
    const PAD: i32 = 8;
    const SWATCH: i32 = 22;
    let mut text = (0, 0);
    for (label, _) in entries {
        let (w, h) = area.estimate_text_size(label, style)?;
        text = (text.0.max(w as i32), text.1.max(h as i32));
    }
    let row = text.1.max(12) + 4;
    let (width, height) = (PAD + SWATCH + PAD + text.0 + PAD, row * entries.len() as i32 + PAD);
    let (w, h) = area.dim_in_pixel();
    let x = w as i32 - width - PAD;
    let y = match corner {
        Corner::UpperRight => PAD,
        Corner::Right => (h as i32 - height) / 2,
        Corner::LowerRight => h as i32 - height - PAD,
    };
    area.draw(&Rectangle::new([(x, y), (x + width, y + height)], WHITE.mix(0.9).filled()))?;
    area.draw(&Rectangle::new([(x, y), (x + width, y + height)], GREY))?;
    let text_style = style.clone().pos(Pos::new(HPos::Left, VPos::Center));
    for (i, (label, look)) in entries.iter().enumerate() {
        let (left, cy) = (x + PAD, y + PAD / 2 + row * i as i32 + row / 2);
        let stroke = look.colour.stroke_width(2);
        if look.dashed {
            area.draw(&PathElement::new(vec![(left, cy), (left + 6, cy)], stroke))?;
            area.draw(&PathElement::new(vec![(left + 16, cy), (left + SWATCH, cy)], stroke))?;
        } else {
            area.draw(&PathElement::new(vec![(left, cy), (left + SWATCH, cy)], stroke))?;
        }
        let centre = (left + SWATCH / 2, cy);
        match look.marker {
            Some(Marker::FilledCircle) => area.draw(&Circle::new(centre, 4, look.colour.filled()))?,
            Some(Marker::HollowTriangle) => area.draw(&TriangleMarker::new(centre, 5, stroke))?,
            None => {}
        }
        area.draw(&Text::new(*label, (left + SWATCH + PAD, cy), text_style.clone()))?;
    }
    Ok(())
}

/// A tick value as a reader writes it: 0.25, 3, 1e-6 (log-scale ticks come back as
/// 9.999999e-5 and 0.99999999).
pub fn tidy(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if (1e-2..1e4).contains(&v.abs()) {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{v:.0e}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tidy_ticks() {
        assert_eq!(super::tidy(9.999999e-5), "1e-4");
        assert_eq!(super::tidy(0.99999999), "1");
        assert_eq!(super::tidy(0.25), "0.25");
        assert_eq!(super::tidy(2000.0), "2000");
        assert_eq!(super::tidy(0.0), "0");
    }
}
