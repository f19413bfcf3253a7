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
fn narrowest(
    persons: &[impl std::borrow::Borrow<Person>],
    years: &HashMap<IncidentId, i32>,
) -> (Option<Interval>, usize) {
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
        consent: None,
        confidentiality: Confidentiality::Restricted,
        citations: Vec::new(),
    }
}

#[test]
fn two_hundred_generated_datasets_give_no_hidden_cell_away() {
    let mut hidden = 0;
    let mut widths = Vec::new();
    for set in 0..200 {
        let (persons, years) = refwatch_synth::table_people(set, 29);
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
