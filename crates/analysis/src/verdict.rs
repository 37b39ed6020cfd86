//! Which algorithm a model implements, by the rule of docs/science.md §8. The paper treats GS and DI
//! as continuous order parameters; the label is a reading aid and always comes with the
//! numbers behind it. Every accurate model of addition gets the reading its GS and DI give; how
//! clean its circles are qualifies that reading (the paper's 0.995 bar named) and never
//! replaces it, since the bar alone would hide the algorithm of two thirds of the paper's own
//! trained 1-layer models.

use grokscope_core::{Operation, Task};
use serde::{Deserialize, Serialize};

use crate::circularity::OperandCircularity;

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
    /// Not accurate enough to say what it computes. Reports written before every accurate model
    /// got a reading called this, and accurate models below the circularity bar, `non_circular`.
    #[serde(alias = "non_circular")]
    Unclassified,
    /// Clock and Pizza are algorithms for addition.
    NotAddition,
}

impl Algorithm {
    pub fn label(self) -> &'static str {
        match self {
            Algorithm::Clock => "Clock",
            Algorithm::Pizza => "Pizza",
            Algorithm::Mixed => "mixed",
            Algorithm::Unclassified => "unclassified",
            Algorithm::NotAddition => "not addition",
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Verdict {
    pub algorithm: Algorithm,
    /// The numbers and thresholds that decided it, in words, the circularity and its bar among them.
    pub reason: String,
    /// What GS and DI alone read, Pizza or Clock, whatever the accuracy (for addition; `None`
    /// when they fit neither). For an accurate model it is the reading; for an unclassified one,
    /// which way it already leans.
    pub leaning: Option<Algorithm>,
    /// The paper's filter: accurate and circularity ≥ [`MIN_CIRCULARITY`] (with `diff_vocab`,
    /// each operand's circularity over its own vocabulary). What the phase diagrams' published
    /// points all are; false in reports written before it existed.
    #[serde(default)]
    pub circular: bool,
}

impl Verdict {
    /// The qualifier of a reading whose circles are not clean: shown beside the label.
    pub fn qualifier(&self) -> Option<&'static str> {
        let read = matches!(self.algorithm, Algorithm::Clock | Algorithm::Pizza | Algorithm::Mixed);
        (read && !self.circular).then_some("circles below the paper's 0.995 circularity bar")
    }
}

/// `accuracy` is test accuracy where the split is known, else accuracy over all pairs;
/// `circularity` the official one (over every token); `operands` each operand's over its own
/// vocabulary, for `diff_vocab` models, where it replaces the official one (which caps near 0.5
/// there: a- and b-tokens are two unrelated sets of rows).
pub fn verdict(
    task: &Task,
    accuracy: f64,
    circularity: f64,
    operands: Option<OperandCircularity>,
    gradient_symmetricity: f64,
    distance_irrelevance: f64,
) -> Verdict {
    let (gs, di) = (gradient_symmetricity, distance_irrelevance);
    let pizza = gs >= PIZZA_MIN_GS && di <= PIZZA_MAX_DI;
    let clock = gs <= CLOCK_MAX_GS && di >= CLOCK_MIN_DI;
    let leaning = match (task.operation, pizza, clock) {
        (Operation::Add, true, _) => Some(Algorithm::Pizza),
        (Operation::Add, _, true) => Some(Algorithm::Clock),
        _ => None,
    };
    if task.operation != Operation::Add {
        let reason = format!("the task is {}; Clock and Pizza are algorithms for addition", task.operation.name());
        return Verdict { algorithm: Algorithm::NotAddition, reason, leaning, circular: false };
    }
    if accuracy < MIN_ACCURACY {
        let lean = match leaning {
            Some(a) => format!("; GS {gs:.4} and DI {di:.3} alone would read {}", a.label()),
            None => String::new(),
        };
        let reason = format!("accuracy {accuracy:.3} < {MIN_ACCURACY}: not accurate enough to say which algorithm it computes{lean}");
        return Verdict { algorithm: Algorithm::Unclassified, reason, leaning, circular: false };
    }
    let (algorithm, rule) = if pizza {
        (Algorithm::Pizza, format!("GS {gs:.4} ≥ {PIZZA_MIN_GS} and DI {di:.3} ≤ {PIZZA_MAX_DI}"))
    } else if clock {
        (Algorithm::Clock, format!("GS {gs:.4} ≤ {CLOCK_MAX_GS} and DI {di:.3} ≥ {CLOCK_MIN_DI}"))
    } else {
        let rule = format!(
            "GS {gs:.4} and DI {di:.3} fit neither Pizza (GS ≥ {PIZZA_MIN_GS}, DI ≤ {PIZZA_MAX_DI}) nor Clock (GS ≤ {CLOCK_MAX_GS}, DI ≥ {CLOCK_MIN_DI})"
        );
        (Algorithm::Mixed, rule)
    };
    let (clean, measured) = match operands {
        Some(o) => (
            o.a.min(o.b),
            format!(
                "circularity over each operand's own vocabulary {:.4} (a) and {:.4} (b) (diff_vocab: over both vocabularies at once it is {circularity:.4}, capped near 0.5)",
                o.a, o.b
            ),
        ),
        None => (circularity, format!("circularity {circularity:.4}")),
    };
    let circular = clean >= MIN_CIRCULARITY;
    let qualifier = if circular {
        format!("{measured} clears the paper's {MIN_CIRCULARITY} bar: clean circles, as the phase diagrams' points")
    } else {
        format!("{measured} is below the paper's {MIN_CIRCULARITY} bar: circles not clean, a run the paper's phase diagrams leave out")
    };
    Verdict { algorithm, reason: format!("{rule}; {qualifier}"), leaning, circular }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule() {
        let add = Task::paper();
        let read = |acc, circ, gs, di| verdict(&add, acc, circ, None, gs, di);
        // Models A and B (docs/science.md §7).
        let a = read(1.0, 0.9978, 0.9937, 0.1717);
        assert_eq!((a.algorithm, a.circular, a.qualifier()), (Algorithm::Pizza, true, None));
        assert_eq!(read(1.0, 0.9989, 0.3336, 0.8483).algorithm, Algorithm::Clock);
        assert_eq!(read(1.0, 0.999, 0.9, 0.5).algorithm, Algorithm::Mixed);
        assert_eq!(read(1.0, 0.999, 0.9, 0.5).leaning, None);
        // An accurate model below the bar keeps its reading, qualified.
        let forming = read(1.0, 0.73, 0.78, 0.72);
        assert_eq!((forming.algorithm, forming.leaning, forming.circular), (Algorithm::Clock, Some(Algorithm::Clock), false));
        assert!(forming.qualifier().is_some());
        assert_eq!(
            forming.reason,
            "GS 0.7800 ≤ 0.8 and DI 0.720 ≥ 0.6; circularity 0.7300 is below the paper's 0.995 bar: circles not clean, a run the paper's phase diagrams leave out"
        );
        // At the bar exactly is circular, as the paper's filter (≥).
        assert!(read(1.0, MIN_CIRCULARITY, 0.99, 0.1).circular);
        let v = read(0.5, 0.999, 0.99, 0.1);
        assert_eq!((v.algorithm, v.circular, v.qualifier()), (Algorithm::Unclassified, false, None));
        assert_eq!(
            v.reason,
            "accuracy 0.500 < 0.99: not accurate enough to say which algorithm it computes; GS 0.9900 and DI 0.100 alone would read Pizza"
        );
        let sub = Task::new(Operation::Subtract, 59);
        assert_eq!(verdict(&sub, 1.0, 0.999, None, 0.99, 0.1).algorithm, Algorithm::NotAddition);
    }

    /// With two vocabularies the operands' own circularities decide how clean the circles are;
    /// the official one (over both) is named but not used.
    #[test]
    fn diff_vocab_reads_each_operand() {
        let add = Task::paper();
        let clean = verdict(&add, 1.0, 0.52, Some(OperandCircularity { a: 0.998, b: 0.997 }), 0.997, 0.17);
        assert_eq!((clean.algorithm, clean.circular), (Algorithm::Pizza, true));
        assert!(clean.reason.contains("0.9980 (a) and 0.9970 (b)") && clean.reason.contains("0.5200"), "{}", clean.reason);
        let one_side = verdict(&add, 1.0, 0.52, Some(OperandCircularity { a: 0.998, b: 0.96 }), 0.997, 0.17);
        assert!(!one_side.circular, "the lesser operand decides");
    }

    /// Reports written before the reading was kept load: `non_circular` is read as unclassified,
    /// and a missing `circular` as false.
    #[test]
    fn old_reports_load() {
        let old: Verdict = serde_json::from_str(r#"{"algorithm":"non_circular","reason":"r","leaning":"pizza"}"#).unwrap();
        assert_eq!((old.algorithm, old.circular, old.leaning), (Algorithm::Unclassified, false, Some(Algorithm::Pizza)));
        assert_eq!(serde_json::to_value(Algorithm::Unclassified).unwrap(), "unclassified");
    }
}
