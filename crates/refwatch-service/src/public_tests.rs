//! The public tables against an attacker with a solver: over the demo and
//! over generated datasets, no hidden cell is narrowed below the threshold.

use std::collections::HashMap;

use refwatch_disclosure::{Interval, attack, protect_linked};
use refwatch_domain::{Confidentiality, IncidentId, Person, PersonId, PersonIncident, Term};
use refwatch_stats::incident_years;

use crate::public::people_tables;

const THRESHOLD: u64 = 5;

/// The narrowest hidden cell over the three linked tables, and how many
/// cells were hidden.
fn narrowest(persons: &[Person], years: &HashMap<IncidentId, i32>) -> (Option<Interval>, usize) {
    let counts = people_tables(persons, years);
    let published = protect_linked(&counts, THRESHOLD).unwrap();
    let hidden = published.iter().map(|p| p.hidden()).sum();
    let worst = attack(&published)
        .unwrap()
        .into_iter()
        .min_by_key(Interval::width);
    (worst, hidden)
}

#[test]
fn the_demo_tables_give_no_hidden_cell_away() {
    let demo = refwatch_interchange::parse(include_str!("../../refwatch/demo/refwatch-demo.json"))
        .unwrap();
    let (worst, hidden) = narrowest(&demo.persons, &incident_years(&demo));
    assert!(hidden > 0, "the demo has small counts to hide");
    let worst = worst.unwrap();
    assert!(worst.width() >= THRESHOLD, "{worst:?}");
}

#[test]
fn people_with_no_value_are_counted_as_unknown() {
    let incident = IncidentId::from_uuid(uuid::Uuid::from_u128(1));
    let years = HashMap::from([(incident, 2010)]);
    let mut p = person(0, incident);
    p.age_group = None;
    p.sex = Some(Term::new("not-a-code"));
    let tables = people_tables(&[p], &years);
    for t in &tables {
        assert_eq!(t.cols.last().map(String::as_str), Some("unknown"));
        assert_eq!(t.cells[0].last(), Some(&1), "{:?}", t.cols);
    }
}

fn person(n: u128, incident: IncidentId) -> Person {
    Person {
        id: PersonId::from_uuid(uuid::Uuid::from_u128(n)),
        identity: None,
        sex: None,
        birth_year: None,
        age_group: None,
        origin_place: None,
        category: None,
        timeline: Vec::new(),
        incidents: vec![PersonIncident {
            incident,
            role: Term::new("victim"),
        }],
        consent_public: false,
        confidentiality: Confidentiality::Restricted,
        citations: Vec::new(),
    }
}

/// A small deterministic generator: no clock, no randomness from outside.
struct Xorshift(u64);

impl Xorshift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    /// One of `codes`, skewed to the first, or none at times.
    fn term(&mut self, codes: &[&str]) -> Option<Term> {
        if self.below(8) == 0 {
            return None;
        }
        let n = codes.len() as u64;
        Some(Term::new(codes[self.below(n).min(self.below(n)) as usize]))
    }
}

#[test]
fn two_hundred_generated_datasets_give_no_hidden_cell_away() {
    let mut rng = Xorshift(0x9e37_79b9_7f4a_7c15);
    let mut hidden = 0;
    let mut widths = Vec::new();
    for set in 0..200 {
        // From a handful of people to a few hundred, over up to 25 years;
        // some years hold one or two people.
        let people = 1 + rng.below([8, 40, 300][set % 3]);
        let span = 1 + rng.below(25) as i32;
        let incidents: Vec<(IncidentId, i32)> = (0..=span)
            .map(|k| {
                let id = IncidentId::from_uuid(uuid::Uuid::from_u128(1000 + k as u128));
                (id, 2000 + k)
            })
            .collect();
        let persons: Vec<Person> = (0..people)
            .map(|n| {
                // Early years busy, later ones sparse.
                let k = rng
                    .below(incidents.len() as u64)
                    .min(rng.below(incidents.len() as u64));
                let mut p = person(u128::from(n), incidents[k as usize].0);
                p.sex = rng.term(&["female", "male", "unknown"]);
                p.age_group = rng.term(&["adult", "youth", "child", "older"]);
                p.category = rng.term(&[
                    "dprk_national",
                    "china_born_child",
                    "rok_pow_family",
                    "abductee_family",
                ]);
                if rng.below(20) == 0 {
                    p.incidents.clear(); // year unknown
                }
                p
            })
            .collect();
        let years: HashMap<IncidentId, i32> = incidents.into_iter().collect();
        let (worst, h) = narrowest(&persons, &years);
        hidden += h;
        if let Some(worst) = worst {
            assert!(worst.width() >= THRESHOLD, "set {set}: {worst:?}");
            widths.push(worst.width());
        }
    }
    assert!(
        hidden > 1000,
        "the sets have small counts to hide ({hidden})"
    );
    assert!(widths.len() > 150, "most sets hide something");
}
