//! grokscope's analysis: which algorithm a trained model implements, measured the way the
//! Clock & Pizza paper's own code measures it (docs/science.md §4), on host copies of the weights.

pub mod analysis;
pub mod attention;
pub mod circularity;
pub mod distance;
pub mod eigen;
pub mod embedding;
pub mod fourier;
pub mod ideal;
pub mod isolation;
pub mod logits;
pub mod manifold;
pub mod matrix;
pub mod pca;
pub mod progress;
pub mod symmetricity;
pub mod triples;
pub mod verdict;

pub use analysis::{Analysis, Report, analyze};
pub use verdict::{Algorithm, Verdict};
