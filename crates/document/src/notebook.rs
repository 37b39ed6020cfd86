//! The notebook as a document: its cells and their settings, nothing that a run produces. This
//! is what a saved notebook or a shared link holds, so it is plain serde data with a format
//! version.

use grokscope_core::RunConfig;
use grokscope_sweep::SweepSpec;
use serde::{Deserialize, Serialize};

use crate::DocumentError;

/// Bumped when a saved notebook would no longer mean the same thing.
pub const FORMAT_VERSION: u32 = 1;

/// Limits on a notebook from outside, far above what anyone writes by hand: a link or file
/// beyond them is refused before it can fill the page or the browser's storage.
pub const MAX_JSON_BYTES: usize = 1 << 20;
pub const MAX_CELLS: usize = 200;
pub const MAX_TEXT_CHARS: usize = 100_000;
pub const MAX_NAME_CHARS: usize = 200;
/// A question's choices, at most.
pub const MAX_CHOICES: usize = 8;
/// Cell ids stay far from overflow, so a new cell always gets a fresh one.
pub const MAX_CELL_ID: u32 = 1 << 20;
/// Models in one sweep cell: a few hours of a laptop at the small sizes a page trains; larger
/// sweeps are for the command line and a cluster (docs/sweeps.md).
pub const MAX_SWEEP_RUNS: usize = 1000;

/// Every struct here refuses keys it does not know, so a misspelt setting in a file or link is
/// an error by name rather than a default silently run.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Notebook {
    pub version: u32,
    pub title: String,
    pub cells: Vec<Cell>,
    /// A lesson: the controls the reader may not change (a teacher locks all but α, say).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locked: Vec<Control>,
}

/// What a lesson can lock: the layout of the notebook, and each setting of an experiment's
/// form. The names are the form's field names.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Control {
    /// Adding, deleting and moving cells, and editing text cells.
    Cells,
    Operation,
    Model,
    Activation,
    P,
    TrainFraction,
    AttentionRate,
    DModel,
    Heads,
    Lr,
    WeightDecay,
    Steps,
    Seed,
}

impl Control {
    pub const ALL: [Control; 13] = [
        Control::Cells,
        Control::Operation,
        Control::Model,
        Control::Activation,
        Control::P,
        Control::TrainFraction,
        Control::AttentionRate,
        Control::DModel,
        Control::Heads,
        Control::Lr,
        Control::WeightDecay,
        Control::Steps,
        Control::Seed,
    ];

    /// The form field's name (and the JSON name).
    pub fn key(self) -> &'static str {
        match self {
            Control::Cells => "cells",
            Control::Operation => "operation",
            Control::Model => "model",
            Control::Activation => "activation",
            Control::P => "p",
            Control::TrainFraction => "train_fraction",
            Control::AttentionRate => "attention_rate",
            Control::DModel => "d_model",
            Control::Heads => "heads",
            Control::Lr => "lr",
            Control::WeightDecay => "weight_decay",
            Control::Steps => "steps",
            Control::Seed => "seed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Control::Cells => "cells (add, delete, move, edit text)",
            Control::Operation => "task",
            Control::Model => "model",
            Control::Activation => "activation",
            Control::P => "p (modulus)",
            Control::TrainFraction => "train fraction",
            Control::AttentionRate => "attention rate α",
            Control::DModel => "width (d_model)",
            Control::Heads => "heads",
            Control::Lr => "learning rate",
            Control::WeightDecay => "weight decay",
            Control::Steps => "steps",
            Control::Seed => "seed",
        }
    }
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Cell {
    /// Stable within the notebook: analysis cells name their experiment by it.
    pub id: u32,
    #[serde(flatten)]
    pub kind: CellKind,
}

/// By hand, because serde refuses no unknown key beside a flattened field: the id is taken out
/// and the rest read as a [`CellKind`], whose variants refuse what they do not know.
impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut fields = serde_json::Map::deserialize(deserializer)?;
        let id = fields.remove("id").ok_or_else(|| D::Error::missing_field("id"))?;
        let id = u32::deserialize(id).map_err(D::Error::custom)?;
        let kind = CellKind::deserialize(serde_json::Value::Object(fields)).map_err(D::Error::custom)?;
        Ok(Cell { id, kind })
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CellKind {
    /// Markdown, rendered as text: raw HTML in it is shown, never run.
    Markdown {
        text: String,
    },
    Experiment {
        name: String,
        run: RunConfig,
    },
    /// The analysis of one experiment's model (or of a checkpoint loaded into the cell).
    Analysis {
        experiment: Option<u32>,
        charts: Vec<ChartChoice>,
    },
    /// Many runs (a grid over α, width, seed and the base recipe) and their phase diagram.
    Sweep {
        name: String,
        sweep: SweepSpec,
    },
    /// The curves (and progress measures) of several experiments overlaid in one chart; none
    /// listed: every experiment of the notebook.
    Compare {
        experiments: Vec<u32>,
    },
    /// A lesson's prediction before a run.
    Question(Question),
    /// Help, collapsed until the reader opens it (Markdown, rendered as text cells are).
    Hint {
        text: String,
    },
    /// What the lesson expects of the run of experiment `experiment`, checked once it has trained
    /// and been analysed.
    Check {
        experiment: Option<u32>,
        expect: Expectation,
    },
}

