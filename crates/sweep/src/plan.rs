//! Which runs train together and where: members of the same shapes form ensembles (one batched
//! program on a device), ensembles fit a memory budget, and shards take whole ensembles.

use grokscope_core::ensemble::shape_of;
use grokscope_core::{ModelConfig, RunConfig};

use crate::SweepError;
use crate::spec::{Member, describe};

/// What one device holds, in f32 values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    /// Parameters, gradients, moments and activations of every member of an ensemble.
    pub values: usize,
    /// The largest single tensor (a GPU buffer), all members together.
    pub tensor_values: usize,
}

impl Default for Budget {
    /// The limits of one run (`RunConfig::validate`), for a whole ensemble.
    fn default() -> Self {
        Budget { values: grokscope_core::config::MAX_FOOTPRINT_VALUES, tensor_values: grokscope_core::config::MAX_FOOTPRINT_VALUES }
    }
}

impl Budget {
    /// Whether one `run` alone fits.
    pub fn holds(&self, run: &RunConfig) -> bool {
        run.footprint_values() <= self.values && run.largest_tensor_values() <= self.tensor_values
    }
}

/// The widest transformer like `run` that `budget` holds.
fn widest_that_fits(run: &RunConfig, budget: Budget) -> Option<usize> {
    let ModelConfig::Transformer(c) = &run.model else { return None };
    (c.n_heads..c.d_model).rev().find(|&d| {
        let mut narrower = run.clone();
        if let ModelConfig::Transformer(t) = &mut narrower.model {
            t.d_model = d;
        }
        budget.holds(&narrower)
    })
}

/// Runs of the same shapes and step count, trained side by side.
#[derive(Clone, Debug, PartialEq)]
pub struct Ensemble {
    pub members: Vec<Member>,
}

impl Ensemble {
    pub fn footprint_values(&self) -> usize {
        self.members.iter().map(|m| m.run.footprint_values()).sum()
    }

    /// Values touched per step times steps: what a shard's share of the work is weighed by.
    pub fn cost(&self) -> u128 {
        self.members.iter().map(|m| m.run.footprint_values() as u128 * m.run.train.steps as u128).sum()
    }
}

/// Runs with the same key train as one ensemble (`grokscope_core::ensemble::shape_of`).
pub fn shape_key(run: &RunConfig) -> String {
    serde_json::to_string(&shape_of(run)).expect("configs serialise")
}

/// Members grouped by shape (groups in the order their first member comes), each group cut
/// into ensembles that fit `budget`, and into at least `shards` where it has the members, so
/// that every shard gets work. A run that alone does not fit is refused, with its size.
pub fn ensembles(members: &[Member], budget: Budget, shards: usize) -> Result<Vec<Ensemble>, SweepError> {
    let mut groups: Vec<(String, Vec<Member>)> = Vec::new();
    for member in members {
        let key = shape_key(&member.run);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, group)) => group.push(member.clone()),
            None => groups.push((key, vec![member.clone()])),
        }
    }
    let mut out = Vec::new();
    for (_, group) in groups {
        let (values, tensor) = (group[0].run.footprint_values(), group[0].run.largest_tensor_values());
        if !budget.holds(&group[0].run) {
            let fits = match widest_that_fits(&group[0].run, budget) {
                Some(d) => format!("; at this p, d_model {d} would fit"),
                None => String::new(),
            };
            return Err(SweepError::TooBig(format!(
                "one run ({}) needs about {} MiB, with a largest tensor of {} MiB; this device holds {} MiB, {} MiB in one tensor{fits}",
                describe(&group[0].run),
                mib(values),
                mib(tensor),
                mib(budget.values),
                mib(budget.tensor_values)
            )));
        }
        let per_ensemble = (budget.values / values).min(budget.tensor_values / tensor).min(group.len().div_ceil(shards.max(1))).max(1);
        out.extend(group.chunks(per_ensemble).map(|chunk| Ensemble { members: chunk.to_vec() }));
    }
    Ok(out)
}

/// MiB in `values` f32s.
pub fn mib(values: usize) -> usize {
    (values * 4).div_ceil(1 << 20)
}

/// Shard `index` of `count`: whole ensembles, the costliest first to the least loaded shard
/// (the lowest-numbered on a tie), each shard's in sweep order. Every shard of one plan
/// computes the same assignment, so shards never overlap.
pub fn shard(ensembles: &[Ensemble], index: usize, count: usize) -> Vec<Ensemble> {
    assert!(index < count, "shard {index} of {count}");
    let mut order: Vec<usize> = (0..ensembles.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(ensembles[i].cost()));
    let mut load = vec![0u128; count];
    let mut owner = vec![0; ensembles.len()];
    for i in order {
        let lightest = (0..count).min_by_key(|&s| load[s]).expect("at least one shard");
        load[lightest] += ensembles[i].cost();
        owner[i] = lightest;
    }
    ensembles.iter().zip(owner).filter(|&(_, o)| o == index).map(|(e, _)| e.clone()).collect()
}

