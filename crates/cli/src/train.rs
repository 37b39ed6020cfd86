//! `grokscope train`.

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use grokscope_analysis::progress::{Evaluation, progress_measures};
use grokscope_core::data::Split;
use grokscope_core::device::Backend;
use grokscope_core::encoding::Scheme;
use grokscope_core::model::ModelConfig;
use grokscope_core::task::Operation;
use grokscope_core::{Checkpoint, RunConfig, Trainer};
use pollster::block_on;

#[derive(Args)]
// Numbers may be negative (`--lr -1`), so that such a value is refused by what it is rather
// than taken for a flag.
pub struct TrainArgs {
    /// A RunConfig JSON file; the flags below override its values. Without it, the paper's run.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Attention rate α (0 = constant attention, the Pizza regime; 1 = standard attention).
    #[arg(long, allow_negative_numbers = true)]
    alpha: Option<f64>,
    /// The modulus.
    #[arg(long)]
    p: Option<usize>,
    /// The operation, by name or formula: add, subtract, multiply, '2a+b', 'a^2+b^2', '(a+b)^3',
    /// random, … (an unknown name lists them all). Several, comma-separated, train one model on
    /// all of them (a mixture, in Furuta's encoding): 'add,subtract,multiply'.
    #[arg(long, alias = "op")]
    operation: Option<String>,
    /// clock_pizza (`a b`, the default) or furuta (`a op b`: their model, and without --config
    /// their recipe: p 97, weight decay 1, no warm-up, train fraction 0.3).
    #[arg(long)]
    encoding: Option<String>,
    #[arg(long)]
    d_model: Option<usize>,
    #[arg(long)]
    heads: Option<usize>,
    #[arg(long)]
    layers: Option<usize>,
    /// ReLU, GeLU or Tanh.
    #[arg(long)]
    activation: Option<String>,
    #[arg(long)]
    steps: Option<usize>,
    #[arg(long)]
    seed: Option<u64>,
    #[arg(long, allow_negative_numbers = true)]
    lr: Option<f64>,
    #[arg(long, allow_negative_numbers = true)]
    weight_decay: Option<f64>,
    #[arg(long, allow_negative_numbers = true)]
    train_fraction: Option<f64>,
    /// Steps between evaluations (one line of metrics.jsonl each).
    #[arg(long)]
    eval_every: Option<usize>,
    /// Also write the model every N steps, as model-STEP.safetensors (a multiple of the
    /// evaluation interval), to analyse the run as it went.
    #[arg(long)]
    checkpoint_every: Option<usize>,
    /// cpu, flex or wgpu (ndarray when built with `--features ndarray`).
    #[arg(long, default_value = "cpu", value_parser = super::parse_backend)]
    backend: Backend,
    /// Output folder (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Replace a model already in --out.
    #[arg(long)]
    force: bool,
}

impl TrainArgs {
    fn run_config(&self) -> Result<RunConfig, String> {
        let mut run = match &self.config {
            Some(path) => {
                let text = super::read_text(path)?;
                serde_json::from_str(&text).map_err(|e| format!("{}: not a run config ({e})", path.display()))?
            }
            None if self.encoding.as_deref().map(str::parse) == Some(Ok(Scheme::Furuta)) => RunConfig::furuta(Operation::Add),
            None => RunConfig::paper(1.0),
        };
        if let Some(p) = self.p {
            run.task.p = p;
        }
        if let Some(names) = &self.operation {
            run.task = run.task.with_operations(names)?;
        }
        let t = &mut run.train;
        t.steps = self.steps.unwrap_or(t.steps);
        t.seed = self.seed.unwrap_or(t.seed);
        t.lr = self.lr.unwrap_or(t.lr);
        t.weight_decay = self.weight_decay.unwrap_or(t.weight_decay);
        t.train_fraction = self.train_fraction.unwrap_or(t.train_fraction);
        t.eval_every = self.eval_every.unwrap_or(t.eval_every);
        match &mut run.model {
            ModelConfig::Transformer(m) => {
                m.attention_rate = self.alpha.unwrap_or(m.attention_rate);
                m.d_model = self.d_model.unwrap_or(m.d_model);
                m.n_heads = self.heads.unwrap_or(m.n_heads);
                m.n_layers = self.layers.unwrap_or(m.n_layers);
                if let Some(name) = &self.encoding {
                    m.encoding.scheme = name.parse()?;
                }
                if let Some(name) = &self.activation {
                    m.activation = name.parse()?;
                }
            }
            ModelConfig::MlpOnly(_) => {
                if self.alpha.is_some() || self.heads.is_some() || self.layers.is_some() || self.encoding.is_some() {
                    return Err("--alpha, --heads, --layers and --encoding apply to transformers, not to MLP-only models".into());
                }
            }
        }
        run.validate().map_err(|e| e.to_string())?;
        // A run of no steps is a model at its initial weights, which `train` has nothing to do for.
        if run.train.steps == 0 {
            return Err("0 steps: train at least 1 (a model at its initial weights needs no training)".into());
        }
        Ok(run)
    }
}

