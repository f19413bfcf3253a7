//! The name tables, read from `data/` once, and the reading of one part of
//! a name (the text between spaces and hyphens).

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use crate::hangul::{self, FINALS, INITIALS, VOWELS};

const ROMANIZATION: &str = include_str!("../data/romanization.tsv");
const SURNAMES: &str = include_str!("../data/surnames.tsv");
const HANZI: &str = include_str!("../data/hanzi.tsv");

/// The longest Latin piece read as one syllable ("ssyaeng", "chwaeng").
const LONGEST_PIECE: usize = 8;
/// Segmentations of one part kept, fewest syllables first.
const MAX_SEGMENTATIONS: usize = 4;

pub(crate) struct Tables {
    /// (system, position, jamo) → its romanisations, the standard one first.
    letters: HashMap<(String, String, char), Vec<String>>,
    /// A Latin syllable (any romanisation of Korean, or a variant) → the
    /// Hangul syllables it may stand for.
    latin: HashMap<String, BTreeSet<char>>,
    /// A pinyin syllable → the Korean readings of the Chinese characters
    /// read that way: a separate reading of a name, never mixed with the
    /// romanisations of Korean.
    pinyin: HashMap<String, BTreeSet<char>>,
    /// A surname's spelling → its Hangul syllables (one or two), each
    /// spelling possibly several surnames.
    surnames: HashMap<String, Vec<Vec<char>>>,
    /// A Chinese character → its Korean readings.
    hanzi: HashMap<char, BTreeSet<char>>,
}

fn data_lines(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

impl Tables {
    fn build() -> Self {
        let mut letters: HashMap<(String, String, char), Vec<String>> = HashMap::new();
        for f in data_lines(ROMANIZATION) {
            let (Some(system), Some(position), Some(jamo)) = (f.first(), f.get(1), f.get(2)) else {
                continue;
            };
            let Some(jamo) = jamo.chars().next() else {
                continue;
            };
            let latin = f.get(3).copied().unwrap_or("").to_owned();
            letters
                .entry(((*system).to_owned(), (*position).to_owned(), jamo))
                .or_default()
                .push(latin);
        }
        let options = |position: &str, jamo: char| -> BTreeSet<String> {
            ["rr", "mr", "mr-voiced", "variant"]
                .iter()
                .filter_map(|s| letters.get(&((*s).to_owned(), position.to_owned(), jamo)))
                .flatten()
                .cloned()
                .collect()
        };
        let initials: Vec<BTreeSet<String>> =
            INITIALS.iter().map(|&j| options("initial", j)).collect();
        let vowels: Vec<BTreeSet<String>> = VOWELS.iter().map(|&j| options("vowel", j)).collect();
        let finals: Vec<BTreeSet<String>> = FINALS
            .iter()
            .map(|j| j.map_or_else(|| BTreeSet::from([String::new()]), |j| options("final", j)))
            .collect();
        let mut latin: HashMap<String, BTreeSet<char>> = HashMap::new();
        for syllable in hangul::all() {
            let Some((i, v, f)) = hangul::split(syllable) else {
                continue;
            };
            for a in &initials[i] {
                for b in &vowels[v] {
                    for c in &finals[f] {
                        latin
                            .entry(format!("{a}{b}{c}"))
                            .or_default()
                            .insert(syllable);
                    }
                }
            }
        }
        let mut hanzi: HashMap<char, BTreeSet<char>> = HashMap::new();
        let mut pinyin_map: HashMap<String, BTreeSet<char>> = HashMap::new();
        for f in data_lines(HANZI) {
            let (Some(ch), Some(readings)) = (f.first().and_then(|c| c.chars().next()), f.get(1))
            else {
                continue;
            };
            let readings: BTreeSet<char> = readings
                .split(' ')
                .filter_map(|r| r.chars().next())
                .collect();
            for pinyin in f
                .get(2)
                .copied()
                .unwrap_or("")
                .split(' ')
                .filter(|p| !p.is_empty())
            {
                pinyin_map
                    .entry(pinyin.to_owned())
                    .or_default()
                    .extend(readings.iter().copied());
            }
            hanzi.entry(ch).or_default().extend(readings);
        }
        let mut surnames: HashMap<String, Vec<Vec<char>>> = HashMap::new();
        for f in data_lines(SURNAMES) {
            let (Some(hangul), Some(spellings)) = (f.first(), f.get(1)) else {
                continue;
            };
            for spelling in spellings.split(' ').filter(|s| !s.is_empty()) {
                surnames
                    .entry(spelling.to_owned())
                    .or_default()
                    .push(hangul.chars().collect());
            }
        }
        Self {
            letters,
            latin,
            pinyin: pinyin_map,
            surnames,
            hanzi,
        }
    }

    /// A letter's standard romanisation in a system ("" when unknown).
    pub(crate) fn letter(&self, system: &str, position: &str, jamo: char) -> &str {
        self.letters
            .get(&(system.to_owned(), position.to_owned(), jamo))
            .and_then(|v| v.first())
            .map_or("", String::as_str)
    }
}

pub(crate) fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(Tables::build)
}

