//! The page's platform, with no notebook logic: the chart canvas, downloads and uploads,
//! localStorage (notebooks) and IndexedDB (runs), the URL's options, which notebook opens and
//! what is done with whole notebooks, Markdown to DOM nodes, the service worker that keeps the
//! page offline.

pub mod canvas;
pub mod chart;
pub mod files;
pub mod markdown;
pub mod notebooks;
pub mod offline;
pub mod opening;
pub mod runs;
pub mod storage;
pub mod url;
