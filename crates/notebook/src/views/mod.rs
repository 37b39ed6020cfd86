//! What the page shows: the notebook page (`page`), its cells, the share panel, the lessons
//! page and the benchmark page.

pub mod bench;
pub mod cells;
pub mod lessons;
pub mod page;
pub mod share;
