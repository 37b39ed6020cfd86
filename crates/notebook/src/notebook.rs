//! The notebook as a document: its cells and their settings, nothing that a run produces. This
//! is what a saved notebook or a shared link holds, so it is plain serde data with a format
//! version.

use grokscope_core::model::{ModelConfig, TransformerConfig};
use grokscope_core::{RunConfig, Task};
use serde::{Deserialize, Serialize};

/// Bumped when a saved notebook would no longer mean the same thing.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Notebook {
    pub version: u32,
    pub title: String,
    pub cells: Vec<Cell>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Cell {
    /// Stable within the notebook: analysis cells name their experiment by it.
    pub id: u32,
    #[serde(flatten)]
    pub kind: CellKind,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CellKind {
    /// Markdown, rendered as text: raw HTML in it is shown, never run.
    Markdown { text: String },
    Experiment { name: String, run: RunConfig },
    /// The analysis of one experiment's model (or of a checkpoint loaded into the cell).
    Analysis { experiment: Option<u32>, charts: Vec<ChartChoice> },
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
    Attention,
}

impl ChartChoice {
    pub const ALL: [ChartChoice; 6] = [
        ChartChoice::Readout,
        ChartChoice::Circles,
        ChartChoice::Components,
        ChartChoice::CorrectLogits,
        ChartChoice::Fourier,
        ChartChoice::Attention,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ChartChoice::Readout => "GS / DI read-out",
            ChartChoice::Circles => "PCA circles",
            ChartChoice::Components => "components",
            ChartChoice::CorrectLogits => "logit heatmap",
            ChartChoice::Fourier => "Fourier spectrum",
            ChartChoice::Attention => "attention",
        }
    }

    pub fn chart(self) -> grokscope_plots::Chart {
        use grokscope_plots::Chart;
        match self {
            ChartChoice::Readout => Chart::Readout,
            ChartChoice::Circles => Chart::Circles,
            ChartChoice::Components => Chart::Components,
            ChartChoice::CorrectLogits => Chart::CorrectLogits,
            ChartChoice::Fourier => Chart::Fourier,
            ChartChoice::Attention => Chart::Attention,
        }
    }
}

/// How big the default notebook's runs are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// p = 59, the paper's model and recipe, stopped at 3,000 steps: the split shows in GS and DI.
    Default,
    /// p = 31 and d_model 32: the same story in seconds on a CPU (the browser tests use it).
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

    /// The paper's run at attention rate α, at this size.
    pub fn run(self, attention_rate: f64) -> RunConfig {
        let mut run = RunConfig::paper(attention_rate);
        let (p, d_model, steps, lr) = match self {
            Size::Default => (59, 128, DEFAULT_STEPS, DEFAULT_LR),
            Size::Small => (31, 32, SMALL_STEPS, SMALL_LR),
        };
        run.task = Task { p, ..Task::paper() };
        run.model = ModelConfig::Transformer(TransformerConfig { d_model, ..TransformerConfig::paper(attention_rate) });
        run.train.steps = steps;
        run.train.lr = lr;
        run.train.eval_every = 20;
        run
    }
}

// Measured with `grokscope train` + `grokscope analyze` (ARCHITECTURE.md, "Default notebook").
const DEFAULT_STEPS: usize = 3000;
const DEFAULT_LR: f64 = 1e-3;
const SMALL_STEPS: usize = 600;
const SMALL_LR: f64 = 3e-3;

/// "Clock vs Pizza": the paper's experiment, α = 1 beside α = 0, each with its analysis.
pub fn clock_vs_pizza(size: Size) -> Notebook {
    let intro = "## Clock vs Pizza\n\n\
        Two copies of the same one-layer transformer learn *(a + b) mod p*. They differ in one number, the \
        **attention rate** α: with α = 1 the attention is the standard softmax, with α = 0 it is constant \
        (every token attends equally).\n\n\
        Zhong et al. (2023) found that the first usually learns the **Clock**: it puts the numbers on circles \
        in its embedding and adds angles, so the correct logit depends on *a + b* alone. The second learns the \
        **Pizza**: it averages the two embeddings first, so the logit also depends on *a − b*, and its \
        gradients treat *a* and *b* alike. Press **Run all** and watch which one each finds."
        .to_string();
    let outro = "### Reading the numbers\n\n\
        - **Gradient symmetricity** (GS) near 1: the model treats *a* and *b* symmetrically, as the Pizza does.\n\
        - **Distance irrelevance** (DI) near 1: the correct logit ignores *a − b*, as the Clock's does.\n\
        - **Circularity** ≥ 0.995 is the paper's bar for a clean circle; below it an accurate \
        model is labelled by what GS and DI read, marked *circles still forming*.\n\n\
        These runs follow the paper's recipe but stop after 3,000 of its 20,000 steps, a fraction of the \
        paper's hour: the split already shows in GS and DI, while weight decay is still cleaning \
        up the circles. The full 20,000 steps give clean circles and the paper's values: GS 0.99 vs 0.33, \
        DI 0.17 vs 0.85. Change α in a form and run it again to walk \
        across the phase boundary near α ≈ 0.5."
        .to_string();
    let experiment = |id, name: &str, alpha| Cell { id, kind: CellKind::Experiment { name: name.into(), run: size.run(alpha) } };
    let analysis = |id, experiment| Cell {
        id,
        kind: CellKind::Analysis {
            experiment: Some(experiment),
            charts: vec![ChartChoice::CorrectLogits, ChartChoice::Circles],
        },
    };
    Notebook {
        version: FORMAT_VERSION,
        title: "Clock vs Pizza".into(),
        cells: vec![
            Cell { id: 1, kind: CellKind::Markdown { text: intro } },
            experiment(2, "Standard attention (α = 1)", 1.0),
            experiment(3, "Constant attention (α = 0)", 0.0),
            analysis(4, 2),
            analysis(5, 3),
            Cell { id: 6, kind: CellKind::Markdown { text: outro } },
        ],
    }
}

impl Notebook {
    pub fn next_id(&self) -> u32 {
        self.cells.iter().map(|c| c.id).max().unwrap_or(0) + 1
    }
}