/// A lesson's prediction before a run: the reader picks one of `choices`; the answer and why
/// appear once the run of cell `after` (an experiment or a sweep) has finished, or at once
/// without one. The pick is the reader's, saved with their copy.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub prompt: String,
    pub choices: Vec<String>,
    pub answer: usize,
    pub explanation: String,
    pub after: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen: Option<usize>,
}

/// What a check cell expects of a run; each part optional.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// What the analysis reads, as the verdict names it: "Clock", "Pizza", ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_test_accuracy: Option<f64>,
}

impl Expectation {
    /// Each expectation and whether the run met it, in words: from the run's last test accuracy
    /// and what its analysis reads (`None`: not analysed yet, which meets no verdict).
    pub fn check(&self, test_accuracy: f64, reading: Option<&str>) -> Vec<(bool, String)> {
        let mut results = Vec::new();
        if let Some(min) = self.min_test_accuracy {
            let met = test_accuracy >= min;
            results.push((met, format!("test accuracy {test_accuracy:.3}, {} {min}", if met { "at least" } else { "below" })));
        }
        if let Some(expected) = &self.verdict {
            results.push(match reading {
                Some(read) if read == expected => (true, format!("the analysis reads {read}")),
                Some(read) => (false, format!("the analysis reads {read}, not {expected}")),
                None => (false, format!("no analysis of this run yet (expected {expected})")),
            });
        }
        results
    }
}

/// The charts an analysis cell can show.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ChartChoice {
    Readout,
    Circles,
    Components,
    CorrectLogits,
    Fourier,
    /// The spectrum in the multiplicative basis (multiplication and division).
    Characters,
    /// The last block's neurons: dominant input frequency and phases.
    Neurons,
    Attention,
    /// Each isolated circle alone, and the accuracy with the first n kept.
    ParallelCircles,
    /// The 2026 reading: where each neuron peaks (the phase alignment distribution), and the
    /// CKA of each frequency cluster against a disc, a torus and a circle.
    Pad,
    Cka,
}

impl ChartChoice {
    pub const ALL: [ChartChoice; 11] = [
        ChartChoice::Readout,
        ChartChoice::Circles,
        ChartChoice::Components,
        ChartChoice::CorrectLogits,
        ChartChoice::Fourier,
        ChartChoice::Characters,
        ChartChoice::Neurons,
        ChartChoice::Attention,
        ChartChoice::ParallelCircles,
        ChartChoice::Pad,
        ChartChoice::Cka,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ChartChoice::Readout => "GS / DI read-out",
            ChartChoice::Circles => "PCA circles",
            ChartChoice::Components => "components",
            ChartChoice::CorrectLogits => "logit heatmap",
            ChartChoice::Fourier => "Fourier spectrum",
            ChartChoice::Characters => "discrete-log spectrum",
            ChartChoice::Neurons => "neurons",
            ChartChoice::Attention => "attention",
            ChartChoice::ParallelCircles => "parallel circles",
            ChartChoice::Pad => "where neurons peak (2026)",
            ChartChoice::Cka => "disc, torus or circle (2026)",
        }
    }
}

impl Notebook {
    /// Every experiment's name and run, in cell order.
    pub fn experiments(&self) -> impl Iterator<Item = (&str, &RunConfig)> {
        self.cells.iter().filter_map(|c| match &c.kind {
            CellKind::Experiment { name, run } => Some((name.as_str(), run)),
            _ => None,
        })
    }

    /// Every run a shipped notebook's size or the URL's steps reshape: each experiment's, and
    /// each sweep's base.
    pub fn runs_mut(&mut self) -> impl Iterator<Item = &mut RunConfig> {
        self.cells.iter_mut().filter_map(|c| match &mut c.kind {
            CellKind::Experiment { run, .. } => Some(run),
            CellKind::Sweep { sweep, .. } => Some(&mut sweep.base),
            _ => None,
        })
    }

    pub fn next_id(&self) -> u32 {
        self.cells.iter().map(|c| c.id).max().unwrap_or(0) + 1
    }