/// Shards of one sweep, at most (a shard's bookkeeping is a vector of this length).
pub const MAX_SHARDS: usize = 10_000;

/// `I/N`: shard I (counted from 0) of N, with N at most [`MAX_SHARDS`].
pub fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let bad = || format!("shard `{text}`: write I/N with 0 ≤ I < N ≤ {MAX_SHARDS}, as 0/4");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if i >= n || n > MAX_SHARDS { Err(bad()) } else { Ok((i, n)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::SweepSpec;

    fn members(json: &str) -> Vec<Member> {
        SweepSpec::from_json(json).unwrap().expand().unwrap()
    }

    #[test]
    fn members_group_by_shape_and_fit_the_budget() {
        let m = members(r#"{"grid": {"d_model": [32, 64], "attention_rate": [0, 0.5, 1], "seed": [0, 1]}}"#);
        let all = ensembles(&m, Budget::default(), 1).unwrap();
        assert_eq!(all.len(), 2, "two widths, two shapes");
        assert!(all.iter().all(|e| e.members.len() == 6));
        assert!(all.iter().all(|e| e.members.iter().all(|x| shape_key(&x.run) == shape_key(&e.members[0].run))));
        let tight = Budget { values: 4 * m.iter().map(|x| x.run.footprint_values()).max().unwrap(), ..Budget::default() };
        let split = ensembles(&m, tight, 1).unwrap();
        assert!(split.iter().all(|e| e.footprint_values() <= tight.values));
        assert_eq!(split.iter().map(|e| e.members.len()).sum::<usize>(), 12);
        assert!(split.len() > 2);
    }

    #[test]
    fn a_run_too_big_for_the_device_is_refused_with_sizes() {
        let m = members(r#"{"grid": {"d_model": [128]}}"#);
        let e = ensembles(&m, Budget { values: 1 << 20, tensor_values: 1 << 20 }, 1).unwrap_err().to_string();
        assert!(e.contains("MiB") && e.contains("d_model = 128"), "{e}");
        // With room for a narrower model, the refusal names the widest that fits.
        let roomier = Budget { values: 8 << 20, tensor_values: 8 << 20 };
        let e = ensembles(&m, roomier, 1).unwrap_err().to_string();
        let d: usize = e.rsplit("d_model ").next().unwrap().split(' ').next().unwrap().parse().unwrap();
        let with_width = |d: usize| {
            let mut run = m[0].run.clone();
            if let ModelConfig::Transformer(t) = &mut run.model {
                t.d_model = d;
            }
            run
        };
        assert!(d < 128 && roomier.holds(&with_width(d)) && !roomier.holds(&with_width(d + 1)), "{e}");
    }

    #[test]
    fn shards_partition_whole_ensembles() {
        let m = members(r#"{"grid": {"d_model": [16, 24, 32, 48, 64], "attention_rate": [0, 1], "seed": [0, 1, 2]}}"#);
        let all = ensembles(&m, Budget { values: 3 * m.last().unwrap().run.footprint_values(), ..Budget::default() }, 3).unwrap();
        let shards: Vec<_> = (0..3).map(|i| shard(&all, i, 3)).collect();
        let mut seen: Vec<String> = shards.iter().flatten().flat_map(|e| e.members.iter().map(|x| x.id.clone())).collect();
        assert_eq!(seen.len(), m.len());
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), m.len(), "no run in two shards");
        assert!(shards.iter().all(|s| !s.is_empty()));
        assert_eq!(shard(&all, 1, 3), shards[1], "the same assignment every time");
    }

    #[test]
    fn one_shape_still_feeds_every_shard() {
        let m = members(r#"{"random": {"runs": 10}}"#);
        assert_eq!(ensembles(&m, Budget::default(), 1).unwrap().len(), 1);
        let all = ensembles(&m, Budget::default(), 4).unwrap();
        assert_eq!(all.iter().map(|e| e.members.len()).collect::<Vec<_>>(), [3, 3, 3, 1]);
        assert!((0..4).all(|i| !shard(&all, i, 4).is_empty()));
    }

    #[test]
    fn shard_arguments() {
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        assert!(parse_shard("4/4").is_err());
        assert!(parse_shard("1").unwrap_err().contains("I/N"));
    }
}
