//! The paper's released checkpoints load with their official names and score as published
//! (Models A and B score 1.0; all 18 score exactly what the independent PyTorch forward of
//! `tests/reference/clock_pizza.py` gives); ours round-trip; broken files are refused with a
//! reason, never a panic (property-tested on random and mutated bytes: `fuzz`).

mod common;

use common::{checkpoint, reference_dir, tiny};
use grokscope_core::device::Backend;
use grokscope_core::weights::HostTensor;
use grokscope_core::{Checkpoint, Error, Model, Trainer};
use pollster::block_on;

/// How many of the 59² pairs each released checkpoint answers correctly, by an independent
/// PyTorch forward pass (`tests/reference/clock_pizza.py`). Not every released run
/// converged.
const CORRECT_PAIRS: [(&str, usize); 18] = [
    ("18c9ev5v5p", 3481),
    ("2fsoiei4o2", 3481),
    ("2k4ohj6bhd", 3481),
    ("4asyr7ht1p", 3481),
    ("7r4zst7evs", 3481),
    ("amw6ox6bzn", 3481),
    ("dy65ktpiij", 3371),
    ("f5dh675z97", 63),
    ("h9m153uuh9", 3481),
    ("hpv2jgskwe", 940),
    ("kboioj4ulz", 3481),
    ("l8k1hzciux", 3481),
    ("n9n7h3p965", 2028),
    ("p71frej8t7", 3481),
    ("p99zdpze5l", 3481),
    ("q9rsl94xlv", 3481),
    ("qlvxqhkvit", 3481),
    ("w386br1duh", 3481),
];

fn full_accuracy(c: &Checkpoint) -> f64 {
    let trainer = Trainer::from_weights(&c.run, &c.weights, &Backend::CPU.device()).unwrap();
    block_on(trainer.snapshot()).unwrap().all_acc
}

#[test]
fn models_a_and_b_load_and_score_one() {
    // Model A: constant attention (α = 0), the Pizza. Model B: standard attention, the Clock.
    for (id, alpha) in [("p99zdpze5l", 0.0), ("l8k1hzciux", 1.0)] {
        let c = checkpoint(id);
        match &c.run.model {
            grokscope_core::ModelConfig::Transformer(t) => assert_eq!(t.attention_rate, alpha),
            other => panic!("{id} is {other:?}"),
        }
        assert_eq!(c.weights.get("embed.W_E").unwrap().shape, vec![128, 59]);
        assert_eq!(c.weights.get("blocks.0.attn.W_Q").unwrap().shape, vec![4, 32, 128]);
        assert_eq!(full_accuracy(&c), 1.0, "{id}");
    }
    // ‖θ‖₂ of Model A, docs/science.md §7.
    assert!((checkpoint("p99zdpze5l").weights.squared_norm().sqrt() - 22.854).abs() < 1e-3);
}

#[test]
fn every_released_checkpoint_loads_and_scores_as_pytorch_does() {
    let dir = reference_dir().join("checkpoints");
    let mut ids: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().to_str()?.strip_suffix(".safetensors").map(String::from))
        .collect();
    ids.sort();
    assert_eq!(ids, CORRECT_PAIRS.map(|(id, _)| id.to_string()));
    for (id, correct) in CORRECT_PAIRS {
        let c = checkpoint(id);
        let ours = (full_accuracy(&c) * 3481.0).round() as usize;
        assert_eq!(ours, correct, "{id}: {:?}", c.run.model);
    }
}

#[test]
fn our_checkpoints_round_trip() {
    let run = tiny(0.3, 5);
    let mut trainer = Trainer::new(&run, &Backend::CPU.device()).unwrap();
    trainer.advance(5);
    let weights = block_on(trainer.weights()).unwrap();
    let saved = Checkpoint::new(run.clone(), weights.clone()).to_safetensors();
    let loaded = Checkpoint::from_safetensors(&saved).unwrap();
    assert_eq!(loaded.run, run);
    assert_eq!(loaded.weights, weights);
}

