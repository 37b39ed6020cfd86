//! Where and how an experiment's model trains and is analysed: its run (`session`, `runner`),
//! the worker that steps it (`worker`, on WebGPU or the CPU), the analyst,
//! the device (`gpu`: WebGPU after a worker's self-check, else the CPU), and a sweep's many
//! models (`sweep`: ensembles on WebGPU, one by one on the CPU, all in workers).

pub mod analyst;
pub mod gpu;
pub mod keep;
pub mod runner;
pub mod session;
pub mod sweep;
pub mod worker;
