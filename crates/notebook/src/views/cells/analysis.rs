//! An analysis cell: which algorithm a model found, with the numbers and the charts behind the
//! verdict. Its model is an experiment's (at any recorded step: scrub to watch the circles
//! form) or a `.safetensors` checkpoint dropped on it (the paper's released files work).

use std::sync::Arc;

use grokscope_analysis::verdict::Algorithm;
use grokscope_analysis::{Analysis, Report};
use grokscope_core::checkpoint::MAX_CHECKPOINT_BYTES;
use grokscope_core::{Checkpoint, RunConfig};
use grokscope_document::{CellKind, ChartChoice};
use grokscope_plots::Chart;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::canvas::to_svg;
use crate::browser::chart::chart_canvas;
use crate::browser::files;
use crate::run::analyst::Analyst;
use crate::state::Ctx;

pub fn analysis_cell(id: u32) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let kind = move || ctx.notebook.with(|n| n.cells.iter().find(|c| c.id == id).map(|c| c.kind.clone()));
    let experiment = Memo::new(move |_| match kind() {
        Some(CellKind::Analysis { experiment, .. }) => experiment,
        _ => None,
    });
    let charts = Memo::new(move |_| match kind() {
        Some(CellKind::Analysis { charts, .. }) => charts,
        _ => Vec::new(),
    });
    // A checkpoint loaded into this cell replaces the experiment's model.
    let loaded = RwSignal::new(None::<(String, Arc<Analysis>)>);
    let load_error = RwSignal::new(String::new());
    let loading = RwSignal::new(false);
    // Which operation of a mixture is shown, in `Task::operations` order (0: the analysis itself,
    // i: its `mixed_with[i - 1]`).
    let operation = RwSignal::new(0_usize);
    // No session for an experiment that is gone (a link may bind an analysis to one).
    let session = move || experiment.get().filter(|&e| ctx.experiment(e).is_some()).map(|e| ctx.session(e));
    let shown = move || -> Option<(String, Arc<Analysis>)> {
        if let Some(l) = loaded.get() {
            return Some(l);
        }
        let s = session()?;
        let (step, a) = s.analysis.get()?;
        Some((format!("at step {step}"), a))
    };
    let experiments = move || {
        ctx.notebook.with(|n| {
            n.cells
                .iter()
                .filter_map(|c| match &c.kind {
                    CellKind::Experiment { name, .. } => Some((c.id, name.clone())),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
    };
    let set_experiment = move |value: String| {
        loaded.set(None);
        operation.set(0);
        ctx.update_cell(id, |k| {
            if let CellKind::Analysis { experiment, .. } = k {
                *experiment = value.parse().ok()
            }
        });
    };
    let toggle_chart = move |choice: ChartChoice, on: bool| {
        ctx.update_cell(id, |k| {
            if let CellKind::Analysis { charts, .. } = k {
                charts.retain(|c| *c != choice);
                if on {
                    charts.push(choice);
                    charts.sort_by_key(|c| ChartChoice::ALL.iter().position(|a| a == c));
                }
            }
        })
    };
    // Scrubbing: the recorded steps of the experiment, and the one shown.
    let recorded = move || session().map(|s| s.recorded.get()).unwrap_or_default();
    let shown_index = move || {
        let steps = recorded();
        let at = session().and_then(|s| s.analysis.get()).map(|(step, _)| step);
        at.and_then(|a| steps.iter().position(|&s| s == a)).unwrap_or(steps.len().saturating_sub(1))
    };
    let scrub = move |index: usize| {
        let (Some(s), Some(e)) = (session(), experiment.get_untracked()) else { return };
        let Some((_, run)) = ctx.experiment(e) else { return };
        let Some(step) = s.recorded.with_untracked(|r| r.get(index).copied()) else { return };
        spawn_local(async move { s.show(&run, step).await });
    };
    let on_files = move |list: Option<web_sys::FileList>| {
        let Some(file) = files::first_file(list) else { return };
        loading.set(true);
        load_error.set(String::new());
        spawn_local(async move {
            match load_checkpoint(&file).await {
                Ok(a) => {
                    operation.set(0);
                    loaded.set(Some((format!("from {}", file.name()), Arc::new(a))));
                }
                Err(e) => load_error.set(format!("{}: {e}", file.name())),
            }
            loading.set(false);
        });
    };
    let dragging = RwSignal::new(false);
    let scrubbable = move || loaded.get().is_none() && recorded().len() >= 2;
    view! {
        <div class="analysis-source">
            <label class="inline">
                "model of "
                <select class="experiment-choice" aria-label="experiment" prop:value=move || experiment.get().map(|e| e.to_string()).unwrap_or_default()
                    on:change=move |e| set_experiment(event_target_value(&e))>
                    <option value="">"(none)"</option>
                    <For each=experiments key=|e| e.clone() children=move |(eid, name)| view! { <option value=eid.to_string()>{name}</option> } />
                </select>
            </label>
            <label class="file inline" class:dragging=move || dragging.get()
                on:dragover=move |e: leptos::ev::DragEvent| { e.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=move |e: leptos::ev::DragEvent| {
                    e.prevent_default();
                    dragging.set(false);
                    on_files(e.data_transfer().and_then(|d| d.files()));
                }>
                "or a checkpoint (.safetensors, drop it here): "
                <input type="file" class="checkpoint" accept=".safetensors"
                    on:change=move |e| on_files(files::input_files(&e)) />
            </label>
            <Show when=move || loaded.get().is_some()>
                <button class="small" on:click=move |_| { operation.set(0); loaded.set(None); }>"Back to the experiment"</button>
            </Show>
            {move || shown().filter(|(_, a)| !a.mixed_with.is_empty()).map(|(_, a)| view! {
                <label class="inline">
                    "operation "
                    <select class="operation-choice" aria-label="operation of the mixture" prop:value=move || operation.get().to_string()
                        on:change=move |e| operation.set(event_target_value(&e).parse().unwrap_or(0))>
                        {a.report.task.formulas().into_iter().enumerate()
                            .map(|(i, formula)| view! { <option value=i.to_string()>{formula}</option> })
                            .collect_view()}
                    </select>
                </label>
            })}
        </div>
        <p class="error load-error" role="alert">{move || load_error.get()}</p>
        <p class="hint">{move || if loading.get() { "Reading the checkpoint…" } else { "" }}</p>
        <Show when=scrubbable>
            <label class="scrub">
                <span>{move || format!("recorded step {}", recorded().get(shown_index()).copied().unwrap_or(0))}</span>
                <input type="range" class="scrub-range" min="0" max=move || (recorded().len() - 1).to_string() step="1"
                    prop:value=move || shown_index().to_string()
                    on:change=move |e| scrub(event_target_value(&e).parse().unwrap_or(0)) />
            </label>
        </Show>
        <fieldset class="chart-choices">
            <legend>"show"</legend>
            {ChartChoice::ALL.map(|choice| view! {
                <label class="inline">
                    <input type="checkbox" prop:checked=move || charts.get().contains(&choice)
                        on:change=move |e| toggle_chart(choice, event_target_checked(&e)) />
                    {choice.label()}
                </label>
            })}
        </fieldset>
        <p class="announce visually-hidden" aria-live="polite">
            {move || shown().map(|(at, a)| {
                let (title, qualifier, _) = headline(&of_operation(a, operation.get()).report);
                format!("Verdict: {title}{qualifier}, {at}.")
            })}
        </p>
        {move || match shown() {
            None => view! { <p class="hint">"The verdict appears here once the experiment has trained (or press ▶ to analyse it now)."</p> }.into_any(),
            Some((at, a)) => verdict_view(id, at, of_operation(a, operation.get()), charts.get()).into_any(),
        }}
    }
}

/// What the verdict reads, and how sure: every accurate model reads as its GS and DI say; one
/// whose circles are not yet clean (docs/science.md §8's bar) says so beside it (short runs are
/// like this).
pub(super) fn reading(r: &Report) -> (&'static str, String) {
    (r.verdict.algorithm.label(), r.verdict.qualifier().map(|q| format!(", {q}")).unwrap_or_default())
}

/// The analysis of operation `index` of a mixture (the first where there is no such one).
fn of_operation(a: Arc<Analysis>, index: usize) -> Arc<Analysis> {
    match index.checked_sub(1).and_then(|i| a.mixed_with.get(i)) {
        Some(other) => Arc::new(other.clone()),
        None => a,
    }
}

/// The verdict's headline, its qualifier and the line under it: for addition, the algorithm and
/// why; for another operation, the task itself, since Clock and Pizza do not apply there.
fn headline(r: &Report) -> (String, String, String) {
    if r.verdict.algorithm == Algorithm::NotAddition {
        let task = format!("({}) mod {}", r.task.operation.formula(), r.task.p);
        return (task, String::new(), "Clock and Pizza are algorithms for addition: this model is read by its Fourier measures.".into());
    }
    let (reading, qualifier) = reading(r);
    (reading.into(), qualifier, r.verdict.reason.clone())
}

/// The verdict, its numbers and the chosen charts.
fn verdict_view(id: u32, at: String, a: Arc<Analysis>, charts: Vec<ChartChoice>) -> impl IntoView {
    let r = &a.report;
    let algorithm = r.verdict.algorithm.label();
    let (reading, _) = reading(r);
    let (title, qualifier, reason) = headline(r);
    // A chart this model has nothing for (the discrete-log spectrum of an addition) is left out.
    let available = Chart::all(&a, false);
    let canvases = charts
        .into_iter()
        .map(chart_of)
        .filter(|chart| available.contains(chart))
        .map(|chart| {
            let a = a.clone();
            let (b, c) = (a.clone(), a.clone());
            let description = chart.describe(&a, &[]);
            chart_canvas(
                format!("{}-{id}", chart.name()),
                move || description.clone(),
                None,
                move |width| chart.height(width, &c),
                move |area| chart.draw(area, &a, &[]),
                move |size| to_svg(size, |area| chart.draw(area, &b, &[])),
            )
        })
        .collect_view();
    let report = a.clone();
    let download_error = RwSignal::new(String::new());
    let download_report = move || {
        let json = serde_json::to_string_pretty(&report.report).unwrap_or_default();
        download_error.set(files::download(&format!("analysis-{id}.json"), "application/json", json.as_bytes()).err().unwrap_or_default());
    };
    view! {
        <p class="verdict" data-algorithm=algorithm data-reading=reading>
            <strong>{title}</strong>{qualifier}" "<span class="at">{at}</span><br />
            <span class="reason">{reason}</span>
        </p>
        <table class="measures">{measure_rows(r)}</table>
        {r.manifold.as_ref().map(|m| view! {
            <p class="reading-2026"><strong>"The 2026 reading (a disc?): "</strong>{m.in_words(r.accuracy)}</p>
        })}
        {(!r.top_circles_accuracy.is_empty()).then(|| view! {
            <p class="parallel-circles"><strong>"Parallel circles: "</strong>{grokscope_analysis::isolation::in_words(&r.circles, &r.top_circles_accuracy)}</p>
        })}
        <p class="downloads">
            <button class="small report" title="Every number above and behind the charts, as JSON" on:click=move |_| download_report()>"Download the analysis (JSON)"</button>
            <span class="error">{move || download_error.get()}</span>
        </p>
        <div class="charts">{canvases}</div>
    }
}

/// The measures table: the Clock & Pizza measures for addition, then accuracy and the progress
/// measures where the model has them (W_L needs an MLP, the character basis a multiplicative
/// operation, Nanda's restricted and excluded loss a ± b).
fn measure_rows(r: &Report) -> impl IntoView + use<> {
    let m = &r.progress;
    let number = |digits: usize| move |x: f64| format!("{x:.digits$}");
    let losses = |train: Option<f64>, test: Option<f64>| {
        train.map(|train| match test {
            Some(test) => format!("{train:.4} train, {test:.4} test"),
            None => format!("{train:.4} train"),
        })
    };
    let addition = r.verdict.algorithm != Algorithm::NotAddition;
    let rows = [
        ("gradient symmetricity", "gs", addition.then_some(r.gradient_symmetricity).map(number(4))),
        ("distance irrelevance", "di", addition.then_some(r.distance_irrelevance).map(number(3))),
        ("circularity", "circularity", addition.then_some(r.circularity).map(number(4))),
        (
            if r.test_accuracy.is_some() { "test accuracy" } else { "accuracy" },
            "accuracy",
            Some(number(3)(r.test_accuracy.unwrap_or(r.accuracy))),
        ),
        ("Fourier frequency density (W_E)", "ffd", Some(number(3)(m.ffd_we))),
        ("Fourier coefficient ratio (W_E)", "fcr", Some(number(3)(m.fcr_we))),
        ("Fourier frequency density (W_L)", "ffd-wl", m.ffd_wl.map(number(3))),
        ("Fourier coefficient ratio (W_L)", "fcr-wl", m.fcr_wl.map(number(3))),
        ("Gini of the Fourier norms (W_E)", "gini-we", Some(number(3)(m.gini_we))),
        ("Gini of the Fourier norms (W_L)", "gini-wl", m.gini_wl.map(number(3))),
        ("Gini in the character basis (W_E)", "multiplicative-gini", m.multiplicative_gini_we.map(number(3))),
        ("restricted loss (key frequencies only)", "restricted-loss", losses(m.restricted_loss_train, m.restricted_loss_test)),
        ("excluded loss (key frequencies removed)", "excluded-loss", losses(m.excluded_loss_train, m.excluded_loss_test)),
    ];
    rows.into_iter()
        .filter_map(|(name, class, value)| value.map(|v| view! { <tr><th>{name}</th><td class=class>{v}</td></tr> }))
        .collect_view()
}

/// Reads and analyses a checkpoint file, refusing one beyond the size limit before reading it.
async fn load_checkpoint(file: &web_sys::File) -> Result<Analysis, String> {
    let bytes = files::read(file, MAX_CHECKPOINT_BYTES).await?;
    let checkpoint = Checkpoint::from_safetensors(&bytes).map_err(|e| e.to_string())?;
    let split = checkpoint.split();
    let run: RunConfig = checkpoint.run.clone();
    Analyst::default().analyze(&run, &checkpoint.weights, split.as_ref().map(|s| s.test.as_slice())).await
}

/// The chart a reader's choice draws.
fn chart_of(choice: ChartChoice) -> Chart {
    match choice {
        ChartChoice::Readout => Chart::Readout,
        ChartChoice::Circles => Chart::Circles,
        ChartChoice::Components => Chart::Components,
        ChartChoice::CorrectLogits => Chart::CorrectLogits,
        ChartChoice::Fourier => Chart::Fourier,
        ChartChoice::Characters => Chart::Characters,
        ChartChoice::Neurons => Chart::Neurons,
        ChartChoice::Attention => Chart::Attention,
        ChartChoice::ParallelCircles => Chart::ParallelCircles,
        ChartChoice::Pad => Chart::Pad,
        ChartChoice::Cka => Chart::Cka,
    }
}
