//! Candidate pairs from blocking rules.

use std::hash::{DefaultHasher, Hash, Hasher};

use rayon::prelude::*;

use refwatch_names::ParsedName;

use crate::compare::{Prepared, Ready, Rows};
use crate::{Blocking, Part, Record, Settings};

/// A block larger than this is compared only within its first records'
/// window, and reported: a key shared by thousands says little.
pub(crate) const LARGEST_BLOCK: usize = 2_000;

/// Bits in a table of keys per key in it (a key not in it let in by a
/// shared bit about one time in sixteen), see [`KeyBits`]: a table this
/// small stays in the cache while every record's keys are tested.
const BITS_PER_KEY: usize = 16;

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
/// could be read too many ways (even keeping to the common ones, see
/// [`Common`]) gives none rather than a flood.
const MOST_KEYS: usize = 128;

/// What [`spellings`] does with the keys it is making, after each
/// position.
enum Partial<'a> {
    /// Nothing.
    Keep,
    /// Adds the keys made so far to the vector (see [`name_keys_of`]).
    Record(&'a mut Vec<u64>),
    /// Keeps only the keys made so far that the table holds: a key none of
    /// whose beginnings another list's names have is not finished.
    Within(&'a KeyBits),
}

/// Every way to pick one sound class per position (each position's
/// classes, see [`refwatch_names::sound_class`]), each hashed in order,
/// into `out`; none when there would be more than [`MOST_KEYS`]. Keys
/// kept only where another list's names have their beginnings
/// ([`Partial::Within`]) are counted as they are pruned: a name read from
/// pinyin may be read hundreds of ways, of which the other list's names
/// are only a few.
fn spellings(classes: &[&[u32]], out: &mut Vec<u64>, partial: &mut Partial) {
    if classes.is_empty() {
        return;
    }
    let ways: usize = classes.iter().map(|s| s.len().max(1)).product();
    if ways > MOST_KEYS && !matches!(partial, Partial::Within(_)) {
        return;
    }
    let start = out.len();
    out.push(classes.len() as u64);
    for set in classes.iter().filter(|set| !set.is_empty()) {
        // Every key so far, extended by each class of this position.
        let end = out.len();
        for k in start..end {
            let h = out[k];
            out[k] = mix(h, u64::from(set[0]));
            for &c in &set[1..] {
                out.push(mix(h, u64::from(c)));
            }
        }
        match partial {
            Partial::Keep => {}
            Partial::Record(sink) => sink.extend_from_slice(&out[start..]),
            Partial::Within(table) => {
                let mut kept = start;
                for k in start..out.len() {
                    if table.holds(out[k]) {
                        out[kept] = out[k];
                        kept += 1;
                    }
                }
                out.truncate(kept);
                if kept == start {
                    return;
                }
                if kept - start > MOST_KEYS {
                    out.truncate(start);
                    return;
                }
            }
        }
    }
}

/// Which of a name's syllables make its blocking keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NamePart {
    /// Every syllable, surname first or last.
    Whole = 0,
    /// The given name: the name without its first word, or without its
    /// last word when the surname may come last; a one-word name without
    /// its first syllable.
    Given = 1,
    /// The surname: the first word, or the last when the surname may come
    /// last; a one-word name's first syllable, and its first two when it
    /// has more (남궁민).
    Surname = 2,
}

/// Which Hangul syllables are written unambiguously (in Hangul) often
/// enough in the names being linked. A syllable read from pinyin or a
/// loose romanisation may stand for dozens of Hangul syllables, most of
/// which no one on the lists is named with: only those the lists do use
/// make its blocking keys (all of them when none is used, or when no name
/// is in Hangul). Comparison still weighs every reading.
pub(crate) struct Common {
    /// Per Hangul syllable (from U+AC00): whether it is common enough.
    common: Vec<bool>,
}

/// A syllable this share of the unambiguous ones or more is common.
const COMMON_SHARE: f64 = 1.0 / 2_000.0;

