//! Files in and out of the page: a download is a Blob behind a temporary link; an upload is
//! read after its size is checked, so an absurd file is refused before it fills memory.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Offers `bytes` as a file named `name`.
pub fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(|_| "the browser refused to make the file")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "the browser refused to make the file")?;
    let result = save_url(name, &url);
    // The click has started the download; the URL is not needed after it.
    let _ = web_sys::Url::revoke_object_url(&url);
    result
}

/// Offers what `url` points at (a `blob:` or `data:` URL) as a file named `name`.
pub fn save_url(name: &str, url: &str) -> Result<(), String> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a").map_err(|_| "no link element")?.unchecked_into();
    a.set_href(url);
    a.set_download(name);
    a.click();
    Ok(())
}

/// The bytes of a picked or dropped file of at most `limit` bytes.
pub async fn read(file: &web_sys::File, limit: usize) -> Result<Vec<u8>, String> {
    if file.size() > limit as f64 {
        return Err(format!("{}, more than the {} allowed; it was not read", size(file.size()), size(limit as f64)));
    }
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(|_| "it could not be read".to_string())?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// A size in KiB or MiB.
pub fn size(bytes: f64) -> String {
    if bytes >= 1048576.0 { format!("{:.0} MiB", bytes / 1048576.0) } else { format!("{:.0} KiB", (bytes / 1024.0).ceil()) }
}

/// The first file of an `<input type=file>` change or a drop.
pub fn first_file(files: Option<web_sys::FileList>) -> Option<web_sys::File> {
    files.and_then(|f| f.get(0))
}

pub fn input_files(e: &leptos::ev::Event) -> Option<web_sys::FileList> {
    e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()).and_then(|i| i.files())
}
