//! The 2026 reading (docs/science.md §10) on models whose answer is known by construction and
//! on the paper's released checkpoints.

#[path = "../../core/tests/common/mod.rs"]
mod common;

use common::checkpoint;
use grokscope_analysis::logits::LogitTable;
use grokscope_analysis::manifold::{Estimator, Manifold, NeuronFit, Pad, manifold};
use grokscope_analysis::{Report, analyze, ideal};
use grokscope_core::device::Backend;
use grokscope_core::model::{MlpOnlyConfig, MlpOnlyType, ModelConfig, TransformerConfig};
use grokscope_core::weights::Weights;
use grokscope_core::{RunConfig, Task};
use pollster::block_on;

fn measure(run: &RunConfig, weights: &Weights) -> (Manifold, Vec<NeuronFit>) {
    block_on(manifold(run, weights, &Backend::CPU.device())).unwrap().expect("the measures apply")
}

fn released(id: &str) -> (Manifold, Vec<NeuronFit>) {
    let c = checkpoint(id);
    measure(&c.run, &c.weights)
}

/// A model that sees only E_a + E_b through one shared table, whatever its weights (here fresh
/// ones): every neuron is g(a) + g(b), so its two phases and amplitudes are equal, it peaks on
/// the diagonal, and it has no (a + b) term (docs/science.md §10).
#[test]
fn an_mlp_that_adds_its_embeddings_has_locked_phases() {
    for mlp_type in [MlpOnlyType::A, MlpOnlyType::B] {
        let mut run = RunConfig::paper(0.0);
        run.task = Task { p: 31, ..Task::paper() };
        run.model = ModelConfig::MlpOnly(MlpOnlyConfig::paper(mlp_type));
        let weights = run.model.init_weights(run.task.p, 3);
        let (m, fits) = measure(&run, &weights);
        assert!(fits.len() > 100, "{mlp_type:?}: {} live neurons", fits.len());
        for f in &fits {
            assert!((f.amplitude_a - f.amplitude_b).abs() <= 1e-9 * f.amplitude_a, "{f:?}");
            // Equal angles, whichever side of ±π each lands.
            let difference = f.phase_a - f.phase_b;
            assert!(difference.sin().abs() < 1e-9 && difference.cos() > 0.0, "{f:?}");
            assert!(f.r2_second_best < 1e-9 && (f.r2_additive - 1.0).abs() < 1e-9, "{f:?}");
        }
        assert!(m.simple_neuron.phase_locking > 1.0 - 1e-9, "{:?}", m.simple_neuron);
        assert_eq!(m.pad.diagonal_fraction, 1.0, "{:?}", m.pad);
        assert_eq!(m.pad_argmax.diagonal_fraction, 1.0, "{:?}", m.pad_argmax);
        // Exactly additive: the additive projection is the neuron itself.
        let logits = block_on(LogitTable::compute(&run, &weights, &Backend::CPU.device())).unwrap();
        let accuracy = logits.accuracy(&run.task, 0..run.task.num_pairs());
        assert_eq!(m.replaced_accuracy.additive, accuracy);
    }
}

