//! The token embedding table as the metrics read it: one row per token (the official code's
//! `W_E.T` for transformers, `embed.weight` for the MLP-only models).

use grokscope_core::Error;
use grokscope_core::model::ModelConfig;
use grokscope_core::weights::{HostTensor, Weights};

use crate::matrix::Matrix;

/// `[vocab, d]`.
pub fn embedding_rows(config: &ModelConfig, weights: &Weights) -> Result<Matrix, Error> {
    let name = config.embedding_name();
    let t = weights.get(name).ok_or_else(|| Error::MissingTensor(name.to_string()))?;
    if t.shape.len() != 2 {
        return Err(Error::WrongShape { name: name.to_string(), expected: vec![0, 0], found: t.shape.clone() });
    }
    let m = Matrix::from_host(t);
    Ok(match config {
        ModelConfig::Transformer(_) => m.transpose(),
        ModelConfig::MlpOnly(_) => m,
    })
}

/// The same weights with the embedding table replaced by `rows`.
pub fn with_embedding_rows(config: &ModelConfig, weights: &Weights, rows: &Matrix) -> Weights {
    let table = match config {
        ModelConfig::Transformer(_) => rows.transpose(),
        ModelConfig::MlpOnly(_) => rows.clone(),
    };
    let mut weights = weights.clone();
    weights.insert(config.embedding_name(), HostTensor::new(vec![table.rows, table.cols], table.data.iter().map(|&v| v as f32).collect()));
    weights
}
