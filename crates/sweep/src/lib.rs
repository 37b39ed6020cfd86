//! grokscope's sweeps: many runs over attention rate, width, seed and any other setting, as
//! the paper's phase diagrams need (docs/sweeps.md). Headless: core and analysis, no UI; the
//! command line, a Slurm cluster and the notebook drive it.
//!
//! A spec ([`spec`]) expands into runs; runs of one shape form ensembles that fit a device
//! ([`plan`]), shards take whole ensembles; each trained model becomes a results row
//! ([`results`], [`train`]) in a folder that a killed sweep resumes from ([`folder`]); [`slurm`]
//! writes and submits the array job; [`paper`] holds the published points to compare with;
//! [`bench`] measures what an ensemble gains over single runs.

pub mod bench;
pub mod folder;
pub mod paper;
pub mod plan;
pub mod results;
pub mod slurm;
pub mod spec;
pub mod train;

use std::fmt;

pub use plan::{Budget, Ensemble};
pub use results::Row;
pub use spec::{Member, SweepSpec};

#[derive(Debug)]
pub enum SweepError {
    /// A spec that does not expand into valid runs.
    Spec(String),
    /// A run or sweep that does not fit the device.
    TooBig(String),
    /// A results table that cannot be read or merged.
    Results(String),
    /// A file or a program that failed.
    Io(String),
    Train(grokscope_core::Error),
}

impl fmt::Display for SweepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SweepError::Spec(why) | SweepError::TooBig(why) | SweepError::Results(why) | SweepError::Io(why) => f.write_str(why),
            SweepError::Train(e) => write!(f, "training failed: {e}"),
        }
    }
}

impl std::error::Error for SweepError {}

impl From<grokscope_core::Error> for SweepError {
    fn from(e: grokscope_core::Error) -> Self {
        SweepError::Train(e)
    }
}

/// An I/O error with the path it concerns.
pub(crate) fn io(path: &std::path::Path, e: impl fmt::Display) -> SweepError {
    SweepError::Io(format!("{}: {e}", path.display()))
}
