//! Autosave: notebooks in the browser's localStorage. The reader's own notebook has one slot;
//! each notebook opened from a link or a lesson gets its own (named by a hash of the link, or by
//! the lesson), so opening one never overwrites what the reader had, and reloading it keeps the
//! edits made to it.
//! Only documents are stored here; runs (curves and weights) are kept in IndexedDB (`runs.rs`).
//!
//! Each save of a slot gets a new revision, so that a tab can tell that another tab saved the
//! same notebook since it last read or wrote it (and never write an older copy over it); and
//! each opening of a saved notebook is marked until it has rendered, so that one that crashed
//! the page opens next time in safe mode instead of crashing it again.

use grokscope_document::{DocumentError, Notebook};

const PREFIX: &str = "grokscope:";
const NOTEBOOK: &str = "grokscope:notebook:";
pub const OWN: &str = "own";
/// Copies of linked notebooks and lessons kept; the least recently opened go first.
const MAX_LINK_COPIES: usize = 12;
const LINK_ORDER: &str = "grokscope:link-order";
const REVISION: &str = "grokscope:revision:";
const OPENING: &str = "grokscope:opening:";

fn local() -> Result<web_sys::Storage, String> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or_else(|| "this browser does not let the page save (private mode or storage turned off)".into())
}

/// The notebook saved in `slot`: none, or what it holds (which may no longer read).
pub fn load(slot: &str) -> Option<Result<Notebook, DocumentError>> {
    let text = local().ok()?.get_item(&format!("{NOTEBOOK}{slot}")).ok()??;
    Some(Notebook::from_json(text.as_bytes(), "saved notebook"))
}

/// The key of the notebook in `slot`, as `storage` events name it.
pub fn key(slot: &str) -> String {
    format!("{NOTEBOOK}{slot}")
}

/// The revision of what `slot` holds, changed by every save from any tab; `None` before the
/// first.
pub fn revision(slot: &str) -> Option<String> {
    local().ok()?.get_item(&format!("{REVISION}{slot}")).ok()?
}

/// Saves `notebook` in `slot`; returns its new revision.
pub fn save(slot: &str, notebook: &Notebook) -> Result<String, String> {
    let storage = local()?;
    let failed = |_| "the browser's storage is full or refused it".to_string();
    storage.set_item(&format!("{NOTEBOOK}{slot}"), &notebook.to_json()).map_err(failed)?;
    let revision = format!("{}-{}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e9) as u64);
    storage.set_item(&format!("{REVISION}{slot}"), &revision).map_err(failed)?;
    if slot != OWN {
        // Most recent last; beyond the limit the oldest copies are dropped.
        let mut order: Vec<String> =
            storage.get_item(LINK_ORDER).ok().flatten().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
        order.retain(|s| s != slot);
        order.push(slot.to_string());
        while order.len() > MAX_LINK_COPIES {
            let _ = storage.remove_item(&format!("{NOTEBOOK}{}", order.remove(0)));
        }
        storage.set_item(LINK_ORDER, &serde_json::to_string(&order).expect("strings serialise")).map_err(failed)?;
    }
    Ok(revision)
}

/// Keeps `notebook` beside what `slot` holds, under a key of its own (this tab's copy, when
/// another tab saved a different one); returns the key.
pub fn keep_beside(slot: &str, notebook: &Notebook) -> Result<String, String> {
    let key = format!("{PREFIX}this-tab:{slot}:{}", js_sys::Date::now() as u64);
    local()?.set_item(&key, &notebook.to_json()).map_err(|_| "the browser's storage is full or refused it".to_string())?;
    Ok(key)
}

/// Marks `slot` as opening: cleared by `opened` once the page has drawn it.
pub fn opening(slot: &str) {
    if let Ok(s) = local() {
        let _ = s.set_item(&format!("{OPENING}{slot}"), &format!("{}", js_sys::Date::now() as u64));
    }
}

pub fn opened(slot: &str) {
    if let Ok(s) = local() {
        let _ = s.remove_item(&format!("{OPENING}{slot}"));
    }
}

/// The slots whose last opening never finished drawing: the page crashed (or was closed)
/// while drawing them.
pub fn failed_openings() -> Vec<String> {
    our_keys().into_iter().filter_map(|k| k.strip_prefix(OPENING).map(String::from)).collect()
}

/// The text `slot` holds, as stored (for safe mode's download).
pub fn raw(slot: &str) -> Option<String> {
    local().ok()?.get_item(&format!("{NOTEBOOK}{slot}")).ok()?
}

/// Keeps an unreadable saved notebook aside (never deleted) so that its slot can be used.
pub fn set_aside(slot: &str) -> Result<String, String> {
    let storage = local()?;
    let key = format!("{NOTEBOOK}{slot}");
    let text = storage.get_item(&key).ok().flatten().unwrap_or_default();
    let aside = format!("{PREFIX}unreadable:{slot}:{}", js_sys::Date::now() as u64);
    storage.set_item(&aside, &text).map_err(|_| "the browser's storage refused it".to_string())?;
    remove(slot);
    Ok(aside)
}

/// Forgets what `slot` holds, and its revision.
pub fn remove(slot: &str) {
    if let Ok(s) = local() {
        let _ = s.remove_item(&format!("{NOTEBOOK}{slot}"));
        let _ = s.remove_item(&format!("{REVISION}{slot}"));
    }
}

/// What is saved: (the reader's own notebook, copies of linked ones, anything else of ours).
pub fn inventory() -> (usize, usize, usize) {
    let keys = our_keys();
    let own = keys.iter().filter(|k| **k == format!("{NOTEBOOK}{OWN}")).count();
    let links = keys.iter().filter(|k| k.starts_with(NOTEBOOK) && !k.ends_with(OWN)).count();
    (own, links, keys.len() - own - links)
}

fn our_keys() -> Vec<String> {
    let Ok(storage) = local() else { return Vec::new() };
    let n = storage.length().unwrap_or(0);
    (0..n).filter_map(|i| storage.key(i).ok().flatten()).filter(|k| k.starts_with(PREFIX)).collect()
}

/// Erases everything grokscope saved in this browser; returns how many entries.
pub fn erase() -> Result<usize, String> {
    let storage = local()?;
    let keys = our_keys();
    for k in &keys {
        storage.remove_item(k).map_err(|_| "the browser's storage refused it".to_string())?;
    }
    Ok(keys.len())
}
