//! The page: what grokscope is, the run's settings, the device, live curves and, once trained,
//! which algorithm the model found.

use std::sync::Arc;

use grokscope_analysis::{Analysis, analyze};
use grokscope_core::data::Split;
use grokscope_core::device::Backend;
use grokscope_core::model::ModelConfig;
use grokscope_core::{RunConfig, Snapshot, Task};
use grokscope_plots::Chart;
use grokscope_plots::curves::{SIDE_BY_SIDE_MIN_WIDTH, curves};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::chart::chart_canvas;
use crate::gpu::{Preference, choose};
use crate::run::train;

/// Settings read from the URL (`?alpha=0&steps=300&p=23&d_model=32&autorun=1`), for links
/// and for the end-to-end test.
struct UrlOptions {
    run: RunConfig,
    autorun: bool,
    backend: Preference,
}

fn url_options() -> Result<UrlOptions, String> {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&search).map_err(|_| "unreadable URL parameters".to_string())?;
    let number = |key: &str| -> Result<Option<f64>, String> {
        match params.get(key) {
            None => Ok(None),
            Some(text) => text.parse::<f64>().map(Some).map_err(|_| format!("URL parameter {key}={text} is not a number")),
        }
    };
    // A tiny model by default: p = 31 and d_model 32 generalise fully in 900 steps, about a
    // minute and a half on a CPU in WebAssembly.
    let mut run = RunConfig::paper(number("alpha")?.unwrap_or(1.0));
    run.task = Task { p: number("p")?.unwrap_or(31.0) as usize, ..Task::paper() };
    if let ModelConfig::Transformer(m) = &mut run.model {
        m.d_model = number("d_model")?.unwrap_or(32.0) as usize;
    }
    run.train.steps = number("steps")?.unwrap_or(900.0) as usize;
    run.train.eval_every = number("eval_every")?.unwrap_or(10.0) as usize;
    run.train.seed = number("seed")?.unwrap_or(0.0) as u64;
    run.validate().map_err(|e| e.to_string())?;
    let backend = match params.get("backend") {
        None => Preference::Auto,
        Some(name) => Preference::from_name(&name).ok_or_else(|| format!("URL parameter backend={name} is not one of auto, cpu, webgpu"))?,
    };
    Ok(UrlOptions { run, autorun: params.get("autorun").is_some(), backend })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    /// Starting WebGPU and checking it against the CPU.
    Preparing,
    Running,
    /// Trained; measuring which algorithm the model implements.
    Analysing,
    Done,
    Failed,
}

impl State {
    fn name(self) -> &'static str {
        match self {
            State::Idle => "idle",
            State::Preparing => "preparing the GPU",
            State::Running => "running",
            State::Analysing => "analysing",
            State::Done => "done",
            State::Failed => "failed",
        }
    }

    fn busy(self) -> bool {
        matches!(self, State::Preparing | State::Running | State::Analysing)
    }
}

