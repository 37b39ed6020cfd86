//! An experiment's settings as a form. Each field parses its text into the run; the run is
//! then validated as a whole (`RunConfig::validate`: limits, memory estimate), and a field
//! that does not parse or a run that does not validate is reported beside the form and never
//! reaches the run.

use grokscope_core::encoding::Scheme;
use grokscope_core::model::{Activation, MlpOnlyConfig, MlpOnlyType, ModelConfig, TransformerConfig};
use grokscope_core::task::FURUTA_MIXTURES;
use grokscope_core::{Encoding, Operation, RunConfig, Task, TrainConfig};
use grokscope_document::Control;
use leptos::prelude::*;

use crate::state::Ctx;

/// A text field of the form.
struct Field {
    control: Control,
    get: fn(&RunConfig) -> Option<String>,
    set: fn(&mut RunConfig, f64),
    /// Whole numbers only.
    whole: bool,
}

fn transformer(run: &RunConfig) -> Option<&TransformerConfig> {
    match &run.model {
        ModelConfig::Transformer(t) => Some(t),
        ModelConfig::MlpOnly(_) => None,
    }
}

fn transformer_mut(run: &mut RunConfig) -> Option<&mut TransformerConfig> {
    match &mut run.model {
        ModelConfig::Transformer(t) => Some(t),
        ModelConfig::MlpOnly(_) => None,
    }
}

const FIELDS: &[Field] = &[
    Field { control: Control::P, get: |r| Some(r.task.p.to_string()), set: |r, v| r.task.p = v as usize, whole: true },
    Field {
        control: Control::TrainFraction,
        get: |r| Some(r.train.train_fraction.to_string()),
        set: |r, v| r.train.train_fraction = v,
        whole: false,
    },
    Field {
        control: Control::AttentionRate,
        get: |r| transformer(r).map(|t| t.attention_rate.to_string()),
        set: |r, v| {
            if let Some(t) = transformer_mut(r) {
                t.attention_rate = v
            }
        },
        whole: false,
    },
    Field {
        control: Control::DModel,
        get: |r| {
            Some(match &r.model {
                ModelConfig::Transformer(t) => t.d_model.to_string(),
                ModelConfig::MlpOnly(m) => m.d_hidden.to_string(),
            })
        },
        set: |r, v| match &mut r.model {
            ModelConfig::Transformer(t) => t.d_model = v as usize,
            ModelConfig::MlpOnly(m) => m.d_hidden = v as usize,
        },
        whole: true,
    },
    Field {
        control: Control::Heads,
        get: |r| transformer(r).map(|t| t.n_heads.to_string()),
        set: |r, v| {
            if let Some(t) = transformer_mut(r) {
                t.n_heads = v as usize
            }
        },
        whole: true,
    },
    Field { control: Control::Lr, get: |r| Some(r.train.lr.to_string()), set: |r, v| r.train.lr = v, whole: false },
    Field {
        control: Control::WeightDecay,
        get: |r| Some(r.train.weight_decay.to_string()),
        set: |r, v| r.train.weight_decay = v,
        whole: false,
    },
    Field { control: Control::Steps, get: |r| Some(r.train.steps.to_string()), set: |r, v| r.train.steps = v as usize, whole: true },
    Field { control: Control::Seed, get: |r| Some(r.train.seed.to_string()), set: |r, v| r.train.seed = v as u64, whole: true },
];

/// Parses a field's text: a finite number, whole where the field needs it, not negative.
fn parse(field: &Field, text: &str) -> Result<f64, String> {
    let v: f64 = text.trim().parse().map_err(|_| format!("{}: “{}” is not a number", field.control.label(), text.trim()))?;
    if !v.is_finite() || v < 0.0 {
        return Err(format!("{}: must be a number ≥ 0", field.control.label()));
    }
    if field.whole && (v.fract() != 0.0 || v > u32::MAX as f64) {
        return Err(format!("{}: must be a whole number", field.control.label()));
    }
    Ok(v)
}

