//! The page's shared state, which every view reaches through the context: the notebook (one
//! signal, the document), the device, the size of the page's runs (the default notebook's fitted
//! to the device), and each experiment's run (a `Session`) and each sweep's (a `SweepSession`)
//! by cell id.
//!
//! Sessions are made under the page's reactive owner, each in an owner of its own, whatever
//! view first asks for one: a session made inside a view's render closure would be disposed
//! when that closure re-runs (an analysis cell above its experiment did that). Removing a cell
//! disposes its session.

use std::collections::HashMap;

use grokscope_core::RunConfig;
use grokscope_document::lessons::{Fit, Size};
use grokscope_document::merge::merge_added;
use grokscope_document::options::UrlOptions;
use grokscope_document::{Cell, CellKind, ChartChoice, Control, Notebook};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::opening::{Opened, is_shipped_default, shipped, shipped_run};
use crate::browser::storage;
use crate::run::gpu::{Devices, pace};
use crate::run::session::{Session, Status};
use crate::run::sweep::SweepSession;
use crate::schedule::yield_to_browser;

/// Where sizing the default notebook for the device stands (`Ctx::fit_to_device`).
#[derive(Clone, Debug, PartialEq)]
pub enum Fitting {
    /// Not the default notebook, or a size was asked for.
    No,
    Measuring,
    Fitted(Fit),
    Failed(String),
}

/// What every cell reaches through the context.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub notebook: RwSignal<Notebook>,
    pub devices: Devices,
    /// The size of the page's new experiments and sweeps: the URL's, or the fitted one.
    pub size: RwSignal<Size>,
    pub fitting: RwSignal<Fitting>,
    /// Each session with the owner its signals belong to.
    sessions: StoredValue<HashMap<u32, (Owner, Session)>, LocalStorage>,
    sweeps: StoredValue<HashMap<u32, (Owner, SweepSession)>, LocalStorage>,
    /// The page's owner, under which every session's owner is made.
    page: StoredValue<Owner, LocalStorage>,
    /// The notebook's slot in the browser's storage: its runs are kept under it.
    slot: StoredValue<String, LocalStorage>,
}

impl Ctx {
    /// Under the current reactive owner: the page's. The notebook is saved in `slot`.
    pub fn new(notebook: Notebook, devices: Devices, size: Size, slot: String) -> Self {
        Ctx {
            notebook: RwSignal::new(notebook),
            devices,
            size: RwSignal::new(size),
            fitting: RwSignal::new(Fitting::No),
            sessions: StoredValue::new_local(HashMap::new()),
            sweeps: StoredValue::new_local(HashMap::new()),
            page: StoredValue::new_local(Owner::current().expect("the page is rendered under an owner")),
            slot: StoredValue::new_local(slot),
        }
    }

    /// The session of experiment `id`, made on first use with the run kept for it in the
    /// browser, if any.
    pub fn session(&self, id: u32) -> Session {
        if let Some(s) = self.sessions.with_value(|m| m.get(&id).map(|(_, s)| *s)) {
            return s;
        }
        let experiment = self.experiment(id);
        let speed = experiment.as_ref().map(|(_, run)| run.train.eval_every).unwrap_or(20);
        let owner = self.page.with_value(Owner::child);
        let key = format!("{}/{id}", self.slot.get_value());
        let session = owner.with(|| Session::new(speed, key));
        self.sessions.update_value(|m| {
            m.insert(id, (owner, session));
        });
        if let Some((_, run)) = experiment {
            session.restore(run);
        }
        session
    }

    /// The session of sweep `id`, made on first use.
    pub fn sweep(&self, id: u32) -> SweepSession {
        if let Some(s) = self.sweeps.with_value(|m| m.get(&id).map(|(_, s)| *s)) {
            return s;
        }
        let owner = self.page.with_value(Owner::child);
        let session = owner.with(SweepSession::default);
        self.sweeps.update_value(|m| {
            m.insert(id, (owner, session));
        });
        session
    }

