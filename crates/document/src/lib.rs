//! The notebook as data: what a saved file or a shared link holds (`notebook`), the link's
//! encoding (`link`), the checks every notebook from outside passes (`Notebook::check`), and
//! the metrics as CSV and JSON (`export`). Nothing here touches the browser, so all of it is
//! tested natively, fuzzed included.

mod error;
pub mod export;
pub mod link;
pub mod notebook;

pub use error::DocumentError;
pub use notebook::{Cell, CellKind, ChartChoice, Control, Notebook, Size, clock_vs_pizza};
