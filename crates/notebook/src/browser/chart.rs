//! Charts on `<canvas>` elements, drawn by grokscope-plots: the same plotters code that writes
//! the CLI's SVG files, here on plotters' canvas backend (with text measured by the canvas,
//! `canvas.rs`).

use grokscope_plots::{PlotError, PlotResult};
use leptos::html;
use leptos::prelude::*;
use plotters::coord::Shift;
use plotters::prelude::*;
use wasm_bindgen::JsValue;

use crate::browser::canvas::Canvas;
use crate::browser::files;

/// A canvas as wide as its column and `height(width)` high, which `draw` paints, again whenever
/// a signal it reads changes. It is drawn at its CSS size, so the charts' type sizes are what
/// the reader sees (a chart scaled down to a phone would not be readable). `describe` is its text
/// alternative (what it shows, its key numbers), for screen readers. Below it, the chart as a
/// PNG (the canvas's pixels) or as SVG (`svg` draws the same chart at the same size), and, where
/// `data` gives the chart's numbers as CSV, a "data" toggle that shows them as a table.
pub fn chart_canvas(
    id: String,
    describe: impl Fn() -> String + Send + Sync + 'static,
    data: Option<Signal<String>>,
    height: impl Fn(u32) -> u32 + 'static,
    draw: impl Fn(&DrawingArea<Canvas, Shift>) -> PlotResult + 'static,
    svg: impl Fn((u32, u32)) -> Result<String, PlotError> + 'static,
) -> impl IntoView {
    let node = NodeRef::<html::Canvas>::new();
    // Redrawn at the new width when the window changes size (a phone turned, a window resized).
    let (resized, set_resized) = signal(0u32);
    let listener = window_event_listener(leptos::ev::resize, move |_| set_resized.update(|n| *n += 1));
    on_cleanup(move || listener.remove());
    Effect::new(move |_| {
        resized.track();
        let Some(canvas) = node.get() else { return };
        let width = canvas.client_width().clamp(280, 1000) as u32;
        canvas.set_width(width);
        canvas.set_height(height(width));
        let Some(backend) = Canvas::new(canvas.clone()) else { return };
        let area = backend.into_drawing_area();
        if let Err(e) = draw(&area).and_then(|()| area.present().map_err(Into::into)) {
            web_sys::console::error_1(&format!("chart {}: {e}", canvas.id()).into());
        }
    });
    let error = RwSignal::new(String::new());
    let (png_name, svg_name) = (format!("{id}.png"), format!("{id}.svg"));
    let png = move || {
        let Some(canvas) = node.get_untracked() else { return };
        let result = canvas
            .to_data_url()
            .map_err(|_| "the browser refused to export the chart".to_string())
            .and_then(|url| files::save_url(&png_name, &url));
        error.set(result.err().unwrap_or_default());
    };
    let svg = move || {
        let Some(canvas) = node.get_untracked() else { return };
        let result = svg((canvas.width(), canvas.height()))
            .map_err(|e| e.to_string())
            .and_then(|text| files::download(&svg_name, "image/svg+xml", text.as_bytes()));
        error.set(result.err().unwrap_or_default());
    };
    view! {
        <figure class="chart-box">
            <canvas id=id class="chart" role="img" aria-label=describe node_ref=node></canvas>
            <figcaption class="exports">
                <button class="small png" title="Download this chart as PNG" on:click=move |_| png()>"PNG"</button>
                <button class="small svg" title="Download this chart as SVG" on:click=move |_| svg()>"SVG"</button>
                <span class="error">{move || error.get()}</span>
            </figcaption>
            {data.map(data_table)}
        </figure>
    }
}

/// The chart's numbers as a table, built only while it is open (a live chart's data changes at
/// every update).
fn data_table(csv: Signal<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    let on_toggle = move |e: leptos::ev::Event| {
        let target = e.target().map(JsValue::from).unwrap_or(JsValue::NULL);
        open.set(js_sys::Reflect::get(&target, &"open".into()).ok().and_then(|o| o.as_bool()).unwrap_or(false));
    };
    view! {
        <details class="chart-data" on:toggle=on_toggle>
            <summary>"data"</summary>
            {move || open.get().then(|| csv.with(|text| {
                let mut lines = text.lines().map(|l| l.split(',').map(shorter).collect::<Vec<_>>());
                let header = lines.next().unwrap_or_default();
                view! {
                    <table class="data">
                        <thead><tr>{header.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
                        <tbody>{lines.map(|row| view! { <tr>{row.into_iter().map(|v| view! { <td>{v}</td> }).collect_view()}</tr> }).collect_view()}</tbody>
                    </table>
                }
            }))}
        </details>
    }
}

/// A number to four significant digits (the CSV keeps every digit), other text as it is.
fn shorter(field: &str) -> String {
    match field.parse::<f64>() {
        // Rust writes f64 without exponents: a number with a point is a measured value.
        Ok(v) if field.contains('.') => format!("{}", format!("{v:.3e}").parse::<f64>().unwrap_or(v)),
        _ => field.to_string(),
    }
}
