//! What can go wrong, said so that a person can act on it.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A setting outside what the task, the model or the device allows.
    InvalidConfig(String),
    /// A file that is not a checkpoint grokscope can read.
    BadCheckpoint(String),
    MissingTensor(String),
    UnexpectedTensor(String),
    WrongShape {
        name: String,
        expected: Vec<usize>,
        found: Vec<usize>,
    },
    /// Weights with NaN or infinite values: a diverged run or a damaged file.
    NonFinite {
        name: String,
        count: usize,
    },
    /// The device failed while running or reading back.
    Device(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidConfig(why) => write!(f, "invalid configuration: {why}"),
            Error::BadCheckpoint(why) => write!(f, "not a usable checkpoint: {why}"),
            Error::MissingTensor(name) => write!(f, "the checkpoint has no tensor `{name}`, which this model needs"),
            Error::UnexpectedTensor(name) => write!(f, "the checkpoint has a tensor `{name}` that this model does not have"),
            Error::WrongShape { name, expected, found } => {
                write!(f, "tensor `{name}` has shape {found:?}, but this model needs {expected:?}")
            }
            Error::NonFinite { name, count } => write!(
                f,
                "tensor `{name}` has {count} non-finite value(s) (NaN or infinity): the run diverged or the file is \
                 damaged, and no measure of such weights means anything"
            ),
            Error::Device(why) => write!(f, "the device failed: {why}"),
        }
    }
}

impl std::error::Error for Error {}
