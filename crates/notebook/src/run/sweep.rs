//! A sweep cell's run in the page, as state and as the loop that trains it. On WebGPU the models
//! train as ensembles (one batched program per shape, `EnsembleTrainer`) in a worker, and are
//! analysed in another; on the CPU they train one by one in workers, as many at once as the
//! machine has cores to spare, each worker analysing the model it trained. Every model's results row is kept as soon as it is measured, so its point
//! appears at once. Pause, resume, and the estimate of how long the sweep takes here.

use std::cell::RefCell;
use std::collections::{HashSet, VecDeque};
use std::rc::Rc;

use grokscope_core::RunConfig;
use grokscope_core::data::Split;
use grokscope_sweep::plan::{Ensemble, ensembles};
use grokscope_sweep::{Member, Row, SweepSpec};
use leptos::prelude::*;
use web_time::Instant;

use crate::run::analyst::Analyst;
use crate::run::gpu::Devices;
use crate::run::session::Status;
use crate::run::worker::{Remote, slice, spare_cores};
use crate::schedule::yield_to_browser;

/// Steps between two progress updates of a model, at most: on the GPU each is a read, which
/// also keeps the queue of work short.
const UPDATE_STEPS: usize = 50;
/// How long an ensemble's update should take on the GPU: fewer steps where they are slow, so
/// that a pause is answered soon.
const GPU_UPDATE_MS: f64 = 1000.0;
/// Workers a sweep trains in at most, whatever the cores.
const MAX_LANES: usize = 4;

/// How long the sweep should take on this device.
#[derive(Clone, Debug, PartialEq)]
pub enum Estimate {
    Unknown,
    Measuring,
    Seconds(f64),
    Failed(String),
}

#[derive(Default)]
struct Inner {
    /// Bumped by reset: loops of an older generation stop at their next turn.
    generation: u64,
    /// A play loop is under way (paused or not).
    looping: bool,
    /// Plays and estimates under way, of any generation: the signals go only when none is left.
    tasks: usize,
    /// Since the play (or the resume), and the steps trained since: the rate.
    since: Option<Instant>,
    trained: usize,
}

/// A sweep's live state. Copy: every field is a handle.
#[derive(Clone, Copy)]
pub struct SweepSession {
    pub status: RwSignal<Status>,
    pub message: RwSignal<String>,
    /// Where the models train when that is not the page's device, or not in workers.
    pub device_note: RwSignal<String>,
    /// A row per measured model, in the order they finished.
    pub rows: RwSignal<Vec<Row>>,
    /// Optimizer steps per second, all models together.
    pub rate: RwSignal<f64>,
    /// Steps still to train, all models together.
    pub steps_left: RwSignal<usize>,
    pub estimate: RwSignal<Estimate>,
    inner: StoredValue<Inner, LocalStorage>,
}

struct Fallback(String);

impl Default for SweepSession {
    fn default() -> Self {
        SweepSession {
            status: RwSignal::new(Status::Idle),
            message: RwSignal::new(String::new()),
            device_note: RwSignal::new(String::new()),
            rows: RwSignal::new(Vec::new()),
            rate: RwSignal::new(0.0),
            steps_left: RwSignal::new(0),
            estimate: RwSignal::new(Estimate::Unknown),
            inner: StoredValue::new_local(Inner::default()),
        }
    }
}

impl SweepSession {
    /// Back to no models: a new setting, or "reset". Loops under way stop at their next turn.
    pub fn reset(&self) {
        self.inner.update_value(|i| *i = Inner { generation: i.generation + 1, tasks: i.tasks, ..Inner::default() });
        self.rows.set(Vec::new());
        self.rate.set(0.0);
        self.steps_left.set(0);
        self.message.set(String::new());
        self.device_note.set(String::new());
        self.estimate.set(Estimate::Unknown);
        self.status.set(Status::Idle);
    }

    pub fn pause(&self) {
        if self.status.get_untracked() == Status::Running {
            self.status.set(Status::Paused);
        }
    }

    /// Whether a play or an estimate is still under way (perhaps of a generation before a reset).
    pub fn busy(&self) -> bool {
        self.inner.try_with_value(|i| i.tasks > 0).unwrap_or(false)
    }

    async fn counted(&self, task: impl Future<Output = ()>) {
        self.inner.update_value(|i| i.tasks += 1);
        task.await;
        self.inner.try_update_value(|i| i.tasks -= 1);
    }

    fn stale(&self, generation: u64) -> bool {
        self.inner.try_with_value(|i| i.generation != generation).unwrap_or(true)
    }

    fn fail(&self, message: String) {
        self.message.set(message);
        self.status.set(Status::Failed);
    }

    /// Trains every model of `spec` not yet measured (or resumes a paused sweep).
    pub async fn play(self, spec: SweepSpec, devices: Devices) {
        self.counted(self.play_loop(spec, devices)).await
    }

