//! An experiment cell: its settings, the controls of its run, progress and live curves.

use grokscope_core::transformer_lens::HookedTransformer;
use grokscope_core::{Checkpoint, RunConfig, Snapshot};
use grokscope_document::export::{file_stem, metrics_csv, metrics_json};
use grokscope_document::{CellKind, Control};
use grokscope_plots::curves::{SIDE_BY_SIDE_MIN_WIDTH, curves, snapshot_at, summary as curves_summary};
use grokscope_plots::progress::{self as measures, evaluation_at};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::duration;
use super::form::run_form;
use crate::browser::canvas::to_svg;
use crate::browser::chart::chart_canvas;
use crate::browser::files;
use crate::run::session::Status;
use crate::state::Ctx;

/// The choices of "steps per update" (between two reads of the device).
const SPEEDS: [usize; 5] = [1, 5, 20, 50, 200];

pub fn experiment_cell(id: u32) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let session = ctx.session(id);
    let run = Memo::new(move |_| {
        ctx.notebook.with(|n| match n.cells.iter().find(|c| c.id == id).map(|c| &c.kind) {
            Some(CellKind::Experiment { run, .. }) => run.clone(),
            _ => RunConfig::paper(1.0),
        })
    });
    let name = move || {
        ctx.notebook.with(|n| match n.cells.iter().find(|c| c.id == id).map(|c| &c.kind) {
            Some(CellKind::Experiment { name, .. }) => name.clone(),
            _ => String::new(),
        })
    };
    let name_untracked = move || ctx.experiment(id).map(|(name, _)| name).unwrap_or_default();
    let status = session.status;
    let locked = Signal::derive(move || status.get().training() || status.get() == Status::Analysing);
    // A new setting starts the run again: the recorded curves belong to the old one.
    let apply = move |next: RunConfig| {
        session.reset();
        ctx.update_cell(id, |k| {
            if let CellKind::Experiment { run, .. } = k {
                *run = next
            }
        });
    };
    let last = move || session.history.with(|h| h.last().cloned());
    // A mixture's curves name its operations.
    let formulas = move || run.with(|r| r.task.formulas());
    let formulas_untracked = move || run.with_untracked(|r| r.task.formulas());
    let step = move || last().map(|s| s.step).unwrap_or(0);
    let steps = move || run.with(|r| r.train.steps);
    let devices = ctx.devices;
    let play = move || {
        let run = run.get_untracked();
        spawn_local(async move { session.play(run, devices, None).await });
    };
    let single_step = move || {
        let run = run.get_untracked();
        spawn_local(async move { session.play(run, devices, Some(1)).await });
    };
    let progress = move || {
        let (step, steps, rate) = (step(), steps(), session.rate.get());
        let left =
            if rate > 0.0 && step < steps { format!(" · about {} left", duration((steps - step) as f64 / rate)) } else { String::new() };
        format!("{} · step {step} of {steps} · {rate:.1} steps/s{left}", status.get().name())
    };
    // For screen readers, once per change of state (not at every update): what happened.
    let announcement = move || {
        let now = status.get();
        let result = session.history.with_untracked(|h| h.last().map(|s| format!(" at step {}: test accuracy {:.3}", s.step, s.test_acc)));
        match now {
            Status::Idle => String::new(),
            Status::Done | Status::Paused => format!("{}: {}{}.", name_untracked(), now.name(), result.unwrap_or_default()),
            Status::Failed => format!("{}: failed. {}", name_untracked(), session.message.get_untracked()),
            _ => format!("{}: {}.", name_untracked(), now.name()),
        }
    };
    let number =
        move |f: fn(&Snapshot) -> f64, digits: usize| move || last().map(|s| format!("{:.*}", digits, f(&s))).unwrap_or("–".into());
    let hovered = RwSignal::new(None::<usize>);
    let readout = move || match hovered.get().and_then(|i| session.history.with(|h| h.get(i).cloned())) {
        Some(s) => format!(
            "step {}: loss {:.4} train, {:.4} test · accuracy {:.3} train, {:.3} test",
            s.step, s.train_loss, s.test_loss, s.train_acc, s.test_acc
        ),
        None => "Point at the curves to read their values.".into(),
    };
    // The progress chart: the step analysed (the scrub bar's) as a cursor; the measures of the
    // step pointed at, else the latest.
    let analysed = move || session.analysis.with(|a| a.as_ref().map(|(step, _)| *step));
    let analysed_untracked = move || session.analysis.with_untracked(|a| a.as_ref().map(|(step, _)| *step));
    let hovered_measures = RwSignal::new(None::<usize>);
    let measures_readout = move || {
        session.progress.with(|p| hovered_measures.get().and_then(|i| p.get(i)).or(p.last()).map(measures::summary).unwrap_or_default())
    };
    let target = move || session.target_accuracy.get().map(|t| t.to_string()).unwrap_or_default();
    // Files of this run: its metrics and its latest weights (official tensor names).
    let download_error = RwSignal::new(String::new());
    let offer = move |suffix: &str, mime: &str, bytes: Vec<u8>| {
        let name = format!("{}-{suffix}", file_stem(&name()));
        download_error.set(files::download(&name, mime, &bytes).err().unwrap_or_default());
    };
    let download_csv = move || {
        offer("metrics.csv", "text/csv", session.history.with_untracked(|h| metrics_csv(h, &run.get_untracked().task)).into_bytes())
    };
    let download_json = move || {
        let json = session.history.with_untracked(|h| metrics_json(&name(), &run.get_untracked(), h));
        offer("metrics.json", "application/json", json.into_bytes())
    };
    let download_weights = move || {
        let Some((step, weights)) = session.latest_weights() else { return };
        let bytes = Checkpoint::new(run.get_untracked(), weights).to_safetensors();
        offer(&format!("step{step}.safetensors"), "application/octet-stream", bytes)
    };
    let download_transformer_lens = move || {
        let Some((step, weights)) = session.latest_weights() else { return };
        match HookedTransformer::new(&run.get_untracked(), &weights) {
            Ok(hooked) => offer(&format!("step{step}-transformer-lens.safetensors"), "application/octet-stream", hooked.to_safetensors()),
            Err(why) => download_error.set(why),
        }
    };
    view! {
        <input class="cell-title" aria-label="experiment name" prop:value=name readonly=move || ctx.locked(Control::Cells)
            on:change=move |e| {
                let value = event_target_value(&e);
                ctx.update_cell(id, |k| if let CellKind::Experiment { name, .. } = k { *name = value });
            } />
        <details class="settings">
            <summary>{move || summary(&run.get())}</summary>
            {run_form(run.into(), apply, locked, &[])}
        </details>
        <div class="controls">
            <button class="play primary" disabled=move || status.get() == Status::Analysing
                on:click=move |_| if status.get_untracked().training() { session.pause() } else { play() }>
                {move || if status.get().training() { "Pause" } else { "▶ Play" }}
            </button>
            <button class="step" disabled=move || locked.get() on:click=move |_| single_step()>"Step"</button>
            <button class="reset" disabled=move || status.get() == Status::Analysing on:click=move |_| session.reset()>"Reset"</button>
            <label class="inline">
                "update every "
                <select class="speed" aria-label="steps per update" prop:value=move || session.speed.get().to_string()
                    on:change=move |e| session.speed.set(event_target_value(&e).parse().unwrap_or(20))>
                    {speeds(session.speed.get_untracked()).into_iter().map(|s| view! { <option value=s.to_string()>{if s == 1 { "1 step".to_string() } else { format!("{s} steps") }}</option> }).collect_view()}
                </select>
            </label>
            <label class="inline">
                "stop at test accuracy "
                <input class="target" type="text" inputmode="decimal" size="4" placeholder="–" prop:value=target
                    on:change=move |e| {
                        let text = event_target_value(&e);
                        session.target_accuracy.set(text.trim().parse::<f64>().ok().filter(|t| (0.0..=1.0).contains(t)));
                    } />
            </label>
        </div>
        <progress class="progress" max=move || steps().to_string() value=move || step().to_string()></progress>
        <p class="status" data-state=move || status.get().name()>{progress}</p>
        <p class="announce visually-hidden" aria-live="polite">{announcement}</p>
        <p class="device-note">{move || session.device_note.get()}</p>
        <p class="kept-note">{move || session.kept_note.get()}</p>
        <p class="error">{move || session.message.get()}</p>
        <table class="metrics">
            <tr><th></th><th>"loss"</th><th>"accuracy"</th></tr>
            <tr><th>"train"</th><td class="train-loss">{number(|s| s.train_loss, 4)}</td><td class="train-acc">{number(|s| s.train_acc, 3)}</td></tr>
            <tr><th>"test"</th><td class="test-loss">{number(|s| s.test_loss, 4)}</td><td class="test-acc">{number(|s| s.test_acc, 3)}</td></tr>
        </table>
        <div class="curves" data-snapshots=move || session.history.with(|h| serde_json::to_string(h).unwrap_or_default())
            on:mousemove=move |e: leptos::ev::MouseEvent| {
                let width = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).map_or(0, |t| t.client_width());
                hovered.set(session.history.with_untracked(|h| snapshot_at(width.max(0) as u32, e.offset_x(), h)));
            }
            on:mouseleave=move |_| hovered.set(None)>
            {chart_canvas(
                format!("curves-{id}"),
                move || session.history.with(|h| curves_summary(h, &formulas())),
                Some(Signal::derive(move || session.history.with(|h| run.with(|r| metrics_csv(h, &r.task))))),
                |w| if w >= SIDE_BY_SIDE_MIN_WIDTH { 320 } else { 460 },
                move |area| session.history.with(|s| curves(area, s, &formulas(), true)),
                move |size| session.history.with_untracked(|s| to_svg(size, |area| curves(area, s, &formulas_untracked(), true))),
            )}
            <p class="readout">{readout}</p>
        </div>
        <div class="progress-measures" hidden=move || session.progress.with(Vec::is_empty)
            on:mousemove=move |e: leptos::ev::MouseEvent| {
                let width = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).map_or(0, |t| t.client_width());
                hovered_measures.set(session.progress.with_untracked(|p| evaluation_at(width.max(0) as u32, e.offset_x(), p)));
            }
            on:mouseleave=move |_| hovered_measures.set(None)>
            {chart_canvas(
                format!("progress-{id}"),
                move || session.progress.with(|e| e.last().map(measures::summary).unwrap_or_default()),
                None,
                // One panel: the page measures no restricted loss.
                |_| 340,
                move |area| session.progress.with(|e| measures::progress(area, e, analysed())),
                move |size| session.progress.with_untracked(|e| to_svg(size, |area| measures::progress(area, e, analysed_untracked()))),
            )}
            <p class="readout progress-summary">{measures_readout}</p>
        </div>
        <p class="downloads" hidden=move || session.history.with(Vec::is_empty)>
            "Download: "
            <button class="small metrics-csv" on:click=move |_| download_csv()>"metrics CSV"</button>
            <button class="small metrics-json" on:click=move |_| download_json()>"metrics JSON"</button>
            <button class="small weights" hidden=move || session.recorded.with(Vec::is_empty) title="The latest recorded weights, in the paper's tensor names"
                on:click=move |_| download_weights()>"weights (.safetensors)"</button>
            <button class="small transformer-lens" hidden=move || session.recorded.with(Vec::is_empty)
                title="The latest recorded weights as a TransformerLens HookedTransformer (α = 1 only), its config in the file's metadata"
                on:click=move |_| download_transformer_lens()>"TransformerLens"</button>
            <span class="error">{move || download_error.get()}</span>
        </p>
    }
}

/// The choices of steps per update, with the run's own (its `eval_every`) among them.
fn speeds(own: usize) -> Vec<usize> {
    let mut all = SPEEDS.to_vec();
    if !all.contains(&own) {
        all.push(own);
        all.sort_unstable();
    }
    all
}

/// One line that says what the run is.
fn summary(run: &RunConfig) -> String {
    let model = match &run.model {
        grokscope_core::ModelConfig::Transformer(t) => {
            format!("α = {}, d_model {}, {} heads, {}", t.attention_rate, t.d_model, t.n_heads, t.encoding.scheme.label())
        }
        grokscope_core::ModelConfig::MlpOnly(m) => format!("MLP only ({:?}), width {}", m.mlp_type, m.d_hidden),
    };
    format!(
        "({}) mod {} · {model} · lr {} · wd {} · {} steps · seed {}",
        run.task.formulas().join("), ("),
        run.task.p,
        run.train.lr,
        run.train.weight_decay,
        run.train.steps,
        run.train.seed
    )
}