impl Common {
    pub(crate) fn of(names: &[&[ParsedName]]) -> Common {
        const SYLLABLES: usize = 11_172;
        // Per syllable, then (last) how many written syllables: a
        // syllable the two Koreas spell differently counts once for each
        // spelling, and once in all.
        let counts = names
            .par_iter()
            .fold(
                || vec![0u32; SYLLABLES + 1],
                |mut counts, forms| {
                    for reading in forms.iter().flat_map(ParsedName::readings) {
                        for set in reading.syllables() {
                            // One syllable, or one in Hangul with its
                            // spellings by the two Koreas' rules.
                            let first = set.iter().next();
                            let hangul = first.is_some_and(|c| {
                                refwatch_names::initial_sound_spellings(c).eq(set.iter())
                            });
                            if set.iter().nth(1).is_none() || hangul {
                                counts[SYLLABLES] += 1;
                                for c in set.iter() {
                                    if let Some(i) = (c as usize).checked_sub(0xAC00)
                                        && i < SYLLABLES
                                    {
                                        counts[i] += 1;
                                    }
                                }
                            }
                        }
                    }
                    counts
                },
            )
            .reduce(
                || vec![0u32; SYLLABLES + 1],
                |mut x, y| {
                    x.iter_mut().zip(y).for_each(|(x, y)| *x += y);
                    x
                },
            );
        let total = f64::from(counts[SYLLABLES]);
        Common {
            common: counts[..SYLLABLES]
                .iter()
                .map(|&n| n > 0 && f64::from(n) >= total * COMMON_SHARE)
                .collect(),
        }
    }

    fn has(&self, c: char) -> bool {
        (c as usize)
            .checked_sub(0xAC00)
            .and_then(|i| self.common.get(i))
            .copied()
            .unwrap_or(false)
    }
}

/// One syllable's sound classes, sorted, each once.
fn classes_of(set: impl Iterator<Item = char>) -> Vec<u32> {
    let mut c: Vec<u32> = set
        .filter_map(refwatch_names::sound_class)
        .map(|[i, v, f]| u32::from_le_bytes([i, v, f, 1]))
        .collect();
    c.sort_unstable();
    c.dedup();
    c
}

/// Blocking keys from a name's readings, for each [`NamePart`] wanted
/// (none for the others). Unsorted, and some may repeat.
fn name_keys(
    name: &ParsedName,
    wanted: [bool; 3],
    common: &Common,
    partial: &mut Partial,
) -> [Vec<u64>; 3] {
    let mut keys: [Vec<u64>; 3] = Default::default();
    // Each syllable's sound classes (of its common syllables, see
    // [`Common`]), once for every key and every reading it is in (a
    // name's readings share their words).
    let mut known: Vec<(&refwatch_names::Syllable, Vec<u32>)> = Vec::new();
    let mut classes: Vec<usize> = Vec::new();
    for reading in name.readings() {
        classes.clear();
        for set in reading.syllables() {
            let at = match known.iter().position(|(s, _)| *s == set) {
                Some(at) => at,
                None => {
                    let common = classes_of(set.iter().filter(|&c| common.has(c)));
                    let made = if common.is_empty() {
                        classes_of(set.iter())
                    } else {
                        common
                    };
                    known.push((set, made));
                    known.len() - 1
                }
            };
            classes.push(at);
        }
        // Where the first word ends, where the last begins, where all end.
        let (words, first, last, all) = (
            reading.word_count(),
            reading.first_word_end(),
            reading.last_word_start(),
            reading.syllables().len(),
        );
        let mut chosen: Vec<&[u32]> = Vec::new();
        let mut choose = |spans: &[(usize, usize)], out: &mut Vec<u64>| {
            chosen.clear();
            for &(from, to) in spans {
                chosen.extend(classes[from..to].iter().map(|&at| known[at].1.as_slice()));
            }
            spellings(&chosen, out, partial);
        };
        if wanted[NamePart::Whole as usize] {
            let out = &mut keys[NamePart::Whole as usize];
            choose(&[(0, all)], out);
            if words > 1 {
                // Surname last, and surname moved first from the end.
                choose(&[(first, all), (0, first)], out);
            }
            if words > 2 {
                choose(&[(last, all), (0, last)], out);
            }
        }
        // A given name of two syllables also keys with them swapped
        // (Seok-chang for Chang-seok), surname first or last, alone and
        // in the whole name.
        let given_first = (words > 1 && all - first == 2).then_some(first);
        let given_last = (words > 1 && last == 2).then_some(0);
        let one_word = (words == 1 && all == 3).then_some(1);
        if wanted[NamePart::Whole as usize] {
            let out = &mut keys[NamePart::Whole as usize];
            if let Some(g) = given_first.or(one_word) {
                choose(&[(0, g), (g + 1, g + 2), (g, g + 1)], out);
            }
            if let Some(g) = given_last {
                choose(&[(last, all), (g + 1, g + 2), (g, g + 1)], out);
            }
        }
        if wanted[NamePart::Given as usize] {
            let out = &mut keys[NamePart::Given as usize];
            if words > 1 {
                choose(&[(first, all)], out);
                choose(&[(0, last)], out);
            } else {
                choose(&[(1.min(all), all)], out);
            }
            for g in [given_first, given_last, one_word].into_iter().flatten() {
                choose(&[(g + 1, g + 2), (g, g + 1)], out);
            }
        }
        if wanted[NamePart::Surname as usize] {
            let out = &mut keys[NamePart::Surname as usize];
            if words > 1 {
                choose(&[(0, first)], out);
                choose(&[(last, all)], out);
            } else {
                choose(&[(0, 1.min(all))], out);
                if all > 2 {
                    // A surname may be two syllables (남궁, Namgung).
                    choose(&[(0, 2)], out);
                }
            }
        }
    }
    keys
}

