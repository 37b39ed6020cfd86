//! grokscope's core: the modular-arithmetic tasks, the Clock & Pizza models, their training
//! and their checkpoints. It takes a `burn::Device` and runs unchanged on the CPU backends,
//! natively on wgpu, and in the browser on WebGPU.

pub mod checkpoint;
pub mod config;
pub mod data;
pub mod device;
pub mod encoding;
pub mod ensemble;
mod error;
pub mod model;
pub mod optimizer;
pub mod read;
pub mod rng;
pub mod task;
pub mod training;
pub mod transformer_lens;
pub mod weights;

pub use checkpoint::Checkpoint;
pub use config::{RunConfig, TrainConfig};
pub use encoding::Encoding;
pub use ensemble::EnsembleTrainer;
pub use error::Error;
pub use model::{Model, ModelConfig};
pub use task::{Operation, Task};
pub use training::{Snapshot, Trainer};

pub use burn::tensor::Device;
