//! A sweep's results: one row per model, as CSV, in the published sweep's column names where
//! they exist (`attn_coeff`, `gradient_sim`, `distance_irrelevance` as the top-wrong variant, ...)
//! and ours beside them. Every model is kept, with the verdict's reading in `verdict`; whether it
//! passes the paper's filter is `Row::circular`.

use grokscope_analysis::Report;
use grokscope_analysis::verdict::{MIN_ACCURACY, MIN_CIRCULARITY};
use grokscope_core::{ModelConfig, RunConfig, Snapshot};

use crate::SweepError;
use crate::spec::Member;

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub run_id: String,
    pub attn_coeff: f64,
    pub d_model: usize,
    pub n_heads: usize,
    pub n_layers: usize,
    pub p: usize,
    pub seed: u64,
    pub steps: usize,
    pub lr: f64,
    pub weight_decay: f64,
    pub frac: f64,
    pub gradient_sim: f64,
    /// From the largest wrong logit, as the published tables.
    pub distance_irrelevance: f64,
    /// From the correct logit, as the paper's Model A/B numbers.
    pub distance_irrelevance_correct: f64,
    pub circularity: f64,
    pub validation_accuracy: f64,
    pub training_accuracy: f64,
    pub parameter_norm: f64,
    /// The verdict's label: Clock, Pizza or mixed for an accurate model, unclassified for
    /// another (tables written before said "non-circular" for both those below the circularity
    /// bar and the inaccurate).
    pub verdict: String,
    /// The 2026 reading (docs/science.md §10), empty where it does not apply (more than one
    /// block) and in tables written before it: first-layer CKA against the disc, logits' CKA
    /// against the circle, the PAD's diagonal fraction (normalised centroid), and the accuracy
    /// with every live neuron replaced by its first-order fit.
    pub cka_disc: Option<f64>,
    pub cka_circle_logits: Option<f64>,
    pub pad_diagonal: Option<f64>,
    pub replaced_accuracy_first_order: Option<f64>,
}

/// The header, in the order of [`Row`]'s fields.
pub const COLUMNS: [&str; 23] = [
    "run_id",
    "attn_coeff",
    "d_model",
    "n_heads",
    "n_layers",
    "p",
    "seed",
    "steps",
    "lr",
    "weight_decay",
    "frac",
    "gradient_sim",
    "distance_irrelevance",
    "distance_irrelevance_correct",
    "circularity",
    "validation_accuracy",
    "training_accuracy",
    "parameter_norm",
    "verdict",
    "cka_disc",
    "cka_circle_logits",
    "pad_diagonal",
    "replaced_accuracy_first_order",
];

/// Tables written before the manifold columns have the first this many: they read with those
/// columns empty.
const COLUMNS_BEFORE_MANIFOLD: usize = 19;

impl Row {
    /// A trained member's row: its settings, its last snapshot and its analysis.
    pub fn new(member: &Member, last: &Snapshot, report: &Report) -> Self {
        let run: &RunConfig = &member.run;
        let ModelConfig::Transformer(c) = &run.model else { unreachable!("sweeps train transformers") };
        Row {
            run_id: member.id.clone(),
            attn_coeff: c.attention_rate,
            d_model: c.d_model,
            n_heads: c.n_heads,
            n_layers: c.n_layers,
            p: run.task.p,
            seed: run.train.seed,
            steps: last.step,
            lr: run.train.lr,
            weight_decay: run.train.weight_decay,
            frac: run.train.train_fraction,
            gradient_sim: report.gradient_symmetricity,
            distance_irrelevance: report.distance_irrelevance_top_wrong,
            distance_irrelevance_correct: report.distance_irrelevance,
            circularity: report.circularity,
            validation_accuracy: last.test_acc,
            training_accuracy: last.train_acc,
            parameter_norm: report.parameter_norm,
            verdict: report.verdict.algorithm.label().to_string(),
            cka_disc: report.manifold.as_ref().map(|m| m.cka_first_layer.disc),
            cka_circle_logits: report.manifold.as_ref().map(|m| m.cka_logits.circle),
            pad_diagonal: report.manifold.as_ref().map(|m| m.pad.diagonal_fraction),
            replaced_accuracy_first_order: report.manifold.as_ref().map(|m| m.replaced_accuracy.first_order),
        }
    }

    /// The paper's filter (docs/science.md §8): accurate and circularity ≥ 0.995, what its
    /// figures keep and the phase diagrams' "circular" layer means. From the row's numbers, so
    /// tables written when `verdict` still said "non-circular" read the same.
    pub fn circular(&self) -> bool {
        self.validation_accuracy >= MIN_ACCURACY && self.circularity >= MIN_CIRCULARITY
    }

