//! Charts on `<canvas>` elements, drawn by grokscope-plots: the same plotters code that writes
//! the CLI's SVG files, here on plotters' canvas backend.

use leptos::html;
use leptos::prelude::*;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use grokscope_plots::PlotResult;

/// A canvas as wide as its column and `height(width)` high, which `draw` paints, again whenever
/// a signal it reads changes. It is drawn at its CSS size, so the charts' type sizes are what
/// the reader sees (a chart scaled down to a phone would not be readable).
pub fn chart_canvas(
    id: String,
    height: impl Fn(u32) -> u32 + 'static,
    draw: impl Fn(&DrawingArea<CanvasBackend, Shift>) -> PlotResult + 'static,
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
        let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return };
        let area = backend.into_drawing_area();
        if let Err(e) = draw(&area).and_then(|()| area.present().map_err(Into::into)) {
            web_sys::console::error_1(&format!("chart {}: {e}", canvas.id()).into());
        }
    });
    view! { <canvas id=id class="chart" node_ref=node></canvas> }
}