fn is_hanzi(c: char) -> bool {
    matches!(u32::from(c), 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}

/// The readings of one part of a name: each a sequence of syllables, each
/// syllable the set of Hangul syllables it may be. Empty when the part
/// cannot be read.
pub(crate) fn read_part(part: &str) -> Vec<Vec<BTreeSet<char>>> {
    let t = tables();
    let chars: Vec<char> = part.chars().collect();
    if chars
        .iter()
        .all(|&c| hangul::split(c).is_some() || is_hanzi(c))
    {
        let mut out = Vec::new();
        for (at, &c) in chars.iter().enumerate() {
            if hangul::split(c).is_some() {
                // The first syllables of a surname and of a given name
                // may be spelled by either Korea's rule.
                if at < 2 {
                    out.push(hangul::initial_sound_spellings(c).collect());
                } else {
                    out.push(BTreeSet::from([c]));
                }
            } else if let Some(r) = t.hanzi.get(&c) {
                out.push(r.clone());
            } else {
                return Vec::new();
            }
        }
        return vec![out];
    }
    if !chars.iter().all(char::is_ascii_alphabetic) {
        return Vec::new();
    }
    let mut found = read_romanised(part);
    // Pinyin: the same letters read as Chinese, after the Korean readings.
    add_cuts(part, &t.pinyin, 2, &mut found);
    found
}

/// Letters a romanised syllable may have lost to a typo, tried where one
/// is missing: the vowels and the letters of the common finals and glides.
const LOST_LETTERS: &[u8] = b"aeiouywngh";

/// Longest part a typo is looked for in: longer ones are not one name's
/// syllables.
const LONGEST_MISTYPED: usize = 12;

/// The readings of a part in Latin letters that cannot be read as
/// written, taken as one typo away from a romanisation: a letter left out
/// ("Sng" for Sung), doubled or added ("Gimm", "CChung"). Every repair
/// that reads as Korean counts; the repairs of the same number of
/// syllables are merged into one reading whose syllables are all the
/// repairs' (so "Sng" is one syllable: 상, 송, 숭, 싱...). Fewest syllables
/// first; empty when no repair reads.
pub(crate) fn read_mistyped(part: &str) -> Vec<Vec<BTreeSet<char>>> {
    if part.len() < 2
        || part.len() > LONGEST_MISTYPED
        || !part.bytes().all(|b| b.is_ascii_lowercase())
    {
        return Vec::new();
    }
    // Letters are bytes here: positions in the text are positions of
    // letters.
    let mut repairs: BTreeSet<String> = BTreeSet::new();
    for i in 0..part.len() {
        let mut r = part.to_owned();
        r.remove(i);
        repairs.insert(r);
    }
    for i in 0..=part.len() {
        for &c in LOST_LETTERS {
            let mut r = part.to_owned();
            r.insert(i, char::from(c));
            repairs.insert(r);
        }
    }
    let mut by_length: std::collections::BTreeMap<usize, Vec<BTreeSet<char>>> =
        std::collections::BTreeMap::new();
    for text in &repairs {
        for reading in read_romanised(text) {
            let merged = by_length
                .entry(reading.len())
                .or_insert_with(|| vec![BTreeSet::new(); reading.len()]);
            for (all, set) in merged.iter_mut().zip(reading) {
                all.extend(set);
            }
        }
    }
    by_length
        .into_values()
        .filter(|r| !r.is_empty())
        .take(MAX_SEGMENTATIONS)
        .collect()
}

/// The Korean readings of a part in Latin letters: a surname spelling the
/// table knows, and the ways to cut it into romanised syllables.
fn read_romanised(part: &str) -> Vec<Vec<BTreeSet<char>>> {
    let t = tables();
    let mut found: Vec<Vec<BTreeSet<char>>> = Vec::new();
    if let Some(surnames) = t.surnames.get(part) {
        // A known surname spelling: its syllables, every surname it may be.
        let longest = surnames.iter().map(Vec::len).max().unwrap_or(0);
        let reading: Vec<BTreeSet<char>> = (0..longest)
            .map(|n| surnames.iter().filter_map(|s| s.get(n).copied()).collect())
            .collect();
        found.push(reading);
    }
    add_cuts(part, &t.latin, MAX_SEGMENTATIONS, &mut found);
    // A surname spelling and a syllable reading of the same length merge,
    // so that "lee" is 이 or 리 in one set.
    if found.len() > 1 && found[0].len() == found[1].len() && t.surnames.contains_key(part) {
        let extra = found.remove(1);
        for (a, b) in found[0].iter_mut().zip(extra) {
            a.extend(b);
        }
    }
    found.truncate(MAX_SEGMENTATIONS);
    found
}

/// Adds to `found` the readings of the first `most` ways to cut `part`
/// into the syllables `index` knows, each reading once.
fn add_cuts(
    part: &str,
    index: &HashMap<String, BTreeSet<char>>,
    most: usize,
    found: &mut Vec<Vec<BTreeSet<char>>>,
) {
    for pieces in segmentations(part, index).into_iter().take(most) {
        let reading: Vec<BTreeSet<char>> = pieces
            .iter()
            .map(|p| index.get(*p).cloned().unwrap_or_default())
            .collect();
        if !found.contains(&reading) {
            found.push(reading);
        }
    }
}

/// Ways to cut Latin letters into syllables the tables know, fewest
/// syllables first.
fn segmentations<'a>(part: &'a str, index: &HashMap<String, BTreeSet<char>>) -> Vec<Vec<&'a str>> {
    let n = part.len();
    // fewest[i]: the fewest syllables that cut part[i..] (None if it cannot be cut).
    let mut fewest: Vec<Option<usize>> = vec![None; n + 1];
    fewest[n] = Some(0);
    for i in (0..n).rev() {
        fewest[i] = (1..=LONGEST_PIECE.min(n - i))
            .filter(|&len| index.contains_key(&part[i..i + len]))
            .filter_map(|len| fewest[i + len].map(|f| f + 1))
            .min();
    }
    let Some(best) = fewest[0] else {
        return Vec::new();
    };
    // Every cut with the fewest syllables, or one more, up to the limit.
    let mut out = Vec::new();
    let mut stack: Vec<(usize, Vec<&str>)> = vec![(0, Vec::new())];
    while let Some((at, pieces)) = stack.pop() {
        if out.len() >= MAX_SEGMENTATIONS * 4 {
            break;
        }
        if at == n {
            out.push(pieces);
            continue;
        }
        for len in (1..=LONGEST_PIECE.min(n - at)).rev() {
            let piece = &part[at..at + len];
            if !index.contains_key(piece) {
                continue;
            }
            let Some(rest) = fewest[at + len] else {
                continue;
            };
            if pieces.len() + 1 + rest <= best + 1 {
                let mut next = pieces.clone();
                next.push(piece);
                stack.push((at + len, next));
            }
        }
    }
    out.sort_by_key(Vec::len);
    out.truncate(MAX_SEGMENTATIONS);
    out
}

