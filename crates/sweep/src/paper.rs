//! The published phase-diagram points of "The Clock and the Pizza" (Zhong et al. 2023; MIT
//! licence, `data/paper-phase.LICENSE`): the runs the paper's figures keep (docs/science.md §8),
//! derived from the published tables by `scripts/paper-phase-points.py`.

use serde::{Deserialize, Serialize};

const POINTS: &str = include_str!("../data/paper-phase.csv");

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PaperSweep {
    /// d_model 128, α ~ U(0, 1): 817 points.
    FixedWidth,
    /// d_model = int(2^U(5, 9)), α ~ U(0, 1): 466 points.
    VaryingWidth,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct PaperPoint {
    pub sweep: PaperSweep,
    pub attn_coeff: f64,
    pub d_model: usize,
    pub gradient_sim: f64,
    /// The top-wrong variant, as published.
    pub distance_irrelevance: f64,
    pub circularity: f64,
}

/// Every shipped point, fixed-width first.
pub fn points() -> Vec<PaperPoint> {
    POINTS
        .lines()
        .skip(1)
        .map(|line| {
            let c: Vec<&str> = line.split(',').collect();
            let number = |i: usize| c[i].parse::<f64>().expect("the shipped points are numbers (tests/paper.rs)");
            PaperPoint {
                sweep: if c[0] == "fixed_width" { PaperSweep::FixedWidth } else { PaperSweep::VaryingWidth },
                attn_coeff: number(1),
                d_model: number(2) as usize,
                gradient_sim: number(3),
                distance_irrelevance: number(4),
                circularity: number(5),
            }
        })
        .collect()
}

/// The shipped file as it is, for a check against what the script derives.
pub fn points_csv() -> &'static str {
    POINTS
}
