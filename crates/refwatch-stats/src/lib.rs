//! Per-year statistics over documented incidents and persons.
//!
//! Pure: records in, tables out; no I/O, no clock, no database. Every figure
//! here is a documented minimum: it counts only what was recorded, and an
//! incident counts once however many reports it has. Incidents that
//! reviewers decided are the same event count once as a group: its
//! minimum is the largest of their minimums, its best the largest best,
//! its high the largest high (open if any is open), its year, kind and
//! breakdown those of the member with the largest best count.

#![deny(missing_docs)]

pub mod files;
mod persons;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use refwatch_domain::{
    BreakdownPart, Count, Dataset, Dimension, Incident, IncidentId, SameGroups, Term,
};

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

/// One cell: a year, an incident kind and, when broken down, one value of
/// the dimension (a sex, an age group, a category, or `unknown`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearKindRow {
    /// The year the incidents began in.
    pub year: i32,
    /// The incident kind.
    pub kind: Term,
    /// The dimension's value, when the table is broken down.
    pub value: Option<Term>,
    /// How many incidents contribute to the cell.
    pub incidents: u64,
    /// Which incidents: their citations are the cell's sources.
    pub incident_ids: Vec<IncidentId>,
    /// Sum of the low counts: the documented minimum.
    pub people_low: u64,
    /// Sum of best counts, taking the low count where no best was given.
    pub people_best: u64,
    /// Sum of high counts, taking the best (or low) count where no upper
    /// bound was reported; see `high_open`.
    pub people_high: u64,
    /// Whether some contribution has no upper bound ("at least 500"), so
    /// that the true high may be larger than `people_high`.
    pub high_open: bool,
}

/// The value of a breakdown's remainder: people not broken down.
pub const UNKNOWN: &str = "unknown";

/// What one incident adds to one cell: (low, best, high or None when open).
type Contribution = (u64, u64, Option<u64>);

/// How an incident's people divide over a dimension: each breakdown part
/// to its value, and what the parts do not cover to `unknown`.
fn contributions(incident: &Incident, by: Option<Dimension>) -> Vec<(Option<Term>, Contribution)> {
    let v = incident.victims;
    let best = v.best.unwrap_or(v.low);
    let Some(dimension) = by else {
        return vec![(None, (v.low, best, v.high))];
    };
    let parts: Vec<&BreakdownPart> = incident
        .breakdown
        .iter()
        .filter(|p| p.dimension == dimension)
        .collect();
    let mut out: Vec<(Option<Term>, Contribution)> = parts
        .iter()
        .map(|p| {
            let pb = p.count.best.unwrap_or(p.count.low);
            // A part without a high of its own is at most the incident's high.
            (
                Some(p.term.clone()),
                (p.count.low, pb, p.count.high.or(v.high)),
            )
        })
        .collect();
    let low: u64 = parts.iter().map(|p| p.count.low).sum();
    let best_parts: u64 = parts
        .iter()
        .map(|p| p.count.best.unwrap_or(p.count.low))
        .sum();
    let rest_low = v.low.saturating_sub(low);
    let rest_best = best.saturating_sub(best_parts);
    let rest_high = v.high.map(|h| h.saturating_sub(low));
    if rest_low > 0 || rest_best > 0 || rest_high.is_none_or(|h| h > 0) || parts.is_empty() {
        out.push((Some(Term::new(UNKNOWN)), (rest_low, rest_best, rest_high)));
    }
    out
}

/// A group of incidents decided to be the same event (two or more),
/// counted once: the member with the largest best count (then the earliest
/// date, then the smallest id) stands for it, with the group's count.
fn counted_once<'a>(members: &[&'a Incident]) -> Option<Cow<'a, Incident>> {
    let best = |i: &Incident| i.victims.best.unwrap_or(i.victims.low);
    let lead = members.iter().copied().min_by(|x, y| {
        best(y)
            .cmp(&best(x))
            .then_with(|| x.date.start().first_day().cmp(&y.date.start().first_day()))
            .then_with(|| x.id.cmp(&y.id))
    })?;
    let low = members.iter().map(|i| i.victims.low).max().unwrap_or(0);
    let top = members.iter().map(|i| best(i)).max().unwrap_or(low);
    let high = members
        .iter()
        .map(|i| i.victims.high)
        .try_fold(0u64, |acc, h| h.map(|h| acc.max(h)));
    let mut merged = lead.clone();
    merged.victims = Count {
        low,
        best: Some(top),
        high: high.map(|h| h.max(top)),
    };
    Some(Cow::Owned(merged))
}

/// What one entry of the count stands for: an incident alone, or a group
/// (by its position among the groups).
enum Counted<'a> {
    Alone(&'a Incident),
    Group(usize),
}

/// Counts incidents and people per year (of the incident's start date),
/// kind and, with `by`, the values of a dimension; sorted by year, kind and
/// value. Each incident counts once, however many reports it has, and a
/// group of incidents decided to be the same event (`same`) counts once.
/// Cells list incidents in the order they came in, a group's members where
/// its first member came.
pub fn per_year<'a>(
    incidents: impl IntoIterator<Item = &'a Incident>,
    same: &SameGroups<IncidentId>,
    years: YearRange,
    by: Option<Dimension>,
) -> Vec<YearKindRow> {
    year_rows(incidents, same, years, by).rows()
}

