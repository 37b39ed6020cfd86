//! `grokscope bench`: speed, as JSON. `step` times single training steps of the paper's model
//! on the CPU backend with a given number of threads, printed as `tests/reference/torch_bench.py`
//! prints its own (`scripts/bench` runs the two in turns); `ensemble` compares a K-ensemble
//! with K single runs trained one after another in the same process.

use clap::{Args, Subcommand};
use grokscope_core::Trainer;
use grokscope_core::device::Backend;
use grokscope_sweep::bench::runs;
use pollster::block_on;
use std::time::Instant;

#[derive(Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    /// Milliseconds per full-batch training step (forward, backward, AdamW) on the CPU.
    Step(StepArgs),
    /// K models as one batched program against the same K trained one by one.
    Ensemble(EnsembleArgs),
}

/// The paper's model at modulus `p` and width `d_model`.
#[derive(Args)]
struct Size {
    #[arg(long, default_value_t = 59)]
    p: usize,
    #[arg(long, default_value_t = 128)]
    d_model: usize,
}

#[derive(Args)]
struct StepArgs {
    #[command(flatten)]
    size: Size,
    /// Timed steps, after two untimed ones.
    #[arg(long, default_value_t = 20)]
    steps: usize,
    /// Threads of the CPU backend's matrix products.
    #[arg(long, default_value_t = 1)]
    threads: usize,
}

#[derive(Args)]
struct EnsembleArgs {
    /// Members: attention rates spread evenly over [0, 1], seeds 0 to K-1.
    #[arg(long)]
    k: usize,
    #[command(flatten)]
    size: Size,
    #[arg(long, default_value_t = 20)]
    steps: usize,
    #[arg(long, default_value = "cpu", value_parser = super::parse_backend)]
    backend: Backend,
}

pub fn run(args: BenchArgs) -> Result<(), String> {
    match args.what {
        What::Step(a) => step(a),
        What::Ensemble(a) => ensemble(a),
    }
}

/// The timed steps' median, minimum and maximum, each step timed alone (the CPU backend runs
/// a step before `advance` returns).
fn step(a: StepArgs) -> Result<(), String> {
    if !(1..=10_000).contains(&a.steps) || !(1..=1024).contains(&a.threads) {
        return Err("--steps must be between 1 and 10000 and --threads between 1 and 1024".into());
    }
    let run = runs(1, a.size.p, a.size.d_model, a.steps + 2).remove(0);
    run.validate().map_err(|e| e.to_string())?;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(a.threads).build().map_err(|e| e.to_string())?;
    let mut ms = pool.install(|| {
        let mut trainer = Trainer::new(&run, &Backend::CPU.device()).map_err(|e| e.to_string())?;
        trainer.advance(2);
        Ok::<_, String>(
            (0..a.steps)
                .map(|_| {
                    let started = Instant::now();
                    trainer.advance(1);
                    started.elapsed().as_secs_f64() * 1e3
                })
                .collect::<Vec<f64>>(),
        )
    })?;
    ms.sort_by(f64::total_cmp);
    let median = (ms[(ms.len() - 1) / 2] + ms[ms.len() / 2]) / 2.0;
    let summary = serde_json::json!({
        "ms_per_step": median, "min_ms": ms[0], "max_ms": ms[ms.len() - 1],
        "steps": a.steps, "threads": a.threads, "p": a.size.p, "d_model": a.size.d_model, "alpha": 1.0, "backend": Backend::CPU.name(),
    });
    println!("{}", serde_json::json!({ "summary": summary }));
    Ok(())
}

fn ensemble(a: EnsembleArgs) -> Result<(), String> {
    if !(1..=1024).contains(&a.k) || !(1..=100_000).contains(&a.steps) {
        return Err("--k must be between 1 and 1024 and --steps between 1 and 100000".into());
    }
    let bench = block_on(grokscope_sweep::bench::measure(a.k, a.size.p, a.size.d_model, a.steps, &a.backend.device()))
        .map_err(|e| e.to_string())?;
    let mut json = serde_json::to_value(&bench).map_err(|e| e.to_string())?;
    json["backend"] = a.backend.name().into();
    println!("{json}");
    Ok(())
}
