//! A dense row-major f64 matrix: all the linear algebra the metrics need is on host copies of
//! small tables (tokens × d_model), in double precision.

use grokscope_core::weights::HostTensor;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f64>,
}

impl Matrix {
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Matrix { rows, cols, data: vec![0.0; rows * cols] }
    }

    pub fn from_fn(rows: usize, cols: usize, f: impl Fn(usize, usize) -> f64) -> Self {
        Matrix { rows, cols, data: (0..rows * cols).map(|i| f(i / cols, i % cols)).collect() }
    }

    pub fn get(&self, r: usize, c: usize) -> f64 {
        self.data[r * self.cols + c]
    }

    pub fn set(&mut self, r: usize, c: usize, v: f64) {
        self.data[r * self.cols + c] = v;
    }

    pub fn row(&self, r: usize) -> &[f64] {
        &self.data[r * self.cols..(r + 1) * self.cols]
    }

    pub fn column(&self, c: usize) -> Vec<f64> {
        (0..self.rows).map(|r| self.get(r, c)).collect()
    }

    pub fn transpose(&self) -> Matrix {
        Matrix::from_fn(self.cols, self.rows, |r, c| self.get(c, r))
    }

    /// `self · other`, `[rows, other.cols]`.
    pub fn matmul(&self, other: &Matrix) -> Matrix {
        assert_eq!(self.cols, other.rows, "inner dimensions");
        let mut out = Matrix::zeros(self.rows, other.cols);
        for r in 0..self.rows {
            for (k, &x) in self.row(r).iter().enumerate() {
                let b = other.row(k);
                for (o, &y) in out.data[r * other.cols..(r + 1) * other.cols].iter_mut().zip(b) {
                    *o += x * y;
                }
            }
        }
        out
    }

    /// The first `n` rows.
    pub fn top_rows(&self, n: usize) -> Matrix {
        Matrix { rows: n, cols: self.cols, data: self.data[..n * self.cols].to_vec() }
    }

    /// A host copy of a 2-D weight, `[shape[0], shape[1]]`.
    pub fn from_host(t: &HostTensor) -> Matrix {
        Matrix { rows: t.shape[0], cols: t.shape[1], data: t.values.iter().map(|&v| v as f64).collect() }
    }

    /// `selfᵀ · self`, symmetric `[cols, cols]`.
    pub fn gram_of_columns(&self) -> Matrix {
        let mut g = Matrix::zeros(self.cols, self.cols);
        for r in 0..self.rows {
            let row = self.row(r);
            for i in 0..self.cols {
                for j in i..self.cols {
                    g.data[i * self.cols + j] += row[i] * row[j];
                }
            }
        }
        for i in 0..self.cols {
            for j in 0..i {
                g.data[i * self.cols + j] = g.data[j * self.cols + i];
            }
        }
        g
    }
}
