//! The model run on every pair, read back in one asynchronous read.

use burn::prelude::*;
use grokscope_core::data::Batch;
use grokscope_core::read::read_one;
use grokscope_core::weights::Weights;
use grokscope_core::{Error, Model, RunConfig, Task};

/// Logits of every class for every pair, `[p², classes]` in pair order.
#[derive(Clone, Debug)]
pub struct LogitTable {
    pub classes: usize,
    pub values: Vec<f32>,
}

impl LogitTable {
    pub async fn compute(run: &RunConfig, weights: &Weights, device: &Device) -> Result<Self, Error> {
        let model = Model::from_weights(&run.model, run.task.p, weights, device)?;
        let batch = Batch::all(&run.task, &run.model, device);
        let logits = model.forward(batch.inputs);
        let classes = logits.dims()[1];
        Ok(LogitTable { classes, values: read_one(logits).await? })
    }

    pub fn pair(&self, i: usize) -> &[f32] {
        &self.values[i * self.classes..(i + 1) * self.classes]
    }

    /// The logit of the right answer, per pair.
    pub fn correct(&self, task: &Task) -> Vec<f64> {
        task.answers().iter().enumerate().map(|(i, &c)| self.pair(i)[c as usize] as f64).collect()
    }

    /// The largest logit of a wrong class (over the whole vocabulary, as the official code), per pair.
    pub fn top_wrong(&self, task: &Task) -> Vec<f64> {
        task.answers()
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let row = self.pair(i);
                row.iter().enumerate().filter(|&(k, _)| k != c as usize).map(|(_, &v)| v as f64).fold(f64::NEG_INFINITY, f64::max)
            })
            .collect()
    }

    /// Share of `pairs` whose first largest logit is the answer (torch's `argmax`).
    pub fn accuracy(&self, task: &Task, pairs: impl IntoIterator<Item = usize>) -> f64 {
        let answers = task.answers();
        let (mut right, mut total) = (0usize, 0usize);
        for i in pairs {
            let row = self.pair(i);
            let best = row.iter().enumerate().fold(0, |best, (k, &v)| if v > row[best] { k } else { best });
            right += (best == answers[i] as usize) as usize;
            total += 1;
        }
        right as f64 / total.max(1) as f64
    }
}
