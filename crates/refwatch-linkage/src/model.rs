//! The Fellegi–Sunter model: `u` from random pairs, `m` and the share of
//! matches by expectation–maximisation, term frequencies for common values.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::compare::{self, Levels, Prepared};
use crate::{Record, ScoredPair, Settings};

/// Probabilities are kept inside (FLOOR, 1 - FLOOR) so that no level makes
/// a pair certain or impossible on its own.
const FLOOR: f64 = 1e-9;

/// The share of true pairs the "agree closely on every field" rule is
/// taken to find, for the prior.
const CLOSE_RULE_RECALL: f64 = 0.8;

/// The fitted model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The share of candidate pairs that are matches.
    pub lambda: f64,
    /// Per field, per level: how often the level occurs between records of
    /// the same person.
    pub m: Vec<Vec<f64>>,
    /// Per field, per level: how often between records of different people.
    pub u: Vec<Vec<f64>>,
    /// Per field with term frequencies: each record's term and how common
    /// each term is.
    terms: Vec<Option<Terms>>,
    /// Per name field with term frequencies: how common each reading is,
    /// for names that read the same in different scripts.
    readings: Vec<Option<Readings>>,
    /// Rounds of expectation–maximisation run.
    pub rounds: usize,
    /// The prior's weight: log2 of the odds of a match.
    prior: f64,
    /// Per field, per level: log2 m/u.
    weights: Vec<Vec<f64>>,
    /// Pairs there could be: the prior is a share of these.
    possible: f64,
}

/// One field's terms: each record's (an index into `weight`, or `NO_TERM`)
/// and each term's weight when two records agree on it.
#[derive(Debug, Clone, PartialEq)]
struct Terms {
    of_record: Vec<u32>,
    /// log2 of m over the term's share of the records that have one: made
    /// once per term, not for every pair.
    weight: Vec<f64>,
}

const NO_TERM: u32 = u32::MAX;

/// One name field's readings (as blocking keys: the sound classes of all
/// its syllables) and how common each is: 김영수, "Kim Yong-su" and
/// 金英洙 share one, so the commonness of a name carries across scripts.
#[derive(Clone, PartialEq)]
pub(crate) struct Readings {
    /// Each record's place in `keys` (`u32::MAX`: no name).
    slot: Vec<u32>,
    /// Each distinct name's reading keys, sorted, each with how many
    /// records hold it if some pair the link compares shares it (as
    /// [`crate::blocking::reading_key`] gives it), else 1: counted once
    /// per name, not looked up again for every pair.
    keys: Vec<Box<[(u64, u32)]>>,
    /// How many keys some pair the link compares shares.
    shared_keys: usize,
    /// Per record whose name is written in Hangul, the share of such
    /// records writing it alike (0 for others): a finer measure of how
    /// common a name is than its reading's sound classes, which many
    /// names share (정순옥, 종순옥, 청순억).
    hangul: Vec<f32>,
    /// Records with a name.
    named: f64,
    /// The share of the reading that two records the link compares share
    /// when they read alike, on average over such pairs: a reading this
    /// common weighs what the level weighs.
    typical: f64,
}

/// Redacted: the keys are hashes of the names' sounds, which a list of
/// names could be matched against.
impl std::fmt::Debug for Readings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Readings(<redacted>, {} names, {} shared readings)",
            self.keys.len(),
            self.shared_keys
        )
    }
}

