//! The places that matter to forced repatriation, in every script lists
//! write them in.
//!
//! One town is 延吉市, 延吉, Yanji, "Yanji City", 연길 (the Korean reading of
//! its hanja) and 옌지 (the Korean transcription of the Chinese); a home
//! province is 함경북도, "North Hamgyong", "N. Hamgyong" or
//! "Hamgyŏng-pukto". [`Gazetteer::resolve`] finds the one entry such a name
//! stands for, and [`Gazetteer::path`] gives it with the places it lies
//! within, so that two records naming the same town in two scripts agree,
//! and a record naming only its prefecture is seen to be within it.
//! Detention centres and border posts resolve to their town.
//!
//! The entries are data (`data/places.tsv`, sources in `data/README.md`),
//! compiled in and indexed on first use. Pure: no I/O.

#![deny(missing_docs)]

use std::collections::HashMap;
use std::sync::OnceLock;

const DATA: &str = include_str!("../data/places.tsv");

/// What kind of place an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A country.
    Country,
    /// A province, autonomous region or municipality (China); a province
    /// or directly governed city (DPRK).
    Province,
    /// A prefecture or prefecture-level city.
    Prefecture,
    /// A city below a prefecture.
    City,
    /// A county.
    County,
    /// A district of a city.
    District,
    /// A town or village.
    Town,
    /// A detention centre, police office or crossing point: resolved to
    /// the town it is in.
    Facility,
}

impl Kind {
    fn parse(text: &str) -> Option<Kind> {
        Some(match text {
            "country" => Kind::Country,
            "province" => Kind::Province,
            "prefecture" => Kind::Prefecture,
            "city" => Kind::City,
            "county" => Kind::County,
            "district" => Kind::District,
            "town" => Kind::Town,
            "facility" => Kind::Facility,
            _ => return None,
        })
    }
}

/// One place.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Its stable id ("yanji", "kp-chongjin").
    pub id: &'static str,
    /// The entry it lies within.
    pub within: Option<usize>,
    /// What kind of place it is.
    pub kind: Kind,
    /// Its names, as the data lists them (the first is in hanzi or Hangul,
    /// the place's own script).
    pub names: Vec<&'static str>,
}

/// How two places stand to each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Relation {
    /// The same place (a facility and its town are the same place).
    Same,
    /// One lies within the other (Yanji and Yanbian).
    Within,
    /// Both lie directly within the same place (Yanji and Tumen).
    Neighbouring,
    /// Neither.
    Different,
}

/// The gazetteer: its entries and every name's key.
pub struct Gazetteer {
    entries: Vec<Entry>,
    /// A name's key ([`key`]) to its entry.
    index: HashMap<String, usize>,
    /// The longest key, in characters: no longer beginning is looked up.
    longest: usize,
}

/// The gazetteer, built on first use.
pub fn gazetteer() -> &'static Gazetteer {
    static BUILT: OnceLock<Gazetteer> = OnceLock::new();
    BUILT.get_or_init(|| Gazetteer::parse(DATA).unwrap_or_else(|e| panic!("places.tsv: {e}")))
}

/// Latin words that say what kind of place follows or precedes a name,
/// set aside when a name is looked up ("Yanji City", "Ryanggang-do").
const LATIN_KIND_WORDS: &[&str] = &[
    "city",
    "province",
    "county",
    "prefecture",
    "autonomous",
    "region",
    "municipality",
    "special",
    "district",
    "town",
    "village",
    "do",
    "si",
    "shi",
    "gun",
    "kun",
    "xian",
    "sheng",
    "zhen",
    "the",
    "of",
];

/// The most words a run looked up as a place's name has.
const MOST_WORDS: usize = 6;

/// Endings in hanzi or Hangul that say what kind of place a name is,
/// longest first: set aside when the name as written is not known.
const SUFFIXES: &[&str] = &[
    "朝鲜族自治州",
    "朝鲜族自治县",
    "조선족자치주",
    "조선족자치현",
    "自治州",
    "自治县",
    "自治区",
    "자치주",
    "자치현",
    "직할시",
    "구역",
    "市",
    "县",
    "縣",
    "省",
    "州",
    "区",
    "區",
    "镇",
    "鎮",
    "道",
    "시",
    "군",
    "현",
    "성",
    "도",
    "주",
    "구",
    "진",
];

