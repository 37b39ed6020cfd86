//! An experiment's metrics as files: CSV (one row per recorded step, for a spreadsheet) and
//! JSON (the run's settings with them, for code).

use grokscope_core::{RunConfig, Snapshot, Task};
use serde::Serialize;

pub const CSV_HEADER: &str = "step,train_loss,train_accuracy,test_loss,test_accuracy,accuracy_all_pairs";

/// One row per snapshot; a mixture's rows add each operation's four numbers, in columns named
/// after it (`test_accuracy_subtract`).
pub fn metrics_csv(history: &[Snapshot], task: &Task) -> String {
    let mut csv = String::from(CSV_HEADER);
    if task.is_mixture() {
        for op in task.operations() {
            let name = op.name();
            csv.push_str(&format!(",train_loss_{name},train_accuracy_{name},test_loss_{name},test_accuracy_{name}"));
        }
    }
    csv.push('\n');
    for s in history {
        // `{}` prints the shortest text that reads back as the same f64.
        csv.push_str(&format!("{},{},{},{},{},{}", s.step, s.train_loss, s.train_acc, s.test_loss, s.test_acc, s.all_acc));
        for t in &s.per_task {
            csv.push_str(&format!(",{},{},{},{}", t.train_loss, t.train_acc, t.test_loss, t.test_acc));
        }
        csv.push('\n');
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
    fn a_mixtures_csv_has_each_operations_columns() {
        let task = Task::paper().with_operations("add,subtract").unwrap();
        let one = |x: f64| Snapshot { step: 10, train_loss: x, train_acc: x, test_loss: x, test_acc: x, all_acc: x, per_task: Vec::new() };
        let history = [Snapshot { per_task: vec![one(0.25), one(0.5)], ..one(0.375) }];
        let csv = metrics_csv(&history, &task);
        let lines: Vec<&str> = csv.lines().collect();
        assert!(
            lines[0].ends_with("test_accuracy_add,train_loss_subtract,train_accuracy_subtract,test_loss_subtract,test_accuracy_subtract")
        );
        assert_eq!(lines[1], "10,0.375,0.375,0.375,0.375,0.375,0.25,0.25,0.25,0.25,0.5,0.5,0.5,0.5");
        assert_eq!(metrics_csv(&[one(1.0)], &Task::paper()), format!("{CSV_HEADER}\n10,1,1,1,1,1\n"));
    }

    #[test]
    fn file_stems() {
        assert_eq!(file_stem("Clock vs Pizza"), "clock-vs-pizza");
        assert_eq!(file_stem("Constant attention (α = 0)"), "constant-attention-0");
        assert_eq!(file_stem("α"), "grokscope");
    }
}
