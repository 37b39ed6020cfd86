//! `grokscope bench ensemble`: a K-ensemble's throughput against K single runs trained one
//! after another in the same process, as one JSON object.

use std::time::Instant;

use clap::{Args, Subcommand};
use grokscope_core::device::Backend;
use grokscope_core::{EnsembleTrainer, ModelConfig, RunConfig, Trainer};
use pollster::block_on;

#[derive(Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    /// K models as one batched program against the same K trained one by one.
    Ensemble(EnsembleArgs),
}

#[derive(Args)]
struct EnsembleArgs {
    /// Members: attention rates spread evenly over [0, 1], seeds 0 to K-1.
    #[arg(long)]
    k: usize,
    #[arg(long, default_value_t = 59)]
    p: usize,
    #[arg(long, default_value_t = 128)]
    d_model: usize,
    #[arg(long, default_value_t = 20)]
    steps: usize,
    #[arg(long, default_value = "cpu", value_parser = super::parse_backend)]
    backend: Backend,
}

pub fn run(args: BenchArgs) -> Result<(), String> {
    let What::Ensemble(a) = args.what;
    if !(1..=1024).contains(&a.k) || !(1..=100_000).contains(&a.steps) {
        return Err("--k must be between 1 and 1024 and --steps between 1 and 100000".into());
    }
    let runs: Vec<RunConfig> = (0..a.k)
        .map(|i| {
            let mut run = RunConfig::paper(if a.k > 1 { i as f64 / (a.k - 1) as f64 } else { 1.0 });
            run.task.p = a.p;
            run.train.steps = a.steps;
            run.train.seed = i as u64;
            if let ModelConfig::Transformer(c) = &mut run.model {
                c.d_model = a.d_model;
            }
            run
        })
        .collect();
    let device = a.backend.device();
    let error = |e: grokscope_core::Error| e.to_string();
    // Each timing ends with a read of the results, so queued device work is counted.
    let started = Instant::now();
    let mut ensemble = EnsembleTrainer::new(&runs, &device).map_err(error)?;
    ensemble.advance(a.steps);
    block_on(ensemble.observe()).map_err(error)?;
    let ensemble_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    for run in &runs {
        let mut trainer = Trainer::new(run, &device).map_err(error)?;
        trainer.advance(a.steps);
        block_on(trainer.observe()).map_err(error)?;
    }
    let singles_s = started.elapsed().as_secs_f64();
    let model_steps = (a.k * a.steps) as f64;
    let json = serde_json::json!({
        "k": a.k,
        "p": a.p,
        "d_model": a.d_model,
        "steps": a.steps,
        "backend": a.backend.name(),
        "ensemble_model_steps_per_s": model_steps / ensemble_s,
        "singles_model_steps_per_s": model_steps / singles_s,
        "ratio": singles_s / ensemble_s,
    });
    println!("{json}");
    Ok(())
}
