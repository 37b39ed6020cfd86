//! The share panel: the link that reopens this notebook (and reproduces its runs), copied on
//! request, with the options a teacher needs: start training on open, and a lesson's locks.

use grokscope_document::Control;
use grokscope_document::link::encode;
use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::browser::opening::link_address;
use crate::state::Ctx;

pub fn share_panel() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let autorun = RwSignal::new(false);
    // A lesson's own locks carry over to its links and cannot be lifted here.
    let inherited = ctx.notebook.with_untracked(|n| !n.locked.is_empty());
    let lesson = RwSignal::new(ctx.notebook.with_untracked(|n| n.locked.clone()));
    let link = Memo::new(move |_| {
        let mut n = ctx.notebook.get();
        n.locked = lesson.get();
        link_address(&encode(&n), autorun.get())
    });
    let copied = RwSignal::new(String::new());
    let copy = move || {
        let text = link.get_untracked();
        copied.set(String::new());
        leptos::task::spawn_local(async move {
            let clipboard = web_sys::window().map(|w| w.navigator().clipboard());
            let done = match clipboard {
                Some(c) => JsFuture::from(c.write_text(&text)).await.is_ok(),
                None => false,
            };
            copied.set(if done {
                "Copied.".into()
            } else {
                "The browser did not allow copying: select the link above and copy it.".into()
            });
        });
    };
    let toggle = move |control: Control, on: bool| {
        lesson.update(|l| {
            l.retain(|c| *c != control);
            if on {
                l.push(control);
            }
        })
    };
    view! {
        <section id="share-panel" class="card share">
            <label class="share-link">
                <span>{move || format!("Link to this notebook ({} characters)", link.get().len())}</span>
                <input id="share-link" type="text" readonly prop:value=move || link.get()
                    on:focus=move |e| { event_target::<web_sys::HtmlInputElement>(&e).select() } />
            </label>
            <button id="copy-link" class="primary" on:click=move |_| copy()>"Copy link"</button>
            <span class="hint copied" role="status">{move || copied.get()}</span>
            <label class="inline">
                <input type="checkbox" id="share-autorun" prop:checked=move || autorun.get()
                    on:change=move |e| autorun.set(event_target_checked(&e)) />
                "start training when opened"
            </label>
            <p class="hint">
                "The link holds the whole notebook (its text, settings and seeds, not trained weights). Opening it trains "
                "the same models from the same start and split: on the CPU the curves are identical to the last bit; on a "
                "GPU they agree to within float rounding (10⁻³ of the loss is tested). It opens as a copy: it never "
                "replaces the reader's own notebook."
            </p>
            <fieldset class="lesson">
                <legend>"Lesson: what the reader may not change"</legend>
                {inherited.then(|| view! { <p class="hint">"This notebook is a lesson: its locks carry over to the link."</p> })}
                {Control::ALL.map(|control| view! {
                    <label class="inline">
                        <input type="checkbox" name=format!("lock-{}", control.key()) disabled=inherited
                            prop:checked=move || lesson.get().contains(&control)
                            on:change=move |e| toggle(control, event_target_checked(&e)) />
                        {control.label()}
                    </label>
                })}
                <button class="small" disabled=inherited on:click=move |_| lesson.set(Control::ALL.into_iter().filter(|c| *c != Control::AttentionRate).collect())>
                    "Lock all but α"
                </button>
                <button class="small" disabled=inherited on:click=move |_| lesson.set(Vec::new())>"Unlock all"</button>
            </fieldset>
        </section>
    }
}
