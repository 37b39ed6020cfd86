use std::fmt;

/// Why a notebook from outside (a link, a file) was not opened. Each says what the reader can
/// do about it; none of them touches the notebook the reader has.
#[derive(Debug, Clone, PartialEq)]
pub enum DocumentError {
    /// Larger than any notebook grokscope writes: refused before it is decoded.
    TooLarge { what: &'static str, limit: usize },
    /// Written by a newer grokscope.
    Newer { what: &'static str, version: u32, supported: u32 },
    /// Not what grokscope writes: cut short, altered or something else altogether.
    Corrupted { what: &'static str, why: String },
    /// Well formed, but a setting is outside what grokscope can run.
    Invalid(String),
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocumentError::TooLarge { what, limit } => {
                write!(f, "This {what} is larger than the {} KiB a notebook may have; it was not opened.", limit / 1024)
            }
            DocumentError::Newer { what, version, supported } => write!(
                f,
                "This {what} was made by a newer grokscope (format {version}; this page reads up to {supported}). \
                 Reload the page to get the newest version."
            ),
            DocumentError::Corrupted { what, why } => {
                write!(f, "This {what} is damaged or incomplete ({why}). Ask for it again, copied whole.")
            }
            DocumentError::Invalid(why) => write!(f, "This notebook cannot be opened: {why}."),
        }
    }
}

impl std::error::Error for DocumentError {}
