//! A text cell's Markdown as a tree of a few safe elements: what the page turns into DOM nodes.
//! Text only ever becomes text: HTML written in a cell (or sent in a link) is kept as the
//! characters it is, never parsed or run, and a link keeps its target only when it is http(s).
//!
//! The tree is bounded, whatever the text: a browser lays nested elements out recursively, and
//! 5,000 nested quotes (`>>>>…`, a 290-character link) crashed the tab. Past [`MAX_DEPTH`]
//! levels a construct adds no element (its text goes on in the deepest one), and past
//! [`MAX_NODES`] nodes the rest of the cell is one text node.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag};

/// Elements nested in one another, at most: far deeper than any text a person writes.
pub const MAX_DEPTH: usize = 32;
/// Nodes in one cell's tree, at most (a 100,000-character cell of `*a* ` makes 50,000).
pub const MAX_NODES: usize = 20_000;

#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Element {
        /// An HTML element name from a fixed list.
        tag: &'static str,
        /// A link's target: http(s) only.
        href: Option<String>,
        children: Vec<Node>,
    },
    Text(String),
}

impl Node {
    /// Nodes in this subtree, itself included.
    pub fn count(&self) -> usize {
        match self {
            Node::Element { children, .. } => 1 + children.iter().map(Node::count).sum::<usize>(),
            Node::Text(_) => 1,
        }
    }

    /// Elements nested in this one, itself included (0 for text).
    pub fn depth(&self) -> usize {
        match self {
            Node::Element { children, .. } => 1 + children.iter().map(Node::depth).max().unwrap_or(0),
            Node::Text(_) => 0,
        }
    }
}

/// The tree of `text`: its top-level nodes.
pub fn parse(text: &str) -> Vec<Node> {
    let mut tree = Tree { open: vec![Vec::new()], tags: Vec::new(), skipped: 0, nodes: 0 };
    let mut events = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES).into_offset_iter();
    for (event, range) in events.by_ref() {
        if tree.nodes >= MAX_NODES {
            // The rest of the cell as it was typed, in one node.
            tree.push(Node::Text(text[range.start..].to_string()));
            break;
        }
        match event {
            Event::Start(tag) => tree.start(&tag),
            Event::End(_) => tree.end(),
            Event::Code(t) => tree.push(Node::Element { tag: "code", href: None, children: vec![Node::Text(t.to_string())] }),
            // HTML is text here: it shows, it never runs.
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                tree.push(Node::Text(t.to_string()))
            }
            Event::SoftBreak => tree.push(Node::Text(" ".into())),
            Event::HardBreak => tree.push(Node::Element { tag: "br", href: None, children: Vec::new() }),
            Event::Rule => tree.push(Node::Element { tag: "hr", href: None, children: Vec::new() }),
            Event::FootnoteReference(t) => tree.push(Node::Text(format!("[{t}]"))),
            Event::TaskListMarker(done) => tree.push(Node::Text(if done { "☑ " } else { "☐ " }.into())),
        }
    }
    tree.close()
}

/// The tree as it is built: the children of each open element, bottom first.
struct Tree {
    open: Vec<Vec<Node>>,
    /// Each open element's name and target.
    tags: Vec<(&'static str, Option<String>)>,
    /// Constructs opened past `MAX_DEPTH`, whose ends close nothing.
    skipped: usize,
    nodes: usize,
}

impl Tree {
    fn push(&mut self, node: Node) {
        self.nodes += node.count();
        self.open.last_mut().expect("the top level stays open").push(node);
    }

    fn start(&mut self, tag: &Tag) {
        if self.skipped > 0 || self.tags.len() >= MAX_DEPTH {
            self.skipped += 1;
            return;
        }
        self.nodes += 1;
        self.tags.push(element_for(tag));
        self.open.push(Vec::new());
    }

