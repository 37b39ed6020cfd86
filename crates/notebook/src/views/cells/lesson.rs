//! A lesson's cells: a question (a prediction, its answer shown once the run it is about has
//! finished), a hint (collapsed Markdown, `markdown::text_body`) and a check (what the reader's
//! run should have produced, and whether it did). Where the notebook's cells are not locked,
//! each has an editor: a teacher writes the lesson in the page.

use grokscope_document::{CellKind, Control, Expectation, Question};
use leptos::prelude::*;

use grokscope_document::notebook::MAX_CHOICES;

use super::analysis::reading;
use super::markdown::text_body;
use crate::run::session::Status;
use crate::state::Ctx;

/// The readings a check can expect (`Algorithm::label`).
const READINGS: [&str; 4] = ["Clock", "Pizza", "mixed", "unclassified"];

/// The question of cell `id` (reactive).
fn question(ctx: Ctx, id: u32) -> Option<Question> {
    ctx.notebook.with(|n| match n.cells.iter().find(|c| c.id == id).map(|c| &c.kind) {
        Some(CellKind::Question(q)) => Some(q.clone()),
        _ => None,
    })
}

/// The name of cell `id` if it is an experiment or a sweep, and whether its run has finished.
fn run_of(ctx: Ctx, id: u32) -> Option<(String, bool)> {
    match ctx.cell(id)?.kind {
        CellKind::Experiment { name, .. } => Some((name, ctx.session(id).status.get() == Status::Done)),
        CellKind::Sweep { name, .. } => Some((name, ctx.sweep(id).status.get() == Status::Done)),
        _ => None,
    }
}

/// The experiments and sweeps a lesson cell can be about, as (id, name).
fn runs(ctx: Ctx, sweeps: bool) -> Vec<(u32, String)> {
    ctx.notebook.with(|n| {
        n.cells
            .iter()
            .filter_map(|c| match &c.kind {
                CellKind::Experiment { name, .. } => Some((c.id, name.clone())),
                CellKind::Sweep { name, .. } if sweeps => Some((c.id, name.clone())),
                _ => None,
            })
            .collect()
    })
}

/// A `<select>` of the runs a cell can be about (`None`: none).
fn run_choice(
    ctx: Ctx,
    sweeps: bool,
    label: &'static str,
    current: impl Fn() -> Option<u32> + Send + Sync + 'static,
    set: impl Fn(Option<u32>) + 'static,
) -> impl IntoView {
    view! {
        <label class="field">
            {label}
            <select class="run-choice" prop:value=move || current().map(|i| i.to_string()).unwrap_or_default()
                on:change=move |e| set(event_target_value(&e).parse().ok())>
                <option value="">"none"</option>
                {move || runs(ctx, sweeps).into_iter().map(|(i, name)| view! { <option value=i.to_string()>{name}</option> }).collect_view()}
            </select>
        </label>
    }
}

pub fn question_cell(id: u32) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let read = move || question(ctx, id);
    let revealed = move || {
        let Some(q) = read() else { return false };
        // Without a run to wait for (or once it is gone), the answer shows at once.
        q.after.and_then(|a| run_of(ctx, a)).is_none_or(|(_, done)| done)
    };
    let choose = move |i: usize| {
        ctx.update_cell(id, |k| {
            if let CellKind::Question(q) = k {
                q.chosen = Some(i)
            }
        })
    };
    let waiting = move || {
        let q = read()?;
        let name = q.after.and_then(|a| run_of(ctx, a)).map(|(name, _)| name).unwrap_or_default();
        Some(match q.chosen {
            Some(_) => format!("Your prediction is saved in this browser. The answer shows when “{name}” has finished."),
            None => format!("Predict first: the answer shows when “{name}” has finished."),
        })
    };
    let answer = move || {
        let q = read()?;
        let verdict = match q.chosen {
            Some(c) if c == q.answer => "You predicted it. ",
            Some(_) => "Not what you predicted. ",
            None => "",
        };
        Some(format!("{verdict}The answer: {}. {}", q.choices.get(q.answer).cloned().unwrap_or_default(), q.explanation))
    };
    let editing = RwSignal::new(false);
    view! {
        <fieldset class="question" data-revealed=move || revealed().to_string()>
            <legend class="prompt">{move || read().map(|q| q.prompt).unwrap_or_default()}</legend>
            {move || read().map(|q| q.choices.into_iter().enumerate().map(|(i, text)| view! {
                <label class="choice">
                    <input type="radio" name=format!("question-{id}") value=i.to_string() prop:checked=q.chosen == Some(i)
                        disabled=revealed on:change=move |_| choose(i) />
                    " " {text}
                </label>
            }).collect_view())}
        </fieldset>
        <p class="answer" aria-live="polite">{move || if revealed() { answer() } else { waiting() }}</p>
        <Show when=move || !ctx.locked(Control::Cells)>
            <button class="small edit" on:click=move |_| editing.update(|e| *e = !*e)>{move || if editing.get() { "Done" } else { "Edit" }}</button>
        </Show>
        <Show when=move || editing.get()>{question_editor(ctx, id)}</Show>
    }
}

