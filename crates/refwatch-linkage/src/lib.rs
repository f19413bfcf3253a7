//! Record linkage: which records describe the same person (or incident).
//!
//! A probabilistic model of the Fellegi–Sunter family, as Splink fits it:
//! candidate pairs come from blocking rules (so comparisons stay near
//! linear); each field of a pair is compared to a level (names by their
//! Korean reading, years and dates with a tolerance, places through their
//! hierarchy); `u` probabilities (how often a level occurs between
//! different people) are estimated from random pairs, `m` probabilities
//! (how often between records of the same person) and the share of matches
//! by expectation–maximisation; common values (Kim, Lee and Park are a
//! third of Korean surnames) weigh less than rare ones. Every pair's
//! probability comes with each field's level and weight.
//!
//! Clusters are grown from the strongest links down, and two groups of
//! records are joined only when the links between them are strong enough
//! on the whole: one weak bridge never merges two large clusters.
//!
//! Pure: records in, scored pairs and clusters out; no database, no clock,
//! no randomness but a seeded generator.

#![deny(missing_docs)]

mod blocking;
mod cluster;
mod compare;
mod model;
mod rivals;

use std::collections::HashMap;

use rayon::prelude::*;

pub use cluster::Cluster;
pub use compare::{Compare, Field, STAGE_EARLY, STAGE_LATE, STAGE_UNKNOWN, Value};
pub use model::Model;

/// A map for the counting and numbering done for millions of records:
/// foldhash hashes short keys several times faster than the standard
/// hasher. Its hasher is seeded afresh in every run, so no result may
/// depend on the order of its entries (they are looked up, or sorted
/// before use).
pub(crate) type Fast<K, V> = foldhash::HashMap<K, V>;

impl Blocking {
    /// The rule as the parts that must all agree.
    pub fn parts(&self) -> Vec<Part> {
        match self {
            Blocking::Same(fields) => fields.iter().map(|&f| Part::Same(f)).collect(),
            Blocking::NameSound(name, others) => std::iter::once(Part::Sound(*name))
                .chain(others.iter().map(|&f| Part::Same(f)))
                .collect(),
            Blocking::NameReading(name) => vec![Part::Reading(*name)],
            Blocking::Near {
                field,
                within,
                also,
            } => std::iter::once(Part::Near {
                field: *field,
                within: *within,
            })
            .chain(also.iter().map(|&f| Part::Same(f)))
            .collect(),
            Blocking::All(parts) => parts.clone(),
        }
    }
}

/// One record to link: an opaque id of the caller's, the list it comes from
/// (for linking two lists rather than de-duplicating one), and one value
/// per field of the [`Settings`].
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The caller's id for the record.
    pub id: String,
    /// Which list the record is on, when linking lists.
    pub list: u8,
    /// One value per field.
    pub values: Vec<Value>,
}

/// How candidate pairs are found: records that share a key of any rule
/// are compared.
#[derive(Debug, Clone, PartialEq)]
pub enum Blocking {
    /// The same value on every one of these fields (indexes into the fields).
    Same(Vec<usize>),
    /// Names whose given names may read the same (whatever the script or
    /// romanisation, surname first or last), and that agree exactly on
    /// these other fields (a birth year, say; none for a looser rule).
    NameSound(usize, Vec<usize>),
    /// Names that may read the same in full, surname included.
    NameReading(usize),
    /// Numbers (days, years) at most `within` apart, agreeing exactly on
    /// the other fields: each block of records agreeing on those is swept
    /// in the number's order, so every such pair is found and no other.
    Near {
        /// The number's field.
        field: usize,
        /// How far apart still counts as near.
        within: i32,
        /// Fields that must agree exactly as well.
        also: Vec<usize>,
    },
    /// Every one of these parts agrees: names that read the same born
    /// within a year of each other, say. The tightest rules for millions
    /// of records are made this way.
    All(Vec<Part>),
}

/// One condition of a [`Blocking::All`] rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The same value on this field.
    Same(usize),
    /// Names that may read the same in full, surname included (whatever
    /// the script or romanisation, surname first or last).
    Reading(usize),
    /// Given names that may read the same (the surname left out).
    Sound(usize),
    /// Surnames that may read the same (Lee, Yi, Rhee and 李 alike), for
    /// pairing records whose given names differ by a typo.
    Surname(usize),
    /// Numbers (days, years) on this field at most `within` apart.
    Near {
        /// The number's field.
        field: usize,
        /// How far apart still counts as near.
        within: i32,
    },
    /// This field unknown on at least one of the two records: for pairing
    /// records by what else they have when one of them lacks the field
    /// (a name and a place, say, where a birth year is missing).
    Unknown(usize),
    /// Places that are the same or one within the other (Yanji and
    /// Yanbian, as a list giving only the broader place writes it), not
    /// two places side by side (Yanji and Tumen).
    Within(usize),
    /// Births that agree as written: born the same day when both records
    /// give the day, the same year when either gives only its year (two
    /// records with different days of the same year do not agree).
    Born(usize),
    /// Texts that begin alike: the same first `chars` characters (a name
    /// spelled differently after its first letters, a postcode's area).
    /// The field stays free to agree or not, as with [`Part::Surname`].
    Prefix {
        /// The text's field.
        field: usize,
        /// How many characters from the start.
        chars: usize,
    },
}