    /// One CSV line, without its newline. Numbers print as Rust's shortest exact form, so a
    /// table read back holds the same values.
    pub fn to_csv(&self) -> String {
        let r = self;
        [
            r.run_id.clone(),
            r.attn_coeff.to_string(),
            r.d_model.to_string(),
            r.n_heads.to_string(),
            r.n_layers.to_string(),
            r.p.to_string(),
            r.seed.to_string(),
            r.steps.to_string(),
            r.lr.to_string(),
            r.weight_decay.to_string(),
            r.frac.to_string(),
            r.gradient_sim.to_string(),
            r.distance_irrelevance.to_string(),
            r.distance_irrelevance_correct.to_string(),
            r.circularity.to_string(),
            r.validation_accuracy.to_string(),
            r.training_accuracy.to_string(),
            r.parameter_norm.to_string(),
            r.verdict.clone(),
            optional(r.cka_disc),
            optional(r.cka_circle_logits),
            optional(r.pad_diagonal),
            optional(r.replaced_accuracy_first_order),
        ]
        .join(",")
    }

    fn from_csv(line: &str) -> Result<Self, String> {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() != COLUMNS.len() && cells.len() != COLUMNS_BEFORE_MANIFOLD {
            return Err(format!("{} cells, expected {}", cells.len(), COLUMNS.len()));
        }
        let mut next = cells.into_iter().zip(COLUMNS);
        // Counted above: only the manifold columns of an older table run out, and read empty.
        let mut text = || next.next().unwrap_or_default();
        fn num<T: std::str::FromStr>((cell, column): (&str, &str)) -> Result<T, String> {
            cell.parse().map_err(|_| format!("{column} `{cell}` is not a number"))
        }
        // Empty: the measure was not taken.
        fn maybe((cell, column): (&str, &str)) -> Result<Option<f64>, String> {
            if cell.is_empty() { Ok(None) } else { num((cell, column)).map(Some) }
        }
        Ok(Row {
            run_id: text().0.to_string(),
            attn_coeff: num(text())?,
            d_model: num(text())?,
            n_heads: num(text())?,
            n_layers: num(text())?,
            p: num(text())?,
            seed: num(text())?,
            steps: num(text())?,
            lr: num(text())?,
            weight_decay: num(text())?,
            frac: num(text())?,
            gradient_sim: num(text())?,
            distance_irrelevance: num(text())?,
            distance_irrelevance_correct: num(text())?,
            circularity: num(text())?,
            validation_accuracy: num(text())?,
            training_accuracy: num(text())?,
            parameter_norm: num(text())?,
            verdict: text().0.to_string(),
            cka_disc: maybe(text())?,
            cka_circle_logits: maybe(text())?,
            pad_diagonal: maybe(text())?,
            replaced_accuracy_first_order: maybe(text())?,
        })
    }
}

