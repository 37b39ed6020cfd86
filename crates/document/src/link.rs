//! Share links: the whole notebook in the URL's fragment, which browsers never send to a
//! server. The fragment is `v1.` followed by the notebook's JSON, zlib-compressed (whose
//! Adler-32 check turns a damaged link into an error instead of a different notebook) and
//! written in URL-safe base64. The link version (`v1`) covers this encoding; the notebook's own
//! `version` covers what its JSON means.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use miniz_oxide::inflate::DecompressError;
use miniz_oxide::inflate::TINFLStatus;

use crate::DocumentError;
use crate::notebook::{MAX_JSON_BYTES, Notebook};

pub const LINK_VERSION: u32 = 1;
/// Longer fragments are refused before decoding. Real notebooks are a few kilobytes; Chromium
/// stops at 2 MB of URL anyway.
pub const MAX_FRAGMENT_CHARS: usize = 1 << 20;

const WHAT: &str = "link";

/// The fragment (without `#`) that reopens `notebook`.
pub fn encode(notebook: &Notebook) -> String {
    let json = serde_json::to_vec(notebook).expect("a notebook serialises");
    let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&json, 10);
    format!("v{LINK_VERSION}.{}", URL_SAFE_NO_PAD.encode(compressed))
}

/// Whether a fragment is meant as a notebook link (`v<number>.`), so that a page anchor is not
/// mistaken for a damaged link.
pub fn is_link(fragment: &str) -> bool {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    fragment
        .strip_prefix('v')
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(v, _)| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
}

/// The notebook a fragment (with or without its `#`) holds, checked as any notebook from
/// outside is (`Notebook::check`).
pub fn decode(fragment: &str) -> Result<Notebook, DocumentError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if fragment.len() > MAX_FRAGMENT_CHARS {
        return Err(DocumentError::TooLarge { what: WHAT, limit: MAX_FRAGMENT_CHARS });
    }
    let corrupted = |why: &str| DocumentError::Corrupted { what: WHAT, why: why.to_string() };
    let (version, payload) = fragment
        .strip_prefix('v')
        .and_then(|rest| rest.split_once('.'))
        .ok_or_else(|| corrupted("it does not start with a version such as v1."))?;
    let version: u32 = version.parse().map_err(|_| corrupted("its version is not a number"))?;
    if version > LINK_VERSION {
        return Err(DocumentError::Newer { what: WHAT, version, supported: LINK_VERSION });
    }
    if version != LINK_VERSION {
        return Err(corrupted("its version is not one grokscope wrote"));
    }
    let compressed = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).map_err(|_| corrupted("characters a link does not have"))?;
    let json =
        miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&compressed, MAX_JSON_BYTES).map_err(|e: DecompressError| {
            match e.status {
                TINFLStatus::HasMoreOutput => DocumentError::TooLarge { what: WHAT, limit: MAX_JSON_BYTES },
                TINFLStatus::Adler32Mismatch => corrupted("its checksum does not match"),
                TINFLStatus::FailedCannotMakeProgress => corrupted("it is cut short"),
                _ => corrupted("it does not decompress"),
            }
        })?;
    Notebook::from_json(&json, WHAT)
}

/// Where the page keeps its copy of the link `fragment` (a localStorage slot): FNV-1a of the
/// fragment, enough to tell links apart.
pub fn link_slot(fragment: &str) -> String {
    let hash = fragment.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3));
    format!("link-{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_tell_links_apart() {
        assert_eq!(link_slot("#v1.abc"), link_slot("#v1.abc"));
        assert_ne!(link_slot("#v1.abc"), link_slot("#v1.abd"));
        assert!(link_slot("#v1.abc").starts_with("link-") && link_slot("").len() == 21);
    }
}