#[component]
pub fn App() -> impl IntoView {
    let (options, url_error) = match url_options() {
        Ok(o) => (o, None),
        Err(e) => (UrlOptions { run: RunConfig::paper(1.0), autorun: false, backend: Preference::Cpu }, Some(e)),
    };
    let run = options.run;
    let (snapshots, set_snapshots) = signal(Vec::<Snapshot>::new());
    let (state, set_state) = signal(State::Idle);
    let (message, set_message) = signal(url_error.clone().unwrap_or_default());
    let (rate, set_rate) = signal(0.0f64);
    let runnable = url_error.is_none();

    let (stop_requested, set_stop_requested) = signal(false);
    let preference = options.backend;
    let (device, set_device) = signal((String::from("not chosen yet: WebGPU if it passes a self-check, else the CPU"), String::new()));
    let (on_gpu, set_on_gpu) = signal(false);
    let analysis = RwSignal::new(None::<Arc<Analysis>>);

    let start = {
        let run = run.clone();
        move || {
            if state.get_untracked().busy() || !runnable {
                return;
            }
            set_snapshots.set(Vec::new());
            analysis.set(None);
            set_stop_requested.set(false);
            set_state.set(State::Preparing);
            set_message.set(String::new());
            let run = run.clone();
            spawn_local(async move {
                let choice = choose(&run, preference).await;
                set_device.set((choice.label.clone(), choice.reason.clone()));
                set_on_gpu.set(choice.gpu);
                set_state.set(State::Running);
                let trained = train(
                    run.clone(),
                    &choice.device,
                    move |s, seconds| {
                        set_rate.set(if seconds > 0.0 { s.step as f64 / seconds } else { 0.0 });
                        set_snapshots.update(|v| v.push(s));
                    },
                    move || !stop_requested.get_untracked(),
                )
                .await;
                let weights = match trained {
                    Ok(weights) => weights,
                    Err(e) => {
                        set_message.set(e);
                        set_state.set(State::Failed);
                        return;
                    }
                };
                set_state.set(State::Analysing);
                crate::run::yield_to_browser().await;
                let split = Split::new(&run.task, run.train.train_fraction, run.train.seed);
                match analyze(&run, &weights, Some(&split.test), &Backend::CPU.device()).await {
                    Ok(a) => {
                        analysis.set(Some(Arc::new(a)));
                        set_state.set(State::Done);
                    }
                    Err(e) => {
                        set_message.set(format!("the analysis failed: {e}"));
                        set_state.set(State::Failed);
                    }
                }
            });
        }
    };
    if options.autorun {
        start();
    }

    let (p, steps) = (run.task.p, run.train.steps);
    let (alpha, d_model) = match &run.model {
        ModelConfig::Transformer(m) => (m.attention_rate, m.d_model),
        ModelConfig::MlpOnly(m) => (f64::NAN, m.d_hidden),
    };
    let last = move || snapshots.with(|v| v.last().copied());
    let fmt = move |f: fn(&Snapshot) -> f64, digits: usize| move || last().map(|s| format!("{:.*}", digits, f(&s))).unwrap_or("–".into());
    let start_clicked = start.clone();

    view! {
        <header>
            <h1>"grokscope"</h1>
            <p class="lede">
                "Train a small transformer on modular addition, "<i>"(a + b) mod p"</i>
                ", here in your browser, and watch it learn. Which algorithm it finds (the Clock or the Pizza) "
                "depends on its attention rate α: 1 is standard attention, 0 is constant attention."
            </p>
        </header>
        <main>
            <section class="card">
                <h2>"Run"</h2>
                <p id="config">{format!("p = {p}, d_model = {d_model}, α = {alpha}, {steps} full-batch AdamW steps, seed {}", run.train.seed)}</p>
                <p id="device" data-gpu=move || on_gpu.get().to_string()>
                    "Device: "{move || device.get().0}<br />
                    <span class="reason">{move || device.get().1}</span>
                </p>
                <button id="train" on:click=move |_| start_clicked() disabled=move || state.get().busy() || !runnable>
                    {move || if state.get() == State::Running { "Training…" } else { "Train" }}
                </button>
                <button id="stop" on:click=move |_| set_stop_requested.set(true) disabled=move || state.get() != State::Running>"Stop"</button>
                <p id="status" data-state=move || state.get().name()>
                    {move || format!("{} · step {} of {steps} · {:.1} steps/s", state.get().name(), last().map(|s| s.step).unwrap_or(0), rate.get())}
                </p>
                <p id="message" class="error">{move || message.get()}</p>
                <table id="metrics">
                    <tr><th></th><th>"loss"</th><th>"accuracy"</th></tr>
                    <tr><th>"train"</th><td id="train-loss">{fmt(|s| s.train_loss, 4)}</td><td id="train-acc">{fmt(|s| s.train_acc, 3)}</td></tr>
                    <tr><th>"test"</th><td id="test-loss">{fmt(|s| s.test_loss, 4)}</td><td id="test-acc">{fmt(|s| s.test_acc, 3)}</td></tr>
                </table>
            </section>
            <section class="card" id="curves" data-snapshots=move || serde_json::to_string(&snapshots.get()).unwrap_or_default()>
                <h2>"Curves"</h2>
                {chart_canvas(
                    "curves-chart",
                    |w| if w >= SIDE_BY_SIDE_MIN_WIDTH { 360 } else { 560 },
                    move |area| snapshots.with(|s| curves(area, s, true)),
                )}
            </section>
            {move || analysis.get().map(analysis_card)}
        </main>
    }
}

/// What the trained model is: the verdict with its numbers, and the charts that show why.
fn analysis_card(a: Arc<Analysis>) -> impl IntoView {
    let r = &a.report;
    let verdict = r.verdict.clone();
    let number = |x: f64, digits: usize| format!("{x:.digits$}");
    let draw = |chart: Chart| {
        let a = a.clone();
        move |area: &_| chart.draw(area, &a, &[])
    };
    view! {
        <section class="card wide" id="analysis">
            <h2>"Which algorithm did it find?"</h2>
            <p id="verdict" data-algorithm=verdict.algorithm.label()>
                <strong>{verdict.algorithm.label()}</strong>" · "{verdict.reason}
            </p>
            <table id="measures">
                <tr><th>"gradient symmetricity"</th><td id="gs">{number(r.gradient_symmetricity, 4)}</td></tr>
                <tr><th>"distance irrelevance"</th><td id="di">{number(r.distance_irrelevance, 3)}</td></tr>
                <tr><th>"circularity"</th><td id="circularity">{number(r.circularity, 4)}</td></tr>
                <tr><th>"test accuracy"</th><td>{number(r.test_accuracy.unwrap_or(r.accuracy), 3)}</td></tr>
            </table>
            <div class="charts">
                {chart_canvas("logits-chart", |w| w * 7 / 8, draw(Chart::CorrectLogits))}
                {chart_canvas("circles-chart", |w| w, draw(Chart::Circles))}
            </div>
        </section>
    }
}
