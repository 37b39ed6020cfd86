//! Autosave: notebooks in the browser's localStorage. The reader's own notebook has one slot;
//! each notebook opened from a link or a lesson gets its own (named by a hash of the link, or by
//! the lesson), so opening one never overwrites what the reader had, and reloading it keeps the
//! edits made to it.
//! Only documents are stored here; runs (curves and weights) are kept in IndexedDB (`runs.rs`).

use grokscope_document::{DocumentError, Notebook};

const PREFIX: &str = "grokscope:";
const NOTEBOOK: &str = "grokscope:notebook:";
pub const OWN: &str = "own";
/// Copies of linked notebooks and lessons kept; the least recently opened go first.
const MAX_LINK_COPIES: usize = 12;
const LINK_ORDER: &str = "grokscope:link-order";

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

pub fn save(slot: &str, notebook: &Notebook) -> Result<(), String> {
    let storage = local()?;
    let failed = |_| "the browser's storage is full or refused it".to_string();
    storage.set_item(&format!("{NOTEBOOK}{slot}"), &notebook.to_json()).map_err(failed)?;
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
    Ok(())
}

/// Keeps an unreadable saved notebook aside (never deleted) so that its slot can be used.
pub fn set_aside(slot: &str) -> Result<String, String> {
    let storage = local()?;
    let key = format!("{NOTEBOOK}{slot}");
    let text = storage.get_item(&key).ok().flatten().unwrap_or_default();
    let aside = format!("{PREFIX}unreadable:{slot}:{}", js_sys::Date::now() as u64);
    storage.set_item(&aside, &text).map_err(|_| "the browser's storage refused it".to_string())?;
    let _ = storage.remove_item(&key);
    Ok(aside)
}

pub fn remove(slot: &str) {
    if let Ok(s) = local() {
        let _ = s.remove_item(&format!("{NOTEBOOK}{slot}"));
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
