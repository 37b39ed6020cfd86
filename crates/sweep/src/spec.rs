//! A sweep spec and its expansion into runs: a base run and either a grid of settings or the
//! paper's random scheme (docs/science.md §4.7). The same spec always expands into the same
//! runs, in the same order, with the same ids.

use grokscope_core::rng::{HostRng, Stream};
use grokscope_core::{ModelConfig, RunConfig};
use serde::{Deserialize, Serialize};

use crate::SweepError;

/// Runs in one sweep, at most: a spec that expands into more is refused before anything trains.
pub const MAX_RUNS: usize = 100_000;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(try_from = "SpecFields")]
pub struct SweepSpec {
    /// What every run starts from; the scheme sets the rest. The paper's recipe by default.
    pub base: RunConfig,
    #[serde(flatten)]
    pub scheme: Scheme,
}

/// [`SweepSpec`] as it is read. serde cannot refuse unknown keys beside a flattened field, and a
/// misspelt `"bsae"` would run the paper's full base (p 59, 20,000 steps a model); nor would it
/// refuse a spec with both schemes (it kept the first).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecFields {
    #[serde(default = "paper_base")]
    base: RunConfig,
    grid: Option<Grid>,
    random: Option<Random>,
}

impl TryFrom<SpecFields> for SweepSpec {
    type Error = String;
    fn try_from(f: SpecFields) -> Result<Self, String> {
        let scheme = match (f.grid, f.random) {
            (Some(grid), None) => Scheme::Grid(grid),
            (None, Some(random)) => Scheme::Random(random),
            (Some(_), Some(_)) => return Err("a spec has either `grid` or `random`, not both".into()),
            (None, None) => return Err("a spec needs `grid` or `random`".into()),
        };
        Ok(SweepSpec { base: f.base, scheme })
    }
}

