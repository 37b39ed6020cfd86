//! Attention patterns over the inputs (docs/science.md §4.6): how much the last position attends to
//! the first token, for every pair (a, b), per layer and head.

use burn::prelude::*;
use grokscope_core::data::Batch;
use grokscope_core::read::read_f32;
use grokscope_core::weights::Weights;
use grokscope_core::{Error, Model, RunConfig};

/// `[layer][head][pair]`: A[query = last, key = 0]. Empty for the MLP-only models.
pub async fn attention_to_first_token(run: &RunConfig, weights: &Weights, device: &Device) -> Result<Vec<Vec<Vec<f32>>>, Error> {
    let Model::Transformer(model) = Model::from_weights(&run.model, run.task.p, weights, device)? else {
        return Ok(Vec::new());
    };
    let batch = Batch::all(&run.task, &run.model, device);
    let (_, patterns) = model.residual(model.embed(batch.inputs));
    let mut heads = 0;
    let last_to_first = patterns
        .into_iter()
        .map(|pattern| {
            let [pairs, h, n, _] = pattern.dims();
            heads = h;
            // [pairs, heads] → [heads, pairs], so each head's values are contiguous.
            pattern.narrow(2, n - 1, 1).narrow(3, 0, 1).reshape([pairs, h]).transpose()
        })
        .collect();
    let layers = read_f32(last_to_first).await?;
    Ok(layers.into_iter().map(|values| values.chunks(values.len() / heads.max(1)).map(<[f32]>::to_vec).collect()).collect())
}
