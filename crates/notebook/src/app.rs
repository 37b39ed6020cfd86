//! The notebook page: title, toolbar (run all, pause all, add a cell), the device panel and the
//! cells. Cells live in one signal (the document, `notebook::Notebook`); each experiment's run
//! lives in a `Session` kept beside it by cell id.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::cells::cell_view;
use crate::gpu::{Devices, Preference};
use crate::notebook::{Cell, CellKind, ChartChoice, Notebook, Size, clock_vs_pizza};
use crate::session::Session;
use crate::url::{UrlOptions, options};

/// What every cell reaches through the context.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub notebook: RwSignal<Notebook>,
    pub devices: Devices,
    sessions: StoredValue<HashMap<u32, Session>, LocalStorage>,
}

impl Ctx {
    /// The session of experiment `id`, made on first use.
    pub fn session(&self, id: u32) -> Session {
        if let Some(s) = self.sessions.with_value(|m| m.get(&id).copied()) {
            return s;
        }
        let speed = self.experiment(id).map(|(_, run)| run.train.eval_every).unwrap_or(20);
        let session = Session::new(speed);
        self.sessions.update_value(|m| {
            m.insert(id, session);
        });
        session
    }

    pub fn cell(&self, id: u32) -> Option<Cell> {
        self.notebook.with_untracked(|n| n.cells.iter().find(|c| c.id == id).cloned())
    }

    /// The name and run of experiment `id`, if it is one.
    pub fn experiment(&self, id: u32) -> Option<(String, grokscope_core::RunConfig)> {
        match self.cell(id)?.kind {
            CellKind::Experiment { name, run } => Some((name, run)),
            _ => None,
        }
    }

    pub fn update_cell(&self, id: u32, f: impl FnOnce(&mut CellKind)) {
        self.notebook.update(|n| {
            if let Some(c) = n.cells.iter_mut().find(|c| c.id == id) {
                f(&mut c.kind);
            }
        });
    }

    /// Runs a cell: an experiment plays, an analysis analyses its experiment's latest weights.
    pub fn run_cell(&self, id: u32) {
        let ctx = *self;
        match self.cell(id).map(|c| c.kind) {
            Some(CellKind::Experiment { run, .. }) => {
                let session = self.session(id);
                spawn_local(async move { session.play(run, ctx.devices, None).await });
            }
            Some(CellKind::Analysis { experiment: Some(e), .. }) => {
                if let Some((_, run)) = self.experiment(e) {
                    let session = self.session(e);
                    if let Some(step) = session.recorded.with_untracked(|r| r.last().copied()) {
                        spawn_local(async move { session.show(&run, step).await });
                    }
                }
            }
            _ => {}
        }
    }

    pub fn run_all(&self) {
        let ids: Vec<u32> = self.notebook.with_untracked(|n| {
            n.cells.iter().filter(|c| matches!(c.kind, CellKind::Experiment { .. })).map(|c| c.id).collect()
        });
        for id in ids {
            self.run_cell(id);
        }
    }

    pub fn pause_all(&self) {
        self.sessions.with_value(|m| m.values().for_each(Session::pause));
    }

    pub fn remove(&self, id: u32) {
        if let Some(s) = self.sessions.with_value(|m| m.get(&id).copied()) {
            s.reset();
        }
        self.sessions.update_value(|m| {
            m.remove(&id);
        });
        self.notebook.update(|n| n.cells.retain(|c| c.id != id));
    }

    /// Moves cell `id` by `by` places (−1 up, +1 down).
    pub fn shift(&self, id: u32, by: isize) {
        self.notebook.update(|n| {
            let Some(i) = n.cells.iter().position(|c| c.id == id) else { return };
            let j = i as isize + by;
            if (0..n.cells.len() as isize).contains(&j) {
                n.cells.swap(i, j as usize);
            }
        });
    }

    pub fn add(&self, kind: CellKind) {
        self.notebook.update(|n| {
            let id = n.next_id();
            n.cells.push(Cell { id, kind });
        });
    }
}

#[component]
pub fn App() -> impl IntoView {
    match options() {
        Ok(o) if o.bench => crate::bench::bench_page(o).into_any(),
        Ok(o) => notebook_page(o, None).into_any(),
        Err(e) => notebook_page(
            UrlOptions {
                size: Size::Default,
                steps: None,
                autorun: false,
                backend: Preference::Auto,
                bench: false,
                bench_p: 0,
                bench_d_model: 0,
                bench_steps: 0,
                bench_every: 1,
            },
            Some(e),
        )
        .into_any(),
    }
}

fn notebook_page(options: UrlOptions, url_error: Option<String>) -> impl IntoView {
    let mut notebook = clock_vs_pizza(options.size);
    if let Some(steps) = options.steps {
        for cell in &mut notebook.cells {
            if let CellKind::Experiment { run, .. } = &mut cell.kind {
                run.train.steps = steps;
            }
        }
    }
    let ctx = Ctx {
        notebook: RwSignal::new(notebook),
        devices: Devices::new(options.backend),
        sessions: StoredValue::new_local(HashMap::new()),
    };
    provide_context(ctx);
    // A bad link never runs: the reader sees why and the default notebook instead.
    if options.autorun && url_error.is_none() {
        ctx.run_all();
    }
    let devices = ctx.devices;
    let cells = move || ctx.notebook.with(|n| n.cells.clone());
    let add_experiment = move || {
        let alpha = 1.0;
        ctx.add(CellKind::Experiment { name: "New experiment".into(), run: options.size.run(alpha) })
    };
    let add_analysis = move || {
        let last = ctx.notebook.with_untracked(|n| {
            n.cells.iter().rev().find(|c| matches!(c.kind, CellKind::Experiment { .. })).map(|c| c.id)
        });
        ctx.add(CellKind::Analysis { experiment: last, charts: vec![ChartChoice::Readout, ChartChoice::Circles] })
    };
    view! {
        <header>
            <h1>"grokscope"</h1>
            <p class="lede">
                "Train small transformers on modular arithmetic here in your browser, on your own GPU, and see which "
                "algorithm each one finds."
            </p>
            <p id="message" class="error">{url_error}</p>
        </header>
        <nav class="toolbar">
            <button id="run-all" class="primary" on:click=move |_| ctx.run_all()>"▶ Run all"</button>
            <button id="pause-all" on:click=move |_| ctx.pause_all()>"Pause all"</button>
            <span class="spacer"></span>
            <button id="add-markdown" on:click=move |_| ctx.add(CellKind::Markdown { text: "Write here (Markdown).".into() })>"+ Text"</button>
            <button id="add-experiment" on:click=move |_| add_experiment()>"+ Experiment"</button>
            <button id="add-analysis" on:click=move |_| add_analysis()>"+ Analysis"</button>
        </nav>
        <p id="device" class="device" data-gpu=move || devices.gpu.get().to_string()>
            <strong>"Device: "</strong>
            {move || devices.chosen.get().map(|c| c.0).unwrap_or_else(|| "chosen on the first run: WebGPU if it passes a self-check, else the CPU".into())}
            <br />
            <span class="reason">{move || devices.chosen.get().map(|c| c.1).unwrap_or_default()}</span>
        </p>
        <main class="cells">
            <For each=cells key=|c| c.id children=move |c| cell_view(c.id) />
        </main>
        <footer>
            <p>
                "Shift+Enter runs the focused cell. Models and metrics follow Zhong et al., "
                <a href="https://arxiv.org/abs/2306.17844" rel="noopener noreferrer" target="_blank">"The Clock and the Pizza"</a>
                " (NeurIPS 2023)."
            </p>
        </footer>
    }
}
