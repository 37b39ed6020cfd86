//! Where a run's steps execute. On WebGPU, here on the page's thread: a step is only queued for
//! the GPU and costs the page little. On the CPU backend, in a Web Worker of its own
//! (`grokscope-worker`, `worker.rs`): a step is ~100 ms of arithmetic that would otherwise hold
//! up the page's frames, and two experiments then train on two cores.

use grokscope_core::device::Backend;
use grokscope_core::weights::Weights;
use grokscope_core::{Device, RunConfig, Snapshot, Trainer};

use crate::run::worker::Remote;

pub enum Engine {
    Here(Box<Trainer>),
    Worker(Remote),
}

impl Engine {
    /// `run` on `device`, here, from its seed or resumed from `from` (step, weights).
    pub fn here(run: &RunConfig, device: &Device, from: Option<(usize, &Weights)>) -> Result<Engine, String> {
        match from {
            None => Trainer::new(run, device),
            Some((step, weights)) => Trainer::resume(run, weights, step, device),
        }
        .map(|t| Engine::Here(Box::new(t)))
        .map_err(|e| e.to_string())
    }

    /// `run` on the CPU backend: in a worker, or here where no worker starts, with why.
    pub async fn cpu(run: &RunConfig, from: Option<(usize, &Weights)>) -> Result<(Engine, Option<String>), String> {
        match Remote::start(run, from).await {
            Ok(remote) => Ok((Engine::Worker(remote), None)),
            Err(why) => Ok((Engine::here(run, &Backend::CPU.device(), from)?, Some(why))),
        }
    }

    pub fn step(&self) -> usize {
        match self {
            Engine::Here(t) => t.step(),
            Engine::Worker(r) => r.step(),
        }
    }

    /// `n` more steps: queued (here) or done (in the worker) when this returns.
    pub async fn advance(&mut self, n: usize) -> Result<(), String> {
        match self {
            Engine::Here(t) => {
                t.advance(n);
                Ok(())
            }
            Engine::Worker(r) => r.advance(n).await,
        }
    }

    /// The snapshot and every weight, in one read.
    pub async fn observe(&self) -> Result<(Snapshot, Weights), String> {
        match self {
            Engine::Here(t) => t.observe().await.map_err(|e| e.to_string()),
            Engine::Worker(r) => r.observe().await,
        }
    }
}
