//! The benchmark page (`?bench`): the paper's run (p = 59, d_model 128, full batch by default;
//! `p`, `d_model`, `steps`, `every` in the URL) trained the notebook's way on WebGPU and on the
//! CPU backend in WebAssembly, from the same initial weights. It reports time to the first
//! step (device start, kernel compilation included), steps/s after it, and device reads per
//! step, and keeps both loss curves: the browser tests compare them (the correctness gate).

use grokscope_core::device::Backend;
use grokscope_core::model::{ModelConfig, TransformerConfig};
use grokscope_core::{Device, RunConfig, Task, Trainer};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use web_time::Instant;

use crate::run::gpu::webgpu;
use crate::schedule::yield_to_browser;
use grokscope_document::options::{DevicePreference, UrlOptions};

#[derive(Serialize, Clone, Debug)]
struct Measurement {
    backend: String,
    /// Device start, model upload, one step and its read, in seconds.
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
    let every = o.bench_every;
    let results = RwSignal::new(Vec::<Measurement>::new());
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
        Ok(()) => spawn_local(async move {
            if o.backend != DevicePreference::Cpu {
                match webgpu().await {
                    Ok(gpu) => match measure(&run, &gpu.device, every, gpu.init_s).await {
                        Ok(m) => results.update(|r| r.push(Measurement { backend: format!("WebGPU ({})", gpu.adapter), ..m })),
                        Err(e) => message.set(format!("WebGPU: {e}")),
                    },
                    Err(e) => message.set(format!("WebGPU: {e}")),
                }
            }
            if o.backend != DevicePreference::WebGpu {
                match measure(&run, &Backend::CPU.device(), every, 0.0).await {
                    Ok(m) => {
                        results.update(|r| r.push(Measurement { backend: format!("CPU (burn {}, WebAssembly)", Backend::CPU.name()), ..m }))
                    }
                    Err(e) => message.set(format!("CPU: {e}")),
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
        </main>
    }
}

/// Trains `run` on `device` as the notebook does: queued steps, one read (metrics and weights)
/// every `every` steps. `start_s` is the device start already spent.
async fn measure(run: &RunConfig, device: &Device, every: usize, start_s: f64) -> Result<Measurement, String> {
    let err = |e: grokscope_core::Error| e.to_string();
    let started = Instant::now();
    let mut trainer = Trainer::new(run, device).map_err(err)?;
    let mut losses = vec![(0, trainer.observe().await.map_err(err)?.0.train_loss)];
    trainer.advance(1);
    losses.push((1, trainer.observe().await.map_err(err)?.0.train_loss));
    let first_step_s = start_s + started.elapsed().as_secs_f64();
    let (timed, mut reads) = (Instant::now(), 0usize);
    while trainer.step() < run.train.steps {
        trainer.advance(every.min(run.train.steps - trainer.step()));
        losses.push((trainer.step(), trainer.observe().await.map_err(err)?.0.train_loss));
        reads += 1;
        yield_to_browser().await;
    }
    let steps = (run.train.steps - 1) as f64;
    Ok(Measurement {
        backend: String::new(),
        first_step_s,
        steps_per_s: steps / timed.elapsed().as_secs_f64(),
        reads_per_step: reads as f64 / steps,
        losses,
    })
}
