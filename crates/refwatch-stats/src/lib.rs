//! Per-year statistics over documented incidents and persons.
//!
//! Pure: records in, tables out; no I/O, no clock, no database. Every figure
//! here is a documented minimum: it counts only what was recorded, and an
//! incident counts once however many reports it has.

#![deny(missing_docs)]

mod persons;

use std::collections::BTreeMap;

use refwatch_domain::{Incident, Term};

pub use persons::{StratumBy, capture_patterns, incident_years, person_year};

/// Which years to count; both ends included.
#[derive(Debug, Clone, Copy, Default)]
pub struct YearRange {
    /// First year, if limited.
    pub from: Option<i32>,
    /// Last year, if limited.
    pub to: Option<i32>,
}

impl YearRange {
    fn contains(&self, year: i32) -> bool {
        self.from.is_none_or(|f| year >= f) && self.to.is_none_or(|t| year <= t)
    }
}

/// One year and incident kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearKindRow {
    /// The year the incidents began in.
    pub year: i32,
    /// The incident kind.
    pub kind: Term,
    /// How many incidents.
    pub incidents: u64,
    /// Sum of the incidents' low counts: the documented minimum.
    pub people_low: u64,
    /// Sum of best counts, taking the low count where no best was given.
    pub people_best: u64,
    /// Sum of high counts, taking the best (or low) count where no upper
    /// bound was reported; see `high_open`.
    pub people_high: u64,
    /// Whether some incident reported no upper bound ("at least 500"), so
    /// that the true high may be larger than `people_high`.
    pub high_open: bool,
}

/// Counts incidents and people per year (of the incident's start date) and
/// kind, sorted by year then kind.
pub fn per_year_and_kind<'a>(
    incidents: impl IntoIterator<Item = &'a Incident>,
    years: YearRange,
) -> Vec<YearKindRow> {
    let mut rows: BTreeMap<(i32, Term), YearKindRow> = BTreeMap::new();
    for incident in incidents {
        let year = incident.date.year();
        if !years.contains(year) {
            continue;
        }
        let v = incident.victims;
        let best = v.best.unwrap_or(v.low);
        let row = rows
            .entry((year, incident.kind.clone()))
            .or_insert_with(|| YearKindRow {
                year,
                kind: incident.kind.clone(),
                incidents: 0,
                people_low: 0,
                people_best: 0,
                people_high: 0,
                high_open: false,
            });
        row.incidents += 1;
        row.people_low += v.low;
        row.people_best += best;
        row.people_high += v.high.unwrap_or(best);
        row.high_open |= v.high.is_none();
    }
    rows.into_values().collect()
}

#[cfg(test)]
mod tests;
