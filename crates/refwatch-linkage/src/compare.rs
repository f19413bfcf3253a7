//! Fields, values and comparison levels.

use std::collections::BTreeSet;

use refwatch_names::{Agreement, ParsedName};

/// A value of one field of a record.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Not known.
    Missing,
    /// A name in any script (Hangul, Chinese characters, any romanisation).
    Name(String),
    /// A value compared as it is written (sex, an identifier).
    Text(String),
    /// A year (of birth, say).
    Year(i32),
    /// A day, as days since any fixed day.
    Day(i32),
    /// A place as its path from the broadest to the narrowest
    /// (["Jilin", "Yanbian", "Yanji"]).
    Place(Vec<String>),
}

/// How a field is compared, and so its levels (0 is the strongest).
#[derive(Debug, Clone, PartialEq)]
pub enum Compare {
    /// Names by their Korean reading: 0 identical, 1 same reading, 2 all
    /// syllables but one, 3 partly, 4 different.
    Name,
    /// Exact: 0 same, 1 different.
    Exact,
    /// Years: 0 same, 1 within the tolerance, 2 further apart.
    Year {
        /// Years apart still counted as close.
        tolerance: i32,
    },
    /// Days: 0 same, 1 within the tolerance, 2 further apart.
    Day {
        /// Days apart still counted as close.
        tolerance: i32,
    },
    /// Places: 0 the same, 1 within the same broader place (Yanji and
    /// Tumen, both in Yanbian), 2 different.
    Place,
}

impl Compare {
    /// How many levels this comparison has.
    pub fn level_count(&self) -> usize {
        match self {
            Compare::Name => 5,
            Compare::Exact => 2,
            Compare::Year { .. } | Compare::Day { .. } | Compare::Place => 3,
        }
    }

    /// A level's name, for explanations.
    pub fn level_name(&self, level: u8) -> &'static str {
        match (self, level) {
            (Compare::Name, 0) => "identical",
            (Compare::Name, 1) => "same reading",
            (Compare::Name, 2) => "all syllables but one",
            (Compare::Name, 3) => "partly",
            (Compare::Exact, 0) | (Compare::Place, 0) => "same",
            (Compare::Year { .. } | Compare::Day { .. }, 0) => "same",
            (Compare::Year { .. } | Compare::Day { .. }, 1) => "close",
            (Compare::Place, 1) => "same broader place",
            _ => "different",
        }
    }
}

/// One field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Its name, for explanations.
    pub name: String,
    /// How it is compared.
    pub compare: Compare,
    /// Whether agreement on a common value weighs less than on a rare one.
    pub term_frequency: bool,
}

/// A value made ready for comparing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ready {
    Missing,
    Name {
        /// The name, read once.
        parsed: Box<ParsedName>,
        /// The value's term: its text squeezed (for frequencies).
        term: String,
    },
    Text(String),
    Number(i32),
    Place(Vec<String>),
}

