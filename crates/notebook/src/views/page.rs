//! The notebook page: title, notices, toolbar (run all, pause all, share, files, add a cell), the
//! device panel, the cells and the footer. The notebook and its sessions are `state::Ctx`; what
//! opens, saves and erases whole notebooks is `browser::opening` and `browser::notebooks`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use grokscope_core::{ModelConfig, RunConfig};
use grokscope_document::lessons::Size;
use grokscope_document::{CellKind, ChartChoice, Control, Expectation, Question, clock_vs_pizza, phase_diagram};

use crate::browser::offline::{self, Offline};
use crate::browser::opening::{is_shipped_default, open, shipped_run};
use crate::browser::url::options;
use crate::browser::{files, notebooks, storage};
use crate::run::gpu::Devices;
use crate::state::{Autosave, Ctx, Fitting};
use crate::views::cells::{cell_view, duration};
use crate::views::share::share_panel;
use grokscope_document::options::UrlOptions;

#[component]
pub fn App() -> impl IntoView {
    match options() {
        Ok(o) if o.bench => crate::views::bench::bench_page(o).into_any(),
        Ok(o) if o.lessons => crate::views::lessons::lessons_page().into_any(),
        Ok(o) => notebook_page(o, None).into_any(),
        Err(e) => notebook_page(UrlOptions::default(), Some(e)).into_any(),
    }
}

/// What sizing the default notebook for the device found (`Ctx::fit_to_device`), with the
/// other size a click away while the notebook is as shipped.
fn fit_notice(ctx: Ctx, options: UrlOptions) -> impl IntoView {
    let in_words = {
        let options = options.clone();
        move |size: Size| in_words(&shipped_run(&options, size))
    };
    let shown = move || ctx.size.get();
    let text = move || match ctx.fitting.get() {
        Fitting::No => String::new(),
        Fitting::Measuring => "Sizing the notebook for this device: timing a few of its steps…".into(),
        Fitting::Failed(e) => format!("This device could not be timed ({e}): the notebook keeps the paper's size."),
        Fitting::Fitted(fit) => match (fit.size, shown()) {
            (Size::Small, Size::Small) => format!(
                "Sized for this device: at the paper's size ({}) its two experiments would take about {} to train here, so they train at the small size ({}{}), where they still split into Clock and Pizza.",
                in_words(Size::Default),
                duration(fit.default_seconds),
                in_words(Size::Small),
                fit.small_seconds.map(|s| format!("; about {}", duration(s))).unwrap_or_default()
            ),
            (Size::Default, Size::Default) => format!(
                "Sized for this device: the paper's size ({}), about {} to train both experiments here.",
                in_words(Size::Default),
                duration(fit.default_seconds)
            ),
            (Size::Small, Size::Default) => format!(
                "At the paper's size ({}), as you chose: about {} to train both experiments on this device.",
                in_words(Size::Default),
                duration(fit.default_seconds)
            ),
            (Size::Default, Size::Small) => format!(
                "At the small size ({}); the paper's size takes about {} here.",
                in_words(Size::Small),
                duration(fit.default_seconds)
            ),
        },
    };
    let other = move || match shown() {
        Size::Default => (Size::Small, "Use the small size"),
        Size::Small => (Size::Default, "Use the paper's size"),
    };
    let offered = {
        let options = options.clone();
        move || matches!(ctx.fitting.get(), Fitting::Fitted(_)) && ctx.notebook.with(|n| is_shipped_default(&options, n))
    };
    let state = move || match ctx.fitting.get() {
        Fitting::No => "no",
        Fitting::Measuring => "measuring",
        Fitting::Fitted(_) => "fitted",
        Fitting::Failed(_) => "failed",
    };
    view! {
        <p id="fit" class="notice" role="status" hidden=move || ctx.fitting.with(|f| *f == Fitting::No) data-state=state data-size=move || shown().name()>
            {text}
            <Show when=offered.clone()>
                " "
                <button class="small" id="fit-other" on:click={
                    let options = options.clone();
                    move |_| ctx.resize(&options, other().0)
                }>{move || other().1}</button>
            </Show>
        </p>
    }
}

/// The size of the default notebook's run, in a few words.
fn in_words(run: &RunConfig) -> String {
    let width = match &run.model {
        ModelConfig::Transformer(t) => format!("d_model {}", t.d_model),
        ModelConfig::MlpOnly(m) => format!("width {}", m.d_hidden),
    };
    format!("p = {}, {width}, {} steps", run.task.p, run.train.steps)
}