#[test]
fn broken_checkpoints_are_refused_with_a_reason() {
    let good = checkpoint("p99zdpze5l");
    let bytes = good.to_safetensors();
    let err = |b: &[u8]| Checkpoint::from_safetensors(b).unwrap_err().to_string();

    assert!(err(&bytes[..4]).contains("too short"));
    assert!(err(&bytes[..bytes.len() / 2]).contains("unreadable"));
    let mut lying = bytes.clone();
    lying[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(err(&lying).contains("header claims"));
    let mut garbage = bytes.clone();
    for b in &mut garbage[8..40] {
        *b = b'#';
    }
    assert!(err(&garbage).contains("unreadable"));
    assert!(err(&vec![0u8; 600 << 20]).contains("larger than"));

    // A dtype other than float32.
    let half = safetensors::serialize(
        [("embed.W_E", safetensors::tensor::TensorView::new(safetensors::Dtype::F16, vec![2], &[0u8; 4]).unwrap())],
        Some(
            [("config".to_string(), "{\"C\": 59, \"d_model\": 128, \"n_heads\": 4, \"n_layers\": 1, \"attn_coeff\": 1.0}".to_string())]
                .into(),
        ),
    )
    .unwrap();
    assert!(err(&half).contains("only float32"), "{}", err(&half));

    // Names and shapes that are not the model's.
    let device = Backend::CPU.device();
    let mut renamed = good.weights.clone();
    let w_e = renamed.0.remove("embed.W_E").unwrap();
    renamed.insert("embed.W_X", w_e.clone());
    let e = Model::from_weights(&good.run.model, 59, &renamed, &device).unwrap_err();
    assert_eq!(e, Error::MissingTensor("embed.W_E".into()));
    renamed.insert("embed.W_E", w_e);
    let e = Model::from_weights(&good.run.model, 59, &renamed, &device).unwrap_err();
    assert_eq!(e, Error::UnexpectedTensor("embed.W_X".into()));
    let mut reshaped = good.weights.clone();
    reshaped.insert("unembed.W_U", HostTensor::zeros(vec![59, 128]));
    let e = Model::from_weights(&good.run.model, 59, &reshaped, &device).unwrap_err();
    assert!(e.to_string().contains("[59, 128]"), "{e}");
}

mod fuzz {
    //! The safetensors reader on bytes it was never meant to see: an error or a checkpoint
    //! whose weights then build a model or are refused, never a panic. 1,000 cases per test in
    //! the test command; `PROPTEST_CASES=200000` for a longer run (ARCHITECTURE.md, "Tests").

    use super::*;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    /// A small model's checkpoint, to mutate.
    static GOOD: LazyLock<Vec<u8>> = LazyLock::new(|| {
        let mut run = tiny(1.0, 0);
        run.task.p = 7;
        if let grokscope_core::ModelConfig::Transformer(t) = &mut run.model {
            t.d_model = 8;
        }
        let weights = run.model.init_weights(run.task.p, 1);
        Checkpoint::new(run, weights).to_safetensors()
    });

    fn open(bytes: &[u8]) {
        if let Ok(c) = Checkpoint::from_safetensors(bytes) {
            let _ = c.run.validate().map(|()| Model::from_weights(&c.run.model, c.run.task.p, &c.weights, &Backend::CPU.device()));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

        #[test]
        fn any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            prop_assert!(Checkpoint::from_safetensors(&GOOD).is_ok(), "the file to mutate must be good");
            open(&bytes);
        }

        /// A header length that points anywhere, followed by any text.
        #[test]
        fn any_header(len in any::<u64>(), header in "\\PC{0,200}") {
            let mut bytes = len.to_le_bytes().to_vec();
            bytes.extend_from_slice(header.as_bytes());
            open(&bytes);
        }

        /// A real checkpoint with bytes changed, inserted or cut, in the header or the data.
        #[test]
        fn mutated_checkpoint(edits in prop::collection::vec((any::<usize>(), any::<u8>(), 0..3u8), 1..6)) {
            let mut bytes = GOOD.clone();
            let header_end = 8 + u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
            for (at, byte, op) in edits {
                // Most edits in the header, where the parsing is.
                let at = if byte % 4 == 0 { at % (bytes.len() + 1) } else { at % header_end.min(bytes.len()).max(1) };
                match op {
                    0 if at < bytes.len() => bytes[at] = byte,
                    1 => bytes.insert(at, byte),
                    _ => bytes.truncate(at),
                }
            }
            open(&bytes);
        }
    }
}
