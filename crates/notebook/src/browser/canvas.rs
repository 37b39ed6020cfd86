//! plotters' backends with text measured by a canvas. plotters in wasm measures each label by
//! adding a styled `<span>` to the page and reading its size, which makes the browser lay out
//! the whole page, once per label (a chart with thirty labels cost the page a frame or more on
//! every update while training), and needs inline style, which the page's CSP refuses.
//! `measureText` asks the canvas's font engine instead and touches no layout. The charts on the
//! page draw on `Canvas`; their SVG downloads on `Measured<SVGBackend>` (`to_svg`).

use grokscope_plots::{PlotError, PlotResult};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

type Drawn<T, E> = Result<T, DrawingErrorKind<E>>;

/// A backend `B` for drawing, a canvas's `measureText` for sizes.
pub struct Measured<B> {
    inner: B,
    context: CanvasRenderingContext2d,
}

/// The canvas a chart draws on, measuring with its own context.
pub type Canvas = Measured<CanvasBackend>;

impl Canvas {
    pub fn new(canvas: HtmlCanvasElement) -> Option<Self> {
        let context = context(&canvas)?;
        Some(Measured { inner: CanvasBackend::with_canvas_object(canvas)?, context })
    }
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

/// Whatever `draw` draws, as SVG of `size` pixels, its text measured by a canvas that is never
/// shown (`grokscope_plots::svg::to_svg` is the same natively, where fonts measure themselves).
pub fn to_svg(size: (u32, u32), draw: impl FnOnce(&DrawingArea<Measured<SVGBackend>, Shift>) -> PlotResult) -> Result<String, PlotError> {
    let unavailable = || PlotError("the browser offers no canvas to measure text with".into());
    let canvas = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("canvas").ok())
        .and_then(|c| c.dyn_into().ok())
        .ok_or_else(unavailable)?;
    let context = context(&canvas).ok_or_else(unavailable)?;
    let mut svg = String::new();
    {
        let area = Measured { inner: SVGBackend::with_string(&mut svg, size), context }.into_drawing_area();
        draw(&area)?;
        area.present()?;
    }
    Ok(svg)
}

impl<B: DrawingBackend> DrawingBackend for Measured<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Drawn<(), B::ErrorType> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Drawn<(), B::ErrorType> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Drawn<(), B::ErrorType> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> Drawn<(), B::ErrorType> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Drawn<(), B::ErrorType> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, path: I, style: &S) -> Drawn<(), B::ErrorType> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(&mut self, center: BackendCoord, radius: u32, style: &S, fill: bool) -> Drawn<(), B::ErrorType> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, vert: I, style: &S) -> Drawn<(), B::ErrorType> {
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(&mut self, text: &str, style: &S, pos: BackendCoord) -> Drawn<(), B::ErrorType> {
        self.inner.draw_text(text, style, pos)
    }

    /// The text's advance width and its font's line height (ascent + descent), as the span
    /// plotters would have measured had it (an inline block of the font's normal line height).
    fn estimate_text_size<S: BackendTextStyle>(&self, text: &str, style: &S) -> Drawn<(u32, u32), B::ErrorType> {
        // The font string `draw_text` sets, so what is measured is what is drawn.
        self.context.set_font(&format!("{} {}px {}", style.style().as_str(), style.size(), style.family().as_str()));
        let metrics =
            self.context.measure_text(text).map_err(|e| DrawingErrorKind::FontError(format!("measuring {text:?}: {e:?}").into()))?;
        let height = metrics.font_bounding_box_ascent() + metrics.font_bounding_box_descent();
        Ok((metrics.width().ceil() as u32, height.ceil() as u32))
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Drawn<(), B::ErrorType> {
        self.inner.blit_bitmap(pos, size, src)
    }
}