    async fn play_loop(self, spec: SweepSpec, devices: Devices) {
        match self.status.get_untracked() {
            // The loops wait at their turn: they carry on.
            Status::Paused if self.inner.with_value(|i| i.looping) => {
                self.inner.update_value(|i| (i.since, i.trained) = (Some(Instant::now()), 0));
                self.status.set(Status::Running);
                return;
            }
            s if s.training() => return,
            _ => {}
        }
        let members = match spec.expand() {
            Ok(m) => m,
            Err(e) => return self.fail(e.to_string()),
        };
        let done: HashSet<String> = self.rows.with_untracked(|r| r.iter().map(|r| r.run_id.clone()).collect());
        let todo: Vec<Member> = members.iter().filter(|m| !done.contains(&m.id)).cloned().collect();
        if todo.is_empty() {
            self.status.set(Status::Done);
            return;
        }
        let generation = self.inner.with_value(|i| i.generation);
        self.inner.update_value(|i| i.looping = true);
        self.message.set(String::new());
        self.status.set(Status::Preparing);
        let choice = devices.choice(&todo[0].run).await;
        if self.stale(generation) {
            return;
        }
        // Checked before anything is allocated: a model too big for this device stops the sweep
        // here, with what would fit.
        let plan = match ensembles(&todo, choice.budget(), 1) {
            Ok(plan) => plan,
            Err(e) => {
                self.inner.update_value(|i| i.looping = false);
                return self.fail(format!("Not started: {e}."));
            }
        };
        self.steps_left.set(todo.iter().map(|m| m.run.train.steps).sum());
        self.inner.update_value(|i| (i.since, i.trained) = (Some(Instant::now()), 0));
        self.status.set(Status::Running);
        if choice.gpu
            && let Err(Fallback(why)) = self.on_gpu(&plan, generation).await
        {
            devices.fall_back(&why);
            self.device_note.set(format!("Moved to the CPU: {why}. The models not yet measured train there from their seeds."));
        }
        let measured: HashSet<String> = self.rows.with_untracked(|r| r.iter().map(|r| r.run_id.clone()).collect());
        let left: Vec<Member> = todo.into_iter().filter(|m| !measured.contains(&m.id)).collect();
        if !left.is_empty()
            && !self.stale(generation)
            && let Err(e) = self.on_cpu(left, generation).await
        {
            self.fail(e);
        }
        if self.stale(generation) {
            return;
        }
        self.inner.update_value(|i| i.looping = false);
        if self.status.get_untracked() != Status::Failed {
            self.status.set(Status::Done);
        }
    }

    /// Waits while paused; false once the sweep is reset (or its cell removed) or has failed.
    async fn turn(&self, generation: u64) -> bool {
        loop {
            if self.stale(generation) || self.status.get_untracked() == Status::Failed {
                return false;
            }
            if self.status.get_untracked() != Status::Paused {
                return true;
            }
            yield_to_browser().await;
        }
    }

    fn running(&self, generation: u64) -> bool {
        !self.stale(generation) && self.status.get_untracked() == Status::Running
    }

    fn progress(&self, steps: usize) {
        self.steps_left.update(|l| *l = l.saturating_sub(steps));
        let rate = self.inner.try_update_value(|i| {
            i.trained += steps;
            let seconds = i.since.map_or(0.0, |s| s.elapsed().as_secs_f64());
            (seconds > 0.0).then(|| i.trained as f64 / seconds)
        });
        if let Some(Some(rate)) = rate {
            self.rate.set(rate);
        }
    }

    fn record(&self, member: &Member, last: &grokscope_core::Snapshot, analysis: &grokscope_analysis::Analysis) {
        self.rows.update(|r| r.push(Row::new(member, last, &analysis.report)));
    }

