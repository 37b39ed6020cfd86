//! The metrics and the verdict as a panel: the label, the numbers behind it, and gauges that
//! place GS and DI against the thresholds of the rule.

use grokscope_analysis::verdict::{CLOCK_MAX_GS, CLOCK_MIN_DI, PIZZA_MAX_DI, PIZZA_MIN_GS};
use grokscope_analysis::{Algorithm, Report};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::style::*;

/// Below this width a row's value goes under its name instead of beside it.
const SIDE_BY_SIDE_MIN_WIDTH: u32 = 640;
/// What a character of the readout's text takes, as a share of its font size (plotters draws at
/// 1/1.24 of it, and a character averages about 0.55 em): lines are wrapped by this, with room to
/// spare, rather than by a measurement the height could not know in advance.
const CHARACTER_WIDTH: f64 = 0.5;
/// Space under the rows for the two gauges.
const GAUGES_HEIGHT: i32 = 136;

/// One line of text of the readout, at `(x, y)`.
struct Line {
    x: i32,
    y: i32,
    text: String,
    small: bool,
}

pub fn readout<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, report: &Report) -> PlotResult {
    area.fill(&WHITE)?;
    let colour = match report.verdict.algorithm {
        Algorithm::Pizza => ORANGE,
        Algorithm::Clock => DEEP_BLUE,
        _ => GREY,
    };
    // The verdict in large type, less large on a phone's width.
    let big = (FONT, if area.dim_in_pixel().0 < 420 { 22.0 } else { 30.0 }).into_font().color(&INK);
    area.draw(&Rectangle::new([(20, 20), (34, 52)], colour.filled()))?;
    area.draw(&Text::new(format!("Verdict: {}", report.verdict.algorithm.label()), (46, 22), big))?;
    let (lines, y) = layout(area.dim_in_pixel().0, report);
    for line in lines {
        let style = if line.small { small_style() } else { label_style() };
        area.draw(&Text::new(line.text, (line.x, line.y), style))?;
    }
    gauge(area, y, "GS", report.gradient_symmetricity, [(CLOCK_MAX_GS, "Clock ≤"), (PIZZA_MIN_GS, "Pizza ≥")])?;
    gauge(area, y + 64, "DI", report.distance_irrelevance, [(PIZZA_MAX_DI, "Pizza ≤"), (CLOCK_MIN_DI, "Clock ≥")])?;
    Ok(())
}

/// The height the readout needs at `width`: its text wraps on a narrow canvas.
pub fn height(width: u32, report: &Report) -> u32 {
    (layout(width, report).1 + GAUGES_HEIGHT) as u32
}

