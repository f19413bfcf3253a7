//! Korean names across scripts.
//!
//! The same woman is 김철옥 in her family's appeal, "Kim Cheol-ok" in one
//! report, "Kim Chol Ok" in another and 金哲玉 — "Jin Zheyu" in pinyin — in a
//! Chinese notice. Every form is read here as a sequence of Korean
//! syllables, each with the set of Hangul syllables it may stand for, and two
//! names are compared by those readings ([`compare`]).
//!
//! The tables are data (`data/`, sources and licences in its README):
//! romanisation rules, surname spellings and the Unihan readings of Chinese
//! characters. Pure: no I/O; the tables are compiled in and built on first use.

#![deny(missing_docs)]

mod hangul;
mod tables;

use std::collections::BTreeSet;

pub use hangul::{System, romanize, sound_class};

/// One name read as Korean syllables: for each syllable, the Hangul
/// syllables it may stand for; words (surname, given name) kept apart.
/// Its `Debug` output is redacted: a reading is the name.
#[derive(Clone, PartialEq, Eq)]
pub struct Reading {
    /// Each word's syllables, each a set of candidate Hangul syllables.
    pub words: Vec<Vec<BTreeSet<char>>>,
}

impl std::fmt::Debug for Reading {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reading(<redacted>, {} syllables)", self.len())
    }
}

impl std::fmt::Debug for ParsedName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ParsedName(<redacted>, {} readings)",
            self.readings.len()
        )
    }
}

impl Reading {
    /// The syllables in order, words joined.
    pub fn syllables(&self) -> impl Iterator<Item = &BTreeSet<char>> {
        self.words.iter().flatten()
    }

    fn len(&self) -> usize {
        self.words.iter().map(Vec::len).sum()
    }

    /// The syllables in the orders a name may be written in: as given;
    /// with the first word moved to the end ("Kim Cheol-ok" read as
    /// "Cheol-ok Kim"), if it has two words or more; with the last word
    /// moved to the front ("Ra Seo Gim" read as "Gim Ra Seo"), if it has
    /// three or more. Borrowed: nothing is copied.
    fn orders(&self) -> [Option<Vec<&BTreeSet<char>>>; 3] {
        let words = &self.words;
        let as_given = Some(self.syllables().collect());
        let surname_last = (words.len() > 1).then(|| {
            words[1..]
                .iter()
                .chain(std::iter::once(&words[0]))
                .flatten()
                .collect()
        });
        let surname_first = (words.len() > 2).then(|| {
            std::iter::once(&words[words.len() - 1])
                .chain(&words[..words.len() - 1])
                .flatten()
                .collect()
        });
        [as_given, surname_last, surname_first]
    }
}

/// Letters folded for comparison: lower case, McCune–Reischauer's
/// diacritics and apostrophes dropped, everything else but letters,
/// digits, Hangul and Chinese characters a word break or a hyphen.
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'ŏ' | 'Ŏ' | 'ó' | 'ò' | 'ô' => out.push('o'),
            'ŭ' | 'Ŭ' | 'ú' | 'ù' | 'û' => out.push('u'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            '\'' | '’' | '‘' | 'ʼ' | '`' | '.' => {}
            '-' | '‐' | '–' => out.push('-'),
            c if c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => out.push(' '),
        }
    }
    out
}

/// The possible readings of a name in Hangul, Chinese characters or Latin
/// letters (any romanisation, or pinyin). Empty when nothing in it can be
/// read as a Korean name. At most a few readings, the most economical
/// (fewest syllables) first.
pub fn readings(name: &str) -> Vec<Reading> {
    let folded = fold(name);
    let mut out: Vec<Reading> = vec![Reading { words: Vec::new() }];
    for word in folded.split_whitespace() {
        let alternatives = word_readings(word);
        if alternatives.is_empty() {
            return Vec::new();
        }
        let mut next = Vec::new();
        for r in &out {
            for a in &alternatives {
                let mut words = r.words.clone();
                words.push(a.clone());
                next.push(Reading { words });
            }
        }
        next.sort_by_key(Reading::len);
        next.truncate(MAX_READINGS);
        out = next;
    }
    out.retain(|r| r.len() > 0);
    out
}

/// The spellings in Latin letters a surname (in Hangul) is known by, the
/// commonest first; empty for a surname the table does not list.
pub fn surname_spellings(hangul: &str) -> Vec<String> {
    tables::surname_spellings(hangul)
}

/// How many readings of one name are kept.
const MAX_READINGS: usize = 6;

/// The readings of one word: its hyphen-separated parts read in turn.
fn word_readings(word: &str) -> Vec<Vec<BTreeSet<char>>> {
    let mut options: Vec<Vec<BTreeSet<char>>> = vec![Vec::new()];
    for part in word.split('-').filter(|p| !p.is_empty()) {
        let parts = tables::read_part(part);
        if parts.is_empty() {
            return Vec::new();
        }
        let mut next = Vec::new();
        for prefix in &options {
            for p in &parts {
                let mut joined = prefix.clone();
                joined.extend(p.iter().cloned());
                next.push(joined);
            }
        }
        next.sort_by_key(Vec::len);
        next.truncate(MAX_READINGS);
        options = next;
    }
    options
}

