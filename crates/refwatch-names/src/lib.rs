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

pub use hangul::{System, initial_sound_spellings, romanize, sound_class};

/// The Hangul syllables one written syllable may stand for: a small
/// sorted set with a 64-bit summary, so that two sets that share nothing
/// are most often told apart by one AND.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Syllable {
    summary: u64,
    /// Shared: one word's syllables are read once and then copied into
    /// every name with that word.
    chars: std::sync::Arc<[char]>,
}

impl Syllable {
    /// The bit of the summary a syllable sets.
    fn bit(c: char) -> u64 {
        1 << (u64::from(c).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58)
    }

    /// The candidate syllables, in order.
    pub fn iter(&self) -> impl Iterator<Item = char> + '_ {
        self.chars.iter().copied()
    }

    /// Whether the two sets share no syllable.
    pub fn is_disjoint(&self, other: &Syllable) -> bool {
        if self.summary & other.summary == 0 {
            return true;
        }
        let (mut x, mut y) = (self.chars.iter(), other.chars.iter());
        let (mut p, mut q) = (x.next(), y.next());
        while let (Some(a), Some(b)) = (p, q) {
            match a.cmp(b) {
                std::cmp::Ordering::Less => p = x.next(),
                std::cmp::Ordering::Greater => q = y.next(),
                std::cmp::Ordering::Equal => return false,
            }
        }
        true
    }
}

impl FromIterator<char> for Syllable {
    fn from_iter<I: IntoIterator<Item = char>>(chars: I) -> Self {
        let set: BTreeSet<char> = chars.into_iter().collect();
        Syllable {
            summary: set.iter().fold(0, |s, &c| s | Self::bit(c)),
            chars: set.into_iter().collect(),
        }
    }
}

/// One name read as Korean syllables: for each syllable, the Hangul
/// syllables it may stand for; words (surname, given name) kept apart.
/// Its `Debug` output is redacted: a reading is the name.
#[derive(Clone, PartialEq, Eq)]
pub struct Reading {
    /// Each word's syllables, each a set of candidate Hangul syllables.
    pub words: Vec<Vec<Syllable>>,
}

impl std::fmt::Debug for Reading {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reading(<redacted>, {} syllables)", self.len())
    }
}

impl std::fmt::Debug for ParsedName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ParsedName(<redacted>, {} readings)", self.spans.len())
    }
}

impl Reading {
    /// The syllables in order, words joined.
    pub fn syllables(&self) -> impl Iterator<Item = &Syllable> {
        self.words.iter().flatten()
    }

    fn len(&self) -> usize {
        self.words.iter().map(Vec::len).sum()
    }
}

/// Where one reading of a [`ParsedName`] lies among its syllables, with
/// what comparing it needs ready: its words' bounds and the summary of
/// its syllables.
#[derive(Clone, PartialEq, Eq)]
struct Span {
    /// Every syllable's summary together.
    summary: u64,
    start: usize,
    len: usize,
    words: usize,
    /// Where the first word ends and the last begins.
    first_end: usize,
    last_start: usize,
}

/// One reading of a [`ParsedName`]: its syllables in order (words joined)
/// and where its words lie. Borrowed from the name.
#[derive(Clone, Copy)]
pub struct ReadingRef<'a> {
    syllables: &'a [Syllable],
    span: &'a Span,
}

