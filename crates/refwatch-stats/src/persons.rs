//! Statistics over documented persons: the year a person is counted in,
//! and capture patterns over chosen lists for estimation.

use std::collections::{BTreeMap, HashMap};

use refwatch_domain::{Dataset, IncidentId, Person, PersonId, SourceId};

/// The year a person is counted in: their first status event, or else the
/// earliest incident they are linked to.
pub fn person_year(p: &Person, incident_years: &HashMap<IncidentId, i32>) -> Option<i32> {
    p.timeline
        .iter()
        .map(|e| e.date.year())
        .chain(
            p.incidents
                .iter()
                .filter_map(|l| incident_years.get(&l.incident).copied()),
        )
        .min()
}

/// The year of every incident, by id.
pub fn incident_years(data: &Dataset) -> HashMap<IncidentId, i32> {
    data.incidents
        .iter()
        .map(|i| (i.id, i.date.year()))
        .collect()
}

/// What to divide people into before estimating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StratumBy {
    /// The year a person is counted in.
    Year,
    /// Sex.
    Sex,
}

/// People per capture pattern over `lists`, per stratum. A person is on a
/// list when one of their citations names that source (directly or as the
/// source it came through). Person records decided to be the same
/// individual (`data.links`) are one person, on every list any of them is
/// on, counted in the earliest year and the first sex recorded among them.
/// Pattern bit `k-1-j` is list `j`. People on none of the lists are left
/// out. Strata are labelled like `2023` or `2023 / female`.
pub fn capture_patterns(
    data: &Dataset,
    lists: &[SourceId],
    strata: &[StratumBy],
) -> BTreeMap<String, BTreeMap<u32, u64>> {
    let years = incident_years(data);
    let k = lists.len();
    let mut out: BTreeMap<String, BTreeMap<u32, u64>> = BTreeMap::new();
    let same = refwatch_domain::same_persons(&data.links);
    let mut people: BTreeMap<PersonId, Vec<&Person>> = BTreeMap::new();
    for p in &data.persons {
        people.entry(same.leader(p.id)).or_default().push(p);
    }
    for records in people.values() {
        let mut pattern = 0u32;
        for (j, list) in lists.iter().enumerate() {
            if records.iter().any(|p| {
                p.citations
                    .iter()
                    .any(|c| c.source == *list || c.via == Some(*list))
            }) {
                pattern |= 1 << (k - 1 - j);
            }
        }
        if pattern == 0 {
            continue;
        }
        let year = records.iter().filter_map(|p| person_year(p, &years)).min();
        let sex = records.iter().find_map(|p| p.sex.as_ref());
        let label: Vec<String> = strata
            .iter()
            .map(|s| match s {
                StratumBy::Year => {
                    year.map_or_else(|| "unknown year".to_owned(), |y| y.to_string())
                }
                StratumBy::Sex => {
                    sex.map_or_else(|| "unknown sex".to_owned(), |t| t.code().to_owned())
                }
            })
            .collect();
        let label = if label.is_empty() {
            "all".to_owned()
        } else {
            label.join(" / ")
        };
        *out.entry(label).or_default().entry(pattern).or_default() += 1;
    }
    out
}
