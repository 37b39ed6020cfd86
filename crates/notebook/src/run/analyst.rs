//! Where a model is analysed: in a worker (`worker.rs`), so that the page keeps painting while
//! the analysis's ~1 s of arithmetic runs; on the page, in parts that each wait for a frame,
//! where no worker starts (a browser or policy that blocks them).

use grokscope_analysis::{Analysis, analyze_paced};
use grokscope_core::RunConfig;
use grokscope_core::device::Backend;
use grokscope_core::weights::Weights;

use crate::run::worker::Remote;
use crate::schedule::yield_to_browser;

/// Kept between analyses (scrubbing asks for one after another): the worker starts once.
pub struct Analyst(Option<Remote>);

impl Analyst {
    pub async fn start() -> Analyst {
        Analyst(Remote::spawn().await.ok())
    }

    pub async fn analyze(&mut self, run: &RunConfig, weights: &Weights, test_pairs: Option<&[u32]>) -> Result<Analysis, String> {
        match &self.0 {
            Some(worker) => worker.analyze(run, weights, test_pairs).await.inspect_err(|_| {
                // A worker that failed (it may have run out of memory) is not asked again.
                self.0 = None;
            }),
            None => analyze_here(run, weights, test_pairs).await,
        }
    }
}

/// Analyses a model on the page's thread, in parts that each wait for a frame: where no worker
/// starts.
pub async fn analyze_here(run: &RunConfig, weights: &Weights, test_pairs: Option<&[u32]>) -> Result<Analysis, String> {
    analyze_paced(run, weights, test_pairs, &Backend::CPU.device(), yield_to_browser).await.map_err(|e| e.to_string())
}