/// A reviewer's decision on a pair of records, used as a label: the
/// pair is compared whatever the blocking rules say, its decision is taken
/// as known when the model is fitted, and clusters follow it (a pair
/// decided the same is joined, a pair decided different is never in one
/// cluster).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// One record's id.
    pub a: String,
    /// The other's.
    pub b: String,
    /// Whether they were decided the same.
    pub same: bool,
}

/// What to link and how.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The fields, in the order of each record's values.
    pub fields: Vec<Field>,
    /// The blocking rules (at least one).
    pub blocking: Vec<Blocking>,
    /// Link records from different lists only (two lists), instead of
    /// de-duplicating within them.
    pub across_lists_only: bool,
    /// Each list names a person at most once (with `across_lists_only`):
    /// a record's candidates compete, at most one of them being a match,
    /// and each pair's probability allows for its rivals.
    pub one_to_one: bool,
    /// Pairs at or above this probability are links.
    pub threshold: f64,
    /// Pairs below this probability (and below the threshold) are scored
    /// and counted but not returned: with millions of candidate pairs,
    /// most are plainly different people. 0 returns every pair.
    pub min_probability: f64,
    /// Records below this share of strong links to a cluster are not
    /// merged into it through a single bridge.
    pub bridge_support: f64,
    /// Most random pairs drawn to estimate `u` (ten per record are drawn,
    /// at least 50,000, up to this).
    pub u_sample: usize,
    /// Most expectation–maximisation rounds.
    pub em_rounds: usize,
    /// The seed for drawing random pairs.
    pub seed: u64,
    /// Reviewers' decisions so far.
    pub labels: Vec<Label>,
}

impl Settings {
    /// Sensible settings for these fields and blocking rules.
    pub fn new(fields: Vec<Field>, blocking: Vec<Blocking>) -> Self {
        Self {
            fields,
            blocking,
            across_lists_only: false,
            one_to_one: false,
            threshold: 0.9,
            min_probability: 0.0,
            bridge_support: 0.5,
            u_sample: 200_000,
            em_rounds: 1_000,
            seed: 1,
            labels: Vec::new(),
        }
    }
}

/// One compared pair.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredPair {
    /// The first record (index into the input), the smaller index.
    pub a: usize,
    /// The second record.
    pub b: usize,
    /// The probability that both describe the same person (allowing for
    /// the records' other candidates when linking one-to-one).
    pub probability: f64,
    /// The match weight (log2 of the Bayes factor, prior included).
    pub weight: f64,
    /// Each field's comparison level (`None` when a value is missing).
    pub levels: Vec<Option<u8>>,
    /// Each field's contribution to the weight (log2 m/u).
    pub field_weights: Vec<f64>,
    /// A reviewer's decision on the pair, if any (`true`: the same).
    pub label: Option<bool>,
}

/// What linking found, with what to be careful about.
#[derive(Debug, Clone, PartialEq)]
pub struct Linkage {
    /// How many pairs were compared.
    pub candidates: usize,
    /// Every candidate pair at or above the settings' smallest probability
    /// (and every decided pair), scored, strongest first.
    pub pairs: Vec<ScoredPair>,
    /// Groups of records that describe the same person, each of two or
    /// more records (singletons are left out).
    pub clusters: Vec<Cluster>,
    /// The fitted model.
    pub model: Model,
    /// Things that went less than well, in words.
    pub diagnostics: Vec<String>,
}

/// How far a run has come, for showing progress on long runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// Names read and values made ready.
    Prepared {
        /// Records.
        records: usize,
    },
    /// Candidate pairs found by the blocking rules.
    Blocked {
        /// Pairs to compare.
        candidates: usize,
    },
    /// Every candidate pair compared field by field.
    Compared {
        /// Kinds of pairs (distinct comparison patterns).
        patterns: usize,
    },
    /// The model fitted.
    Fitted {
        /// Rounds of expectation–maximisation.
        rounds: usize,
    },
    /// Pairs scored.
    Scored {
        /// Pairs kept (at or above the smallest probability).
        kept: usize,
    },
}