impl Readings {
    /// `lists`: each record's list, when only pairs across lists are
    /// compared.
    pub(crate) fn of(
        prepared: &Prepared,
        f: usize,
        made: Option<crate::blocking::NameKeys>,
        lists: Option<&[u8]>,
    ) -> Readings {
        let names = made.unwrap_or_else(|| {
            crate::blocking::name_keys_of(prepared, f, [true, false, false], lists)
        });
        // Each key with the records having it: as blocking counted them,
        // or summed over the names.
        let held = match names.held {
            Some(held) => held,
            None => {
                // (key, list) of every named record's every key.
                let mut keyed: Vec<(u64, u8)> = names
                    .slot
                    .par_iter()
                    .enumerate()
                    .filter_map(|(index, &s)| {
                        let keys = names.distinct.get(s as usize)?;
                        let list = lists.map_or(0, |l| l[index]);
                        Some(
                            keys[0]
                                .iter()
                                .map(move |&k| (crate::blocking::reading_key(k), list)),
                        )
                    })
                    .flatten_iter()
                    .collect();
                keyed.par_sort_unstable();
                let mut of_lists = Vec::new();
                let runs = keyed.chunk_by(|x, y| x.0 == y.0).map(|run| {
                    of_lists.clear();
                    of_lists.extend(run.iter().map(|&(_, list)| list));
                    (
                        run[0].0,
                        crate::blocking::pairs_sharing(&mut of_lists, lists.is_some()),
                    )
                });
                crate::blocking::Held::of(runs)
            }
        };
        let named = names
            .slot
            .iter()
            .filter(|&&s| (s as usize) < names.distinct.len())
            .count();
        let counts = &held.shared;
        let keys: Vec<Box<[(u64, u32)]>> = names
            .distinct
            .into_par_iter()
            .map(|[whole, _, _]| {
                whole
                    .iter()
                    .map(|&k| {
                        let n = counts
                            .binary_search_by_key(&crate::blocking::reading_key(k), |&(key, _)| key)
                            // A key not kept is one record's alone.
                            .map_or(1, |at| counts[at].1);
                        (k, n)
                    })
                    .collect()
            })
            .collect();
        let named = named.max(1) as f64;
        Readings {
            hangul: hangul_shares(prepared, f),
            slot: names.slot,
            keys,
            shared_keys: counts.len(),
            named,
            // The share of the reading two records that the link compares
            // and that read alike share, on average over such pairs.
            typical: if held.pairs > 0.0 {
                held.weighed / held.pairs / named
            } else {
                1.0
            },
        }
    }

    /// The share of the reading that two records the link compares share
    /// when they read alike, on average.
    #[cfg(test)]
    pub(crate) fn typical(&self) -> f64 {
        self.typical
    }

    /// The share of named records reading as these two do: of the
    /// readings they share, the commonest (the more cautious weight).
    fn shared(&self, a: usize, b: usize) -> Option<f64> {
        let (x, y) = (
            self.keys.get(self.slot[a] as usize)?,
            self.keys.get(self.slot[b] as usize)?,
        );
        let (mut i, mut j, mut most) = (0, 0, None::<u32>);
        while i < x.len() && j < y.len() {
            match x[i].0.cmp(&y[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    let n = x[i].1;
                    most = Some(most.map_or(n, |m| m.max(n)));
                    i += 1;
                    j += 1;
                }
            }
        }
        let keyed = f64::from(most?) / self.named;
        // Where a name is written in Hangul, how common it is as written
        // (the more common of the two where both are).
        let written = f64::from(self.hangul[a].max(self.hangul[b]));
        Some(if written > 0.0 {
            keyed.min(written)
        } else {
            keyed
        })
    }
}

/// Each record's share of the records whose name on field `f` is written
/// in Hangul that write it alike (0 where the name is not in Hangul).
fn hangul_shares(prepared: &Prepared, f: usize) -> Vec<f32> {
    fn hangul(r: &[crate::compare::Ready], f: usize) -> Option<&str> {
        match r.get(f) {
            Some(crate::compare::Ready::Name(forms)) => forms
                .first()
                .map(refwatch_names::ParsedName::squeezed)
                .filter(|t| !t.is_empty() && t.chars().all(|c| ('가'..='힣').contains(&c))),
            _ => None,
        }
    }
    let mut counts: crate::Fast<&str, u32> = crate::Fast::default();
    for r in prepared {
        if let Some(t) = hangul(r, f) {
            *counts.entry(t).or_default() += 1;
        }
    }
    let total = counts.values().map(|&n| f64::from(n)).sum::<f64>().max(1.0);
    prepared
        .iter()
        .map(|r| hangul(r, f).map_or(0.0, |t| (f64::from(counts[t]) / total) as f32))
        .collect()
}

/// A small seeded generator (SplitMix64): enough to draw random pairs.
struct Draws(u64);

