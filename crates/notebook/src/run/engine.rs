//! Where a run's steps execute: in a Web Worker of its own (`grokscope-worker`, `worker.rs`), on
//! WebGPU or the CPU backend. A CPU step is ~100 ms of arithmetic, and queueing a GPU step
//! builds burn's graph and compiles kernels on first use: either would hold up the page's
//! frames, and two experiments on the CPU train on two cores. Only where no worker starts does
//! a run train here, on the CPU, in short slices between frames (`advance_to`).

use grokscope_analysis::Analysis;
use grokscope_core::device::Backend;
use grokscope_core::weights::Weights;
use grokscope_core::{RunConfig, Snapshot, Trainer};
use web_time::Instant;

use crate::run::analyst::analyze_here;
use crate::run::worker::Remote;
use crate::schedule::yield_to_browser;

/// Longest stretch of training on the page's thread between two hand-backs to the browser. A
/// frame is 16 ms; the budget leaves room for the browser's own work inside the 100 ms a click
/// may wait.
const SLICE_BUDGET_MS: f64 = 30.0;
/// The same in a training worker, where a slice does not hold up the page: it only bounds how
/// long a pause waits for the worker.
const WORKER_SLICE_MS: f64 = 200.0;

/// Steps in a slice of `budget_ms` at `ms_per_step` (one while the pace is unknown), at most `left`.
pub fn slice(budget_ms: f64, ms_per_step: f64, left: usize) -> usize {
    let n = if ms_per_step > 0.0 { ((budget_ms / ms_per_step) as usize).max(1) } else { 1 };
    n.min(left)
}

pub enum Engine {
    Here(Box<Trainer>),
    Worker(Remote),
}

impl Engine {
    /// `run` on the CPU backend, here, from its seed or resumed from `from` (step, weights).
    fn here(run: &RunConfig, from: Option<(usize, &Weights)>) -> Result<Engine, String> {
        let device = Backend::CPU.device();
        match from {
            None => Trainer::new(run, &device),
            Some((step, weights)) => Trainer::resume(run, weights, step, &device),
        }
        .map(|t| Engine::Here(Box::new(t)))
        .map_err(|e| e.to_string())
    }

    /// `run` in a worker, on its WebGPU device (`gpu`) or the CPU; on the CPU here where no
    /// worker starts, with why.
    pub async fn start(run: &RunConfig, from: Option<(usize, &Weights)>, gpu: bool) -> Result<(Engine, Option<String>), String> {
        match Remote::start(run, from, gpu).await {
            Ok(remote) => Ok((Engine::Worker(remote), None)),
            Err(why) => Ok((Engine::here(run, from)?, Some(why))),
        }
    }

    pub fn step(&self) -> usize {
        match self {
            Engine::Here(t) => t.step(),
            Engine::Worker(r) => r.step(),
        }
    }

    /// `n` more steps: done (on the CPU) or queued (on a GPU) when this returns.
    pub async fn advance(&mut self, n: usize) -> Result<(), String> {
        match self {
            Engine::Here(t) => {
                t.advance(n);
                Ok(())
            }
            Engine::Worker(r) => r.advance(n).await,
        }
    }

    /// The next run of a CPU engine (a sweep's next model): in the same worker, or here.
    pub async fn restart_on_cpu(&mut self, run: &RunConfig) -> Result<(), String> {
        match self {
            Engine::Here(_) => *self = Engine::here(run, None)?,
            Engine::Worker(r) => r.begin(run, None, false).await?,
        }
        Ok(())
    }

    /// Steps until `end`, in slices that each fit the time budget, or until `go_on` says stop.
    /// Here a slice is a short CPU stretch and the page gets a frame before the next; in the
    /// worker a slice is computed (or queued, on a GPU) there while the page runs on, and the
    /// budget only bounds how long a pause waits. `ms_per_step` carries the pace between calls.
    pub async fn advance_to(&mut self, end: usize, ms_per_step: &mut f64, go_on: impl Fn() -> bool) -> Result<(), String> {
        let (budget, worker) = match self {
            Engine::Here(_) => (SLICE_BUDGET_MS, false),
            Engine::Worker(_) => (WORKER_SLICE_MS, true),
        };
        while self.step() < end {
            let n = slice(budget, *ms_per_step, end - self.step());
            let t = Instant::now();
            self.advance(n).await?;
            *ms_per_step = t.elapsed().as_secs_f64() * 1e3 / n as f64;
            if !worker {
                yield_to_browser().await;
            }
            if !go_on() {
                break;
            }
        }
        Ok(())
    }

    /// Analyses a model where this engine runs: in its worker, or here in paced parts.
    pub async fn analyze(&self, run: &RunConfig, weights: &Weights, test_pairs: Option<&[u32]>) -> Result<Analysis, String> {
        match self {
            Engine::Here(_) => analyze_here(run, weights, test_pairs).await,
            Engine::Worker(r) => r.analyze(run, weights, test_pairs).await,
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
