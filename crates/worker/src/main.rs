//! The worker: burn in a Web Worker, on WebGPU or the CPU backend, answering the page's requests
//! (`grokscope_notebook::protocol`) one at a time. A training worker holds one run's `Trainer`
//! (or a sweep's `EnsembleTrainer`), so pausing and resuming keep the optimizer's state; any
//! worker analyses a model it is sent, on the CPU.

use std::cell::RefCell;
use std::rc::Rc;

use grokscope_analysis::analyze;
use grokscope_analysis::progress::{Evaluation, fourier_measures};
use grokscope_core::device::Backend;
use grokscope_core::optimizer::AdamWState;
use grokscope_core::weights::Weights;
use grokscope_core::{Device, EnsembleTrainer, Trainer};
use grokscope_notebook::protocol::{Reply, Request, WireAdamW, WireWeights};
use grokscope_notebook::webgpu::{check, webgpu_device};
use grokscope_sweep::bench::measure;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn main() {
    grokscope_notebook::run_static_constructors();
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let training = Rc::new(RefCell::new(None::<Training>));
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let (training, scope) = (training.clone(), reply_scope.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let reply = match serde_wasm_bindgen::from_value::<Request>(e.data()) {
                Ok(request) => answer(&training, request).await.unwrap_or_else(Reply::Failed),
                Err(e) => Reply::Failed(format!("the worker did not understand the page ({e})")),
            };
            send(&scope, &reply);
        });
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page keeps it: so does its handler.
    on_message.forget();
    send(&scope, &Reply::Ready);
}

/// What this worker trains.
enum Training {
    Run(Trainer),
    Ensemble(EnsembleTrainer),
}

impl Training {
    fn step(&self) -> usize {
        match self {
            Training::Run(t) => t.step(),
            Training::Ensemble(e) => e.step(),
        }
    }

    fn advance(&mut self, n: usize) {
        match self {
            Training::Run(t) => t.advance(n),
            Training::Ensemble(e) => e.advance(n),
        }
    }

    /// Each model's snapshot and weights, with the progress measures that need no forward pass
    /// computed here, where the weights are; for a run, AdamW's state too.
    async fn observe(&self) -> Result<Vec<(Evaluation, Weights, Option<AdamWState>)>, grokscope_core::Error> {
        let (runs, observed) = match self {
            Training::Run(t) => {
                let (snapshot, weights, optimizer) = t.observe_resumable().await?;
                (std::slice::from_ref(t.run()), vec![(snapshot, weights, Some(optimizer))])
            }
            Training::Ensemble(e) => (e.runs(), e.observe().await?.into_iter().map(|(s, w)| (s, w, None)).collect()),
        };
        runs.iter()
            .zip(observed)
            .map(|(run, (snapshot, weights, optimizer))| {
                let progress = Some(fourier_measures(run, &weights)?.0);
                Ok((Evaluation { snapshot, progress }, weights, optimizer))
            })
            .collect()
    }
}

/// This worker's WebGPU device (started on first use), or the CPU backend.
async fn device(gpu: bool) -> Result<Device, String> {
    if gpu { webgpu_device().await } else { Ok(Backend::CPU.device()) }
}

/// The reply to `request`, or why there is none (sent as `Reply::Failed`).
async fn answer(training: &RefCell<Option<Training>>, request: Request) -> Result<Reply, String> {
    let err = |e: grokscope_core::Error| e.to_string();
    Ok(match request {
        Request::CheckGpu { run } => Reply::GpuChecked(check(&run).await?),
        Request::Start { run, from, gpu } => {
            let device = device(gpu).await?;
            let trainer = match from {
                None => Trainer::new(&run, &device),
                Some((step, weights, optimizer)) => {
                    Trainer::resume(&run, &weights.into(), step, optimizer.map(AdamWState::from).as_ref(), &device)
                }
            };
            *training.borrow_mut() = Some(Training::Run(trainer.map_err(err)?));
            Reply::Started
        }
        Request::StartEnsemble { runs, gpu } => {
            let ensemble = EnsembleTrainer::new(&runs, &device(gpu).await?).map_err(err)?;
            *training.borrow_mut() = Some(Training::Ensemble(ensemble));
            Reply::Started
        }
        Request::Advance { steps } => {
            let mut training = training.borrow_mut();
            let t = training.as_mut().ok_or("nothing was started")?;
            t.advance(steps);
            Reply::Advanced { step: t.step() }
        }
        Request::Observe => {
            // Out of the cell for the read (no borrow across an await); the page sends one
            // request at a time, so nothing else needs it meanwhile.
            let t = training.borrow_mut().take().ok_or("nothing was started")?;
            let observed = t.observe().await;
            *training.borrow_mut() = Some(t);
            Reply::Observed(
                observed
                    .map_err(err)?
                    .into_iter()
                    .map(|(evaluation, weights, optimizer)| {
                        (evaluation, WireWeights::from(&weights), optimizer.as_ref().map(WireAdamW::from))
                    })
                    .collect(),
            )
        }
        Request::Analyze { run, weights, test_pairs } => {
            let analysis = analyze(&run, &weights.into(), test_pairs.as_deref(), &Backend::CPU.device()).await.map_err(err)?;
            Reply::Analyzed(Box::new(analysis))
        }
        Request::BenchEnsemble { k, p, d_model, steps, gpu } => {
            Reply::BenchedEnsemble(measure(k, p, d_model, steps, &device(gpu).await?).await.map_err(err)?)
        }
    })
}

fn send(scope: &DedicatedWorkerGlobalScope, reply: &Reply) {
    // Byte arrays cross as Uint8Array; everything else as plain JS values.
    let serializer = serde_wasm_bindgen::Serializer::new();
    match serde::Serialize::serialize(reply, &serializer) {
        Ok(value) => {
            let _ = scope.post_message(&value);
        }
        Err(e) => web_sys::console::error_1(&format!("worker reply: {e}").into()),
    }
}