impl Draws {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn clamp(p: f64) -> f64 {
    p.clamp(FLOOR, 1.0 - FLOOR)
}

/// A field's level probabilities as the model uses them. A place compared
/// by stage ([`crate::Compare::PlaceByStage`]) has two sets of levels,
/// one for events of one stage and one for the other stage of an episode:
/// each set sums to one, so that the place says only how likely its level
/// is given the stages, and the events' field alone says how likely the
/// stages are.
fn conditioned(field: &crate::Field, levels: &mut [f64]) {
    if let crate::Compare::PlaceByStage { .. } = field.compare {
        let half = levels.len() / 2;
        for part in levels.chunks_mut(half) {
            let sum: f64 = part.iter().sum();
            if sum > 0.0 {
                part.iter_mut().for_each(|x| *x = clamp(*x / sum));
            }
        }
    }
}

/// A kind of candidate pair the model is fitted to: its comparison
/// levels, the blocking rules that found it (bit r for rule r; none for a
/// pair compared only because it was decided) and its decision, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Pattern {
    pub(crate) levels: Levels,
    pub(crate) rules: u32,
    pub(crate) label: Option<bool>,
}

/// Fits the model to the candidate pairs, given as how many pairs there
/// are of each pattern.
pub(crate) fn fit(
    records: &[Record],
    prepared: &Prepared,
    mut name_keys: Vec<crate::blocking::NameKeys>,
    settings: &Settings,
    by_id: &[u32],
    patterns: &[(Pattern, f64)],
    diagnostics: &mut Vec<String>,
) -> Model {
    let fields = &settings.fields;
    let n = fields.len();
    // u: level frequencies between random pairs, drawn from the records
    // in the order of their ids so that the draws do not depend on the
    // order records came in.
    let mut u_counts: Vec<Vec<f64>> = fields
        .iter()
        .map(|f| vec![1.0; f.compare.level_count()])
        .collect();
    if records.len() > 1 {
        let mut draws = Draws(settings.seed);
        // Ten random pairs per record are plenty for small lists (at least
        // 50,000 in all); never more than the settings allow.
        let draws_wanted = settings.u_sample.min((records.len() * 10).max(50_000));
        // The pairs are drawn in order (the same pairs on any machine),
        // then compared on every core.
        let drawn: Vec<(usize, usize)> = (0..draws_wanted)
            .map(|_| {
                (
                    by_id[draws.below(by_id.len())] as usize,
                    by_id[draws.below(by_id.len())] as usize,
                )
            })
            .filter(|&(a, b)| {
                a != b && !(settings.across_lists_only && records[a].list == records[b].list)
            })
            .collect();
        let compared: Vec<Levels> = drawn
            .par_iter()
            .map(|&(a, b)| compare::packed(prepared, fields, a, b))
            .collect();
        for levels in compared {
            for (f, level) in levels.iter(n).enumerate() {
                if let Some(l) = level {
                    u_counts[f][usize::from(l)] += 1.0;
                }
            }
        }
    }
    let u: Vec<Vec<f64>> = u_counts
        .iter()
        .zip(fields)
        .map(|(c, field)| {
            let total: f64 = c.iter().sum();
            let mut u: Vec<f64> = c.iter().map(|x| clamp(x / total)).collect();
            conditioned(field, &mut u);
            u
        })
        .collect();

    // m, as Splink trains it: one expectation–maximisation per blocking
    // rule, on the pairs that rule found, leaving out the fields the rule
    // blocks on (there every pair agrees, matches or not, so they would
    // teach nothing true); each field's m is the mean of what the rules
    // that do not block on it, and find pairs that both have it, learned.
    let mut learned: Vec<Vec<Vec<f64>>> = vec![Vec::new(); fields.len()];
    let mut rounds = 0;
    for (r, rule) in settings.blocking.iter().enumerate() {
        let blocked = crate::blocking::fields_of(rule);
        let mut found: HashMap<(Levels, Option<bool>), f64> = HashMap::new();
        for (p, count) in patterns.iter().filter(|(p, _)| p.rules & (1 << r) != 0) {
            let levels = blocked
                .iter()
                .fold(p.levels, |levels, &f| levels.with(f, None));
            *found.entry((levels, p.label)).or_default() += count;
        }
        if found.is_empty() {
            continue;
        }
        let found: Vec<_> = found.into_iter().collect();
        // A field no pair of this rule has on both sides (a birth, where
        // the rule pairs records one of which has none) teaches nothing
        // here: its m would be only where EM started.
        let seen: Vec<bool> = (0..n)
            .map(|f| found.iter().any(|((levels, _), _)| levels.get(f).is_some()))
            .collect();
        let (m, _, rounds_run) = em(fields, &u, found, settings.em_rounds);
        rounds = rounds.max(rounds_run);
        for (f, levels) in m.into_iter().enumerate() {
            if !blocked.contains(&f) && seen[f] {
                learned[f].push(levels);
            }
        }
    }
    let fallback = if learned.iter().any(Vec::is_empty) && !patterns.is_empty() {
        let all = patterns
            .iter()
            .map(|(p, count)| ((p.levels, p.label), *count))
            .collect();
        Some(em(fields, &u, all, settings.em_rounds).0)
    } else {
        None
    };
    let m: Vec<Vec<f64>> = learned
        .iter()
        .enumerate()
        .map(|(f, from)| {
            if from.is_empty() {
                return fallback.as_ref().map_or_else(
                    || vec![1.0 / u[f].len() as f64; u[f].len()],
                    |m| m[f].clone(),
                );
            }
            let mut m: Vec<f64> = (0..u[f].len())
                .map(|l| clamp(from.iter().map(|m| m[l]).sum::<f64>() / from.len() as f64))
                .collect();
            conditioned(&fields[f], &mut m);
            m
        })
        .collect();
    // The prior: how likely two records drawn at random are the same
    // person, as Splink estimates it: the pairs that agree closely on every
    // field they have, over every pair there could be, allowing for the
    // close rule missing a share of the true pairs. (The share of matches
    // among candidate pairs would overstate it: blocking makes every
    // candidate agree on something, matches or not.)
    let close: f64 = patterns
        .iter()
        .filter(|(p, _)| {
            p.levels.iter(n).filter(Option::is_some).count() >= 2
                && p.levels.iter(n).all(|l| l.is_none_or(|l| l <= 1))
        })
        .map(|(_, count)| count)
        .sum();
    let possible = if settings.across_lists_only {
        let first = records.iter().filter(|r| r.list == 0).count() as f64;
        first * (records.len() as f64 - first)
    } else {
        let n = records.len() as f64;
        n * (n - 1.0) / 2.0
    };
    let lambda =
        clamp((close / CLOSE_RULE_RECALL / possible.max(1.0)).max(1.0 / possible.max(2.0)));
    if rounds == settings.em_rounds {
        diagnostics.push(format!(
            "the model had not settled after {rounds} rounds; its weights may be rough: allow more rounds (em_rounds in a link csv configuration)"
        ));
    }
    for (f, field) in fields.iter().enumerate() {
        if patterns.iter().all(|(p, _)| p.levels.get(f).is_none()) {
            if !patterns.is_empty() {
                diagnostics.push(format!(
                    "field {}: no candidate pair has a value on both sides; it plays no part",
                    field.name
                ));
            }
            continue;
        }
        // Agreement: the first level of a same/different comparison, the
        // first two (identical or nearly) of a graded one.
        let agreeing = if m[f].len() > 2 { 2 } else { 1 };
        let (m_agree, u_agree): (f64, f64) =
            (m[f][..agreeing].iter().sum(), u[f][..agreeing].iter().sum());
        if m_agree <= u_agree {
            diagnostics.push(format!(
                "field {}: agreement is no more common among matches than among other pairs; it does not help here",
                field.name
            ));
        }
    }
    // Each field's terms on a core of its own, while the readings are
    // counted.
    let (terms, readings) = rayon::join(
        || {
            fields
                .par_iter()
                .enumerate()
                .map(|(f, field)| field.term_frequency.then(|| terms_of(prepared, f, m[f][0])))
                .collect()
        },
        || {
            fields
                .iter()
                .enumerate()
                .map(|(f, field)| {
                    let counted =
                        field.term_frequency && matches!(field.compare, crate::Compare::Name);
                    counted.then(|| {
                        // The keys blocking made, if it made whole names' keys.
                        let made = name_keys
                            .iter()
                            .position(|n| {
                                n.field == f && n.distinct.iter().any(|k| !k[0].is_empty())
                            })
                            .map(|at| name_keys.swap_remove(at));
                        let lists: Option<Vec<u8>> = settings
                            .across_lists_only
                            .then(|| records.iter().map(|r| r.list).collect());
                        Readings::of(prepared, f, made, lists.as_deref())
                    })
                })
                .collect()
        },
    );
    let weights = m
        .iter()
        .zip(&u)
        .map(|(m, u)| m.iter().zip(u).map(|(m, u)| (m / u).log2()).collect())
        .collect();
    Model {
        prior: (lambda / (1.0 - lambda)).log2(),
        lambda,
        m,
        u,
        terms,
        readings,
        rounds,
        weights,
        possible,
    }
}

