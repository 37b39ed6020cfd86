//! A sweep cell: its grid (attention rates, widths, seeds) over a base recipe, how many models
//! that makes and how long they would take here, the controls of its run, progress, and the
//! phase diagram, where each model's point appears as soon as it is measured: pointing at one
//! reads it, clicking it opens its run as an experiment.

use std::collections::HashSet;

use grokscope_core::RunConfig;
use grokscope_document::export::file_stem;
use grokscope_document::{CellKind, Control, check_sweep};
use grokscope_plots::phase::{Marks, PaperLayers, PhaseChart, PhasePoint};
use grokscope_sweep::plan::shape_key;
use grokscope_sweep::results;
use grokscope_sweep::spec::{Grid, Scheme, SweepSpec, describe, parse_values, parse_whole};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::duration;
use super::form::run_form;
use crate::browser::canvas::to_svg;
use crate::browser::chart::chart_canvas;
use crate::browser::files;
use crate::run::session::Status;
use crate::run::sweep::Estimate;
use crate::state::Ctx;

/// The base recipe's controls that the grid sets instead (and sweeps train transformers).
const GRID_CONTROLS: &[Control] = &[Control::Model, Control::AttentionRate, Control::DModel, Control::Seed];
/// How near (in pixels) the pointer must be to a model's point to pick it.
const PICK_RADIUS: i32 = 12;

/// A list of the grid, as text: `0:1:11` (11 values from 0 to 1) or `0, 0.5, 1`.
struct ListField {
    control: Control,
    label: &'static str,
    get: fn(&Grid) -> String,
    set: fn(&mut Grid, &str) -> Result<(), String>,
}

fn listed<T: ToString>(values: &[T]) -> String {
    values.iter().map(T::to_string).collect::<Vec<_>>().join(", ")
}

/// A list's values; none (the base's value) where the text is blank.
fn values(text: &str) -> Result<Vec<f64>, String> {
    if text.trim().is_empty() { Ok(Vec::new()) } else { parse_values(text) }
}

fn wholes(text: &str) -> Result<Vec<u64>, String> {
    if text.trim().is_empty() { Ok(Vec::new()) } else { parse_whole(text) }
}

const LISTS: &[ListField] = &[
    ListField {
        control: Control::AttentionRate,
        label: "attention rates α",
        get: |g| listed(&g.attention_rate),
        set: |g, text| {
            g.attention_rate = values(text)?;
            Ok(())
        },
    },
    ListField {
        control: Control::DModel,
        label: "widths (d_model)",
        get: |g| listed(&g.d_model),
        set: |g, text| {
            g.d_model = wholes(text)?.into_iter().map(|w| w as usize).collect();
            Ok(())
        },
    },
    ListField {
        control: Control::Seed,
        label: "seeds",
        get: |g| listed(&g.seed),
        set: |g, text| {
            g.seed = wholes(text)?;
            Ok(())
        },
    },
];

