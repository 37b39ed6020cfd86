//! What tells runs apart when a compare cell overlays them: each run's settings, and of them
//! those that differ between the runs compared (the chart's legend names each run by them).

use grokscope_core::{ModelConfig, RunConfig};

/// A run's settings, by name, in the order a reader scans them.
fn settings(run: &RunConfig) -> Vec<(&'static str, String)> {
    let mut s = vec![("task", format!("({}) mod {}", run.task.operation.formula(), run.task.p))];
    match &run.model {
        ModelConfig::Transformer(t) => s.extend([
            ("α", t.attention_rate.to_string()),
            ("d_model", t.d_model.to_string()),
            ("heads", t.n_heads.to_string()),
            ("layers", t.n_layers.to_string()),
            ("activation", t.activation.name().to_string()),
        ]),
        ModelConfig::MlpOnly(m) => s.push(("model", format!("MLP only ({:?}), width {}", m.mlp_type, m.d_hidden))),
    }
    let t = &run.train;
    s.extend([
        ("lr", t.lr.to_string()),
        ("wd", t.weight_decay.to_string()),
        ("train fraction", t.train_fraction.to_string()),
        ("steps", t.steps.to_string()),
        ("seed", t.seed.to_string()),
    ]);
    s
}

/// For each run, the settings in which the runs differ, as "α 0, seed 1" (empty where they are
/// all alike, or for a single run).
pub fn differences(runs: &[&RunConfig]) -> Vec<String> {
    let all: Vec<Vec<(&str, String)>> = runs.iter().map(|r| settings(r)).collect();
    let Some(first) = all.first() else { return Vec::new() };
    let columns: Vec<usize> =
        (0..all.iter().map(Vec::len).max().unwrap_or(0)).filter(|&i| all.iter().any(|s| s.get(i) != first.get(i))).collect();
    all.iter()
        .map(|s| columns.iter().filter_map(|&i| s.get(i)).map(|(name, value)| format!("{name} {value}")).collect::<Vec<_>>().join(", "))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_told_apart_by_what_differs() {
        let clock = RunConfig::paper(1.0);
        let pizza = RunConfig::paper(0.0);
        let mut other_seed = RunConfig::paper(0.0);
        other_seed.train.seed = 3;
        assert_eq!(differences(&[&clock, &pizza, &other_seed]), ["α 1, seed 0", "α 0, seed 0", "α 0, seed 3"]);
        assert_eq!(differences(&[&clock, &clock]), ["", ""]);
        assert_eq!(differences(&[&clock]), [""]);
    }
}
