//! Everything measured about one model, computed on host copies of its weights (so the same
//! code runs natively and in the browser, whatever device trained the model).

use burn::prelude::*;
use grokscope_core::weights::Weights;
use grokscope_core::{Error, ModelConfig, Operation, RunConfig, Task};
use serde::{Deserialize, Serialize};

use crate::attention::attention_to_first_token;
use crate::circularity::{CircleFit, OperandCircularity, circle_fit, circularity, operand_circularity};
use crate::distance::distance_irrelevance;
use crate::embedding::embedding_rows;
use crate::fourier::{Spectrum, spectrum};
use crate::isolation::{IsolatedCircle, isolate_circles, top_circles_accuracy};
use crate::logits::LogitTable;
use crate::manifold::{Manifold, NeuronFit, manifold};
use crate::pca::{COMPONENTS, Pca};
use crate::progress::{ProgressMeasures, Spectra, progress_measures};
use crate::symmetricity::gradient_symmetricity;
use crate::verdict::{Verdict, verdict};

/// Components shown and read as circles (the paper's figures show 12).
pub const SHOWN_COMPONENTS: usize = 12;
/// Component pairs isolated: three main circles and their three accompanying ones in Model A.
pub const ISOLATED_PAIRS: usize = 6;

/// The numbers: what `grokscope analyze` prints and the notebook shows.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Report {
    pub task: Task,
    pub model: ModelConfig,
    /// Over all p² pairs.
    pub accuracy: f64,
    /// Over the held-out pairs, where the split is known (not for the paper's released files).
    pub test_accuracy: Option<f64>,
    pub gradient_symmetricity: f64,
    /// From the correct-class logit: the paper's Model A/B numbers.
    pub distance_irrelevance: f64,
    /// From the largest wrong logit: the published phase-diagram data.
    pub distance_irrelevance_top_wrong: f64,
    pub circularity: f64,
    /// With `diff_vocab`, each operand's circularity over its own vocabulary (what the verdict
    /// reads there: `circularity` caps near 0.5 for such models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operand_circularity: Option<OperandCircularity>,
    /// δ of each of the top 4 components.
    pub circle_steps: Vec<usize>,
    /// The first components: share of variance and circle fit.
    pub components: Vec<Component>,
    pub fourier: Spectrum,
    pub circles: Vec<IsolatedCircle>,
    /// Accuracy over every pair with the first n of `circles` kept, n = 1..=circles.len(): how
    /// many of its parallel circles the model needs.
    #[serde(default)]
    pub top_circles_accuracy: Vec<f64>,
    /// ‖θ‖₂ over every parameter.
    pub parameter_norm: f64,
    pub verdict: Verdict,
    pub progress: ProgressMeasures,
    /// The 2026 reading (docs/science.md §10): disc, torus or circle, the simple-neuron fit,
    /// the PAD and the replaced-neuron accuracies. `None` where it does not apply
    /// (`manifold::manifold` says where) and in reports written before it.
    #[serde(default)]
    pub manifold: Option<Manifold>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug)]
pub struct Component {
    pub explained_variance_ratio: f64,
    pub circle: CircleFit,
}

/// The report and the tables the plots draw. It crosses from the page's analysis worker as
/// a whole (serde), so every table is a field.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Analysis {
    pub report: Report,
    pub pca: Pca,
    /// Correct-class logit per pair.
    pub correct_logits: Vec<f64>,
    /// `[layer][head][pair]`, attention from the last position to the first token.
    pub attention: Vec<Vec<Vec<f32>>>,
    /// Per isolated circle (`report.circles`), the correct-class logit per pair with only that
    /// circle left.
    pub circle_logits: Vec<Vec<f64>>,
    pub spectra: Spectra,
    /// Per live neuron of the layer `report.manifold` reads: its simple-neuron fit and peaks
    /// (the PAD and R² charts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub neuron_fits: Vec<NeuronFit>,
    /// A mixture's other operations, each analysed as its own task (`Task::each`): the same
    /// weights, asked through that operation's operator token. Empty for one operation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mixed_with: Vec<Analysis>,
}

/// Analyses a model, each operation of a mixture apart (every operation shares the split).
/// `test_pairs` are the held-out pairs when the split is known. Runs on `device` (the CPU
/// backend is the natural choice: everything here is small).
pub async fn analyze(run: &RunConfig, weights: &Weights, test_pairs: Option<&[u32]>, device: &Device) -> Result<Analysis, Error> {
    weights.check_finite()?;
    let mut each = Vec::new();
    for task in run.task.each() {
        let run = RunConfig { task, ..run.clone() };
        each.push(analyze_operation(&run, weights, test_pairs, device).await?);
    }
    let mut first = each.remove(0);
    first.mixed_with = each;
    Ok(first)
}

/// The analysis of `run.task.operation` alone.
async fn analyze_operation(run: &RunConfig, weights: &Weights, test_pairs: Option<&[u32]>, device: &Device) -> Result<Analysis, Error> {
    let task = &run.task;
    let p = task.p;
    let logits = LogitTable::compute(run, weights, device).await?;
    let accuracy = logits.accuracy(task, 0..task.num_pairs());
    let test_accuracy = test_pairs.map(|pairs| logits.accuracy(task, pairs.iter().map(|&i| i as usize)));
    let correct_logits = logits.correct(task);

    let rows = embedding_rows(&run.model, weights)?;
    let pca = Pca::fit(&rows, COMPONENTS);
    let (circularity, fits) = circularity(&pca, p);
    let components = (0..SHOWN_COMPONENTS.min(pca.len()))
        .map(|j| Component { explained_variance_ratio: pca.explained_variance_ratio[j], circle: circle_fit(&pca.scores.column(j), p) })
        .collect();

    let gradient_symmetricity = gradient_symmetricity(run, weights, device).await?;
    let distance_irrelevance_top_wrong = distance_irrelevance(&logits.top_wrong(task), task);
    let distance_irrelevance = distance_irrelevance(&correct_logits, task);
    let operand_circularity = (run.model.encoding().diff_vocab && rows.rows >= 2 * p).then(|| operand_circularity(&rows, p));
    let verdict =
        verdict(task, test_accuracy.unwrap_or(accuracy), circularity, operand_circularity, gradient_symmetricity, distance_irrelevance);
    let isolated =
        if task.operation == Operation::Add { isolate_circles(run, weights, &pca, ISOLATED_PAIRS, device).await? } else { Vec::new() };
    let (circles, circle_logits): (Vec<IsolatedCircle>, Vec<Vec<f64>>) = isolated.into_iter().unzip();
    let top_circles_accuracy = top_circles_accuracy(run, weights, &pca, circles.len(), device).await?;
    let (progress, spectra) = progress_measures(run, weights, test_pairs, device).await?;
    let (manifold, neuron_fits) = manifold(run, weights, device).await?.unzip();
    let report = Report {
        task: task.clone(),
        model: run.model.clone(),
        accuracy,
        test_accuracy,
        gradient_symmetricity,
        distance_irrelevance,
        distance_irrelevance_top_wrong,
        circularity,
        operand_circularity,
        circle_steps: fits.iter().map(|f| f.step).collect(),
        components,
        fourier: spectrum(&rows, p),
        circles,
        top_circles_accuracy,
        parameter_norm: weights.squared_norm().sqrt(),
        verdict,
        progress,
        manifold,
    };
    let attention = attention_to_first_token(run, weights, device).await?;
    let neuron_fits = neuron_fits.unwrap_or_default();
    Ok(Analysis { report, pca, correct_logits, attention, circle_logits, spectra, neuron_fits, mixed_with: Vec::new() })
}
