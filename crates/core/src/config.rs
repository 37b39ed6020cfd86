//! A run: task, model and training recipe, with the paper's defaults and the limits we accept.

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::encoding::Encoding;
use crate::model::{MlpOnlyConfig, ModelConfig, TransformerConfig};
use crate::task::{Operation, Task, is_prime};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// Full-batch optimizer steps.
    pub steps: usize,
    pub lr: f64,
    /// Decoupled (AdamW) weight decay, applied to every parameter.
    pub weight_decay: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub epsilon: f64,
    /// The learning rate is `lr · min(step / warmup_steps, 1)`: step 0 runs at lr 0, as the
    /// official `LambdaLR(min(step/10, 1))`. 0 turns warm-up off.
    pub warmup_steps: usize,
    pub train_fraction: f64,
    /// Seeds the split and the initial weights (independent streams of one host RNG).
    pub seed: u64,
    /// Steps between metric snapshots.
    pub eval_every: usize,
}

impl Default for TrainConfig {
    /// The transformer recipe of docs/science.md §3.
    fn default() -> Self {
        TrainConfig {
            steps: 20_000,
            lr: 1e-3,
            weight_decay: 2.0,
            beta1: 0.9,
            beta2: 0.98,
            epsilon: 1e-8,
            warmup_steps: 10,
            train_fraction: 0.8,
            seed: 0,
            eval_every: 10,
        }
    }
}

impl TrainConfig {
    /// The MLP-only recipe of docs/science.md §2.1: PyTorch's default betas, no warm-up.
    pub fn mlp_only() -> Self {
        TrainConfig { beta2: 0.999, warmup_steps: 0, ..Default::default() }
    }

    pub fn learning_rate(&self, step: usize) -> f64 {
        if self.warmup_steps == 0 { self.lr } else { self.lr * (step as f64 / self.warmup_steps as f64).min(1.0) }
    }
}

/// Every configuration read from outside refuses keys it does not know: a misspelt `"stpes"`
/// would otherwise run the default 20,000 steps without a word.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    pub task: Task,
    pub model: ModelConfig,
    pub train: TrainConfig,
}

/// Limits that keep a run inside what a browser tab or a laptop can hold.
pub const MAX_P: usize = 257;
pub const MAX_D_MODEL: usize = 1024;
pub const MAX_LAYERS: usize = 8;
pub const MAX_STEPS: usize = 1_000_000;
/// Parameters plus the largest activations of one full-batch step, in f32 values.
pub const MAX_FOOTPRINT_VALUES: usize = 1 << 28;

impl RunConfig {
    /// The paper's run (docs/science.md §2-3) at attention rate α.
    pub fn paper(attention_rate: f64) -> Self {
        RunConfig {
            task: Task::paper(),
            model: ModelConfig::Transformer(TransformerConfig::paper(attention_rate)),
            train: TrainConfig::default(),
        }
    }

    /// Furuta et al.'s run (docs/operations.md): their encoding and model at p = 97, AdamW with
    /// weight decay 1 and no warm-up, 30 % of the pairs trained on.
    pub fn furuta(operation: Operation) -> Self {
        RunConfig {
            task: Task::new(operation, 97),
            model: ModelConfig::Transformer(TransformerConfig { encoding: Encoding::furuta(), ..TransformerConfig::paper(1.0) }),
            train: TrainConfig { weight_decay: 1.0, warmup_steps: 0, train_fraction: 0.3, ..Default::default() },
        }
    }

    pub fn mlp_only(config: MlpOnlyConfig) -> Self {
        RunConfig { task: Task::paper(), model: ModelConfig::MlpOnly(config), train: TrainConfig::mlp_only() }
    }

    /// Rough count of f32 values one training step holds: parameters, gradients and two
    /// AdamW moments, plus the activations of the full batch (every pair of every operation).
    pub fn footprint_values(&self) -> usize {
        let (p, batch) = (self.task.p, self.task.num_examples());
        match &self.model {
            ModelConfig::Transformer(c) => {
                let (d, v, n) = (c.d_model, c.encoding.vocab(p), c.encoding.n_ctx());
                let params = 2 * d * v + n * d + c.n_layers * (4 * d * d + 2 * d * c.d_mlp() + c.d_mlp() + d);
                let activations = batch * n * c.n_layers * (8 * d + 2 * c.d_mlp() + 2 * c.n_heads * n) + 2 * batch * v;
                4 * params + activations
            }
            ModelConfig::MlpOnly(c) => {
                let params = p * c.d_embed() + 2 * c.d_hidden * c.d_hidden + p * c.d_hidden;
                4 * params + batch * (2 * c.d_embed() + 6 * c.d_hidden + 2 * p)
            }
        }
    }

