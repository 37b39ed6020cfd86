//! Analytic properties of the models that need no checkpoint (docs/science.md §7): α = 0 gives the
//! all-ones attention and α = 1 a row-stochastic one; Furuta's model masks attention causally (no
//! position embedding or biases in its table; over `[a, op, b]` the pattern's rows see 1, 2 and 3
//! keys, at α 1 and 0.25); MLP-only types A–C are exactly symmetric in (a, b), D is not; memory
//! estimates name the largest tensor; a seed's initial weights are pinned (a hash from before the
//! parameter tables), so old links train the same model; the pruned pass and the looked-up pass
//! have the full stream's logits and gradients to 1e-4 of scale (Models A and B, Furuta's model,
//! two layers).

mod common;

use burn::tensor::{Int, Tensor, TensorData};
use common::tiny;
use grokscope_core::device::Backend;
use grokscope_core::model::{MlpOnlyConfig, MlpOnlyType, ModelConfig, TransformerConfig};
use grokscope_core::training::cross_entropy;
use grokscope_core::{Encoding, Model, Operation, RunConfig, Task};

fn all_pairs(task: &Task, model: &ModelConfig, swapped: bool) -> Tensor<2, Int> {
    let pairs = task.examples().map(|e| if swapped { (e.b, e.a) } else { (e.a, e.b) });
    model.encoding().tokens(task, pairs, &Backend::CPU.device())
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec().unwrap()
}

/// α = 0 makes the attention matrix all ones; α = 1 makes each row a probability distribution.
#[test]
fn attention_rate_interpolates_between_ones_and_softmax() {
    for alpha in [0.0, 1.0] {
        let run = tiny(alpha, 0);
        let Model::Transformer(t) = Model::init(&run.model, run.task.p, 0, &Backend::CPU.device()) else { unreachable!() };
        let tokens = all_pairs(&run.task, &run.model, false);
        let x = t.embed(tokens) + t.w_pos.as_ref().unwrap().val().unsqueeze::<3>();
        let pattern: Vec<f32> = t.blocks[0].attn.forward(x).1.into_data().try_to_vec().unwrap();
        if alpha == 0.0 {
            assert!(pattern.iter().all(|&a| a == 1.0));
        } else {
            for row in pattern.chunks(2) {
                assert!((row[0] + row[1] - 1.0).abs() < 1e-5 && row.iter().all(|&a| a > 0.0 && a < 1.0), "{row:?}");
            }
        }
    }
}

/// Furuta's model has no position embedding and no MLP biases, and each query sees the keys up
/// to its own position: over `[a, op, b]` the rows of A are [1, 0, 0], [x, y, 0], [x, y, z].
#[test]
fn furutas_model_masks_attention_causally() {
    let mut run = RunConfig::furuta(Operation::Add);
    run.task.p = 13;
    run.model = ModelConfig::Transformer(TransformerConfig { d_model: 16, encoding: Encoding::furuta(), ..TransformerConfig::paper(1.0) });
    let names: Vec<String> = run.model.parameters(13).into_iter().map(|p| p.name).collect();
    assert!(!names.iter().any(|n| n.contains("pos_embed") || n.contains("b_in") || n.contains("b_out")), "{names:?}");
    for alpha in [1.0, 0.25] {
        let Model::Transformer(t) = Model::init(&run.model, 13, 0, &Backend::CPU.device()) else { unreachable!() };
        let mut attn = t.blocks[0].attn.clone();
        attn.attention_rate = alpha;
        let pattern = values(attn.forward(t.embed(all_pairs(&run.task, &run.model, false))).1);
        for row in pattern.chunks(9) {
            let (first, second, third) = (&row[0..3], &row[3..6], &row[6..9]);
            assert_eq!((first[1], first[2], second[2]), (0.0, 0.0, 0.0), "{row:?}");
            for (query, seen) in [(first, 1), (second, 2), (third, 3)] {
                let total: f32 = query.iter().sum();
                assert!((total - (alpha as f32 + (1.0 - alpha as f32) * seen as f32)).abs() < 1e-5, "{row:?}");
            }
        }
    }
}

/// Types A, B and C see the tokens only through sums, so their logits are exactly symmetric in
/// (a, b); type D concatenates the embeddings and is not.
#[test]
fn mlp_only_symmetry_follows_the_type() {
    let task = Task { p: 13, ..Task::paper() };
    for (mlp_type, symmetric) in [(MlpOnlyType::A, true), (MlpOnlyType::B, true), (MlpOnlyType::C, true), (MlpOnlyType::D, false)] {
        let config = ModelConfig::MlpOnly(MlpOnlyConfig { mlp_type, d_hidden: 16 });
        let model = Model::init(&config, task.p, 1, &Backend::CPU.device());
        let straight = values(model.forward(all_pairs(&task, &config, false)));
        let swapped = values(model.forward(all_pairs(&task, &config, true)));
        assert_eq!(straight.len(), 13 * 13 * 13);
        assert_eq!(straight == swapped, symmetric, "{mlp_type:?}");
    }
}

