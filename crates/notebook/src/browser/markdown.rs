//! Markdown cells rendered into DOM nodes. Text only ever becomes text nodes: HTML written in a
//! cell (or sent in a link) is shown as the characters it is, never parsed or run, and a link
//! keeps its target only when it is http(s).

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag};
use web_sys::{Document, Element, Node};

/// Replaces `target`'s children with the rendering of `text`.
pub fn render_into(target: &Element, text: &str) {
    target.set_text_content(None);
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let mut stack: Vec<Node> = vec![target.clone().into()];
    let append = |parent: &Node, node: &Node| {
        let _ = parent.append_child(node);
    };
    for event in Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES) {
        let parent = stack.last().expect("the target stays at the bottom").clone();
        match event {
            Event::Start(tag) => {
                let element: Node = element_for(&document, &tag).into();
                append(&parent, &element);
                stack.push(element);
            }
            Event::End(_) => {
                if stack.len() > 1 {
                    stack.pop();
                }
            }
            Event::Code(t) => {
                let code = element(&document, "code");
                code.set_text_content(Some(&t));
                append(&parent, &code);
            }
            // HTML is text here: it shows, it never runs.
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                append(&parent, &document.create_text_node(&t));
            }
            Event::SoftBreak => append(&parent, &document.create_text_node(" ")),
            Event::HardBreak => append(&parent, &element(&document, "br")),
            Event::Rule => append(&parent, &element(&document, "hr")),
            Event::FootnoteReference(t) => append(&parent, &document.create_text_node(&format!("[{t}]"))),
            Event::TaskListMarker(done) => append(&parent, &document.create_text_node(if done { "☑ " } else { "☐ " })),
        }
    }
}

fn element(document: &Document, name: &str) -> Element {
    document.create_element(name).expect("a standard element name")
}

fn element_for(document: &Document, tag: &Tag) -> Element {
    let name = match tag {
        Tag::Paragraph => "p",
        Tag::Heading { level, .. } => match level {
            // The notebook's title is the page's h1.
            HeadingLevel::H1 | HeadingLevel::H2 => "h2",
            HeadingLevel::H3 => "h3",
            _ => "h4",
        },
        Tag::BlockQuote(_) => "blockquote",
        Tag::CodeBlock(_) => "pre",
        Tag::List(Some(_)) => "ol",
        Tag::List(None) => "ul",
        Tag::Item => "li",
        Tag::Emphasis => "em",
        Tag::Strong => "strong",
        Tag::Strikethrough => "s",
        Tag::Link { .. } => "a",
        Tag::Table(_) => "table",
        Tag::TableHead | Tag::TableRow => "tr",
        Tag::TableCell => "td",
        // Images would load from anywhere: shown as their alt text.
        _ => "span",
    };
    let element = element(document, name);
    if let Tag::Link { dest_url, .. } = tag {
        let url = dest_url.trim();
        if url.starts_with("https://") || url.starts_with("http://") {
            let _ = element.set_attribute("href", url);
            let _ = element.set_attribute("rel", "noopener noreferrer");
            let _ = element.set_attribute("target", "_blank");
        }
    }
    element
}
