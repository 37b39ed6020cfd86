//! The grokscope notebook in the browser. For now one page: train a tiny Clock & Pizza model on
//! burn's CPU backend compiled to WebAssembly, and watch its loss and accuracy.

mod chart;
mod page;
mod run;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(page::App);
}
