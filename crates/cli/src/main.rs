//! `grokscope`: train, evaluate and analyse Clock & Pizza models from the command line.

mod analyze;
mod bench;
mod eval;
mod sweep;
mod train;
mod transformer_lens;

use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "grokscope", version, about = "Train, evaluate and analyse the Clock & Pizza models of modular addition")]
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
    /// Print a checkpoint's Clock & Pizza metrics and verdict as JSON; --out writes every chart as SVG.
    Analyze(analyze::AnalyzeArgs),
    /// Train many models over attention rate, width and seed (a grid or the paper's random
    /// scheme), a shard of them, or all as Slurm jobs; merge shards; draw phase diagrams.
    Sweep(sweep::SweepArgs),
    /// Measure speed: `bench ensemble` compares a K-ensemble with K single runs, as JSON.
    Bench(bench::BenchArgs),
    /// Write an α = 1 transformer as a TransformerLens HookedTransformer: its state dict as
    /// safetensors, with the config that rebuilds it in the metadata; prints the config.
    TransformerLens(transformer_lens::TransformerLensArgs),
}

fn main() -> ExitCode {
    keep_freed_memory();
    let result = match Cli::parse().command {
        Command::Train(args) => train::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Analyze(args) => analyze::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Bench(args) => bench::run(args),
        Command::TransformerLens(args) => transformer_lens::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("grokscope: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A training step allocates and frees buffers of a few MB each (the activations of the full
/// batch). By default glibc gives them back to the kernel when they are freed and the next step
/// faults every page in again; kept in the heap, a step of the paper's model is about a quarter
/// faster (docs/performance.md). Other allocators keep them already.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    // Buffers up to 32 MB (glibc's largest mmap threshold) from the heap, and no trimming of its
    // top below 1 GB. SAFETY: `mallopt` only sets these thresholds; main calls it before any
    // other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}

/// `--backend` values: `cpu` (the default CPU backend), `flex`, `wgpu`, and `ndarray` where built.
fn parse_backend(name: &str) -> Result<grokscope_core::device::Backend, String> {
    use grokscope_core::device::Backend;
    Backend::from_name(name).ok_or_else(|| {
        let known: Vec<_> = Backend::ALL.iter().map(|b| b.name()).collect();
        format!("unknown backend `{name}` (cpu, {})", known.join(", "))
    })
}

/// A checkpoint file, with its path in any error.
fn read_checkpoint(path: &Path) -> Result<grokscope_core::Checkpoint, String> {
    let bytes = read_bounded(path, grokscope_core::checkpoint::MAX_CHECKPOINT_BYTES)?;
    grokscope_core::Checkpoint::from_safetensors(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// A JSON or CSV file we read whole (a config, a spec, a results table): far larger than any
/// grokscope writes.
const MAX_TEXT_BYTES: usize = 64 << 20;

/// A text file of at most [`MAX_TEXT_BYTES`].
fn read_text(path: &Path) -> Result<String, String> {
    String::from_utf8(read_bounded(path, MAX_TEXT_BYTES)?).map_err(|_| format!("{}: not UTF-8 text", path.display()))
}

/// The file's bytes if it holds at most `limit`: its size is checked before reading, and the
/// read stops past the limit, so a sparse file or an endless stream (`/dev/zero`) costs no more
/// memory than the limit.
fn read_bounded(path: &Path, limit: usize) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let at = |e: std::io::Error| format!("{}: {e}", path.display());
    let too_large = || format!("{}: larger than the {} MiB grokscope reads from such a file", path.display(), limit >> 20);
    let file = std::fs::File::open(path).map_err(at)?;
    let metadata = file.metadata().map_err(at)?;
    if metadata.is_dir() {
        return Err(format!("{}: is a folder, not a file", path.display()));
    }
    if metadata.len() > limit as u64 {
        return Err(too_large());
    }
    // A device or a pipe reports no length: room for the limit at once, rather than doubling
    // past it.
    let room = if metadata.is_file() { metadata.len() as usize } else { limit + 1 };
    let mut bytes = Vec::with_capacity(room);
    file.take(limit as u64 + 1).read_to_end(&mut bytes).map_err(at)?;
    if bytes.len() > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Checks that `out` can be a folder for `file`: not a file itself, and without that file
/// already unless `force`, so nothing is replaced without a word.
fn check_out_folder(out: &Path, file: &str, force: bool) -> Result<(), String> {
    if out.exists() && !out.is_dir() {
        return Err(format!("--out {}: is a file, not a folder", out.display()));
    }
    check_out_file(&out.join(file), force)
}

/// Checks that `path` does not exist, unless `force`.
fn check_out_file(path: &Path, force: bool) -> Result<(), String> {
    if path.is_dir() {
        return Err(format!("--out {}: is a folder, not a file", path.display()));
    }
    if path.exists() && !force {
        return Err(format!("{} exists: --force replaces it, or choose another --out", path.display()));
    }
    Ok(())
}
