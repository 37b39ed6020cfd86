//! A cell's frame (its kind, run, move, delete; Shift+Enter anywhere in it runs it) around its
//! body.

mod analysis;
mod compare;
mod experiment;
mod form;
mod lesson;
mod markdown;
mod sweep;

use leptos::prelude::*;

use grokscope_document::{CellKind, Control};

use crate::state::Ctx;

pub fn cell_view(id: u32) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let Some(cell) = ctx.cell(id) else { return ().into_any() };
    let (kind, class, body) = match cell.kind {
        CellKind::Markdown { .. } => ("Text", "cell markdown wide", markdown::text_body(id).into_any()),
        CellKind::Question(_) => ("Question", "cell question wide", lesson::question_cell(id).into_any()),
        CellKind::Hint { .. } => ("Hint", "cell hint wide", lesson::hint_cell(id).into_any()),
        CellKind::Check { .. } => ("Check", "cell check wide", lesson::check_cell(id).into_any()),
        CellKind::Experiment { .. } => ("Experiment", "cell experiment", experiment::experiment_cell(id).into_any()),
        CellKind::Analysis { .. } => ("Analysis", "cell analysis", analysis::analysis_cell(id).into_any()),
        CellKind::Sweep { .. } => ("Sweep", "cell sweep wide", sweep::sweep_cell(id).into_any()),
        CellKind::Compare { .. } => ("Compare", "cell compare wide", compare::compare_cell(id).into_any()),
    };
    let on_keydown = move |e: leptos::ev::KeyboardEvent| {
        if e.key() == "Enter" && e.shift_key() {
            e.prevent_default();
            ctx.run_cell(id);
        }
    };
    view! {
        <section class=format!("card {class}") id=format!("cell-{id}") data-cell=id.to_string() data-kind=kind.to_lowercase()
            tabindex="0" on:keydown=on_keydown>
            <div class="cell-bar">
                <span class="cell-kind">{kind}</span>
                <span class="spacer"></span>
                <button class="icon" title="Run this cell (Shift+Enter)" aria-label="run cell" on:click=move |_| ctx.run_cell(id)>"▶"</button>
                <span class="arrange" hidden=move || ctx.locked(Control::Cells)>
                <button class="icon" title="Move up" aria-label="move up" on:click=move |_| ctx.shift(id, -1)>"↑"</button>
                <button class="icon" title="Move down" aria-label="move down" on:click=move |_| ctx.shift(id, 1)>"↓"</button>
                <button class="icon delete" title="Delete this cell" aria-label="delete cell" on:click=move |_| ctx.remove(id)>"✕"</button>
                </span>
            </div>
            {body}
        </section>
    }
    .into_any()
}

/// A time to wait, in words.
pub fn duration(seconds: f64) -> String {
    match seconds {
        s if s < 90.0 => format!("{s:.0} s"),
        s if s < 5400.0 => format!("{:.0} min", s / 60.0),
        s => format!("{:.1} h", s / 3600.0),
    }
}