/// How well two names agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Agreement {
    /// One or both names are missing or cannot be read.
    Unknown,
    /// The readings disagree.
    Different,
    /// Some syllables agree (the surname, say), not most.
    Partly,
    /// All syllables but one agree (a typo, a mis-heard syllable).
    AllButOne,
    /// Every syllable may be read the same, possibly in another order
    /// (surname last) or another script.
    SameReading,
    /// The same text, once case, spacing and punctuation are set aside.
    Identical,
}

/// A comparison of two names, with what it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comparison {
    /// The level of agreement.
    pub agreement: Agreement,
    /// Syllables that agree in the best alignment.
    pub agreeing: usize,
    /// Syllables of the longer name in that alignment.
    pub syllables: usize,
}

fn squeeze(text: &str) -> String {
    fold(text).chars().filter(|c| c.is_alphanumeric()).collect()
}

fn agreeing(x: &[&BTreeSet<char>], y: &[&BTreeSet<char>]) -> (usize, usize) {
    let longest = x.len().max(y.len());
    if x.len() == y.len() {
        let same = x.iter().zip(y).filter(|(p, q)| !p.is_disjoint(q)).count();
        return (same, longest);
    }
    // Different lengths: the longest common subsequence of agreeing syllables.
    let mut table = vec![vec![0usize; y.len() + 1]; x.len() + 1];
    for i in 1..=x.len() {
        for j in 1..=y.len() {
            table[i][j] = if x[i - 1].is_disjoint(y[j - 1]) {
                table[i - 1][j].max(table[i][j - 1])
            } else {
                table[i - 1][j - 1] + 1
            };
        }
    }
    (table[x.len()][y.len()], longest)
}

/// A name read once, to be compared with many others. Its `Debug` output
/// is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct ParsedName {
    squeezed: String,
    readings: Vec<Reading>,
}

impl ParsedName {
    /// Reads a name in any of the scripts [`readings`] knows.
    pub fn new(name: &str) -> Self {
        Self {
            squeezed: squeeze(name),
            readings: readings(name),
        }
    }

    /// The name's letters, case, spacing and punctuation set aside.
    pub fn squeezed(&self) -> &str {
        &self.squeezed
    }

    /// Its readings as Korean syllables.
    pub fn readings(&self) -> &[Reading] {
        &self.readings
    }
}

/// Compares two names written in any of the scripts [`readings`] knows.
/// Symmetric: `compare(a, b)` and `compare(b, a)` agree.
pub fn compare(a: &str, b: &str) -> Comparison {
    compare_parsed(&ParsedName::new(a), &ParsedName::new(b))
}

/// [`compare`] for names read beforehand.
pub fn compare_parsed(a: &ParsedName, b: &ParsedName) -> Comparison {
    let unknown = Comparison {
        agreement: Agreement::Unknown,
        agreeing: 0,
        syllables: 0,
    };
    let (sa, sb) = (&a.squeezed, &b.squeezed);
    if sa.is_empty() || sb.is_empty() {
        return unknown;
    }
    let (ra, rb) = (&a.readings, &b.readings);
    if sa == sb {
        let syllables = ra.first().map_or(0, Reading::len);
        return Comparison {
            agreement: Agreement::Identical,
            agreeing: syllables,
            syllables,
        };
    }
    if ra.is_empty() || rb.is_empty() {
        return unknown;
    }
    let mut best = (0, usize::MAX);
    let better = |found: (usize, usize), best: (usize, usize)| {
        // More agreeing syllables; then fewer syllables in all.
        found.0 > best.0 || (found.0 == best.0 && found.1 < best.1)
    };
    let rb: Vec<_> = rb.iter().map(Reading::orders).collect();
    for x in ra {
        let xo = x.orders();
        for yo in &rb {
            // Either name as given against the other in any order.
            let (Some(x0), Some(y0)) = (&xo[0], &yo[0]) else {
                continue;
            };
            let pairs = std::iter::once((x0, y0))
                .chain(xo[1..].iter().flatten().map(|xs| (xs, y0)))
                .chain(yo[1..].iter().flatten().map(|ys| (x0, ys)));
            for (p, q) in pairs {
                let found = agreeing(p, q);
                if better(found, best) {
                    best = found;
                }
            }
        }
    }
    let (same, syllables) = best;
    let agreement = if same == syllables {
        Agreement::SameReading
    } else if syllables >= 3 && same + 1 == syllables {
        Agreement::AllButOne
    } else if same > 0 {
        Agreement::Partly
    } else {
        Agreement::Different
    };
    Comparison {
        agreement,
        agreeing: same,
        syllables,
    }
}

#[cfg(test)]
mod tests;
