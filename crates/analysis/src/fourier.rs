//! The Fourier view of the embedding (docs/science.md §4.4; Nanda et al.): how much of the token
//! embedding lies at each frequency of the token index. Circles show up as a few key
//! frequencies holding most of the energy.

use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

use crate::matrix::Matrix;

/// A frequency is "key" when it holds at least this share of the non-constant energy.
pub const KEY_SHARE: f64 = 0.05;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Spectrum {
    /// Norm of the embedding's cosine and sine coefficients at k = 0..=p/2, over all d_model
    /// directions: ‖Σ_t e_t cos(2πkt/p)‖² + ‖Σ_t e_t sin(2πkt/p)‖², square-rooted.
    pub norms: Vec<f64>,
    /// Frequencies (k ≥ 1) holding at least `KEY_SHARE` of the energy outside k = 0, strongest first.
    pub key_frequencies: Vec<usize>,
}

/// The spectrum of the first p embedding rows (the tokens 0..p).
pub fn spectrum(rows: &Matrix, p: usize) -> Spectrum {
    let norms: Vec<f64> = (0..=p / 2)
        .map(|k| {
            let mut energy = 0.0;
            for c in 0..rows.cols {
                let (mut re, mut im) = (0.0, 0.0);
                for t in 0..p {
                    let angle = 2.0 * PI * (k * t % p) as f64 / p as f64;
                    re += rows.get(t, c) * angle.cos();
                    im += rows.get(t, c) * angle.sin();
                }
                energy += re * re + im * im;
            }
            energy.sqrt()
        })
        .collect();
    Spectrum::from_norms(norms)
}

impl Spectrum {
    /// From the norms at k = 0, 1, …: the key frequencies follow.
    pub fn from_norms(norms: Vec<f64>) -> Self {
        let total: f64 = norms.iter().skip(1).map(|n| n * n).sum();
        let mut key: Vec<usize> = (1..norms.len()).filter(|&k| total > 0.0 && norms[k].powi(2) / total >= KEY_SHARE).collect();
        key.sort_by(|&a, &b| norms[b].total_cmp(&norms[a]));
        Spectrum { norms, key_frequencies: key }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_frequencies_of_two_circles() {
        let p = 31;
        let x = Matrix::from_fn(p, 4, |t, c| {
            let w = |k: usize| 2.0 * PI * (k * t) as f64 / p as f64;
            [2.0 * w(3).cos(), 2.0 * w(3).sin(), w(11).cos(), w(11).sin()][c] + 0.5
        });
        let s = spectrum(&x, p);
        assert_eq!(s.norms.len(), 16);
        assert_eq!(s.key_frequencies, [3, 11]);
        // A circle of radius A has cosine and sine coefficients A·p/2 each: norm A·p/√2.
        assert!((s.norms[3] - 2.0 * p as f64 / 2f64.sqrt()).abs() < 1e-9);
        assert!(s.norms[5] < 1e-9);
    }
}
