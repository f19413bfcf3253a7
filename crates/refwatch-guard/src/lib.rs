//! The publication guard: before text leaves for a reader who may not
//! identify people, it is screened for the names of the persons it must
//! not name, in every script and romanisation `refwatch-names` reads
//! (김철옥, Kim Cheol-ok, KIM CHOL OK, Cheol-ok Kim, 金哲玉).
//!
//! A name is kept as its readings: for each syllable, the Hangul syllables
//! it may stand for; also turned round (the given name first). Text is cut
//! into runs of Hangul, runs of Chinese characters and Latin words; a name
//! is found where consecutive syllables of the text may each read as the
//! name's (a run of Hangul or Chinese characters at any position, since
//! particles and titles are written on: 김철옥은, 김철옥씨; Latin words whole,
//! one or more in a row with only spaces or commas between them).
//! Candidates are looked up by their first two syllables, so screening
//! costs about the same whatever the number of names, and each Latin word
//! of a text is read once.
//!
//! It errs towards withholding: two-syllable names, or a name that is also
//! a word, are withheld wherever they are written. Nothing here logs or
//! prints a name: `Debug` is redacted.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use refwatch_names::{Syllable, readings};

/// Names shorter than this many syllables are not screened (one syllable
/// would withhold every surname).
const MIN_SYLLABLES: usize = 2;
/// Names longer than this are not Korean names as written in text.
const MAX_SYLLABLES: usize = 6;
/// Latin words read for one name at most.
const MAX_WORDS: usize = 4;

/// One way of reading a protected name.
struct Entry<K> {
    syllables: Vec<Syllable>,
    owner: K,
}

/// The names to withhold, ready for screening. `K` says whose name it is
/// (a person id), so that a finding can be reported without the name.
pub struct Guard<K> {
    entries: Vec<Entry<K>>,
    /// Entries by each pair of Hangul syllables their first two syllables
    /// may be.
    by_pair: HashMap<(char, char), Vec<u32>>,
}

impl<K> std::fmt::Debug for Guard<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Guard(<redacted>, {} readings)", self.entries.len())
    }
}

/// Where a protected name was found, and whose it is.
#[derive(Clone, PartialEq, Eq)]
pub struct Hit<K> {
    /// The bytes of the text it occupies.
    pub range: Range<usize>,
    /// Whose name.
    pub owner: K,
}

impl<K: std::fmt::Debug> std::fmt::Debug for Hit<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Hit({:?} at {:?})", self.owner, self.range)
    }
}

/// The ways a name's syllables may be ordered in text: as read; with the
/// first word (or, for a name written as one word, its first syllable:
/// the surname) moved to the end; with the last word moved to the front.
fn orders(words: &[Vec<Syllable>]) -> Vec<Vec<Syllable>> {
    let flat: Vec<Syllable> = words.iter().flatten().cloned().collect();
    let mut out = vec![flat.clone()];
    let turn = |at: usize| {
        let mut t = flat[at..].to_vec();
        t.extend_from_slice(&flat[..at]);
        t
    };
    if words.len() >= 2 {
        out.push(turn(words[0].len()));
        out.push(turn(flat.len() - words[words.len() - 1].len()));
    } else if flat.len() >= 3 {
        out.push(turn(1));
        if flat.len() >= 4 {
            out.push(turn(2));
        }
    }
    out.dedup();
    out
}

impl<K: Clone> Guard<K> {
    /// A guard for these names, each with its owner. Names that cannot be
    /// read as Korean (or are too short) are left out.
    pub fn new<'a>(names: impl IntoIterator<Item = (K, &'a str)>) -> Self {
        let mut guard = Guard {
            entries: Vec::new(),
            by_pair: HashMap::new(),
        };
        for (owner, name) in names {
            for reading in readings(name) {
                for syllables in orders(&reading.words) {
                    if !(MIN_SYLLABLES..=MAX_SYLLABLES).contains(&syllables.len()) {
                        continue;
                    }
                    let at = guard.entries.len() as u32;
                    for a in syllables[0].iter() {
                        for b in syllables[1].iter() {
                            guard.by_pair.entry((a, b)).or_default().push(at);
                        }
                    }
                    guard.entries.push(Entry {
                        syllables,
                        owner: owner.clone(),
                    });
                }
            }
        }
        guard
    }

    /// Whether there is nothing to screen for.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// A screening session: it remembers how each Latin word reads, so
    /// that screening many texts reads each distinct word once.
    pub fn screen(&self) -> Screen<'_, K> {
        Screen {
            guard: self,
            words: HashMap::new(),
            starts: HashMap::new(),
            chars: HashMap::new(),
        }
    }

    /// The entries whose first two syllables may read as these (an entry
    /// may come more than once).
    fn candidate_ids<'a>(
        &'a self,
        first: &'a Syllable,
        second: &'a Syllable,
    ) -> impl Iterator<Item = u32> + 'a {
        first
            .iter()
            .flat_map(move |a| second.iter().filter_map(move |b| self.by_pair.get(&(a, b))))
            .flatten()
            .copied()
    }
}