/// The readout's text below the verdict, wrapped to `width`: a row's value beside its name on a
/// wide area, under it on a narrow one. Returns the lines and where the gauges go.
fn layout(width: u32, report: &Report) -> (Vec<Line>, i32) {
    let accuracy = match report.test_accuracy {
        Some(t) => format!("{t:.4} on held-out pairs ({:.4} on all)", report.accuracy),
        None => format!("{:.4} on all pairs (split not known)", report.accuracy),
    };
    let steps: Vec<String> = report.circle_steps.iter().map(usize::to_string).collect();
    let mut rows = vec![
        ("accuracy".to_string(), accuracy, false),
        ("gradient symmetricity".into(), format!("{:.4}", report.gradient_symmetricity), false),
        ("distance irrelevance".into(), format!("{:.4} (correct logit)", report.distance_irrelevance), false),
        (
            "distance irrelevance".into(),
            format!("{:.4} (largest wrong logit, as the phase diagrams)", report.distance_irrelevance_top_wrong),
            false,
        ),
        ("circularity".into(), format!("{:.4} (top 4 PCs; steps δ = {})", report.circularity, steps.join(", ")), false),
    ];
    if let Some(o) = report.operand_circularity {
        rows.push((
            "circularity per operand".into(),
            format!("{:.4} (a-tokens), {:.4} (b-tokens): what the verdict reads", o.a, o.b),
            false,
        ));
    }
    rows.extend([
        ("key frequencies".into(), report.fourier.key_frequencies.iter().map(usize::to_string).collect::<Vec<_>>().join(", "), false),
        ("parameter norm".into(), format!("{:.3}", report.parameter_norm), false),
    ]);
    for c in &report.circles {
        let fve = c.fve.map_or("templates undefined".to_string(), |f| {
            format!(
                "Clock {:.1}%, Pizza {:.1}%, Pizza′ {:.1}%, accompanying {:.1}%",
                100.0 * f.clock,
                100.0 * f.pizza,
                100.0 * f.pizza_prime,
                100.0 * f.accompanying_pizza
            )
        });
        let reading = c.reading.map_or("no template", |r| r.label());
        let value = format!("k = {}, {reading}, accuracy alone {:.3}; {fve}", c.frequency, c.accuracy);
        rows.push((format!("circle PC {}-{} (δ = {})", c.components[0], c.components[1], c.step), value, true));
    }
    if !report.top_circles_accuracy.is_empty() {
        let kept: Vec<String> = report.top_circles_accuracy.iter().map(|a| format!("{a:.3}")).collect();
        rows.push(("circles 1..n kept".into(), format!("accuracy {} (n = 1..{})", kept.join(", "), kept.len()), true));
    }
    let wide = width >= SIDE_BY_SIDE_MIN_WIDTH;
    let mut lines = Vec::new();
    // `text` from `(x, y)` on, wrapped to the width; `y` moves below it.
    let put = |lines: &mut Vec<Line>, x: i32, y: &mut i32, text: &str, small: bool| {
        let size = if small { SMALL_SIZE } else { LABEL_SIZE };
        let fits = ((width as i32 - x - 12) as f64 / (size * CHARACTER_WIDTH)).max(8.0) as usize;
        for text in wrap(text, fits) {
            lines.push(Line { x, y: *y, text, small });
            *y += size as i32 + 7;
        }
    };
    let mut y = 62;
    put(&mut lines, 20, &mut y, &report.verdict.reason, false);
    y += 14;
    for (name, value, small) in rows {
        if wide {
            let top = y;
            put(&mut lines, 220, &mut y, &value, small);
            lines.push(Line { x: 20, y: top, text: name, small });
        } else {
            put(&mut lines, 20, &mut y, &name, small);
            put(&mut lines, 36, &mut y, &value, small);
            y += 4;
        }
    }
    (lines, y + 16)
}

/// `text` in lines of at most `fits` characters, broken at spaces (a longer word stands alone).
fn wrap(text: &str, fits: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= fits => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// A 0-1 bar with the value filled and the two thresholds ticked and named.
fn gauge<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, y: i32, name: &str, value: f64, thresholds: [(f64, &str); 2]) -> PlotResult {
    let (x0, x1) = (80, (area.dim_in_pixel().0 as i32 - 40).max(200));
    let at = |v: f64| x0 + ((x1 - x0) as f64 * v.clamp(0.0, 1.0)) as i32;
    area.draw(&Text::new(name, (20, y + 2), label_style()))?;
    area.draw(&Rectangle::new([(x0, y), (x1, y + 18)], RGBColor(235, 235, 235).filled()))?;
    if value.is_finite() {
        area.draw(&Rectangle::new([(x0, y), (at(value), y + 18)], TEAL.filled()))?;
    }
    area.draw(&Rectangle::new([(x0, y), (x1, y + 18)], INK.stroke_width(1)))?;
    // Each threshold named on a line of its own (close thresholds would overlap), kept inside
    // the area's right edge.
    let width = area.dim_in_pixel().0 as i32;
    for (i, (t, label)) in thresholds.into_iter().enumerate() {
        let text = format!("{label} {t}");
        let text_width = (text.chars().count() as f64 * SMALL_SIZE * CHARACTER_WIDTH) as i32;
        area.draw(&PathElement::new(vec![(at(t), y - 4), (at(t), y + 22)], INK.stroke_width(2)))?;
        let x = (at(t) - 30).min(width - text_width - 8).max(0);
        area.draw(&Text::new(text, (x, y + 24 + 15 * i as i32), small_style()))?;
    }
    Ok(())
}
