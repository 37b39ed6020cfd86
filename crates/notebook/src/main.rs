//! The grokscope notebook in the browser. For now one page: train a tiny Clock & Pizza model on
//! WebGPU (or burn's CPU backend compiled to WebAssembly), watch its loss and accuracy, and see
//! which algorithm it found.

mod chart;
mod gpu;
mod page;
mod run;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(page::App);
}
