//! A Clock & Pizza transformer as TransformerLens' `HookedTransformer`: its state dict, in
//! TransformerLens' names and layouts, and the `HookedTransformerConfig` that rebuilds it
//! (docs/cli.md, "TransformerLens").
//!
//! Only α = 1 converts: TransformerLens' attention is softmax attention, which is what the model
//! computes at α = 1 (bidirectional, as the official code never applies its mask). At α < 1 the
//! pattern `α·softmax + (1−α)·J` has no TransformerLens equivalent, and the MLP-only models no
//! `HookedTransformer` shape at all; both are refused with that reason.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::checkpoint::safetensors_bytes;
use crate::config::RunConfig;
use crate::model::{Activation, BlockParameter, ModelConfig, transformer};
use crate::weights::{HostTensor, Weights};

/// A `HookedTransformer`'s state dict and config.
#[derive(Clone, Debug)]
pub struct HookedTransformer {
    /// `HookedTransformerConfig(**config)` rebuilds the model.
    pub config: Value,
    /// What `HookedTransformer.load_state_dict` takes: every parameter, the attention biases and
    /// `unembed.b_U` as zeros (the model has none).
    pub state_dict: Weights,
}

impl HookedTransformer {
    /// The model of `run` with `weights` (its official names and layouts), or why it has no
    /// TransformerLens equivalent.
    pub fn new(run: &RunConfig, weights: &Weights) -> Result<Self, String> {
        let ModelConfig::Transformer(t) = &run.model else {
            return Err("an MLP-only model has no TransformerLens equivalent: a HookedTransformer has attention".into());
        };
        if t.attention_rate != 1.0 {
            return Err(format!(
                "attention rate α = {} has no TransformerLens equivalent: TransformerLens computes softmax attention, \
                 which is α = 1; the pattern α·softmax + (1 − α)·J of α < 1 is not among its options",
                t.attention_rate
            ));
        }
        let act_fn = match t.activation {
            Activation::ReLU => "relu",
            // Both are the exact (erf) GeLU.
            Activation::GeLU => "gelu",
            Activation::Tanh => return Err("TransformerLens has no Tanh activation for its MLPs".into()),
        };
        let p = run.task.p;
        let (d_model, n_heads, d_head, d_mlp) = (t.d_model, t.n_heads, t.d_head(), t.d_mlp());
        let (vocab, n_ctx) = (t.encoding.vocab(p), t.encoding.n_ctx());
        let table = run.model.parameters(p);
        let tensor = |name: &str| -> Result<&HostTensor, String> {
            let shape = &table.iter().find(|q| q.name == name).expect("a transformer's own parameter").shape;
            weights.with_shape(name, shape).map_err(|e| e.to_string())
        };
        let mut state_dict = Weights::default();
        state_dict.insert("embed.W_E", tensor(transformer::EMBED)?.permuted(&[1, 0])); // [vocab, d_model]
        // Furuta's model has no position embedding and no MLP biases: TransformerLens' are zeros.
        let or_zeros = |name: &str, shape: Vec<usize>| match t.encoding.has_positions_and_biases() {
            true => tensor(name).cloned(),
            false => Ok(HostTensor::zeros(shape)),
        };
        state_dict.insert("pos_embed.W_pos", or_zeros(transformer::POS_EMBED, vec![n_ctx, d_model])?); // [n_ctx, d_model]
        for l in 0..t.n_layers {
            let ours = |b: BlockParameter| tensor(&b.name(l));
            let name = |local: &str| format!("blocks.{l}.{local}");
            for (b, x) in [(BlockParameter::Query, "Q"), (BlockParameter::Key, "K"), (BlockParameter::Value, "V")] {
                state_dict.insert(name(&format!("attn.W_{x}")), ours(b)?.permuted(&[0, 2, 1])); // [heads, d_model, d_head]
                state_dict.insert(name(&format!("attn.b_{x}")), HostTensor::zeros(vec![n_heads, d_head]));
            }
            // [d_model, heads · d_head] with head-major columns → [heads, d_head, d_model].
            let w_o = ours(BlockParameter::Output)?.reshaped(vec![d_model, n_heads, d_head]);
            state_dict.insert(name("attn.W_O"), w_o.permuted(&[1, 2, 0]));
            state_dict.insert(name("attn.b_O"), HostTensor::zeros(vec![d_model]));
            state_dict.insert(name("mlp.W_in"), ours(BlockParameter::MlpIn)?.permuted(&[1, 0])); // [d_model, d_mlp]
            state_dict.insert(name("mlp.b_in"), or_zeros(&BlockParameter::MlpInBias.name(l), vec![d_mlp])?);
            state_dict.insert(name("mlp.W_out"), ours(BlockParameter::MlpOut)?.permuted(&[1, 0])); // [d_mlp, d_model]
            state_dict.insert(name("mlp.b_out"), or_zeros(&BlockParameter::MlpOutBias.name(l), vec![d_model])?);
        }
        state_dict.insert("unembed.W_U", tensor(transformer::UNEMBED)?.clone()); // [d_model, vocab]
        state_dict.insert("unembed.b_U", HostTensor::zeros(vec![vocab]));
        let config = json!({
            "n_layers": t.n_layers,
            "d_model": d_model,
            "n_heads": n_heads,
            "d_head": d_head,
            "d_mlp": d_mlp,
            "d_vocab": vocab,
            "d_vocab_out": vocab,
            "n_ctx": n_ctx,
            "act_fn": act_fn,
            "normalization_type": Value::Null,
            "attention_dir": if t.encoding.is_causal() { "causal" } else { "bidirectional" },
            "positional_embedding_type": "standard",
            "seed": run.train.seed,
        });
        Ok(HookedTransformer { config, state_dict })
    }

