//! Training an ensemble's members and measuring each: a results row per model.

use grokscope_analysis::analyze;
use grokscope_core::data::Split;
use grokscope_core::device::Backend;
use grokscope_core::{Device, Error, Trainer};

use crate::SweepError;
use crate::plan::Ensemble;
use crate::results::Row;
use crate::spec::Member;

/// Trains `member` to its step budget and analyses the result (test accuracy on its own
/// held-out pairs).
pub async fn train_member(member: &Member, device: &Device) -> Result<Row, Error> {
    let run = &member.run;
    let mut trainer = Trainer::new(run, device)?;
    trainer.advance(run.train.steps);
    let (last, weights) = trainer.observe().await?;
    let split = Split::new(&run.task, run.train.train_fraction, run.train.seed);
    // Analysis is host maths on small tables: the CPU backend, whatever device trained.
    let analysis = analyze(run, &weights, Some(split.test.as_slice()), &Backend::CPU.device()).await?;
    Ok(Row::new(member, &last, &analysis.report))
}

/// Trains every member of `ensemble` not in `skip`, handing each row to `done` as it is
/// measured. The members train one after another: a batched program for the whole ensemble
/// is the step that makes ensembles pay (docs/sweeps.md).
pub async fn train_ensemble(
    ensemble: &Ensemble,
    device: &Device,
    skip: impl Fn(&Member) -> bool,
    mut done: impl FnMut(Row) -> Result<(), SweepError>,
) -> Result<(), SweepError> {
    for member in ensemble.members.iter().filter(|m| !skip(m)) {
        done(train_member(member, device).await?)?;
    }
    Ok(())
}
