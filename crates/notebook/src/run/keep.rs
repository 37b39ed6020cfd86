//! An experiment's run kept in the browser (`browser::runs`) as it trains, and restored from
//! there when the page opens again: curves, records, AdamW's state at the last record, the
//! analysis shown. A restored run stands paused where it was kept; played, it resumes from its
//! last record with AdamW's state there, so it goes on as if it had never stopped (on the CPU,
//! bit for bit).

use std::sync::Arc;

use grokscope_core::RunConfig;
use grokscope_notebook::protocol::{WireAdamW, WireWeights};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_time::Instant;

use crate::browser::runs::{self, KeptRecord, KeptRun};
use crate::run::session::{Record, Session, Status};

/// While it trains, a run is kept at most this often (and whenever it stops): each keep writes
/// its curves again.
const KEEP_EVERY_MS: f64 = 3000.0;

impl Session {
    /// Restores the run kept for this session if it trained with `run` (the cell's settings
    /// now); one kept for other settings is forgotten. Plays asked for meanwhile wait for it.
    pub fn restore(self, run: RunConfig) {
        self.inner.update_value(|i| i.restoring = true);
        let generation = self.inner.with_value(|i| i.generation);
        spawn_local(async move {
            let key = self.key.get_value();
            let loaded = runs::load(&key).await;
            if self.inner.try_update_value(|i| i.restoring = false).is_none() {
                return;
            }
            let untouched = self.inner.with_value(|i| i.generation == generation)
                && self.status.get_untracked() == Status::Idle
                && self.progress.with_untracked(Vec::is_empty);
            match loaded {
                Ok(Some((kept, records))) if untouched => {
                    if kept.run == run {
                        self.restored(&run, kept, records);
                    } else {
                        self.forget();
                    }
                }
                Ok(_) => {}
                Err(e) => self.kept_note.set(format!("The run kept in this browser could not be restored: {e}.")),
            }
        });
    }

    fn restored(&self, run: &RunConfig, kept: KeptRun, records: Vec<KeptRecord>) {
        let records: Vec<Record> = records
            .into_iter()
            .filter(|r| kept.records.contains(&r.step))
            .map(|r| Record { step: r.step, weights: r.weights.into() })
            .collect();
        let Some(last) = records.last().map(|r| r.step) else { return };
        let steps: Vec<usize> = records.iter().map(|r| r.step).collect();
        let optimizer = kept.optimizer.map(|(step, o)| (step, o.into()));
        // The curve was kept further than the last record, from which the run resumes.
        let trained = kept.progress.last().map_or(last, |e| e.snapshot.step);
        let exact = optimizer.as_ref().is_some_and(|(step, _)| *step == last);
        self.inner.update_value(|i| {
            i.records = records;
            i.optimizer = optimizer;
            i.kept = steps.clone();
        });
        self.recorded.set(steps);
        self.progress.set(kept.progress.into_iter().filter(|e| e.snapshot.step <= last).collect());
        self.analysis.set(kept.analysis.map(|(step, a)| (step, Arc::new(a))));
        let finished = self.finished(run);
        self.status.set(if finished { Status::Done } else { Status::Paused });
        let lost = match trained > last && !finished {
            true => format!(" It had trained to step {trained}: the {} steps since its last record train again.", trained - last),
            false => String::new(),
        };
        self.kept_note.set(match (finished, exact) {
            (true, _) => format!("Restored from this browser: trained to step {last}."),
            (false, true) => {
                format!("Restored from this browser at step {last}: Play goes on from there, as if it had never stopped.{lost}")
            }
            (false, false) => {
                format!("Restored from this browser at step {last}: Play goes on from there (AdamW's moments start again).{lost}")
            }
        });
    }

    /// Keeps the run as it stands: now, or if `KEEP_EVERY_MS` have passed since it was last
    /// kept. New records are written once; records thinned out since are dropped.
    pub(super) fn keep(&self, run: &RunConfig, now: bool) {
        let due = self
            .inner
            .try_update_value(|i| {
                let due = now || i.kept_at.is_none_or(|t| t.elapsed().as_secs_f64() * 1e3 >= KEEP_EVERY_MS);
                if i.keeping {
                    i.keep_again |= now;
                }
                due && !i.keeping && !i.records.is_empty()
            })
            .unwrap_or(false);
        if !due {
            return;
        }
        let gathered = self.inner.try_update_value(|i| {
            let steps: Vec<usize> = i.records.iter().map(|r| r.step).collect();
            let new: Vec<KeptRecord> = i
                .records
                .iter()
                .filter(|r| !i.kept.contains(&r.step))
                .map(|r| KeptRecord { step: r.step, weights: WireWeights::from(&r.weights) })
                .collect();
            let dropped: Vec<usize> = i.kept.iter().copied().filter(|s| !steps.contains(s)).collect();
            let fresh = i.kept.is_empty();
            let optimizer = i.optimizer.as_ref().map(|(step, o)| (*step, WireAdamW::from(o)));
            let values = |w: &grokscope_core::weights::Weights| w.0.values().map(|t| t.values.len()).sum::<usize>();
            let bytes = 4
                * (i.records.iter().map(|r| values(&r.weights)).sum::<usize>()
                    + i.optimizer.as_ref().map_or(0, |(_, o)| values(&o.moment_1) + values(&o.moment_2)));
            i.kept = steps.clone();
            i.kept_at = Some(Instant::now());
            i.keeping = true;
            (new, dropped, fresh, steps, optimizer, bytes)
        });
        let Some((new, dropped, fresh, steps, optimizer, bytes)) = gathered else { return };
        let kept = KeptRun {
            run: run.clone(),
            progress: self.progress.get_untracked(),
            records: steps,
            optimizer,
            analysis: self.analysis.get_untracked().map(|(step, a)| (step, (*a).clone())),
            bytes,
        };
        let (key, run) = (self.key.get_value(), run.clone());
        let generation = self.inner.with_value(|i| i.generation);
        let session = *self;
        spawn_local(async move {
            let result = runs::keep(&key, &kept, &new, &dropped, fresh).await;
            let again = session
                .inner
                .try_update_value(|i| {
                    i.keeping = false;
                    if result.is_err() {
                        // Written afresh next time.
                        i.kept.clear();
                    }
                    std::mem::take(&mut i.keep_again) && i.generation == generation
                })
                .unwrap_or(false);
            match result {
                Err(e) => session.kept_note.set(format!("Not kept in this browser: {e}. Training goes on; a reload would lose this run.")),
                Ok(()) if session.kept_note.with_untracked(|n| n.starts_with("Not kept")) => session.kept_note.set(String::new()),
                Ok(()) => {}
            }
            if again {
                session.keep(&run, true);
            }
        });
    }

    /// Forgets the run kept for this session.
    pub(super) fn forget(&self) {
        let Some(key) = self.key.try_get_value() else { return };
        let session = *self;
        spawn_local(async move {
            if let Err(e) = runs::forget(&key).await {
                session.kept_note.try_set(format!("The run kept in this browser could not be forgotten: {e}."));
            }
        });
    }
}