/// A name folded for lookup: lower case, diacritics and apostrophes
/// dropped, "N." and "S." as north and south and put first, spaces
/// removed; with `plain`, words that say what kind of place it is set
/// aside. Names in hanzi or Hangul lose only their spaces and punctuation.
pub fn key(name: &str, plain: bool) -> String {
    let mut folded = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            'ŏ' | 'Ŏ' | 'ó' | 'ò' | 'ô' | 'ö' => folded.push('o'),
            'ŭ' | 'Ŭ' | 'ú' | 'ù' | 'û' | 'ü' => folded.push('u'),
            'é' | 'è' | 'ê' | 'ë' | 'É' => folded.push('e'),
            'á' | 'à' | 'â' | 'ä' => folded.push('a'),
            'í' | 'ì' | 'î' | 'ï' => folded.push('i'),
            '\'' | '’' | '‘' | 'ʼ' | '`' | 'ʻ' => {}
            '.' => folded.push(' '),
            c if c.is_alphanumeric() => folded.extend(c.to_lowercase()),
            _ => folded.push(' '),
        }
    }
    let words: Vec<&str> = folded.split_whitespace().collect();
    if !words
        .iter()
        .any(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
    {
        return words.concat();
    }
    let mut out: Vec<&str> = Vec::with_capacity(words.len());
    let mut direction = None;
    for (i, w) in words.iter().enumerate() {
        match *w {
            "n" | "north" | "northern" => direction = Some("north"),
            "s" | "south" | "southern" => direction = Some("south"),
            // A kind word, but not a name's only word.
            w if plain && LATIN_KIND_WORDS.contains(&w) && (words.len() > 1 || i > 0) => {}
            w => out.push(w),
        }
    }
    let mut key = String::new();
    key.extend(direction);
    key.extend(out);
    key
}

