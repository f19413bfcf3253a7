use refwatch_domain::{IncidentId, LinkDecision, LinkPair, Verdict};

use super::*;

fn problems(text: &str) -> Vec<String> {
    match parse(text) {
        Ok(_) => vec![],
        Err(list) => list
            .iter()
            .map(|p| format!("{}: {}", json_path(&p.path), p.message))
            .collect(),
    }
}

const SOURCE: &str = r#"{"id":"key:s1","kind":"media","title":"T"}"#;

fn file(incidents: &str) -> String {
    format!(
        r#"{{"format":"refwatch-dataset","version":1,"sources":[{SOURCE}],"incidents":[{incidents}]}}"#
    )
}

const GOOD: &str = r#"{"id":"key:i1","kind":"arrest","title":"x","date":"2013-11-02","victims":{"low":17,"best":17,"high":17},"verification":"single_source","citations":[{"id":"key:c1","source":"key:s1","locator":"fn. 27","quote":"a total of 17"}]}"#;

#[test]
fn a_good_file_reads_and_writes_back_identically() {
    let data = parse(&file(GOOD)).unwrap();
    assert_eq!(data.incidents.len(), 1);
    let once = to_json(&data);
    let twice = to_json(&parse(&once).unwrap());
    assert_eq!(once, twice);
}

#[test]
fn broken_json_names_line_and_column() {
    let p = problems("{\n  \"format\": \"refwatch-dataset\",\n  oops\n}");
    assert_eq!(p.len(), 1);
    assert!(
        p[0].starts_with("$: the file is not valid JSON (line 3, column 3)"),
        "{p:?}"
    );
}

