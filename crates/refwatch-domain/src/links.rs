//! Decisions that two records describe the same person or the same
//! incident (or do not). A decision never changes the records it joins:
//! every original record and its citations stay, and a decision can be
//! taken back. Statistics count a group of records decided the same once.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

use crate::{IncidentId, PersonId};

/// What kind of records a link joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkKind {
    /// Incidents: reports of the same event.
    Incident,
    /// Persons: records of the same individual.
    Person,
}

impl LinkKind {
    /// Every kind.
    pub const ALL: [LinkKind; 2] = [Self::Incident, Self::Person];

    /// The kind's code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Incident => "incident",
            Self::Person => "person",
        }
    }

    /// Reads a kind's code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Two different records of one kind, the smaller id first, so that a pair
/// has one spelling whichever way round it was named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkPair {
    /// Two incidents.
    Incidents(IncidentId, IncidentId),
    /// Two persons.
    Persons(PersonId, PersonId),
}

impl LinkPair {
    /// Two incidents; `None` when both are the same record.
    pub fn incidents(a: IncidentId, b: IncidentId) -> Option<Self> {
        (a != b).then(|| Self::Incidents(a.min(b), a.max(b)))
    }

    /// Two persons; `None` when both are the same record.
    pub fn persons(a: PersonId, b: PersonId) -> Option<Self> {
        (a != b).then(|| Self::Persons(a.min(b), a.max(b)))
    }

    /// Two records of `kind` given by their ids' texts; `None` when a text
    /// is not an id or both are the same.
    pub fn parse(kind: LinkKind, a: &str, b: &str) -> Option<Self> {
        match kind {
            LinkKind::Incident => Self::incidents(a.parse().ok()?, b.parse().ok()?),
            LinkKind::Person => Self::persons(a.parse().ok()?, b.parse().ok()?),
        }
    }

    /// The kind of records joined.
    pub fn kind(&self) -> LinkKind {
        match self {
            Self::Incidents(..) => LinkKind::Incident,
            Self::Persons(..) => LinkKind::Person,
        }
    }

    /// Both ids as texts, the smaller first.
    pub fn ids(&self) -> (String, String) {
        match self {
            Self::Incidents(a, b) => (a.to_string(), b.to_string()),
            Self::Persons(a, b) => (a.to_string(), b.to_string()),
        }
    }
}

/// What was decided about a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Both records describe the same person or event.
    Same,
    /// They do not.
    Different,
}

impl Verdict {
    /// The verdict's code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Same => "same",
            Self::Different => "different",
        }
    }

    /// Reads a verdict's code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "same" => Some(Self::Same),
            "different" => Some(Self::Different),
            _ => None,
        }
    }
}

/// A reviewer's decision about one pair: the current one (earlier ones are
/// in the audit log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkDecision {
    /// The records.
    pub pair: LinkPair,
    /// What was decided.
    pub verdict: Verdict,
}

/// Groups of records decided the same (following chains of decisions:
/// A = B and B = C put A, B and C in one group), each named by its
/// smallest id.
#[derive(Debug, Clone)]
pub struct SameGroups<T> {
    /// Each grouped record's group (its smallest id); records in no group
    /// are not listed.
    leader: HashMap<T, T>,
}

impl<T: Copy + Eq + Hash + Ord> SameGroups<T> {
    /// The groups made by these pairs of the same records.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (T, T)>) -> Self {
        let mut parent: HashMap<T, T> = HashMap::new();
        fn root<T: Copy + Eq + Hash>(parent: &mut HashMap<T, T>, x: T) -> T {
            let mut r = x;
            while let Some(&p) = parent.get(&r) {
                if p == r {
                    break;
                }
                r = p;
            }
            // Path compression.
            let mut y = x;
            while y != r {
                let next = parent[&y];
                parent.insert(y, r);
                y = next;
            }
            r
        }
        for (a, b) in pairs {
            parent.entry(a).or_insert(a);
            parent.entry(b).or_insert(b);
            let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
            if ra != rb {
                // The smaller id leads, so groups are named the same way
                // whatever order decisions came in.
                let (keep, gone) = if ra < rb { (ra, rb) } else { (rb, ra) };
                parent.insert(gone, keep);
            }
        }
        let keys: Vec<T> = parent.keys().copied().collect();
        let leader = keys
            .into_iter()
            .map(|k| (k, root(&mut parent, k)))
            .collect();
        Self { leader }
    }

    /// The record that names `id`'s group: its smallest id, or `id` itself
    /// when it is in no group.
    pub fn leader(&self, id: T) -> T {
        self.leader.get(&id).copied().unwrap_or(id)
    }

    /// Whether `id` is in a group.
    pub fn contains(&self, id: T) -> bool {
        self.leader.contains_key(&id)
    }

    /// Every group of two or more records, each sorted, in the order of
    /// their leaders.
    pub fn groups(&self) -> Vec<Vec<T>> {
        let mut by: BTreeMap<T, Vec<T>> = BTreeMap::new();
        for (&k, &l) in &self.leader {
            by.entry(l).or_default().push(k);
        }
        by.into_values()
            .map(|mut g| {
                g.sort();
                g
            })
            .collect()
    }

    /// Whether no record is grouped.
    pub fn is_empty(&self) -> bool {
        self.leader.is_empty()
    }
}

/// The incidents decided to be the same event.
pub fn same_incidents(links: &[LinkDecision]) -> SameGroups<IncidentId> {
    SameGroups::from_pairs(links.iter().filter_map(|l| match l {
        LinkDecision {
            pair: LinkPair::Incidents(a, b),
            verdict: Verdict::Same,
        } => Some((*a, *b)),
        _ => None,
    }))
}

/// The persons decided to be the same individual.
pub fn same_persons(links: &[LinkDecision]) -> SameGroups<PersonId> {
    SameGroups::from_pairs(links.iter().filter_map(|l| match l {
        LinkDecision {
            pair: LinkPair::Persons(a, b),
            verdict: Verdict::Same,
        } => Some((*a, *b)),
        _ => None,
    }))
}

/// One field's part in a suggested pair's score: how the two records
/// compared on it and what that weighed. Never the compared values.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldWeight {
    /// The field (`name`, `birth_year`, `date`...).
    pub field: String,
    /// The comparison level (`same reading`, `close`...), `None` when a
    /// value was missing.
    pub level: Option<String>,
    /// Its weight: log2 of how much likelier the level is between records
    /// of one person (or event) than between others.
    pub weight: f64,
}

/// A pair the linkage suggests reviewing.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkSuggestion {
    /// The records.
    pub pair: LinkPair,
    /// The probability that they are the same.
    pub probability: f64,
    /// Each field's level and weight.
    pub explanation: Vec<FieldWeight>,
}

/// What a linkage run looked at and found.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkRun {
    /// What was linked.
    pub kind: LinkKind,
    /// When.
    pub ran_at: crate::Timestamp,
    /// How many records were compared.
    pub records: u64,
    /// How many candidate pairs the blocking rules gave.
    pub candidate_pairs: u64,
    /// Pairs at or above this probability were suggested.
    pub threshold: f64,
    /// What went less than well, in words (field names and counts, never
    /// values).
    pub diagnostics: Vec<String>,
}
