//! An experiment's metrics as files: CSV (one row per recorded step, for a spreadsheet) and
//! JSON (the run's settings with them, for code).

use grokscope_core::{RunConfig, Snapshot};
use serde::Serialize;

pub const CSV_HEADER: &str = "step,train_loss,train_accuracy,test_loss,test_accuracy,accuracy_all_pairs";

pub fn metrics_csv(history: &[Snapshot]) -> String {
    let mut csv = String::from(CSV_HEADER);
    csv.push('\n');
    for s in history {
        // `{}` prints the shortest text that reads back as the same f64.
        csv.push_str(&format!("{},{},{},{},{},{}\n", s.step, s.train_loss, s.train_acc, s.test_loss, s.test_acc, s.all_acc));
    }
    csv
}

#[derive(Serialize)]
struct Metrics<'a> {
    experiment: &'a str,
    run: &'a RunConfig,
    history: &'a [Snapshot],
}

pub fn metrics_json(experiment: &str, run: &RunConfig, history: &[Snapshot]) -> String {
    serde_json::to_string_pretty(&Metrics { experiment, run, history }).expect("metrics serialise")
}

/// A file name from a title: letters, digits and dashes.
pub fn file_stem(title: &str) -> String {
    let stem: String = title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if stem.is_empty() { "grokscope".into() } else { stem }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems() {
        assert_eq!(file_stem("Clock vs Pizza"), "clock-vs-pizza");
        assert_eq!(file_stem("Constant attention (α = 0)"), "constant-attention-0");
        assert_eq!(file_stem("α"), "grokscope");
    }
}
