//! `grokscope`: train and evaluate Clock & Pizza models from the command line.

mod eval;
mod train;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "grokscope", version, about = "Train and inspect the Clock & Pizza models of modular addition")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a model; writes model.safetensors, metrics.jsonl and config.json to --out.
    Train(train::TrainArgs),
    /// Print a checkpoint's accuracy as JSON.
    Eval(eval::EvalArgs),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Train(args) => train::run(args),
        Command::Eval(args) => eval::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("grokscope: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `--backend` values: `cpu` (the default CPU backend), `flex`, `ndarray`, `wgpu`.
fn parse_backend(name: &str) -> Result<grokscope_core::device::Backend, String> {
    grokscope_core::device::Backend::from_name(name).ok_or_else(|| format!("unknown backend `{name}` (cpu, flex, ndarray or wgpu)"))
}