/// One piece of text: a run of Hangul or Chinese characters (each
/// character a syllable), or a Latin word (read whole).
struct Token {
    range: Range<usize>,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Hangul,
    Han,
    Latin,
}

fn kind_of(c: char) -> Option<Kind> {
    match c {
        '\u{AC00}'..='\u{D7A3}' => Some(Kind::Hangul),
        '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' => {
            Some(Kind::Han)
        }
        c if c.is_alphabetic() => Some(Kind::Latin),
        _ => None,
    }
}

/// Cuts text into tokens; a Latin word keeps apostrophes and hyphens
/// between its letters ("Cheol-ok", "Ch'ŏl").
fn tokens(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let Some(kind) = kind_of(c) else { continue };
        let mut end = at + c.len_utf8();
        while let Some(&(i, d)) = chars.peek() {
            let joins = kind == Kind::Latin
                && matches!(d, '\'' | '’' | '-' | '‐')
                && text[i + d.len_utf8()..]
                    .chars()
                    .next()
                    .is_some_and(|n| kind_of(n) == Some(Kind::Latin));
            if kind_of(d) == Some(kind) || joins {
                end = i + d.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        out.push(Token {
            range: at..end,
            kind,
        });
    }
    out
}

/// How one Latin word reads: each reading's syllables.
type Readings = Arc<Vec<Vec<Syllable>>>;

/// The number of no word (see [`Screen::starting`]).
const NO_WORD: u32 = u32::MAX;

/// A screening session (see [`Guard::screen`]).
pub struct Screen<'g, K> {
    guard: &'g Guard<K>,
    /// How each Latin word (as written) reads, with a number for it.
    words: HashMap<String, (u32, Readings)>,
    /// The entries a name starting at a word may be, by the word's number
    /// and the next word's ([`NO_WORD`] when none follows).
    starts: HashMap<(u32, u32), Arc<[u32]>>,
    /// How each Hangul or Chinese character reads.
    chars: HashMap<char, Option<Syllable>>,
}