    /// Values in the largest single tensor of a full-batch step (the MLP's hidden activations,
    /// as a rule): a GPU must hold it in one buffer.
    pub fn largest_tensor_values(&self) -> usize {
        let (p, batch) = (self.task.p, self.task.num_examples());
        match &self.model {
            ModelConfig::Transformer(c) => {
                let n = c.encoding.n_ctx();
                batch * (n * c.d_mlp()).max(n * c.d_model).max(c.n_heads * n * n).max(c.encoding.vocab(p))
            }
            ModelConfig::MlpOnly(c) => batch * c.d_embed().max(c.d_hidden).max(p),
        }
    }

    pub fn validate(&self) -> Result<(), Error> {
        let bad = |why: String| Err(Error::InvalidConfig(why));
        let p = self.task.p;
        if !(3..=MAX_P).contains(&p) {
            return bad(format!("p = {p}: the modulus must be between 3 and {MAX_P}"));
        }
        if self.task.operation == Operation::Divide && !is_prime(p) {
            return bad(format!("p = {p}: division needs a prime modulus, where every b ≠ 0 has an inverse"));
        }
        if let Some(why) = self.task.invalid_mixture() {
            return bad(why);
        }
        match &self.model {
            ModelConfig::Transformer(c) => {
                if let Some(why) = c.encoding.invalid_for(&self.task) {
                    return bad(why.into());
                }
                if c.d_model == 0 || c.d_model > MAX_D_MODEL {
                    return bad(format!("d_model = {}: must be between 1 and {MAX_D_MODEL}", c.d_model));
                }
                // d_head = d_model / heads, rounded down, as the official code (a released
                // checkpoint has d_model 86 with 4 heads of 21).
                if c.n_heads == 0 || c.n_heads > c.d_model {
                    return bad(format!("{} heads: must be between 1 and d_model = {}", c.n_heads, c.d_model));
                }
                if c.n_layers == 0 || c.n_layers > MAX_LAYERS {
                    return bad(format!("{} layers: must be between 1 and {MAX_LAYERS}", c.n_layers));
                }
                if !(0.0..=1.0).contains(&c.attention_rate) {
                    return bad(format!("attention rate {}: must be between 0 and 1", number(c.attention_rate)));
                }
            }
            ModelConfig::MlpOnly(c) => {
                if self.task.is_mixture() {
                    return bad("a mixture of operations needs a transformer: its operator token says which one is asked".into());
                }
                if c.d_hidden < 2 || c.d_hidden > MAX_D_MODEL || c.d_hidden % 2 != 0 {
                    return bad(format!("d_hidden = {}: must be even and between 2 and {MAX_D_MODEL}", c.d_hidden));
                }
            }
        }
        let t = &self.train;
        if t.steps > MAX_STEPS {
            return bad(format!("{} steps: at most {MAX_STEPS}", t.steps));
        }
        if !(t.train_fraction > 0.0 && t.train_fraction < 1.0) || ((t.train_fraction * self.task.num_pairs() as f64) as usize) == 0 {
            return bad(format!("train fraction {}: must leave pairs both to train on and to test on", number(t.train_fraction)));
        }
        if !(t.lr.is_finite() && t.lr > 0.0 && t.lr <= 1.0) {
            return bad(format!("learning rate {}: must be in (0, 1]", number(t.lr)));
        }
        if !(t.weight_decay.is_finite() && t.weight_decay >= 0.0 && t.weight_decay * t.lr < 1.0) {
            return bad(format!("weight decay {}: must be ≥ 0 with lr · weight decay < 1", number(t.weight_decay)));
        }
        if !((0.0..1.0).contains(&t.beta1) && (0.0..1.0).contains(&t.beta2)) {
            return bad("AdamW betas must be in [0, 1)".into());
        }
        if !(t.epsilon.is_finite() && t.epsilon > 0.0) {
            return bad(format!("epsilon {}: must be positive", number(t.epsilon)));
        }
        if t.eval_every == 0 {
            return bad("eval_every must be at least 1".into());
        }
        let values = self.footprint_values();
        if values > MAX_FOOTPRINT_VALUES {
            return bad(format!(
                "this run would need about {} MiB of device memory; the limit is {} MiB",
                (values * 4) >> 20,
                (MAX_FOOTPRINT_VALUES * 4) >> 20
            ));
        }
        Ok(())
    }
}

