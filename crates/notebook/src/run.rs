//! A training run in the page: short slices of steps that hand control back to the browser
//! between them, so the page keeps answering while it trains.

use grokscope_core::weights::Weights;
use grokscope_core::{Device, RunConfig, Snapshot, Trainer};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Lets the browser run its event loop (input, layout, painting) before we continue.
pub async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let window = web_sys::window().expect("a window");
        window
            .set_timeout_with_callback(resolve.unchecked_ref())
            .expect("setTimeout");
    });
    let _ = JsFuture::from(promise).await;
}

/// Trains `run` on `device`, handing a snapshot to `on_snapshot` every `eval_every` steps (one
/// batched read each), until the step budget is spent or `keep_going` says stop; returns the
/// weights.
pub async fn train(
    run: RunConfig,
    device: &Device,
    mut on_snapshot: impl FnMut(Snapshot, f64),
    keep_going: impl Fn() -> bool,
) -> Result<Weights, String> {
    let mut trainer = Trainer::new(&run, device).map_err(|e| e.to_string())?;
    let started = web_time::Instant::now();
    loop {
        let snapshot = trainer.snapshot().await.map_err(|e| e.to_string())?;
        on_snapshot(snapshot, started.elapsed().as_secs_f64());
        if trainer.step() >= run.train.steps || !keep_going() {
            return trainer.weights().await.map_err(|e| e.to_string());
        }
        yield_to_browser().await;
        trainer.advance(run.train.eval_every.min(run.train.steps - trainer.step()));
    }
}
