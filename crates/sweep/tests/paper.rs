//! The shipped paper points: exactly what `scripts/paper-phase-points.py` derives from the
//! published tables, 817 fixed-width and 466 varying-width runs, and the paper's own summary of
//! them: the mean GS per α bin at width 128 (docs/science.md §8).

use std::path::Path;
use std::process::Command;

use grokscope_sweep::paper::{PaperSweep, points, points_csv};

#[test]
fn the_shipped_points_are_what_the_script_derives() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let published = root.join("../shared/reference/clock-pizza/phase");
    let out = Command::new("python3")
        .arg(root.join("scripts/paper-phase-points.py"))
        .arg(&published)
        .output()
        .expect("python3 runs the derivation script");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8(out.stdout).unwrap() == points_csv(),
        "crates/sweep/data/paper-phase.csv differs from what the script derives"
    );
}

#[test]
fn the_points_read_as_the_paper_says() {
    let all = points();
    let fixed: Vec<_> = all.iter().filter(|p| p.sweep == PaperSweep::FixedWidth).collect();
    assert_eq!(fixed.len(), 817);
    assert_eq!(all.len() - fixed.len(), 466);
    assert!(fixed.iter().all(|p| p.d_model == 128 && p.circularity >= 0.995));
    // Mean gradient symmetricity per attention-rate bin at width 128.
    let mean_gs = |lo: f64, hi: f64| {
        let bin: Vec<f64> = fixed.iter().filter(|p| (lo..hi).contains(&p.attn_coeff)).map(|p| p.gradient_sim).collect();
        bin.iter().sum::<f64>() / bin.len() as f64
    };
    for (lo, hi, expected) in [(0.0, 0.5, 0.993), (0.5, 0.6, 0.92), (0.6, 0.7, 0.73), (0.7, 0.8, 0.63), (0.8, 0.9, 0.55), (0.9, 1.0, 0.45)]
    {
        let gs = mean_gs(lo, hi);
        assert!((gs - expected).abs() < 0.01, "α in [{lo}, {hi}): mean GS {gs}, the paper's summary {expected}");
    }
}
