//! Korean, Chinese and Japanese text as overlapping pairs of letters.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Whether a letter is Korean, Chinese or Japanese.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{AC00}'..='\u{D7A3}'
        | '\u{1100}'..='\u{11FF}'
        | '\u{3130}'..='\u{318F}'
        | '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}')
}

/// The pairs of a run of letters (the letter itself when it is alone).
pub(crate) fn pairs(run: &str) -> Vec<String> {
    let letters: Vec<char> = run.chars().collect();
    if letters.len() == 1 {
        return vec![letters[0].to_string()];
    }
    letters
        .windows(2)
        .map(|w| w.iter().collect::<String>())
        .collect()
}

/// Emits each run of CJK letters as its pairs, in order; other text is
/// left to the English field.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Bigrams;

pub(crate) struct BigramStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for Bigrams {
    type TokenStream<'a> = BigramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BigramStream {
        let mut tokens = Vec::new();
        let mut run: Vec<(usize, char)> = Vec::new();
        let mut position = 0usize;
        let mut flush = |run: &mut Vec<(usize, char)>, position: &mut usize| {
            if run.is_empty() {
                return;
            }
            let end_of = |i: usize| run[i].0 + run[i].1.len_utf8();
            if run.len() == 1 {
                tokens.push(token(run[0].1.to_string(), run[0].0, end_of(0), *position));
                *position += 1;
            }
            for i in 1..run.len() {
                let text: String = [run[i - 1].1, run[i].1].iter().collect();
                tokens.push(token(text, run[i - 1].0, end_of(i), *position));
                *position += 1;
            }
            // A gap, so that a phrase never spans two runs.
            *position += 1;
            run.clear();
        };
        for (offset, c) in text.char_indices() {
            if is_cjk(c) {
                run.push((offset, c));
            } else {
                flush(&mut run, &mut position);
            }
        }
        flush(&mut run, &mut position);
        BigramStream { tokens, next: 0 }
    }
}

fn token(text: String, from: usize, to: usize, position: usize) -> Token {
    Token {
        offset_from: from,
        offset_to: to,
        position,
        text,
        position_length: 1,
    }
}

impl TokenStream for BigramStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next.saturating_sub(1)]
    }

    fn token_mut(&mut self) -> &mut Token {
        let i = self.next.saturating_sub(1);
        &mut self.tokens[i]
    }
}
