//! The notebook as data: what a saved file or a shared link holds (`notebook`), the link's
//! encoding (`link`), the notebooks that ship (`lessons`), the checks every notebook from
//! outside passes (`Notebook::check`), the metrics as CSV and JSON (`export`), and what tells
//! compared runs apart (`compare`). Nothing here
//! touches the browser, so all of it is tested natively, fuzzed included; the page's URL
//! options (`options`) are parsed here for the same reason. It depends on
//! grokscope-core, and on grokscope-sweep for a sweep cell's spec. A text cell's Markdown
//! becomes a bounded tree of safe elements here (`markdown`), which the page only draws.

pub mod compare;
mod error;
pub mod export;
pub mod lessons;
pub mod link;
pub mod markdown;
pub mod merge;
pub mod notebook;
pub mod options;

pub use error::DocumentError;
pub use lessons::{Size, clock_vs_pizza, phase_diagram};
pub use notebook::{Cell, CellKind, ChartChoice, Control, Expectation, Notebook, Question, check_sweep};