/// The form for `run`, without the controls in `hide` (what a sweep's grid sets); `apply` gets
/// every valid change, `busy` disables it (while training), and a lesson's locks disable their
/// fields.
pub fn run_form(
    run: Signal<RunConfig>,
    apply: impl Fn(RunConfig) + Copy + Send + Sync + 'static,
    busy: Signal<bool>,
    hide: &'static [Control],
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let disabled = move |control: Control| busy.get() || ctx.locked(control);
    let lock_note = move |control: Control| ctx.locked(control).then_some("locked by the lesson");
    let error = RwSignal::new(String::new());
    // A refused choice leaves the run as it was; the selects, which track this, show the run's
    // value again rather than the choice (a text field keeps the text its error quotes).
    let refused = Trigger::new();
    let try_apply = move |change: &dyn Fn(&mut RunConfig) -> Result<(), String>| {
        let mut next = run.get_untracked();
        match change(&mut next).and_then(|()| next.validate().map_err(|e| e.to_string())) {
            Ok(()) => {
                error.set(String::new());
                apply(next);
            }
            Err(e) => {
                error.set(e);
                refused.notify();
            }
        }
    };
    let fields = FIELDS
        .iter()
        .filter(|field| !hide.contains(&field.control))
        .map(|field| {
            let value = move || (field.get)(&run.get());
            view! {
                <label class="field" hidden=move || value().is_none() title=move || lock_note(field.control)>
                    <span>{field.control.label()}</span>
                    <input type="text" inputmode="decimal" name=field.control.key() prop:value=move || value().unwrap_or_default() disabled=move || disabled(field.control)
                        on:change=move |e| {
                            let text = event_target_value(&e);
                            try_apply(&|r| parse(field, &text).map(|v| (field.set)(r, v)));
                        } />
                </label>
            }
        })
        .collect_view();
    let operation = move || run.get().task.operations_name();
    // Every operation, Furuta's mixtures, and the run's own mixture if it is another (from a
    // link or a file: the form is built with the cell).
    let operations = {
        let mut names: Vec<String> = Operation::all().into_iter().map(|op| op.name()).chain(FURUTA_MIXTURES.map(String::from)).collect();
        let own = run.with_untracked(|r| r.task.operations_name());
        if !names.contains(&own) {
            names.push(own);
        }
        names
            .into_iter()
            .filter_map(|name| {
                let task = Task::paper().with_operations(&name).ok()?;
                let label = match task.formulas().as_slice() {
                    [one] => format!("({one}) mod p"),
                    all => format!("{{{}}} mod p, one model", all.join(", ")),
                };
                Some(view! { <option value=name>{label}</option> })
            })
            .collect_view()
    };
    let encoding = move || transformer(&run.get()).map(|t| t.encoding.scheme.name());
    let kind = move || match &run.get().model {
        ModelConfig::Transformer(_) => "transformer".to_string(),
        ModelConfig::MlpOnly(m) => format!("mlp_{:?}", m.mlp_type).to_lowercase(),
    };
    let activation = move || transformer(&run.get()).map(|t| t.activation.to_string());
    view! {
        <div class="form">
            <label class="field">
                <span>"task"</span>
                <select name="operation" disabled=move || disabled(Control::Operation) title=move || lock_note(Control::Operation) prop:value=move || { refused.track(); operation() }
                    on:change=move |e| {
                        let name = event_target_value(&e);
                        try_apply(&|r| {
                            r.task = r.task.with_operations(&name)?;
                            // Only Furuta's operator token can say which operation of a mixture is asked.
                            if r.task.is_mixture() {
                                set_scheme(r, Scheme::Furuta);
                            }
                            Ok(())
                        });
                    }>
                    {operations}
                </select>
            </label>
            <label class="field" hidden=move || hide.contains(&Control::Model) || encoding().is_none() title=move || lock_note(Control::Model)>
                <span>"input"</span>
                <select name="encoding" disabled=move || disabled(Control::Model) prop:value=move || { refused.track(); encoding().unwrap_or_default() }
                    on:change=move |e| {
                        let name = event_target_value(&e);
                        try_apply(&|r| {
                            set_scheme(r, name.parse()?);
                            Ok(())
                        });
                    }>
                    {Scheme::ALL.map(|s| view! { <option value=s.name()>{s.label()}</option> }).collect_view()}
                </select>
            </label>
            <label class="field" hidden=hide.contains(&Control::Model)>
                <span>"model"</span>
                <select name="model" disabled=move || disabled(Control::Model) title=move || lock_note(Control::Model) prop:value=move || { refused.track(); kind() }
                    on:change=move |e| {
                        let name = event_target_value(&e);
                        try_apply(&|r| {
                            let model = model_of_kind(&name, &r.model).ok_or("unknown model")?;
                            // Each kind trains with its paper's optimizer (docs/science.md §2.1, §3): the
                            // betas and warm-up follow the model; what the reader set stays.
                            if std::mem::discriminant(&model) != std::mem::discriminant(&r.model) {
                                let recipe = match model {
                                    ModelConfig::Transformer(_) => TrainConfig::default(),
                                    ModelConfig::MlpOnly(_) => TrainConfig::mlp_only(),
                                };
                                r.train = TrainConfig { beta1: recipe.beta1, beta2: recipe.beta2, warmup_steps: recipe.warmup_steps, ..r.train.clone() };
                            }
                            r.model = model;
                            Ok(())
                        });
                    }>
                    <option value="transformer">"transformer (1 layer)"</option>
                    <option value="mlp_a">"MLP only, type A"</option>
                    <option value="mlp_b">"MLP only, type B"</option>
                    <option value="mlp_c">"MLP only, type C"</option>
                    <option value="mlp_d">"MLP only, type D"</option>
                </select>
            </label>
            <label class="field" hidden=move || activation().is_none()>
                <span>"activation"</span>
                <select name="activation" disabled=move || disabled(Control::Activation) title=move || lock_note(Control::Activation) prop:value=move || { refused.track(); activation().unwrap_or_default() }
                    on:change=move |e| {
                        let name = event_target_value(&e);
                        try_apply(&|r| {
                            let a = name.parse::<Activation>()?;
                            if let Some(t) = transformer_mut(r) {
                                t.activation = a;
                            }
                            Ok(())
                        });
                    }>
                    {Activation::ALL.map(|a| view! { <option value=a.name()>{a.name()}</option> }).collect_view()}
                </select>
            </label>
            {fields}
        </div>
        <p class="error form-error" role="alert">{move || error.get()}</p>
    }
}