fn optional(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

pub fn header() -> String {
    COLUMNS.join(",")
}

/// A whole table.
pub fn to_csv(rows: &[Row]) -> String {
    let mut out = header() + "\n";
    for row in rows {
        out += &row.to_csv();
        out.push('\n');
    }
    out
}

/// Reads a table. A last line without its newline is a row cut off when its writer was
/// killed: it is dropped (its run trains again), where any other bad line is an error.
pub fn parse(text: &str, name: &str) -> Result<Vec<Row>, SweepError> {
    let bad = |line: usize, why: String| SweepError::Results(format!("{name} line {line}: {why}"));
    let mut lines = text.split_inclusive('\n').enumerate();
    match lines.next() {
        Some((_, first)) if first.trim_end() == header() || first.trim_end() == COLUMNS[..COLUMNS_BEFORE_MANIFOLD].join(",") => {}
        Some(_) => return Err(bad(1, format!("not a grokscope results table (the header must be {})", header()))),
        None => return Ok(Vec::new()),
    }
    let mut rows = Vec::new();
    for (i, line) in lines {
        if !line.ends_with('\n') {
            break;
        }
        rows.push(Row::from_csv(line.trim_end()).map_err(|why| bad(i + 1, why))?);
    }
    Ok(rows)
}

/// Rows in the order of `members`, each run once: what merging shards gives. A run with two
/// rows is refused; runs with none are listed in the error unless `partial`.
pub fn in_sweep_order(members: &[Member], rows: Vec<(Row, String)>, partial: bool) -> Result<Vec<Row>, SweepError> {
    let mut by_id: std::collections::HashMap<String, (Row, String)> = std::collections::HashMap::new();
    for (row, source) in rows {
        if let Some((_, first)) = by_id.get(&row.run_id) {
            return Err(SweepError::Results(format!("run {} is in both {first} and {source}", row.run_id)));
        }
        by_id.insert(row.run_id.clone(), (row, source));
    }
    let known: std::collections::HashSet<&str> = members.iter().map(|m| m.id.as_str()).collect();
    if let Some((id, (_, source))) = by_id.iter().find(|(id, _)| !known.contains(id.as_str())) {
        return Err(SweepError::Results(format!("{source} has run {id}, which is not in this sweep")));
    }
    let missing: Vec<&str> = members.iter().filter(|m| !by_id.contains_key(&m.id)).map(|m| m.id.as_str()).collect();
    if !missing.is_empty() && !partial {
        let shown = missing.iter().take(5).copied().collect::<Vec<_>>().join(", ");
        let more = if missing.len() > 5 { format!(" and {} more", missing.len() - 5) } else { String::new() };
        return Err(SweepError::Results(format!("{} of {} runs have no results: {shown}{more}", missing.len(), members.len())));
    }
    Ok(members.iter().filter_map(|m| by_id.remove(&m.id).map(|(row, _)| row)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn row(id: &str) -> Row {
        Row {
            run_id: id.into(),
            attn_coeff: 0.1 + 0.2,
            d_model: 32,
            n_heads: 4,
            n_layers: 1,
            p: 23,
            seed: 7,
            steps: 300,
            lr: 1e-3,
            weight_decay: 2.0,
            frac: 0.8,
            gradient_sim: 0.987_654_321_012_345_6,
            distance_irrelevance: 0.25,
            distance_irrelevance_correct: 0.3,
            circularity: 0.999,
            validation_accuracy: 1.0,
            training_accuracy: 1.0,
            parameter_norm: 42.5,
            verdict: "Pizza".into(),
            cka_disc: Some(0.987),
            cka_circle_logits: Some(0.93),
            pad_diagonal: None,
            replaced_accuracy_first_order: Some(0.25),
        }
    }

    /// The circular layer is the paper's filter on the row's numbers, whatever its label says:
    /// a table written when the label was "non-circular" reads the same as one written now.
    #[test]
    fn circular_is_the_papers_filter() {
        let circular =
            |acc, circ, verdict: &str| Row { validation_accuracy: acc, circularity: circ, verdict: verdict.into(), ..row("a") }.circular();
        assert!(circular(1.0, 0.995, "Pizza"));
        assert!(!circular(1.0, 0.9949, "Pizza"), "an accurate Pizza below the bar keeps its label, out of the circular layer");
        assert!(!circular(0.98, 0.999, "unclassified"));
        assert!(circular(1.0, 0.999, "Clock") && !circular(1.0, 0.97, "non-circular"));
    }

    #[test]
    fn a_table_reads_back_exactly() {
        let rows = vec![row("a"), row("b")];
        let text = to_csv(&rows);
        assert!(text.starts_with("run_id,attn_coeff,d_model,n_heads,n_layers,p,seed"));
        assert_eq!(parse(&text, "t").unwrap(), rows);
    }

    /// A table written before the manifold columns reads with them empty; written again, it
    /// gains them.
    #[test]
    fn a_table_without_the_manifold_columns_reads() {
        let old = "run_id,attn_coeff,d_model,n_heads,n_layers,p,seed,steps,lr,weight_decay,frac,gradient_sim,distance_irrelevance,\
                   distance_irrelevance_correct,circularity,validation_accuracy,training_accuracy,parameter_norm,verdict\n\
                   a,0.30000000000000004,32,4,1,23,7,300,0.001,2,0.8,0.9876543210123456,0.25,0.3,0.999,1,1,42.5,Pizza\n";
        let rows = parse(old, "old").unwrap();
        let without = Row { cka_disc: None, cka_circle_logits: None, pad_diagonal: None, replaced_accuracy_first_order: None, ..row("a") };
        assert_eq!(rows, vec![without]);
        let again = to_csv(&rows);
        let lines: Vec<&str> = again.lines().collect();
        assert!(lines[0].ends_with(",verdict,cka_disc,cka_circle_logits,pad_diagonal,replaced_accuracy_first_order"));
        assert!(lines[1].ends_with(",Pizza,,,,"));
    }

    #[test]
    fn a_cut_off_last_line_is_dropped_and_a_bad_line_reported() {
        let text = to_csv(&[row("a"), row("b")]);
        let cut = &text[..text.len() - 10];
        assert_eq!(parse(cut, "t").unwrap(), vec![row("a")]);
        let bad = text.replacen(",32,", ",wide,", 1);
        assert!(parse(&bad, "t").unwrap_err().to_string().contains("line 2: d_model `wide`"));
        assert!(parse("x,y\n", "t").unwrap_err().to_string().contains("header"));
    }
}