pub fn run(args: TrainArgs) -> Result<(), String> {
    let run = args.run_config()?;
    super::check_out_folder(&args.out, "model.safetensors", args.force)?;
    if let Some(n) = args.checkpoint_every
        && (n == 0 || n % run.train.eval_every != 0)
    {
        return Err(format!("--checkpoint-every {n}: a positive multiple of the evaluation interval, {}", run.train.eval_every));
    }
    fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let write = |name: &str, bytes: &[u8]| {
        let path = args.out.join(name);
        fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))
    };
    write("config.json", serde_json::to_string_pretty(&run).expect("configs serialise").as_bytes())?;
    let metrics_path = args.out.join("metrics.jsonl");
    let mut metrics = fs::File::create(&metrics_path).map_err(|e| format!("{}: {e}", metrics_path.display()))?;

    let device = args.backend.device();
    let mut trainer = Trainer::new(&run, &device).map_err(|e| e.to_string())?;
    let split = Split::new(&run.task, run.train.train_fraction, run.train.seed);
    let total = run.train.steps;
    let started = Instant::now();
    loop {
        let (snapshot, weights) = block_on(trainer.observe()).map_err(|e| e.to_string())?;
        let (measures, _) = block_on(progress_measures(&run, &weights, Some(&split.test), &device)).map_err(|e| e.to_string())?;
        let evaluation = Evaluation { snapshot, progress: Some(measures) };
        writeln!(metrics, "{}", serde_json::to_string(&evaluation).expect("evaluations serialise")).map_err(|e| e.to_string())?;
        progress(&evaluation.snapshot, total, started.elapsed().as_secs_f64());
        if args.checkpoint_every.is_some_and(|n| trainer.step() % n == 0 && trainer.step() < total) {
            write(&format!("model-{}.safetensors", trainer.step()), &Checkpoint::new(run.clone(), weights).to_safetensors())?;
        }
        if trainer.step() >= total {
            break;
        }
        trainer.advance(run.train.eval_every.min(total - trainer.step()));
    }
    let seconds = started.elapsed().as_secs_f64();
    eprintln!();
    let weights = block_on(trainer.weights()).map_err(|e| e.to_string())?;
    write("model.safetensors", &Checkpoint::new(run.clone(), weights).to_safetensors())?;
    eprintln!(
        "{} steps on {} in {seconds:.1} s ({:.1} ms/step, evaluations included); wrote {}",
        total,
        args.backend.name(),
        1e3 * seconds / total.max(1) as f64,
        args.out.display()
    );
    Ok(())
}

/// One line on stderr, redrawn in place: a bar, the step, the losses and accuracies (a
/// mixture's means, then each operation's test accuracy), the rate.
fn progress(s: &grokscope_core::Snapshot, total: usize, seconds: f64) {
    const WIDTH: usize = 30;
    let done = (WIDTH * s.step).checked_div(total).unwrap_or(WIDTH);
    let rate = if seconds > 0.0 { s.step as f64 / seconds } else { 0.0 };
    let per_task: String = s.per_task.iter().map(|t| format!(" {:.3}", t.test_acc)).collect();
    eprint!(
        "\r[{}{}] {}/{} train loss {:.4} acc {:.3} | test loss {:.4} acc {:.3}{} | {:.1} steps/s ",
        "#".repeat(done),
        " ".repeat(WIDTH - done),
        s.step,
        total,
        s.train_loss,
        s.train_acc,
        s.test_loss,
        s.test_acc,
        if per_task.is_empty() { per_task } else { format!(" (each:{per_task})") },
        rate
    );
}
