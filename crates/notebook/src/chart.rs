//! Loss and accuracy curves as inline SVG: loss on a log scale (left), accuracy (right).
//! Train is a solid line, test a dashed one, so they differ without colour.

use grokscope_core::Snapshot;
use leptos::prelude::*;

const W: f64 = 320.0;
const H: f64 = 200.0;
const PAD: f64 = 34.0;

fn polyline(points: impl Iterator<Item = (f64, f64)>) -> String {
    points.map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ")
}

/// One panel: `value` of each snapshot against its step, `y` maps a value to [0, 1].
fn panel(
    title: &'static str,
    snapshots: &[Snapshot],
    values: [fn(&Snapshot) -> f64; 2],
    y: fn(f64) -> f64,
    ticks: Vec<(f64, String)>,
) -> impl IntoView + use<> {
    let last_step = snapshots.last().map(|s| s.step).unwrap_or(1).max(1) as f64;
    let x = move |step: usize| PAD + (W - PAD - 8.0) * step as f64 / last_step;
    let to_y = |v: f64| H - PAD - (H - 2.0 * PAD) * y(v).clamp(0.0, 1.0);
    let line = |f: fn(&Snapshot) -> f64| polyline(snapshots.iter().map(|s| (x(s.step), to_y(f(s)))));
    let (train, test) = (line(values[0]), line(values[1]));
    view! {
        <svg class="panel" viewBox=format!("0 0 {W} {H}") role="img" aria-label=title>
            <text x=PAD y="14" class="title">{title}</text>
            <line x1=PAD y1=H - PAD x2=W - 8.0 y2=H - PAD class="axis" />
            <line x1=PAD y1=PAD x2=PAD y2=H - PAD class="axis" />
            {ticks
                .into_iter()
                .map(|(v, label)| {
                    let ty = to_y(v);
                    view! {
                        <line x1=PAD - 3.0 y1=ty x2=W - 8.0 y2=ty class="grid" />
                        <text x=PAD - 5.0 y=ty + 4.0 class="tick" text-anchor="end">{label}</text>
                    }
                })
                .collect_view()}
            <text x=W - 8.0 y=H - PAD + 16.0 class="tick" text-anchor="end">{format!("step {}", last_step as usize)}</text>
            <polyline points=train class="train" />
            <polyline points=test class="test" />
        </svg>
    }
}

#[component]
pub fn Curves(snapshots: ReadSignal<Vec<Snapshot>>) -> impl IntoView {
    move || {
        let s = snapshots.get();
        // Loss on log10 from 1e-4 to 10.
        let log_loss = |v: f64| (v.max(1e-4).log10() + 4.0) / 5.0;
        let loss_ticks = [1e-4, 1e-2, 1.0].iter().map(|&v| (v, format!("{v:e}"))).collect();
        let acc_ticks = [0.0, 0.5, 1.0].iter().map(|&v| (v, format!("{v}"))).collect();
        view! {
            <div class="curves">
                {panel("loss (log scale)", &s, [|s| s.train_loss, |s| s.test_loss], log_loss, loss_ticks)}
                {panel("accuracy", &s, [|s| s.train_acc, |s| s.test_acc], |v| v, acc_ticks)}
            </div>
            <p class="legend">
                <svg width="28" height="8"><line x1="0" y1="4" x2="28" y2="4" class="train" /></svg>" train   "
                <svg width="28" height="8"><line x1="0" y1="4" x2="28" y2="4" class="test" /></svg>" test (held-out pairs)"
            </p>
        }
    }
}
