//! Attention patterns over the inputs (SPEC.md §4.6): how much the last position attends to
//! the first token, for every pair (a, b), per layer and head.

use burn::prelude::*;
use grokscope_core::data::Batch;
use grokscope_core::weights::Weights;
use grokscope_core::{Error, Model, RunConfig};

/// `[layer][head][pair]`: A[query = last, key = 0]. Empty for the MLP-only models.
pub async fn attention_to_first_token(run: &RunConfig, weights: &Weights, device: &Device) -> Result<Vec<Vec<Vec<f32>>>, Error> {
    let Model::Transformer(model) = Model::from_weights(&run.model, run.task.p, weights, device)? else {
        return Ok(Vec::new());
    };
    let batch = Batch::all(&run.task, &run.model, device);
    let patterns = model.attention_patterns(model.embed(batch.inputs));
    let mut transaction = burn::tensor::Transaction::default();
    let mut heads = 0;
    for pattern in &patterns {
        let [pairs, h, n, _] = pattern.dims();
        heads = h;
        // [pairs, heads] → [heads, pairs], so each head's values are contiguous.
        let last_to_first = pattern.clone().narrow(2, n - 1, 1).narrow(3, 0, 1).reshape([pairs, h]).transpose();
        transaction = transaction.register(last_to_first);
    }
    let data = transaction.execute_async().await.map_err(|e| Error::Device(format!("{e:?}")))?;
    data.into_iter()
        .map(|layer| {
            let values = layer.try_into_vec::<f32>().map_err(|e| Error::Device(format!("{e:?}")))?;
            Ok(values.chunks(values.len() / heads.max(1)).map(<[f32]>::to_vec).collect())
        })
        .collect()
}