impl<'a> ReadingRef<'a> {
    /// The syllables in order, words joined.
    pub fn syllables(&self) -> &'a [Syllable] {
        self.syllables
    }

    /// How many words the reading has (surname, given name...).
    pub fn word_count(&self) -> usize {
        self.span.words
    }

    /// Where the first word ends, in syllables.
    pub fn first_word_end(&self) -> usize {
        self.span.first_end
    }

    /// Where the last word begins, in syllables.
    pub fn last_word_start(&self) -> usize {
        self.span.last_start
    }

    fn len(&self) -> usize {
        self.syllables.len()
    }

    /// How many orders the name may be written in: as given; with the
    /// first word moved to the end ("Kim Cheol-ok" read as "Cheol-ok
    /// Kim"), if it has two words or more; with the last word moved to the
    /// front ("Ra Seo Gim" read as "Gim Ra Seo"), if it has three or more.
    fn order_count(&self) -> usize {
        self.span.words.clamp(1, 3)
    }

    /// The syllables in order `which` (see [`ReadingRef::order_count`]):
    /// each order turns the syllables round, so it is where the turned
    /// sequence starts.
    fn turn(&self, which: usize) -> usize {
        match which {
            0 => 0,
            1 => self.span.first_end,
            _ => self.span.last_start,
        }
    }

    /// How many of the syllables share a bit with `summary`: at most this
    /// many can agree with a reading of that summary.
    fn could_agree(&self, summary: u64) -> usize {
        self.syllables
            .iter()
            .filter(|s| s.summary & summary != 0)
            .count()
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
    let Some(read) = Read::of(&fold(name)) else {
        return Vec::new();
    };
    read.chosen
        .iter()
        .map(|(chosen, _)| Reading {
            words: chosen
                .iter()
                .zip(&read.words)
                .map(|(&i, alternatives)| alternatives.0[i].clone())
                .collect(),
        })
        .collect()
}

/// A name's readings, as which alternative reading of each word each
/// takes (see [`readings`]), chosen before any is built.
struct Read {
    words: Vec<WordReadings>,
    /// Per reading, the alternative each word takes, and its syllables:
    /// the most economical (fewest syllables) first, none of no syllables.
    chosen: Vec<(Vec<usize>, usize)>,
    /// Whether some word was read only as a typo of a romanisation (see
    /// [`Agreement::Mistyped`]).
    mistyped: bool,
}

impl Read {
    /// The readings of a name folded for comparison; `None` when some
    /// word cannot be read.
    fn of(folded: &str) -> Option<Read> {
        let words: Vec<WordReadings> = folded
            .split_whitespace()
            .map(cached_word_readings)
            .collect();
        if words.iter().any(|w| w.0.is_empty()) {
            return None;
        }
        let mut out: Vec<(Vec<usize>, usize)> = vec![(Vec::new(), 0)];
        for alternatives in &words {
            let mut next = Vec::with_capacity(out.len() * alternatives.0.len());
            for (chosen, len) in &out {
                for (i, a) in alternatives.0.iter().enumerate() {
                    let mut chosen = chosen.clone();
                    chosen.push(i);
                    next.push((chosen, len + a.len()));
                }
            }
            next.sort_by_key(|(_, len)| *len);
            next.truncate(MAX_READINGS);
            out = next;
        }
        let chosen: Vec<(Vec<usize>, usize)> =
            out.into_iter().filter(|(_, len)| *len > 0).collect();
        let mistyped = !chosen.is_empty() && words.iter().any(|w| w.1);
        Some(Read {
            words,
            chosen,
            mistyped,
        })
    }
}

/// The syllables of common Korean surnames (one-syllable surnames).
const SURNAME_SYLLABLES: &str = "김이리박최정강조윤장임림한오서신권황안송류유전홍고문양량손배백허남심노로하곽성차주우구민진나지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부";

/// Whether a name looks like a Korean name: written in Hangul or Chinese
/// characters, or read as Korean syllables (two to five) with a common
/// surname as its first or last word. "Kim Cheol-ok", "Jin Zheyu" and
/// "Ri Yong Hui" do; "thomas clifford" and "tom chudleigh" do not. For
/// telling which language a list's names are in.
pub fn looks_korean(name: &str) -> bool {
    if name
        .chars()
        .any(|c| hangul::split(c).is_some() || ('\u{4E00}'..='\u{9FFF}').contains(&c))
    {
        return true;
    }
    let surname = |word: &[Syllable]| {
        word.len() == 1 && word[0].iter().any(|c| SURNAME_SYLLABLES.contains(c))
    };
    readings(name).iter().any(|r| {
        let syllables = r.len();
        (2..=5).contains(&syllables)
            && r.words.len() >= 2
            && (r.words.first().is_some_and(|w| surname(w))
                || r.words.last().is_some_and(|w| surname(w)))
    })
}