/// A transformer's input scheme. The warm-up follows it, as the betas follow the model's kind:
/// Furuta et al. train without one (`RunConfig::furuta`); what the reader set stays.
fn set_scheme(run: &mut RunConfig, scheme: Scheme) {
    let Some(t) = transformer_mut(run) else { return };
    if t.encoding.scheme == scheme {
        return;
    }
    t.encoding = if scheme == Scheme::Furuta { Encoding::furuta() } else { Encoding::default() };
    run.train.warmup_steps = if scheme == Scheme::Furuta { 0 } else { TrainConfig::default().warmup_steps };
}

/// The model of a kind named in the form, keeping the width.
fn model_of_kind(name: &str, current: &ModelConfig) -> Option<ModelConfig> {
    let width = match current {
        ModelConfig::Transformer(t) => t.d_model,
        ModelConfig::MlpOnly(m) => m.d_hidden,
    };
    let mlp = |mlp_type| Some(ModelConfig::MlpOnly(MlpOnlyConfig { mlp_type, d_hidden: width + width % 2 }));
    match name {
        "transformer" => match current {
            ModelConfig::Transformer(_) => Some(current.clone()),
            ModelConfig::MlpOnly(_) => {
                Some(ModelConfig::Transformer(TransformerConfig { d_model: width, ..TransformerConfig::paper(1.0) }))
            }
        },
        "mlp_a" => mlp(MlpOnlyType::A),
        "mlp_b" => mlp(MlpOnlyType::B),
        "mlp_c" => mlp(MlpOnlyType::C),
        "mlp_d" => mlp(MlpOnlyType::D),
        _ => None,
    }
}
