//! `?lessons`: the lessons that ship with grokscope, each a link that opens it (`?lesson=NAME`)
//! as the reader's own copy, with what it teaches and what it asks.

use grokscope_document::CellKind;
use grokscope_document::lessons::LESSONS;
use leptos::prelude::*;

pub fn lessons_page() -> impl IntoView {
    let items = LESSONS
        .iter()
        .map(|lesson| {
            let notebook = lesson.notebook();
            let count = |f: fn(&CellKind) -> bool| notebook.cells.iter().filter(|c| f(&c.kind)).count();
            let (questions, checks) = (count(|k| matches!(k, CellKind::Question(_))), count(|k| matches!(k, CellKind::Check { .. })));
            let (experiments, sweeps) =
                (count(|k| matches!(k, CellKind::Experiment { .. })), count(|k| matches!(k, CellKind::Sweep { .. })));
            let plural = |n: usize, one: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {one}s") };
            let mut parts = vec![plural(experiments, "experiment")];
            for (n, what) in [(sweeps, "sweep"), (questions, "question"), (checks, "check")] {
                if n > 0 {
                    parts.push(plural(n, what));
                }
            }
            view! {
                <li class="card lesson" data-lesson=lesson.name>
                    <h2><a href=format!("?lesson={}", lesson.name)>{notebook.title.clone()}</a></h2>
                    <p>{lesson.about}</p>
                    <p class="hint">{parts.join(" · ")}</p>
                </li>
            }
        })
        .collect_view();
    view! {
        <header>
            <h1>"grokscope lessons"</h1>
            <p class="lede">
                "Notebooks that ship with grokscope. Each opens as your own copy, saved in this browser (your answers stay on this device), "
                "beside your own notebook, which it never changes. A teacher can write one in the notebook (+ Question, + Hint, + Check), "
                "lock its controls and share its link."
            </p>
            <p><a href="./">"Back to your notebook"</a></p>
        </header>
        <main>
            <ul class="lessons">{items}</ul>
        </main>
    }
}