/// The spellings in Latin letters a surname (in Hangul) is known by, the
/// commonest first; empty for a surname the table does not list.
pub fn surname_spellings(hangul: &str) -> Vec<String> {
    tables::surname_spellings(hangul)
}

/// The Chinese characters read as this Hangul syllable in Korean (from
/// the Unihan readings), each with its pinyin readings: how a Chinese
/// document may write it. Empty for a syllable no character is read as.
pub fn chinese_characters(syllable: char) -> &'static [(char, Vec<String>)] {
    tables::chinese_characters(syllable)
}

/// How many readings of one name are kept.
const MAX_READINGS: usize = 6;

/// Most words whose readings one thread remembers: lists repeat words
/// (Kim, Cheol-ok) far more than whole names.
const CACHED_WORDS: usize = 50_000;

/// A word's readings as syllables, and whether it was read only as a
/// typo of a romanisation.
type WordReadings = std::rc::Rc<(Box<[Vec<Syllable>]>, bool)>;

/// [`word_readings`] as syllables, remembered per thread (the same word
/// always reads the same, so this changes nothing but the time taken).
fn cached_word_readings(word: &str) -> WordReadings {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static WORDS: RefCell<HashMap<String, WordReadings>> =
            RefCell::new(HashMap::new());
    }
    if let Some(found) = WORDS.with_borrow(|words| words.get(word).cloned()) {
        return found;
    }
    let (alternatives, mistyped) = word_readings(word);
    let read: WordReadings = std::rc::Rc::new((
        alternatives
            .into_iter()
            .map(|w| w.into_iter().map(|set| set.into_iter().collect()).collect())
            .collect(),
        mistyped,
    ));
    WORDS.with_borrow_mut(|words| {
        if words.len() >= CACHED_WORDS {
            words.clear();
        }
        words.insert(word.to_owned(), read.clone());
    });
    read
}

