//! The train/test split and the device copies of the data.

use burn::prelude::*;
use burn::tensor::{Int, TensorData};

use crate::model::ModelConfig;
use crate::rng::{HostRng, Stream};
use crate::task::Task;

/// Which pairs (by pair number) are trained on and which are held out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    pub train: Vec<u32>,
    pub test: Vec<u32>,
}

impl Split {
    /// A seeded random split; the train set has `floor(fraction * p²)` pairs, as the official
    /// code's `int(frac * len)`.
    pub fn new(task: &Task, train_fraction: f64, seed: u64) -> Self {
        let n = task.num_pairs();
        let mut order: Vec<u32> = (0..n as u32).collect();
        HostRng::new(seed, Stream::Split).shuffle(&mut order);
        let n_train = ((train_fraction * n as f64) as usize).min(n);
        let test = order.split_off(n_train);
        Split { train: order, test }
    }

    /// 1.0 for training pairs, 0.0 for held-out ones, in pair order.
    pub fn train_mask(&self, n: usize) -> Vec<f32> {
        let mut mask = vec![0.0; n];
        for &i in &self.train {
            mask[i as usize] = 1.0;
        }
        mask
    }
}

/// Token sequences and answers on a device.
#[derive(Clone, Debug)]
pub struct Batch {
    /// `[n, n_ctx]` token ids.
    pub inputs: Tensor<2, Int>,
    /// `[n]` answer classes.
    pub labels: Tensor<1, Int>,
}

impl Batch {
    /// The given pairs (by pair number), encoded for `model`.
    pub fn new(task: &Task, model: &ModelConfig, pairs: &[u32], device: &Device) -> Self {
        let pairs: Vec<(u32, u32)> = pairs.iter().map(|&i| task.pair(i as usize)).collect();
        let answers: Vec<i64> = pairs.iter().map(|&(a, b)| task.answer(a, b) as i64).collect();
        Batch {
            inputs: model.encoding().tokens(task, pairs, device),
            labels: Tensor::from_data(TensorData::new(answers.clone(), [answers.len()]), device),
        }
    }

    /// Every pair, in pair order.
    pub fn all(task: &Task, model: &ModelConfig, device: &Device) -> Self {
        let pairs: Vec<u32> = (0..task.num_pairs() as u32).collect();
        Self::new(task, model, &pairs, device)
    }

    /// The given pairs once for each operation of `task`, one operation after another: what a
    /// mixture trains on (a single operation's batch is `new`'s).
    pub fn every_operation(task: &Task, model: &ModelConfig, pairs: &[u32], device: &Device) -> Self {
        let batches: Vec<Batch> = task.each().iter().map(|t| Self::new(t, model, pairs, device)).collect();
        Batch {
            inputs: Tensor::cat(batches.iter().map(|b| b.inputs.clone()).collect(), 0),
            labels: Tensor::cat(batches.into_iter().map(|b| b.labels).collect(), 0),
        }
    }

    pub fn len(&self) -> usize {
        self.labels.dims()[0]
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_split_sizes_and_determinism() {
        let task = Task::paper();
        let s = Split::new(&task, 0.8, 0);
        assert_eq!((s.train.len(), s.test.len()), (2784, 697));
        assert_eq!(s, Split::new(&task, 0.8, 0));
        assert_ne!(s, Split::new(&task, 0.8, 1));
        let mut all: Vec<u32> = s.train.iter().chain(&s.test).copied().collect();
        all.sort();
        assert_eq!(all, (0..3481).collect::<Vec<_>>());
        assert_eq!(s.train_mask(3481).iter().sum::<f32>(), 2784.0);
    }
}
