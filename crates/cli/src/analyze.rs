//! `grokscope analyze`: the Clock & Pizza metrics, the verdict and the progress measures of a
//! checkpoint, as JSON, and with `--out` every chart as SVG (the progress measures over
//! training too, when `grokscope train` recorded them beside it). A mixture is analysed per
//! operation: the first in `--out`, each other one in a folder named after it. `--against`
//! another checkpoint adds the MMD between the two models' phase alignment distributions
//! (docs/science.md §10) to the `manifold` block.

use std::fs;
use std::path::{Path, PathBuf};

use clap::Args;
use grokscope_analysis::manifold::{self, Estimator, Pad, pad_mmd};
use grokscope_analysis::progress::Evaluation;
use grokscope_analysis::{Analysis, analyze};
use grokscope_core::Snapshot;
use grokscope_core::device::Backend;
use grokscope_plots::{Chart, progress};
use pollster::block_on;

#[derive(Args)]
pub struct AnalyzeArgs {
    /// A checkpoint: ours, or one of the paper's released ones.
    model: PathBuf,
    /// Also write metrics.json and one SVG per chart here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Another checkpoint: adds `pad_mmd` and `pad_argmax_mmd` to the `manifold` block, the MMD
    /// between the two models' phase alignment distributions and its permutation p-value.
    #[arg(long)]
    against: Option<PathBuf>,
    #[arg(long, default_value = "cpu", value_parser = super::parse_backend)]
    backend: Backend,
}

pub fn run(args: AnalyzeArgs) -> Result<(), String> {
    let checkpoint = super::read_checkpoint(&args.model)?;
    let split = checkpoint.split();
    let analysis =
        block_on(analyze(&checkpoint.run, &checkpoint.weights, split.as_ref().map(|s| s.test.as_slice()), &args.backend.device()))
            .map_err(|e| format!("{}: {e}", args.model.display()))?;
    let mut json = printed(&analysis);
    if let Some(other) = &args.against {
        json = with_pad_mmd(&json, &analysis, other, &args.backend)?;
    }
    println!("{json}");
    if let Some(out) = &args.out {
        write(out, "metrics.json", &json)?;
        let evaluations = history_beside(&args.model)?;
        let history: Vec<Snapshot> = evaluations.iter().map(|e| e.snapshot.clone()).collect();
        write_charts(out, &analysis, &history)?;
        if evaluations.iter().any(|e| e.progress.is_some()) {
            let svg = grokscope_plots::svg::to_svg(progress::SIZE, |area| progress::progress(area, &evaluations, None))
                .map_err(|e| format!("progress: {e}"))?;
            write(out, "progress.svg", &svg)?;
        }
        // A mixture's other operations, each in a folder of its own name.
        for other in &analysis.mixed_with {
            let folder = out.join(other.report.task.operation.name());
            write(&folder, "metrics.json", &printed(other))?;
            write_charts(&folder, other, &[])?;
        }
    }
    Ok(())
}

/// The report as JSON; a mixture's adds each other operation's report under `mixed_with`.
fn printed(analysis: &Analysis) -> String {
    let mut json = serde_json::to_value(&analysis.report).expect("reports serialise");
    if !analysis.mixed_with.is_empty() {
        let others = analysis.mixed_with.iter().map(|a| serde_json::to_value(&a.report).expect("reports serialise")).collect();
        json["mixed_with"] = serde_json::Value::Array(others);
    }
    serde_json::to_string_pretty(&json).expect("JSON values serialise")
}

/// The MMD's permutations are drawn from this seed: the same two models give the same p-value.
const MMD_SEED: u64 = 0;

/// `json` (the printed report) with the MMD between this model's PADs and `other`'s added to its
/// `manifold` block, one per estimator.
fn with_pad_mmd(json: &str, analysis: &Analysis, other: &Path, backend: &Backend) -> Result<String, String> {
    let checkpoint = super::read_checkpoint(other)?;
    let theirs = block_on(manifold::manifold(&checkpoint.run, &checkpoint.weights, &backend.device()))
        .map_err(|e| format!("{}: {e}", other.display()))?
        .map(|(_, fits)| fits);
    let not_measured = "has no manifold measures (they are for a + b on one-block transformers and MLP-only models)";
    let Some(theirs) = theirs else { return Err(format!("{} {not_measured}", other.display())) };
    if analysis.report.manifold.is_none() {
        return Err(format!("the analysed model {not_measured}"));
    }
    let (ours, p) = (&analysis.neuron_fits, analysis.report.task.p);
    if checkpoint.run.task.p != p {
        let theirs = checkpoint.run.task.p;
        return Err(format!("{} is at p = {theirs}, the analysed model at p = {p}: their PADs lie on different grids", other.display()));
    }
    let mut value: serde_json::Value = serde_json::from_str(json).expect("printed JSON parses");
    for (name, estimator) in [("pad_mmd", Estimator::Centroid), ("pad_argmax_mmd", Estimator::Argmax)] {
        let mmd = pad_mmd(&Pad::of(ours, estimator, p), &Pad::of(&theirs, estimator, p), manifold::PERMUTATIONS, MMD_SEED);
        let mut entry = serde_json::to_value(mmd).expect("numbers serialise");
        entry["against"] = other.display().to_string().into();
        value["manifold"][name] = entry;
    }
    Ok(serde_json::to_string_pretty(&value).expect("JSON values serialise"))
}

/// One SVG per chart of the analysis (those over training only with a `history`).
fn write_charts(folder: &Path, analysis: &Analysis, history: &[Snapshot]) -> Result<(), String> {
    for chart in Chart::all(analysis, !history.is_empty()) {
        let svg = grokscope_plots::svg::render(chart, analysis, history).map_err(|e| format!("{}: {e}", chart.name()))?;
        write(folder, &format!("{}.svg", chart.name()), &svg)?;
    }
    Ok(())
}

fn write(folder: &Path, name: &str, text: &str) -> Result<(), String> {
    let path = folder.join(name);
    fs::create_dir_all(folder).and_then(|_| fs::write(&path, text)).map_err(|e| format!("{}: {e}", path.display()))
}

/// The evaluations `grokscope train` wrote next to the model, if there are any.
fn history_beside(model: &Path) -> Result<Vec<Evaluation>, String> {
    let path = model.with_file_name("metrics.jsonl");
    let Ok(text) = fs::read_to_string(&path) else { return Ok(Vec::new()) };
    text.lines()
        .enumerate()
        .map(|(i, line)| serde_json::from_str(line).map_err(|e| format!("{} line {}: {e}", path.display(), i + 1)))
        .collect()
}