/// Constant attention sums the two positions: an α = 0 transformer's neurons are g(a) + h(b)
/// exactly (docs/science.md §10), for the hand-built Pizza as for fresh weights.
#[test]
fn alpha_zero_is_exactly_additive() {
    let (pizza, pizza_weights) = ideal::pizza(31, [3, 11]);
    let mut fresh = RunConfig::paper(0.0);
    fresh.task = Task { p: 31, ..Task::paper() };
    fresh.model = ModelConfig::Transformer(TransformerConfig { d_model: 32, ..TransformerConfig::paper(0.0) });
    let fresh_weights = fresh.model.init_weights(31, 5);
    for (run, weights) in [(&pizza, &pizza_weights), (&fresh, &fresh_weights)] {
        let (m, fits) = measure(run, weights);
        assert!(!fits.is_empty());
        for f in &fits {
            assert!((f.r2_additive - 1.0).abs() < 1e-6 && f.r2_second_best < 1e-6, "{f:?}");
        }
        assert!((m.simple_neuron.r2_additive_mean - 1.0).abs() < 1e-6 && m.simple_neuron.r2_second_mean < 1e-6, "{:?}", m.simple_neuron);
    }
    // The hand-built Pizza reads E_a + E_b on two circles: its neurons are simple neurons with
    // locked phases, a disc in the first layer, and it keeps every answer with them replaced by
    // their fits.
    let (m, _) = measure(&pizza, &pizza_weights);
    assert!(m.simple_neuron.r2_first_mean > 1.0 - 1e-6 && m.simple_neuron.phase_locking > 1.0 - 1e-6, "{:?}", m.simple_neuron);
    assert!(m.cka_first_layer.disc > 1.0 - 1e-6, "{:?}", m.cka_first_layer);
    // Its peaks lie halfway between two tokens (u_c at ωc/2): rounding puts either side.
    assert_eq!(m.pad.within_one, 1.0, "{:?}", m.pad);
    assert_eq!(m.replaced_accuracy.first_order, 1.0);
}

/// What the 2026 reading gives on a released checkpoint (docs/science.md §10's table).
struct Expected {
    run: &'static str,
    /// Neuron-weighted first-layer CKA against disc, torus, circle; the logits' against the circle.
    first_layer: [f64; 3],
    logits_circle: f64,
    /// Mean R²_first, R²_additive, R²_second; phase locking.
    simple: [f64; 4],
    /// Diagonal fraction of the PAD, normalised centroid and argmax.
    diagonal: [f64; 2],
    /// Accuracy with the neurons replaced: first order, additive, first order + residual.
    replaced: [f64; 3],
}

const RELEASED: [Expected; 6] = [
    // Model A, α = 0 (Pizza).
    Expected {
        run: "p99zdpze5l",
        first_layer: [0.99943, 0.70699, 0.0],
        logits_circle: 0.98529,
        simple: [0.98446, 1.0, 0.0, 0.99999],
        diagonal: [0.95898, 0.64648],
        replaced: [1.0, 1.0, 1.0],
    },
    // Model B, α = 1 (Clock).
    Expected {
        run: "l8k1hzciux",
        first_layer: [0.94240, 0.66648, 0.01563],
        logits_circle: 0.91991,
        simple: [0.92428, 0.93986, 0.01595, 0.99994],
        diagonal: [0.90820, 0.21875],
        replaced: [0.79431, 0.96179, 1.0],
    },
    // MLP-Add: Model β and another type B (E_a + E_b through one table, two layers).
    Expected {
        run: "p71frej8t7",
        first_layer: [0.98746, 0.69824, 0.0],
        logits_circle: 0.97518,
        simple: [0.96970, 1.0, 0.0, 1.0],
        diagonal: [1.0, 1.0],
        replaced: [1.0, 1.0, 1.0],
    },
    Expected {
        run: "amw6ox6bzn",
        first_layer: [0.99883, 0.70628, 0.0],
        logits_circle: 0.94813,
        simple: [0.97473, 1.0, 0.0, 1.0],
        diagonal: [1.0, 0.98828],
        replaced: [0.99540, 1.0, 0.99540],
    },
    // MLP-Concat: Model δ and another type D (concat(E_a, E_b)).
    Expected {
        run: "qlvxqhkvit",
        first_layer: [0.69368, 0.97222, 0.0],
        logits_circle: 0.95611,
        simple: [0.99029, 1.0, 0.0, 0.03050],
        diagonal: [0.04061, 0.02538],
        replaced: [1.0, 1.0, 1.0],
    },
    Expected {
        run: "7r4zst7evs",
        first_layer: [0.69555, 0.99384, 0.0],
        logits_circle: 0.99073,
        simple: [0.99055, 1.0, 0.0, 0.01792],
        diagonal: [0.01594, 0.03187],
        replaced: [1.0, 1.0, 1.0],
    },
];