pub fn sweep_cell(id: u32) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let session = ctx.sweep(id);
    let spec = Memo::new(move |_| {
        ctx.notebook.with(|n| match n.cells.iter().find(|c| c.id == id).map(|c| &c.kind) {
            Some(CellKind::Sweep { sweep, .. }) => sweep.clone(),
            _ => SweepSpec { base: RunConfig::paper(1.0), scheme: Scheme::Grid(Grid::default()) },
        })
    });
    let name = move || {
        ctx.notebook.with(|n| match n.cells.iter().find(|c| c.id == id).map(|c| &c.kind) {
            Some(CellKind::Sweep { name, .. }) => name.clone(),
            _ => String::new(),
        })
    };
    let status = session.status;
    // The settings hold while a sweep is under way, paused included: its loops train them.
    let busy = Signal::derive(move || status.get().training() || status.get() == Status::Paused);
    let error = RwSignal::new(String::new());
    // A new setting starts the sweep again: the models measured belong to the old one.
    let try_apply = move |change: &dyn Fn(&mut SweepSpec) -> Result<(), String>| {
        let mut next = spec.get_untracked();
        match change(&mut next).and_then(|()| check_sweep(&next)) {
            Ok(()) => {
                error.set(String::new());
                session.reset();
                ctx.update_cell(id, |k| {
                    if let CellKind::Sweep { sweep, .. } = k {
                        *sweep = next
                    }
                });
            }
            Err(e) => error.set(e),
        }
    };
    let base = Signal::derive(move || spec.with(|s| s.base.clone()));
    let apply_base = move |run: RunConfig| {
        try_apply(&|s| {
            s.base = run.clone();
            Ok(())
        })
    };
    let grid = move || spec.with(|s| if let Scheme::Grid(g) = &s.scheme { Some(g.clone()) } else { None });
    let lists = LISTS
        .iter()
        .map(|field| {
            let value = move || grid().map(|g| (field.get)(&g)).unwrap_or_default();
            view! {
                <label class="field list" hidden=move || grid().is_none() title=move || ctx.locked(field.control).then_some("locked by the lesson")>
                    <span>{field.label}</span>
                    <input type="text" name=format!("grid_{}", field.control.key()) prop:value=value placeholder="as the base"
                        disabled=move || busy.get() || ctx.locked(field.control)
                        on:change=move |e| {
                            let text = event_target_value(&e);
                            try_apply(&|s| match &mut s.scheme {
                                Scheme::Grid(g) => (field.set)(g, &text).map_err(|e| format!("{}: {e}", field.label)),
                                Scheme::Random(_) => Err("this sweep draws its runs at random: it has no grid".into()),
                            });
                        } />
                </label>
            }
        })
        .collect_view();
    let plan = Memo::new(move |_| spec.with(plan_summary));
    let devices = ctx.devices;
    let play = move || {
        let s = spec.get_untracked();
        spawn_local(async move { session.play(s, devices).await });
    };
    let estimate = move || {
        let s = spec.get_untracked();
        spawn_local(async move { session.measure(s, devices).await });
    };
    let done = move || session.rows.with(Vec::len);
    let total = move || spec.with(|s| s.count().unwrap_or(0));
    let progress = move || {
        let (done, total, rate) = (done(), total(), session.rate.get());
        let left = session.steps_left.get();
        let mut text = format!("{} · {done} of {total} models", status.get().name());
        if rate > 0.0 {
            text += &format!(" · {rate:.0} steps/s");
            if left > 0 && status.get() == Status::Running {
                text += &format!(" · about {} left", duration(left as f64 / rate));
            }
        }
        text
    };

    // The phase diagram: our points over the paper's, with where each of ours was drawn.
    let chart = RwSignal::new(PhaseChart::GradientSymmetricity);
    let with_paper = RwSignal::new(true);
    let paper = StoredValue::new(PaperLayers::load());
    let points = Memo::new(move |_| session.rows.with(|r| r.iter().map(PhasePoint::from).collect::<Vec<_>>()));
    let marks = RwSignal::new(Marks::new());
    let beneath = move |chart: PhaseChart, tracked: bool| {
        let on = if tracked { with_paper.get() } else { with_paper.get_untracked() };
        if on { paper.with_value(|p| p.beneath(chart).to_vec()) } else { Vec::new() }
    };
    let picked = move |e: &leptos::ev::MouseEvent| -> Option<usize> {
        let canvas = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlCanvasElement>().ok())?;
        // The marks are in the canvas's pixels; a canvas wider than its drawing is scaled up.
        let scale = canvas.width() as f64 / canvas.client_width().max(1) as f64;
        let (x, y) = ((e.offset_x() as f64 * scale) as i32, (e.offset_y() as f64 * scale) as i32);
        marks.with_untracked(|m| {
            m.iter()
                .enumerate()
                .map(|(i, &(mx, my))| (i, (mx - x).pow(2) + (my - y).pow(2)))
                .filter(|&(_, d)| d <= PICK_RADIUS * PICK_RADIUS)
                .min_by_key(|&(_, d)| d)
                .map(|(i, _)| i)
        })
    };
    let hovered = RwSignal::new(None::<usize>);
    let readout = move || match hovered.get().and_then(|i| session.rows.with(|r| r.get(i).cloned())) {
        Some(r) => format!(
            "α = {}, d_model {}, seed {}: gradient symmetricity {:.3}, distance irrelevance {:.3}, circularity {:.3}, test accuracy {:.3} · {} · click to open this run",
            r.attn_coeff, r.d_model, r.seed, r.gradient_sim, r.distance_irrelevance, r.circularity, r.validation_accuracy, r.verdict
        ),
        None => "Point at a model to read it; click it to open its run as an experiment.".into(),
    };
    let open = move |i: usize| {
        let Some(run_id) = session.rows.with_untracked(|r| r.get(i).map(|r| r.run_id.clone())) else { return };
        let member = spec.with_untracked(|s| s.expand().ok()).and_then(|m| m.into_iter().find(|m| m.id == run_id));
        if let Some(member) = member {
            ctx.open_run(format!("From the sweep: {}", describe(&member.run)), member.run);
        }
    };
    let download_error = RwSignal::new(String::new());
    let download = move || {
        let csv = session.rows.with_untracked(|r| results::to_csv(r));
        let file = format!("{}-results.csv", file_stem(&name()));
        download_error.set(files::download(&file, "text/csv", csv.as_bytes()).err().unwrap_or_default());
    };
    view! {
        <input class="cell-title" aria-label="sweep name" prop:value=name readonly=move || ctx.locked(Control::Cells)
            on:change=move |e| {
                let value = event_target_value(&e);
                ctx.update_cell(id, |k| if let CellKind::Sweep { name, .. } = k { *name = value });
            } />
        <details class="settings" open>
            <summary>{move || spec.with(summary)}</summary>
            <div class="form grid">{lists}</div>
            <p class="hint">{move || spec.with(|s| if let Scheme::Random(r) = &s.scheme { random_summary(r) } else { String::new() })}</p>
            {run_form(base, apply_base, busy, GRID_CONTROLS)}
            <p class="error grid-error" role="alert">{move || error.get()}</p>
        </details>
        <p class="plan">
            <span class="models">{move || plan.get().unwrap_or_else(|e| e)}</span>
            " · "
            {move || match session.estimate.get() {
                Estimate::Unknown => view! { <button class="small estimate" disabled=move || busy.get() on:click=move |_| estimate()>"Estimate the time here"</button> }.into_any(),
                Estimate::Measuring => view! { <span class="estimate">"measuring a few steps…"</span> }.into_any(),
                Estimate::Seconds(s) => view! { <span class="estimate" data-seconds=s.to_string()>{format!("about {} on this device", duration(s))}</span> }.into_any(),
                Estimate::Failed(e) => view! { <span class="estimate error">{format!("not measured: {e}")}</span> }.into_any(),
            }}
        </p>
        <div class="controls">
            <button class="play primary" on:click=move |_| if status.get_untracked().training() { session.pause() } else { play() }>
                {move || match status.get() {
                    s if s.training() => "Pause",
                    Status::Paused => "▶ Resume",
                    _ => "▶ Run",
                }}
            </button>
            <button class="reset" on:click=move |_| session.reset()>"Reset"</button>
            <label class="inline">
                "chart "
                <select class="phase-chart" aria-label="phase diagram" prop:value=move || chart.get().name()
                    on:change=move |e| {
                        let name = event_target_value(&e);
                        if let Some(c) = PhaseChart::ALL.into_iter().find(|c| c.name() == name) {
                            chart.set(c);
                        }
                    }>
                    {PhaseChart::ALL.map(|c| view! { <option value=c.name()>{c.label()}</option> })}
                </select>
            </label>
            <label class="inline">
                <input type="checkbox" class="paper" prop:checked=move || with_paper.get() on:change=move |e| with_paper.set(event_target_checked(&e)) />
                " the paper's points"
            </label>
            <button class="small results-csv" disabled=move || done() == 0 on:click=move |_| download()>"results CSV"</button>
            <span class="error">{move || download_error.get()}</span>
        </div>
        <progress class="progress" max=move || total().max(1).to_string() value=move || done().to_string()></progress>
        <p class="status" data-state=move || status.get().name()>{progress}</p>
        <p class="device-note">{move || session.device_note.get()}</p>
        <p class="error">{move || session.message.get()}</p>
        <div class="phase" data-marks=move || serde_json::to_string(&marks.get()).unwrap_or_default()
            data-results=move || session.rows.with(|r| results::to_csv(r))
            on:mousemove=move |e: leptos::ev::MouseEvent| hovered.set(picked(&e))
            on:mouseleave=move |_| hovered.set(None)
            on:click=move |e: leptos::ev::MouseEvent| if let Some(i) = picked(&e) { open(i) }>
            {chart_canvas(
                format!("phase-{id}"),
                move || points.with(|ours| chart.get().describe(ours, with_paper.get())),
                Some(Signal::derive(move || session.rows.with(|r| results::to_csv(r)))),
                |w| (w * 2 / 3).clamp(320, 620),
                move |area| {
                    let c = chart.get();
                    let drawn = points.with(|ours| c.draw(area, ours, &beneath(c, true)))?;
                    marks.set(drawn);
                    Ok(())
                },
                move |size| {
                    let c = chart.get_untracked();
                    points.with_untracked(|ours| to_svg(size, |area| c.draw(area, ours, &beneath(c, false)).map(drop)))
                },
            )}
            <p class="readout">{readout}</p>
        </div>
    }
}