/// Whether record `index` lacks field `f`.
fn lacks(prepared: &Prepared, index: usize, f: usize) -> bool {
    matches!(prepared[index].get(f), None | Some(Ready::Missing))
}

/// A set of keys as one bit per key hash in a table of
/// [`BITS_PER_KEY`] bits per key (a power of two, at least 2^16):
/// one read tests a key, and a key let in by a shared bit (about one in
/// sixteen of those not in the set) only adds a block that pairs nothing.
/// Used for the keys some record holds freely, and for the keys some
/// record of a list holds.
struct KeyBits {
    bits: Vec<u64>,
    /// The key's top bits pick its bit: 64 less the table's power of two.
    shift: u32,
}

impl KeyBits {
    fn bit(&self, key: u64) -> usize {
        (key >> self.shift) as usize
    }

    /// The set of `keys`, of which there are about `count`.
    fn of(count: usize, keys: impl Iterator<Item = u64>) -> KeyBits {
        let size = (count * BITS_PER_KEY).next_power_of_two().max(1 << 16);
        let mut table = KeyBits {
            bits: vec![0u64; size / 64],
            shift: 64 - size.trailing_zeros(),
        };
        for key in keys {
            let bit = table.bit(key);
            table.bits[bit / 64] |= 1 << (bit % 64);
        }
        table
    }

    fn holds(&self, key: u64) -> bool {
        let bit = self.bit(key);
        self.bits[bit / 64] & (1 << (bit % 64)) != 0
    }
}

/// Linking two lists to each other, a key that records of one list alone
/// hold pairs nothing: its entries (key, rank) are dropped before the
/// sort. (Names' keys are already those names on the other list have,
/// see [`name_keys_of`]; with a rule's other parts, a birth year or a
/// place, most keys are still one list's alone.) The smaller list's keys
/// are set out first and the other list's entries kept that the set
/// holds; then the same the other way, with the few kept. A key let in by
/// a table's shared bit only keeps an entry that pairs nothing. Nothing
/// is dropped when there are more lists than two.
fn keep_across(entries: &mut Vec<(u64, u32)>, lists: &[u8]) {
    if lists.iter().any(|&l| l > 1) {
        return;
    }
    let list = |e: &(u64, u32)| lists[(e.1 & !BOUND) as usize];
    let ones = entries.iter().filter(|e| list(e) == 1).count();
    let small = u8::from(ones < entries.len() - ones);
    let of = |entries: &[(u64, u32)], wanted: u8| {
        let count = entries.iter().filter(|e| list(e) == wanted).count();
        KeyBits::of(
            count,
            entries.iter().filter(|e| list(e) == wanted).map(|e| e.0),
        )
    };
    let first = of(entries, small);
    entries.retain(|e| list(e) == small || first.holds(e.0));
    drop(first);
    let then = of(entries, 1 - small);
    entries.retain(|e| list(e) != small || then.holds(e.0));
}

/// The value of one field as a key, if it has one.
fn value_key(ready: Option<&Ready>) -> Option<u64> {
    Some(match ready? {
        Ready::Text(t) => hash_of([t.as_str()]),
        Ready::Name(forms) => hash_of([forms[0].squeezed()]),
        Ready::Range(low, high) => hash_of([low, high]),
        Ready::Number(n) | Ready::Event(n, _) => hash_of([n]),
        // A birth as a key is its day: records agree on it when born the
        // same day (a birth known only to its year has none).
        Ready::Birth(_, day, _) => hash_of([(*day)?]),
        Ready::Place(p) => hash_of(p),
        Ready::Missing => return None,
    })
}

/// One distinct name's keys of each [`NamePart`], sorted.
pub(crate) type PartKeys = [Box<[u64]>; 3];