impl Gazetteer {
    fn parse(text: &'static str) -> Result<Gazetteer, String> {
        let mut entries: Vec<Entry> = Vec::new();
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let mut parents: Vec<Option<&str>> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let cells: Vec<&str> = line.split('\t').collect();
            let [id, within, kind, names] = cells[..] else {
                return Err(format!("line {} has {} cells, not 4", n + 1, cells.len()));
            };
            let kind = Kind::parse(kind).ok_or_else(|| format!("line {}: kind {kind}", n + 1))?;
            if ids.insert(id, entries.len()).is_some() {
                return Err(format!("line {}: id {id} twice", n + 1));
            }
            parents.push((within != "-").then_some(within));
            entries.push(Entry {
                id,
                within: None,
                kind,
                names: names.split('|').map(str::trim).collect(),
            });
        }
        for (entry, parent) in entries.iter_mut().zip(parents) {
            if let Some(p) = parent {
                entry.within = Some(*ids.get(p).ok_or_else(|| format!("{}: no {p}", entry.id))?);
            }
        }
        let mut index: HashMap<String, usize> = HashMap::new();
        for (at, entry) in entries.iter().enumerate() {
            for name in &entry.names {
                let k = key(name, false);
                if k.is_empty() {
                    return Err(format!("{}: a name with nothing to look up", entry.id));
                }
                if let Some(&other) = index.get(&k)
                    && other != at
                {
                    return Err(format!(
                        "{name:?} names both {} and {}",
                        entries[other].id, entry.id
                    ));
                }
                index.insert(k, at);
            }
        }
        let longest = index.keys().map(|k| k.chars().count()).max().unwrap_or(0);
        let gazetteer = Gazetteer {
            entries,
            index,
            longest,
        };
        // Every chain of places within places ends.
        for at in 0..gazetteer.entries.len() {
            if gazetteer.chain(at).count() > 16 {
                return Err(format!("{} lies within itself", gazetteer.entries[at].id));
            }
        }
        Ok(gazetteer)
    }

    /// The entries.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry and those it lies within, narrowest first.
    fn chain(&self, at: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(at), |&i| self.entries[i].within).take(17)
    }

    /// The entry a name stands for: the name as written, then without the
    /// words or endings that say what kind of place it is ("Yanji City",
    /// 연길시), then the longest known name it begins with in hanzi or
    /// Hangul (图们边防支队看守所: 图们), or the longest run of its words
    /// that is a known name in Latin letters ("Detention centre, Tumen").
    /// A facility is its town. `None` when nothing in it is known.
    pub fn resolve(&self, name: &str) -> Option<usize> {
        self.find(name).map(|at| {
            self.chain(at)
                .find(|&i| self.entries[i].kind != Kind::Facility)
                .unwrap_or(at)
        })
    }

    fn find(&self, name: &str) -> Option<usize> {
        let k = key(name, false);
        if k.is_empty() {
            return None;
        }
        if let Some(&at) = self
            .index
            .get(&k)
            .or_else(|| self.index.get(&key(name, true)))
        {
            return Some(at);
        }
        if !name.chars().any(|c| c.is_ascii_alphabetic()) {
            for suffix in SUFFIXES {
                if let Some(stem) = k.strip_suffix(suffix)
                    && let Some(&at) = self.index.get(stem)
                {
                    return Some(at);
                }
            }
            // Words written apart ("평안북도 신의주"): the narrowest known.
            let words: Vec<&str> = name.split_whitespace().take(MOST_WORDS).collect();
            if words.len() > 1
                && let Some(at) = words
                    .iter()
                    .filter_map(|w| self.find(w))
                    .max_by_key(|&at| self.chain(at).count())
            {
                return Some(at);
            }
            // The longest known beginning, two characters or more.
            let chars: Vec<char> = k.chars().collect();
            return (2..=chars.len().min(self.longest))
                .rev()
                .find_map(|n| self.index.get(&chars[..n].iter().collect::<String>()))
                .copied();
        }
        // The longest run of words that is a known name; of runs as long,
        // the narrowest place.
        let words: Vec<&str> = name
            .split(|c: char| !(c.is_alphanumeric() || "'’‘ʼ`-".contains(c)))
            .filter(|w| !w.is_empty())
            .collect();
        // (A place's name is a few words: longer runs are not tried.)
        for len in (1..words.len().min(MOST_WORDS + 1)).rev() {
            let found = words
                .windows(len)
                .filter_map(|run| {
                    let run = run.join(" ");
                    let plain = key(&run, true);
                    // A kind word alone ("City") is no place.
                    (!plain.is_empty())
                        .then(|| self.index.get(&key(&run, false)).or(self.index.get(&plain)))
                        .flatten()
                        .copied()
                })
                .max_by_key(|&at| self.chain(at).count());
            if found.is_some() {
                return found;
            }
        }
        None
    }

    /// The ids of the entry and of the places it lies within, broadest
    /// first: ["cn", "jilin", "yanbian", "yanji"].
    pub fn path(&self, at: usize) -> Vec<&'static str> {
        let mut path: Vec<&'static str> = self.chain(at).map(|i| self.entries[i].id).collect();
        path.reverse();
        path
    }

    /// How two entries stand to each other.
    pub fn relation(&self, a: usize, b: usize) -> Relation {
        if a == b {
            Relation::Same
        } else if self.chain(a).any(|i| i == b) || self.chain(b).any(|i| i == a) {
            Relation::Within
        } else if self.entries[a].within.is_some()
            && self.entries[a].within == self.entries[b].within
        {
            Relation::Neighbouring
        } else {
            Relation::Different
        }
    }

    /// The entry's name in a language: "ko" its Korean name, "zh" its
    /// Chinese, anything else its English (Latin) name.
    pub fn name(&self, at: usize, language: &str) -> &'static str {
        let names = &self.entries[at].names;
        let hangul = |n: &str| n.chars().any(|c| ('가'..='힣').contains(&c));
        let latin = |n: &str| n.chars().any(|c| c.is_ascii_alphabetic());
        let found = match language {
            "ko" => names.iter().find(|n| hangul(n)),
            "zh" => names.iter().find(|n| !hangul(n) && !latin(n)),
            _ => names.iter().find(|n| latin(n)),
        };
        found
            .or(names.first())
            .copied()
            .unwrap_or(self.entries[at].id)
    }
}

#[cfg(test)]
mod tests;
