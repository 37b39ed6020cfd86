//! `grokscope sweep`: train a grid or the paper's random scheme, one shard of it, or all of it
//! as Slurm jobs; merge shards; draw the phase diagrams.

use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Subcommand};
use grokscope_core::device::Backend;
use grokscope_core::{ModelConfig, RunConfig};
use grokscope_plots::phase::{PaperLayers, PhaseChart, PhasePoint};
use grokscope_sweep::folder::{RESULTS_FILE, SweepFolder, merge, write_atomically};
use grokscope_sweep::plan::{Budget, ensembles, parse_shard, shard};
use grokscope_sweep::results;
use grokscope_sweep::slurm::SlurmSweep;
use grokscope_sweep::spec::{Grid, MAX_RUNS, Random, Scheme, SweepSpec, parse_values, parse_whole};
use grokscope_sweep::train::{Batching, train_ensemble};
use pollster::block_on;

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SweepArgs {
    #[command(subcommand)]
    action: Option<Action>,
    #[command(flatten)]
    spec: SpecArgs,
    /// Train only shard I of N (I counted from 0): whole ensembles, the same split every time.
    #[arg(long, value_parser = parse_shard)]
    shard: Option<(usize, usize)>,
    #[command(flatten)]
    device: DeviceArgs,
    /// The sweep's folder: spec.json and results.csv, a row per model as it finishes. A sweep
    /// started again in the same folder trains only the runs it has no row for.
    #[arg(long, required = true)]
    out: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Action {
    /// Join the folders of a sweep's shards into one table, in the sweep's order.
    Merge(MergeArgs),
    /// Write a Slurm array job (one task per shard) and a merge job after it; --submit submits both.
    Slurm(SlurmArgs),
    /// Draw the phase diagrams of a results table as SVG, the paper's points beneath.
    Plot(PlotArgs),
}

/// A spec file, or a grid or random sweep from flags, on the paper's recipe.
#[derive(Args)]
struct SpecArgs {
    /// A sweep spec (JSON). Without it, the sweep the flags below describe.
    spec: Option<PathBuf>,
    /// Attention rates: `0:1:11` (11 values from 0 to 1) or a list, `0,0.5,1`.
    #[arg(long, conflicts_with = "spec")]
    alpha: Option<String>,
    /// Widths: a list, `32,64`.
    #[arg(long, conflicts_with = "spec")]
    d_model: Option<String>,
    /// Seeds 0 to N-1 for every setting.
    #[arg(long, conflicts_with = "spec")]
    seeds: Option<u64>,
    /// The paper's random scheme instead of a grid: N runs with α ~ U(0, 1), one seed each.
    #[arg(long, conflicts_with_all = ["spec", "alpha", "seeds"])]
    random: Option<usize>,
    /// With --random: d_model = int(2^U(lo, hi)), as `5:9` (the paper's varying-width sweep).
    #[arg(long, requires = "random", conflicts_with = "d_model")]
    log2_d_model: Option<String>,
    /// Seeds the random scheme's draws.
    #[arg(long, requires = "random", default_value_t = 0)]
    sweep_seed: u64,
    #[arg(long, conflicts_with = "spec")]
    p: Option<usize>,
    #[arg(long, conflicts_with = "spec")]
    steps: Option<usize>,
    #[arg(long, conflicts_with = "spec")]
    heads: Option<usize>,
}

#[derive(Args)]
struct DeviceArgs {
    /// cpu, flex or wgpu.
    #[arg(long, default_value = "cpu", value_parser = super::parse_backend)]
    backend: Backend,
    /// What one ensemble may hold, in MiB (the device's memory, less what else runs there).
    #[arg(long, default_value_t = 4096)]
    memory_mib: usize,
}

#[derive(Args)]
struct MergeArgs {
    /// The shards' folders.
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// The merged table: a file (a CSV), where the sweep's own --out is a folder.
    #[arg(long)]
    out: PathBuf,
    /// Replace the file at --out if it exists.
    #[arg(long)]
    force: bool,
    /// Write what there is even if runs are missing (they are still listed).
    #[arg(long)]
    partial: bool,
}

#[derive(Args)]
struct SlurmArgs {
    #[command(flatten)]
    spec: SpecArgs,
    #[arg(long)]
    shards: usize,
    /// The folder for the scripts, the shards' folders, the logs and the merged results.csv
    /// (on a file system the nodes share).
    #[arg(long)]
    out: PathBuf,
    /// Submit both jobs with sbatch and print their ids.
    #[arg(long)]
    submit: bool,
    #[command(flatten)]
    device: DeviceArgs,
    /// An extra #SBATCH option for both jobs, as `--sbatch=--partition=gpu`; repeatable.
    #[arg(long = "sbatch", allow_hyphen_values = true)]
    sbatch: Vec<String>,
}

#[derive(Args)]
struct PlotArgs {
    /// A results table (results.csv of a sweep or a merge).
    results: PathBuf,
    /// The folder for the charts (created if missing); charts of the same names are replaced.
    #[arg(long)]
    out: PathBuf,
    /// Leave out the paper's points.
    #[arg(long)]
    no_paper: bool,
}

pub fn run(args: SweepArgs) -> Result<(), String> {
    match args.action {
        Some(Action::Merge(a)) => run_merge(a),
        Some(Action::Slurm(a)) => run_slurm(a),
        Some(Action::Plot(a)) => run_plot(a),
        None => run_sweep(&args.spec.spec()?, args.shard, &args.device, &args.out.expect("clap requires --out")),
    }
}

impl SpecArgs {
    fn spec(&self) -> Result<SweepSpec, String> {
        if let Some(path) = &self.spec {
            let text = super::read_text(path)?;
            return SweepSpec::from_json(&text).map_err(|e| format!("{}: {e}", path.display()));
        }
        let mut base = RunConfig::paper(1.0);
        base.task.p = self.p.unwrap_or(base.task.p);
        base.train.steps = self.steps.unwrap_or(base.train.steps);
        if let ModelConfig::Transformer(c) = &mut base.model {
            c.n_heads = self.heads.unwrap_or(c.n_heads);
        }
        let widths = |text: &Option<String>| -> Result<Vec<usize>, String> {
            Ok(text.as_deref().map(parse_whole).transpose()?.unwrap_or_default().into_iter().map(|w| w as usize).collect())
        };
        let seeds = self.seeds.unwrap_or(1);
        if !(1..=MAX_RUNS as u64).contains(&seeds) {
            return Err(format!("--seeds {seeds}: between 1 and {MAX_RUNS}"));
        }
        let scheme = match self.random {
            Some(runs) => {
                let log2_d_model = match &self.log2_d_model {
                    Some(text) => match text.split(':').map(|v| v.trim().parse::<f64>()).collect::<Result<Vec<_>, _>>() {
                        Ok(v) if v.len() == 2 => Some([v[0], v[1]]),
                        _ => return Err(format!("--log2-d-model `{text}`: write lo:hi, as 5:9")),
                    },
                    None => None,
                };
                if let (Some(&width), ModelConfig::Transformer(c)) = (widths(&self.d_model)?.first(), &mut base.model) {
                    c.d_model = width;
                }
                Scheme::Random(Random { runs, seed: self.sweep_seed, log2_d_model })
            }
            None => Scheme::Grid(Grid {
                attention_rate: self.alpha.as_deref().map(parse_values).transpose()?.unwrap_or_default(),
                d_model: widths(&self.d_model)?,
                seed: (0..seeds).collect(),
                ..Grid::default()
            }),
        };
        Ok(SweepSpec { base, scheme })
    }
}

impl DeviceArgs {
    fn budget(&self) -> Budget {
        let values = self.memory_mib.saturating_mul(1 << 20) / 4;
        Budget { values, tensor_values: values }
    }
}

fn run_sweep(spec: &SweepSpec, shard_of: Option<(usize, usize)>, device: &DeviceArgs, out: &std::path::Path) -> Result<(), String> {
    let members = spec.expand().map_err(|e| e.to_string())?;
    let all = ensembles(&members, device.budget(), shard_of.map_or(1, |(_, count)| count)).map_err(|e| e.to_string())?;
    let mine = match shard_of {
        Some((index, count)) => shard(&all, index, count),
        None => all,
    };
    let ids: std::collections::HashSet<&str> = mine.iter().flat_map(|e| e.members.iter().map(|m| m.id.as_str())).collect();
    // This folder's runs in the sweep's order (what its finished table lists).
    let my_members: Vec<_> = members.iter().filter(|m| ids.contains(m.id.as_str())).cloned().collect();
    let mut folder = SweepFolder::open(out, spec).map_err(|e| e.to_string())?;
    let done: std::collections::HashSet<String> = folder.done().into_iter().map(String::from).collect();
    if let Some(stray) = done.iter().find(|id| !ids.contains(id.as_str())) {
        return Err(format!("{} has a row for run {stray}, which is not in this shard: is it another shard's folder?", out.display()));
    }
    let total = my_members.len();
    let resumed = done.len();
    let what = match shard_of {
        Some((i, n)) => format!("shard {i}/{n}: {total} of {} runs", members.len()),
        None => format!("{total} runs"),
    };
    eprintln!("{what} in {} ensembles{}", mine.len(), if resumed > 0 { format!(", {resumed} already done") } else { String::new() });
    let device_handle = device.backend.device();
    let started = Instant::now();
    let mut finished = resumed;
    progress(finished, total, resumed, started);
    for ensemble in &mine {
        block_on(train_ensemble(
            ensemble,
            &device_handle,
            Batching::for_backend(device.backend),
            |m| done.contains(&m.id),
            |row| {
                folder.record(row)?;
                finished += 1;
                progress(finished, total, resumed, started);
                Ok(())
            },
        ))
        .map_err(|e| e.to_string())?;
    }
    eprintln!();
    let rows = folder.finish(&my_members).map_err(|e| e.to_string())?;
    let circular = rows.iter().filter(|r| r.circular()).count();
    eprintln!(
        "{} models ({} trained now) in {:.1} s on {}; {circular} circular; wrote {}",
        rows.len(),
        total - resumed,
        started.elapsed().as_secs_f64(),
        device.backend.name(),
        out.join(RESULTS_FILE).display()
    );
    Ok(())
}

/// One line on stderr, redrawn in place: models done of total and the time left.
fn progress(done: usize, total: usize, resumed: usize, started: Instant) {
    const WIDTH: usize = 30;
    let bar = (WIDTH * done).checked_div(total).unwrap_or(WIDTH);
    let trained = done - resumed;
    let seconds = started.elapsed().as_secs_f64();
    let left = if trained > 0 {
        format!("{:.0} s left", seconds / trained as f64 * (total - done) as f64)
    } else {
        "time left: after the first model".into()
    };
    eprint!("\r[{}{}] {done}/{total} models, {left} ", "#".repeat(bar), " ".repeat(WIDTH - bar));
}

fn run_merge(args: MergeArgs) -> Result<(), String> {
    let (_, rows) = merge(&args.dirs, args.partial).map_err(|e| e.to_string())?;
    super::check_out_file(&args.out, args.force)?;
    write_atomically(&args.out, &results::to_csv(&rows)).map_err(|e| e.to_string())?;
    eprintln!("merged {} folders: {} models; wrote {}", args.dirs.len(), rows.len(), args.out.display());
    Ok(())
}

fn run_slurm(args: SlurmArgs) -> Result<(), String> {
    let spec = args.spec.spec()?;
    // Refused here, before a job is queued, if any run does not fit.
    ensembles(&spec.expand().map_err(|e| e.to_string())?, args.device.budget(), args.shards).map_err(|e| e.to_string())?;
    let program = std::env::current_exe().map_err(|e| format!("where is grokscope? {e}"))?;
    let shard_args = vec!["--backend".into(), args.device.backend.name().into(), "--memory-mib".into(), args.device.memory_mib.to_string()];
    let sweep = SlurmSweep { dir: args.out.clone(), shards: args.shards, program, shard_args, sbatch: args.sbatch };
    sweep.write(&spec).map_err(|e| e.to_string())?;
    println!("wrote {} and {} in {}", grokscope_sweep::slurm::SHARDS_SCRIPT, grokscope_sweep::slurm::MERGE_SCRIPT, args.out.display());
    if args.submit {
        let jobs = sweep.submit().map_err(|e| e.to_string())?;
        println!("submitted: shards job {} (array 0-{}), merge job {} after it", jobs.shards, args.shards - 1, jobs.merge);
    }
    Ok(())
}

fn run_plot(args: PlotArgs) -> Result<(), String> {
    let text = super::read_text(&args.results)?;
    let rows = results::parse(&text, &args.results.display().to_string()).map_err(|e| e.to_string())?;
    if rows.is_empty() {
        return Err(format!("{}: no models to draw", args.results.display()));
    }
    let ours: Vec<PhasePoint> = rows.iter().map(PhasePoint::from).collect();
    let paper = (!args.no_paper).then(PaperLayers::load);
    fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    for chart in PhaseChart::ALL {
        let beneath = paper.as_ref().map_or(&[][..], |p| p.beneath(chart));
        let svg =
            grokscope_plots::svg::to_svg(PhaseChart::SIZE, |area| chart.draw(area, &ours, beneath).map(drop)).map_err(|e| e.to_string())?;
        let path = args.out.join(format!("{}.svg", chart.name()));
        fs::write(&path, svg).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    eprintln!("{} models; wrote {} charts to {}", rows.len(), PhaseChart::ALL.len(), args.out.display());
    Ok(())
}
