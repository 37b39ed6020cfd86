//! Networks written by hand from the templates of docs/science.md §4.5 must come out as what they
//! are: the Pizza with GS 1 and DI 0, the Clock with GS near 0 and DI 1, each classified as such,
//! and each one's isolated circle explained by its own template (FVE > 0.999).

use grokscope_analysis::{Algorithm, Analysis, analyze, ideal};
use grokscope_core::device::Backend;
use pollster::block_on;

const P: usize = 59;
const FREQUENCIES: [usize; 2] = [5, 17];

#[test]
fn the_ideal_pizza_is_a_pizza() {
    let (run, weights) = ideal::pizza(P, FREQUENCIES);
    let analysis = block_on(analyze(&run, &weights, None, &Backend::CPU.device())).unwrap();
    // The notebook analyses in a worker and receives the whole `Analysis` through serde: every
    // table the charts draw must cross, not only the report (to the last digits that JSON,
    // without serde_json's exact-float feature, keeps).
    let crossed: Analysis = serde_json::from_str(&serde_json::to_string(&analysis).unwrap()).unwrap();
    let same = |a: &[f64], b: &[f64]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-12 * x.abs().max(1.0));
    assert!(same(&crossed.correct_logits, &analysis.correct_logits));
    assert_eq!(crossed.circle_logits.len(), analysis.report.circles.len());
    assert!(crossed.circle_logits.iter().zip(&analysis.circle_logits).all(|(a, b)| same(a, b)));
    assert_eq!(crossed.attention, analysis.attention);
    assert!(same(&crossed.pca.scores.data, &analysis.pca.scores.data));
    assert_eq!(crossed.report.verdict, analysis.report.verdict);
    let r = analysis.report;
    println!("{}", r.verdict.reason);
    assert_eq!(r.accuracy, 1.0);
    assert!(r.circularity > 0.9999, "{}", r.circularity);
    // E_a + E_b reaches the MLP (amplified past E_b's direct path): symmetric to 1e-5.
    assert!(r.gradient_symmetricity > 1.0 - 1e-5, "{}", r.gradient_symmetricity);
    // The correct logit is 2|cos(ω(a − b)/2)|, a function of a − b alone.
    assert!(r.distance_irrelevance < 1e-3, "{}", r.distance_irrelevance);
    assert_eq!(r.verdict.algorithm, Algorithm::Pizza);
    assert_eq!(r.circles.iter().map(|c| c.frequency).collect::<Vec<_>>(), FREQUENCIES);
    let first = r.circles[0].fve.unwrap();
    assert!(first.pizza > 0.999 && first.clock < 0.8, "{first:?}");
}

#[test]
fn the_ideal_clock_is_a_clock() {
    let (run, weights) = ideal::clock(P, FREQUENCIES);
    let r = block_on(analyze(&run, &weights, None, &Backend::CPU.device())).unwrap().report;
    println!("{}", r.verdict.reason);
    assert_eq!(r.accuracy, 1.0);
    assert!(r.circularity > 0.9999, "{}", r.circularity);
    assert!(r.gradient_symmetricity < 0.5, "{}", r.gradient_symmetricity);
    // The correct logit depends on a + b alone (through the class-independent offset).
    assert!(r.distance_irrelevance > 0.999, "{}", r.distance_irrelevance);
    assert_eq!(r.verdict.algorithm, Algorithm::Clock);
    assert_eq!(r.circles.iter().map(|c| c.frequency).collect::<Vec<_>>(), FREQUENCIES);
    let first = r.circles[0].fve.unwrap();
    assert!(first.clock > 0.999 && first.pizza < 0.8, "{first:?}");
}
