//! `grokscope transformer-lens`: a checkpoint as a TransformerLens `HookedTransformer`.

use std::path::PathBuf;

use clap::Args;
use grokscope_core::transformer_lens::HookedTransformer;

#[derive(Args)]
pub struct TransformerLensArgs {
    /// A checkpoint of an α = 1 transformer: ours, or one of the paper's released ones.
    model: PathBuf,
    /// The state dict, as safetensors with the `HookedTransformerConfig` in its metadata
    /// (`config`).
    #[arg(long)]
    out: PathBuf,
}

pub fn run(args: TransformerLensArgs) -> Result<(), String> {
    let checkpoint = super::read_checkpoint(&args.model)?;
    let hooked = HookedTransformer::new(&checkpoint.run, &checkpoint.weights).map_err(|e| format!("{}: {e}", args.model.display()))?;
    std::fs::write(&args.out, hooked.to_safetensors()).map_err(|e| format!("{}: {e}", args.out.display()))?;
    println!("{}", serde_json::to_string_pretty(&hooked.config).expect("json"));
    Ok(())
}