/// A surname's spellings, as the table lists them.
pub(crate) fn surname_spellings(hangul: &str) -> Vec<String> {
    data_lines(SURNAMES)
        .find(|f| f.first() == Some(&hangul))
        .and_then(|f| f.get(1).map(|s| s.split(' ').map(str::to_owned).collect()))
        .unwrap_or_default()
}

/// A Chinese character and its pinyin readings.
type Written = (char, Vec<String>);

/// The Chinese characters (in the basic CJK block) read as this Hangul
/// syllable, each with its pinyin readings, in the table's order.
pub(crate) fn chinese_characters(syllable: char) -> &'static [Written] {
    static BY_READING: OnceLock<HashMap<char, Vec<Written>>> = OnceLock::new();
    BY_READING
        .get_or_init(|| {
            let mut by: HashMap<char, Vec<Written>> = HashMap::new();
            for f in data_lines(HANZI) {
                let (Some(ch), Some(readings)) =
                    (f.first().and_then(|c| c.chars().next()), f.get(1))
                else {
                    continue;
                };
                if !matches!(u32::from(ch), 0x4E00..=0x9FFF) {
                    continue;
                }
                let pinyin: Vec<String> = f
                    .get(2)
                    .copied()
                    .unwrap_or("")
                    .split(' ')
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect();
                if pinyin.is_empty() {
                    continue;
                }
                for r in readings.split(' ').filter_map(|r| r.chars().next()) {
                    by.entry(r).or_default().push((ch, pinyin.clone()));
                }
            }
            by
        })
        .get(&syllable)
        .map_or(&[], Vec::as_slice)
}
