//! Markdown cells drawn into DOM nodes, from the bounded tree of safe elements that
//! `grokscope_document::markdown` makes: text only ever becomes text nodes.

use grokscope_document::markdown::{Node, parse};
use web_sys::{Document, Element};

/// Replaces `target`'s children with the rendering of `text`.
pub fn render_into(target: &Element, text: &str) {
    target.set_text_content(None);
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    for node in parse(text) {
        append(&document, target, &node);
    }
}

/// Recursion bounded by the tree's depth limit (`markdown::MAX_DEPTH`).
fn append(document: &Document, parent: &Element, node: &Node) {
    let _ = match node {
        Node::Text(text) => parent.append_child(&document.create_text_node(text)),
        Node::Element { tag, href, children } => {
            let element = document.create_element(tag).expect("a standard element name");
            if let Some(url) = href {
                let _ = element.set_attribute("href", url);
                let _ = element.set_attribute("rel", "noopener noreferrer");
                let _ = element.set_attribute("target", "_blank");
            }
            for child in children {
                append(document, &element, child);
            }
            parent.append_child(&element)
        }
    };
}