fn paper_base() -> RunConfig {
    RunConfig::paper(1.0)
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    /// Every combination of the listed values; an empty list keeps the base's value.
    Grid(Grid),
    /// The paper's scheme: independent runs with α ~ U(0, 1), one seed each.
    Random(Random),
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Grid {
    pub attention_rate: Vec<f64>,
    pub d_model: Vec<usize>,
    pub n_heads: Vec<usize>,
    pub n_layers: Vec<usize>,
    pub lr: Vec<f64>,
    pub weight_decay: Vec<f64>,
    pub train_fraction: Vec<f64>,
    pub seed: Vec<u64>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Random {
    pub runs: usize,
    /// Seeds the draws (not the runs: each run gets a seed of its own from them).
    #[serde(default)]
    pub seed: u64,
    /// `[lo, hi]`: d_model = int(2^U(lo, hi)), the varying-width sweep's `[5, 9]`. Absent: the
    /// base's width, as in the fixed-width sweep.
    #[serde(default)]
    pub log2_d_model: Option<[f64; 2]>,
}

/// One run of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// A digest of the run's config: the same run has the same id in every expansion, shard
    /// and results table.
    pub id: String,
    pub run: RunConfig,
}

impl SweepSpec {
    pub fn from_json(text: &str) -> Result<Self, SweepError> {
        serde_json::from_str(text).map_err(|e| SweepError::Spec(format!("not a sweep spec ({e})")))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("specs serialise")
    }

    /// How many runs the spec expands into (without expanding it), or `None` past [`MAX_RUNS`].
    pub fn count(&self) -> Option<usize> {
        match &self.scheme {
            Scheme::Grid(grid) => grid.count(),
            Scheme::Random(random) => Some(random.runs).filter(|&n| n <= MAX_RUNS),
        }
    }

    /// Every run, in the spec's order; each valid, none twice.
    pub fn expand(&self) -> Result<Vec<Member>, SweepError> {
        let runs = match &self.scheme {
            Scheme::Grid(grid) => grid.expand(&self.base)?,
            Scheme::Random(random) => random.expand(&self.base)?,
        };
        let mut members: Vec<Member> = Vec::with_capacity(runs.len());
        let mut ids = std::collections::HashSet::new();
        for run in runs {
            if run.task.is_mixture() {
                return Err(SweepError::Spec(format!(
                    "the base run trains a mixture ({}): a sweep's ensembles train one operation; train the mixture as a run of its own",
                    run.task.operations_name()
                )));
            }
            run.validate().map_err(|e| SweepError::Spec(format!("run {}: {e}", describe(&run))))?;
            let id = run_id(&run);
            if !ids.insert(id.clone()) {
                return Err(SweepError::Spec(format!("the spec lists the run {} twice", describe(&run))));
            }
            members.push(Member { id, run });
        }
        Ok(members)
    }
}

impl Grid {
    /// How many runs the grid expands into, or `None` past [`MAX_RUNS`].
    pub fn count(&self) -> Option<usize> {
        [
            self.attention_rate.len(),
            self.d_model.len(),
            self.n_heads.len(),
            self.n_layers.len(),
            self.lr.len(),
            self.weight_decay.len(),
            self.train_fraction.len(),
            self.seed.len(),
        ]
        .iter()
        .try_fold(1usize, |n, &k| n.checked_mul(k.max(1)))
        .filter(|&n| n <= MAX_RUNS)
    }

    fn expand(&self, base: &RunConfig) -> Result<Vec<RunConfig>, SweepError> {
        let ModelConfig::Transformer(_) = base.model else {
            return Err(SweepError::Spec("sweeps train transformers: the base run is an MLP-only model".into()));
        };
        if self.count().is_none() {
            return Err(SweepError::Spec(format!("the grid has more than {MAX_RUNS} runs")));
        }
        let mut runs = vec![base.clone()];
        // Each setting multiplies the runs so far; the first listed varies slowest.
        runs = vary(runs, &self.attention_rate, |r, &v| transformer(r).attention_rate = v);
        runs = vary(runs, &self.d_model, |r, &v| transformer(r).d_model = v);
        runs = vary(runs, &self.n_heads, |r, &v| transformer(r).n_heads = v);
        runs = vary(runs, &self.n_layers, |r, &v| transformer(r).n_layers = v);
        runs = vary(runs, &self.lr, |r, &v| r.train.lr = v);
        runs = vary(runs, &self.weight_decay, |r, &v| r.train.weight_decay = v);
        runs = vary(runs, &self.train_fraction, |r, &v| r.train.train_fraction = v);
        runs = vary(runs, &self.seed, |r, &v| r.train.seed = v);
        Ok(runs)
    }
}

impl Random {
    fn expand(&self, base: &RunConfig) -> Result<Vec<RunConfig>, SweepError> {
        let ModelConfig::Transformer(_) = base.model else {
            return Err(SweepError::Spec("sweeps train transformers: the base run is an MLP-only model".into()));
        };
        if self.runs == 0 || self.runs > MAX_RUNS {
            return Err(SweepError::Spec(format!("{} runs: a random sweep has between 1 and {MAX_RUNS}", self.runs)));
        }
        if let Some([lo, hi]) = self.log2_d_model
            && !(lo.is_finite() && hi.is_finite() && 0.0 <= lo && lo <= hi && hi <= 10.0)
        {
            return Err(SweepError::Spec(format!("log2_d_model [{lo}, {hi}]: must satisfy 0 ≤ lo ≤ hi ≤ 10")));
        }
        let mut rng = HostRng::new(self.seed, Stream::Sweep);
        Ok((0..self.runs)
            .map(|_| {
                let mut run = base.clone();
                transformer(&mut run).attention_rate = rng.uniform();
                if let Some([lo, hi]) = self.log2_d_model {
                    // int(2^U(lo, hi)), as the paper's sweep (so hi itself is never drawn);
                    // libm, since a width is truncated and the platform's exp2 may differ in
                    // the last bit.
                    transformer(&mut run).d_model = libm::exp2(lo + (hi - lo) * rng.uniform()) as usize;
                }
                run.train.seed = (rng.uniform() * (1u64 << 32) as f64) as u64;
                run
            })
            .collect())
    }
}

fn transformer(run: &mut RunConfig) -> &mut grokscope_core::model::TransformerConfig {
    match &mut run.model {
        ModelConfig::Transformer(c) => c,
        ModelConfig::MlpOnly(_) => unreachable!("sweeps check that the base run is a transformer"),
    }
}

/// `runs` × `values`, each run copied once per value (the runs as they are when `values` is
/// empty).
fn vary<T>(runs: Vec<RunConfig>, values: &[T], set: impl Fn(&mut RunConfig, &T)) -> Vec<RunConfig> {
    if values.is_empty() {
        return runs;
    }
    runs.iter()
        .flat_map(|run| {
            values.iter().map(|v| {
                let mut run = run.clone();
                set(&mut run, v);
                run
            })
        })
        .collect()
}

/// A run's settings that sweeps vary, in a few words (for messages).
pub fn describe(run: &RunConfig) -> String {
    match &run.model {
        ModelConfig::Transformer(c) => {
            format!(
                "α = {}, d_model = {}, {} heads, {} layers, seed {}",
                c.attention_rate, c.d_model, c.n_heads, c.n_layers, run.train.seed
            )
        }
        ModelConfig::MlpOnly(c) => format!("MLP-only d_hidden = {}, seed {}", c.d_hidden, run.train.seed),
    }
}

/// 64-bit FNV-1a of the run's canonical JSON, in hex.
pub fn run_id(run: &RunConfig) -> String {
    let json = serde_json::to_string(run).expect("configs serialise");
    let hash = json.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3));
    format!("{hash:016x}")
}

