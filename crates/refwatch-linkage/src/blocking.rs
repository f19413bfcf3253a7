//! Candidate pairs from blocking rules.

use std::hash::{DefaultHasher, Hash, Hasher};

use rayon::prelude::*;

use refwatch_names::{ParsedName, Syllable};

use crate::compare::{Prepared, Ready};
use crate::{Blocking, Part, Record, Settings};

/// A block larger than this is compared only within its first records'
/// window, and reported: a key shared by thousands says little.
pub(crate) const LARGEST_BLOCK: usize = 2_000;

/// The bit of a block member's rank that marks a key not pairing freely.
const BOUND: u32 = 1 << 31;

/// A hash of some parts, in order.
fn hash_of(parts: impl IntoIterator<Item = impl Hash>) -> u64 {
    let mut h = DefaultHasher::new();
    for part in parts {
        part.hash(&mut h);
    }
    h.finish()
}

/// A key with one more part (a sound class, a part of a rule): a
/// multiply-xorshift mix, fast, and with few enough collisions that the
/// pairs they add are nothing to notice.
fn mix(key: u64, part: u64) -> u64 {
    let x = (key.rotate_left(27) ^ part).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^ (x >> 31)
}

/// Most keys one name gives one blocking rule: a name whose syllables
/// could be read too many ways gives none rather than a flood.
const MOST_KEYS: usize = 32;

/// Every way to pick one sound class per position (see
/// [`refwatch_names::sound_class`]), each hashed, into `out`; none when
/// there would be more than [`MOST_KEYS`]. With `any_order`, a key stands
/// for its classes in any order (a sum of their mixes), so that a name
/// written surname first and one written surname last share their keys.
fn spellings(syllables: &[&Syllable], any_order: bool, out: &mut Vec<u64>) {
    if syllables.is_empty() {
        return;
    }
    let classes: Vec<Vec<u32>> = syllables
        .iter()
        .map(|set| {
            let mut c: Vec<u32> = set
                .iter()
                .filter_map(refwatch_names::sound_class)
                .map(|[i, v, f]| u32::from_le_bytes([i, v, f, 1]))
                .collect();
            c.sort_unstable();
            c.dedup();
            c
        })
        .collect();
    let ways: usize = classes.iter().map(|s| s.len().max(1)).product();
    if ways > MOST_KEYS {
        return;
    }
    let mut hashes = vec![syllables.len() as u64];
    let mut next = Vec::with_capacity(ways);
    for set in &classes {
        if set.is_empty() {
            continue;
        }
        next.clear();
        for &h in &hashes {
            next.extend(set.iter().map(|&c| {
                if any_order {
                    h.wrapping_add(mix(0, u64::from(c)))
                } else {
                    mix(h, u64::from(c))
                }
            }));
        }
        std::mem::swap(&mut hashes, &mut next);
    }
    if any_order {
        // The sum of the mixes, mixed with the number of syllables.
        out.extend(hashes.iter().map(|&h| {
            mix(
                syllables.len() as u64,
                h.wrapping_sub(syllables.len() as u64),
            )
        }));
    } else {
        out.extend(hashes);
    }
}

/// Which of a name's syllables make its blocking keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NamePart {
    /// Every syllable, in any order (surname first or last).
    Whole,
    /// The given name: the name without its first word, or without its
    /// last word when the surname may come last; a one-word name without
    /// its first syllable.
    Given,
    /// The surname: the first word, or the last when the surname may come
    /// last; a one-word name's first syllable, and its first two when it
    /// has more (남궁민).
    Surname,
}

/// Blocking keys from a name's readings (see [`NamePart`]). Unsorted, and
/// some may repeat.
pub(crate) fn name_keys(name: &ParsedName, part: NamePart) -> Vec<u64> {
    let mut keys = Vec::new();
    let choose = |words: &[Vec<Syllable>], skip: usize, take: usize, keys: &mut Vec<u64>| {
        let syllables: Vec<&Syllable> = words.iter().flatten().skip(skip).take(take).collect();
        spellings(&syllables, part == NamePart::Whole, keys);
    };
    for reading in name.readings() {
        let words = &reading.words;
        let last = words.len().saturating_sub(1);
        match part {
            NamePart::Whole => choose(words, 0, usize::MAX, &mut keys),
            NamePart::Given if words.len() > 1 => {
                choose(&words[1..], 0, usize::MAX, &mut keys);
                choose(&words[..last], 0, usize::MAX, &mut keys);
            }
            NamePart::Given => choose(words, 1, usize::MAX, &mut keys),
            NamePart::Surname if words.len() > 1 => {
                choose(&words[..1], 0, usize::MAX, &mut keys);
                choose(&words[last..], 0, usize::MAX, &mut keys);
            }
            NamePart::Surname => {
                // A surname may be two syllables (남궁, Namgung).
                choose(words, 0, 1, &mut keys);
                if reading.syllables().count() > 2 {
                    choose(words, 0, 2, &mut keys);
                }
            }
        }
    }
    keys
}

