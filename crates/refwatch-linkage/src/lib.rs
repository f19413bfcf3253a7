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

pub use cluster::Cluster;
pub use compare::{Compare, Field, Value};
pub use model::Model;

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
    /// the other fields: every such pair shares a key (two grids of cells
    /// `2 * within` wide, the second shifted by `within`).
    Near {
        /// The number's field.
        field: usize,
        /// How far apart still counts as near.
        within: i32,
        /// Fields that must agree exactly as well.
        also: Vec<usize>,
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
    /// Pairs at or above this probability are links.
    pub threshold: f64,
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
            threshold: 0.9,
            bridge_support: 0.5,
            u_sample: 200_000,
            em_rounds: 200,
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
    /// The probability that both describe the same person.
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
    /// Every candidate pair, scored, strongest first.
    pub pairs: Vec<ScoredPair>,
    /// Groups of records that describe the same person, each of two or
    /// more records (singletons are left out).
    pub clusters: Vec<Cluster>,
    /// The fitted model.
    pub model: Model,
    /// Things that went less than well, in words.
    pub diagnostics: Vec<String>,
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
}

/// Links the records: candidate pairs, the model fitted to them, scores,
/// clusters. Never fails on messy values: what cannot be read counts as
/// missing and is reported in the diagnostics.
pub fn link(records: &[Record], settings: &Settings) -> Result<Linkage, LinkError> {
    if settings.fields.is_empty() || settings.blocking.is_empty() {
        return Err(LinkError::Settings(
            "give at least one field and one blocking rule",
        ));
    }
    if !(0.0..=1.0).contains(&settings.threshold) {
        return Err(LinkError::Settings(
            "the threshold is a probability, 0 to 1",
        ));
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
    let prepared = compare::prepare(records, &settings.fields, &mut diagnostics);
    let mut candidates = blocking::candidates(records, &prepared, settings, &mut diagnostics);
    let labels = labelled_pairs(records, settings, &mut diagnostics);
    // Decided pairs are compared whatever the blocking rules say.
    let blocked: std::collections::HashSet<(usize, usize)> =
        candidates.iter().map(|&(pair, _)| pair).collect();
    candidates.extend(
        labels
            .keys()
            .filter(|pair| !blocked.contains(pair))
            .map(|&pair| (pair, 0)),
    );
    candidates.sort_unstable();
    if candidates.is_empty() {
        diagnostics
            .push("no candidate pairs: the blocking rules put no two records together".into());
    }
    let vectors: Vec<Vec<Option<u8>>> = in_parallel(&candidates, |&((a, b), _)| {
        compare::levels(&prepared, &settings.fields, a, b)
    });
    let rules: Vec<u32> = candidates.iter().map(|&(_, r)| r).collect();
    let known: Vec<Option<bool>> = candidates
        .iter()
        .map(|(pair, _)| labels.get(pair).copied())
        .collect();
    let model = model::fit(
        records,
        &prepared,
        settings,
        &model::Training {
            vectors: &vectors,
            rules: &rules,
            labels: &known,
        },
        &mut diagnostics,
    );
    // A pair, its comparison levels and its decision, if any.
    type Compared = ((usize, usize), Vec<Option<u8>>, Option<bool>);
    let scored: Vec<Compared> = candidates
        .iter()
        .zip(vectors)
        .zip(known)
        .map(|((&(pair, _), levels), label)| (pair, levels, label))
        .collect();
    let mut pairs: Vec<ScoredPair> = in_parallel(&scored, |((a, b), levels, label)| {
        let mut pair = model.score(&prepared, *a, *b, levels.clone());
        pair.label = *label;
        pair
    });
    // Strongest first; ties by the records' ids, not their positions, so
    // that the order records came in changes nothing.
    let ids = |p: &ScoredPair| {
        let (x, y) = (&records[p.a].id, &records[p.b].id);
        if x <= y { (x, y) } else { (y, x) }
    };
    pairs.sort_by(|x, y| {
        y.probability
            .total_cmp(&x.probability)
            .then_with(|| ids(x).cmp(&ids(y)))
    });
    let clusters = cluster::build(records, &pairs, settings, &mut diagnostics);
    Ok(Linkage {
        pairs,
        clusters,
        model,
        diagnostics,
    })
}

/// `f` over `items` on every core the machine offers, in order: the same
/// result as a plain map, whatever the number of threads.
pub(crate) fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    /// Below this many items one thread does it all.
    const SMALLEST_SHARE: usize = 4_096;
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(items.len() / SMALLEST_SHARE)
        .max(1);
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let share = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(share)
            .map(|chunk| scope.spawn(move || chunk.iter().map(f).collect::<Vec<R>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|part| match part.join() {
                Ok(done) => done,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// The labelled pairs, by the records' positions (smaller first); labels
/// naming records not given, or a record twice, are left out and counted.
fn labelled_pairs(
    records: &[Record],
    settings: &Settings,
    diagnostics: &mut Vec<String>,
) -> std::collections::HashMap<(usize, usize), bool> {
    let mut out = std::collections::HashMap::new();
    if settings.labels.is_empty() {
        return out;
    }
    let index: std::collections::HashMap<&str, usize> = records
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
