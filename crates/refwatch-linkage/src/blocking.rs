//! Candidate pairs from blocking rules.

use std::collections::HashMap;

use crate::compare::{Prepared, Ready, name_keys};
use crate::{Blocking, Record, Settings};

/// A block larger than this is compared only within its first records'
/// window, and reported: a key shared by thousands says little.
pub(crate) const LARGEST_BLOCK: usize = 2_000;

/// The keys one record has under one rule.
fn keys(prepared: &Prepared, index: usize, rule: &Blocking) -> Vec<String> {
    match rule {
        Blocking::Same(fields) => {
            let mut key = String::new();
            for &f in fields {
                let part = match prepared[index].get(f) {
                    Some(Ready::Text(t)) => t.clone(),
                    Some(Ready::Name(forms)) => forms[0].squeezed().to_owned(),
                    Some(Ready::Range(low, high)) => format!("{low}-{high}"),
                    Some(Ready::Number(n)) => n.to_string(),
                    Some(Ready::Place(p)) => p.join("/"),
                    _ => return Vec::new(),
                };
                key.push_str(&part);
                key.push('\u{1f}');
            }
            vec![key]
        }
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
            let rest = if also.is_empty() {
                String::new()
            } else {
                match keys(prepared, index, &Blocking::Same(also.clone())).pop() {
                    Some(rest) => rest,
                    None => return Vec::new(),
                }
            };
            let width = i64::from((*within).max(1)) * 2;
            let n = i64::from(*n);
            vec![
                format!("a{}\u{1f}{rest}", n.div_euclid(width)),
                format!("b{}\u{1f}{rest}", (n + width / 2).div_euclid(width)),
            ]
        }
        Blocking::NameSound(f, others) => {
            let rest = keys(prepared, index, &Blocking::Same(others.clone()));
            let Some(rest) = rest.first() else {
                return Vec::new();
            };
            match prepared[index].get(*f) {
                Some(Ready::Name(forms)) => {
                    let mut all = std::collections::BTreeSet::new();
                    for form in forms {
                        all.extend(name_keys(form, false));
                    }
                    all.into_iter()
                        .map(|k| format!("{k}\u{1f}{rest}"))
                        .collect()
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

/// Every pair of records that shares a key of any rule, each once, as
/// (smaller index, larger index), sorted, with the rules that found it
/// (bit r for rule r).
pub(crate) fn candidates(
    records: &[Record],
    prepared: &Prepared,
    settings: &Settings,
    diagnostics: &mut Vec<String>,
) -> Vec<((usize, usize), u32)> {
    // Records in the order of their ids, so that the pairs (and a cut
    // block's window) do not depend on the order records came in.
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by(|&a, &b| records[a].id.cmp(&records[b].id));
    let mut pairs: Vec<((usize, usize), u32)> = Vec::new();
    let mut cut = 0usize;
    for (r, rule) in settings.blocking.iter().enumerate() {
        let bit = 1u32 << r.min(31);
        let mut blocks: HashMap<String, Vec<usize>> = HashMap::new();
        for &index in &order {
            for key in keys(prepared, index, rule) {
                blocks.entry(key).or_default().push(index);
            }
        }
        for members in blocks.values() {
            if members.len() > LARGEST_BLOCK {
                cut += 1;
            }
            let members = &members[..members.len().min(LARGEST_BLOCK)];
            for (i, &a) in members.iter().enumerate() {
                for &b in &members[i + 1..] {
                    if a == b || (settings.across_lists_only && records[a].list == records[b].list)
                    {
                        continue;
                    }
                    pairs.push(((a.min(b), a.max(b)), bit));
                }
            }
        }
    }
    // One entry per pair, with every rule that found it.
    pairs.sort_unstable();
    pairs.dedup_by(|later, kept| {
        if later.0 == kept.0 {
            kept.1 |= later.1;
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
