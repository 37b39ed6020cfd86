//! Messages between the page and a worker (a Web Worker that trains on WebGPU or on the CPU
//! backend and analyses models, so that a training step, the kernels' compilation or an
//! analysis never holds up the page's frames). One request at a time, each answered by one reply; they cross as JS values through
//! serde-wasm-bindgen, the weights as byte arrays (a `Uint8Array` each) rather than arrays of
//! numbers.

use grokscope_analysis::Analysis;
use grokscope_analysis::progress::Evaluation;
use grokscope_core::RunConfig;
use grokscope_core::optimizer::AdamWState;
use grokscope_core::weights::{HostTensor, Weights};
use grokscope_sweep::bench::EnsembleBench;
use serde::{Deserialize, Serialize};

use crate::webgpu::GpuCheck;

#[derive(Serialize, Deserialize, Debug)]
pub enum Request {
    /// Bring WebGPU up in this worker and check it on `run` (`webgpu::check`).
    CheckGpu { run: RunConfig },
    /// A run from its seed, or resumed from recorded weights at a step (with AdamW's state
    /// there, exactly); on this worker's WebGPU device (`gpu`) or on the CPU backend.
    Start { run: RunConfig, from: Option<(usize, WireWeights, Option<WireAdamW>)>, gpu: bool },
    /// Runs of one shape from their seeds, as one ensemble (`EnsembleTrainer`).
    StartEnsemble { runs: Vec<RunConfig>, gpu: bool },
    /// `steps` more optimizer steps of what was started.
    Advance { steps: usize },
    /// The snapshot, the cheap progress measures and every weight: one for a run (with AdamW's
    /// state, to resume from), one per member for an ensemble.
    Observe,
    /// Everything measured about a model; `test_pairs` where its split is known.
    Analyze { run: RunConfig, weights: WireWeights, test_pairs: Option<Vec<u32>> },
    /// The benchmark page's ensemble against single runs (`grokscope_sweep::bench`).
    BenchEnsemble { k: usize, p: usize, d_model: usize, steps: usize, gpu: bool },
}

#[derive(Serialize, Deserialize, Debug)]
pub enum Reply {
    /// The worker has loaded and listens (sent once, unasked).
    Ready,
    GpuChecked(GpuCheck),
    Started,
    /// The run's step count after an `Advance`.
    Advanced {
        step: usize,
    },
    Observed(Vec<(Evaluation, WireWeights, Option<WireAdamW>)>),
    Analyzed(Box<Analysis>),
    BenchedEnsemble(EnsembleBench),
    Failed(String),
}

/// Weights as they cross: each tensor's f32 values as little-endian bytes.
#[derive(Serialize, Deserialize, Debug)]
pub struct WireWeights(Vec<(String, Vec<usize>, serde_bytes::ByteBuf)>);

impl From<&Weights> for WireWeights {
    fn from(w: &Weights) -> Self {
        WireWeights(w.0.iter().map(|(name, t)| (name.clone(), t.shape.clone(), serde_bytes::ByteBuf::from(t.to_le_bytes()))).collect())
    }
}

impl From<WireWeights> for Weights {
    fn from(w: WireWeights) -> Self {
        Weights(w.0.into_iter().map(|(name, shape, bytes)| (name, HostTensor::from_le_bytes(shape, &bytes))).collect())
    }
}

/// AdamW's state as it crosses (and as the page stores it).
#[derive(Serialize, Deserialize, Debug)]
pub struct WireAdamW {
    time: usize,
    moment_1: WireWeights,
    moment_2: WireWeights,
}

impl From<&AdamWState> for WireAdamW {
    fn from(s: &AdamWState) -> Self {
        WireAdamW { time: s.time, moment_1: (&s.moment_1).into(), moment_2: (&s.moment_2).into() }
    }
}

impl From<WireAdamW> for AdamWState {
    fn from(w: WireAdamW) -> Self {
        AdamWState { time: w.time, moment_1: w.moment_1.into(), moment_2: w.moment_2.into() }
    }
}
