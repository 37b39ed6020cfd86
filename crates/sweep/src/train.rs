//! Training an ensemble and measuring each member: a results row per model.

use grokscope_analysis::analyze;
use grokscope_core::data::Split;
use grokscope_core::device::Backend;
use grokscope_core::{Device, EnsembleTrainer, RunConfig};

use crate::SweepError;
use crate::plan::Ensemble;
use crate::results::Row;
use crate::spec::Member;

/// Trains the members of `ensemble` not in `skip` as one batched program, then measures each
/// (test accuracy on its own held-out pairs) and hands its row to `done`.
pub async fn train_ensemble(
    ensemble: &Ensemble,
    device: &Device,
    skip: impl Fn(&Member) -> bool,
    mut done: impl FnMut(Row) -> Result<(), SweepError>,
) -> Result<(), SweepError> {
    let members: Vec<&Member> = ensemble.members.iter().filter(|m| !skip(m)).collect();
    let Some(first) = members.first() else { return Ok(()) };
    let runs: Vec<RunConfig> = members.iter().map(|m| m.run.clone()).collect();
    let mut trainer = EnsembleTrainer::new(&runs, device)?;
    trainer.advance(first.run.train.steps);
    for (member, (last, weights)) in members.iter().zip(trainer.observe().await?) {
        let run = &member.run;
        let split = Split::new(&run.task, run.train.train_fraction, run.train.seed);
        // Analysis is host maths on small tables: the CPU backend, whatever device trained.
        let analysis = analyze(run, &weights, Some(split.test.as_slice()), &Backend::CPU.device()).await?;
        done(Row::new(member, &last, &analysis.report))?;
    }
    Ok(())
}