/// Every record's name keys on one field (see [`NamePart`]), made once
/// for every rule that uses them, and once for each name written alike.
pub(crate) struct NameKeys {
    pub(crate) field: usize,
    /// Each record's place in `distinct` (`u32::MAX`: no name).
    pub(crate) slot: Vec<u32>,
    /// Each distinct name's keys of each part (none for parts no rule
    /// uses), sorted.
    pub(crate) distinct: Vec<PartKeys>,
    /// How many records hold each whole-name key: counted by the sort of
    /// a rule keyed on the whole name alone, if there is one.
    pub(crate) held: Option<Held>,
}

/// How many records hold each whole-name key that pairs could share.
pub(crate) struct Held {
    /// The keys some pair of records shares (as [`reading_key`] gives
    /// them), each with how many records hold it, sorted by key.
    pub(crate) shared: Vec<(u64, u32)>,
    /// How many pairs share those keys, summed over the keys.
    pub(crate) pairs: f64,
    /// The same, each key's pairs weighed by the records holding it.
    pub(crate) weighed: f64,
}

impl Held {
    /// From every key with how many records hold it and how many pairs
    /// of them the link compares, sorted by key.
    pub(crate) fn of(counts: impl Iterator<Item = (u64, (u32, f64))>) -> Held {
        let mut held = Held {
            shared: Vec::new(),
            pairs: 0.0,
            weighed: 0.0,
        };
        for (key, (n, pairs)) in counts {
            if pairs > 0.0 {
                held.shared.push((key, n));
                held.pairs += pairs;
                held.weighed += pairs * f64::from(n);
            }
        }
        held
    }
}

/// How many records hold a key (given each one's list, in any order;
/// sorted here), and how many pairs of them the link compares: those of
/// different lists when linking lists to each other, else all.
pub(crate) fn pairs_sharing(of_lists: &mut [u8], across: bool) -> (u32, f64) {
    let n = of_lists.len() as f64;
    let alike = if across {
        of_lists.sort_unstable();
        of_lists
            .chunk_by(|x, y| x == y)
            .map(|l| (l.len() as f64).powi(2))
            .sum::<f64>()
    } else {
        n
    };
    (of_lists.len() as u32, (n * n - alike) / 2.0)
}

/// A whole-name key as a rule keyed on the name's reading alone holds it
/// (see `keys`): how the counts of [`NameKeys::held`] are keyed.
pub(crate) fn reading_key(key: u64) -> u64 {
    mix(1, key)
}

impl NameKeys {
    fn of(&self, index: usize, part: NamePart) -> &[u64] {
        self.distinct
            .get(self.slot[index] as usize)
            .map_or(&[], |k| &k[part as usize])
    }
}

