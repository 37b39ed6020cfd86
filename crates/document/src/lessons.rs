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
    /// What it teaches, in a sentence (the lessons page, `?lessons`).
    pub about: &'static str,
    json: &'static str,
}

pub const LESSONS: [Lesson; 5] = [
    Lesson {
        name: "clock-vs-pizza",
        about: "The default notebook: the paper's two models side by side, α = 1 and α = 0, each with its analysis.",
        json: include_str!("../lessons/clock-vs-pizza.json"),
    },
    Lesson {
        name: "phase-diagram",
        about: "A small sweep of the attention rate from 0 to 1: where the Pizza gives way to the Clock, over the paper's points.",
        json: include_str!("../lessons/phase-diagram.json"),
    },
    Lesson {
        name: "grokking",
        about: "Nanda et al.'s setting sized for a browser: the circuit forms in the progress measures before test accuracy jumps.",
        json: include_str!("../lessons/grokking.json"),
    },
    Lesson {
        name: "beyond-addition",
        about: "Addition, subtraction and multiplication side by side, with Furuta et al.'s FFD and FCR and the discrete-log basis.",
        json: include_str!("../lessons/beyond-addition.json"),
    },
    Lesson {
        name: "clock-and-pizza",
        about: "The default notebook as a guided lesson at a laptop's size: predict, run, then check what each model found.",
        json: include_str!("../lessons/clock-and-pizza.json"),
    },
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
        [Size::Default, Size::Small].into_iter().find(|s| s.name() == name)
    }

    /// In the URL: `?size=small`.
    pub fn name(self) -> &'static str {
        match self {
            Size::Default => "default",
            Size::Small => "small",
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

/// How long the default notebook's experiments may take to train on the reader's device before
/// it opens at the small size instead: about two minutes to the first verdicts.
pub const FIT_SECONDS: f64 = 120.0;

/// The default notebook sized for a device, from the pace measured there: the paper's size
/// where its experiments train within `FIT_SECONDS`, else the small one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub size: Size,
    /// Seconds to train every experiment of the default notebook at the paper's size here.
    pub default_seconds: f64,
    /// The same at the small size, where it was measured.
    pub small_seconds: Option<f64>,
}

impl Fit {
    /// From the milliseconds a step of the default notebook's run takes here at the paper's
    /// size (and at the small size, if measured), with `parallel` experiments training at once.
    pub fn choose(default_ms: f64, small_ms: Option<f64>, parallel: usize) -> Fit {
        let default_seconds = training_seconds(&clock_vs_pizza(Size::Default), default_ms, parallel);
        let small_seconds = small_ms.map(|ms| training_seconds(&clock_vs_pizza(Size::Small), ms, parallel));
        let size = if default_seconds <= FIT_SECONDS { Size::Default } else { Size::Small };
        Fit { size, default_seconds, small_seconds }
    }
}

/// Seconds to train every experiment of `notebook` at `ms_per_step`, `parallel` at a time.
pub fn training_seconds(notebook: &Notebook, ms_per_step: f64, parallel: usize) -> f64 {
    let runs: Vec<&RunConfig> = notebook.experiments().map(|(_, run)| run).collect();
    let steps: usize = runs.iter().map(|r| r.train.steps).sum();
    steps as f64 * ms_per_step / 1e3 / parallel.clamp(1, runs.len().max(1)) as f64
}

/// The default notebook, "Clock vs Pizza", at `size`.
pub fn clock_vs_pizza(size: Size) -> Notebook {
    size.apply_to(LESSONS[0].notebook())
}

/// "What the attention rate does": a sweep over α (its sweep cell is also what "+ Sweep" adds).
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

    #[test]
    fn the_default_notebook_fits_the_device() {
        // Two experiments of 3,000 steps: at 20 ms a step, one at a time, 120 s.
        assert_eq!(training_seconds(&clock_vs_pizza(Size::Default), 20.0, 1), 120.0);
        assert_eq!(training_seconds(&clock_vs_pizza(Size::Default), 20.0, 8), 60.0);
        let gpu = Fit::choose(15.0, None, 1);
        assert_eq!((gpu.size, gpu.default_seconds), (Size::Default, 90.0));
        // The browser's CPU worker at the paper's size (docs/performance.md): about 0.37 s a step.
        let cpu = Fit::choose(370.0, Some(40.0), 2);
        assert_eq!(cpu.size, Size::Small);
        assert_eq!(cpu.default_seconds, 1110.0);
        assert_eq!(cpu.small_seconds, Some(24.0));
    }
}
