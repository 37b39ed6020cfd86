//! PCA of the token embeddings as sklearn's `PCA(n_components=20).fit_transform` computes it
//! (docs/science.md §4.3-4.5): rows are tokens, centred over tokens, scores are the centred rows
//! projected on the principal axes. Signs of components are arbitrary (sklearn flips them
//! by its own convention); nothing measured here depends on them.

use serde::{Deserialize, Serialize};

use crate::eigen::symmetric_eigen;
use crate::matrix::Matrix;

/// The paper keeps 20 components.
pub const COMPONENTS: usize = 20;

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Pca {
    /// The token-mean row, `[d]`.
    pub mean: Vec<f64>,
    /// Principal axes, `[k, d]`, unit rows.
    pub components: Matrix,
    /// Each token's coordinates, `[tokens, k]`.
    pub scores: Matrix,
    /// Variance along each axis (divided by tokens − 1, as sklearn).
    pub explained_variance: Vec<f64>,
    /// Share of the total variance along each axis.
    pub explained_variance_ratio: Vec<f64>,
}

impl Pca {
    /// Fits up to `k` components to the rows of `x`.
    pub fn fit(x: &Matrix, k: usize) -> Pca {
        let (n, d) = (x.rows, x.cols);
        let mean: Vec<f64> = (0..d).map(|c| (0..n).map(|r| x.get(r, c)).sum::<f64>() / n as f64).collect();
        let centred = Matrix::from_fn(n, d, |r, c| x.get(r, c) - mean[c]);
        let k = k.min(n).min(d);
        // Decompose the smaller of the two Gram matrices: tokens × tokens or d × d.
        let (values, components, scores) = if n <= d {
            let (values, u) = symmetric_eigen(&centred.transpose().gram_of_columns());
            let mut components = Matrix::zeros(k, d);
            let mut scores = Matrix::zeros(n, k);
            for j in 0..k {
                let sigma = values[j].max(0.0).sqrt();
                for r in 0..n {
                    scores.set(r, j, u.get(r, j) * sigma);
                }
                if sigma > 0.0 {
                    for c in 0..d {
                        components.set(j, c, (0..n).map(|r| centred.get(r, c) * u.get(r, j)).sum::<f64>() / sigma);
                    }
                }
            }
            (values, components, scores)
        } else {
            let (values, v) = symmetric_eigen(&centred.gram_of_columns());
            let components = Matrix::from_fn(k, d, |j, c| v.get(c, j));
            let scores = Matrix::from_fn(n, k, |r, j| (0..d).map(|c| centred.get(r, c) * v.get(c, j)).sum());
            (values, components, scores)
        };
        let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
        let explained_variance: Vec<f64> = values[..k].iter().map(|v| v.max(0.0) / (n as f64 - 1.0).max(1.0)).collect();
        let explained_variance_ratio = values[..k].iter().map(|v| if total > 0.0 { v.max(0.0) / total } else { 0.0 }).collect();
        Pca { mean, components, scores, explained_variance, explained_variance_ratio }
    }

    pub fn len(&self) -> usize {
        self.components.rows
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// sklearn's `inverse_transform` of the scores with every component but `keep` zeroed: the
    /// token mean plus the kept components.
    pub fn reconstruct(&self, keep: &[usize]) -> Matrix {
        let (n, d) = (self.scores.rows, self.mean.len());
        Matrix::from_fn(n, d, |r, c| self.mean[c] + keep.iter().map(|&j| self.scores.get(r, j) * self.components.get(j, c)).sum::<f64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both decomposition routes (tokens > d and tokens ≤ d) rebuild the data from all their
    /// components, with uncorrelated scores in decreasing variance.
    #[test]
    fn both_routes_reconstruct() {
        let tall = Matrix::from_fn(7, 4, |r, c| ((r * 3 + c * 5 + r * c) % 7) as f64 * 0.3 + (r as f64).sin());
        for x in [tall.clone(), tall.transpose()] {
            let pca = Pca::fit(&x, 20);
            let k = x.rows.min(x.cols);
            assert_eq!(pca.len(), k);
            let back = pca.reconstruct(&(0..k).collect::<Vec<_>>());
            for (a, b) in back.data.iter().zip(&x.data) {
                assert!((a - b).abs() < 1e-9);
            }
            assert!(pca.explained_variance.windows(2).all(|w| w[0] >= w[1]));
            let (s0, s1) = (pca.scores.column(0), pca.scores.column(1));
            assert!(s0.iter().zip(&s1).map(|(a, b)| a * b).sum::<f64>().abs() < 1e-9);
            assert!((pca.explained_variance_ratio.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }
    }
}
