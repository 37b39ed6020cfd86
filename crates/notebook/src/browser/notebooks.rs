//! What the page does with whole notebooks, apart from showing them: save one as a file, open a
//! file (as a link opens: a copy, in a new tab), erase what this browser stored, start a copy
//! again from its original.

use grokscope_document::Notebook;
use grokscope_document::export::file_stem;
use grokscope_document::link::encode;
use grokscope_document::notebook::MAX_JSON_BYTES;

use crate::browser::opening::link_address;
use crate::browser::{files, runs, storage};

/// Downloads `notebook` as `<title>.grokscope.json`.
pub fn save_file(notebook: &Notebook) -> Result<(), String> {
    let name = format!("{}.grokscope.json", file_stem(&notebook.title));
    files::download(&name, "application/json", notebook.to_json().as_bytes())
}

/// Opens a notebook file in a new tab, as a copy beside the reader's own. Where the browser
/// blocks the tab: the file's name and the address to open by hand.
pub async fn open_file(file: &web_sys::File) -> Result<Option<(String, String)>, String> {
    let named = |e: String| format!("{}: {e}", file.name());
    let bytes = files::read(file, MAX_JSON_BYTES).await.map_err(named)?;
    let notebook = Notebook::from_json(&bytes, "file").map_err(|e| named(e.to_string()))?;
    let address = link_address(&encode(&notebook), false);
    let tab = web_sys::window().and_then(|w| w.open_with_url_and_target(&address, "_blank").ok().flatten());
    Ok(tab.is_none().then(|| (file.name(), address)))
}

/// Asks, listing what it erases and how much the kept runs take, then erases everything
/// grokscope stored in this browser. What to tell the reader, or nothing if they said no.
pub async fn erase() -> Result<Option<String>, String> {
    let (own, links, other) = storage::inventory();
    // A browser that keeps no runs still has notebooks to erase.
    let (kept, bytes) = runs::inventory().await.unwrap_or((0, 0));
    let size = files::size(bytes as f64);
    let question = format!(
        "Erase everything grokscope saved in this browser?\n\n\
         · your own notebook: {}\n· copies of notebooks opened from links or lessons: {links}\n· other entries (kept aside, link order): {other}\n\
         · runs kept with their curves, recorded weights and optimizer state: {kept} ({size})\n\n\
         This page keeps showing its notebook and runs until you leave; an edit or a run saves them again.",
        if own > 0 { "saved" } else { "none saved" }
    );
    let yes = web_sys::window().and_then(|w| w.confirm_with_message(&question).ok()).unwrap_or(false);
    if !yes {
        return Ok(None);
    }
    let n = storage::erase()?;
    if kept > 0 {
        runs::erase().await?;
    }
    Ok(Some(format!(
        "Erased {n} saved entr{} and {kept} kept run{} ({size} freed) from this browser.",
        if n == 1 { "y" } else { "ies" },
        if kept == 1 { "" } else { "s" }
    )))
}

/// Forgets the reader's edits to the copy in `slot` and reloads: the original opens again.
pub fn start_again(slot: &str) {
    storage::remove(slot);
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}