/// Why linking cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// A record has a different number of values than there are fields.
    #[error("record {index} has {found} values for {expected} fields")]
    Shape {
        /// The record's position.
        index: usize,
        /// Values it has.
        found: usize,
        /// Fields there are.
        expected: usize,
    },
    /// The settings are unusable.
    #[error("{0}")]
    Settings(&'static str),
    /// More records than one run can hold.
    #[error("{0} records are more than one run can link (at most 4,294,967,295)")]
    TooMany(usize),
}

/// Links the records: candidate pairs, the model fitted to them, scores,
/// clusters. Never fails on messy values: what cannot be read counts as
/// missing and is reported in the diagnostics.
pub fn link(records: &[Record], settings: &Settings) -> Result<Linkage, LinkError> {
    link_with_progress(records, settings, &mut |_| {})
}

/// [`link`], telling `progress` as each stage ends.
pub fn link_with_progress(
    records: &[Record],
    settings: &Settings,
    progress: &mut dyn FnMut(Progress),
) -> Result<Linkage, LinkError> {
    if settings.fields.is_empty() || settings.blocking.is_empty() {
        return Err(LinkError::Settings(
            "give at least one field and one blocking rule",
        ));
    }
    if settings.fields.len() > compare::MOST_FIELDS {
        return Err(LinkError::Settings("compare at most 16 fields"));
    }
    if !(0.0..=1.0).contains(&settings.threshold)
        || !(0.0..=1.0).contains(&settings.min_probability)
    {
        return Err(LinkError::Settings(
            "the threshold and the smallest probability kept are probabilities, 0 to 1",
        ));
    }
    let swaps_well = settings
        .fields
        .iter()
        .enumerate()
        .all(|(f, field)| match field.compare {
            Compare::TextOrSwapped { with } => with != f && with < settings.fields.len(),
            _ => true,
        });
    if !swaps_well {
        return Err(LinkError::Settings(
            "a field swapped with another must name another field",
        ));
    }
    if settings.one_to_one && !settings.across_lists_only {
        return Err(LinkError::Settings(
            "one-to-one linking is for two lists: link records across lists only",
        ));
    }
    if u32::try_from(records.len()).is_err() {
        return Err(LinkError::TooMany(records.len()));
    }
    for (index, r) in records.iter().enumerate() {
        if r.values.len() != settings.fields.len() {
            return Err(LinkError::Shape {
                index,
                found: r.values.len(),
                expected: settings.fields.len(),
            });
        }
    }
    let mut diagnostics = Vec::new();
    // Records in the order of their ids, sorted once: blocking windows,
    // random pairs and ties go by it, so the order records came in
    // changes nothing.
    let mut by_id: Vec<u32> = (0..records.len() as u32).collect();
    by_id.par_sort_by(|&a, &b| records[a as usize].id.cmp(&records[b as usize].id));
    let prepared = compare::prepare(records, &settings.fields, &mut diagnostics);
    progress(Progress::Prepared {
        records: records.len(),
    });
    // The fields other than names as numbers, once: blocking asks them
    // whether one place is within another, comparing asks their levels.
    let rows = compare::Rows::of(&prepared, &settings.fields);
    let (mut candidates, name_keys) = blocking::candidates(
        records,
        &prepared,
        &rows,
        settings,
        &by_id,
        &mut diagnostics,
    );
    let labels = labelled_pairs(records, settings, &mut diagnostics);
    // Decided pairs are compared whatever the blocking rules say (the
    // rest come sorted: sorted again only if some were added).
    let blocked = candidates.len();
    for &(a, b) in labels.keys() {
        let (a, b) = (a as u32, b as u32);
        if candidates
            .binary_search_by_key(&(a, b), |c| (c.a, c.b))
            .is_err()
        {
            candidates.push(blocking::Candidate { a, b, rules: 0 });
        }
    }
    if candidates.len() > blocked {
        candidates.par_sort_unstable();
    }
    if candidates.is_empty() {
        diagnostics
            .push("no candidate pairs: the blocking rules put no two records together".into());
    }
    progress(Progress::Blocked {
        candidates: candidates.len(),
    });
    let label_of = |c: &blocking::Candidate| labels.get(&(c.a as usize, c.b as usize)).copied();
    let levels = {
        let pairs: Vec<(u32, u32)> = candidates.par_iter().map(|c| (c.a, c.b)).collect();
        compare::packed_all(&prepared, &settings.fields, &rows, &pairs)
    };
    // How many pairs of each pattern: the model learns from these.
    let counted: Fast<model::Pattern, f64> = candidates
        .par_iter()
        .zip(&levels)
        .fold(
            Fast::default,
            |mut counts: Fast<model::Pattern, f64>, (c, &levels)| {
                let pattern = model::Pattern {
                    levels,
                    rules: c.rules,
                    label: label_of(c),
                };
                *counts.entry(pattern).or_default() += 1.0;
                counts
            },
        )
        .reduce(Fast::default, |mut x, y| {
            for (pattern, count) in y {
                *x.entry(pattern).or_default() += count;
            }
            x
        });
    let mut patterns: Vec<(model::Pattern, f64)> = counted.into_iter().collect();
    patterns.sort_unstable_by_key(|x| x.0);
    progress(Progress::Compared {
        patterns: patterns.len(),
    });
    let mut model = model::fit(
        records,
        &prepared,
        name_keys,
        settings,
        &by_id,
        &patterns,
        &mut diagnostics,
    );
    progress(Progress::Fitted {
        rounds: model.rounds,
    });
    let mut weights: Vec<f64> = candidates
        .par_iter()
        .zip(&levels)
        .map(|(c, &levels)| model.weight(c.a as usize, c.b as usize, levels))
        .collect();
    let decided = |i: usize| label_of(&candidates[i]);
    let (moved, expected) = model.settle_prior(&weights, decided);
    weights.par_iter_mut().for_each(|w| *w += moved);
    let probabilities: Vec<f64> = if settings.one_to_one {
        // With each person at most once on each list, a record's match (if
        // it has one) is one of the other list's records: the odds of a
        // pair are the share of records matched over the share not, times
        // what the pair's own weight says, over the other list's records.
        let first = records.iter().filter(|r| r.list == 0).count();
        let larger = first.max(records.len() - first).max(1) as f64;
        let matched = (expected / larger).clamp(0.0, 0.99);
        let odds: Vec<f64> = weights
            .par_iter()
            .map(|&w| w.exp2() / (1.0 - matched))
            .collect();
        let pairs: Vec<(u32, u32)> = candidates.par_iter().map(|c| (c.a, c.b)).collect();
        rivals::probabilities(&pairs, &odds, decided, records.len())
    } else {
        weights.par_iter().map(|&w| model::probability(w)).collect()
    };
    let floor = settings.min_probability.min(settings.threshold);
    let mut pairs: Vec<ScoredPair> = candidates
        .par_iter()
        .zip(&levels)
        .zip(&probabilities)
        .filter_map(|((c, &levels), &probability)| {
            let (a, b) = (c.a as usize, c.b as usize);
            let label = label_of(c);
            if label.is_none() && probability < floor {
                return None;
            }
            let mut pair = model.score(a, b, levels);
            pair.probability = probability;
            pair.label = label;
            Some(pair)
        })
        .collect();
    // Millions of small values take a while to free: that happens on
    // another thread while the pairs are sorted and clustered.
    let compared = candidates.len();
    rayon::spawn(move || drop((levels, candidates, prepared, rows, weights, probabilities)));
    progress(Progress::Scored { kept: pairs.len() });
    // Strongest first; ties by the records' ids, not their positions, so
    // that the order records came in changes nothing.
    let mut rank = vec![0u32; records.len()];
    for (r, &i) in by_id.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    let ids = |p: &ScoredPair| {
        let (x, y) = (rank[p.a], rank[p.b]);
        (x.min(y), x.max(y))
    };
    pairs.par_sort_by(|x, y| {
        y.probability
            .total_cmp(&x.probability)
            .then_with(|| ids(x).cmp(&ids(y)))
    });
    let clusters = cluster::build(&rank, &pairs, settings, &mut diagnostics);
    Ok(Linkage {
        candidates: compared,
        pairs,
        clusters,
        model,
        diagnostics,
    })
}

/// The labelled pairs, by the records' positions (smaller first); labels
/// naming records not given, or a record twice, are left out and counted.
fn labelled_pairs(
    records: &[Record],
    settings: &Settings,
    diagnostics: &mut Vec<String>,
) -> HashMap<(usize, usize), bool> {
    let mut out = HashMap::new();
    if settings.labels.is_empty() {
        return out;
    }
    let index: HashMap<&str, usize> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut unknown = 0usize;
    for label in &settings.labels {
        match (index.get(label.a.as_str()), index.get(label.b.as_str())) {
            (Some(&a), Some(&b)) if a != b => {
                out.insert((a.min(b), a.max(b)), label.same);
            }
            _ => unknown += 1,
        }
    }
    if unknown > 0 {
        diagnostics.push(format!(
            "{unknown} decisions name records that are not being linked; they were left out"
        ));
    }
    out
}

#[cfg(test)]
mod tests;