    /// The state dict as safetensors, the config as JSON in its metadata under `config`.
    pub fn to_safetensors(&self) -> Vec<u8> {
        safetensors_bytes(&self.state_dict, HashMap::from([("config".to_string(), self.config.to_string())]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::Backend;
    use crate::encoding::Encoding;
    use crate::model::{Model, TransformerConfig};
    use crate::task::Task;

    /// A model of every shape the layouts must survive: two layers, heads · d_head short of
    /// d_model (10 = 3·3 + 1), both input variants.
    fn run(attention_rate: f64, activation: Activation) -> RunConfig {
        run_encoded(attention_rate, activation, Encoding { diff_vocab: true, eqn_sign: true, ..Default::default() })
    }

    fn run_encoded(attention_rate: f64, activation: Activation, encoding: Encoding) -> RunConfig {
        let mut run = RunConfig::paper(attention_rate);
        run.task = Task { p: 7, ..Task::paper() };
        run.model =
            ModelConfig::Transformer(TransformerConfig { d_model: 10, n_heads: 3, n_layers: 2, activation, attention_rate, encoding });
        run
    }

    fn at<'a>(sd: &'a Weights, name: &str) -> &'a HostTensor {
        sd.get(name).unwrap_or_else(|| panic!("no `{name}`"))
    }

    /// TransformerLens' forward pass, read off its components with its layouts (`x @ W_in`,
    /// `einsum("pos d, head d h -> head pos h")`, `z @ W_O` summed over heads), on one input.
    fn hooked_forward(cfg: &Value, sd: &Weights, tokens: &[u32]) -> Vec<f32> {
        let get = |key: &str| cfg[key].as_u64().unwrap() as usize;
        let (d, heads, d_head, d_mlp, vocab) = (get("d_model"), get("n_heads"), get("d_head"), get("d_mlp"), get("d_vocab"));
        let (gelu, causal) = (cfg["act_fn"] == "gelu", cfg["attention_dir"] == "causal");
        let w_e = at(sd, "embed.W_E");
        let w_pos = at(sd, "pos_embed.W_pos");
        let mut x: Vec<Vec<f32>> = tokens
            .iter()
            .enumerate()
            .map(|(i, &t)| (0..d).map(|m| w_e.values[t as usize * d + m] + w_pos.values[i * d + m]).collect())
            .collect();
        let n = x.len();
        for l in 0..get("n_layers") {
            let w = |local: &str| at(sd, &format!("blocks.{l}.{local}"));
            let project = |name: &str, bias: &str, row: &[f32], h: usize| -> Vec<f32> {
                (0..d_head)
                    .map(|k| {
                        (0..d).map(|m| row[m] * w(name).values[(h * d + m) * d_head + k]).sum::<f32>() + w(bias).values[h * d_head + k]
                    })
                    .collect()
            };
            let mut attended = vec![vec![0.0f32; d]; n];
            for h in 0..heads {
                let q: Vec<_> = x.iter().map(|r| project("attn.W_Q", "attn.b_Q", r, h)).collect();
                let k: Vec<_> = x.iter().map(|r| project("attn.W_K", "attn.b_K", r, h)).collect();
                let v: Vec<_> = x.iter().map(|r| project("attn.W_V", "attn.b_V", r, h)).collect();
                for i in 0..n {
                    let seen = if causal { i + 1 } else { n };
                    let scores: Vec<f32> =
                        (0..seen).map(|j| q[i].iter().zip(&k[j]).map(|(a, b)| a * b).sum::<f32>() / (d_head as f32).sqrt()).collect();
                    let top = scores.iter().cloned().fold(f32::MIN, f32::max);
                    let e: Vec<f32> = scores.iter().map(|s| (s - top).exp()).collect();
                    let total: f32 = e.iter().sum();
                    let z: Vec<f32> = (0..d_head).map(|c| (0..seen).map(|j| e[j] / total * v[j][c]).sum()).collect();
                    for m in 0..d {
                        attended[i][m] += (0..d_head).map(|c| z[c] * w("attn.W_O").values[(h * d_head + c) * d + m]).sum::<f32>();
                    }
                }
            }
            for (row, a) in x.iter_mut().zip(&attended) {
                for m in 0..d {
                    row[m] += a[m] + w("attn.b_O").values[m];
                }
                let hidden: Vec<f32> = (0..d_mlp)
                    .map(|j| {
                        let pre = (0..d).map(|m| row[m] * w("mlp.W_in").values[m * d_mlp + j]).sum::<f32>() + w("mlp.b_in").values[j];
                        if gelu { 0.5 * pre * (1.0 + libm::erff(pre / std::f32::consts::SQRT_2)) } else { pre.max(0.0) }
                    })
                    .collect();
                let out: Vec<f32> = (0..d)
                    .map(|m| (0..d_mlp).map(|j| hidden[j] * w("mlp.W_out").values[j * d + m]).sum::<f32>() + w("mlp.b_out").values[m])
                    .collect();
                for m in 0..d {
                    row[m] += out[m];
                }
            }
        }
        let (w_u, b_u) = (at(sd, "unembed.W_U"), at(sd, "unembed.b_U"));
        (0..vocab).map(|t| (0..d).map(|m| x[n - 1][m] * w_u.values[m * vocab + t]).sum::<f32>() + b_u.values[t]).collect()
    }

    /// The converted model, run as TransformerLens runs it, gives our logits on every pair: with
    /// two layers, Furuta's causal mask matters for the first.
    #[test]
    fn the_hooked_transformer_computes_our_logits() {
        let runs = [run(1.0, Activation::ReLU), run(1.0, Activation::GeLU), run_encoded(1.0, Activation::ReLU, Encoding::furuta())];
        for run in runs {
            let weights = run.model.init_weights(run.task.p, 3);
            let hooked = HookedTransformer::new(&run, &weights).unwrap();
            let encoding = run.model.encoding();
            let (task, device) = (&run.task, Backend::CPU.device());
            let pairs: Vec<Vec<u32>> = task.examples().map(|e| encoding.encode(task, e.a, e.b)).collect();
            let model = Model::from_weights(&run.model, task.p, &weights, &device).unwrap();
            let tokens = encoding.tokens(task, task.examples().map(|e| (e.a, e.b)), &device);
            let ours: Vec<f32> = model.forward(tokens).into_data().try_to_vec().unwrap();
            let vocab = encoding.vocab(run.task.p);
            for (i, pair) in pairs.iter().enumerate() {
                let theirs = hooked_forward(&hooked.config, &hooked.state_dict, pair);
                for (a, b) in ours[i * vocab..(i + 1) * vocab].iter().zip(&theirs) {
                    assert!((a - b).abs() <= 1e-4 * (1.0 + a.abs()), "{:?}, pair {pair:?}: ours {a}, TransformerLens' {b}", run.model);
                }
            }
        }
    }

    #[test]
    fn what_transformer_lens_cannot_compute_is_refused_with_why() {
        for (run, why) in [
            (run(0.5, Activation::ReLU), "α = 0.5 has no TransformerLens equivalent"),
            (run(1.0, Activation::Tanh), "no Tanh"),
            (RunConfig::mlp_only(crate::model::MlpOnlyConfig::paper(crate::model::MlpOnlyType::A)), "MLP-only"),
        ] {
            let weights = run.model.init_weights(run.task.p, 0);
            let err = HookedTransformer::new(&run, &weights).unwrap_err();
            assert!(err.contains(why), "{err}");
        }
    }

    #[test]
    fn the_config_travels_in_the_file() {
        let run = run(1.0, Activation::ReLU);
        let hooked = HookedTransformer::new(&run, &run.model.init_weights(run.task.p, 0)).unwrap();
        let bytes = hooked.to_safetensors();
        let (_, meta) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
        let config: Value = serde_json::from_str(&meta.metadata().as_ref().unwrap()["config"]).unwrap();
        assert_eq!(config, hooked.config);
        assert_eq!((config["d_vocab"].as_u64(), config["n_ctx"].as_u64(), config["d_head"].as_u64()), (Some(15), Some(3), Some(3)));
        let tensors = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        assert_eq!(tensors.tensor("blocks.1.attn.W_O").unwrap().shape(), [3, 3, 10]);
        assert_eq!(tensors.tensor("embed.W_E").unwrap().shape(), [15, 10]);
    }
}
