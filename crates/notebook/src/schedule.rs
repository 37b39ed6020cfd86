//! Frame pacing: work on the page's thread waits for its turn between painted frames.

use std::cell::Cell;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

thread_local! {
    /// The animation frame whose turn was last taken.
    static LAST_TURN: Cell<f64> = const { Cell::new(f64::NAN) };
}

/// Waits for a turn to work: after the browser has painted a frame in which nobody else has
/// worked. So every piece of work between two yields (a slice of steps, a read, an analysis
/// step) delays at most one frame, and two experiments training at once take turns instead of
/// piling into the same frame. A hidden page paints no frames: there a timer gives the turn.
pub async fn yield_to_browser() {
    loop {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            let window = web_sys::window().expect("a window");
            // Resolves with the frame's timestamp, or with nothing after the timer.
            let _ = window.request_animation_frame(resolve.unchecked_ref());
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(resolve.unchecked_ref(), HIDDEN_PAGE_TURN_MS);
        });
        let frame = JsFuture::from(promise).await.ok().and_then(|v| v.as_f64());
        match frame {
            Some(t) if LAST_TURN.with(|last| last.replace(t)) == t => continue,
            _ => break,
        }
    }
    // Work after the frame's paint, not inside it.
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let window = web_sys::window().expect("a window");
        let _ = window.set_timeout_with_callback(resolve.unchecked_ref());
    });
    let _ = JsFuture::from(promise).await;
}

/// A page that paints no frames (a background tab) still gets a turn this often.
const HIDDEN_PAGE_TURN_MS: i32 = 250;
