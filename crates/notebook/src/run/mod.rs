//! Where and how an experiment's model trains and is analysed: its run (`session`, `runner`),
//! the engine that steps it (on the page for WebGPU, `engine`, or in a worker, `worker`), the
//! analyst, the device (`gpu`: WebGPU after a self-check, else the CPU), and a sweep's many
//! models (`sweep`: ensembles on WebGPU, workers on the CPU).

pub mod analyst;
pub mod engine;
pub mod gpu;
pub mod runner;
pub mod session;
pub mod sweep;
pub mod worker;
