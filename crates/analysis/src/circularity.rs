//! Circularity (docs/science.md §4.3): how close each top principal component of the embedding is to
//! a single sinusoid in the token index, once the tokens are visited in steps of i.

use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

use crate::matrix::Matrix;
use crate::pca::{COMPONENTS, Pca};

/// The paper averages over the top 4 components.
pub const TOP: usize = 4;

/// A principal component read as a circle.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct CircleFit {
    /// The step δ = min(i, p − i) of the best i: visiting tokens 0, i, 2i, … traces one period.
    pub step: usize,
    /// Its frequency k = i⁻¹ mod p as min(k, p − k) (0 where i has no inverse mod p).
    pub frequency: usize,
    /// 2|z_i|²: the share of the component's energy at that frequency (may exceed 1 by rounding;
    /// the circularity clips it).
    pub score: f64,
}

/// Fits one component's scores. Only the first p rows are tokens 0..p (with `diff_vocab` there
/// are 2p rows), but the normalisation runs over all rows, as the official code.
pub fn circle_fit(scores: &[f64], p: usize) -> CircleFit {
    let norm = scores.iter().map(|s| s * s).sum::<f64>().sqrt();
    let scale = if norm > 0.0 { 1.0 / norm / (p as f64).sqrt() } else { 0.0 };
    let (mut best_i, mut best) = (1, f64::NEG_INFINITY);
    for i in 1..p {
        let (mut re, mut im) = (0.0, 0.0);
        for t in 0..p {
            let v = scores[(t * i) % p] * scale;
            let angle = 2.0 * PI * t as f64 / p as f64;
            re += v * angle.cos();
            im += v * angle.sin();
        }
        let score = 2.0 * (re * re + im * im);
        if score > best {
            (best_i, best) = (i, score);
        }
    }
    let frequency = inverse_mod(best_i, p).map_or(0, |k| k.min(p - k));
    CircleFit { step: best_i.min(p - best_i), frequency, score: best }
}

/// Circularity: the mean over the top 4 components of their clipped circle scores, and the fits.
pub fn circularity(pca: &Pca, p: usize) -> (f64, Vec<CircleFit>) {
    let fits: Vec<CircleFit> = (0..TOP.min(pca.len())).map(|j| circle_fit(&pca.scores.column(j), p)).collect();
    let mean = fits.iter().map(|f| f.score.clamp(0.0, 1.0)).sum::<f64>() / TOP as f64;
    (mean, fits)
}

/// Circularity of each operand of a `diff_vocab` model over its own vocabulary: tokens 0..p are
/// a's numbers, p..2p b's. The official circularity fits one PCA to both sets of rows, whose two
/// clouds are unrelated, so it caps near 0.5 there (none of the paper's diff_vocab runs exceeds
/// 0.78); each set alone is read as the official code reads the one vocabulary of the others.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct OperandCircularity {
    pub a: f64,
    pub b: f64,
}

/// Each operand's circularity, from the embedding table as rows = tokens (at least 2p rows).
pub fn operand_circularity(rows: &Matrix, p: usize) -> OperandCircularity {
    let of = |first: usize| circularity(&Pca::fit(&Matrix::from_fn(p, rows.cols, |t, c| rows.get(first + t, c)), COMPONENTS), p).0;
    OperandCircularity { a: of(0), b: of(p) }
}

/// x⁻¹ mod p, where it exists.
pub fn inverse_mod(x: usize, p: usize) -> Option<usize> {
    (1..p).find(|&k| (k * x) % p == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/science.md §7: two circles of frequencies k ≠ ±k' and amplitudes A > B give circularity 1
    /// with steps k⁻¹; Gaussian noise gives about 0.1-0.2.
    #[test]
    fn ideal_circles_score_one_and_noise_does_not() {
        let p = 59;
        let (k1, k2) = (5, 17);
        let w = |k: usize, t: usize| 2.0 * PI * (k * t) as f64 / p as f64;
        let x = Matrix::from_fn(p, 8, |t, c| match c {
            0 => 2.0 * w(k1, t).cos(),
            1 => 2.0 * w(k1, t).sin(),
            2 => w(k2, t).cos(),
            3 => w(k2, t).sin(),
            _ => 0.0,
        });
        let (c, fits) = circularity(&Pca::fit(&x, 20), p);
        assert!((c - 1.0).abs() < 1e-9, "{c}");
        let step = |k| {
            let i = inverse_mod(k, p).unwrap();
            i.min(p - i)
        };
        assert_eq!(fits.iter().map(|f| f.step).collect::<Vec<_>>(), [step(k1), step(k1), step(k2), step(k2)]);
        assert_eq!(fits.iter().map(|f| f.frequency).collect::<Vec<_>>(), [k1, k1, k2, k2]);

        // Box-Muller over SplitMix64 uniforms.
        let uniform = |j: usize| {
            let mut z = (j as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64 + 1e-12
        };
        let gauss = |i: usize| (-2.0 * uniform(2 * i).ln()).sqrt() * (2.0 * PI * uniform(2 * i + 1)).cos();
        let noise = Matrix::from_fn(p, 128, |r, c| gauss(r * 128 + c));
        let (c, _) = circularity(&Pca::fit(&noise, 20), p);
        assert!((0.05..0.3).contains(&c), "noise circularity {c}");
    }

    /// Two vocabularies, each a clean pair of circles in dimensions of its own: each operand
    /// reads 1, the official circularity over both sets of rows does not get near it.
    #[test]
    fn each_operand_over_its_own_vocabulary() {
        let p = 59;
        let w = |k: usize, t: usize| 2.0 * PI * (k * t) as f64 / p as f64;
        let circles = |t: usize, c: usize, k1: usize, k2: usize| match c {
            0 => 2.0 * w(k1, t).cos(),
            1 => 2.0 * w(k1, t).sin(),
            2 => w(k2, t).cos(),
            _ => w(k2, t).sin(),
        };
        let x = Matrix::from_fn(2 * p, 8, |r, c| match (r < p, c < 4) {
            (true, true) => circles(r, c, 5, 17),
            (false, false) => circles(r - p, c - 4, 11, 3),
            _ => 0.0,
        });
        let o = operand_circularity(&x, p);
        assert!((o.a - 1.0).abs() < 1e-9 && (o.b - 1.0).abs() < 1e-9, "{o:?}");
        let (official, _) = circularity(&Pca::fit(&x, 20), p);
        assert!(official < 0.75, "official circularity {official}");
    }
}