    /// Whether a lesson locks `control` (reactive).
    pub fn locked(&self, control: Control) -> bool {
        self.notebook.with(|n| n.is_locked(control))
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

    /// Sizes the default notebook (as shipped, `options` shaping it) for the device: the pace of
    /// its run at the paper's size there (and at the small size when that is too slow) chooses
    /// the size (`Fit`), which the notebook takes if nothing was edited or run meanwhile. A GPU
    /// that passed its self-check but trains the small run slower than the CPU backend (a
    /// software adapter, a weak integrated GPU) gives way to the CPU first. Runs asked for while
    /// it measures start after it.
    pub async fn fit_to_device(&self, options: &UrlOptions) {
        self.fitting.set(Fitting::Measuring);
        let (paper, small) = (shipped_run(options, Size::Default), shipped_run(options, Size::Small));
        let choice = self.devices.choice(&paper).await;
        let cores = crate::run::worker::spare_cores();
        let measured = async {
            let mut small_ms = None;
            if choice.gpu {
                let (on_gpu, on_cpu) = (pace(&small, true).await?, pace(&small, false).await?);
                // Experiments share a GPU; on the CPU each trains in a worker of its own.
                if on_cpu / (cores.min(2) as f64) < on_gpu {
                    self.devices.prefer_cpu(format!(
                        "{} passed its self-check, but the CPU backend trains this notebook faster here ({on_cpu:.0} against {on_gpu:.0} ms a step)",
                        choice.label
                    ));
                }
                small_ms = Some(if self.devices.on_gpu() { on_gpu } else { on_cpu });
            }
            let gpu = self.devices.on_gpu();
            let parallel = if gpu { 1 } else { cores };
            let default_ms = pace(&paper, gpu).await?;
            if small_ms.is_none() && Fit::choose(default_ms, None, parallel).size == Size::Small {
                small_ms = Some(pace(&small, gpu).await?);
            }
            Ok::<_, String>(Fit::choose(default_ms, small_ms, parallel))
        };
        match measured.await {
            Ok(fit) => {
                if self.untouched(options) {
                    self.resize(options, fit.size);
                }
                self.fitting.set(Fitting::Fitted(fit));
            }
            Err(e) => self.fitting.set(Fitting::Failed(e)),
        }
    }

    /// The default notebook at `size` in place of the one shown; its runs start again.
    pub fn resize(&self, options: &UrlOptions, size: Size) {
        self.sessions.with_value(|m| m.values().for_each(|(_, s)| s.reset()));
        self.notebook.set(shipped(options, size));
        self.size.set(size);
    }

    /// Whether the notebook is the default one as shipped (at either size) and nothing ran.
    fn untouched(&self, options: &UrlOptions) -> bool {
        let shipped_now = self.notebook.with_untracked(|n| is_shipped_default(options, n));
        let idle = self
            .sessions
            .with_value(|m| m.values().all(|(_, s)| s.status.get_untracked() == Status::Idle && s.progress.with_untracked(Vec::is_empty)));
        shipped_now && idle
    }

    /// Runs a cell: an experiment plays, an analysis analyses its experiment's latest weights.
    pub fn run_cell(&self, id: u32) {
        let ctx = *self;
        if self.fitting.get_untracked() == Fitting::Measuring {
            spawn_local(async move {
                while ctx.fitting.get_untracked() == Fitting::Measuring {
                    yield_to_browser().await;
                }
                ctx.run_cell(id);
            });
            return;
        }
        match self.cell(id).map(|c| c.kind) {
            Some(CellKind::Experiment { run, .. }) => {
                let session = self.session(id);
                spawn_local(async move { session.play(run, ctx.devices, None).await });
            }
            Some(CellKind::Sweep { sweep, .. }) => {
                let session = self.sweep(id);
                spawn_local(async move { session.play(sweep, ctx.devices).await });
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
            n.cells.iter().filter(|c| matches!(c.kind, CellKind::Experiment { .. } | CellKind::Sweep { .. })).map(|c| c.id).collect()
        });
        for id in ids {
            self.run_cell(id);
        }
    }

    pub fn pause_all(&self) {
        self.sessions.with_value(|m| m.values().for_each(|(_, s)| s.pause()));
        self.sweeps.with_value(|m| m.values().for_each(|(_, s)| s.pause()));
    }

    pub fn remove(&self, id: u32) {
        self.notebook.update(|n| n.cells.retain(|c| c.id != id));
        // Its loops stop at their next turn; its signals go once nothing runs that reads them.
        if let Some((owner, session)) = self.sessions.try_update_value(|m| m.remove(&id)).flatten() {
            session.reset();
            dispose_when_idle(owner, move || session.busy());
        }
        if let Some((owner, sweep)) = self.sweeps.try_update_value(|m| m.remove(&id)).flatten() {
            sweep.reset();
            dispose_when_idle(owner, move || sweep.busy());
        }
    }

    /// A model of a sweep as an experiment cell of its own, with an analysis cell, trained at
    /// once: from the same seed it retrains to the same curve.
    pub fn open_run(&self, name: String, run: RunConfig) {
        let experiment = self.add(CellKind::Experiment { name, run });
        self.add(CellKind::Analysis { experiment: Some(experiment), charts: vec![ChartChoice::Readout, ChartChoice::Circles] });
        self.run_cell(experiment);
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

    /// Whether a run could not be kept in the browser's storage (reactive in each run's note).
    pub fn runs_unkept(&self) -> bool {
        self.sessions.with_value(|m| m.values().any(|(_, s)| s.kept_note.with(|n| n.starts_with("Not kept"))))
    }

    /// Appends a cell; its id.
    pub fn add(&self, kind: CellKind) -> u32 {
        let id = self.notebook.with_untracked(Notebook::next_id);
        self.notebook.update(|n| n.cells.push(Cell { id, kind }));
        id
    }
}

/// Autosave: every change of the document goes into the page's slot in the browser's storage,
/// unless another tab saved that slot since this one last read or wrote it (its revision
/// changed, `browser::storage`). Then the two merge where each only added cells; otherwise the
/// other tab's copy stays, this tab's is kept beside it, and saving waits for the reader.
/// Sizing the shipped default for the device is not an edit: it saves nothing.
#[derive(Clone, Copy)]
pub struct Autosave {
    /// Why the last save failed; empty when it did not.
    pub error: RwSignal<String>,
    /// What another tab did to this notebook, to tell the reader.
    pub other_tab: RwSignal<Option<String>>,
    /// After a conflict: nothing is saved until the reader chooses (`save_over`, or a reload).
    pub paused: RwSignal<bool>,
    /// The revision this tab last read or wrote, and what it held.
    saved: StoredValue<(Option<String>, Notebook), LocalStorage>,
    slot: StoredValue<String, LocalStorage>,
    ctx: Ctx,
}

impl Autosave {
    /// Starts saving `ctx`'s notebook, opened as `opened`, and listening for other tabs' saves.
    pub fn start(ctx: Ctx, opened: &Opened, options: UrlOptions) -> Self {
        let autosave = Autosave {
            error: RwSignal::new(String::new()),
            other_tab: RwSignal::new(None),
            paused: RwSignal::new(false),
            saved: StoredValue::new_local((storage::revision(&opened.slot), opened.notebook.clone())),
            slot: StoredValue::new_local(opened.slot.clone()),
            ctx,
        };
        Effect::new(move |_| {
            let ours = ctx.notebook.get();
            if !autosave.paused.get_untracked() {
                autosave.save(ours, &options);
            }
        });
        let key = storage::key(&opened.slot);
        let listener = window_event_listener(leptos::ev::storage, move |e| {
            if e.key().as_deref() == Some(key.as_str()) && autosave.other_tab.with_untracked(Option::is_none) {
                autosave.other_tab.set(Some(
                    "This notebook was just saved in another tab. Cells added here and there are merged; a different edit of the same cells is kept beside the other tab's, never written over it."
                        .into(),
                ));
            }
        });
        on_cleanup(move || listener.remove());
        autosave
    }

    fn save(&self, ours: Notebook, options: &UrlOptions) {
        let slot = self.slot.get_value();
        let (revision, base) = self.saved.get_value();
        // Once something is saved: nothing new to save, or only the device's size.
        if revision.is_some() {
            if ours == base {
                return;
            }
            if is_shipped_default(options, &ours) && is_shipped_default(options, &base) {
                self.saved.update_value(|s| s.1 = ours);
                return;
            }
        }
        let mut merged = false;
        let to_save = match storage::revision(&slot) != revision {
            false => ours,
            true => match storage::load(&slot) {
                Some(Ok(theirs)) => match merge_added(&base, &ours, &theirs) {
                    Some(both) => {
                        merged = true;
                        both
                    }
                    None => {
                        let kept = storage::keep_beside(&slot, &ours);
                        self.paused.set(true);
                        self.other_tab.set(Some(match kept {
                            Ok(key) => format!(
                                "Another tab saved a different version of this notebook. It was not written over: this tab's version is kept beside it (“{key}”). Reload to open the other tab's, or"
                            ),
                            Err(e) => format!("Another tab saved a different version of this notebook; this tab's could not be kept beside it ({e}). Reload to open the other tab's, or"),
                        }));
                        return;
                    }
                },
                // Erased, or no longer readable there: this tab's copy is all there is.
                _ => ours,
            },
        };
        self.write(&slot, to_save.clone());
        if merged {
            self.other_tab.set(Some("Another tab saved this notebook too: the cells added there and here are all kept.".into()));
            self.ctx.notebook.set(to_save);
        }
    }

    fn write(&self, slot: &str, notebook: Notebook) {
        match storage::save(slot, &notebook) {
            Ok(revision) => {
                self.saved.set_value((Some(revision), notebook));
                self.error.set(String::new());
            }
            Err(e) => self.error.set(format!("Not saved in this browser: {e}.")),
        }
    }

    /// After a conflict: this tab's version replaces the other tab's, and saving goes on.
    pub fn save_over(&self) {
        self.write(&self.slot.get_value(), self.ctx.notebook.get_untracked());
        self.paused.set(false);
        self.other_tab.set(None);
    }
}

/// Disposes `owner` once `busy` says nothing under it runs any more.
fn dispose_when_idle(owner: Owner, busy: impl Fn() -> bool + 'static) {
    spawn_local(async move {
        while busy() {
            yield_to_browser().await;
        }
        owner.cleanup();
    });
}
