//! How an experiment's run trains and is analysed: play, pause at the next turn, single steps;
//! training in a worker, in requests that each end within a fraction of a second, so a pause is
//! quick; one read of the device per update (metrics and weights in one asynchronous
//! read); the move to the CPU when the GPU fails; the analysis at the end and while scrubbing (in
//! a worker, `analyst.rs`); the run kept in the browser as it goes (`keep.rs`).

use std::sync::Arc;

use grokscope_core::RunConfig;
use grokscope_core::data::Split;
use leptos::prelude::*;
use web_time::Instant;

use crate::run::gpu::{Choice, Devices};
use crate::run::session::{Session, Status};
use crate::run::worker::{Remote, ResumeAt};
use crate::schedule::yield_to_browser;

impl Session {
    /// Trains until the run's step budget or the target accuracy (or `limit` more steps, or a
    /// pause), then analyses the model if the run is complete.
    pub async fn play(self, run: RunConfig, devices: Devices, limit: Option<usize>) {
        self.counted(self.play_or_finish(run, devices, limit)).await
    }

    async fn counted(&self, task: impl Future<Output = ()>) {
        self.inner.update_value(|i| i.tasks += 1);
        task.await;
        self.inner.try_update_value(|i| i.tasks -= 1);
    }

    async fn play_or_finish(self, run: RunConfig, devices: Devices, limit: Option<usize>) {
        // A run kept in the browser is read first: a play resumes it.
        while self.inner.try_with_value(|i| i.restoring).unwrap_or(false) {
            yield_to_browser().await;
        }
        if self.status.get_untracked().training() || self.status.get_untracked() == Status::Analysing {
            return;
        }
        if let Err(e) = run.validate() {
            self.fail(e.to_string());
            return;
        }
        if self.finished(&run) {
            self.finish(&run).await;
            return;
        }
        // Paused, but the loop has not reached its turn yet: it carries on.
        if self.inner.with_value(|i| i.looping) {
            if limit.is_none() {
                self.status.set(Status::Running);
            }
            return;
        }
        let generation = self.inner.with_value(|i| i.generation);
        self.inner.update_value(|i| i.looping = true);
        self.play_loop(run, devices, limit).await;
        // After a reset the flag belongs to the new generation.
        self.inner.try_update_value(|i| {
            if i.generation == generation {
                i.looping = false;
            }
        });
    }

    async fn play_loop(self, run: RunConfig, devices: Devices, limit: Option<usize>) {
        let generation = self.inner.with_value(|i| i.generation);
        let stale = move || self.inner.try_with_value(|i| i.generation != generation).unwrap_or(true);
        self.message.set(String::new());
        let mut trainer = match self.inner.try_update_value(|i| i.worker.take()).flatten() {
            Some(t) => t,
            None => {
                self.status.set(Status::Preparing);
                let mut choice = devices.choice(&run).await;
                if stale() {
                    return;
                }
                if let Some(why) = choice.too_big(&run) {
                    self.device_note.set(format!("On the CPU: {why}."));
                    choice = Choice::cpu(why);
                }
                // From the last record if there is one (a restored run), else from the seed.
                let from = self.resume_point();
                match start(&run, &choice, from.as_ref().map(|(step, w, o)| (*step, w, o.as_ref()))).await {
                    Ok(worker) => worker,
                    Err(e) => return self.fail(e),
                }
            }
        };
        self.status.set(Status::Running);
        if self.history.with_untracked(Vec::is_empty) {
            match self.observe(&run, &trainer, &devices).await {
                Ok(()) => {}
                Err(Fallback(why)) => match self.fall_back(&run, &devices, why).await {
                    Some(t) => trainer = t,
                    None => return,
                },
            }
        }
        let (started, first_step) = (Instant::now(), trainer.step());
        let stop_at = limit.map(|n| trainer.step() + n);
        let mut ms_per_step = 0.0f64;
        loop {
            if stale() {
                return;
            }
            if self.status.get_untracked() == Status::Failed {
                return;
            }
            if self.status.get_untracked() != Status::Running || stop_at.is_some_and(|s| trainer.step() >= s) {
                self.inner.update_value(|i| i.worker = Some(trainer));
                self.status.set(Status::Paused);
                self.keep(&run, true);
                return;
            }
            if self.finished(&run) {
                self.inner.update_value(|i| i.worker = Some(trainer));
                self.finish(&run).await;
                return;
            }
            let end = [Some(run.train.steps), stop_at, Some(trainer.step() + self.speed.get_untracked())]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(0);
            // One update, in slices that each fit the time budget.
            if let Err(e) = trainer.advance_to(end, &mut ms_per_step, || !stale() && self.status.get_untracked() == Status::Running).await {
                return self.fail(e);
            }
            if stale() {
                return;
            }
            if let Err(Fallback(why)) = self.observe(&run, &trainer, &devices).await {
                match self.fall_back(&run, &devices, why).await {
                    Some(t) => trainer = t,
                    None => return,
                }
            }
            let seconds = started.elapsed().as_secs_f64();
            if seconds > 0.0 {
                self.rate.set((trainer.step() - first_step) as f64 / seconds);
            }
            yield_to_browser().await;
        }
    }