impl Ready {
    /// The value's term for frequencies, if it has one.
    pub(crate) fn term(&self) -> Option<&str> {
        match self {
            Ready::Name { term, .. } => Some(term),
            Ready::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// Values made ready, per record, per field.
pub(crate) type Prepared = Vec<Vec<Ready>>;

fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Makes every value ready; values of the wrong kind for their field are
/// counted as missing and reported once per field.
pub(crate) fn prepare(
    records: &[crate::Record],
    fields: &[Field],
    diagnostics: &mut Vec<String>,
) -> Prepared {
    let mut wrong = vec![0usize; fields.len()];
    let out = records
        .iter()
        .map(|r| {
            r.values
                .iter()
                .zip(fields)
                .enumerate()
                .map(|(f, (v, field))| match (&field.compare, v) {
                    (_, Value::Missing) => Ready::Missing,
                    (Compare::Name, Value::Name(t) | Value::Text(t)) => {
                        let term = squeeze(t);
                        if term.is_empty() {
                            Ready::Missing
                        } else {
                            Ready::Name {
                                parsed: Box::new(ParsedName::new(t)),
                                term,
                            }
                        }
                    }
                    (Compare::Exact, Value::Text(t) | Value::Name(t)) => {
                        let t = t.trim().to_lowercase();
                        if t.is_empty() {
                            Ready::Missing
                        } else {
                            Ready::Text(t)
                        }
                    }
                    (Compare::Exact, Value::Year(n) | Value::Day(n)) => Ready::Text(n.to_string()),
                    (Compare::Year { .. }, Value::Year(n))
                    | (Compare::Day { .. }, Value::Day(n)) => Ready::Number(*n),
                    (Compare::Place | Compare::Exact, Value::Place(path)) => {
                        let path: Vec<String> = path
                            .iter()
                            .map(|p| p.trim().to_lowercase())
                            .filter(|p| !p.is_empty())
                            .collect();
                        if path.is_empty() {
                            Ready::Missing
                        } else if matches!(field.compare, Compare::Exact) {
                            Ready::Text(path.join("/"))
                        } else {
                            Ready::Place(path)
                        }
                    }
                    (Compare::Place, Value::Text(t)) if !t.trim().is_empty() => {
                        Ready::Place(vec![t.trim().to_lowercase()])
                    }
                    _ => {
                        wrong[f] += 1;
                        Ready::Missing
                    }
                })
                .collect()
        })
        .collect();
    for (f, n) in wrong.iter().enumerate() {
        if *n > 0 {
            diagnostics.push(format!(
                "field {}: {n} values of the wrong kind were treated as missing",
                fields[f].name
            ));
        }
    }
    out
}

fn name_level(a: &ParsedName, b: &ParsedName) -> Option<u8> {
    match refwatch_names::compare_parsed(a, b).agreement {
        Agreement::Identical => Some(0),
        Agreement::SameReading => Some(1),
        Agreement::AllButOne => Some(2),
        Agreement::Partly => Some(3),
        Agreement::Different => Some(4),
        Agreement::Unknown => None,
    }
}

fn place_level(a: &[String], b: &[String]) -> u8 {
    if a == b {
        return 0;
    }
    // The same broader place: one is inside the other, or both share all
    // but their last part.
    let shared = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let inside = shared == a.len().min(b.len());
    let siblings = a.len() == b.len() && a.len() > 1 && shared == a.len() - 1;
    if shared > 0 && (inside || siblings) {
        1
    } else {
        2
    }
}

/// The comparison levels of two records, one per field.
pub(crate) fn levels(prepared: &Prepared, fields: &[Field], a: usize, b: usize) -> Vec<Option<u8>> {
    fields
        .iter()
        .enumerate()
        .map(|(f, field)| level(&field.compare, &prepared[a][f], &prepared[b][f]))
        .collect()
}

/// One field's level for two ready values.
pub(crate) fn level(compare: &Compare, a: &Ready, b: &Ready) -> Option<u8> {
    match (compare, a, b) {
        (_, Ready::Missing, _) | (_, _, Ready::Missing) => None,
        (
            Compare::Name,
            Ready::Name {
                parsed: x,
                term: tx,
            },
            Ready::Name {
                parsed: y,
                term: ty,
            },
        ) => {
            if tx == ty {
                Some(0)
            } else {
                name_level(x, y)
            }
        }
        (Compare::Exact, Ready::Text(x), Ready::Text(y)) => Some(u8::from(x != y)),
        (
            Compare::Year { tolerance } | Compare::Day { tolerance },
            Ready::Number(x),
            Ready::Number(y),
        ) => {
            let apart = (x - y).abs();
            Some(if apart == 0 {
                0
            } else if apart <= *tolerance {
                1
            } else {
                2
            })
        }
        (Compare::Place, Ready::Place(x), Ready::Place(y)) => Some(place_level(x, y)),
        _ => None,
    }
}

/// The readings' syllable candidates a name may end on, for blocking.
pub(crate) fn name_sound_keys(name: &ParsedName) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for reading in name.readings() {
        let count: usize = reading.words.iter().map(Vec::len).sum();
        let ends = [
            reading.words.last().and_then(|w| w.last()),
            reading.words.first().and_then(|w| w.last()),
        ];
        for set in ends.into_iter().flatten() {
            for c in set {
                keys.insert(format!("{count}:{c}"));
            }
        }
    }
    keys
}
