//! The notebooks that ship with grokscope, as data files (`lessons/*.json`, read at build
//! time): the default notebook is the first. Each is checked by a test (it passes
//! `Notebook::check` and its link fits the budget), and `?lesson=NAME` opens one.

use crate::notebook::Notebook;
use grokscope_core::RunConfig;
use grokscope_core::model::ModelConfig;

#[derive(Debug)]
pub struct Lesson {
    /// In the URL: `?lesson=clock-vs-pizza`.
    pub name: &'static str,
    json: &'static str,
}

pub const LESSONS: [Lesson; 4] = [
    Lesson { name: "clock-vs-pizza", json: include_str!("../lessons/clock-vs-pizza.json") },
    Lesson { name: "phase-diagram", json: include_str!("../lessons/phase-diagram.json") },
    Lesson { name: "grokking", json: include_str!("../lessons/grokking.json") },
    Lesson { name: "beyond-addition", json: include_str!("../lessons/beyond-addition.json") },
];

impl Lesson {
    pub fn notebook(&self) -> Notebook {
        Notebook::from_json(self.json.as_bytes(), "lesson").expect("a shipped lesson reads (tested)")
    }
}

/// The lesson called `name`, or why there is none.
pub fn lesson(name: &str) -> Result<&'static Lesson, String> {
    LESSONS.iter().find(|l| l.name == name).ok_or_else(|| {
        let names: Vec<_> = LESSONS.iter().map(|l| l.name).collect();
        format!("there is no lesson “{name}” (the lessons: {})", names.join(", "))
    })
}

/// How big a shipped notebook's runs are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// As the lesson's file says: the default notebook has the paper's model and recipe, stopped
    /// at 3,000 steps, where the split shows in GS and DI.
    Default,
    /// p = 31 and d_model 32, 600 steps at a higher learning rate: the same story in seconds on a
    /// CPU (the browser tests use it).
    Small,
}

impl Size {
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "default" => Some(Size::Default),
            "small" => Some(Size::Small),
            _ => None,
        }
    }

    /// `run` at this size. The small size was chosen with `grokscope train` + `grokscope
    /// analyze`: both runs of the default notebook still split into Clock and Pizza.
    pub fn apply(self, mut run: RunConfig) -> RunConfig {
        if self == Size::Small {
            run.task.p = 31;
            if let ModelConfig::Transformer(t) = &mut run.model {
                t.d_model = 32;
            }
            run.train.steps = 600;
            run.train.lr = 3e-3;
        }
        run
    }

    /// Every experiment of `notebook` at this size.
    pub fn apply_to(self, mut notebook: Notebook) -> Notebook {
        for run in notebook.runs_mut() {
            *run = self.apply(run.clone());
        }
        notebook
    }
}

/// The default notebook, "Clock vs Pizza", at `size`.
pub fn clock_vs_pizza(size: Size) -> Notebook {
    size.apply_to(LESSONS[0].notebook())
}

/// "The phase diagram": a sweep over α (its sweep cell is also what "+ Sweep" adds).
pub fn phase_diagram() -> Notebook {
    LESSONS[1].notebook()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::encode;

    /// The link budget: a lesson's link fits in a chat message or a QR code.
    const MAX_LINK_CHARS: usize = 2000;

    #[test]
    fn every_lesson_reads_checks_and_fits_a_link() {
        for l in &LESSONS {
            let n = l.notebook();
            n.check().unwrap();
            assert!(encode(&n).len() <= MAX_LINK_CHARS, "{}: {} characters", l.name, encode(&n).len());
            assert_eq!(Size::Small.apply_to(n.clone()).check(), Ok(()), "{} at the small size", l.name);
        }
        assert!(lesson("nope").unwrap_err().contains("clock-vs-pizza"));
    }
}
