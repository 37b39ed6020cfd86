//! Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: short, accurate to
//! rounding, and fast enough for the few-hundred-square matrices PCA needs here.

use crate::matrix::Matrix;

/// Eigenvalues in decreasing order and the matching unit eigenvectors as the columns of a matrix.
pub fn symmetric_eigen(a: &Matrix) -> (Vec<f64>, Matrix) {
    let n = a.rows;
    debug_assert_eq!(n, a.cols);
    let mut a = a.clone();
    let mut v = Matrix::from_fn(n, n, |r, c| if r == c { 1.0 } else { 0.0 });
    let scale: f64 = a.data.iter().map(|x| x * x).sum();
    for _sweep in 0..64 {
        let off: f64 = (0..n).flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j))).map(|(i, j)| a.get(i, j).powi(2)).sum();
        if off <= 1e-30 * scale || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a.get(p, q);
                if apq == 0.0 {
                    continue;
                }
                // The rotation that zeroes a[p][q] (Numerical Recipes §11.1).
                let theta = (a.get(q, q) - a.get(p, p)) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a.get(k, p), a.get(k, q));
                    a.set(k, p, c * akp - s * akq);
                    a.set(k, q, s * akp + c * akq);
                }
                for k in 0..n {
                    let (apk, aqk) = (a.get(p, k), a.get(q, k));
                    a.set(p, k, c * apk - s * aqk);
                    a.set(q, k, s * apk + c * aqk);
                }
                for k in 0..n {
                    let (vkp, vkq) = (v.get(k, p), v.get(k, q));
                    v.set(k, p, c * vkp - s * vkq);
                    v.set(k, q, s * vkp + c * vkq);
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a.get(j, j).total_cmp(&a.get(i, i)));
    let values = order.iter().map(|&i| a.get(i, i)).collect();
    let vectors = Matrix::from_fn(n, n, |r, c| v.get(r, order[c]));
    (values, vectors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconstructs_a_symmetric_matrix() {
        let a = Matrix::from_fn(6, 6, |i, j| ((i * 7 + j * 7 + i * j) % 5) as f64 - 2.0 + if i == j { 3.0 } else { 0.0 });
        let (values, v) = symmetric_eigen(&a);
        assert!(values.windows(2).all(|w| w[0] >= w[1]));
        for i in 0..6 {
            for j in 0..6 {
                let back: f64 = (0..6).map(|k| v.get(i, k) * values[k] * v.get(j, k)).sum();
                assert!((back - a.get(i, j)).abs() < 1e-10, "{i},{j}: {back} vs {}", a.get(i, j));
                let dot: f64 = (0..6).map(|k| v.get(k, i) * v.get(k, j)).sum();
                assert!((dot - if i == j { 1.0 } else { 0.0 }).abs() < 1e-10);
            }
        }
    }
}