/// The value of one field as a key, if it has one.
fn value_key(ready: Option<&Ready>) -> Option<u64> {
    Some(match ready? {
        Ready::Text(t) => hash_of([t.as_str()]),
        Ready::Name(forms) => hash_of([forms[0].squeezed()]),
        Ready::Range(low, high) => hash_of([low, high]),
        Ready::Number(n) => hash_of([n]),
        // A birth as a key is its day: records agree on it when born the
        // same day (a birth known only to its year has none).
        Ready::Birth(_, day, _) => hash_of([(*day)?]),
        Ready::Place(p) => hash_of(p),
        Ready::Missing => return None,
    })
}

/// Every record's name keys (full readings or given names) on one field,
/// made once for every rule that uses them, and once for each name
/// written alike.
struct NameKeys {
    field: usize,
    part: NamePart,
    /// Each record's place in `distinct` (`u32::MAX`: no name).
    slot: Vec<u32>,
    distinct: Vec<Box<[u64]>>,
}

impl NameKeys {
    fn of(&self, index: usize) -> &[u64] {
        self.distinct
            .get(self.slot[index] as usize)
            .map_or(&[], |k| k)
    }
}

fn name_keys_of(prepared: &Prepared, field: usize, part: NamePart) -> NameKeys {
    let (slot, names) = crate::compare::name_slots(prepared, field);
    let distinct = names
        .par_iter()
        .map(|forms| {
            let mut all: Vec<u64> = Vec::new();
            for form in forms.iter() {
                all.extend(name_keys(form, part));
            }
            all.sort_unstable();
            all.dedup();
            all.into_boxed_slice()
        })
        .collect();
    NameKeys {
        field,
        part,
        slot,
        distinct,
    }
}

/// A key that pairs its record with every other record holding it
/// (`true`), or only with those holding it as such a key (`false`: a birth
/// known to the day meets a birth known only to the year by its year, but
/// not other days of that year).
type Key = (u64, bool);

/// The keys one record has under one rule's parts: one for every way of
/// taking a key of each part (none when a part has none); a key pairs
/// freely only when every part's does. Records whose keys are alike share
/// a block (two different keys alike, a chance of about one in 2^64, only
/// add a pair to compare).
fn keys(prepared: &Prepared, names: &[NameKeys], index: usize, parts: &[Part]) -> Vec<Key> {
    let mut out: Vec<Key> = vec![(parts.len() as u64, true)];
    let mut next = Vec::new();
    for (p, part) in parts.iter().enumerate() {
        let mut one = [(0u64, true); 2];
        let found: &[Key] = match *part {
            Part::Same(f) => match value_key(prepared[index].get(f)) {
                Some(k) => {
                    one[0].0 = k;
                    &one[..1]
                }
                None => &[],
            },
            Part::Born(f) => match prepared[index].get(f) {
                Some(&Ready::Birth(year, day, _)) => {
                    let year_key = hash_of([p as i64, 0, i64::from(year)]);
                    match day {
                        Some(day) => {
                            one = [
                                (hash_of([p as i64, 1, i64::from(day)]), true),
                                (year_key, false),
                            ];
                            &one
                        }
                        None => {
                            one[0].0 = year_key;
                            &one[..1]
                        }
                    }
                }
                Some(&Ready::Number(year)) => {
                    one[0].0 = hash_of([p as i64, 0, i64::from(year)]);
                    &one[..1]
                }
                _ => &[],
            },
            Part::Reading(f) | Part::Sound(f) | Part::Surname(f) => {
                let kind = name_part(part);
                let keys = names
                    .iter()
                    .find(|n| n.field == f && Some(n.part) == kind)
                    .map_or(&[][..], |n| n.of(index));
                if keys.is_empty() {
                    return Vec::new();
                }
                next.clear();
                for &(k, free) in &out {
                    next.extend(keys.iter().map(|&f| (mix(k, f), free)));
                }
                std::mem::swap(&mut out, &mut next);
                continue;
            }
            Part::Near { field, within } => match prepared[index].get(field) {
                // A birth is near another by its year.
                Some(&(Ready::Number(n) | Ready::Birth(n, _, _))) => {
                    let n = i64::from(n);
                    if within <= 0 {
                        one[0].0 = hash_of([p as i64, n]);
                        &one[..1]
                    } else {
                        let width = i64::from(within) * 2;
                        one = [
                            (hash_of([p as i64, 0, n.div_euclid(width)]), true),
                            (
                                hash_of([p as i64, 1, (n + width / 2).div_euclid(width)]),
                                true,
                            ),
                        ];
                        &one
                    }
                }
                _ => &[],
            },
        };
        if found.is_empty() {
            return Vec::new();
        }
        next.clear();
        for &(k, free) in &out {
            next.extend(found.iter().map(|&(f, also)| (mix(k, f), free && also)));
        }
        std::mem::swap(&mut out, &mut next);
    }
    out
}

