//! Candidate pairs from blocking rules.

use std::hash::{DefaultHasher, Hash, Hasher};

use rayon::prelude::*;

use crate::compare::{Prepared, Ready, name_keys};
use crate::{Blocking, Record, Settings};

/// A block larger than this is compared only within its first records'
/// window, and reported: a key shared by thousands says little.
pub(crate) const LARGEST_BLOCK: usize = 2_000;

/// A hash of some parts, in order.
fn hash_of(parts: impl IntoIterator<Item = impl Hash>) -> u64 {
    let mut h = DefaultHasher::new();
    for part in parts {
        part.hash(&mut h);
    }
    h.finish()
}

/// The value of one field as a key, if it has one.
fn value_key(ready: Option<&Ready>) -> Option<u64> {
    Some(match ready? {
        Ready::Text(t) => hash_of([t.as_str()]),
        Ready::Name(forms) => hash_of([forms[0].squeezed()]),
        Ready::Range(low, high) => hash_of([low, high]),
        Ready::Number(n) => hash_of([n]),
        Ready::Place(p) => hash_of(p),
        Ready::Missing => return None,
    })
}

/// The keys one record has under one rule, hashed: records whose keys
/// hash alike share a block (two different keys hashing alike, a chance
/// of one in 2^64, only adds pairs to compare).
fn keys(prepared: &Prepared, index: usize, rule: &Blocking) -> Vec<u64> {
    let same = |fields: &[usize]| -> Option<u64> {
        let parts: Option<Vec<u64>> = fields
            .iter()
            .map(|&f| value_key(prepared[index].get(f)))
            .collect();
        parts.map(hash_of)
    };
    match rule {
        Blocking::Same(fields) => same(fields).into_iter().collect(),
        Blocking::NameReading(f) => match prepared[index].get(*f) {
            Some(Ready::Name(forms)) => {
                let mut all = std::collections::BTreeSet::new();
                for form in forms {
                    all.extend(name_keys(form, true));
                }
                all.into_iter().collect()
            }
            _ => Vec::new(),
        },
        Blocking::Near {
            field,
            within,
            also,
        } => {
            let Some(Ready::Number(n)) = prepared[index].get(*field) else {
                return Vec::new();
            };
            let Some(rest) = same(also) else {
                return Vec::new();
            };
            let width = i64::from((*within).max(1)) * 2;
            let n = i64::from(*n);
            vec![
                hash_of([0, n.div_euclid(width), rest as i64]),
                hash_of([1, (n + width / 2).div_euclid(width), rest as i64]),
            ]
        }
        Blocking::NameSound(f, others) => {
            let Some(rest) = same(others) else {
                return Vec::new();
            };
            match prepared[index].get(*f) {
                Some(Ready::Name(forms)) => {
                    let mut all = std::collections::BTreeSet::new();
                    for form in forms {
                        all.extend(name_keys(form, false));
                    }
                    all.into_iter().map(|k| hash_of([k, rest])).collect()
                }
                _ => Vec::new(),
            }
        }
    }
}

/// The fields a rule blocks on.
pub(crate) fn fields_of(rule: &Blocking) -> Vec<usize> {
    match rule {
        Blocking::Same(fields) => fields.clone(),
        Blocking::NameReading(f) => vec![*f],
        Blocking::Near { field, also, .. } => std::iter::once(*field)
            .chain(also.iter().copied())
            .collect(),
        Blocking::NameSound(f, others) => {
            std::iter::once(*f).chain(others.iter().copied()).collect()
        }
    }
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
    diagnostics: &mut Vec<String>,
) -> Vec<Candidate> {
    // Records in the order of their ids, so that the pairs (and a cut
    // block's window) do not depend on the order records came in.
    let mut order: Vec<u32> = (0..records.len() as u32).collect();
    order.par_sort_by(|&a, &b| records[a as usize].id.cmp(&records[b as usize].id));
    let mut pairs: Vec<Candidate> = Vec::new();
    let mut cut = 0usize;
    for (r, rule) in settings.blocking.iter().enumerate() {
        let bit = 1u32 << r.min(31);
        // (key, rank in id order): sorted, each block is a run of one key
        // with its members in id order.
        let mut entries: Vec<(u64, u32)> = order
            .par_iter()
            .enumerate()
            .flat_map_iter(|(rank, &index)| {
                keys(prepared, index as usize, rule)
                    .into_iter()
                    .map(move |key| (key, rank as u32))
            })
            .collect();
        entries.par_sort_unstable();
        entries.dedup();
        let blocks: Vec<&[(u64, u32)]> = entries.chunk_by(|x, y| x.0 == y.0).collect();
        cut += blocks.iter().filter(|b| b.len() > LARGEST_BLOCK).count();
        let order = &order;
        let found: Vec<Candidate> = blocks
            .par_iter()
            .filter(|members| members.len() > 1)
            .flat_map_iter(|members| {
                let members = &members[..members.len().min(LARGEST_BLOCK)];
                members.iter().enumerate().flat_map(move |(i, &(_, x))| {
                    let a = order[x as usize];
                    members[i + 1..].iter().filter_map(move |&(_, y)| {
                        let b = order[y as usize];
                        let apart = settings.across_lists_only
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