/// The rows of [`per_year`], to be kept up to date with [`YearRows::add`]
/// and [`YearRows::remove`].
pub fn year_rows<'a>(
    incidents: impl IntoIterator<Item = &'a Incident>,
    same: &SameGroups<IncidentId>,
    years: YearRange,
    by: Option<Dimension>,
) -> YearRows {
    // Only grouped incidents are gathered; the rest are counted as they
    // come, without a group of their own.
    let mut counted: Vec<Counted<'a>> = Vec::new();
    let mut groups: Vec<(Vec<&'a Incident>, Vec<IncidentId>)> = Vec::new();
    let mut group_of: HashMap<IncidentId, usize> = HashMap::new();
    for incident in incidents {
        if !same.contains(incident.id) {
            counted.push(Counted::Alone(incident));
            continue;
        }
        let g = *group_of.entry(same.leader(incident.id)).or_insert_with(|| {
            counted.push(Counted::Group(groups.len()));
            groups.push((Vec::new(), Vec::new()));
            groups.len() - 1
        });
        groups[g].0.push(incident);
        groups[g].1.push(incident.id);
    }
    let mut rows = YearRows::new(by);
    for entry in &counted {
        let (incident, ids): (Cow<'_, Incident>, &[IncidentId]) = match entry {
            Counted::Alone(i) => (Cow::Borrowed(*i), std::slice::from_ref(&i.id)),
            Counted::Group(g) => {
                let (members, ids) = &groups[*g];
                let Some(merged) = counted_once(members) else {
                    continue;
                };
                (merged, ids)
            }
        };
        if years.contains(incident.date.year()) {
            rows.add(incident.as_ref(), ids);
        }
    }
    rows
}

/// The key of a row: year, kind and the dimension's value.
type RowKey = (i32, Term, Option<Term>);

/// The rows of [`per_year`], kept up to date as incidents are added and
/// taken away one by one (a group of same incidents is added as the one
/// incident that stands for it, by the caller). A row's incidents are
/// listed in the order they were added.
#[derive(Debug, Clone, Default)]
pub struct YearRows {
    by: Option<Dimension>,
    rows: BTreeMap<RowKey, YearKindRow>,
    /// Per row, how many contributions have no upper bound.
    open: BTreeMap<RowKey, u64>,
}

impl YearRows {
    /// No rows yet, broken down by `by`.
    pub fn new(by: Option<Dimension>) -> Self {
        Self {
            by,
            ..Self::default()
        }
    }

    /// Counts `incident` (standing for the incidents `ids`).
    pub fn add(&mut self, incident: &Incident, ids: &[IncidentId]) {
        let year = incident.date.year();
        for (value, (low, best, high)) in contributions(incident, self.by) {
            let key = (year, incident.kind.clone(), value.clone());
            let row = self.rows.entry(key.clone()).or_insert_with(|| YearKindRow {
                year,
                kind: incident.kind.clone(),
                value,
                incidents: 0,
                incident_ids: Vec::new(),
                people_low: 0,
                people_best: 0,
                people_high: 0,
                high_open: false,
            });
            row.incidents += 1;
            row.incident_ids.extend_from_slice(ids);
            row.people_low += low;
            row.people_best += best;
            row.people_high += high.unwrap_or(best);
            if high.is_none() {
                *self.open.entry(key).or_default() += 1;
            }
        }
    }

    /// Takes back what [`YearRows::add`] counted for the same incident.
    pub fn remove(&mut self, incident: &Incident, ids: &[IncidentId]) {
        let year = incident.date.year();
        for (value, (low, best, high)) in contributions(incident, self.by) {
            let key = (year, incident.kind.clone(), value);
            let Some(row) = self.rows.get_mut(&key) else {
                continue;
            };
            row.incidents = row.incidents.saturating_sub(1);
            row.incident_ids.retain(|id| !ids.contains(id));
            row.people_low = row.people_low.saturating_sub(low);
            row.people_best = row.people_best.saturating_sub(best);
            row.people_high = row.people_high.saturating_sub(high.unwrap_or(best));
            if high.is_none()
                && let Some(n) = self.open.get_mut(&key)
            {
                *n = n.saturating_sub(1);
            }
            if row.incidents == 0 {
                self.rows.remove(&key);
                self.open.remove(&key);
            }
        }
    }

    /// The rows, sorted by year, kind and value.
    pub fn rows(&self) -> Vec<YearKindRow> {
        self.rows
            .iter()
            .map(|(key, row)| YearKindRow {
                high_open: self.open.get(key).is_some_and(|&n| n > 0),
                ..row.clone()
            })
            .collect()
    }

    /// The rows of years within `years`.
    pub fn rows_within(&self, years: YearRange) -> Vec<YearKindRow> {
        let mut rows = self.rows();
        rows.retain(|r| years.contains(r.year));
        rows
    }
}

/// [`per_year`] over every incident of a dataset, counting the groups its
/// decisions make once.
pub fn per_year_in(data: &Dataset, years: YearRange, by: Option<Dimension>) -> Vec<YearKindRow> {
    per_year(
        data.incidents.iter().map(|i| &**i),
        &refwatch_domain::same_incidents(&data.links),
        years,
        by,
    )
}

/// Per year and kind, without breakdown.
pub fn per_year_and_kind<'a>(
    incidents: impl IntoIterator<Item = &'a Incident>,
    same: &SameGroups<IncidentId>,
    years: YearRange,
) -> Vec<YearKindRow> {
    per_year(incidents, same, years, None)
}

#[cfg(test)]
mod tests;