    fn end(&mut self) {
        if self.skipped > 0 {
            self.skipped -= 1;
        } else if let Some((tag, href)) = self.tags.pop() {
            let children = self.open.pop().expect("one list per open element");
            self.open.last_mut().expect("the top level stays open").push(Node::Element { tag, href, children });
        }
    }

    /// Closes what a cut-short cell left open.
    fn close(mut self) -> Vec<Node> {
        self.skipped = 0;
        while !self.tags.is_empty() {
            self.end();
        }
        self.open.pop().expect("the top level")
    }
}

fn element_for(tag: &Tag) -> (&'static str, Option<String>) {
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
    let href = match tag {
        Tag::Link { dest_url, .. } => {
            let url = dest_url.trim();
            (url.starts_with("https://") || url.starts_with("http://")).then(|| url.to_string())
        }
        _ => None,
    };
    (name, href)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bounded(text: &str) -> Vec<Node> {
        let tree = parse(text);
        let (nodes, depth): (usize, usize) = (tree.iter().map(Node::count).sum(), tree.iter().map(Node::depth).max().unwrap_or(0));
        // Each event adds at most one node (and a code span two) past the check.
        assert!(nodes <= MAX_NODES + 2, "{nodes} nodes");
        assert!(depth <= MAX_DEPTH, "{depth} levels");
        tree
    }

    fn text_of(nodes: &[Node]) -> String {
        nodes
            .iter()
            .map(|n| match n {
                Node::Text(t) => t.clone(),
                Node::Element { children, .. } => text_of(children),
            })
            .collect()
    }

    #[test]
    fn what_a_person_writes_renders_as_before() {
        let tree = parse("# Title\n\nSome *emphasis*, `code`, [a link](https://x.org) and [not](javascript:alert(1)).\n\n<b>bold?</b>");
        assert!(matches!(&tree[0], Node::Element { tag: "h2", .. }));
        let Node::Element { tag: "p", children, .. } = &tree[1] else { panic!("{tree:?}") };
        assert!(children.contains(&Node::Element { tag: "em", href: None, children: vec![Node::Text("emphasis".into())] }));
        let links: Vec<_> =
            children.iter().filter_map(|n| if let Node::Element { tag: "a", href, .. } = n { Some(href.clone()) } else { None }).collect();
        assert_eq!(links, [Some("https://x.org".to_string()), None]);
        assert!(text_of(&tree).contains("<b>bold?</b>"), "HTML stays text");
    }

    /// The red team's texts: each crashed the tab when every level was an element.
    #[test]
    fn deep_nesting_is_cut_at_the_depth_limit_and_keeps_its_text() {
        for text in
            [">".repeat(5000) + " x", "*".repeat(20_000) + "x" + &"*".repeat(20_000), "- ".repeat(30_000) + "x", "1. ".repeat(20_000) + "x"]
        {
            let tree = bounded(&text);
            assert!(text_of(&tree).contains('x'), "{}…: the innermost text is kept", &text[..10]);
        }
        let tree = bounded(&(">".repeat(MAX_DEPTH + 10) + " deep"));
        assert_eq!(tree[0].depth(), MAX_DEPTH);
        assert_eq!(text_of(&tree), "deep");
    }

    #[test]
    fn a_huge_cell_stops_at_the_node_limit_with_the_rest_as_text() {
        let text = "*a* ".repeat(25_000);
        let tree = bounded(&text);
        assert!(text_of(&tree).ends_with("*a* *a* "), "the rest is shown as typed");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn any_text_renders_within_the_bounds(text in "[>*_`#\\-+1. \\[\\]()!|~\n a-z<]{0,3000}") {
            bounded(&text);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn long_runs_of_markers_render_within_the_bounds(marker in prop::sample::select(vec![">", "*", "_", "- ", "1. ", "> - ", "**", "~~", "[", "`", "    ", "|"]), n in 1usize..20_000) {
            bounded(&(marker.repeat(n) + "x"));
        }
    }
}
