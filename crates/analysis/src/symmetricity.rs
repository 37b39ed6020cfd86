//! Gradient symmetricity (docs/science.md §4.1): for sampled (a, b, c), the cosine between the
//! gradients of logit c with respect to the token embeddings of a and of b (before the
//! position embedding), averaged. A model that only sees E_a + E_b scores exactly 1 (the
//! Pizza's signature); a Clock, which multiplies, scores well below.

use burn::prelude::*;
use burn::tensor::TensorData;
use grokscope_core::read::read_one;
use grokscope_core::weights::Weights;
use grokscope_core::{Error, Model, RunConfig};

use crate::triples::paper_triples;

pub async fn gradient_symmetricity(run: &RunConfig, weights: &Weights, device: &Device) -> Result<f64, Error> {
    let p = run.task.p;
    let device = device.clone().without_autodiff().autodiff();
    let model = Model::from_weights(&run.model, p, weights, &device)?;
    let triples = paper_triples(p);
    let n = triples.len();
    let encoding = run.model.encoding();
    let tokens = encoding.tokens(&run.task, triples.iter().map(|&(a, b, _)| (a, b)), &device);
    let classes: Vec<i64> = triples.iter().map(|&(.., c)| c as i64).collect();
    let classes = Tensor::<1, Int>::from_data(TensorData::new(classes, [n]), &device);
    // The embeddings become the leaf we differentiate with respect to. Each sequence's logit
    // depends on its own embeddings only, so one backward of the sum gives every gradient.
    let embedded = model.embed(tokens).detach().require_grad();
    let picked = model.forward_embedded(embedded.clone()).gather(1, classes.unsqueeze_dim(1)).sum();
    let grads = picked.backward();
    let grad = embedded.grad(&grads).ok_or_else(|| Error::Device("no gradient reached the embeddings".into()))?;
    let [_, n_ctx, d] = grad.dims();
    let g = read_one(grad).await?;
    let cosines = (0..n).map(|i| {
        let at = |pos: usize| &g[(i * n_ctx + pos) * d..(i * n_ctx + pos + 1) * d];
        let (a, b) = encoding.operand_positions();
        cosine(at(a), at(b))
    });
    Ok(cosines.sum::<f64>() / n as f64)
}

fn cosine(x: &[f32], y: &[f32]) -> f64 {
    let dot = |u: &[f32], v: &[f32]| u.iter().zip(v).map(|(&a, &b)| a as f64 * b as f64).sum::<f64>();
    dot(x, y) / dot(x, x).sqrt() / dot(y, y).sqrt()
}