/// What the page says when its notebook's last opening never finished drawing (it crashed the
/// tab, say): the notebook as a file, erased, or opened again, and nothing drawn meanwhile.
fn safe_mode_page(slot: String) -> impl IntoView {
    let failed = RwSignal::new(String::new());
    let download = {
        let slot = slot.clone();
        move || {
            let text = storage::raw(&slot).unwrap_or_default();
            if let Err(e) = files::download("grokscope-notebook.grokscope.json", "application/json", text.as_bytes()) {
                failed.set(e);
            }
        }
    };
    let reload = || {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    };
    let erase = {
        let slot = slot.clone();
        move || match storage::set_aside(&slot) {
            Ok(_) => {
                storage::opened(&slot);
                reload();
            }
            Err(e) => failed.set(e),
        }
    };
    let again = move || {
        storage::opened(&slot);
        reload();
    };
    view! {
        <header><h1>"grokscope"</h1></header>
        <main id="safe-mode">
            <p class="error" role="alert">
                "The notebook saved in this browser did not finish opening last time: it may have stopped the page. "
                "It is not drawn now, so that you can keep it."
            </p>
            <p class="toolbar">
                <button id="safe-download" class="primary" on:click=move |_| download()>"Download it"</button>
                <button id="safe-erase" on:click=move |_| erase()>"Put it aside and open a fresh notebook"</button>
                <button id="safe-again" on:click=move |_| again()>"Try to open it again"</button>
            </p>
            <p class="hint">"Put aside, it stays in this browser's storage under another name until Erase local data."</p>
            <p class="error">{move || failed.get()}</p>
        </main>
    }
}

