//! Training an ensemble and measuring each member: a results row per model.

use grokscope_analysis::analyze;
use grokscope_core::data::Split;
use grokscope_core::device::Backend;
use grokscope_core::weights::Weights;
use grokscope_core::{Device, EnsembleTrainer, RunConfig, Snapshot, Trainer};

use crate::SweepError;
use crate::plan::Ensemble;
use crate::results::Row;
use crate::spec::Member;

/// How an ensemble's members train.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Batching {
    /// As one batched program (`EnsembleTrainer`): what a GPU is for.
    Together,
    /// One after another (`Trainer`): faster on the CPU backend today (docs/sweeps.md).
    OneByOne,
}

impl Batching {
    pub fn for_backend(backend: Backend) -> Self {
        if backend == Backend::CPU { Batching::OneByOne } else { Batching::Together }
    }
}

/// Trains the members of `ensemble` not in `skip`, then measures each (test accuracy on its own
/// held-out pairs) and hands its row to `done`. Either way a member trains as its single run.
pub async fn train_ensemble(
    ensemble: &Ensemble,
    device: &Device,
    batching: Batching,
    skip: impl Fn(&Member) -> bool,
    mut done: impl FnMut(Row) -> Result<(), SweepError>,
) -> Result<(), SweepError> {
    let members: Vec<&Member> = ensemble.members.iter().filter(|m| !skip(m)).collect();
    if members.is_empty() {
        return Ok(());
    }
    let mut measure = async |member: &Member, last: Snapshot, weights: Weights| -> Result<(), SweepError> {
        let run = &member.run;
        let split = Split::new(&run.task, run.train.train_fraction, run.train.seed);
        // Analysis is host maths on small tables: the CPU backend, whatever device trained.
        let analysis = analyze(run, &weights, Some(split.test.as_slice()), &Backend::CPU.device()).await?;
        done(Row::new(member, &last, &analysis.report))
    };
    match batching {
        Batching::Together => {
            let runs: Vec<RunConfig> = members.iter().map(|m| m.run.clone()).collect();
            let mut trainer = EnsembleTrainer::new(&runs, device)?;
            trainer.advance(runs[0].train.steps);
            for (member, (last, weights)) in members.iter().zip(trainer.observe().await?) {
                measure(member, last, weights).await?;
            }
        }
        Batching::OneByOne => {
            for member in members {
                let mut trainer = Trainer::new(&member.run, device)?;
                trainer.advance(member.run.train.steps);
                let (last, weights) = trainer.observe().await?;
                measure(member, last, weights).await?;
            }
        }
    }
    Ok(())
}