/// The syllables a name part of a rule keys on.
fn name_part(part: &Part) -> Option<NamePart> {
    match part {
        Part::Reading(_) => Some(NamePart::Whole),
        Part::Sound(_) => Some(NamePart::Given),
        Part::Surname(_) => Some(NamePart::Surname),
        _ => None,
    }
}

/// The fields a rule blocks on: those on which every pair it finds
/// agrees in some way. A surname alone leaves the name free to agree or
/// not, so the name is not among them.
pub(crate) fn fields_of(rule: &Blocking) -> Vec<usize> {
    rule.parts()
        .iter()
        .filter_map(|part| match *part {
            Part::Same(f)
            | Part::Born(f)
            | Part::Reading(f)
            | Part::Sound(f)
            | Part::Near { field: f, .. } => Some(f),
            Part::Surname(_) => None,
        })
        .collect()
}

/// A pair of records to compare: their positions (the smaller first) and
/// the blocking rules that found it (bit r for rule r; none for a pair
/// compared only because it was decided).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Candidate {
    pub(crate) a: u32,
    pub(crate) b: u32,
    pub(crate) rules: u32,
}

/// Every pair of records that shares a key of any rule, each once, sorted
/// by position, with the rules that found it.
pub(crate) fn candidates(
    records: &[Record],
    prepared: &Prepared,
    settings: &Settings,
    order: &[u32],
    diagnostics: &mut Vec<String>,
) -> Vec<Candidate> {
    // `order`: records in the order of their ids, so that the pairs (and
    // a cut block's window) do not depend on the order records came in.
    let rules: Vec<Vec<Part>> = settings.blocking.iter().map(Blocking::parts).collect();
    // Name keys, once per field and kind, whichever rules use them.
    let mut names: Vec<NameKeys> = Vec::new();
    for part in rules.iter().flatten() {
        let (field, kind) = match (*part, name_part(part)) {
            (Part::Reading(f) | Part::Sound(f) | Part::Surname(f), Some(kind)) => (f, kind),
            _ => continue,
        };
        if !names.iter().any(|n| n.field == field && n.part == kind) {
            names.push(name_keys_of(prepared, field, kind));
        }
    }
    let names = &names;
    let mut pairs: Vec<Candidate> = Vec::new();
    let mut cut = 0usize;
    for (r, parts) in rules.iter().enumerate() {
        let bit = 1u32 << r.min(31);
        // (key, rank in id order, the top bit set for a key that does not
        // pair freely): sorted, each block is a run of one key with its
        // free members first, each part in id order.
        let mut entries: Vec<(u64, u32)> = order
            .par_iter()
            .enumerate()
            .flat_map_iter(|(rank, &index)| {
                keys(prepared, names, index as usize, parts)
                    .into_iter()
                    .map(move |(key, free)| (key, rank as u32 | (u32::from(!free) << 31)))
            })
            .collect();
        entries.par_sort_unstable();
        entries.dedup();
        let blocks: Vec<&[(u64, u32)]> = entries.chunk_by(|x, y| x.0 == y.0).collect();
        cut += blocks.iter().filter(|b| b.len() > LARGEST_BLOCK).count();
        let found: Vec<Candidate> = blocks
            .par_iter()
            .filter(|members| members.len() > 1)
            .flat_map_iter(|members| {
                let members = &members[..members.len().min(LARGEST_BLOCK)];
                // A member that does not pair freely pairs only with the
                // free members before it.
                let free = members.iter().take_while(|&&(_, x)| x < BOUND).count();
                members[..free]
                    .iter()
                    .enumerate()
                    .flat_map(move |(i, &(_, x))| {
                        let a = order[x as usize];
                        members[i + 1..].iter().filter_map(move |&(_, y)| {
                            let b = order[(y & !BOUND) as usize];
                            let apart = a == b
                                || settings.across_lists_only
                                    && records[a as usize].list == records[b as usize].list;
                            (!apart).then_some(Candidate {
                                a: a.min(b),
                                b: a.max(b),
                                rules: bit,
                            })
                        })
                    })
            })
            .collect();
        pairs.extend(found);
    }
    // One entry per pair, with every rule that found it.
    pairs.par_sort_unstable();
    pairs.dedup_by(|later, kept| {
        if (later.a, later.b) == (kept.a, kept.b) {
            kept.rules |= later.rules;
            true
        } else {
            false
        }
    });
    if cut > 0 {
        diagnostics.push(format!(
            "{cut} blocks had more than {LARGEST_BLOCK} records and were compared only among their first {LARGEST_BLOCK} by id: add a tighter blocking rule"
        ));
    }
    pairs
}
