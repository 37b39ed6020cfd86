//! The page's handle on a `grokscope-worker` (a Web Worker running burn on WebGPU or the CPU
//! backend): one request at a time, each answered by one reply (`grokscope_notebook::protocol`).
//! A worker checks WebGPU, trains a run or a sweep's ensemble, or analyses models (`Analyst`);
//! all of it off the page's thread. A CPU step is ~100 ms of arithmetic, and queueing a GPU step
//! builds burn's graph and compiles kernels on first use: either would hold up the page's
//! frames, and two experiments on the CPU train on two cores.

use std::cell::RefCell;
use std::rc::Rc;

use grokscope_analysis::Analysis;
use grokscope_analysis::progress::Evaluation;
use grokscope_core::RunConfig;
use grokscope_core::optimizer::AdamWState;
use grokscope_core::weights::Weights;
use grokscope_notebook::protocol::{Reply, Request};
use grokscope_notebook::webgpu::GpuCheck;
use grokscope_sweep::bench::EnsembleBench;
use js_sys::{Function, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_time::Instant;

/// Written by trunk beside the page (index.html, `data-loader-shim`).
const WORKER_SCRIPT: &str = "./grokscope-worker_loader.js";
/// Longest stretch of training in one request: it bounds how long a pause waits for the worker.
const SLICE_MS: f64 = 200.0;
/// A pace is timed over about this long of steps (at most `PACE_STEPS`), after a first step (on
/// WebGPU it compiles the kernels) and `WARM_UP_STEPS` that give a first pace.
const PACE_MS: f64 = 1000.0;
const PACE_STEPS: usize = 200;
const WARM_UP_STEPS: usize = 2;

/// Steps in a slice of `budget_ms` at `ms_per_step` (one while the pace is unknown), at most `left`.
pub fn slice(budget_ms: f64, ms_per_step: f64, left: usize) -> usize {
    let n = if ms_per_step > 0.0 { ((budget_ms / ms_per_step) as usize).max(1) } else { 1 };
    n.min(left)
}

/// Workers that train at full speed at once: the cores but one (the page's), at least one.
pub fn spare_cores() -> usize {
    let cores = web_sys::window().map_or(1.0, |w| w.navigator().hardware_concurrency()) as usize;
    cores.saturating_sub(1).max(1)
}

/// Where a run resumes: its step, the weights there and AdamW's state there if known (without
/// it the moments start again from zero).
pub type ResumeAt<'a> = (usize, &'a Weights, Option<&'a AdamWState>);

/// A worker. Dropping it ends the worker.
pub struct Remote {
    worker: web_sys::Worker,
    /// The step of the run it trains (after the last `Advance`).
    step: usize,
    /// Resolves the request awaiting its reply.
    pending: Rc<RefCell<Option<Function>>>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Remote {
    /// Starts a worker and waits until it listens.
    pub async fn spawn() -> Result<Remote, String> {
        let worker = web_sys::Worker::new(WORKER_SCRIPT).map_err(|e| format!("the worker did not start ({e:?})"))?;
        let pending = Rc::new(RefCell::new(None::<Function>));
        let settle = |pending: &Rc<RefCell<Option<Function>>>, value: JsValue| {
            if let Some(resolve) = pending.borrow_mut().take() {
                let _ = resolve.call1(&JsValue::NULL, &value);
            }
        };
        let on_message = {
            let pending = pending.clone();
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| settle(&pending, e.data()))
        };
        // A worker that fails to load or panics answers with an error event, not a message (a
        // plain `Event` when its script did not load, an `ErrorEvent` with a message otherwise).
        let on_error = {
            let pending = pending.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
                let message = js_sys::Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string());
                let failed = Reply::Failed(format!("the worker stopped ({})", message.as_deref().unwrap_or("its script did not load")));
                settle(&pending, serde_wasm_bindgen::to_value(&failed).unwrap_or(JsValue::NULL));
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let remote = Remote { worker, step: 0, pending, _on_message: on_message, _on_error: on_error };
        match remote.wait().await? {
            Reply::Ready => Ok(remote),
            other => Err(unexpected(other)),
        }
    }

    /// Starts a worker and in it `run`, from its seed or from `from` (step, weights and AdamW's
    /// state there if known), on its WebGPU device (`gpu`) or the CPU.
    pub async fn start(run: &RunConfig, from: Option<ResumeAt<'_>>, gpu: bool) -> Result<Remote, String> {
        let mut remote = Remote::spawn().await?;
        remote.begin(run, from, gpu).await?;
        Ok(remote)
    }

    /// Starts `run` in this worker in place of what it trained (a sweep's next model).
    pub async fn begin(&mut self, run: &RunConfig, from: Option<ResumeAt<'_>>, gpu: bool) -> Result<(), String> {
        let start = Request::Start { run: run.clone(), from: from.map(|(step, w, o)| (step, w.into(), o.map(Into::into))), gpu };
        self.started(&start).await?;
        self.step = from.map_or(0, |(step, ..)| step);
        Ok(())
    }

    /// Starts a worker and in it `runs`, of one shape, as one ensemble from their seeds.
    pub async fn start_ensemble(runs: &[RunConfig], gpu: bool) -> Result<Remote, String> {
        let remote = Remote::spawn().await?;
        remote.started(&Request::StartEnsemble { runs: runs.to_vec(), gpu }).await?;
        Ok(remote)
    }

    async fn started(&self, start: &Request) -> Result<(), String> {
        match self.ask(start).await? {
            Reply::Started => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    /// Brings WebGPU up in this worker and checks it on `run` (`webgpu::check`).
    pub async fn check_gpu(&self, run: &RunConfig) -> Result<GpuCheck, String> {
        match self.ask(&Request::CheckGpu { run: run.clone() }).await? {
            Reply::GpuChecked(checked) => Ok(checked),
            other => Err(unexpected(other)),
        }
    }

    pub fn step(&self) -> usize {
        self.step
    }

    /// `n` more optimizer steps, done when this returns.
    pub async fn advance(&mut self, n: usize) -> Result<(), String> {
        match self.ask(&Request::Advance { steps: n }).await? {
            Reply::Advanced { step } => {
                self.step = step;
                Ok(())
            }
            other => Err(unexpected(other)),
        }
    }

    /// Steps until `end`, in requests of about `SLICE_MS` each (computed, or queued on a GPU,
    /// while the page runs on), or until `go_on` says stop. `ms_per_step` carries the pace
    /// between calls.
    pub async fn advance_to(&mut self, end: usize, ms_per_step: &mut f64, go_on: impl Fn() -> bool) -> Result<(), String> {
        while self.step < end {
            let n = slice(SLICE_MS, *ms_per_step, end - self.step);
            let t = Instant::now();
            self.advance(n).await?;
            *ms_per_step = t.elapsed().as_secs_f64() * 1e3 / n as f64;
            if !go_on() {
                break;
            }
        }
        Ok(())
    }

    /// Milliseconds a step of what it trains takes here (`gpu`: on its WebGPU device), timed in
    /// one request of about `PACE_MS`, as a run trains (one message; on a GPU, one read).
    pub async fn pace(&mut self, gpu: bool) -> Result<f64, String> {
        let mut timed = async |n: usize| -> Result<f64, String> {
            let t = Instant::now();
            self.advance(n).await?;
            // On a GPU the steps are only queued: a read waits for them.
            if gpu {
                self.observe().await?;
            }
            Ok(t.elapsed().as_secs_f64() * 1e3 / n as f64)
        };
        timed(1).await?;
        let n = slice(PACE_MS, timed(WARM_UP_STEPS).await?, PACE_STEPS);
        timed(n).await
    }

    /// The evaluation, every weight and AdamW's state of the run it trains.
    pub async fn observe(&self) -> Result<(Evaluation, Weights, Option<AdamWState>), String> {
        self.read().await?.pop().ok_or_else(|| "the worker read no model".into())
    }

    /// The evaluation and every weight of each model it trains (an ensemble's members, in order).
    pub async fn observe_all(&self) -> Result<Vec<(Evaluation, Weights)>, String> {
        Ok(self.read().await?.into_iter().map(|(evaluation, weights, _)| (evaluation, weights)).collect())
    }

    async fn read(&self) -> Result<Vec<(Evaluation, Weights, Option<AdamWState>)>, String> {
        match self.ask(&Request::Observe).await? {
            Reply::Observed(read) => Ok(read.into_iter().map(|(e, w, o)| (e, w.into(), o.map(Into::into))).collect()),
            other => Err(unexpected(other)),
        }
    }

    /// Analyses a model (any worker answers this, whether it trains a run or not).
    pub async fn analyze(&self, run: &RunConfig, weights: &Weights, test_pairs: Option<&[u32]>) -> Result<Analysis, String> {
        let request = Request::Analyze { run: run.clone(), weights: weights.into(), test_pairs: test_pairs.map(<[u32]>::to_vec) };
        match self.ask(&request).await? {
            Reply::Analyzed(analysis) => Ok(*analysis),
            other => Err(unexpected(other)),
        }
    }

    /// The benchmark page's ensemble against single runs, in this worker.
    pub async fn bench_ensemble(&self, k: usize, p: usize, d_model: usize, steps: usize, gpu: bool) -> Result<EnsembleBench, String> {
        match self.ask(&Request::BenchEnsemble { k, p, d_model, steps, gpu }).await? {
            Reply::BenchedEnsemble(bench) => Ok(bench),
            other => Err(unexpected(other)),
        }
    }

    async fn ask(&self, request: &Request) -> Result<Reply, String> {
        let reply = self.wait();
        let message = serde_wasm_bindgen::to_value(request).map_err(|e| e.to_string())?;
        self.worker.post_message(&message).map_err(|e| format!("the worker could not be reached ({e:?})"))?;
        reply.await
    }

    /// The next reply (registered before the request is posted, so none is missed).
    fn wait(&self) -> impl std::future::Future<Output = Result<Reply, String>> + use<> {
        let pending = self.pending.clone();
        let promise = Promise::new(&mut |resolve, _| {
            *pending.borrow_mut() = Some(resolve);
        });
        async move {
            let value = JsFuture::from(promise).await.map_err(|e| format!("{e:?}"))?;
            serde_wasm_bindgen::from_value(value).map_err(|e| format!("the worker's reply did not read ({e})"))
        }
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

fn unexpected(reply: Reply) -> String {
    match reply {
        Reply::Failed(why) => why,
        other => format!("the worker answered out of turn ({other:?})"),
    }
}