    /// Each ensemble as one batched program on the GPU, in a worker, read every update, its
    /// members analysed in another worker once trained. A failed read or a non-finite loss asks
    /// for the CPU.
    async fn on_gpu(&self, plan: &[Ensemble], generation: u64) -> Result<(), Fallback> {
        let mut analyst = Analyst::default();
        let gpu_failed = |e: String| Fallback(format!("the GPU failed ({})", e.lines().next().unwrap_or_default()));
        for ensemble in plan {
            let runs: Vec<RunConfig> = ensemble.members.iter().map(|m| m.run.clone()).collect();
            let mut trainer = Remote::start_ensemble(&runs, true).await.map_err(gpu_failed)?;
            let steps = runs[0].train.steps;
            let mut ms_per_step = 0.0;
            let observed = loop {
                if !self.turn(generation).await {
                    return Ok(());
                }
                let n = slice(GPU_UPDATE_MS, ms_per_step, UPDATE_STEPS.min(steps - trainer.step()));
                let t = Instant::now();
                trainer.advance(n).await.map_err(gpu_failed)?;
                let read = trainer.observe_all().await.map_err(gpu_failed)?;
                ms_per_step = t.elapsed().as_secs_f64() * 1e3 / n as f64;
                self.progress(n * runs.len());
                if let Some(s) = read.iter().map(|(e, _)| &e.snapshot).find(|s| !(s.train_loss.is_finite() && s.test_loss.is_finite())) {
                    return Err(Fallback(format!("the loss on the GPU became {} at step {}", s.train_loss, s.step)));
                }
                if trainer.step() >= steps {
                    break read;
                }
            };
            for (member, (last, weights)) in ensemble.members.iter().zip(observed) {
                let run = &member.run;
                let split = Split::new(&run.task, run.train.train_fraction, run.train.seed);
                let analysis = analyst.analyze(run, &weights, Some(&split.test)).await;
                if self.stale(generation) {
                    return Ok(());
                }
                match analysis {
                    Ok(a) => self.record(member, &last.snapshot, &a),
                    Err(e) => self.fail(format!("the analysis of {} failed: {e}", grokscope_sweep::spec::describe(run))),
                }
            }
        }
        Ok(())
    }

    /// The models one by one in `lanes()` workers at once.
    async fn on_cpu(&self, members: Vec<Member>, generation: u64) -> Result<(), String> {
        let lanes = lanes().min(members.len());
        let queue = Rc::new(RefCell::new(VecDeque::from(members)));
        let done = futures::future::join_all((0..lanes).map(|_| self.lane(queue.clone(), generation))).await;
        done.into_iter().collect()
    }

    /// One worker taking the next model from `queue` until none is left: it trains it from its
    /// seed, then analyses it.
    async fn lane(self, queue: Rc<RefCell<VecDeque<Member>>>, generation: u64) -> Result<(), String> {
        let mut worker: Option<Remote> = None;
        loop {
            if !self.turn(generation).await {
                return Ok(());
            }
            let Some(member) = queue.borrow_mut().pop_front() else { return Ok(()) };
            let run = &member.run;
            let e = match worker.take() {
                Some(mut e) => {
                    e.begin(run, None, false).await?;
                    worker.insert(e)
                }
                None => worker.insert(Remote::start(run, None, false).await?),
            };
            let mut ms_per_step = 0.0;
            while e.step() < run.train.steps {
                if !self.turn(generation).await {
                    return Ok(());
                }
                let before = e.step();
                e.advance_to((before + UPDATE_STEPS).min(run.train.steps), &mut ms_per_step, || self.running(generation)).await?;
                self.progress(e.step() - before);
            }
            let (last, weights, _) = e.observe().await?;
            let split = Split::new(&run.task, run.train.train_fraction, run.train.seed);
            let analysis = e.analyze(run, &weights, Some(&split.test)).await?;
            if self.stale(generation) {
                return Ok(());
            }
            self.record(&member, &last.snapshot, &analysis);
        }
    }

    /// Measures how long `spec` would take here: a few steps of its first model (of its first
    /// ensemble, on WebGPU) on the device it would train on, scaled to every model by its size
    /// and steps.
    pub async fn measure(self, spec: SweepSpec, devices: Devices) {
        self.counted(async move {
            self.estimate.set(Estimate::Measuring);
            let generation = self.inner.with_value(|i| i.generation);
            let result = self.probe(&spec, devices).await;
            if !self.stale(generation) {
                self.estimate.set(match result {
                    Ok(seconds) => Estimate::Seconds(seconds),
                    Err(e) => Estimate::Failed(e),
                });
            }
        })
        .await
    }

    async fn probe(&self, spec: &SweepSpec, devices: Devices) -> Result<f64, String> {
        let members = spec.expand().map_err(|e| e.to_string())?;
        let choice = devices.choice(&members[0].run).await;
        let plan = ensembles(&members, choice.budget(), 1).map_err(|e| e.to_string())?;
        let first = &plan[0];
        // Seconds per unit of `Ensemble::cost` (values touched per step, times steps), at the
        // pace it trains at here.
        let (mut engine, footprint) = if choice.gpu {
            let runs: Vec<RunConfig> = first.members.iter().map(|m| m.run.clone()).collect();
            (Remote::start_ensemble(&runs, true).await?, first.footprint_values())
        } else {
            let run = &first.members[0].run;
            (Remote::start(run, None, false).await?, run.footprint_values())
        };
        let per_cost = engine.pace(choice.gpu).await? / 1e3 / footprint as f64;
        let cost: u128 = plan.iter().map(Ensemble::cost).sum();
        let parallel = if choice.gpu { 1 } else { lanes().min(members.len()) };
        Ok(per_cost * cost as f64 / parallel as f64)
    }
}

/// CPU workers at once: the spare cores, at most `MAX_LANES`.
fn lanes() -> usize {
    spare_cores().min(MAX_LANES)
}