impl<K: Clone> Screen<'_, K> {
    fn word(&mut self, word: &str) -> (u32, Readings) {
        if let Some(r) = self.words.get(word) {
            return r.clone();
        }
        let read: Vec<Vec<Syllable>> = readings(word)
            .into_iter()
            .map(|r| r.syllables().cloned().collect())
            .collect();
        let found = (self.words.len() as u32, Arc::new(read));
        self.words.insert(word.to_owned(), found.clone());
        found
    }

    /// The entries a name may be that starts at a word read as `first`,
    /// followed by one read as `next`: their first two syllables may be
    /// the word's first two, or its only one and the next word's first.
    /// Made once per pair of words.
    fn starting(&mut self, first: &(u32, Readings), next: Option<&(u32, Readings)>) -> Arc<[u32]> {
        let key = (first.0, next.map_or(NO_WORD, |n| n.0));
        if let Some(found) = self.starts.get(&key) {
            return found.clone();
        }
        let mut pairs: Vec<(&Syllable, &Syllable)> = Vec::new();
        for r in first.1.iter() {
            match r.as_slice() {
                [a, b, ..] => pairs.push((a, b)),
                [a] => pairs.extend(
                    next.into_iter()
                        .flat_map(|n| n.1.iter())
                        .filter_map(|n| Some((a, n.first()?))),
                ),
                [] => {}
            }
        }
        let mut ids: Vec<u32> = pairs
            .into_iter()
            .flat_map(|(a, b)| self.guard.candidate_ids(a, b))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let ids: Arc<[u32]> = ids.into();
        self.starts.insert(key, ids.clone());
        ids
    }

    fn char(&mut self, c: char) -> Option<Syllable> {
        if let Some(s) = self.chars.get(&c) {
            return s.clone();
        }
        let s = readings(c.encode_utf8(&mut [0; 4]))
            .into_iter()
            .find_map(|r| r.syllables().next().cloned());
        self.chars.insert(c, s.clone());
        s
    }

    /// Every protected name in `text`, in order, not overlapping.
    pub fn find(&mut self, text: &str) -> Vec<Hit<K>> {
        if self.guard.is_empty() {
            return Vec::new();
        }
        let tokens = tokens(text);
        // Each Latin word read once for every window it is in.
        let read: Vec<Option<(u32, Readings)>> = tokens
            .iter()
            .map(|t| (t.kind == Kind::Latin).then(|| self.word(&text[t.range.clone()])))
            .collect();
        let mut hits = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            match tokens[i].kind {
                Kind::Hangul | Kind::Han => self.in_run(text, &tokens[i], &mut hits),
                Kind::Latin => {
                    if let Some((hit, last)) = self.latin_at(text, &tokens, &read, i) {
                        hits.push(hit);
                        i = last;
                    }
                }
            }
            i += 1;
        }
        hits
    }

    /// Names inside one run of Hangul or Chinese characters.
    fn in_run(&mut self, text: &str, token: &Token, hits: &mut Vec<Hit<K>>) {
        let run: Vec<(usize, char)> = text[token.range.clone()]
            .char_indices()
            .map(|(i, c)| (token.range.start + i, c))
            .collect();
        let syllables: Vec<Option<Syllable>> = run
            .iter()
            .map(|&(_, c)| match token.kind {
                Kind::Hangul => Some(std::iter::once(c).collect()),
                _ => self.char(c),
            })
            .collect();
        let mut at = 0;
        while at < run.len() {
            let pair = syllables[at]
                .as_ref()
                .zip(syllables.get(at + 1).and_then(Option::as_ref));
            let found = pair.and_then(|(first, second)| {
                self.guard
                    .candidate_ids(first, second)
                    .map(|i| &self.guard.entries[i as usize])
                    .filter(|e| {
                        let n = e.syllables.len();
                        at + n <= run.len()
                            && e.syllables
                                .iter()
                                .zip(&syllables[at..at + n])
                                .all(|(want, got)| {
                                    got.as_ref().is_some_and(|g| !g.is_disjoint(want))
                                })
                    })
                    .max_by_key(|e| e.syllables.len())
                    .map(|e| (e.syllables.len(), e.owner.clone()))
            });
            match found {
                Some((n, owner)) => {
                    let end = run
                        .get(at + n)
                        .map_or(token.range.end, |&(offset, _)| offset);
                    hits.push(Hit {
                        range: run[at].0..end,
                        owner,
                    });
                    at += n;
                }
                None => at += 1,
            }
        }
    }

    /// A name starting at Latin word `first`: the hit and the last word it
    /// takes.
    fn latin_at(
        &mut self,
        text: &str,
        tokens: &[Token],
        read: &[Option<(u32, Readings)>],
        first: usize,
    ) -> Option<(Hit<K>, usize)> {
        // The Latin words that may follow in one name: separated by spaces
        // or a comma only.
        let mut last = first;
        while last + 1 - first < MAX_WORDS {
            let Some(next) = tokens.get(last + 1) else {
                break;
            };
            let gap = &text[tokens[last].range.end..next.range.start];
            if next.kind != Kind::Latin || !gap.chars().all(|c| c.is_whitespace() || c == ',') {
                break;
            }
            last += 1;
        }
        let words: Vec<&(u32, Readings)> = read[first..=last].iter().flatten().collect();
        let starting = self.starting(words[0], words.get(1).copied());
        let read: Vec<&Readings> = words.iter().map(|w| &w.1).collect();
        let mut best: Option<(usize, K)> = None;
        for &i in starting.iter() {
            let e = &self.guard.entries[i as usize];
            if let Some(taken) = takes(&e.syllables, &read, 0)
                && best.as_ref().is_none_or(|(n, _)| taken > *n)
            {
                best = Some((taken, e.owner.clone()));
            }
        }
        let (taken, owner) = best?;
        let end = first + taken - 1;
        Some((
            Hit {
                range: tokens[first].range.start..tokens[end].range.end,
                owner,
            },
            end,
        ))
    }
}

/// How many of the words (from `word` on) spell out exactly `want`, each
/// word whole in one of its readings; `None` when they cannot.
fn takes(want: &[Syllable], read: &[&Readings], word: usize) -> Option<usize> {
    if want.is_empty() {
        return Some(word);
    }
    let readings = read.get(word)?;
    readings.iter().find_map(|r| {
        let n = r.len();
        if n == 0 || n > want.len() {
            return None;
        }
        let agrees = r.iter().zip(&want[..n]).all(|(a, b)| !a.is_disjoint(b));
        if agrees {
            takes(&want[n..], read, word + 1)
        } else {
            None
        }
    })
}

impl<K: Clone> Screen<'_, K> {
    /// The text with every protected name replaced by `mask`; `None` when
    /// nothing was found (the text can be used as it is).
    pub fn redact(&mut self, text: &str, mask: &str) -> Option<String> {
        let hits = self.find(text);
        (!hits.is_empty()).then(|| masked(text, &hits, mask))
    }
}

/// `text` with each hit (as [`Screen::find`] gives them: in order, not
/// overlapping) replaced by `mask`.
pub fn masked<K>(text: &str, hits: &[Hit<K>], mask: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for h in hits {
        out.push_str(&text[at..h.range.start]);
        out.push_str(mask);
        at = h.range.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests;