/// Each record's term for field `f`, and each term's weight given `m`,
/// how often matches agree exactly on the field.
fn terms_of(prepared: &Prepared, f: usize, m: f64) -> Terms {
    let mut ids: crate::Fast<&str, u32> = crate::Fast::default();
    let mut counts: Vec<f64> = Vec::new();
    let of_record = prepared
        .iter()
        .map(|r| match r[f].term() {
            Some(term) => {
                let id = *ids.entry(term).or_insert_with(|| {
                    counts.push(0.0);
                    (counts.len() - 1) as u32
                });
                counts[id as usize] += 1.0;
                id
            }
            None => NO_TERM,
        })
        .collect();
    let total: f64 = counts.iter().sum();
    Terms {
        of_record,
        weight: counts
            .into_iter()
            .map(|c| (m / clamp(c / total)).log2())
            .collect(),
    }
}

/// Expectation–maximisation of m and the share of matches, with u fixed.
/// A decided pair's side is known: it counts wholly as a match or wholly
/// as not one in every round. Returns m, the share and the rounds run.
fn em(
    fields: &[crate::Field],
    u: &[Vec<f64>],
    patterns: Vec<((Levels, Option<bool>), f64)>,
    most_rounds: usize,
) -> (Vec<Vec<f64>>, f64, usize) {
    /// A pattern's levels field by field, its decision and how many pairs.
    type Counted = ((Vec<Option<u8>>, Option<bool>), f64);
    let n = fields.len();
    let mut patterns: Vec<Counted> = patterns
        .into_iter()
        .map(|((levels, label), count)| ((levels.iter(n).collect(), label), count))
        .collect();
    // A fixed order, so that sums come out the same on every run.
    patterns.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    // Starting point: the pairs that agree closely on every field they
    // have (two fields at least, or the one there is) are taken for
    // matches. EM started from "everything equally likely" can settle on
    // the wrong story.
    let usable = fields.len().min(2);
    let close = |v: &[Option<u8>]| {
        let present = v.iter().filter(|l| l.is_some()).count();
        present >= usable.max(1) && v.iter().all(|l| l.is_none_or(|l| l <= 1))
    };
    let mut m: Vec<Vec<f64>> = fields
        .iter()
        .map(|f| vec![1.0; f.compare.level_count()])
        .collect();
    let (mut sure, mut total) = (0.0, 0.0);
    for ((v, label), count) in &patterns {
        total += count;
        if label.unwrap_or_else(|| close(v)) {
            sure += count;
            for (f, level) in v.iter().enumerate() {
                if let Some(l) = level {
                    m[f][usize::from(*l)] += count;
                }
            }
        }
    }
    for (levels, field) in m.iter_mut().zip(fields) {
        let sum: f64 = levels.iter().sum();
        levels.iter_mut().for_each(|x| *x = clamp(*x / sum));
        conditioned(field, levels);
    }
    let mut lambda = clamp(if total > 0.0 { sure / total } else { 0.01 }).max(1e-4);
    let mut rounds = 0;
    for round in 1..=most_rounds {
        rounds = round;
        let mut match_total = 0.0;
        let mut m_counts: Vec<Vec<f64>> = m.iter().map(|l| vec![0.0; l.len()]).collect();
        for ((v, label), count) in &patterns {
            let p = match label {
                Some(same) => f64::from(u8::from(*same)),
                None => {
                    let (mut pm, mut pu) = (lambda, 1.0 - lambda);
                    for (f, level) in v.iter().enumerate() {
                        if let Some(l) = level {
                            pm *= m[f][usize::from(*l)];
                            pu *= u[f][usize::from(*l)];
                        }
                    }
                    pm / (pm + pu)
                }
            };
            match_total += p * count;
            for (f, level) in v.iter().enumerate() {
                if let Some(l) = level {
                    m_counts[f][usize::from(*l)] += p * count;
                }
            }
        }
        let next = clamp(match_total / total.max(1.0));
        let mut change = (next - lambda).abs();
        lambda = next;
        for (f, counts) in m_counts.iter().enumerate() {
            let sum: f64 = counts.iter().sum();
            if sum <= 0.0 {
                continue;
            }
            let mut next: Vec<f64> = counts.iter().map(|c| clamp(c / sum)).collect();
            conditioned(&fields[f], &mut next);
            for (l, next) in next.into_iter().enumerate() {
                change = change.max((next - m[f][l]).abs());
                m[f][l] = next;
            }
        }
        if change < 1e-7 {
            break;
        }
    }
    (m, lambda, rounds)
}