/// The readings of one word: its hyphen-separated parts read in turn. A
/// part that cannot be read as written is read as a typo (see
/// [`tables::read_mistyped`]); the second value tells whether one was.
fn word_readings(word: &str) -> (Vec<Vec<BTreeSet<char>>>, bool) {
    let mut options: Vec<Vec<BTreeSet<char>>> = vec![Vec::new()];
    let mut mistyped = false;
    for part in word.split('-').filter(|p| !p.is_empty()) {
        let mut parts = tables::read_part(part);
        if parts.is_empty() {
            parts = tables::read_mistyped(part);
            mistyped = true;
        }
        if parts.is_empty() {
            return (Vec::new(), false);
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
    (options, mistyped)
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
    /// One name is the other with one syllable left out (구정 for 구정희,
    /// "Ku Chong" for 具贞姬): every syllable of the shorter agrees, in
    /// order.
    OneLeftOut,
    /// Every syllable agrees, in another order than the surname moved to
    /// the end: given syllables swapped ("KIM SEOK CHANG" for Kim
    /// Chang-seok).
    Reordered,
    /// Every syllable may be read the same once a word of one of them that
    /// cannot be read as written is taken for a typo of a romanisation: a
    /// letter left out ("Sng" for Sung), doubled or added ("Gimm").
    Mistyped,
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

/// The syllables of `x` turned to start at `at`.
fn turned(x: &[Syllable], at: usize) -> impl Iterator<Item = &Syllable> + Clone {
    x[at..].iter().chain(&x[..at])
}

/// Syllables that agree in the best alignment of `x` turned at `i` with
/// `y` turned at `j`, and the syllables of the longer.
fn agreeing(x: &[Syllable], i: usize, y: &[Syllable], j: usize) -> (usize, usize) {
    let longest = x.len().max(y.len());
    if x.len() == y.len() {
        let same = turned(x, i)
            .zip(turned(y, j))
            .filter(|(p, q)| !p.is_disjoint(q))
            .count();
        return (same, longest);
    }
    // Different lengths: the longest common subsequence of agreeing
    // syllables, a row at a time (on the stack for names of usual length:
    // this runs for millions of pairs of readings).
    let mut stack = [0usize; 24];
    let mut heap = Vec::new();
    let row: &mut [usize] = if y.len() < stack.len() {
        &mut stack[..=y.len()]
    } else {
        heap.resize(y.len() + 1, 0);
        &mut heap
    };
    let ys = turned(y, j);
    for p in turned(x, i) {
        let mut diagonal = 0;
        for (k, q) in ys.clone().enumerate() {
            let above = row[k + 1];
            row[k + 1] = if p.is_disjoint(q) {
                above.max(row[k])
            } else {
                diagonal + 1
            };
            diagonal = above;
        }
    }
    (row[y.len()], longest)
}

/// A name read once, to be compared with many others. Its `Debug` output
/// is redacted.
///
/// Its readings' syllables lie together in one block, so that comparing
/// it with another name reads a few neighbouring lines of memory.
#[derive(Clone, PartialEq, Eq)]
pub struct ParsedName {
    squeezed: String,
    /// Every reading's syllables, one reading after another.
    syllables: Box<[Syllable]>,
    spans: Box<[Span]>,
    /// Whether a word was read only as a typo of a romanisation.
    mistyped: bool,
    /// For a name in Hangul, its spellings in Latin letters (see
    /// [`latin_spellings`]), each its length in a byte and its letters;
    /// empty for others.
    spelled: Box<[u8]>,
}

/// Characters of a name read at most: no name is longer, and reading one
/// tries its splits into syllables (a 100,000-character cell took 96 s).
pub const MOST_READ: usize = 128;

impl ParsedName {
    /// Reads a name in any of the scripts [`readings`] knows (its first
    /// [`MOST_READ`] characters).
    pub fn new(name: &str) -> Self {
        let name = match name.char_indices().nth(MOST_READ) {
            Some((cut, _)) => &name[..cut],
            None => name,
        };
        let folded = fold(name);
        let squeezed: String = folded.chars().filter(|c| c.is_alphanumeric()).collect();
        let spelled = latin_spellings(&squeezed);
        let Some(read) = Read::of(&folded) else {
            return Self {
                squeezed,
                syllables: Box::default(),
                spans: Box::default(),
                mistyped: false,
                spelled,
            };
        };
        // Every reading's syllables straight into one block.
        let mut syllables = Vec::with_capacity(read.chosen.iter().map(|(_, len)| len).sum());
        let mut spans = Vec::with_capacity(read.chosen.len());
        for (chosen, len) in &read.chosen {
            let start = syllables.len();
            let word = |at: usize| &read.words[at].0[chosen[at]];
            for at in 0..chosen.len() {
                syllables.extend(word(at).iter().cloned());
            }
            spans.push(Span {
                summary: syllables[start..].iter().fold(0, |all, s| all | s.summary),
                start,
                len: *len,
                words: chosen.len(),
                first_end: word(0).len(),
                last_start: len - word(chosen.len() - 1).len(),
            });
        }
        Self {
            squeezed,
            syllables: syllables.into(),
            spans: spans.into(),
            mistyped: read.mistyped,
            spelled,
        }
    }

    /// Whether this name, in Hangul, and `other`, in Latin letters, are
    /// one typo apart as spelled: `other` is a spelling of this name with
    /// a letter left out, doubled or added, or two neighbouring letters
    /// swapped. (A letter changed is not taken for a typo: it turns one
    /// syllable into another, 민 into 만, more often than it slips.)
    fn misspells(&self, other: &ParsedName) -> bool {
        if self.spelled.is_empty() || !other.squeezed.is_ascii() {
            return false;
        }
        let written = other.squeezed.as_bytes();
        let mut rest = &self.spelled[..];
        while let Some((&len, tail)) = rest.split_first() {
            let (spelling, next) = tail.split_at(usize::from(len));
            if one_slip_apart(spelling, written) {
                return true;
            }
            rest = next;
        }
        false
    }

    /// The name's letters, case, spacing and punctuation set aside.
    pub fn squeezed(&self) -> &str {
        &self.squeezed
    }

    /// Its readings as Korean syllables.
    pub fn readings(&self) -> impl ExactSizeIterator<Item = ReadingRef<'_>> + Clone {
        self.spans.iter().map(|span| ReadingRef {
            syllables: &self.syllables[span.start..span.start + span.len],
            span,
        })
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
    if sa == sb {
        let syllables = a.readings().next().map_or(0, |r| r.len());
        return Comparison {
            agreement: Agreement::Identical,
            agreeing: syllables,
            syllables,
        };
    }
    if a.spans.is_empty() || b.spans.is_empty() {
        return misspelt(a, b).unwrap_or(unknown);
    }
    let mut best = (0, usize::MAX);
    // The shorter reading's length in the best alignment.
    let mut best_short = 0;
    let mut reordered = false;
    let better = |found: (usize, usize), best: (usize, usize)| {
        // More agreeing syllables; then fewer syllables in all.
        found.0 > best.0 || (found.0 == best.0 && found.1 < best.1)
    };
    // A syllable agrees with another reading only if it shares a bit of
    // that reading's summary. Reading pairs that cannot do better than the
    // best found so far, however ordered, are not aligned at all (the
    // result is the same, sooner).
    for x in a.readings() {
        for y in b.readings() {
            let most = x
                .could_agree(y.span.summary)
                .min(y.could_agree(x.span.summary));
            if !better((most, x.len().max(y.len())), best) {
                continue;
            }
            // Either name as given against the other in any order.
            let tries = std::iter::once((0, 0))
                .chain((1..x.order_count()).map(|o| (o, 0)))
                .chain((1..y.order_count()).map(|o| (0, o)));
            for (xo, yo) in tries {
                let found = agreeing(x.syllables, x.turn(xo), y.syllables, y.turn(yo));
                if better(found, best) {
                    best = found;
                    best_short = x.len().min(y.len());
                }
            }
        }
    }
    // Syllables in another order: looked for only where no order of the
    // readings agrees in full.
    // (Only names whose alignment found all syllables but at most two;
    // and each reading pair's summaries first: a syllable sharing no bit
    // with the other reading's can agree with none of it.)
    if best.0 < best.1 && best.0 + 2 >= best.1 {
        reordered = a.readings().any(|x| {
            b.readings().any(|y| {
                x.len() == y.len()
                    && (2..=MOST_REORDERED).contains(&x.len())
                    && x.could_agree(y.span.summary) == x.len()
                    && y.could_agree(x.span.summary) == y.len()
                    && all_matched(x.syllables, y.syllables)
            })
        });
    }
    settled(judged_in_full(best, best_short, reordered), a, b)
}

/// [`judged`], then, short of the same reading: every syllable of the
/// shorter reading (`short` syllables) in order, the longer of three or
/// more with one more, is [`Agreement::OneLeftOut`]; every syllable in
/// another order ([`all_matched`] found for some readings) is
/// [`Agreement::Reordered`].
fn judged_in_full(best: (usize, usize), short: usize, reordered: bool) -> Comparison {
    let found = judged(best);
    if found.agreement >= Agreement::SameReading {
        return found;
    }
    if best.1 >= 3 && best.0 == short && short + 1 == best.1 {
        Comparison {
            agreement: Agreement::OneLeftOut,
            ..found
        }
    } else if reordered {
        Comparison {
            agreement: Agreement::Reordered,
            agreeing: best.1,
            syllables: best.1,
        }
    } else {
        found
    }
}

/// Longest readings checked for syllables in another order.
const MOST_REORDERED: usize = 6;

/// Whether each syllable of `x` can be paired with a syllable of `y` it
/// may be read as, each used once (`x` and `y` of one length, at most
/// [`MOST_REORDERED`]).
fn all_matched(x: &[Syllable], y: &[Syllable]) -> bool {
    fn assign(x: &[Syllable], y: &[Syllable], used: u32) -> bool {
        let Some((first, rest)) = x.split_first() else {
            return true;
        };
        y.iter().enumerate().any(|(j, q)| {
            used & (1 << j) == 0 && !first.is_disjoint(q) && assign(rest, y, used | 1 << j)
        })
    }
    assign(x, y, 0)
}

/// What the best alignment of two names' readings comes to once typos
/// are allowed for: a reading found only by taking a word for a typo is
/// [`Agreement::Mistyped`], and so is a name in Hangul against a spelling
/// of it one typo off that reads as some other name.
fn settled(found: Comparison, a: &ParsedName, b: &ParsedName) -> Comparison {
    if found.agreement == Agreement::SameReading && (a.mistyped || b.mistyped) {
        return Comparison {
            agreement: Agreement::Mistyped,
            ..found
        };
    }
    if found.agreement < Agreement::Mistyped
        && let Some(misspelt) = misspelt(a, b)
    {
        return misspelt;
    }
    found
}

/// A name in Hangul against a spelling of it one typo off (see
/// [`ParsedName::misspells`]), whether or not the spelling reads.
fn misspelt(a: &ParsedName, b: &ParsedName) -> Option<Comparison> {
    let hangul = [(a, b), (b, a)]
        .into_iter()
        .find_map(|(x, y)| x.misspells(y).then_some(x))?;
    let syllables = hangul.squeezed.chars().count();
    Some(Comparison {
        agreement: Agreement::Mistyped,
        agreeing: syllables,
        syllables,
    })
}

/// How a name in Hangul of two to four syllables is spelled in Latin
/// letters, folded and squeezed as [`ParsedName::squeezed`] is: its
/// surname (the first syllable, or the first two where the table knows
/// them as one surname, 남궁) in each spelling the surname table lists and
/// in both romanisations, its given name syllable by syllable in each
/// romanisation, surname first or last; each its length in a byte, then
/// its letters. Empty for a name not written in Hangul.
fn latin_spellings(squeezed: &str) -> Box<[u8]> {
    // (Most names read are not in Hangul: told without allocating.)
    if !(2..=4).contains(&squeezed.chars().count())
        || !squeezed.chars().all(|c| hangul::split(c).is_some())
    {
        return Box::default();
    }
    let syllables: Vec<char> = squeezed.chars().collect();
    let letters = |text: &str| -> String {
        fold(text)
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect()
    };
    let double: String = syllables[..2].iter().collect();
    let cut = if syllables.len() > 2 && !surname_spellings(&double).is_empty() {
        2
    } else {
        1
    };
    let surname: String = syllables[..cut].iter().collect();
    let systems = [System::Revised, System::McCuneReischauer];
    let mut families: Vec<String> = surname_spellings(&surname)
        .iter()
        .map(|s| letters(s))
        .chain(
            systems
                .iter()
                .map(|&system| letters(&romanize(&surname, system))),
        )
        .collect();
    families.sort_unstable();
    families.dedup();
    let mut givens: Vec<String> = systems
        .iter()
        .map(|&system| {
            syllables[cut..]
                .iter()
                .map(|g| letters(&romanize(&g.to_string(), system)))
                .collect()
        })
        .collect();
    givens.dedup();
    let mut out = Vec::new();
    for family in &families {
        for given in &givens {
            for (x, y) in [(family, given), (given, family)] {
                // At most four syllables: a few dozen letters.
                if let Ok(len) = u8::try_from(x.len() + y.len()) {
                    out.push(len);
                    out.extend_from_slice(x.as_bytes());
                    out.extend_from_slice(y.as_bytes());
                }
            }
        }
    }
    out.into_boxed_slice()
}

/// Whether `x` and `y` differ by one letter left out or added, or two
/// neighbouring letters swapped (not by a letter changed).
fn one_slip_apart(x: &[u8], y: &[u8]) -> bool {
    if x.len().abs_diff(y.len()) > 1 {
        return false;
    }
    let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
    // How far they agree from the start and from the end (spellings are a
    // few letters: counted, not compared as slices).
    let at = short.iter().zip(long).take_while(|(p, q)| p == q).count();
    let back = short
        .iter()
        .rev()
        .zip(long.iter().rev())
        .take_while(|(p, q)| p == q)
        .count();
    if short.len() == long.len() {
        at + 1 < short.len()
            && short[at] == long[at + 1]
            && short[at + 1] == long[at]
            && at + 2 + back >= short.len()
    } else {
        at + back >= short.len()
    }
}

/// The comparison the best alignment makes: its agreeing syllables out of
/// the syllables of the longer name.
fn judged((same, syllables): (usize, usize)) -> Comparison {
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
