//! Options read from the URL's query: `?size=small&autorun` for the browser tests and quick
//! demos, `?backend=cpu|webgpu|auto`, `?bench` for the benchmark page.

use crate::gpu::Preference;
use grokscope_document::Size;

pub struct UrlOptions {
    pub size: Size,
    /// Overrides every experiment's step count.
    pub steps: Option<usize>,
    /// Press "Run all" on load.
    pub autorun: bool,
    pub backend: Preference,
    /// The benchmark page instead of the notebook.
    pub bench: bool,
    /// The benchmark's run: modulus, width, steps, steps between reads.
    pub bench_p: usize,
    pub bench_d_model: usize,
    pub bench_steps: usize,
    pub bench_every: usize,
}

fn params() -> Option<web_sys::UrlSearchParams> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()
}

pub fn options() -> Result<UrlOptions, String> {
    let params = params().ok_or("unreadable URL parameters")?;
    let count = |key: &str, default: usize| -> Result<usize, String> {
        match params.get(key) {
            None => Ok(default),
            Some(text) => text.parse::<usize>().map_err(|_| format!("URL parameter {key}={text} is not a whole number")),
        }
    };
    let size = match params.get("size") {
        None => Size::Default,
        Some(name) => Size::from_name(&name).ok_or_else(|| format!("URL parameter size={name} is not one of default, small"))?,
    };
    let backend = match params.get("backend") {
        None => Preference::Auto,
        Some(name) => Preference::from_name(&name).ok_or_else(|| format!("URL parameter backend={name} is not one of auto, cpu, webgpu"))?,
    };
    let steps = match params.get("steps") {
        None => None,
        Some(_) => Some(count("steps", 0)?),
    };
    Ok(UrlOptions {
        size,
        steps,
        autorun: params.has("autorun"),
        backend,
        bench: params.has("bench"),
        bench_p: count("p", 59)?,
        bench_d_model: count("d_model", 128)?,
        bench_steps: count("steps", 30)?,
        bench_every: count("every", 10)?.max(1),
    })
}
