//! The worker: burn's CPU backend in a Web Worker, answering the page's requests
//! (`grokscope_notebook::protocol`) one at a time. A training worker holds one run's `Trainer`,
//! so pausing and resuming keep the optimizer's state; any worker analyses a model it is sent.

use std::cell::RefCell;
use std::rc::Rc;

use grokscope_analysis::analyze;
use grokscope_core::Trainer;
use grokscope_core::device::Backend;
use grokscope_notebook::protocol::{Reply, Request, WireWeights};
use grokscope_sweep::bench::measure;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn main() {
    grokscope_notebook::run_static_constructors();
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let trainer = Rc::new(RefCell::new(None::<Trainer>));
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let (trainer, scope) = (trainer.clone(), reply_scope.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let reply = match serde_wasm_bindgen::from_value::<Request>(e.data()) {
                Ok(request) => answer(&trainer, request).await,
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

async fn answer(trainer: &RefCell<Option<Trainer>>, request: Request) -> Reply {
    let failed = |e: grokscope_core::Error| Reply::Failed(e.to_string());
    match request {
        Request::Start { run, from } => {
            let device = Backend::CPU.device();
            let started = match from {
                None => Trainer::new(&run, &device),
                Some((step, weights)) => Trainer::resume(&run, &weights.into(), step, &device),
            };
            match started {
                Ok(t) => {
                    *trainer.borrow_mut() = Some(t);
                    Reply::Started
                }
                Err(e) => failed(e),
            }
        }
        Request::Advance { steps } => match trainer.borrow_mut().as_mut() {
            Some(t) => {
                t.advance(steps);
                Reply::Advanced { step: t.step() }
            }
            None => Reply::Failed("no run was started".into()),
        },
        Request::Observe => {
            // Out of the cell for the read (no borrow across an await); the page sends one
            // request at a time, so nothing else needs it meanwhile.
            let Some(t) = trainer.borrow_mut().take() else { return Reply::Failed("no run was started".into()) };
            let observed = t.observe().await;
            *trainer.borrow_mut() = Some(t);
            match observed {
                Ok((snapshot, weights)) => Reply::Observed { snapshot, weights: WireWeights::from(&weights) },
                Err(e) => failed(e),
            }
        }
        Request::Analyze { run, weights, test_pairs } => {
            match analyze(&run, &weights.into(), test_pairs.as_deref(), &Backend::CPU.device()).await {
                Ok(analysis) => Reply::Analyzed(Box::new(analysis)),
                Err(e) => failed(e),
            }
        }
        Request::BenchEnsemble { k, p, d_model, steps } => match measure(k, p, d_model, steps, &Backend::CPU.device()).await {
            Ok(bench) => Reply::BenchedEnsemble(bench),
            Err(e) => failed(e),
        },
    }
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
