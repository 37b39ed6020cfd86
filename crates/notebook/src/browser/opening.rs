//! Which notebook the page opens, and what the reader is told about it: the copy of a shared
//! link (`#v1.…`) or of a shipped lesson (`?lesson=NAME`), else the reader's own autosaved
//! notebook, else the default one. A link that does not open says why and shows the reader's
//! own notebook, untouched. The default notebook, as shipped, is sized for the device
//! (`Opened::fits_device`).

use grokscope_core::RunConfig;
use grokscope_document::Notebook;
use grokscope_document::lessons::{LESSONS, Size};
use grokscope_document::link::{decode, is_link, link_slot};

use crate::browser::storage::{self, OWN};
use grokscope_document::options::UrlOptions;

pub struct Opened {
    pub notebook: Notebook,
    /// Where autosave writes it.
    pub slot: String,
    /// What this is a copy of ("a shared link", "the lesson …"); the reader's own has none.
    pub copy_of: Option<String>,
    /// The reader's earlier edits to this link were restored.
    pub restored: bool,
    /// Said to the reader at the top of the page (a link that did not open, storage trouble).
    pub problems: Vec<String>,
    /// The default notebook as shipped, at either size, with no size asked for in the URL: the
    /// page sizes it for its device (`lessons::Fit`). An edit makes it the reader's own.
    pub fits_device: bool,
    /// The last opening of this saved notebook never finished drawing: the page offers to
    /// download or erase it instead of drawing it again.
    pub safe_mode: bool,
}

pub fn open(options: &UrlOptions) -> Opened {
    // Read before opening marks the slot again.
    let failed = storage::failed_openings();
    let mut opened = open_notebook(options);
    opened.safe_mode = failed.contains(&opened.slot);
    opened
}

fn open_notebook(options: &UrlOptions) -> Opened {
    let mut problems = Vec::new();
    let fragment = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    if is_link(&fragment) {
        match decode(&fragment) {
            Ok(linked) => {
                let slot = link_slot(&fragment);
                let (notebook, restored) = match saved(&slot, &mut problems) {
                    Some(edited) => (edited, true),
                    None => (linked, false),
                };
                return Opened {
                    notebook,
                    slot,
                    copy_of: Some("a shared link".into()),
                    restored,
                    problems,
                    fits_device: false,
                    safe_mode: false,
                };
            }
            Err(e) => problems.push(format!("{e} Your own notebook is shown instead, as you left it.")),
        }
    } else if let Some(lesson) = options.lesson {
        let slot = format!("lesson-{}", lesson.name);
        let (notebook, restored) = match saved(&slot, &mut problems) {
            Some(edited) => (edited, true),
            None => (options.shape(lesson.notebook()), false),
        };
        let copy_of = format!("the lesson “{}”", notebook.title);
        return Opened { notebook, slot, copy_of: Some(copy_of), restored, problems, fits_device: false, safe_mode: false };
    }
    let notebook = saved(OWN, &mut problems).unwrap_or_else(|| options.shape(LESSONS[0].notebook()));
    let fits_device = options.size.is_none() && is_shipped_default(options, &notebook);
    Opened { notebook, slot: OWN.into(), copy_of: None, restored: false, problems, fits_device, safe_mode: false }
}

/// Whether `notebook` is the default one as shipped, at either size (the reader changed nothing).
pub fn is_shipped_default(options: &UrlOptions, notebook: &Notebook) -> bool {
    [Size::Default, Size::Small].into_iter().any(|size| *notebook == shipped(options, size))
}

/// The default notebook as shipped at `size`, with the URL's other options.
pub fn shipped(options: &UrlOptions, size: Size) -> Notebook {
    UrlOptions { size: Some(size), ..options.clone() }.shape(LESSONS[0].notebook())
}

/// Its first experiment's run (both are of one size).
pub fn shipped_run(options: &UrlOptions, size: Size) -> RunConfig {
    shipped(options, size).experiments().next().map(|(_, run)| run.clone()).expect("the default notebook has an experiment")
}

/// The notebook saved in `slot`, marked as opening until the page has drawn it; one that no
/// longer reads is set aside (kept, under another key) and the reader told.
fn saved(slot: &str, problems: &mut Vec<String>) -> Option<Notebook> {
    match storage::load(slot)? {
        Ok(n) => {
            storage::opening(slot);
            Some(n)
        }
        Err(e) => {
            match storage::set_aside(slot) {
                Ok(key) => problems.push(format!("{e} It is kept in this browser's storage as “{key}”.")),
                Err(why) => problems.push(format!("{e} ({why})")),
            }
            None
        }
    }
}

/// The page's address without query or fragment: where a link points.
fn page_address() -> String {
    let location = web_sys::window().map(|w| w.location());
    let origin = location.as_ref().and_then(|l| l.origin().ok()).unwrap_or_default();
    let path = location.as_ref().and_then(|l| l.pathname().ok()).unwrap_or_default();
    format!("{origin}{path}")
}

/// The address that opens `fragment`, starting its training at once if `autorun`.
pub fn link_address(fragment: &str, autorun: bool) -> String {
    format!("{}{}#{fragment}", page_address(), if autorun { "?autorun" } else { "" })
}