/// A setting as a person wrote it: `1e300`, not its 301 digits.
pub fn number(x: f64) -> String {
    let magnitude = x.abs();
    if magnitude != 0.0 && !(1e-4..1e6).contains(&magnitude) { format!("{x:e}") } else { format!("{x}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_echoed_as_written() {
        let mut run = RunConfig::paper(1.0);
        run.train.weight_decay = 1e300;
        let why = run.validate().unwrap_err().to_string();
        assert!(why.contains("weight decay 1e300:"), "{why}");
        assert_eq!((number(0.8), number(2e-7), number(0.0), number(-1.0)), ("0.8".into(), "2e-7".into(), "0".into(), "-1".into()));
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        let json = serde_json::to_value(RunConfig::paper(1.0)).unwrap();
        for (path, key) in [("", "modle"), ("/train", "stpes"), ("/model", "atention_rate"), ("/task", "modulus")] {
            let mut bad = json.clone();
            bad.pointer_mut(path).unwrap().as_object_mut().unwrap().insert(key.into(), 3.into());
            let why = serde_json::from_value::<RunConfig>(bad).unwrap_err().to_string();
            assert!(why.contains(&format!("unknown field `{key}`")), "{path}: {why}");
        }
        let mlp = serde_json::json!({"task": {"operation": "add", "p": 11}, "model": {"kind": "mlp_only", "mlp_type": "A", "d_hidden": 8, "depth": 2}, "train": {}});
        assert!(serde_json::from_value::<RunConfig>(mlp).unwrap_err().to_string().contains("unknown field `depth`"));
        let furuta = RunConfig::furuta(Operation::Multiply);
        assert_eq!(serde_json::from_value::<RunConfig>(serde_json::to_value(&furuta).unwrap()).unwrap(), furuta);
    }

    #[test]
    fn warmup_starts_at_zero() {
        let t = TrainConfig::default();
        assert_eq!(t.learning_rate(0), 0.0);
        assert!((t.learning_rate(5) - 5e-4).abs() < 1e-12);
        assert_eq!(t.learning_rate(10), 1e-3);
        assert_eq!(t.learning_rate(5000), 1e-3);
        assert_eq!(TrainConfig::mlp_only().learning_rate(0), 1e-3);
    }

    #[test]
    fn paper_config_is_valid_and_absurd_ones_are_not() {
        assert_eq!(RunConfig::paper(0.0).validate(), Ok(()));
        let mut c = RunConfig::paper(1.0);
        c.task.p = 100_000;
        assert!(c.validate().unwrap_err().to_string().contains("modulus"));
        let mut c = RunConfig::paper(1.0);
        if let ModelConfig::Transformer(t) = &mut c.model {
            t.n_heads = 0;
        }
        assert!(c.validate().unwrap_err().to_string().contains("heads"));
        let mut c = RunConfig::paper(1.5);
        assert!(c.validate().is_err());
        c = RunConfig::paper(0.5);
        c.task.p = 257;
        if let ModelConfig::Transformer(t) = &mut c.model {
            t.d_model = 1024;
            t.n_layers = 8;
        }
        assert!(c.validate().unwrap_err().to_string().contains("MiB"));
    }

    #[test]
    fn furutas_run_is_valid_and_keeps_its_encoding_through_json() {
        let run = RunConfig::furuta(Operation::Multiply);
        assert_eq!(run.validate(), Ok(()));
        let json = serde_json::to_string(&run).unwrap();
        assert!(json.contains(r#""encoding":"furuta""#), "{json}");
        assert_eq!(serde_json::from_str::<RunConfig>(&json).unwrap(), run);
        let mut mixed = run;
        if let ModelConfig::Transformer(t) = &mut mixed.model {
            t.encoding.diff_vocab = true;
        }
        assert!(mixed.validate().unwrap_err().to_string().contains("Furuta"));
    }

    #[test]
    fn mixtures_train_in_furutas_encoding_and_travel_in_json() {
        let mut run = RunConfig::furuta(Operation::Add);
        assert!(!serde_json::to_string(&run).unwrap().contains("mixed_with"));
        run.task = run.task.with_operations("add,subtract,multiply").unwrap();
        assert_eq!(run.validate(), Ok(()));
        let json = serde_json::to_string(&run).unwrap();
        assert!(json.contains(r#""mixed_with":["subtract","multiply"]"#), "{json}");
        assert_eq!(serde_json::from_str::<RunConfig>(&json).unwrap(), run);
        assert_eq!(run.task.operations_name(), "add,subtract,multiply");
        let twice = RunConfig::furuta(Operation::Add).task.with_operations("add,add");
        assert!(twice.unwrap_err().contains("twice"));
        let divided = RunConfig::furuta(Operation::Add).task.with_operations("add,divide");
        assert!(divided.unwrap_err().contains("division trains alone"));
        let six = RunConfig::furuta(Operation::Add).task.with_operations("add,subtract,multiply,a^2+b^2,a^3+b^3,a^4+b^4");
        assert!(six.unwrap_err().contains("at most 5"));
        let mut clock_pizza = RunConfig::paper(1.0);
        clock_pizza.task = run.task.clone();
        assert!(clock_pizza.validate().unwrap_err().to_string().contains("needs Furuta's encoding"));
        let single = RunConfig { task: Task::new(Operation::Add, 97), ..run.clone() };
        assert_eq!(run.largest_tensor_values(), 3 * single.largest_tensor_values());
    }

    #[test]
    fn json_round_trip_with_defaults() {
        let c = RunConfig::paper(0.25);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<RunConfig>(&json).unwrap(), c);
        let partial = r#"{"task":{"operation":"add","p":23},"model":{"kind":"transformer","d_model":32,"n_heads":4,"n_layers":1,"activation":"ReLU","attention_rate":1.0},"train":{"steps":50}}"#;
        let c: RunConfig = serde_json::from_str(partial).unwrap();
        assert_eq!(c.train.lr, 1e-3);
        assert_eq!(c.train.steps, 50);
    }
}