/// How many models, of how many shapes (each shape trains as its own ensembles on WebGPU).
fn plan_summary(spec: &SweepSpec) -> Result<String, String> {
    let members = spec.expand().map_err(|e| e.to_string())?;
    let shapes: HashSet<String> = members.iter().map(|m| shape_key(&m.run)).collect();
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    Ok(format!("{} of {}", plural(members.len(), "model", "models"), plural(shapes.len(), "shape", "shapes")))
}

/// One line that says what the sweep is.
fn summary(spec: &SweepSpec) -> String {
    let base = &spec.base;
    let varies = match &spec.scheme {
        Scheme::Grid(g) => {
            let part = |name: &str, values: String| if values.is_empty() { None } else { Some(format!("{name} {values}")) };
            [part("α", listed(&g.attention_rate)), part("d_model", listed(&g.d_model)), part("seeds", listed(&g.seed))]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" × ")
        }
        Scheme::Random(r) => format!("{} random runs", r.runs),
    };
    format!(
        "{varies} · {} mod {} · lr {} · wd {} · {} steps",
        base.task.operation.name(),
        base.task.p,
        base.train.lr,
        base.train.weight_decay,
        base.train.steps
    )
}

fn random_summary(r: &grokscope_sweep::spec::Random) -> String {
    let width = match r.log2_d_model {
        Some([lo, hi]) => format!(", d_model = int(2^U({lo}, {hi}))"),
        None => String::new(),
    };
    format!("The paper's random scheme: {} runs, α ~ U(0, 1){width}, one seed each (drawn from seed {}).", r.runs, r.seed)
}