#[test]
fn every_bad_record_is_listed_with_its_path() {
    let bad_date = GOOD.replace("2013-11-02", "2013-11-31");
    let bad_type = GOOD.replace(r#""low":17"#, r#""low":"seventeen""#);
    let unknown_field = GOOD.replace(r#""title":"x""#, r#""titel":"x""#);
    let bad_ref = GOOD.replace(r#""source":"key:s1""#, r#""source":"s1""#);
    let p = problems(&file(
        &[GOOD, &bad_date, &bad_type, &unknown_field, &bad_ref].join(","),
    ));
    assert_eq!(p.len(), 4, "{p:#?}");
    assert!(p[0].starts_with(
        "$.incidents[1].date: \"2013-11-31\" is not a valid date: no such calendar date"
    ));
    assert!(p[1].starts_with("$.incidents[2].victims.low: invalid type: string \"seventeen\""));
    assert!(p[2].starts_with("$.incidents[3]"), "{}", p[2]);
    assert!(p[2].contains("unknown field `titel`"));
    assert!(
        p[3].starts_with("$.incidents[4].citations[0].source: \"s1\" is not a valid source id")
    );
}

#[test]
fn wrong_format_and_unknown_top_level_fields_are_reported() {
    let p = problems(r#"{"format":"other","version":2,"incidnets":[]}"#);
    assert_eq!(p.len(), 3, "{p:?}");
    assert!(p[0].starts_with("$.format: must be \"refwatch-dataset\""));
    assert!(p[1].starts_with("$.version:"));
    assert!(p[2].starts_with("$.incidnets: unknown top-level field"));
}

#[test]
fn mechanism_kinds_need_their_fields() {
    let text = r#"{"format":"refwatch-dataset","version":1,"mechanisms":[
        {"id":"key:m1","kind":"upr_recommendation","date":"2013-10-22","text":"t"},
        {"id":"key:m2","kind":"petition","date":"2013","text":"t"}]}"#;
    let p = problems(text);
    assert_eq!(p.len(), 3, "{p:?}");
    assert!(
        p[0].starts_with("$.mechanisms[0].review: a upr_recommendation record needs \"review\"")
    );
    assert!(p[1].starts_with("$.mechanisms[0].state:"));
    assert!(p[2].starts_with("$.mechanisms[1].kind: \"petition\" is not a mechanism kind"));
}

#[test]
fn link_decisions_read_write_back_and_bad_ones_are_named() {
    let second = GOOD.replace("key:i1", "key:i2").replace("key:c1", "key:c2");
    let with = |links: &str| {
        format!(
            r#"{{"format":"refwatch-dataset","version":1,"sources":[{SOURCE}],"incidents":[{GOOD},{second}],"links":[{links}]}}"#
        )
    };
    let data = parse(&with(
        r#"{"kind":"incident","a":"key:i2","b":"key:i1","verdict":"same"}"#,
    ))
    .unwrap();
    let i1: IncidentId = "key:i1".parse().unwrap();
    let i2: IncidentId = "key:i2".parse().unwrap();
    assert_eq!(
        data.links,
        vec![LinkDecision {
            pair: LinkPair::incidents(i1, i2).unwrap(),
            verdict: Verdict::Same,
        }]
    );
    let once = to_json(&data);
    assert!(once.contains("\"links\""));
    assert_eq!(to_json(&parse(&once).unwrap()), once);
    // No links, no "links" key: older files stay byte-identical.
    assert!(!to_json(&parse(&file(GOOD)).unwrap()).contains("\"links\""));
    let found = problems(&with(
        r#"{"kind":"place","a":"key:i1","b":"key:i2","verdict":"same"},
           {"kind":"incident","a":"key:i1","b":"key:i1","verdict":"same"},
           {"kind":"incident","a":"key:i1","b":"key:i2","verdict":"maybe"},
           {"kind":"person","a":"not an id","b":"key:i2","verdict":"same"}"#,
    ));
    assert_eq!(found.len(), 4, "{found:?}");
    assert!(found[0].starts_with("$.links[0].kind"), "{found:?}");
    assert!(found[1].contains("cannot be linked to itself"), "{found:?}");
    assert!(found[2].starts_with("$.links[2].verdict"), "{found:?}");
    assert!(found[3].starts_with("$.links[3].a"), "{found:?}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Export, import and export again give the same file, and the same
    /// records, for generated datasets of every size the generator makes.
    #[test]
    fn export_import_export_is_the_same_file(
        seed in 0u64..1_000_000,
        incidents in 0usize..60,
        persons in 0usize..40,
        places in 1usize..6,
    ) {
        let base = refwatch_synth::base(places);
        let mut data = refwatch_synth::generate(
            &base,
            &refwatch_synth::Spec { incidents, persons, seed },
        );
        data.sources.extend(base.sources.iter().cloned());
        data.places.extend(base.places.iter().cloned());
        data.actors.extend(base.actors.iter().cloned());
        data.upr_reviews.extend(base.upr_reviews.iter().cloned());
        data.mechanisms.extend(base.mechanisms.iter().cloned());
        data.sort();
        let first = crate::to_json(&data);
        let read = crate::parse(&first).map_err(|p| proptest::test_runner::TestCaseError::fail(format!("{p:?}")))?;
        proptest::prop_assert_eq!(&read, &data);
        proptest::prop_assert_eq!(crate::to_json(&read), first);
    }
}

/// The API's record schemas come from the wire types: every record kind
/// and what it refers to, each field the file format has.
#[test]
fn record_schemas_are_made_from_the_wire_types() {
    let schemas = crate::record_schemas();
    let names: Vec<&str> = schemas.iter().map(|(n, _)| n.as_str()).collect();
    for kind in [
        "Source",
        "Place",
        "Actor",
        "Incident",
        "Person",
        "Mechanism",
        "Figure",
        "Citation",
        "Count",
        "Consent",
        "ImplementationNote",
    ] {
        assert!(names.contains(&kind), "{kind}: {names:?}");
    }
    let incident =
        serde_json::to_value(&schemas.iter().find(|(n, _)| n == "Incident").unwrap().1).unwrap();
    for field in [
        "id",
        "kind",
        "title",
        "date",
        "victims",
        "verification",
        "citations",
    ] {
        assert!(
            incident["properties"].get(field).is_some(),
            "{field}: {incident}"
        );
    }
    assert_eq!(
        incident["additionalProperties"], false,
        "unknown fields are refused: {incident}"
    );
}