impl Model {
    /// Settles the prior on what the fitted weights say: the share of
    /// matches among every pair there could be is the number of matches
    /// the candidate pairs are expected to hold (each counted by its
    /// probability, a decided pair as what was decided) over those pairs,
    /// and that expectation depends on the prior in turn; the two are
    /// brought to agree. The first estimate (pairs agreeing closely on
    /// every field, see [`fit`]) misses the matches that differ on some
    /// field, so it is low; the prior never goes below it. `weights` are
    /// the candidates' match weights under the first prior, `labels` their
    /// decisions. Returns how far the prior moved (log2, to add to those
    /// weights) and the matches the candidates are expected to hold.
    pub(crate) fn settle_prior(
        &mut self,
        weights: &[f64],
        labels: impl Fn(usize) -> Option<bool>,
    ) -> (f64, f64) {
        // Weights to the nearest 1/64 bit, with how many pairs have
        // each: summing over these is as good and far quicker.
        let mut quantised: Vec<i64> = Vec::with_capacity(weights.len());
        let mut decided_same = 0.0;
        for (i, &w) in weights.iter().enumerate() {
            match labels(i) {
                None => quantised.push((w * 64.0).round() as i64),
                Some(same) => decided_same += f64::from(u8::from(same)),
            }
        }
        quantised.par_sort_unstable();
        let bins: Vec<(f64, f64)> = quantised
            .chunk_by(|x, y| x == y)
            .map(|run| (run[0] as f64 / 64.0, run.len() as f64))
            .collect();
        drop(quantised);
        let (first, least) = (self.prior, self.lambda);
        let (mut shift, mut expected) = (0.0, 0.0);
        for _ in 0..100 {
            expected = decided_same
                + bins
                    .iter()
                    .map(|&(w, count)| count * probability(w + shift))
                    .sum::<f64>();
            let lambda = clamp((expected / self.possible.max(1.0)).max(least));
            let next = (lambda / (1.0 - lambda)).log2() - first;
            let settled = (next - shift).abs() < 1e-4;
            shift = next;
            self.lambda = lambda;
            if settled {
                break;
            }
        }
        self.prior = first + shift;
        (shift, expected)
    }

