//! The grokscope notebook in the browser: cells of text, experiments that train the paper's
//! models on WebGPU (or burn's CPU backend compiled to WebAssembly) and analyses that say which
//! algorithm each model found. `?bench` opens the benchmark page instead.

mod analyst;
mod app;
mod bench;
mod canvas;
mod cells;
mod chart;
mod engine;
mod gpu;
mod markdown;
mod files;
mod opening;
mod share;
mod storage;
mod session;
mod url;
mod worker;

fn main() {
    grokscope_notebook::run_static_constructors();
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
