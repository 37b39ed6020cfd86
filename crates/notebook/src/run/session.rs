//! An experiment's run in the page, as state: its status, curves, recorded weights (to scrub
//! through, and to resume from on another device or after a reload), the analysis shown, and
//! what a play loop needs between turns. How it trains and is analysed is `runner.rs`; how it
//! is kept in the browser and restored, `keep.rs`.

use std::sync::Arc;

use grokscope_analysis::Analysis;
use grokscope_analysis::progress::Evaluation;
use grokscope_core::optimizer::AdamWState;
use grokscope_core::weights::Weights;
use grokscope_core::{RunConfig, Snapshot};
use leptos::prelude::*;
use web_time::Instant;

use crate::run::analyst::Analyst;
use crate::run::worker::Remote;

/// Recorded weights kept for scrubbing; past this every other one is dropped, so the records
/// stay spread over the whole run.
const MAX_RECORDS: usize = 40;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Idle,
    /// Starting WebGPU and checking it against the CPU.
    Preparing,
    Running,
    Paused,
    /// Measuring which algorithm the model implements.
    Analysing,
    Done,
    Failed,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::Preparing => "preparing the GPU",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Analysing => "analysing",
            Status::Done => "done",
            Status::Failed => "failed",
        }
    }

    /// Training or about to: the form is locked and "run" is not offered.
    pub fn training(self) -> bool {
        matches!(self, Status::Preparing | Status::Running)
    }
}

/// The weights after `step` steps, kept for scrubbing and for resuming on another device.
pub(super) struct Record {
    pub(super) step: usize,
    pub(super) weights: Weights,
}

#[derive(Default)]
pub(super) struct Inner {
    pub(super) worker: Option<Remote>,
    pub(super) records: Vec<Record>,
    /// Bumped by reset: a slice loop of an older generation stops at its next turn.
    pub(super) generation: u64,
    /// A slice loop holds the worker (paused or not, until it sees the status at its turn).
    pub(super) looping: bool,
    /// Out of here while it works, back after.
    pub(super) analyst: Analyst,
    /// The step whose analysis was asked for last and has not started.
    pub(super) wanted: Option<usize>,
    /// An analysis loop is under way: it takes `wanted` when its analysis ends.
    pub(super) analysing: bool,
    /// Plays and analyses under way, of any generation (a reset keeps the count): the session's
    /// signals are disposed only when none is left to touch them.
    pub(super) tasks: usize,
    /// AdamW's state at the latest record, and its step.
    pub(super) optimizer: Option<(usize, AdamWState)>,
    /// The steps of the records kept in the browser (none: the next keep starts afresh), when
    /// the run was last kept, and whether a keep is under way or asked for meanwhile.
    pub(super) kept: Vec<usize>,
    pub(super) kept_at: Option<Instant>,
    pub(super) keeping: bool,
    pub(super) keep_again: bool,
    /// The kept run is being read: plays wait for it.
    pub(super) restoring: bool,
}

/// An experiment's live state. Copy: every field is a handle.
#[derive(Clone, Copy)]
pub struct Session {
    pub status: RwSignal<Status>,
    pub message: RwSignal<String>,
    /// The device this run trains on, when it differs from the page's (after a fallback).
    pub device_note: RwSignal<String>,
    /// Every evaluation so far, with the progress measures the worker computes at each read.
    pub progress: RwSignal<Vec<Evaluation>>,
    /// Their snapshots: the loss and accuracy curves.
    pub history: Memo<Vec<Snapshot>>,
    /// Steps per second over the current play.
    pub rate: RwSignal<f64>,
    /// Steps with recorded weights.
    pub recorded: RwSignal<Vec<usize>>,
    /// The analysis shown, and the step of the weights it is of.
    pub analysis: RwSignal<Option<(usize, Arc<Analysis>)>>,
    /// Steps between UI updates (one device read each).
    pub speed: RwSignal<usize>,
    /// Stop once test accuracy reaches this, if set.
    pub target_accuracy: RwSignal<Option<f64>>,
    /// Whether the run was restored from this browser, or why it could not be kept there.
    pub kept_note: RwSignal<String>,
    /// Where the run is kept in the browser (`browser::runs`).
    pub(super) key: StoredValue<String, LocalStorage>,
    pub(super) inner: StoredValue<Inner, LocalStorage>,
}

