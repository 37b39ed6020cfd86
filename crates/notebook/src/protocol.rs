//! Messages between the page and a worker (a Web Worker running the CPU backend, so that a
//! training step, ~100 ms of arithmetic, or an analysis, ~1 s, never holds up the page's
//! frames). One request at a time, each answered by one reply; they cross as JS values through
//! serde-wasm-bindgen, the weights as byte arrays (a `Uint8Array` each) rather than arrays of
//! numbers.

use grokscope_analysis::Analysis;
use grokscope_core::weights::{HostTensor, Weights};
use grokscope_core::{RunConfig, Snapshot};
use grokscope_sweep::bench::EnsembleBench;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug)]
pub enum Request {
    /// A run from its seed, or resumed from recorded weights at a step.
    Start { run: RunConfig, from: Option<(usize, WireWeights)> },
    /// `steps` more optimizer steps.
    Advance { steps: usize },
    /// The snapshot and every weight.
    Observe,
    /// Everything measured about a model; `test_pairs` where its split is known.
    Analyze { run: RunConfig, weights: WireWeights, test_pairs: Option<Vec<u32>> },
    /// The benchmark page's ensemble against single runs (`grokscope_sweep::bench`), on the CPU.
    BenchEnsemble { k: usize, p: usize, d_model: usize, steps: usize },
}

#[derive(Serialize, Deserialize, Debug)]
pub enum Reply {
    /// The worker has loaded and listens (sent once, unasked).
    Ready,
    Started,
    /// The run's step count after an `Advance`.
    Advanced {
        step: usize,
    },
    Observed {
        snapshot: Snapshot,
        weights: WireWeights,
    },
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
