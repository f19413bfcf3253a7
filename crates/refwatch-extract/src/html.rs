//! The visible text of a web page.

use ego_tree::iter::Edge;
use scraper::Node;

use crate::{ExtractError, Limits};

/// Elements whose text is not shown.
const HIDDEN: [&str; 4] = ["script", "style", "noscript", "template"];

/// Elements that start a new line.
const BLOCKS: [&str; 22] = [
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "title",
    "dd",
];

pub(crate) fn text(source: &str, limits: &Limits) -> Result<String, ExtractError> {
    // The HTML parser slows down on deep nesting before any limit of ours
    // could act: measure the nesting on the raw text first.
    if nesting(source) > limits.max_depth {
        return Err(ExtractError::TooDeep(limits.max_depth));
    }
    let document = scraper::Html::parse_document(source);
    let mut out = String::new();
    let mut hidden = 0usize;
    let mut depth = 0usize;
    for edge in document.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(e) => {
                    depth += 1;
                    if depth > limits.max_depth {
                        return Err(ExtractError::TooDeep(limits.max_depth));
                    }
                    if HIDDEN.contains(&e.name()) {
                        hidden += 1;
                    }
                    if BLOCKS.contains(&e.name()) {
                        out.push('\n');
                    }
                }
                Node::Text(t) if hidden == 0 => {
                    out.push_str(t);
                    if out.len() > limits.max_text_bytes {
                        break;
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(e) = node.value() {
                    depth = depth.saturating_sub(1);
                    if HIDDEN.contains(&e.name()) {
                        hidden = hidden.saturating_sub(1);
                    }
                    if BLOCKS.contains(&e.name()) {
                        out.push('\n');
                    }
                }
            }
        }
    }
    Ok(tidy(&out))
}

/// One space between words, at most one blank line between blocks.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(&words.join(" "));
    }
    out
}

/// Elements that have no end tag, or whose end tag HTML lets one leave out.
const UNNESTED: [&str; 22] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "p", "li", "td", "th", "tr", "option", "dt", "dd", "!doctype",
];

/// The deepest nesting of elements in the raw text, counting start and
/// end tags (an over-estimate only for pages that leave end tags out).
fn nesting(source: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let bytes = source.as_bytes();
    let mut i = 0;
    while let Some(offset) = bytes[i..].iter().position(|&b| b == b'<') {
        let start = i + offset + 1;
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(bytes.len(), |e| start + e);
        let tag = &source[start..end];
        i = end.min(bytes.len());
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() || UNNESTED.contains(&name.as_str()) || tag.ends_with('/') {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}
