//! Distance irrelevance (docs/science.md §4.2): lay a per-pair logit out as a table over
//! s = (a + b) mod p (rows) and d = (a − b) mod p (columns); DI is the mean spread down the
//! columns over the spread of the whole table. A Pizza's logit depends on d (DI → 0), a
//! Clock's does not (DI → 1).

use grokscope_core::Task;

/// DI of one value per pair of `task`, in pair order. Population standard deviations, as
/// `np.std`. A table with no spread at all has no DI: NaN.
///
/// Spreads are taken over the pairs of each column d rather than over the table's cells, so that
/// every p is defined: for odd p every cell holds exactly one pair and this is the official
/// table; for even p, s and d share their parity, so half the cells hold no pair (skipped) and
/// the other half two, (a, b) and (a + p/2, b + p/2), which both count. Division's missing
/// b = 0 leaves cells empty the same way.
pub fn distance_irrelevance(values: &[f64], task: &Task) -> f64 {
    let p = task.p;
    let mut columns = vec![Vec::new(); p];
    for (e, &v) in task.examples().zip(values) {
        columns[(e.a as usize + p - e.b as usize) % p].push(v);
    }
    let std = |xs: &[f64]| {
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64).sqrt()
    };
    let filled: Vec<&Vec<f64>> = columns.iter().filter(|c| !c.is_empty()).collect();
    let within = filled.iter().map(|c| std(c)).sum::<f64>() / filled.len() as f64;
    within / std(&columns.concat())
}

/// `table[s * p + d]` for s = (a + b) mod p, d = (a − b) mod p, as the heatmaps draw it. For odd
/// p every cell is hit once; for even p a later pair overwrites an earlier one in its cell and
/// half the cells stay NaN (what DI does there instead: `distance_irrelevance`).
pub fn sum_difference_table(values: &[f64], task: &Task) -> Vec<f64> {
    let p = task.p;
    // NaN where no pair lands (division has no b = 0).
    let mut table = vec![f64::NAN; p * p];
    for (e, &v) in task.examples().zip(values) {
        let (a, b) = (e.a as usize, e.b as usize);
        table[(a + b) % p * p + (a + p - b) % p] = v;
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/science.md §7: L[s, d] = f(d) gives 0, L[s, d] = f(s) gives 1.
    #[test]
    fn depends_on_difference_or_sum() {
        let task = Task { p: 31, ..Task::paper() };
        let f = |x: u32| ((x * x) % 13) as f64;
        let of_d: Vec<f64> = task.examples().map(|e| f((e.a + 31 - e.b) % 31)).collect();
        let of_s: Vec<f64> = task.examples().map(|e| f(e.answer)).collect();
        assert!(distance_irrelevance(&of_d, &task).abs() < 1e-12);
        assert!((distance_irrelevance(&of_s, &task) - 1.0).abs() < 1e-12);
    }

    /// Even p: the same two limits hold, and a logit of both s and d lands strictly between
    /// them, where the table over cells has empty cells. A column holds only the s of its own
    /// parity, so the Clock limit needs what a Clock's logit is, a sinusoid in s (the same spread
    /// over even and odd s); an arbitrary f(s) whose even and odd halves differ reads below 1
    /// there, since then the logit does depend on d, through its parity.
    #[test]
    fn even_p_is_defined() {
        let p = 30;
        let task = Task { p, ..Task::paper() };
        let f = |x: u32| ((x * x) % 13) as f64;
        let wave = |s: u32| (2.0 * std::f64::consts::PI * 7.0 * s as f64 / p as f64).cos();
        let d = |a: u32, b: u32| (a + p as u32 - b) % p as u32;
        let of_d: Vec<f64> = task.examples().map(|e| f(d(e.a, e.b))).collect();
        let of_s: Vec<f64> = task.examples().map(|e| wave(e.answer)).collect();
        let both: Vec<f64> = task.examples().map(|e| 4.0 * wave(e.answer) + f(d(e.a, e.b))).collect();
        assert!(distance_irrelevance(&of_d, &task).abs() < 1e-12);
        assert!((distance_irrelevance(&of_s, &task) - 1.0).abs() < 1e-12);
        let di = distance_irrelevance(&both, &task);
        assert!(di > 0.1 && di < 0.99, "DI {di}");
        assert!(sum_difference_table(&both, &task).iter().any(|x| x.is_nan()), "half the cells hold no pair");
    }
}
