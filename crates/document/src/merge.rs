//! Two tabs on one saved notebook: when another tab has saved since this one last read or wrote
//! it, this tab's copy must not be written over the other's. Where each side only added cells
//! to what both started from (a student adding notes in one tab and experiments in another),
//! the two merge; anything else is a conflict, and the page keeps both copies.

use crate::notebook::{Cell, CellKind, Notebook};

/// The notebook holding both sides' work: `theirs` (saved by the other tab) with the cells
/// `ours` added after `base`, or `None` where either side changed or removed a cell of
/// `base`, or changed the title or the locks. Our added cells keep their order and are
/// renumbered past `theirs`' ids where needed, with their references to each other.
pub fn merge_added(base: &Notebook, ours: &Notebook, theirs: &Notebook) -> Option<Notebook> {
    let added = |side: &Notebook| -> Option<Vec<Cell>> {
        if side.title != base.title || side.locked != base.locked || side.cells.len() < base.cells.len() {
            return None;
        }
        let (kept, added) = side.cells.split_at(base.cells.len());
        (kept == base.cells.as_slice()).then(|| added.to_vec())
    };
    let (mine, _) = (added(ours)?, added(theirs)?);
    let mut merged = theirs.clone();
    let mut next = merged.next_id().max(ours.next_id());
    let renumbered: Vec<(u32, u32)> = mine
        .iter()
        .map(|c| {
            let id = if merged.cells.iter().any(|t| t.id == c.id) {
                next += 1;
                next - 1
            } else {
                c.id
            };
            (c.id, id)
        })
        .collect();
    let new_id = |old: u32| renumbered.iter().find(|(from, _)| *from == old).map_or(old, |(_, to)| *to);
    for mut cell in mine {
        cell.id = new_id(cell.id);
        for reference in cell.kind.references_mut() {
            *reference = new_id(*reference);
        }
        merged.cells.push(cell);
    }
    Some(merged)
}

impl CellKind {
    /// The ids of other cells this one names (its experiment, the run a question waits for,
    /// the compared experiments).
    pub fn references_mut(&mut self) -> Vec<&mut u32> {
        match self {
            CellKind::Analysis { experiment, .. } | CellKind::Check { experiment, .. } => experiment.iter_mut().collect(),
            CellKind::Question(q) => q.after.iter_mut().collect(),
            CellKind::Compare { experiments } => experiments.iter_mut().collect(),
            CellKind::Markdown { .. } | CellKind::Experiment { .. } | CellKind::Sweep { .. } | CellKind::Hint { .. } => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::Size;
    use crate::{ChartChoice, clock_vs_pizza};

    fn text(id: u32, text: &str) -> Cell {
        Cell { id, kind: CellKind::Markdown { text: text.into() } }
    }

    #[test]
    fn cells_added_in_both_tabs_are_all_kept() {
        let base = clock_vs_pizza(Size::Small);
        let next = base.next_id();
        // Tab A adds a note; tab B (which saved first) adds an experiment and its analysis.
        let mut ours = base.clone();
        ours.cells.push(text(next, "my note"));
        ours.cells.push(Cell { id: next + 1, kind: CellKind::Analysis { experiment: Some(next + 2), charts: vec![ChartChoice::Readout] } });
        ours.cells.push(Cell { id: next + 2, kind: base.cells[1].kind.clone() });
        let mut theirs = base.clone();
        theirs.cells.push(Cell { id: next, kind: base.cells[1].kind.clone() });
        theirs.cells.push(Cell { id: next + 1, kind: CellKind::Compare { experiments: vec![next] } });

        let merged = merge_added(&base, &ours, &theirs).unwrap();
        assert_eq!(merged.cells[..theirs.cells.len()], theirs.cells[..], "theirs as saved");
        let mine = &merged.cells[theirs.cells.len()..];
        assert_eq!(mine.len(), 3);
        assert_eq!(mine[0].kind, ours.cells[base.cells.len()].kind);
        let ids: Vec<u32> = merged.cells.iter().map(|c| c.id).collect();
        assert!(ids.iter().all(|id| ids.iter().filter(|x| *x == id).count() == 1), "ids stay unique: {ids:?}");
        // Our analysis still names our experiment, under its new id.
        let CellKind::Analysis { experiment, .. } = mine[1].kind else { panic!() };
        assert_eq!(experiment, Some(mine[2].id));
        assert!(merged.check().is_ok());
    }

    #[test]
    fn a_changed_or_removed_cell_is_a_conflict() {
        let base = clock_vs_pizza(Size::Small);
        let mut edited = base.clone();
        edited.cells[0] = text(edited.cells[0].id, "edited");
        let mut removed = base.clone();
        removed.cells.pop();
        let mut retitled = base.clone();
        retitled.title.push('!');
        for other in [&edited, &removed, &retitled] {
            assert!(merge_added(&base, other, &base).is_none());
            assert!(merge_added(&base, &base, other).is_none());
        }
        assert_eq!(merge_added(&base, &base, &base), Some(base));
    }
}
