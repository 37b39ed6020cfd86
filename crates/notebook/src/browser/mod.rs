//! The page's platform, with no notebook logic: the chart canvas, downloads and uploads,
//! localStorage, the URL's options, which notebook opens, Markdown to DOM nodes.

pub mod canvas;
pub mod chart;
pub mod files;
pub mod markdown;
pub mod opening;
pub mod storage;
pub mod url;
