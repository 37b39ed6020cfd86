//! Which algorithm a model implements, by the rule of docs/science.md §8. The paper treats GS and DI
//! as continuous order parameters; the label is a reading aid and always comes with the
//! numbers behind it.

use grokscope_core::{Operation, Task};
use serde::{Deserialize, Serialize};

pub const MIN_ACCURACY: f64 = 0.99;
/// The paper's phase diagrams keep only runs this circular.
pub const MIN_CIRCULARITY: f64 = 0.995;
pub const PIZZA_MIN_GS: f64 = 0.98;
pub const PIZZA_MAX_DI: f64 = 0.4;
pub const CLOCK_MAX_GS: f64 = 0.8;
pub const CLOCK_MIN_DI: f64 = 0.6;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    Clock,
    Pizza,
    Mixed,
    /// Not accurate or not circular enough to tell: the paper drops such runs from its
    /// diagrams; we show them under this name.
    NonCircular,
    /// Clock and Pizza are algorithms for addition.
    NotAddition,
}

impl Algorithm {
    pub fn label(self) -> &'static str {
        match self {
            Algorithm::Clock => "Clock",
            Algorithm::Pizza => "Pizza",
            Algorithm::Mixed => "mixed",
            Algorithm::NonCircular => "non-circular",
            Algorithm::NotAddition => "not addition",
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Verdict {
    pub algorithm: Algorithm,
    /// The numbers and thresholds that decided it, in words.
    pub reason: String,
    /// What GS and DI alone read, Pizza or Clock, whatever the accuracy and circularity (for
    /// addition; `None` when they fit neither). A run whose circles are still forming already
    /// leans one way: the notebook shows it, qualified.
    pub leaning: Option<Algorithm>,
}

/// `accuracy` is test accuracy where the split is known, else accuracy over all pairs.
pub fn verdict(task: &Task, accuracy: f64, circularity: f64, gradient_symmetricity: f64, distance_irrelevance: f64) -> Verdict {
    let (gs, di) = (gradient_symmetricity, distance_irrelevance);
    let pizza = gs >= PIZZA_MIN_GS && di <= PIZZA_MAX_DI;
    let clock = gs <= CLOCK_MAX_GS && di >= CLOCK_MIN_DI;
    let (algorithm, reason) = if task.operation != Operation::Add {
        (Algorithm::NotAddition, format!("the task is {}; Clock and Pizza are algorithms for addition", task.operation.name()))
    } else if accuracy < MIN_ACCURACY || circularity < MIN_CIRCULARITY {
        let mut short = Vec::new();
        if accuracy < MIN_ACCURACY {
            short.push(format!("accuracy {accuracy:.3} < {MIN_ACCURACY}"));
        }
        if circularity < MIN_CIRCULARITY {
            short.push(format!("circularity {circularity:.4} < {MIN_CIRCULARITY}"));
        }
        let leaning = if pizza {
            format!("; GS {gs:.4} and DI {di:.3} alone would read Pizza")
        } else if clock {
            format!("; GS {gs:.4} and DI {di:.3} alone would read Clock")
        } else {
            String::new()
        };
        (Algorithm::NonCircular, format!("{}: not clean enough to classify{leaning}", short.join(" and ")))
    } else if pizza {
        (Algorithm::Pizza, format!("GS {gs:.4} ≥ {PIZZA_MIN_GS} and DI {di:.3} ≤ {PIZZA_MAX_DI}"))
    } else if clock {
        (Algorithm::Clock, format!("GS {gs:.4} ≤ {CLOCK_MAX_GS} and DI {di:.3} ≥ {CLOCK_MIN_DI}"))
    } else {
        (
            Algorithm::Mixed,
            format!(
                "GS {gs:.4} and DI {di:.3} fit neither Pizza (GS ≥ {PIZZA_MIN_GS}, DI ≤ {PIZZA_MAX_DI}) nor Clock (GS ≤ {CLOCK_MAX_GS}, DI ≥ {CLOCK_MIN_DI})"
            ),
        )
    };
    let leaning = match (task.operation, pizza, clock) {
        (Operation::Add, true, _) => Some(Algorithm::Pizza),
        (Operation::Add, _, true) => Some(Algorithm::Clock),
        _ => None,
    };
    Verdict { algorithm, reason, leaning }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule() {
        let add = Task::paper();
        assert_eq!(verdict(&add, 1.0, 0.9978, 0.9937, 0.1717).algorithm, Algorithm::Pizza);
        assert_eq!(verdict(&add, 1.0, 0.9989, 0.3336, 0.8483).algorithm, Algorithm::Clock);
        assert_eq!(verdict(&add, 1.0, 0.999, 0.9, 0.5).algorithm, Algorithm::Mixed);
        let forming = verdict(&add, 1.0, 0.73, 0.78, 0.72);
        assert_eq!((forming.algorithm, forming.leaning), (Algorithm::NonCircular, Some(Algorithm::Clock)));
        assert_eq!(verdict(&add, 1.0, 0.999, 0.9, 0.5).leaning, None);
        let v = verdict(&add, 0.5, 0.999, 0.99, 0.1);
        assert_eq!(v.algorithm, Algorithm::NonCircular);
        assert_eq!(v.reason, "accuracy 0.500 < 0.99: not clean enough to classify; GS 0.9900 and DI 0.100 alone would read Pizza");
        let sub = Task::new(Operation::Subtract, 59);
        assert_eq!(verdict(&sub, 1.0, 0.999, 0.99, 0.1).algorithm, Algorithm::NotAddition);
    }
}
