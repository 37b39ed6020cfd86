//! An ensemble's members train as their single runs do: on the CPU backend, three members (α 0,
//! 0.5, 1; their own seeds and train fractions) have their losses and accuracies at every
//! evaluation over 100 steps within a relative 5e-5 of `Trainer`'s, and their analysis (GS, both
//! DIs, circularity) within 2e-3; so do two-layer Furuta models; a sweep's ensemble trained
//! together and one by one gives the same rows (same verdicts, measures within 1e-4). The ensemble's
//! batched products take other matrix kernels than a single run's, whose rounding depends on
//! the CPU's vector width; 100 steps of training carry it into the weights (measured in
//! docs/sweeps.md).

use grokscope_analysis::analyze;
use grokscope_core::data::Split;
use grokscope_core::device::Backend;
use grokscope_core::weights::Weights;
use grokscope_core::{Device, Encoding, EnsembleTrainer, ModelConfig, Operation, RunConfig, Snapshot, Trainer};
use pollster::block_on;

const STEPS: usize = 100;
const EVERY: usize = 20;

fn runs() -> Vec<RunConfig> {
    [(0.0, 0, 0.8), (0.5, 1, 0.8), (1.0, 2, 0.7)]
        .into_iter()
        .map(|(alpha, seed, fraction)| {
            let mut run = RunConfig::paper(alpha);
            run.task.p = 17;
            run.train.steps = STEPS;
            run.train.seed = seed;
            run.train.train_fraction = fraction;
            if let ModelConfig::Transformer(c) = &mut run.model {
                c.d_model = 32;
            }
            run
        })
        .collect()
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * a.abs().max(b.abs()).max(1e-6)
}

/// Every member's curve, trained together, and the last observation's weights.
fn train_together(runs: &[RunConfig], device: &Device) -> (Vec<Vec<Snapshot>>, Vec<(Snapshot, Weights)>) {
    let mut ensemble = EnsembleTrainer::new(runs, device).unwrap();
    let mut curves: Vec<Vec<Snapshot>> = vec![Vec::new(); runs.len()];
    loop {
        let observed = block_on(ensemble.observe()).unwrap();
        for (curve, (snapshot, _)) in curves.iter_mut().zip(&observed) {
            curve.push(snapshot.clone());
        }
        if ensemble.step() >= runs[0].train.steps {
            return (curves, observed);
        }
        ensemble.advance(EVERY);
    }
}

/// Each member's curve is its single run's, and the member learned.
fn assert_curves_match(runs: &[RunConfig], curves: &[Vec<Snapshot>], device: &Device) {
    for (m, run) in runs.iter().enumerate() {
        let single = block_on(Trainer::curve(run, device, EVERY)).unwrap();
        assert_eq!(single.len(), curves[m].len());
        for (a, b) in single.iter().zip(&curves[m]) {
            assert_eq!(a.step, b.step);
            for (what, x, y) in [
                ("train loss", a.train_loss, b.train_loss),
                ("test loss", a.test_loss, b.test_loss),
                ("train accuracy", a.train_acc, b.train_acc),
                ("test accuracy", a.test_acc, b.test_acc),
            ] {
                assert!(close(x, y, 5e-5), "member {m}, step {}: {what} {x} alone, {y} in the ensemble", a.step);
            }
        }
        assert!(single.last().unwrap().train_loss < single[0].train_loss, "member {m} learned");
    }
}

#[test]
fn members_train_as_their_single_runs() {
    let device = Backend::CPU.device();
    let runs = runs();
    let (curves, last) = train_together(&runs, &device);
    assert_curves_match(&runs, &curves, &device);
    for (m, run) in runs.iter().enumerate() {
        let mut trainer = Trainer::new(run, &device).unwrap();
        trainer.advance(STEPS);
        let weights = block_on(trainer.weights()).unwrap();
        let test = Split::new(&run.task, run.train.train_fraction, run.train.seed).test;
        let alone = block_on(analyze(run, &weights, Some(&test), &device)).unwrap().report;
        let together = block_on(analyze(run, &last[m].1, Some(&test), &device)).unwrap().report;
        for (what, x, y) in [
            ("gradient symmetricity", alone.gradient_symmetricity, together.gradient_symmetricity),
            ("distance irrelevance", alone.distance_irrelevance, together.distance_irrelevance),
            ("distance irrelevance (top wrong)", alone.distance_irrelevance_top_wrong, together.distance_irrelevance_top_wrong),
            ("circularity", alone.circularity, together.circularity),
        ] {
            assert!(close(x, y, 2e-3), "member {m}: {what} {x} alone, {y} in the ensemble");
        }
    }
}

#[test]
fn a_sweep_trains_an_ensemble_together_or_one_by_one_to_the_same_rows() {
    use grokscope_sweep::plan::{Budget, ensembles};
    use grokscope_sweep::train::{Batching, train_ensemble};
    let spec = grokscope_sweep::SweepSpec::from_json(
        r#"{"base": {"task": {"operation": "add", "p": 13}, "model": {"kind": "transformer", "d_model": 16, "n_heads": 4, "n_layers": 1, "activation": "ReLU", "attention_rate": 1.0}, "train": {"steps": 60}},
            "grid": {"attention_rate": [0, 1], "seed": [3, 4]}}"#,
    )
    .unwrap();
    let all = ensembles(&spec.expand().unwrap(), Budget::default(), 1).unwrap();
    assert_eq!(all.len(), 1);
    let rows = |batching| {
        let mut rows = Vec::new();
        block_on(train_ensemble(
            &all[0],
            &Backend::CPU.device(),
            batching,
            |_| false,
            |row| {
                rows.push(row);
                Ok(())
            },
        ))
        .unwrap();
        rows
    };
    let (together, one_by_one) = (rows(Batching::Together), rows(Batching::OneByOne));
    assert_eq!(together.len(), 4);
    for (a, b) in together.iter().zip(&one_by_one) {
        assert_eq!((&a.run_id, a.steps, &a.verdict), (&b.run_id, b.steps, &b.verdict));
        for (x, y) in [(a.gradient_sim, b.gradient_sim), (a.distance_irrelevance, b.distance_irrelevance), (a.circularity, b.circularity)] {
            assert!(close(x, y, 1e-4), "{x} together, {y} one by one");
        }
        assert!(close(a.validation_accuracy, b.validation_accuracy, 1e-6) && close(a.training_accuracy, b.training_accuracy, 1e-6));
    }
}

/// Furuta's model (no position embedding, no MLP biases, causal attention) trains as its single
/// runs do too; with two layers the first attends causally at every position.
#[test]
fn furuta_members_train_as_their_single_runs() {
    let device = Backend::CPU.device();
    let runs: Vec<RunConfig> = [(1.0, 0), (0.5, 1)]
        .into_iter()
        .map(|(alpha, seed)| {
            let mut run = RunConfig::furuta(Operation::Multiply);
            run.task.p = 17;
            run.train.steps = 60;
            run.train.seed = seed;
            if let ModelConfig::Transformer(c) = &mut run.model {
                (c.d_model, c.n_layers, c.attention_rate) = (32, 2, alpha);
                assert_eq!(c.encoding, Encoding::furuta());
            }
            run
        })
        .collect();
    let (curves, _) = train_together(&runs, &device);
    assert_curves_match(&runs, &curves, &device);
}
