//! What the page shows: the notebook page (`page`), its cells, the share panel and the
//! benchmark page.

pub mod bench;
pub mod cells;
pub mod page;
pub mod share;
