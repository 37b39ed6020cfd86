//! The token embedding table as the metrics read it: one row per token (the official code's
//! `W_E.T` for transformers, `embed.weight` for the MLP-only models).

use grokscope_core::model::ModelConfig;
use grokscope_core::weights::{HostTensor, Weights};
use grokscope_core::Error;

use crate::matrix::Matrix;

fn name(config: &ModelConfig) -> &'static str {
    match config {
        ModelConfig::Transformer(_) => "embed.W_E",
        ModelConfig::MlpOnly(_) => "embed.weight",
    }
}

/// `[vocab, d]`.
pub fn embedding_rows(config: &ModelConfig, weights: &Weights) -> Result<Matrix, Error> {
    let t = weights.get(name(config)).ok_or_else(|| Error::MissingTensor(name(config).to_string()))?;
    if t.shape.len() != 2 {
        return Err(Error::WrongShape { name: name(config).to_string(), expected: vec![0, 0], found: t.shape.clone() });
    }
    let m = Matrix { rows: t.shape[0], cols: t.shape[1], data: t.values.iter().map(|&v| v as f64).collect() };
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
    weights.insert(name(config), HostTensor::new(vec![table.rows, table.cols], table.data.iter().map(|&v| v as f32).collect()));
    weights
}