    pub fn is_locked(&self, control: Control) -> bool {
        self.locked.contains(&control)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a notebook serialises")
    }

    /// A notebook file's text (`what` names it in messages: "file", "link"), checked.
    pub fn from_json(text: &[u8], what: &'static str) -> Result<Notebook, DocumentError> {
        if text.len() > MAX_JSON_BYTES {
            return Err(DocumentError::TooLarge { what, limit: MAX_JSON_BYTES });
        }
        // The version first, so that a newer notebook says so rather than failing to parse.
        #[derive(Deserialize)]
        struct Versioned {
            version: u32,
        }
        // Cut short or not JSON: damaged. Well-formed JSON with a value or key grokscope does not
        // know: asking for the same notebook again would not help, so say what is wrong in it.
        let unreadable = |e: serde_json::Error| match e.classify() {
            serde_json::error::Category::Data => DocumentError::Invalid(e.to_string()),
            _ => DocumentError::Corrupted { what, why: e.to_string() },
        };
        let Versioned { version } = serde_json::from_slice(text).map_err(unreadable)?;
        if version > FORMAT_VERSION {
            return Err(DocumentError::Newer { what, version, supported: FORMAT_VERSION });
        }
        let notebook: Notebook = serde_json::from_slice(text).map_err(unreadable)?;
        notebook.check()?;
        Ok(notebook)
    }

