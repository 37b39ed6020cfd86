//! The page's URL options (its query string), parsed without the browser so that every case is
//! tested natively: `?lessons` lists the shipped lessons, `?lesson=NAME` opens one, `?size=small&steps=N&autorun` for
//! the browser tests and quick demos, `?backend=auto|cpu|webgpu`, `?bench` (with `p`, `d_model`,
//! `steps`, `every`, and `k` for an ensemble of K against K single runs) for the benchmark page.

use crate::lessons::{Lesson, Size, lesson};
use crate::notebook::Notebook;

/// Which device the reader asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DevicePreference {
    /// WebGPU if it passes the self-check, else the CPU.
    Auto,
    Cpu,
    /// WebGPU, or a message saying why not (still falling back to the CPU).
    WebGpu,
}

#[derive(Clone, Debug)]
pub struct UrlOptions {
    /// A shipped notebook to open (as a copy, beside the reader's own).
    pub lesson: Option<&'static Lesson>,
    /// The size of a shipped notebook's runs; none given, the default notebook is sized for
    /// the device (`lessons::Fit`) and the others open as their files say.
    pub size: Option<Size>,
    /// Overrides every experiment's step count.
    pub steps: Option<usize>,
    /// Press "Run all" on load.
    pub autorun: bool,
    pub backend: DevicePreference,
    /// The benchmark page instead of the notebook.
    pub bench: bool,
    /// The list of shipped lessons instead of the notebook (`?lessons`).
    pub lessons: bool,
    /// The benchmark's run: modulus, width, steps, steps between reads.
    pub bench_p: usize,
    pub bench_d_model: usize,
    pub bench_steps: usize,
    pub bench_every: usize,
    /// Members of the benchmark's ensemble; 0 for none.
    pub bench_k: usize,
}

impl Default for UrlOptions {
    /// A page opened with no query.
    fn default() -> Self {
        UrlOptions::parse("").expect("no options are valid options")
    }
}

impl UrlOptions {
    /// From `location.search` (with or without its `?`); a bad value is a message naming it.
    pub fn parse(query: &str) -> Result<UrlOptions, String> {
        let pairs: Vec<(String, String)> = query
            .strip_prefix('?')
            .unwrap_or(query)
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (key, value) = p.split_once('=').unwrap_or((p, ""));
                (decode(key), decode(value))
            })
            .collect();
        let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        let has = |key: &str| get(key).is_some();
        let count = |key: &str, default: usize| -> Result<usize, String> {
            match get(key) {
                None => Ok(default),
                Some(text) => text.parse::<usize>().map_err(|_| format!("URL parameter {key}={text} is not a whole number")),
            }
        };
        let size = match get("size") {
            None => None,
            Some(name) => Some(Size::from_name(name).ok_or_else(|| format!("URL parameter size={name} is not one of default, small"))?),
        };
        let backend = match get("backend") {
            None | Some("auto") => DevicePreference::Auto,
            Some("cpu") => DevicePreference::Cpu,
            Some("webgpu" | "gpu") => DevicePreference::WebGpu,
            Some(name) => return Err(format!("URL parameter backend={name} is not one of auto, cpu, webgpu")),
        };
        let lesson = match get("lesson") {
            None => None,
            Some(name) => Some(lesson(name).map_err(|e| format!("URL parameter lesson={name}: {e}"))?),
        };
        Ok(UrlOptions {
            lesson,
            size,
            steps: if has("steps") { Some(count("steps", 0)?) } else { None },
            autorun: has("autorun"),
            backend,
            bench: has("bench"),
            lessons: has("lessons"),
            bench_p: count("p", 59)?,
            bench_d_model: count("d_model", 128)?,
            bench_steps: count("steps", 30)?,
            bench_every: count("every", 10)?.max(1),
            bench_k: count("k", 0)?,
        })
    }
}

impl UrlOptions {
    /// A shipped notebook as these options shape it: its size, and every experiment's steps if
    /// given. Never applied to a notebook the reader saved or a link holds.
    pub fn shape(&self, notebook: Notebook) -> Notebook {
        let mut notebook = self.size.unwrap_or(Size::Default).apply_to(notebook);
        if let Some(steps) = self.steps {
            for run in notebook.runs_mut() {
                run.train.steps = steps;
            }
        }
        notebook
    }
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte; a malformed
/// escape stays as it is.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).filter(|h| bytes[i] == b'%' && h.iter().all(u8::is_ascii_hexdigit));
        match hex {
            Some(h) => {
                out.push(u8::from_str_radix(std::str::from_utf8(h).expect("hex digits are ASCII"), 16).expect("two hex digits"));
                i += 3;
            }
            None => {
                out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_and_their_defaults() {
        let o = UrlOptions::default();
        assert!(o.lesson.is_none() && o.steps.is_none() && !o.autorun && !o.bench);
        assert_eq!((o.size, o.backend, o.bench_p, o.bench_every), (None, DevicePreference::Auto, 59, 10));
        let o = UrlOptions::parse("?size=small&steps=8&autorun&backend=cpu").unwrap();
        assert_eq!((o.size, o.steps, o.autorun, o.backend), (Some(Size::Small), Some(8), true, DevicePreference::Cpu));
        let o = UrlOptions::parse("lesson=clock%2Dvs%2Dpizza&bench&every=0").unwrap();
        assert_eq!(o.lesson.map(|l| l.name), Some("clock-vs-pizza"));
        assert_eq!((o.bench, o.bench_every), (true, 1));
        assert!(UrlOptions::parse("?lessons").unwrap().lessons);
    }

    #[test]
    fn options_shape_a_shipped_notebook() {
        let o = UrlOptions::parse("?size=small&steps=8").unwrap();
        let n = o.shape(crate::lessons::clock_vs_pizza(Size::Default));
        let runs: Vec<_> = n.experiments().map(|(_, run)| (run.task.p, run.train.steps)).collect();
        assert_eq!(runs, [(31, 8), (31, 8)]);
    }

    #[test]
    fn a_bad_option_is_named() {
        for (query, named) in
            [("size=huge", "size=huge"), ("steps=many", "steps=many"), ("backend=tpu", "backend=tpu"), ("lesson=x", "lesson=x")]
        {
            let e = UrlOptions::parse(query).err().unwrap();
            assert!(e.contains(named), "{query}: {e}");
        }
    }

    #[test]
    fn decoding() {
        assert_eq!(decode("a%20b+c"), "a b c");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%+f"), "% f");
        assert_eq!(decode("%C3%A9"), "é");
    }
}
