//! Warnings for when the assumptions behind an estimate are shaky.

use crate::CaptureTable;

/// A reason to distrust an estimate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// Fewer than three lists: list dependence cannot be modelled at all.
    FewLists(usize),
    /// Some overlaps between two lists are small, so interactions rest on few people.
    SparseOverlap {
        /// The two lists.
        lists: (String, String),
        /// People on both.
        overlap: u64,
    },
    /// One list is wholly inside another.
    Subset {
        /// The smaller list.
        inner: String,
        /// The list that contains it.
        outer: String,
    },
    /// Few people observed in all: any estimate is very uncertain.
    SmallTable(u64),
    /// A list documents nobody.
    EmptyList(String),
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::FewLists(k) => write!(
                f,
                "only {k} lists: dependence between lists cannot be checked; estimates assume the lists are independent"
            ),
            Self::SparseOverlap {
                lists: (a, b),
                overlap,
            } => write!(
                f,
                "only {overlap} people are on both {a} and {b}: estimates of how these lists depend on each other rest on very few people"
            ),
            Self::Subset { inner, outer } => write!(
                f,
                "everyone on {inner} is also on {outer}: {inner} was probably drawn from {outer} and is not an independent list"
            ),
            Self::SmallTable(n) => write!(
                f,
                "only {n} people documented in this stratum: intervals will be very wide"
            ),
            Self::EmptyList(name) => write!(f, "{name} documents nobody here; leave it out"),
        }
    }
}

/// People on a pair of lists below which the overlap counts as sparse.
pub const SPARSE_OVERLAP: u64 = 5;
/// People in a table below which it counts as small.
pub const SMALL_TABLE: u64 = 30;

/// Every warning that applies to a table.
pub fn check(table: &CaptureTable) -> Vec<Warning> {
    let mut out = Vec::new();
    let k = table.k();
    if k < 3 {
        out.push(Warning::FewLists(k));
    }
    let n = table.observed();
    if n < SMALL_TABLE {
        out.push(Warning::SmallTable(n));
    }
    let names = table.lists();
    for (j, name) in names.iter().enumerate() {
        if table.list_total(j) == 0 {
            out.push(Warning::EmptyList(name.clone()));
        }
    }
    for a in 0..k {
        for b in 0..k {
            if a == b || table.list_total(a) == 0 {
                continue;
            }
            let only_a: u64 = table
                .cells()
                .filter(|&(p, _)| table.on_list(p, a) && !table.on_list(p, b))
                .map(|(_, c)| c)
                .sum();
            if only_a == 0 {
                out.push(Warning::Subset {
                    inner: names[a].clone(),
                    outer: names[b].clone(),
                });
            }
        }
    }
    for a in 0..k {
        for b in a + 1..k {
            let both: u64 = table
                .cells()
                .filter(|&(p, _)| table.on_list(p, a) && table.on_list(p, b))
                .map(|(_, c)| c)
                .sum();
            if both < SPARSE_OVERLAP {
                out.push(Warning::SparseOverlap {
                    lists: (names[a].clone(), names[b].clone()),
                    overlap: both,
                });
            }
        }
    }
    out
}