    /// What every notebook from outside must satisfy before the page shows it: a known format,
    /// sizes within the limits and every experiment a run grokscope can train.
    pub fn check(&self) -> Result<(), DocumentError> {
        let invalid = |why: String| Err(DocumentError::Invalid(why));
        if self.version != FORMAT_VERSION {
            return invalid(format!("format version {} is not one grokscope wrote", self.version));
        }
        if self.title.chars().count() > MAX_NAME_CHARS {
            return invalid(format!("its title is longer than {MAX_NAME_CHARS} characters"));
        }
        if self.cells.len() > MAX_CELLS {
            return invalid(format!("{} cells, more than the {MAX_CELLS} a notebook may have", self.cells.len()));
        }
        let mut ids = std::collections::HashSet::new();
        for cell in &self.cells {
            if cell.id > MAX_CELL_ID {
                return invalid(format!("cell id {} is above {MAX_CELL_ID}", cell.id));
            }
            if !ids.insert(cell.id) {
                return invalid(format!("two cells have the id {}", cell.id));
            }
            match &cell.kind {
                CellKind::Markdown { text } if text.chars().count() > MAX_TEXT_CHARS => {
                    return invalid(format!("text cell {} is longer than {MAX_TEXT_CHARS} characters", cell.id));
                }
                CellKind::Experiment { name, run } => {
                    if name.chars().count() > MAX_NAME_CHARS {
                        return invalid(format!("experiment {}'s name is longer than {MAX_NAME_CHARS} characters", cell.id));
                    }
                    if let Err(e) = run.validate() {
                        return invalid(format!("experiment “{name}”: {e}"));
                    }
                }
                CellKind::Sweep { name, sweep } => {
                    if name.chars().count() > MAX_NAME_CHARS {
                        return invalid(format!("sweep {}'s name is longer than {MAX_NAME_CHARS} characters", cell.id));
                    }
                    check_sweep(sweep).map_err(|e| DocumentError::Invalid(format!("sweep “{name}”: {e}")))?;
                }
                CellKind::Question(Question { prompt, choices, answer, explanation, chosen, .. }) => {
                    let long = [prompt, explanation].into_iter().chain(choices).any(|t| t.chars().count() > MAX_TEXT_CHARS);
                    if long {
                        return invalid(format!("question {} has a text longer than {MAX_TEXT_CHARS} characters", cell.id));
                    }
                    if !(2..=MAX_CHOICES).contains(&choices.len()) {
                        return invalid(format!("question {} has {} choices (2 to {MAX_CHOICES})", cell.id, choices.len()));
                    }
                    if *answer >= choices.len() || chosen.is_some_and(|c| c >= choices.len()) {
                        return invalid(format!("question {}'s answer or pick is not one of its {} choices", cell.id, choices.len()));
                    }
                }
                CellKind::Compare { experiments } if experiments.len() > MAX_CELLS => {
                    return invalid(format!("compare cell {} lists more than {MAX_CELLS} experiments", cell.id));
                }
                CellKind::Hint { text } if text.chars().count() > MAX_TEXT_CHARS => {
                    return invalid(format!("hint {} is longer than {MAX_TEXT_CHARS} characters", cell.id));
                }
                CellKind::Check { expect, .. }
                    if expect.verdict.as_ref().is_some_and(|v| v.chars().count() > MAX_NAME_CHARS)
                        || expect.min_test_accuracy.is_some_and(|a| !(0.0..=1.0).contains(&a)) =>
                {
                    return invalid(format!("check {} expects a verdict or a test accuracy that cannot be", cell.id));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// What a sweep cell must satisfy: at most [`MAX_SWEEP_RUNS`] models (counted before they are
/// expanded), each a valid run. The form checks its edits with it too.
pub fn check_sweep(sweep: &SweepSpec) -> Result<(), String> {
    match sweep.count() {
        Some(n) if n <= MAX_SWEEP_RUNS => sweep.expand().map(drop).map_err(|e| e.to_string()),
        n => Err(format!(
            "{} models, more than the {MAX_SWEEP_RUNS} a notebook's sweep may have (the command line's `grokscope sweep` trains larger ones)",
            n.map_or_else(|| "too many".to_string(), |n| n.to_string())
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use grokscope_sweep::spec::{Grid, Scheme};

    fn with_sweep(grid: Grid) -> Notebook {
        let sweep = SweepSpec { base: RunConfig::paper(1.0), scheme: Scheme::Grid(grid) };
        Notebook {
            version: FORMAT_VERSION,
            title: "t".into(),
            cells: vec![Cell { id: 1, kind: CellKind::Sweep { name: "s".into(), sweep } }],
            locked: vec![],
        }
    }

    #[test]
    fn a_sweep_cell_is_checked_like_an_experiment() {
        let fine = with_sweep(Grid { attention_rate: vec![0.0, 1.0], seed: vec![0, 1], ..Grid::default() });
        assert_eq!(fine.check(), Ok(()));
        let text = fine.to_json();
        assert_eq!(Notebook::from_json(text.as_bytes(), "file").unwrap(), fine, "a sweep cell reads back");

        let huge = with_sweep(Grid { attention_rate: vec![0.5; 1], seed: (0..1001).collect(), ..Grid::default() });
        let e = huge.check().unwrap_err().to_string();
        assert!(e.contains("1001 models, more than the 1000"), "{e}");
        let beyond = with_sweep(Grid { seed: (0..1000).collect(), d_model: (1..=50).map(|d| d * 4).collect(), ..Grid::default() });
        assert!(beyond.check().unwrap_err().to_string().contains("50000 models"), "counted before expanding");
        let invalid = with_sweep(Grid { d_model: vec![0], ..Grid::default() });
        let e = invalid.check().unwrap_err().to_string();
        assert!(e.contains("sweep “s”") && e.contains("d_model = 0"), "{e}");
    }

    fn question(choices: usize, answer: usize, chosen: Option<usize>) -> Notebook {
        let choices = (0..choices).map(|i| format!("choice {i}")).collect();
        let kind =
            CellKind::Question(Question { prompt: "?".into(), choices, answer, explanation: "because".into(), after: Some(2), chosen });
        Notebook { version: FORMAT_VERSION, title: "t".into(), cells: vec![Cell { id: 1, kind }], locked: vec![] }
    }

    #[test]
    fn lesson_cells_read_back_and_are_checked() {
        let fine = question(2, 1, Some(0));
        assert_eq!(Notebook::from_json(fine.to_json().as_bytes(), "file").unwrap(), fine);
        assert!(question(1, 0, None).check().unwrap_err().to_string().contains("1 choices (2 to 8)"));
        assert!(question(9, 0, None).check().is_err());
        assert!(question(3, 3, None).check().unwrap_err().to_string().contains("not one of its 3 choices"));
        assert!(question(3, 0, Some(5)).check().is_err());
        let check = |expect: Expectation| Notebook {
            cells: vec![Cell { id: 1, kind: CellKind::Check { experiment: Some(2), expect } }],
            ..question(2, 0, None)
        };
        assert_eq!(check(Expectation { verdict: Some("Pizza".into()), min_test_accuracy: Some(0.9) }).check(), Ok(()));
        assert!(check(Expectation { verdict: None, min_test_accuracy: Some(1.5) }).check().is_err());
    }

    #[test]
    fn an_expectation_says_what_was_met() {
        let expect = Expectation { verdict: Some("Pizza".into()), min_test_accuracy: Some(0.99) };
        assert_eq!(
            expect.check(0.995, Some("Pizza")),
            vec![(true, "test accuracy 0.995, at least 0.99".into()), (true, "the analysis reads Pizza".into())]
        );
        assert_eq!(
            expect.check(0.5, Some("Clock")),
            vec![(false, "test accuracy 0.500, below 0.99".into()), (false, "the analysis reads Clock, not Pizza".into())]
        );
        assert!(!expect.check(1.0, None)[1].0, "not analysed meets no verdict");
        assert!(Expectation::default().check(0.0, None).is_empty());
    }
}