/// A teacher's form for question `id`: prompt, choices (a line each), answer, explanation, and
/// the run whose end shows the answer.
fn question_editor(ctx: Ctx, id: u32) -> impl IntoView {
    let read = move || question(ctx, id);
    view! {
        <div class="editor">
            <label class="field">"question"
                <input type="text" class="edit-prompt" prop:value=move || read().map(|q| q.prompt).unwrap_or_default()
                    on:change=move |e| { let v = event_target_value(&e); edit_question(ctx, id, move |q| q.prompt = v) } />
            </label>
            <label class="field">"choices, one a line"
                <textarea class="edit-choices" rows="4" prop:value=move || read().map(|q| q.choices.join("\n")).unwrap_or_default()
                    on:change=move |e| {
                        let v: Vec<String> = event_target_value(&e).lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
                        if (2..=MAX_CHOICES).contains(&v.len()) {
                            edit_question(ctx, id, move |q| q.choices = v);
                        }
                    }></textarea>
            </label>
            <label class="field">"answer"
                <select class="edit-answer" prop:value=move || read().map(|q| q.answer.to_string()).unwrap_or_default()
                    on:change=move |e| { let v = event_target_value(&e).parse().unwrap_or(0); edit_question(ctx, id, move |q| q.answer = v) }>
                    {move || read().map(|q| q.choices.into_iter().enumerate().map(|(i, c)| view! { <option value=i.to_string()>{c}</option> }).collect_view())}
                </select>
            </label>
            <label class="field">"why (shown with the answer)"
                <textarea class="edit-explanation" rows="3" prop:value=move || read().map(|q| q.explanation).unwrap_or_default()
                    on:change=move |e| { let v = event_target_value(&e); edit_question(ctx, id, move |q| q.explanation = v) }></textarea>
            </label>
            {run_choice(ctx, true, "answer shown after", move || read().and_then(|q| q.after), move |v| edit_question(ctx, id, move |q| q.after = v))}
        </div>
    }
}

/// Changes question `id` by `f`; the reader's pick goes (it was of the question as it was).
fn edit_question(ctx: Ctx, id: u32, f: impl FnOnce(&mut Question)) {
    ctx.update_cell(id, |k| {
        if let CellKind::Question(q) = k {
            f(q);
            q.answer = q.answer.min(q.choices.len().saturating_sub(1));
            q.chosen = None;
        }
    })
}

/// Changes check `id`'s experiment and expectation by `f`.
fn edit_check(ctx: Ctx, id: u32, f: impl FnOnce(&mut Option<u32>, &mut Expectation)) {
    ctx.update_cell(id, |k| {
        if let CellKind::Check { experiment, expect } = k {
            f(experiment, expect)
        }
    })
}

pub fn hint_cell(id: u32) -> impl IntoView {
    view! {
        <details class="hint-cell">
            <summary>"Hint"</summary>
            {text_body(id)}
        </details>
    }
}

