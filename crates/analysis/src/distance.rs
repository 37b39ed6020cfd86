//! Distance irrelevance (docs/science.md §4.2): lay a per-pair logit out as a table over
//! s = (a + b) mod p (rows) and d = (a − b) mod p (columns); DI is the mean spread down the
//! columns over the spread of the whole table. A Pizza's logit depends on d (DI → 0), a
//! Clock's does not (DI → 1).

use grokscope_core::Task;

/// DI of one value per pair of `task`, in pair order. Population standard deviations, as
/// `np.std`. A table with no spread at all has no DI: NaN.
pub fn distance_irrelevance(values: &[f64], task: &Task) -> f64 {
    let p = task.p;
    let table = sum_difference_table(values, task);
    let std = |xs: &mut dyn Iterator<Item = f64>| {
        let xs: Vec<f64> = xs.collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64).sqrt()
    };
    let within: f64 = (0..p).map(|d| std(&mut (0..p).map(|s| table[s * p + d]))).sum::<f64>() / p as f64;
    within / std(&mut table.iter().copied())
}

/// `table[s * p + d]` for s = (a + b) mod p, d = (a − b) mod p. For odd p every cell is hit
/// once; for even p later pairs overwrite earlier ones and some cells stay 0, as in the
/// official code.
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
}