/// The released checkpoints to 1e-3 (accuracies to three pairs in 3481): Models A and B both
/// have a disc in the first layer and a circle at the logits, as MAN report; what tells them
/// apart is that Model A keeps every answer with its neurons replaced by their first-order fits
/// and Model B does not, while its non-additive residual brings them all back.
#[test]
fn released_checkpoints() {
    let close = |run: &str, name: &str, ours: f64, expected: f64, tolerance: f64| {
        assert!((ours - expected).abs() <= tolerance, "{run} {name}: ours {ours}, expected {expected} ± {tolerance}")
    };
    for e in &RELEASED {
        let (m, fits) = released(e.run);
        println!("{}: {} live neurons, {}", e.run, fits.len(), serde_json::to_string(&m).unwrap());
        let r = e.run;
        for (name, ours, expected) in [
            ("CKA disc", m.cka_first_layer.disc, e.first_layer[0]),
            ("CKA torus", m.cka_first_layer.torus, e.first_layer[1]),
            ("CKA circle", m.cka_first_layer.circle, e.first_layer[2]),
            ("logits CKA circle", m.cka_logits.circle, e.logits_circle),
            ("R² first", m.simple_neuron.r2_first_mean, e.simple[0]),
            ("R² additive", m.simple_neuron.r2_additive_mean, e.simple[1]),
            ("R² second", m.simple_neuron.r2_second_mean, e.simple[2]),
            ("phase locking", m.simple_neuron.phase_locking, e.simple[3]),
            ("PAD diagonal", m.pad.diagonal_fraction, e.diagonal[0]),
            ("PAD argmax diagonal", m.pad_argmax.diagonal_fraction, e.diagonal[1]),
        ] {
            close(r, name, ours, expected, 1e-3);
        }
        let a = m.replaced_accuracy;
        for (name, ours, expected) in [
            ("first order", a.first_order, e.replaced[0]),
            ("additive", a.additive, e.replaced[1]),
            ("first order + residual", a.first_order_plus_residual, e.replaced[2]),
        ] {
            close(r, name, ours, expected, 3.0 / 3481.0);
        }
        // The logits are a circle for all (MAN): no disc there.
        assert!(m.cka_logits.disc < 0.02, "{r}: {:?}", m.cka_logits);
        // In words, as the page says it: Model A's simple fits keep every answer, Model B needs
        // the non-additive part of its neurons.
        let words = m.in_words(1.0);
        assert!(words.contains("Logits: a circle"), "{r}: {words}");
        match r {
            "p99zdpze5l" => assert!(words.starts_with("First layer: a disc") && words.contains("the whole story"), "{words}"),
            "l8k1hzciux" => {
                assert!(words.contains("keeps 79.") && words.contains("non-additive part of its neurons does real work"), "{words}")
            }
            _ => {}
        }
        let histogram = Pad::of(&fits, Estimator::Centroid, 59).histogram();
        assert_eq!(histogram.iter().sum::<usize>(), fits.len());
    }
}

/// A report written before the measures (no `manifold` key) still reads, without them; one
/// written now carries them and reads back the same.
#[test]
fn reports_with_and_without_the_block_read() {
    let (run, weights) = ideal::pizza(31, [3, 11]);
    let report = block_on(analyze(&run, &weights, None, &Backend::CPU.device())).unwrap().report;
    let mut json = serde_json::to_value(&report).unwrap();
    let block = json["manifold"].clone();
    assert!(block["replaced_accuracy"]["first_order"].is_number(), "{block}");
    assert_eq!(serde_json::from_value::<Report>(json.clone()).unwrap().manifold, report.manifold);
    json.as_object_mut().unwrap().remove("manifold");
    assert_eq!(serde_json::from_value::<Report>(json).unwrap().manifold, None);
}
