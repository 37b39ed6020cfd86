//! The grokscope notebook in the browser: cells of text, experiments that train the paper's
//! models on WebGPU (or burn's CPU backend compiled to WebAssembly) and analyses that say which
//! algorithm each model found. `?bench` opens the benchmark page instead.

// Layers, each using only the ones below it: views (what the page shows) → state (the
// notebook and its sessions) → run (where and how a model trains and is analysed) → browser
// (the page's platform: storage, files, canvas, URL) and schedule (frame pacing).
mod browser;
mod run;
mod schedule;
mod state;
mod views;

fn main() {
    grokscope_notebook::run_static_constructors();
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(views::page::App);
}