    /// One read of the device: the snapshot joins the curves, the weights the records, and the
    /// run is kept in the browser if it is time. A failed read or a non-finite loss on the GPU
    /// asks for the CPU.
    async fn observe(&self, run: &RunConfig, trainer: &Remote, devices: &Devices) -> Result<(), Fallback> {
        let on_gpu = devices.on_gpu() && self.device_note.get_untracked().is_empty();
        let (evaluation, weights, optimizer) = match trainer.observe().await {
            Ok(o) => o,
            // The first line says it; the rest is a backtrace.
            Err(e) if on_gpu => return Err(Fallback(format!("reading the GPU failed ({})", e.lines().next().unwrap_or_default().trim()))),
            Err(e) => {
                self.fail(e);
                return Ok(());
            }
        };
        let snapshot = &evaluation.snapshot;
        if on_gpu && !(snapshot.train_loss.is_finite() && snapshot.test_loss.is_finite()) {
            return Err(Fallback(format!("the loss on the GPU became {} at step {}", snapshot.train_loss, snapshot.step)));
        }
        let step = snapshot.step;
        self.progress.update(|p| p.push(evaluation));
        self.inner.update_value(|i| i.optimizer = optimizer.map(|o| (step, o)));
        self.record(step, weights);
        self.keep(run, false);
        Ok(())
    }

    /// The GPU failed: carry on from the last recorded weights on the CPU backend, say so, and
    /// make the CPU the page's device from now on.
    async fn fall_back(&self, run: &RunConfig, devices: &Devices, why: String) -> Option<Remote> {
        devices.fall_back(&why);
        let record = self.latest_weights();
        let worker = match start(run, &Choice::cpu(why.clone()), record.as_ref().map(|(step, w)| (*step, w, None))).await {
            Ok(w) => w,
            Err(e) => {
                self.fail(e);
                return None;
            }
        };
        let step = worker.step();
        // Curves past the resume point came from a device that is no longer trusted.
        self.progress.update(|p| p.retain(|e| e.snapshot.step <= step));
        self.device_note.set(format!(
            "Moved to the CPU at step {step}: {why}. Training continues from the weights recorded there (AdamW's moments restart)."
        ));
        Some(worker)
    }

    /// The run is complete: analyse the final weights.
    async fn finish(&self, run: &RunConfig) {
        let last = self.recorded.with_untracked(|r| r.last().copied());
        if let Some(step) = last {
            self.status.set(Status::Analysing);
            self.show(run, step).await;
        }
        self.status.set(Status::Done);
    }

    /// Analyses the recorded weights of `step` (the nearest record) and shows them. Asked
    /// again while an analysis runs (a scrub moving on), the newest step is analysed next and
    /// the ones between are skipped.
    pub async fn show(&self, run: &RunConfig, step: usize) {
        self.counted(self.analyse(run, step)).await
    }

    async fn analyse(&self, run: &RunConfig, step: usize) {
        let busy = self
            .inner
            .try_update_value(|i| {
                i.wanted = Some(step);
                std::mem::replace(&mut i.analysing, true)
            })
            .unwrap_or(true);
        if busy {
            return;
        }
        // A run that trains on carries on (its loop reads the status); one that stands still
        // says it is analysing.
        let previous = self.status.get_untracked();
        if !previous.training() {
            self.status.set(Status::Analysing);
        }
        let generation = self.inner.with_value(|i| i.generation);
        let mut analyst = self.inner.try_update_value(|i| std::mem::take(&mut i.analyst)).unwrap_or_default();
        // A reset while this runs: the model analysed is gone, and the status is the reset's.
        let stale = || self.inner.try_with_value(|i| i.generation != generation).unwrap_or(true);
        let split = Split::new(&run.task, run.train.train_fraction, run.train.seed);
        while let Some(step) = self.inner.try_update_value(|i| i.wanted.take()).flatten() {
            let weights =
                self.inner.with_value(|i| i.records.iter().min_by_key(|r| r.step.abs_diff(step)).map(|r| (r.step, r.weights.clone())));
            let Some((step, weights)) = weights else { break };
            let result = analyst.analyze(run, &weights, Some(&split.test)).await;
            if stale() {
                return;
            }
            match result {
                Ok(a) => self.analysis.set(Some((step, Arc::new(a)))),
                Err(e) => self.message.set(format!("the analysis failed: {e}")),
            }
        }
        if stale() {
            return;
        }
        self.inner.update_value(|i| {
            i.analyst = analyst;
            i.analysing = false;
        });
        if !previous.training() {
            self.status.set(if previous == Status::Analysing { Status::Done } else { previous });
        }
        self.keep(run, true);
    }
}

struct Fallback(String);

/// A worker training `run` on `choice` (from its seed, or resumed at a recorded step).
async fn start(run: &RunConfig, choice: &Choice, from: Option<ResumeAt<'_>>) -> Result<Remote, String> {
    Remote::start(run, from, choice.gpu).await.map_err(|e| format!("training runs in a Web Worker, and {e}; reloading the page may help"))
}
