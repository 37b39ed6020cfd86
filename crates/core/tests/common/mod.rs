//! Shared by the integration tests: where the paper's released material is, tiny configs, and
//! the backends to run on.
#![allow(dead_code)] // each test binary uses its own part of this module

use std::path::PathBuf;

use grokscope_core::device::Backend;
use grokscope_core::model::{ModelConfig, TransformerConfig};
use grokscope_core::{Checkpoint, RunConfig, Task};

/// `../shared/reference/clock-pizza` beside the repository, or `GROKSCOPE_REFERENCE`.
pub fn reference_dir() -> PathBuf {
    std::env::var_os("GROKSCOPE_REFERENCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/clock-pizza"))
}

pub fn checkpoint(id: &str) -> Checkpoint {
    let path = reference_dir().join("checkpoints").join(format!("{id}.safetensors"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Checkpoint::from_safetensors(&bytes).unwrap_or_else(|e| panic!("{id}: {e}"))
}

/// p = 31, d_model = 32: small enough for a test on a software device, and with enough pairs
/// to generalise fully (at p = 23 the paper's recipe stalls near 95 % test accuracy).
pub fn tiny(attention_rate: f64, steps: usize) -> RunConfig {
    let mut run = RunConfig::paper(attention_rate);
    run.task = Task { p: 31, ..Task::paper() };
    run.model = ModelConfig::Transformer(TransformerConfig { d_model: 32, ..TransformerConfig::paper(attention_rate) });
    run.train.steps = steps;
    run
}

/// Backends every test machine has: the CPU one always, wgpu through Vulkan (a software
/// driver, Mesa's lavapipe, where there is no GPU; the test command installs it), and the
/// deprecated ndarray backend when it is built (`--features ndarray`).
pub const BACKENDS: &[Backend] = Backend::ALL;
