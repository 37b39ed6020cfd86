//! A text cell: rendered Markdown; "edit" opens the source. A lesson's hint is the same body,
//! collapsed (`lesson::hint_cell`).

use leptos::html;
use leptos::prelude::*;

use grokscope_document::{CellKind, Control};

use crate::browser::markdown::render_into;
use crate::state::Ctx;

/// The rendered Markdown of a text or hint cell, with its editor.
pub fn text_body(id: u32) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let text = Memo::new(move |_| {
        ctx.notebook.with(|n| match n.cells.iter().find(|c| c.id == id).map(|c| &c.kind) {
            Some(CellKind::Markdown { text } | CellKind::Hint { text }) => text.clone(),
            _ => String::new(),
        })
    });
    let editing = RwSignal::new(false);
    let rendered = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        let text = text.get();
        if let Some(target) = rendered.get() {
            render_into(&target, &text);
        }
    });
    view! {
        <div class="rendered" node_ref=rendered on:dblclick=move |_| if !ctx.locked(Control::Cells) { editing.set(true) } hidden=move || editing.get()></div>
        <Show when=move || editing.get()>
            <textarea class="source" rows="8" aria-label="Markdown source"
                prop:value=move || text.get()
                on:input=move |e| {
                    let value = event_target_value(&e);
                    ctx.update_cell(id, |k| if let CellKind::Markdown { text } | CellKind::Hint { text } = k { *text = value });
                }></textarea>
        </Show>
        <button class="small" hidden=move || ctx.locked(Control::Cells) on:click=move |_| editing.update(|e| *e = !*e)>
            {move || if editing.get() { "Done" } else { "Edit" }}
        </button>
    }
}
