//! The metrics and the verdict as a panel: the label, the numbers behind it, and gauges that
//! place GS and DI against the thresholds of the rule.

use grokscope_analysis::verdict::{CLOCK_MAX_GS, CLOCK_MIN_DI, PIZZA_MAX_DI, PIZZA_MIN_GS};
use grokscope_analysis::{Algorithm, Report};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::style::*;

pub fn readout<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, report: &Report) -> PlotResult {
    area.fill(&WHITE)?;
    let colour = match report.verdict.algorithm {
        Algorithm::Pizza => ORANGE,
        Algorithm::Clock => DEEP_BLUE,
        _ => GREY,
    };
    let big = (FONT, 30.0).into_font().color(&INK);
    area.draw(&Rectangle::new([(20, 20), (34, 52)], colour.filled()))?;
    area.draw(&Text::new(format!("Verdict: {}", report.verdict.algorithm.label()), (46, 22), big))?;
    area.draw(&Text::new(report.verdict.reason.clone(), (20, 62), label_style()))?;

    let accuracy = match report.test_accuracy {
        Some(t) => format!("{t:.4} on held-out pairs ({:.4} on all)", report.accuracy),
        None => format!("{:.4} on all pairs (split not known)", report.accuracy),
    };
    let steps: Vec<String> = report.circle_steps.iter().map(usize::to_string).collect();
    let rows = [
        ("accuracy", accuracy),
        ("gradient symmetricity", format!("{:.4}", report.gradient_symmetricity)),
        ("distance irrelevance", format!("{:.4} (correct logit)", report.distance_irrelevance)),
        ("distance irrelevance", format!("{:.4} (largest wrong logit, as the phase diagrams)", report.distance_irrelevance_top_wrong)),
        ("circularity", format!("{:.4} (top 4 PCs; steps δ = {})", report.circularity, steps.join(", "))),
        ("key frequencies", report.fourier.key_frequencies.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")),
        ("parameter norm", format!("{:.3}", report.parameter_norm)),
    ];
    let mut y = 100;
    for (name, value) in rows {
        area.draw(&Text::new(name, (20, y), label_style()))?;
        area.draw(&Text::new(value, (220, y), label_style()))?;
        y += 24;
    }
    for c in &report.circles {
        let fve = c.fve.map_or("templates undefined".to_string(), |f| {
            format!(
                "Clock {:.1}%  Pizza {:.1}%  Pizza′ {:.1}%  accompanying {:.1}%",
                100.0 * f.clock,
                100.0 * f.pizza,
                100.0 * f.pizza_prime,
                100.0 * f.accompanying_pizza
            )
        });
        area.draw(&Text::new(format!("circle PC {}-{} (δ = {})", c.components[0], c.components[1], c.step), (20, y), small_style()))?;
        area.draw(&Text::new(fve, (220, y), small_style()))?;
        y += 20;
    }
    y += 16;
    gauge(area, y, "GS", report.gradient_symmetricity, [(CLOCK_MAX_GS, "Clock ≤"), (PIZZA_MIN_GS, "Pizza ≥")])?;
    gauge(area, y + 56, "DI", report.distance_irrelevance, [(PIZZA_MAX_DI, "Pizza ≤"), (CLOCK_MIN_DI, "Clock ≥")])?;
    Ok(())
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
    for (t, label) in thresholds {
        area.draw(&PathElement::new(vec![(at(t), y - 4), (at(t), y + 22)], INK.stroke_width(2)))?;
        area.draw(&Text::new(format!("{label} {t}"), (at(t) - 30, y + 24), small_style()))?;
    }
    Ok(())
}
