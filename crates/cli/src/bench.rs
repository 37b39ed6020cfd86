//! `grokscope bench ensemble`: a K-ensemble's throughput against K single runs trained one
//! after another in the same process, as one JSON object.

use clap::{Args, Subcommand};
use grokscope_core::device::Backend;
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
    let bench = block_on(grokscope_sweep::bench::measure(a.k, a.p, a.d_model, a.steps, &a.backend.device())).map_err(|e| e.to_string())?;
    let mut json = serde_json::to_value(&bench).map_err(|e| e.to_string())?;
    json["backend"] = a.backend.name().into();
    println!("{json}");
    Ok(())
}
