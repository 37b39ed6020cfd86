//! A K-ensemble's throughput against the same K models trained one after another on the same
//! device: what `grokscope bench ensemble` prints and the benchmark page (`?bench&k=K`) shows.

use grokscope_core::{Device, EnsembleTrainer, Error, ModelConfig, RunConfig, Trainer};
use serde::{Deserialize, Serialize};
use web_time::Instant;

/// The members: the paper's recipe at modulus `p` and width `d_model`, attention rates spread
/// evenly over [0, 1] (1 for K = 1), seeds 0 to K − 1.
pub fn runs(k: usize, p: usize, d_model: usize, steps: usize) -> Vec<RunConfig> {
    (0..k)
        .map(|i| {
            let mut run = RunConfig::paper(if k > 1 { i as f64 / (k - 1) as f64 } else { 1.0 });
            run.task.p = p;
            run.train.steps = steps;
            run.train.seed = i as u64;
            if let ModelConfig::Transformer(c) = &mut run.model {
                c.d_model = d_model;
            }
            run
        })
        .collect()
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct EnsembleBench {
    pub k: usize,
    pub p: usize,
    pub d_model: usize,
    pub steps: usize,
    /// Models × steps per second, trained as one ensemble.
    pub ensemble_model_steps_per_s: f64,
    /// The same, trained one after another.
    pub singles_model_steps_per_s: f64,
    /// How many times faster the ensemble is.
    pub ratio: f64,
}

/// Trains `runs(k, p, d_model, steps)` on `device` as one ensemble, then one by one. Each
/// trainer first takes one untimed step (on a GPU it compiles that program's kernels); each
/// timing ends with a read of the results, so work queued on a GPU is counted.
pub async fn measure(k: usize, p: usize, d_model: usize, steps: usize, device: &Device) -> Result<EnsembleBench, Error> {
    let runs = runs(k, p, d_model, steps);
    let mut ensemble = EnsembleTrainer::new(&runs, device)?;
    ensemble.advance(1);
    ensemble.observe().await?;
    let started = Instant::now();
    ensemble.advance(steps);
    ensemble.observe().await?;
    let ensemble_s = started.elapsed().as_secs_f64();
    let mut singles_s = 0.0;
    for run in &runs {
        let mut trainer = Trainer::new(run, device)?;
        trainer.advance(1);
        trainer.observe().await?;
        let started = Instant::now();
        trainer.advance(steps);
        trainer.observe().await?;
        singles_s += started.elapsed().as_secs_f64();
    }
    let model_steps = (k * steps) as f64;
    Ok(EnsembleBench {
        k,
        p,
        d_model,
        steps,
        ensemble_model_steps_per_s: model_steps / ensemble_s,
        singles_model_steps_per_s: model_steps / singles_s,
        ratio: singles_s / ensemble_s,
    })
}
