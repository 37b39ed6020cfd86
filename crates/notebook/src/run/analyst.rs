//! Where a model is analysed: in a worker (`worker.rs`), so that the page keeps painting while
//! the analysis's ~1 s of arithmetic runs. The page itself links no training or analysis code,
//! which keeps its download small.

use grokscope_analysis::Analysis;
use grokscope_core::RunConfig;
use grokscope_core::weights::Weights;

use crate::run::worker::Remote;

/// Kept between analyses (scrubbing asks for one after another): the worker starts once, at the
/// first analysis.
#[derive(Default)]
pub struct Analyst(Option<Remote>);

impl Analyst {
    pub async fn analyze(&mut self, run: &RunConfig, weights: &Weights, test_pairs: Option<&[u32]>) -> Result<Analysis, String> {
        let worker = match self.0.take() {
            Some(worker) => worker,
            None => Remote::spawn().await.map_err(|e| format!("the analysis runs in a Web Worker, and {e}"))?,
        };
        let analysis = worker.analyze(run, weights, test_pairs).await;
        // A worker that failed (it may have run out of memory) is not asked again.
        if analysis.is_ok() {
            self.0 = Some(worker);
        }
        analysis
    }
}
