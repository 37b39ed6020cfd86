//! Checkpoints as safetensors with the official tensor names and shapes.
//!
//! The metadata's `config` key holds the run's config in the official code's JSON form (`C`,
//! `d_model`, `attn_coeff`, `act_fn`, `model_type`, ...), so the paper's released checkpoints
//! load here and ours load in code written for them. `grokscope` holds our full `RunConfig`.

use std::collections::HashMap;

use safetensors::{Dtype, SafeTensors, tensor::TensorView};
use serde_json::{Value, json};

use crate::Error;
use crate::config::{MAX_D_MODEL, MAX_LAYERS, MAX_P, RunConfig, TrainConfig};
use crate::data::Split;
use crate::encoding::Encoding;
use crate::model::{Activation, MlpOnlyConfig, MlpOnlyType, ModelConfig, TransformerConfig};
use crate::task::{Operation, Task};
use crate::weights::{HostTensor, Weights};

/// Larger files are refused before anything is read or parsed (the page checks a dropped file's
/// size against it before reading it): the biggest model the limits allow is far smaller.
pub const MAX_CHECKPOINT_BYTES: usize = 512 << 20;
const MAX_HEADER_BYTES: u64 = 1 << 20;
const MAX_TENSORS: usize = 1024;

/// A model's weights and the run that made it (for the paper's files, the recipe their
/// config names, with our defaults for what it does not).
#[derive(Clone, Debug)]
pub struct Checkpoint {
    pub run: RunConfig,
    pub weights: Weights,
    pub origin: Origin,
}

/// Who wrote the file, which decides whether its train/test split can be rebuilt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// grokscope: the run's seed rebuilds the split.
    Grokscope,
    /// The official code (or other code writing its config): the split was not saved.
    Official,
}

impl Checkpoint {
    pub fn new(run: RunConfig, weights: Weights) -> Self {
        Checkpoint { run, weights, origin: Origin::Grokscope }
    }

    /// The held-out pairs, where the file's run can rebuild them.
    pub fn split(&self) -> Option<Split> {
        (self.origin == Origin::Grokscope).then(|| Split::new(&self.run.task, self.run.train.train_fraction, self.run.train.seed))
    }

    pub fn to_safetensors(&self) -> Vec<u8> {
        let metadata = HashMap::from([
            ("config".to_string(), official_config(&self.run).to_string()),
            ("grokscope".to_string(), serde_json::to_string(&self.run).expect("configs serialise")),
        ]);
        safetensors_bytes(&self.weights, metadata)
    }

    pub fn from_safetensors(bytes: &[u8]) -> Result<Self, Error> {
        let bad = |why: String| Error::BadCheckpoint(why);
        if bytes.len() > MAX_CHECKPOINT_BYTES {
            return Err(bad(format!(
                "{} MiB is larger than the {} MiB a checkpoint may have",
                bytes.len() >> 20,
                MAX_CHECKPOINT_BYTES >> 20
            )));
        }
        if bytes.len() < 8 {
            return Err(bad("the file is too short to be safetensors".into()));
        }
        let header_len = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
        if header_len > MAX_HEADER_BYTES || header_len > bytes.len() as u64 - 8 {
            return Err(bad(format!("its header claims {header_len} bytes, more than the file or the limit allows")));
        }
        let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(|e| bad(format!("unreadable safetensors header ({e})")))?;
        let metadata = metadata.metadata().as_ref();
        let ours = metadata.and_then(|m| m.get("grokscope"));
        let origin = if ours.is_some() { Origin::Grokscope } else { Origin::Official };
        let config = ours.or_else(|| metadata.and_then(|m| m.get("config")));
        let config = config.ok_or_else(|| bad("it has no `config` in its metadata, so the model it holds is unknown".into()))?;
        let run = parse_config(config)?;
        let tensors = SafeTensors::deserialize(bytes).map_err(|e| bad(format!("unreadable safetensors ({e})")))?;
        if tensors.len() > MAX_TENSORS {
            return Err(bad(format!("{} tensors; no model here has more than {MAX_TENSORS}", tensors.len())));
        }
        let mut weights = Weights::default();
        for (name, view) in tensors.iter() {
            if view.dtype() != Dtype::F32 {
                return Err(bad(format!("tensor `{name}` is {:?}; only float32 is supported", view.dtype())));
            }
            weights.insert(name, HostTensor::from_le_bytes(view.shape().to_vec(), view.data()));
        }
        weights.check_finite()?;
        Ok(Checkpoint { run, weights, origin })
    }
}

/// `weights` as float32 safetensors with `metadata`.
pub(crate) fn safetensors_bytes(weights: &Weights, metadata: HashMap<String, String>) -> Vec<u8> {
    let bytes: Vec<(&String, &HostTensor, Vec<u8>)> = weights.0.iter().map(|(name, t)| (name, t, t.to_le_bytes())).collect();
    let views = bytes
        .iter()
        .map(|(name, t, data)| (name.as_str(), TensorView::new(Dtype::F32, t.shape.clone(), data).expect("shape matches data")));
    safetensors::serialize(views, Some(metadata)).expect("in-memory f32 tensors serialise")
}

