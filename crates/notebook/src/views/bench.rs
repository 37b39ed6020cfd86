//! The benchmark page (`?bench`): the paper's run (p = 59, d_model 128, full batch by default;
//! `p`, `d_model`, `steps`, `every` in the URL) trained the notebook's way, in a worker, on
//! WebGPU and on the CPU backend in WebAssembly, from the same initial weights. It reports time
//! to the first step (worker and device start, kernel compilation included), steps/s after it,
//! and device reads per step, and keeps both loss curves: the browser tests compare them (the
//! correctness gate). With `k`, also K such models as one ensemble against the same K trained
//! one by one (`grokscope_sweep::bench`), on each backend in a worker.

use grokscope_core::device::Backend;
use grokscope_core::model::{ModelConfig, TransformerConfig};
use grokscope_core::{RunConfig, Task};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use web_time::Instant;

use crate::run::worker::Remote;
use grokscope_document::options::{DevicePreference, UrlOptions};
use grokscope_sweep::bench::EnsembleBench;

/// Members of the benchmark's ensemble, at most (`?k=`).
const MAX_K: usize = 64;

#[derive(Serialize, Clone, Debug)]
struct Measurement {
    backend: String,
    /// Worker and device start, model upload, one step and its read, in seconds.
    first_step_s: f64,
    steps_per_s: f64,
    reads_per_step: f64,
    /// The training loss at every read, from step 0.
    losses: Vec<(usize, f64)>,
}

pub fn bench_page(o: UrlOptions) -> impl IntoView {
    let mut run = RunConfig::paper(1.0);
    run.task = Task { p: o.bench_p, ..Task::paper() };
    run.model = ModelConfig::Transformer(TransformerConfig { d_model: o.bench_d_model, ..TransformerConfig::paper(1.0) });
    run.train.steps = o.bench_steps.max(2);
    let (every, k) = (o.bench_every, o.bench_k);
    let results = RwSignal::new(Vec::<Measurement>::new());
    let ensembles = RwSignal::new(Vec::<(String, EnsembleBench)>::new());
    let state = RwSignal::new("running");
    let message = RwSignal::new(String::new());
    let description = format!(
        "p = {}, d_model {}, α = 1, full batch ({} training pairs), {} steps, one read every {every} steps",
        run.task.p,
        o.bench_d_model,
        (run.task.num_pairs() as f64 * run.train.train_fraction) as usize,
        run.train.steps
    );
    match run.validate() {
        Err(e) => {
            message.set(e.to_string());
            state.set("failed");
        }
        Ok(()) if k > MAX_K => {
            message.set(format!("k = {k}: the benchmark's ensemble has at most {MAX_K} members"));
            state.set("failed");
        }
        Ok(()) => spawn_local(async move {
            let say = |e: String| message.update(|m| m.push_str(&format!("{e} ")));
            let (p, d_model, steps) = (run.task.p, o.bench_d_model, run.train.steps);
            // Every backend in a worker, as the notebook trains: WebGPU if a worker finds it.
            let mut backends = Vec::new();
            if o.backend != DevicePreference::Cpu {
                match Remote::spawn().await {
                    Ok(worker) => match worker.check_gpu(&run).await {
                        Ok(checked) => backends.push((format!("WebGPU ({})", checked.adapter), true)),
                        Err(e) => say(format!("WebGPU: {e}")),
                    },
                    Err(e) => say(format!("WebGPU: {e}")),
                }
            }
            if o.backend != DevicePreference::WebGpu {
                backends.push((format!("CPU (burn {}, WebAssembly)", Backend::CPU.name()), false));
            }
            for (backend, gpu) in backends {
                let started = Instant::now();
                let measured = match Remote::start(&run, None, gpu).await {
                    Ok(worker) => measure(worker, steps, every, started).await,
                    Err(e) => Err(e),
                };
                match measured {
                    Ok(m) => results.update(|r| r.push(Measurement { backend: backend.clone(), ..m })),
                    Err(e) => say(format!("{backend}: {e}")),
                }
                if k > 0 {
                    let measured = match Remote::spawn().await {
                        Ok(worker) => worker.bench_ensemble(k, p, d_model, steps, gpu).await,
                        Err(e) => Err(e),
                    };
                    match measured {
                        Ok(b) => ensembles.update(|e| e.push((backend, b))),
                        Err(e) => say(format!("{backend} ensemble: {e}")),
                    }
                }
            }
            state.set("done");
        }),
    }
    view! {
        <header>
            <h1>"grokscope · benchmark"</h1>
            <p class="lede">{description}</p>
        </header>
        <main class="bench card" id="bench" data-state=move || state.get() data-result=move || serde_json::to_string(&results.get()).unwrap_or_default()>
            <p class="status">{move || state.get()}</p>
            <p class="error">{move || message.get()}</p>
            <table>
                <tr><th>"backend"</th><th>"time to first step"</th><th>"steps/s"</th><th>"reads per step"</th><th>"final loss"</th></tr>
                <For each=move || results.get() key=|m| m.backend.clone() children=|m| view! {
                    <tr>
                        <td>{m.backend.clone()}</td>
                        <td>{format!("{:.2} s", m.first_step_s)}</td>
                        <td>{format!("{:.2}", m.steps_per_s)}</td>
                        <td>{format!("{:.2}", m.reads_per_step)}</td>
                        <td>{m.losses.last().map(|l| format!("{:.4}", l.1)).unwrap_or_default()}</td>
                    </tr>
                } />
            </table>
            <div hidden=move || ensembles.with(Vec::is_empty)>
                <h2>{format!("{k} models as one ensemble, against the same {k} trained one after another")}</h2>
                <table id="ensembles" data-result=move || serde_json::to_string(&ensembles.get()).unwrap_or_default()>
                    <tr><th>"backend"</th><th>"ensemble: model·steps/s"</th><th>"one by one: model·steps/s"</th><th>"ratio"</th></tr>
                    <For each=move || ensembles.get() key=|(backend, _)| backend.clone() children=|(backend, b)| view! {
                        <tr>
                            <td>{backend}</td>
                            <td>{format!("{:.2}", b.ensemble_model_steps_per_s)}</td>
                            <td>{format!("{:.2}", b.singles_model_steps_per_s)}</td>
                            <td>{format!("{:.2}", b.ratio)}</td>
                        </tr>
                    } />
                </table>
            </div>
        </main>
    }
}

/// Trains to `steps` in `worker` as the notebook does: queued steps, one read every `every`
/// steps. The time to the first step (the worker's start, the device's, the model's upload, one
/// step and its read) counts from `started`.
async fn measure(mut worker: Remote, steps: usize, every: usize, started: Instant) -> Result<Measurement, String> {
    let mut losses = vec![(0, worker.observe().await?.0.snapshot.train_loss)];
    worker.advance(1).await?;
    losses.push((1, worker.observe().await?.0.snapshot.train_loss));
    let first_step_s = started.elapsed().as_secs_f64();
    let (timed, mut reads) = (Instant::now(), 0usize);
    while worker.step() < steps {
        worker.advance(every.min(steps - worker.step())).await?;
        losses.push((worker.step(), worker.observe().await?.0.snapshot.train_loss));
        reads += 1;
    }
    let timed_steps = (steps - 1) as f64;
    Ok(Measurement {
        backend: String::new(),
        first_step_s,
        steps_per_s: timed_steps / timed.elapsed().as_secs_f64(),
        reads_per_step: reads as f64 / timed_steps,
        losses,
    })
}