fn notebook_page(options: UrlOptions, url_error: Option<String>) -> impl IntoView {
    let opened = open(&options);
    if opened.safe_mode {
        return safe_mode_page(opened.slot).into_any();
    }
    // Drawn: once a frame has been painted after mounting, the notebook has opened (a crash in
    // laying it out leaves the mark, and the next opening is in safe mode).
    {
        let slot = opened.slot.clone();
        request_animation_frame(move || request_animation_frame(move || storage::opened(&slot)));
    }
    let ctx = Ctx::new(opened.notebook.clone(), Devices::new(options.backend), options.size.unwrap_or(Size::Default), opened.slot.clone());
    provide_context(ctx);
    if opened.fits_device {
        let options = options.clone();
        spawn_local(async move { ctx.fit_to_device(&options).await });
    }
    let problems = RwSignal::new(url_error.into_iter().chain(opened.problems.clone()).collect::<Vec<_>>());
    let say = move |problem: String| problems.update(|p| p.push(problem));
    let autosave = Autosave::start(ctx, &opened, options.clone());
    // A bad link never runs: the reader sees why and their own notebook instead.
    if options.autorun && problems.with_untracked(Vec::is_empty) {
        ctx.run_all();
    }
    let devices = ctx.devices;
    let cells = move || ctx.notebook.with(|n| n.cells.clone());
    // A new experiment is the default notebook's first (α = 1), at the page's size.
    let add_experiment = move || {
        let default = clock_vs_pizza(ctx.size.get_untracked());
        let run = default.experiments().next().expect("the default notebook has an experiment").1.clone();
        ctx.add(CellKind::Experiment { name: "New experiment".into(), run });
    };
    // New analyses and lesson cells are about the last experiment (or sweep) so far.
    let last_run = move |sweeps: bool| {
        ctx.notebook.with_untracked(|n| {
            n.cells
                .iter()
                .rev()
                .find(|c| matches!(c.kind, CellKind::Experiment { .. }) || (sweeps && matches!(c.kind, CellKind::Sweep { .. })))
                .map(|c| c.id)
        })
    };
    let add_analysis = move || {
        ctx.add(CellKind::Analysis { experiment: last_run(false), charts: vec![ChartChoice::Readout, ChartChoice::Circles] });
    };
    let add_question = move || {
        let choices = vec!["Clock".into(), "Pizza".into()];
        let question = Question {
            prompt: "Which algorithm will this model find?".into(),
            choices,
            answer: 0,
            explanation: String::new(),
            after: last_run(true),
            chosen: None,
        };
        ctx.add(CellKind::Question(question));
    };
    let add_check = move || {
        ctx.add(CellKind::Check { experiment: last_run(false), expect: Expectation { verdict: None, min_test_accuracy: Some(0.95) } });
    };
    // A new sweep is the phase-diagram lesson's, at the page's size.
    let add_sweep = move || {
        let lesson = ctx.size.get_untracked().apply_to(phase_diagram());
        let sweep = lesson.cells.into_iter().find_map(|c| match c.kind {
            CellKind::Sweep { sweep, .. } => Some(sweep),
            _ => None,
        });
        ctx.add(CellKind::Sweep { name: "New sweep".into(), sweep: sweep.expect("the phase-diagram lesson has a sweep") });
    };
    let sharing = RwSignal::new(false);
    // The focus follows the share panel: into its link when it opens, back to the button that
    // opened it when Escape closes it.
    let focus = |id: &str| {
        let element = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id));
        if let Some(element) = element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = element.focus();
        }
    };
    Effect::new(move |was_open: Option<bool>| {
        let open = sharing.get();
        if open && was_open == Some(false) {
            request_animation_frame(move || focus("share-link"));
        }
        open
    });
    let escape = window_event_listener(leptos::ev::keydown, move |e| {
        if e.key() == "Escape" && sharing.get_untracked() {
            sharing.set(false);
            focus("share");
        }
    });
    on_cleanup(move || escape.remove());
    let save_file = move || {
        if let Err(e) = ctx.notebook.with_untracked(notebooks::save_file) {
            say(e);
        }
    };
    let opened_file = RwSignal::new(None::<(String, String)>);
    let open_file = move |file: Option<web_sys::File>| {
        let Some(file) = file else { return };
        spawn_local(async move {
            match notebooks::open_file(&file).await {
                Ok(blocked) => opened_file.set(blocked),
                Err(e) => say(e),
            }
        });
    };
    let erased = RwSignal::new(String::new());
    let erase = move || {
        spawn_local(async move {
            match notebooks::erase().await {
                Ok(Some(done)) => erased.set(done),
                Ok(None) => {}
                Err(e) => say(e),
            }
        })
    };
    let copy_of = opened.copy_of.clone();
    let restored = opened.restored;
    let copy_slot = opened.slot.clone();
    let start_again = move || notebooks::start_again(&copy_slot);
    let own_address = web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_else(|| "/".into());
    let lesson = move || {
        ctx.notebook.with(|n| {
            (!n.locked.is_empty()).then(|| Control::ALL.iter().filter(|c| !n.is_locked(**c)).map(|c| c.label()).collect::<Vec<_>>())
        })
    };
    let cells_locked = move || ctx.locked(Control::Cells);
    let fit_notice = fit_notice(ctx, options.clone());
    let offline_status = RwSignal::new(Offline::Preparing);
    let update_ready = RwSignal::new(false);
    offline::register(move |s| offline_status.set(s), move || update_ready.set(true));
    view! {
        <header>
            <h1>"grokscope"</h1>
            <p class="lede">
                "Train small transformers on modular arithmetic here in your browser, on your own GPU, and see which "
                "algorithm each one finds."
            </p>
            <div id="message" class="error" role="alert">
                <For each=move || problems.get() key=|p| p.clone() children=|p| view! { <p>{p}</p> } />
                <p>{move || autosave.error.get()}</p>
            </div>
            <Show when=move || autosave.other_tab.with(Option::is_some)>
                <p id="other-tab" class="notice" role="status">
                    {move || autosave.other_tab.get().unwrap_or_default()} " "
                    <Show when=move || autosave.paused.get()>
                        <button class="small" id="keep-this-tab" on:click=move |_| autosave.save_over()>"Save this tab's version over it"</button>
                    </Show>
                </p>
            </Show>
            {copy_of.map(|origin| view! {
                <p id="origin" class="notice">
                    {format!("Opened from {origin}: this is your copy, saved in this browser. ")}
                    {restored.then_some("Your earlier edits to it are restored. ")}
                    "Your own notebook is untouched: "
                    <a href=own_address.clone()>"open it"</a>
                    {restored.then(|| view! { " · " <button class="small" id="start-again" on:click=move |_| start_again()>"start again from the original"</button> })}
                </p>
            })}
            {move || lesson().map(|free| view! {
                <p id="lesson" class="notice">"A lesson: its author locked the other controls. You may change: " {if free.is_empty() { "nothing".to_string() } else { free.join(", ") }} "."</p>
            })}
            <Show when=move || update_ready.get()>
                <p id="update" class="notice" role="status">
                    "A new version of grokscope is ready. "
                    <button class="small" id="update-now" on:click=move |_| offline::update()>"Reload to update"</button>
                    " (your notebook is kept; runs on this page start again)"
                </p>
            </Show>
            {move || opened_file.get().map(|(name, address)| view! {
                <p class="notice">{format!("{name} is ready: ")}<a href=address target="_blank" rel="noopener">"open it"</a></p>
            })}
        </header>
        <nav class="toolbar">
            <button id="run-all" class="primary" on:click=move |_| ctx.run_all()>"▶ Run all"</button>
            <button id="pause-all" on:click=move |_| ctx.pause_all()>"Pause all"</button>
            <button id="share" aria-expanded=move || sharing.get().to_string() on:click=move |_| sharing.update(|s| *s = !*s)>"Share…"</button>
            <button id="save-file" title="Download this notebook as a JSON file" on:click=move |_| save_file()>"Save file"</button>
            <label class="button" title="Open a notebook JSON file (as a copy, in a new tab)">
                "Open file"
                <input type="file" id="open-file" accept=".json,application/json" on:change=move |e| open_file(files::first_file(files::input_files(&e))) />
            </label>
            <span class="spacer"></span>
            <span class="add" hidden=cells_locked>
                <button id="add-markdown" on:click=move |_| { ctx.add(CellKind::Markdown { text: "Write here (Markdown).".into() }); }>"+ Text"</button>
                <button id="add-experiment" on:click=move |_| add_experiment()>"+ Experiment"</button>
                <button id="add-analysis" on:click=move |_| add_analysis()>"+ Analysis"</button>
                <button id="add-sweep" on:click=move |_| add_sweep()>"+ Sweep"</button>
                <button id="add-compare" title="Every experiment's curves in one chart" on:click=move |_| { ctx.add(CellKind::Compare { experiments: Vec::new() }); }>"+ Compare"</button>
                <button id="add-question" title="A prediction to make before a run (for a lesson)" on:click=move |_| add_question()>"+ Question"</button>
                <button id="add-hint" title="Help, collapsed until asked for (for a lesson)" on:click=move |_| { ctx.add(CellKind::Hint { text: "Write a hint here (Markdown).".into() }); }>"+ Hint"</button>
                <button id="add-check" title="What an experiment should produce, checked after its run (for a lesson)" on:click=move |_| add_check()>"+ Check"</button>
            </span>
        </nav>
        <Show when=move || sharing.get()>{share_panel()}</Show>
        <p id="device" class="device" data-gpu=move || devices.gpu.get().to_string()>
            <strong>"Device: "</strong>
            {move || devices.chosen.get().map(|c| c.0).unwrap_or_else(|| "chosen on the first run: WebGPU if it passes a self-check, else the CPU".into())}
            <br />
            <span class="reason">{move || devices.chosen.get().map(|c| c.1).unwrap_or_default()}</span>
        </p>
        {fit_notice}
        <main class="cells">
            <For each=cells key=|c| c.id children=move |c| cell_view(c.id) />
        </main>
        <footer>
            <p>
                "Shift+Enter runs the focused cell. Models and metrics follow Zhong et al., "
                <a href="https://arxiv.org/abs/2306.17844" rel="noopener noreferrer" target="_blank">"The Clock and the Pizza"</a>
                " (NeurIPS 2023)."
            </p>
            <p>
                {move || if autosave.error.with(String::is_empty) && !ctx.runs_unkept() {
                    "Notebooks are saved in this browser as you edit, and runs as they train (curves, recorded weights, optimizer state): a reload loses at most the last few seconds of training. "
                } else {
                    "This browser's storage refused what the page saves (see above): a reload would lose what was not saved. "
                }}
                <button class="small" id="erase" on:click=move |_| erase()>"Erase local data…"</button>
                " "<span id="erased" class="hint" role="status">{move || erased.get()}</span>
            </p>
            <p id="offline" data-state=move || offline_status.with(|s| s.state())>{move || offline_status.with(Offline::text)}</p>
        </footer>
    }
    .into_any()
}