/// Every record's keys on name field `field` for the parts `wanted`;
/// `lists` (each record's list) when only pairs across lists are
/// compared, which leaves out the keys that no name on the other list
/// has (as [`keep_across`] leaves out a rule's entries).
pub(crate) fn name_keys_of(
    prepared: &Prepared,
    field: usize,
    wanted: [bool; 3],
    lists: Option<&[u8]>,
) -> NameKeys {
    let (slot, names) = crate::compare::name_slots(prepared, field);
    let common = Common::of(&names);
    let make = |forms: &[ParsedName], partial: &mut Partial| {
        let mut all: [Vec<u64>; 3] = Default::default();
        for form in forms {
            for (kind, keys) in all
                .iter_mut()
                .zip(name_keys(form, wanted, &common, partial))
            {
                kind.extend(keys);
            }
        }
        all.map(|mut keys| {
            keys.sort_unstable();
            keys.dedup();
            keys.into_boxed_slice()
        })
    };
    // Linking two lists: the lists each distinct name is on (bit 1 the
    // first, bit 2 the second).
    let on: Option<Vec<u8>> = lists
        .filter(|lists| lists.iter().all(|&l| l <= 1))
        .map(|lists| {
            let mut on = vec![0u8; names.len()];
            for (index, &s) in slot.iter().enumerate() {
                if let Some(o) = on.get_mut(s as usize) {
                    *o |= 1 << lists[index];
                }
            }
            on
        });
    let Some(on) = on else {
        let distinct = names
            .par_iter()
            .map(|forms| make(forms, &mut Partial::Keep))
            .collect();
        return NameKeys {
            field,
            slot,
            distinct,
            held: None,
        };
    };
    // A name's key that no name on the other list has pairs nothing under
    // any rule: most of a romanised name's readings are no name's on the
    // other list. The list with fewer names goes first: its names' keys
    // are made in full, every beginning of them recorded; the names only
    // on the other list then finish only the keys whose every beginning
    // is recorded; and the names only on the first list keep the keys
    // that names on the other list have. A name on both lists keeps every
    // key; a key let in by a table's shared bit only adds a block that
    // pairs nothing.
    let names_on = |bit: u8| on.iter().filter(|&&o| o & bit != 0).count();
    let (first, then) = if names_on(1) <= names_on(2) {
        (1, 2)
    } else {
        (2, 1)
    };
    let made: Vec<(PartKeys, Vec<u64>)> = names
        .par_iter()
        .zip(&on)
        .map(|(forms, &o)| {
            let mut begun = Vec::new();
            if o & first == 0 {
                return (Default::default(), begun);
            }
            (make(forms, &mut Partial::Record(&mut begun)), begun)
        })
        .collect();
    let count = made.iter().map(|(_, begun)| begun.len()).sum();
    let begun = KeyBits::of(count, made.iter().flat_map(|(_, b)| b.iter().copied()));
    let mut distinct: Vec<PartKeys> = made.into_iter().map(|(keys, _)| keys).collect();
    distinct
        .par_iter_mut()
        .zip(&names)
        .zip(&on)
        .filter(|&(_, &o)| o == then)
        .for_each(|((keys, forms), _)| *keys = make(forms, &mut Partial::Within(&begun)));
    drop(begun);
    for part in 0..3 {
        let of_then = || {
            distinct
                .iter()
                .zip(&on)
                .filter(|&(_, &o)| o & then != 0)
                .map(|(keys, _)| &keys[part])
        };
        let count = of_then().map(|keys| keys.len()).sum();
        let table = KeyBits::of(count, of_then().flatten().copied());
        distinct
            .par_iter_mut()
            .zip(&on)
            .filter(|&(_, &o)| o == first)
            .for_each(|(keys, _)| {
                keys[part] = keys[part]
                    .iter()
                    .filter(|&&k| table.holds(k))
                    .copied()
                    .collect();
            });
    }
    NameKeys {
        field,
        slot,
        distinct,
        held: None,
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
/// add a pair to compare). Made in `out`, with `next` for room (both
/// kept from record to record, so that no record allocates).
fn keys(
    prepared: &Prepared,
    names: &[NameKeys],
    index: usize,
    parts: &[Part],
    out: &mut Vec<Key>,
    next: &mut Vec<Key>,
) {
    out.clear();
    out.push((parts.len() as u64, true));
    for (p, part) in parts.iter().enumerate() {
        let mut one = [(0u64, true); 2];
        let found: &[Key] = match *part {
            Part::Prefix { field, chars } => match prepared[index].get(field) {
                Some(Ready::Text(t)) if !t.is_empty() => {
                    let end = t.char_indices().nth(chars).map_or(t.len(), |(at, _)| at);
                    one[0].0 = hash_of([p as u64, hash_of([&t[..end]])]);
                    &one[..1]
                }
                _ => &[],
            },
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
            // Keyed on the broadest part, pairs then kept only where one
            // place is within the other (see `Rule::nested`, and
            // `Rows::places_within`).
            Part::Within(f) => match prepared[index].get(f) {
                Some(Ready::Place(path)) if !path.is_empty() => {
                    one[0].0 = hash_of([p as u64, hash_of([path[0].as_str()])]);
                    &one[..1]
                }
                _ => &[],
            },
            // One key for all: pairing freely where the value is unknown,
            // and only with those where it is known.
            Part::Unknown(f) => {
                one[0] = (hash_of([p as i64, -1]), lacks(prepared, index, f));
                &one[..1]
            }
            Part::Reading(f) | Part::Sound(f) | Part::Surname(f) => {
                let keys = match (names.iter().find(|n| n.field == f), name_part(part)) {
                    (Some(n), Some(kind)) => n.of(index, kind),
                    _ => &[],
                };
                if keys.is_empty() {
                    out.clear();
                    return;
                }
                next.clear();
                for &(k, free) in out.iter() {
                    next.extend(keys.iter().map(|&f| (mix(k, f), free)));
                }
                std::mem::swap(out, next);
                continue;
            }
            // Numbers within a distance are swept (see `candidates`);
            // within none, they agree exactly.
            Part::Near { field, .. } => match prepared[index].get(field) {
                // A birth is near another by its year.
                Some(&(Ready::Number(n) | Ready::Birth(n, _, _) | Ready::Event(n, _))) => {
                    one[0].0 = hash_of([p as i64, i64::from(n)]);
                    &one[..1]
                }
                _ => &[],
            },
        };
        if found.is_empty() {
            out.clear();
            return;
        }
        next.clear();
        for &(k, free) in out.iter() {
            next.extend(found.iter().map(|&(f, also)| (mix(k, f), free && also)));
        }
        std::mem::swap(out, next);
    }
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
            | Part::Within(f)
            | Part::Reading(f)
            | Part::Sound(f)
            | Part::Near { field: f, .. } => Some(f),
            Part::Surname(_) | Part::Unknown(_) | Part::Prefix { .. } => None,
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

/// One blocking rule as the sweep over its blocks needs it.
struct Rule {
    /// Its bit among the rules that found a pair.
    bit: u32,
    /// How far apart the number it sweeps may be (none: no number).
    within: Option<i32>,
    /// Per record in id order: the number swept, `None` for a record
    /// without it, which the rule leaves out (empty when there is no
    /// number to sweep: every record is in, as 0).
    numbers: Vec<Option<i32>>,
    /// Place fields whose places must be the same or one within the
    /// other ([`Part::Within`]): checked as each pair is found.
    nested: Vec<usize>,
}

impl Rule {
    fn of(r: usize, parts: &[Part], prepared: &Prepared, order: &[u32]) -> Rule {
        // A number within a distance (born within a year, dated within
        // days) is found by sweeping the block in the number's order, not
        // by keys of its own.
        let near = parts.iter().find_map(|part| match *part {
            Part::Near { field, within } if within > 0 => Some((field, within)),
            _ => None,
        });
        let numbers = match near {
            None => Vec::new(),
            Some((field, _)) => order
                .par_iter()
                .map(|&index| match prepared[index as usize].get(field) {
                    // A birth is near another by its year.
                    Some(&(Ready::Number(n) | Ready::Birth(n, _, _) | Ready::Event(n, _))) => {
                        Some(n)
                    }
                    _ => None,
                })
                .collect(),
        };
        Rule {
            bit: 1u32 << r.min(31),
            within: near.map(|(_, within)| within),
            numbers,
            nested: parts
                .iter()
                .filter_map(|part| match *part {
                    Part::Within(f) => Some(f),
                    _ => None,
                })
                .collect(),
        }
    }

    fn number(&self, rank: usize) -> Option<i32> {
        match self.within {
            None => Some(0),
            Some(_) => self.numbers[rank],
        }
    }
}

/// Every pair of records that shares a key of any rule, each once, sorted
/// by position, with the rules that found it; and the name keys made on
/// the way (for term frequencies of readings).
pub(crate) fn candidates(
    records: &[Record],
    prepared: &Prepared,
    rows: &Rows,
    settings: &Settings,
    order: &[u32],
    diagnostics: &mut Vec<String>,
) -> (Vec<Candidate>, Vec<NameKeys>) {
    // `order`: records in the order of their ids, so that the pairs (and
    // a cut block's window) do not depend on the order records came in.
    let rules: Vec<Vec<Part>> = settings.blocking.iter().map(Blocking::parts).collect();
    // Name keys, once per field for every kind rules use.
    let mut wanted: Vec<(usize, [bool; 3])> = Vec::new();
    for part in rules.iter().flatten() {
        let (Part::Reading(field) | Part::Sound(field) | Part::Surname(field), Some(kind)) =
            (*part, name_part(part))
        else {
            continue;
        };
        match wanted.iter_mut().find(|(f, _)| *f == field) {
            Some((_, kinds)) => kinds[kind as usize] = true,
            None => {
                let mut kinds = [false; 3];
                kinds[kind as usize] = true;
                wanted.push((field, kinds));
            }
        }
    }
    let across: Option<Vec<u8>> = settings
        .across_lists_only
        .then(|| records.iter().map(|r| r.list).collect());
    let mut names_made: Vec<NameKeys> = wanted
        .into_iter()
        .map(|(field, kinds)| name_keys_of(prepared, field, kinds, across.as_deref()))
        .collect();
    // Whole-name keys counted, per name field, by the sort of a rule
    // keyed on the name alone.
    let mut held: Vec<(usize, Held)> = Vec::new();
    let names = &names_made;
    let mut pairs: Vec<Candidate> = Vec::new();
    let mut cut = 0usize;
    // Rules keyed alike (the same name read alike, swept by birth in one
    // and by date in another, say) share one sort of their keys.
    let mut groups: Vec<(Vec<Part>, Vec<Rule>)> = Vec::new();
    for (r, parts) in rules.iter().enumerate() {
        let rule = Rule::of(r, parts, prepared, order);
        let keyed: Vec<Part> = parts
            .iter()
            .filter(|part| !matches!(part, Part::Near { within, .. } if *within > 0))
            .copied()
            .collect();
        // A rule with a part unknown on one side keeps its keys to itself
        // (which of them pair freely depends on its numbers too).
        let alone = keyed.iter().any(|p| matches!(p, Part::Unknown(_)));
        match groups.iter_mut().find(|(k, _)| !alone && *k == keyed) {
            Some((_, members)) => members.push(rule),
            None => groups.push((keyed, vec![rule])),
        }
    }
    // Each record's list, by rank in id order (read in every sweep).
    let lists: Vec<u8> = order
        .par_iter()
        .map(|&index| records[index as usize].list)
        .collect();
    for (keyed, group) in &groups {
        // Keyed on a name alone, every named record's keys are sorted
        // (records without the rules' numbers pair with none): runs of a
        // key count the records holding it.
        let counting = match keyed[..] {
            [Part::Reading(f)] => Some(f),
            _ => None,
        };
        // Whether a record's keys are sorted: it has a number some rule of
        // the group sweeps, or the keys are being counted.
        let included = |rank: usize| {
            counting.is_some() || group.iter().any(|rule| rule.number(rank).is_some())
        };
        // A key that does not pair freely pairs only with records holding
        // it freely: when a rule has a part unknown on one side, the keys
        // of records knowing it are left out unless some record lacking it
        // holds them.
        let unknown: Vec<usize> = keyed
            .iter()
            .filter_map(|part| match *part {
                Part::Unknown(f) => Some(f),
                _ => None,
            })
            .collect();
        // The keys records lacking the field hold freely.
        let free: Option<Vec<u64>> = (!unknown.is_empty()).then(|| {
            order
                .par_iter()
                .enumerate()
                .filter(|&(rank, &index)| {
                    included(rank) && unknown.iter().all(|&f| lacks(prepared, index as usize, f))
                })
                .map_init(
                    || (Vec::new(), Vec::new()),
                    |(out, next), (_, &index)| {
                        keys(prepared, names, index as usize, keyed, out, next);
                        out.iter()
                            .filter_map(|&(key, free)| free.then_some(key))
                            .collect::<Vec<_>>()
                    },
                )
                .flatten_iter()
                .collect()
        });
        // No record lacks the field (every row has a place, say): a key
        // that does not pair freely pairs only with one that does, so the
        // rules pair nothing and their keys need not be made.
        if free.as_ref().is_some_and(Vec::is_empty) {
            continue;
        }
        let free_keys: Option<KeyBits> = free.map(|keys| KeyBits::of(keys.len(), keys.into_iter()));
        let kept = |key: u64, free: bool| free || free_keys.as_ref().is_none_or(|f| f.holds(key));
        // (key, rank in id order with the top bit set for a key that does
        // not pair freely): sorted, each block is a run of one key, free
        // members first.
        // (Collected as a parallel iterator collects, each thread's part
        // freed as it is moved in: the entries are the largest thing made.)
        let mut entries: Vec<(u64, u32)> = order
            .par_iter()
            .enumerate()
            .filter(|&(rank, _)| included(rank))
            .map_init(
                || (Vec::new(), Vec::new()),
                |(out, next), (rank, &index)| {
                    keys(prepared, names, index as usize, keyed, out, next);
                    out.iter()
                        .filter(|&&(key, free)| kept(key, free))
                        .map(|&(key, free)| (key, rank as u32 | (u32::from(!free) << 31)))
                        .collect::<Vec<_>>()
                },
            )
            .flatten_iter()
            .collect();
        drop(free_keys);
        if settings.across_lists_only {
            keep_across(&mut entries, &lists);
        }
        entries.par_sort_unstable();
        entries.dedup();
        if let Some(f) = counting {
            // Each key's records, by list (a record holds a key once).
            let mut of_lists = Vec::new();
            let runs = entries.chunk_by(|x, y| x.0 == y.0).map(|run| {
                of_lists.clear();
                of_lists.extend(run.iter().map(|&(_, x)| lists[(x & !BOUND) as usize]));
                (
                    run[0].0,
                    pairs_sharing(&mut of_lists, settings.across_lists_only),
                )
            });
            held.push((f, Held::of(runs)));
        }
        // Blocks of one record pair nothing (most keys are such).
        let blocks: Vec<&[(u64, u32)]> = entries
            .chunk_by(|x, y| x.0 == y.0)
            .filter(|members| members.len() > 1)
            .collect();
        let pair = |x: u32, y: u32, rule: &Rule| {
            let (x, y) = ((x & !BOUND) as usize, (y & !BOUND) as usize);
            let apart = x == y || settings.across_lists_only && lists[x] == lists[y];
            let (a, b) = (order[x], order[y]);
            let nested = rule.nested.iter().all(|&f| {
                rows.places_within(prepared, &settings.fields, f, a as usize, b as usize)
            });
            (!apart && nested).then_some(Candidate {
                a: a.min(b),
                b: a.max(b),
                rules: rule.bit,
            })
        };
        let (found, too_large) = blocks
            .par_iter()
            .fold(
                || (Vec::new(), 0usize, Vec::new()),
                |(mut found, mut too_large, mut members), block| {
                    for rule in group {
                        // The block's members this rule pairs, in the
                        // order of the number it sweeps, free ones first.
                        members.clear();
                        members.extend(block.iter().filter_map(|&(_, x)| {
                            rule.number((x & !BOUND) as usize).map(|n| (n, x))
                        }));
                        if members.len() < 2 {
                            continue;
                        }
                        members.sort_unstable();
                        too_large += usize::from(members.len() > LARGEST_BLOCK);
                        members.truncate(LARGEST_BLOCK);
                        // Without a number to sweep, a member that does not
                        // pair freely pairs only with the free members
                        // before it; with one, members pair while their
                        // numbers are near, unless neither pairs freely.
                        let starts = if rule.within.is_some() {
                            members.len()
                        } else {
                            members.iter().take_while(|m| m.1 < BOUND).count()
                        };
                        let within = i64::from(rule.within.unwrap_or(0));
                        for (i, &(low, x)) in members[..starts].iter().enumerate() {
                            found.extend(
                                members[i + 1..]
                                    .iter()
                                    .take_while(|m| i64::from(m.0) - i64::from(low) <= within)
                                    .filter(|m| x < BOUND || m.1 < BOUND)
                                    .filter_map(|m| pair(x, m.1, rule)),
                            );
                        }
                    }
                    (found, too_large, members)
                },
            )
            .map(|(found, too_large, _)| (found, too_large))
            .reduce(
                || (Vec::new(), 0),
                |(mut x, a), (y, b)| {
                    x.extend(y);
                    (x, a + b)
                },
            );
        cut += too_large;
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
            "{cut} blocks had more than {LARGEST_BLOCK} records and were compared only among {LARGEST_BLOCK} of them: add a tighter blocking rule"
        ));
    }
    for (f, counts) in held {
        if let Some(n) = names_made.iter_mut().find(|n| n.field == f) {
            n.held = Some(counts);
        }
    }
    (pairs, names_made)
}

#[cfg(test)]
mod tests {
    use super::{KeyBits, MOST_KEYS, Partial, spellings};

    /// A name read many more ways than one name gives keys (pinyin, say)
    /// gives none on its own, but where only the ways another list's names
    /// begin with are kept, it keeps those, counted once pruned.
    #[test]
    fn keys_pruned_by_another_list_are_counted_once_pruned() {
        // Three positions of eight sound classes each: 512 ways.
        let classes: Vec<Vec<u32>> = (0..3)
            .map(|p| (0..8).map(|c| p * 100 + c).collect())
            .collect();
        let many: Vec<&[u32]> = classes.iter().map(Vec::as_slice).collect();
        let mut out = Vec::new();
        spellings(&many, &mut out, &mut Partial::Keep);
        assert!(out.is_empty());
        // The other list's one name, read one of those ways.
        let one: Vec<&[u32]> = vec![&[1], &[102], &[203]];
        let mut its_key = Vec::new();
        spellings(&one, &mut its_key, &mut Partial::Keep);
        let mut begun = Vec::new();
        spellings(&one, &mut Vec::new(), &mut Partial::Record(&mut begun));
        let table = KeyBits::of(begun.len(), begun.iter().copied());
        let mut kept = Vec::new();
        spellings(&many, &mut kept, &mut Partial::Within(&table));
        assert!(kept.contains(&its_key[0]), "{kept:?}");
        assert!(kept.len() <= MOST_KEYS);
        // A table of every way keeps them all, too many to key on: none.
        let mut begun_all = Vec::new();
        for first in &classes[0] {
            for second in &classes[1] {
                let way: Vec<&[u32]> = vec![
                    std::slice::from_ref(first),
                    std::slice::from_ref(second),
                    &classes[2],
                ];
                spellings(&way, &mut Vec::new(), &mut Partial::Record(&mut begun_all));
            }
        }
        let table = KeyBits::of(begun_all.len(), begun_all.iter().copied());
        let mut flood = Vec::new();
        spellings(&many, &mut flood, &mut Partial::Within(&table));
        assert!(flood.is_empty(), "{} keys", flood.len());
    }
}
