//! `grokscope eval`.

use std::path::PathBuf;

use clap::Args;
use grokscope_core::Trainer;
use grokscope_core::device::Backend;
use serde_json::json;

#[derive(Args)]
pub struct EvalArgs {
    /// A checkpoint: ours, or one of the paper's released ones.
    model: PathBuf,
    #[arg(long, default_value = "cpu", value_parser = super::parse_backend)]
    backend: Backend,
}

pub fn run(args: EvalArgs) -> Result<(), String> {
    let checkpoint = super::read_checkpoint(&args.model)?;
    let at = |e: grokscope_core::Error| format!("{}: {e}", args.model.display());
    let trainer = Trainer::from_weights(&checkpoint.run, &checkpoint.weights, &args.backend.device()).map_err(at)?;
    let s = pollster::block_on(trainer.snapshot()).map_err(at)?;
    // A mixture's numbers above are its operations' means; each one's follow.
    let per_task: serde_json::Map<String, serde_json::Value> = checkpoint
        .run
        .task
        .operations()
        .zip(&s.per_task)
        .map(|(op, t)| {
            (
                op.name(),
                json!({ "accuracy": t.all_acc, "test_accuracy": t.test_acc, "train_accuracy": t.train_acc, "test_loss": t.test_loss }),
            )
        })
        .collect();
    let mut report = json!({
        "accuracy": s.all_acc,
        "test_accuracy": s.test_acc,
        "train_accuracy": s.train_acc,
        "test_loss": s.test_loss,
        "split": format!(
            "test/train: the split of seed {} at train fraction {}; for the paper's released checkpoints the \
             original split was not saved, so only `accuracy` (all pairs) is meaningful",
            checkpoint.run.train.seed, checkpoint.run.train.train_fraction
        ),
        "config": checkpoint.run,
    });
    if !per_task.is_empty() {
        report["per_task"] = per_task.into();
    }
    println!("{}", serde_json::to_string_pretty(&report).expect("json"));
    Ok(())
}