/// The config as the official code writes it.
fn official_config(run: &RunConfig) -> Value {
    let p = run.task.p;
    let funcs = format!("lambda x: ({})%{p}", run.task.operation.python(p));
    let train = &run.train;
    let mut v = match &run.model {
        ModelConfig::Transformer(t) => json!({
            "name": format!("mod{}_{p}", run.task.operation),
            "funcs": funcs,
            "C": p,
            "n_heads": t.n_heads,
            "d_model": t.d_model,
            "n_layers": t.n_layers,
            "attention_dir": "casual",
            "act_fn": t.activation,
            "batch_size": run.task.num_pairs(),
            "attn_coeff": t.attention_rate,
            "diff_vocab": t.encoding.diff_vocab as u8,
            "eqn_sign": t.encoding.eqn_sign as u8,
        }),
        ModelConfig::MlpOnly(m) => json!({
            "C": p,
            "funcs": funcs,
            "model_type": m.mlp_type,
            "n_vocab": p,
            "d_model": m.d_hidden,
            "d_hidden": m.d_hidden,
        }),
    };
    let o = v.as_object_mut().expect("object");
    o.insert("epoch".into(), json!(train.steps));
    o.insert("lr".into(), json!(train.lr));
    o.insert("weight_decay".into(), json!(train.weight_decay));
    o.insert("frac".into(), json!(train.train_fraction));
    v
}

/// Reads our `RunConfig` JSON or the official config JSON.
fn parse_config(text: &str) -> Result<RunConfig, Error> {
    let bad = |why: String| Error::BadCheckpoint(why);
    if let Ok(run) = serde_json::from_str::<RunConfig>(text) {
        run.validate().map_err(|e| bad(e.to_string()))?;
        return Ok(run);
    }
    let v: Value = serde_json::from_str(text).map_err(|e| bad(format!("its config is not JSON ({e})")))?;
    let uint = |key: &str, max: usize| -> Result<usize, Error> {
        let n = v.get(key).and_then(Value::as_u64).ok_or_else(|| bad(format!("its config has no whole number `{key}`")))?;
        if n == 0 || n as usize > max {
            return Err(bad(format!("its config says {key} = {n}, outside 1..={max}")));
        }
        Ok(n as usize)
    };
    // `diff_vocab` and `eqn_sign` appear as 0/1 and as false/true in the released configs.
    let flag = |key: &str| v.get(key).map(|x| x.as_bool().unwrap_or(x.as_u64() == Some(1))).unwrap_or(false);
    let p = uint("C", MAX_P)?;
    let operation = match v.get("funcs").and_then(Value::as_str) {
        None => Operation::Add,
        Some(f) => Operation::all()
            .into_iter()
            .find(|op| f.strip_prefix("lambda x: (").and_then(|f| f.strip_suffix(&format!(")%{p}"))) == Some(&op.python(p)))
            .ok_or_else(|| bad(format!("its task `{f}` is not one grokscope knows")))?,
    };
    let model = if let Some(kind) = v.get("model_type") {
        let mlp_type: MlpOnlyType = serde_json::from_value(kind.clone()).map_err(|_| bad(format!("unknown MLP model type {kind}")))?;
        ModelConfig::MlpOnly(MlpOnlyConfig { mlp_type, d_hidden: uint("d_hidden", MAX_D_MODEL)? })
    } else {
        let activation = match v.get("act_fn").and_then(Value::as_str) {
            None => Activation::ReLU,
            Some(name) => name.parse::<Activation>().map_err(bad)?,
        };
        let attention_rate = v.get("attn_coeff").and_then(Value::as_f64).ok_or_else(|| bad("its config has no `attn_coeff`".into()))?;
        ModelConfig::Transformer(TransformerConfig {
            d_model: uint("d_model", MAX_D_MODEL)?,
            n_heads: uint("n_heads", MAX_D_MODEL)?,
            n_layers: uint("n_layers", MAX_LAYERS)?,
            activation,
            attention_rate,
            encoding: Encoding { diff_vocab: flag("diff_vocab"), eqn_sign: flag("eqn_sign"), ..Default::default() },
        })
    };
    let mut train = match model {
        ModelConfig::Transformer(_) => TrainConfig::default(),
        ModelConfig::MlpOnly(_) => TrainConfig::mlp_only(),
    };
    if let Some(x) = v.get("lr").and_then(Value::as_f64) {
        train.lr = x;
    }
    if let Some(x) = v.get("weight_decay").and_then(Value::as_f64) {
        train.weight_decay = x;
    }
    if let Some(x) = v.get("frac").and_then(Value::as_f64) {
        train.train_fraction = x;
    }
    if let Some(x) = v.get("epoch").and_then(Value::as_u64) {
        train.steps = x as usize;
    }
    let run = RunConfig { task: Task::new(operation, p), model, train };
    run.validate().map_err(|e| bad(e.to_string()))?;
    Ok(run)
}