impl Session {
    /// A session whose run is kept in the browser under `key`.
    pub fn new(speed: usize, key: String) -> Self {
        let progress = RwSignal::new(Vec::<Evaluation>::new());
        Session {
            status: RwSignal::new(Status::Idle),
            message: RwSignal::new(String::new()),
            device_note: RwSignal::new(String::new()),
            progress,
            history: Memo::new(move |_| progress.with(|p| p.iter().map(|e| e.snapshot.clone()).collect())),
            rate: RwSignal::new(0.0),
            recorded: RwSignal::new(Vec::new()),
            analysis: RwSignal::new(None),
            speed: RwSignal::new(speed.max(1)),
            target_accuracy: RwSignal::new(None),
            kept_note: RwSignal::new(String::new()),
            key: StoredValue::new_local(key),
            inner: StoredValue::new_local(Inner::default()),
        }
    }

    /// Back to step 0 with the same seed: the same split and initial weights. The run kept in
    /// the browser goes too.
    pub fn reset(&self) {
        // A loop of the old generation stops at its next turn; a new one may start now.
        self.inner.update_value(|i| *i = Inner { generation: i.generation + 1, tasks: i.tasks, ..Inner::default() });
        self.forget();
        self.progress.set(Vec::new());
        self.recorded.set(Vec::new());
        self.analysis.set(None);
        self.message.set(String::new());
        self.device_note.set(String::new());
        self.kept_note.set(String::new());
        self.rate.set(0.0);
        self.status.set(Status::Idle);
    }

    pub fn pause(&self) {
        if self.status.get_untracked() == Status::Running {
            self.status.set(Status::Paused);
        }
    }

    pub fn finished(&self, run: &RunConfig) -> bool {
        let last = self.history.with_untracked(|h| h.last().map(|s| (s.step, s.test_acc)));
        last.is_some_and(|(step, test_acc)| step >= run.train.steps || self.target_accuracy.get_untracked().is_some_and(|t| test_acc >= t))
    }

    /// Whether a play or an analysis is still under way (perhaps of a generation before a reset).
    pub fn busy(&self) -> bool {
        self.inner.try_with_value(|i| i.tasks > 0).unwrap_or(false)
    }

    /// The last recorded weights and their step: what "download weights" saves.
    pub fn latest_weights(&self) -> Option<(usize, Weights)> {
        self.inner.with_value(|i| i.records.last().map(|r| (r.step, r.weights.clone())))
    }

    /// Where a run with no worker goes on from: its last record, with AdamW's state if it is
    /// that record's (else its moments start again).
    pub(super) fn resume_point(&self) -> Option<(usize, Weights, Option<AdamWState>)> {
        self.inner.with_value(|i| {
            let last = i.records.last()?;
            let optimizer = i.optimizer.as_ref().filter(|(step, _)| *step == last.step).map(|(_, o)| o.clone());
            Some((last.step, last.weights.clone(), optimizer))
        })
    }

    /// Keeps the weights read at `step`; past `MAX_RECORDS` every other record goes (the last
    /// stays), so the records stay spread over the whole run.
    pub(super) fn record(&self, step: usize, weights: Weights) {
        let steps = self
            .inner
            .try_update_value(|i| {
                i.records.push(Record { step, weights });
                if i.records.len() > MAX_RECORDS {
                    let last = i.records.pop();
                    let mut k = 0;
                    i.records.retain(|_| (k % 2 == 0, k += 1).0);
                    i.records.extend(last);
                }
                i.records.iter().map(|r| r.step).collect::<Vec<_>>()
            })
            .unwrap_or_default();
        self.recorded.set(steps);
    }

    pub(super) fn fail(&self, message: String) {
        self.message.set(message);
        self.status.set(Status::Failed);
    }
}