/// The experiment and the expectation of check cell `id` (reactive).
fn check(ctx: Ctx, id: u32) -> Option<(Option<u32>, Expectation)> {
    ctx.notebook.with(|n| match n.cells.iter().find(|c| c.id == id).map(|c| &c.kind) {
        Some(CellKind::Check { experiment, expect }) => Some((*experiment, expect.clone())),
        _ => None,
    })
}

pub fn check_cell(id: u32) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let read = move || check(ctx, id);
    let expected = move || {
        let (_, e) = read()?;
        let mut parts = Vec::new();
        if let Some(v) = &e.verdict {
            parts.push(format!("the analysis reads {v}"));
        }
        if let Some(a) = e.min_test_accuracy {
            parts.push(format!("test accuracy at least {a}"));
        }
        Some(parts.join(" and "))
    };
    let about = move || read().and_then(|(e, _)| e).and_then(|e| run_of(ctx, e).map(|(name, done)| (e, name, done)));
    // What the run produced against what is expected, once it has finished (and been analysed).
    let results = move || {
        let (experiment, name, done) = about()?;
        if !done {
            return None;
        }
        let session = ctx.session(experiment);
        let accuracy = session.history.with(|h| h.last().map(|s| s.test_acc))?;
        let read_as = session.analysis.with(|a| a.as_ref().map(|(_, a)| reading(&a.report).0));
        Some((name, read().map(|(_, e)| e.check(accuracy, read_as)).unwrap_or_default()))
    };
    let state = move || match results() {
        None => "pending",
        Some((_, r)) if r.iter().all(|(met, _)| *met) => "passed",
        Some(_) => "failed",
    };
    let editing = RwSignal::new(false);
    view! {
        <p class="expects">
            {move || match about() {
                Some((_, name, _)) => format!("Checks “{name}”: {}.", expected().unwrap_or_default()),
                None => "Checks no experiment yet.".into(),
            }}
        </p>
        <div class="check-result" data-state=state aria-live="polite">
            {move || match results() {
                None => view! { <p class="hint">"Waiting for the run to finish."</p> }.into_any(),
                Some((name, r)) => {
                    let all = r.iter().all(|(met, _)| *met);
                    view! {
                        <p><strong>{if all { format!("✓ “{name}” did what the lesson expects.") } else { format!("✗ “{name}” did not do all the lesson expects.") }}</strong></p>
                        <ul>{r.into_iter().map(|(met, text)| view! { <li class={if met { "met" } else { "unmet" }}>{if met { "✓ " } else { "✗ " }}{text}</li> }).collect_view()}</ul>
                    }
                    .into_any()
                }
            }}
        </div>
        <Show when=move || !ctx.locked(Control::Cells)>
            <button class="small edit" on:click=move |_| editing.update(|e| *e = !*e)>{move || if editing.get() { "Done" } else { "Edit" }}</button>
        </Show>
        <Show when=move || editing.get()>{check_editor(ctx, id)}</Show>
    }
}

/// A teacher's form for check `id`: its experiment, the reading and the test accuracy expected.
fn check_editor(ctx: Ctx, id: u32) -> impl IntoView {
    let expect = move || check(ctx, id).unwrap_or_default();
    view! {
        <div class="editor">
            {run_choice(ctx, false, "experiment", move || expect().0, move |v| edit_check(ctx, id, move |e, _| *e = v))}
            <label class="field">"its analysis reads"
                <select class="edit-verdict" prop:value=move || expect().1.verdict.unwrap_or_default()
                    on:change=move |e| { let v = event_target_value(&e); edit_check(ctx, id, move |_, x| x.verdict = (!v.is_empty()).then_some(v)) }>
                    <option value="">"anything"</option>
                    {READINGS.map(|r| view! { <option value=r>{r}</option> })}
                </select>
            </label>
            <label class="field">"test accuracy at least"
                <input type="text" inputmode="decimal" class="edit-accuracy" prop:value=move || expect().1.min_test_accuracy.map(|a| a.to_string()).unwrap_or_default()
                    on:change=move |e| {
                        let v = event_target_value(&e).trim().parse::<f64>().ok().filter(|a| (0.0..=1.0).contains(a));
                        edit_check(ctx, id, move |_, x| x.min_test_accuracy = v)
                    } />
            </label>
        </div>
    }
}