    /// Field `f`'s weight (log2 m/u) at this level for records `a` and
    /// `b`: 0 when a value is missing. Symmetric: the term used for its
    /// frequency is the same on both sides of an exact agreement.
    fn field_weight(&self, f: usize, level: Option<u8>, a: usize, b: usize) -> f64 {
        let Some(l) = level else { return 0.0 };
        let l = usize::from(l);
        if l == 0
            && let Some(terms) = &self.terms[f]
        {
            let term = terms.of_record[a];
            if term != NO_TERM && terms.of_record[b] == term {
                return terms.weight[term as usize];
            }
        }
        // Names that read the same in different scripts: more for a rarer
        // reading than the typical one, less for a commoner.
        if l == 1
            && let Some(readings) = &self.readings[f]
            && let Some(share) = readings.shared(a, b)
        {
            return self.weights[f][1] + (readings.typical / clamp(share)).log2();
        }
        self.weights[f][l]
    }

    /// A pair's match weight: the prior's and every field's.
    pub(crate) fn weight(&self, a: usize, b: usize, levels: Levels) -> f64 {
        self.prior
            + (0..self.m.len())
                .map(|f| self.field_weight(f, levels.get(f), a, b))
                .sum::<f64>()
    }

    /// A pair scored, with each field's level and weight.
    pub(crate) fn score(&self, a: usize, b: usize, levels: Levels) -> ScoredPair {
        let n = self.m.len();
        let field_weights: Vec<f64> = (0..n)
            .map(|f| self.field_weight(f, levels.get(f), a, b))
            .collect();
        let weight = self.prior + field_weights.iter().sum::<f64>();
        ScoredPair {
            a: a.min(b),
            b: a.max(b),
            probability: probability(weight),
            weight,
            levels: levels.iter(n).collect(),
            field_weights,
            label: None,
        }
    }
}

/// The probability a match weight stands for.
pub(crate) fn probability(weight: f64) -> f64 {
    let odds = weight.exp2();
    if odds.is_infinite() {
        1.0
    } else {
        odds / (1.0 + odds)
    }
}
