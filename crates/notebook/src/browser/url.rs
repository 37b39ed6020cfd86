//! The page's URL options (`grokscope_document::options`), from its location.

use grokscope_document::options::UrlOptions;

pub fn options() -> Result<UrlOptions, String> {
    let search = web_sys::window().ok_or("no window")?.location().search().map_err(|_| "unreadable URL")?;
    UrlOptions::parse(&search)
}