/// The memory estimates a browser checks before allocating: the largest tensor of the paper's
/// run is its MLP's hidden activations over all p² pairs, and it is part of the footprint.
#[test]
fn memory_estimates_name_the_largest_tensor() {
    let run = grokscope_core::RunConfig::paper(1.0);
    // 59² pairs × 2 positions × d_mlp 512.
    assert_eq!(run.largest_tensor_values(), 59 * 59 * 2 * 512);
    assert!(run.largest_tensor_values() < run.footprint_values());
    // p = 257, d_model 64 passes the page's limits but needs a 129 MiB buffer: more than
    // WebGPU's default 128 MiB.
    let mut big = tiny(1.0, 1);
    big.task.p = 257;
    if let ModelConfig::Transformer(t) = &mut big.model {
        t.d_model = 64;
    }
    big.validate().unwrap();
    assert_eq!((4 * big.largest_tensor_values()) >> 20, 129);
}

/// A seed's initial weights never change between versions: a link made by an earlier grokscope
/// must train the same model (FNV-1a of every name and value, pinned from the version before
/// the parameter tables).
#[test]
fn initial_weights_of_a_seed_are_pinned() {
    let fnv = |weights: &grokscope_core::weights::Weights| {
        let mut h: u64 = 0xcbf29ce484222325;
        for (name, t) in &weights.0 {
            let bytes = name.bytes().chain(t.values.iter().flat_map(|v| v.to_bits().to_le_bytes()));
            h = bytes.fold(h, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3));
        }
        h
    };
    let transformer = grokscope_core::RunConfig::paper(0.3);
    assert_eq!(fnv(&transformer.model.init_weights(59, 7)), 0xe4f69f395fc2e758);
    let mlp = ModelConfig::MlpOnly(MlpOnlyConfig::paper(MlpOnlyType::B));
    assert_eq!(fnv(&mlp.init_weights(59, 7)), 0xf6a0302c42d02620);
}

/// Training reads the last block out at the last position only, and a one-block model looks
/// its block's projections up per (position, token) (`Transformer::forward`); gradient
/// symmetricity reads the same pruned pass from token embeddings (`forward_embedded`). Their
/// logits and gradients equal those of the full residual stream read out there, to float
/// rounding: on the released Models A and B, on Furuta's model (no position embedding, causal
/// attention, three positions), and on a fresh two-layer model whose first block runs in full.
#[test]
fn the_pruned_forward_pass_has_the_full_streams_logits_and_gradients() {
    let device = Backend::CPU.device().autodiff();
    let fresh = |mut run: RunConfig, n_layers: usize| {
        if let ModelConfig::Transformer(t) = &mut run.model {
            (t.d_model, t.n_layers) = (32, n_layers);
        }
        let weights = run.model.init_weights(run.task.p, 3);
        (run, weights)
    };
    let furuta = RunConfig { task: Task { p: 23, ..Task::paper() }, ..RunConfig::furuta(Operation::Add) };
    let released = ["p99zdpze5l", "l8k1hzciux"].map(|id| {
        let c = common::checkpoint(id);
        (c.run, c.weights)
    });
    for (run, weights) in released.into_iter().chain([fresh(furuta, 1), fresh(tiny(0.5, 0), 2)]) {
        let Model::Transformer(t) = Model::from_weights(&run.model, run.task.p, &weights, &device).unwrap() else { unreachable!() };
        let tokens = all_pairs(&run.task, &run.model, false).to_device(&device);
        let labels: Vec<i64> = run.task.examples().map(|e| e.answer as i64).collect();
        let labels = Tensor::<1, Int>::from_data(TensorData::new(labels, [run.task.num_pairs()]), &device);
        let full_logits = |e: Tensor<3>| {
            let (x, _) = t.residual(e);
            let [b, n, d] = x.dims();
            x.narrow(1, n - 1, 1).reshape([b, d]).matmul(t.w_u.val())
        };
        // Logits, then the gradients of the loss at the token embeddings (or, from tokens, at
        // W_E), the last block's W_Q and the first block's W_K.
        let through = |logits: Tensor<2>, at: &dyn Fn(&_) -> Vec<f32>| {
            let grads = cross_entropy(logits.clone(), labels.clone()).mean().backward();
            [
                values(logits.detach()),
                at(&grads),
                values(t.blocks.last().unwrap().attn.w_q.val().grad(&grads).expect("a gradient")),
                values(t.blocks[0].attn.w_k.val().grad(&grads).expect("a gradient")),
            ]
        };
        let embedded = t.embed(tokens.clone()).detach().require_grad();
        let at_embeddings = |grads: &_| values(embedded.grad(grads).expect("a gradient"));
        let at_w_e = |grads: &_| values(t.w_e.val().grad(grads).expect("a gradient"));
        let compared = [
            (
                "from token embeddings",
                through(t.forward_embedded(embedded.clone()), &at_embeddings),
                through(full_logits(embedded.clone()), &at_embeddings),
            ),
            ("from tokens", through(t.forward(tokens.clone()), &at_w_e), through(full_logits(t.embed(tokens.clone())), &at_w_e)),
        ];
        for (path, pruned, full) in compared {
            for (what, (ours, theirs)) in
                ["logits", "d loss / d input", "d loss / d W_Q", "d loss / d W_K of the first block"].iter().zip(pruned.iter().zip(&full))
            {
                let scale = theirs.iter().fold(0f32, |m, v| m.max(v.abs()));
                let worst = ours.iter().zip(theirs).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
                assert!(worst <= 1e-4 * scale, "{what} {path} of {:?}: off by {worst} at scale {scale}", run.model);
            }
        }
    }
}
