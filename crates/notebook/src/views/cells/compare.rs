//! A compare cell: the curves and progress measures of the notebook's experiments it lists (all
//! when it lists none) overlaid in one chart, each named by the settings that tell it apart.

use grokscope_analysis::progress::Evaluation;
use grokscope_core::RunConfig;
use grokscope_document::CellKind;
use grokscope_document::compare::differences;
use grokscope_plots::curves::{Compared, compare, compare_summary};
use leptos::prelude::*;

use crate::browser::canvas::to_svg;
use crate::browser::chart::chart_canvas;
use crate::state::Ctx;

/// Borrowed as the chart takes them.
fn compared(runs: &[(String, Vec<Evaluation>)]) -> Vec<Compared<'_>> {
    runs.iter().map(|(label, evaluations)| Compared { label, evaluations }).collect()
}

pub fn compare_cell(id: u32) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let listed = move || {
        ctx.notebook.with(|n| match n.cells.iter().find(|c| c.id == id).map(|c| &c.kind) {
            Some(CellKind::Compare { experiments }) => experiments.clone(),
            _ => Vec::new(),
        })
    };
    let experiments = move || {
        ctx.notebook.with(|n| {
            n.cells
                .iter()
                .filter_map(|c| match &c.kind {
                    CellKind::Experiment { name, run } => Some((c.id, name.clone(), run.clone())),
                    _ => None,
                })
                .collect::<Vec<(u32, String, RunConfig)>>()
        })
    };
    // The experiments compared, each with its legend label.
    let chosen = Memo::new(move |_| {
        let listed = listed();
        let chosen: Vec<(u32, String, RunConfig)> =
            experiments().into_iter().filter(|(i, ..)| listed.is_empty() || listed.contains(i)).collect();
        let apart = differences(&chosen.iter().map(|(_, _, run)| run).collect::<Vec<_>>());
        chosen
            .into_iter()
            .zip(apart)
            .map(|((i, name, _), d)| (i, if d.is_empty() { name } else { format!("{name} ({d})") }))
            .collect::<Vec<_>>()
    });
    // Their evaluations so far (tracked: the chart redraws as they train).
    let runs = move || chosen.get().into_iter().map(|(i, label)| (label, ctx.session(i).progress.get())).collect::<Vec<_>>();
    let toggle = move |experiment: u32, on: bool| {
        let all: Vec<u32> = experiments().into_iter().map(|(i, ..)| i).collect();
        ctx.update_cell(id, |k| {
            if let CellKind::Compare { experiments } = k {
                let mut picked: Vec<u32> = if experiments.is_empty() { all.clone() } else { experiments.clone() };
                picked.retain(|&i| i != experiment);
                if on {
                    picked.push(experiment);
                }
                picked.sort_by_key(|i| all.iter().position(|a| a == i));
                // Every experiment picked is none listed: experiments added later join too.
                *experiments = if picked.len() == all.len() { Vec::new() } else { picked };
            }
        })
    };
    view! {
        <fieldset class="chart-choices compared">
            <legend>"compare"</legend>
            {move || experiments().into_iter().map(|(i, name, _)| {
                let checked = move || { let l = listed(); l.is_empty() || l.contains(&i) };
                view! {
                    <label class="inline">
                        <input type="checkbox" data-experiment=i.to_string() prop:checked=checked on:change=move |e| toggle(i, event_target_checked(&e)) />
                        {name}
                    </label>
                }
            }).collect_view()}
        </fieldset>
        {chart_canvas(
            format!("compare-{id}"),
            move || compare_summary(&compared(&runs())),
            None,
            |w| if w >= 960 { 440 } else { 1000 },
            move |area| compare(area, &compared(&runs())),
            move |size| {
                let runs = untrack(runs);
                to_svg(size, |area| compare(area, &compared(&runs)))
            },
        )}
    }
}
