//! The words of a query, and snippets of text around them.

use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use crate::cjk::is_cjk;

/// A word of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Word {
    /// An English word's stem.
    Latin(String),
    /// A run of Korean, Chinese or Japanese letters.
    Cjk(String),
}

/// The words of `text`: runs of CJK letters as they are, other words
/// stemmed as English; each once.
pub(crate) fn words(text: &str, english: &mut TextAnalyzer) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut push = |w: Word| {
        if !out.contains(&w) {
            out.push(w);
        }
    };
    let mut rest = String::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if is_cjk(c) {
            run.push(c);
            rest.push(' ');
        } else {
            if !run.is_empty() {
                push(Word::Cjk(std::mem::take(&mut run)));
            }
            rest.push(c);
        }
    }
    let mut stream = english.token_stream(&rest);
    while let Some(token) = stream.next() {
        push(Word::Latin(token.text.clone()));
    }
    out
}

/// A piece of a snippet: marked when it is a word searched for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The text.
    pub text: String,
    /// Whether it is one of the words found.
    pub marked: bool,
}

/// How much of a long text is searched for a snippet.
const SCANNED: usize = 256 << 10;

/// Characters shown before and after the first word found.
const BEFORE: usize = 60;
const AFTER: usize = 180;

/// A piece of `body` around the first word found, the words marked; empty
/// when none is found.
pub(crate) fn snippet(body: &str, words: &[Word], english: &mut TextAnalyzer) -> Vec<Segment> {
    let mut end = body.len().min(SCANNED);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    let scanned = &body[..end];
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for word in words {
        if let Word::Cjk(run) = word {
            ranges.extend(
                scanned
                    .match_indices(run.as_str())
                    .take(100)
                    .map(|(i, m)| (i, i + m.len())),
            );
        }
    }
    let stems: Vec<&str> = words
        .iter()
        .filter_map(|w| match w {
            Word::Latin(s) => Some(s.as_str()),
            Word::Cjk(_) => None,
        })
        .collect();
    if !stems.is_empty() {
        let mut stream = english.token_stream(scanned);
        while let Some(token) = stream.next() {
            if stems.contains(&token.text.as_str()) {
                ranges.push((token.offset_from, token.offset_to));
                if ranges.len() > 400 {
                    break;
                }
            }
        }
    }
    if ranges.is_empty() {
        return Vec::new();
    }
    ranges.sort_unstable();
    let first = ranges[0].0;
    let mut start = back(scanned, first, BEFORE);
    // Start at a word, not inside one.
    if start > 0
        && let Some(space) = scanned[start..first].find(char::is_whitespace)
    {
        start += space + 1;
    }
    let stop = forward(scanned, first, AFTER);
    let mut out = Vec::new();
    if start > 0 {
        out.push(plain("…"));
    }
    let mut at = start;
    for (from, to) in ranges {
        if from < at || to > stop {
            continue;
        }
        if from > at {
            out.push(plain(&scanned[at..from]));
        }
        out.push(Segment {
            text: scanned[from..to].to_owned(),
            marked: true,
        });
        at = to;
    }
    if at < stop {
        out.push(plain(&scanned[at..stop]));
    }
    if stop < body.len() {
        out.push(plain("…"));
    }
    out
}

fn plain(text: &str) -> Segment {
    Segment {
        text: text.replace(['\n', '\r', '\t'], " "),
        marked: false,
    }
}

/// The byte offset `chars` characters before `at`.
fn back(text: &str, at: usize, chars: usize) -> usize {
    text[..at]
        .char_indices()
        .rev()
        .nth(chars.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

/// The byte offset `chars` characters after `at`.
fn forward(text: &str, at: usize, chars: usize) -> usize {
    text[at..]
        .char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| at + i)
}