/// `a:b:n` (n values from a to b, both included) or a comma-separated list: what the command
/// line's `--alpha 0:1:11` takes.
pub fn parse_values(text: &str) -> Result<Vec<f64>, String> {
    let number = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| format!("`{s}` is not a number"));
    if let [a, b, n] = text.split(':').collect::<Vec<_>>()[..] {
        let (a, b) = (number(a)?, number(b)?);
        let n: usize = n.trim().parse().map_err(|_| format!("`{n}`: the count after the second colon must be a whole number"))?;
        return match n {
            0 => Err(format!("`{text}`: the count must be at least 1")),
            1 => Ok(vec![a]),
            _ if n > MAX_RUNS => Err(format!("`{text}`: the count must be at most {MAX_RUNS}")),
            _ => Ok((0..n).map(|i| a + (b - a) * i as f64 / (n - 1) as f64).collect()),
        };
    }
    text.split(',').map(number).collect()
}

/// [`parse_values`] where each must be a whole number (widths, seeds).
pub fn parse_whole(text: &str) -> Result<Vec<u64>, String> {
    parse_values(text)?
        .into_iter()
        .map(|v| if v >= 0.0 && v.fract() == 0.0 && v < 2f64.powi(53) { Ok(v as u64) } else { Err(format!("{v} is not a whole number")) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(text: &str) -> SweepSpec {
        SweepSpec::from_json(text).unwrap()
    }

    #[test]
    fn a_grid_expands_in_order_and_keeps_the_base() {
        let spec = grid(r#"{"grid": {"attention_rate": [0, 1], "d_model": [32, 64], "seed": [0, 1, 2]}}"#);
        let members = spec.expand().unwrap();
        assert_eq!(members.len(), 12);
        let first = &members[0].run;
        assert_eq!(first.task.p, 59);
        assert_eq!(first.train.steps, 20_000);
        let settings: Vec<_> = members
            .iter()
            .map(|m| match &m.run.model {
                ModelConfig::Transformer(c) => (c.attention_rate, c.d_model, m.run.train.seed),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(settings[..4], [(0.0, 32, 0), (0.0, 32, 1), (0.0, 32, 2), (0.0, 64, 0)]);
        assert_eq!(settings[11], (1.0, 64, 2));
        assert_eq!(spec.expand().unwrap(), members, "the same spec expands the same way");
    }

    #[test]
    fn misspelt_keys_and_two_schemes_are_refused_by_name() {
        let refused = |text: &str| SweepSpec::from_json(text).unwrap_err().to_string();
        assert!(refused(r#"{"bsae": {}, "grid": {"attention_rate": [0]}}"#).contains("unknown field `bsae`"));
        let both = refused(r#"{"grid": {"attention_rate": [0]}, "random": {"runs": 3}}"#);
        assert!(both.contains("not both"), "{both}");
        assert!(refused(r#"{"grid": {"atention_rate": [0]}}"#).contains("unknown field `atention_rate`"));
        let base = r#"{"base": {"task": {"operation": "add", "p": 11}, "model": {"kind": "transformer", "d_model": 16,
            "n_heads": 4, "n_layers": 1, "activation": "ReLU", "attention_rate": 1, "diff_vocab": true},
            "train": {"stpes": 3}}, "grid": {"seed": [0]}}"#;
        assert!(refused(base).contains("unknown field `stpes`"));
        // What a spec writes, it reads.
        let spec = grid(&base.replace("stpes", "steps"));
        assert_eq!(SweepSpec::from_json(&spec.to_json()).unwrap(), spec);
    }

    #[test]
    fn ids_follow_the_run_not_its_place() {
        let a = grid(r#"{"grid": {"attention_rate": [0, 0.5]}}"#).expand().unwrap();
        let b = grid(r#"{"grid": {"attention_rate": [0.5, 0.25]}}"#).expand().unwrap();
        assert_eq!(a[1].id, b[0].id);
        assert_ne!(a[0].id, a[1].id);
        assert_eq!(a[0].id.len(), 16);
    }

    #[test]
    fn the_random_scheme_draws_the_papers_ranges() {
        let spec = grid(r#"{"random": {"runs": 400, "seed": 3, "log2_d_model": [5, 9]}}"#);
        let members = spec.expand().unwrap();
        assert_eq!(members.len(), 400);
        let (mut alphas, mut widths) = (Vec::new(), Vec::new());
        for m in &members {
            let ModelConfig::Transformer(c) = &m.run.model else { unreachable!() };
            alphas.push(c.attention_rate);
            widths.push(c.d_model);
        }
        assert!(alphas.iter().all(|a| (0.0..1.0).contains(a)));
        assert!(widths.iter().all(|w| (32..512).contains(w)), "{widths:?}");
        let below_128 = widths.iter().filter(|&&w| w < 128).count();
        assert!((150..250).contains(&below_128), "log-uniform: half below 2^7, got {below_128}");
        assert_eq!(spec.expand().unwrap(), members);
        let other = grid(r#"{"random": {"runs": 400, "seed": 4, "log2_d_model": [5, 9]}}"#).expand().unwrap();
        assert_ne!(other[0].id, members[0].id);
    }

    #[test]
    fn bad_specs_say_why() {
        let error = |text: &str| match SweepSpec::from_json(text).and_then(|s| s.expand()) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{text} was accepted"),
        };
        assert!(error(r#"{"grid": {"attention_rate": [2]}}"#).contains("attention rate 2"));
        assert!(error(r#"{"grid": {"seed": [1, 1]}}"#).contains("twice"));
        assert!(error(r#"{"grid": {"alpha": [1]}}"#).contains("not a sweep spec"));
        assert!(error(r#"{"random": {"runs": 0}}"#).contains("between 1"));
        assert!(error(r#"{"grid": {"seed": [0,1,2,3,4,5,6,7,8,9,10], "attention_rate": [0,1,2,3,4,5,6,7,8,9], "d_model": [0,1,2,3,4,5,6,7,8,9], "lr": [0,1,2,3,4,5,6,7,8,9], "weight_decay": [0,1,2,3,4,5,6,7,8,9]}}"#).contains("more than"));
        assert!(error("{").contains("not a sweep spec"));
        let mut mixture = SweepSpec::from_json(r#"{"grid": {"seed": [0, 1]}}"#).unwrap();
        mixture.base = RunConfig::furuta(grokscope_core::Operation::Add);
        mixture.base.task = mixture.base.task.with_operations("add,subtract").unwrap();
        assert!(mixture.expand().unwrap_err().to_string().contains("a mixture (add,subtract)"));
    }

    #[test]
    fn values_from_the_command_line() {
        assert_eq!(parse_values("0:1:5").unwrap(), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(parse_whole("32,64").unwrap(), vec![32, 64]);
        assert_eq!(parse_values("0.5").unwrap(), vec![0.5]);
        assert!(parse_values("0:1:x").unwrap_err().contains("whole number"));
        assert!(parse_whole("32,wide").unwrap_err().contains("`wide`"));
        assert!(parse_whole("32.5").unwrap_err().contains("whole"));
    }
}
