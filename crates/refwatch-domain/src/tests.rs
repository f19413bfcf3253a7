use super::*;

fn cite(source: SourceId) -> Citation {
    Citation {
        id: CitationId::random(),
        source,
        via: None,
        locator: "p. 1".into(),
        quote: "some exact words".into(),
        note: None,
    }
}

/// A small dataset that breaks no rule.
fn valid() -> Dataset {
    let source = Source {
        id: SourceId::random(),
        kind: Term::new("media"),
        title: "A report".into(),
        publisher: None,
        author: None,
        date: Some("2023-10-12".parse().unwrap()),
        language: Some("en".into()),
        url: None,
        symbol: None,
        reliability: Some(Term::new("b")),
        confidentiality: Confidentiality::Public,
        note: None,
    };
    let place = Place {
        id: PlaceId::random(),
        kind: Term::new("city"),
        name_en: "Shenyang".into(),
        name_ko: Some("선양".into()),
        name_zh: Some("沈阳".into()),
        country: Some("CN".into()),
        parent: None,
        coordinates: Some(Coordinates {
            lat: 41.8,
            lon: 123.4,
            precision: CoordPrecision::City,
        }),
    };
    let incident = Incident {
        id: IncidentId::random(),
        kind: Term::new("repatriation"),
        title: "Returned".into(),
        summary: "People returned".into(),
        date: "2023-10-09".parse().unwrap(),
        places: vec![PlaceLink {
            place: place.id,
            role: Term::new("departure"),
        }],
        actors: vec![],
        victims: Count {
            low: 500,
            best: Some(500),
            high: None,
        },
        breakdown: vec![],
        verification: Term::new("single_source"),
        confidentiality: Confidentiality::Public,
        reports: vec![],
        citations: vec![cite(source.id)],
    };
    Dataset {
        sources: vec![source],
        places: vec![place],
        incidents: vec![incident.into()],
        ..Dataset::default()
    }
}

/// Runs validation after `break_it` and returns the problems as `path: message` lines.
fn check(break_it: impl FnOnce(&mut Dataset)) -> Vec<String> {
    let mut data = valid();
    break_it(&mut data);
    validate(&data, &Vocabularies::builtin())
        .iter()
        .map(|p| p.to_string())
        .collect()
}

#[test]
fn the_valid_dataset_has_no_problems() {
    assert_eq!(check(|_| {}), Vec::<String>::new());
}

#[test]
fn low_above_best_or_high_is_reported() {
    let problems = check(|d| {
        std::sync::Arc::make_mut(&mut d.incidents[0]).victims = Count {
            low: 20,
            best: Some(10),
            high: Some(15),
        }
    });
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("incidents[0].victims: low (20) is more than best (10)"));
    assert!(problems[1].starts_with("incidents[0].victims: low (20) is more than high (15)"));
}

#[test]
fn best_above_high_is_reported() {
    let problems = check(|d| {
        std::sync::Arc::make_mut(&mut d.incidents[0]).victims = Count {
            low: 1,
            best: Some(16),
            high: Some(15),
        }
    });
    assert_eq!(
        problems,
        vec!["incidents[0].victims: best (16) is more than high (15); best must not exceed high"]
    );
}

#[test]
fn breakdown_exceeding_high_is_reported() {
    let problems = check(|d| {
        let inc = std::sync::Arc::make_mut(&mut d.incidents[0]);
        inc.victims = Count {
            low: 13,
            best: None,
            high: Some(15),
        };
        for sex in ["female", "male"] {
            inc.breakdown.push(BreakdownPart {
                dimension: Dimension::Sex,
                term: Term::new(sex),
                count: Count::exact(8),
            });
        }
        // Another dimension within bounds is not a problem.
        inc.breakdown.push(BreakdownPart {
            dimension: Dimension::AgeGroup,
            term: Term::new("child"),
            count: Count::exact(1),
        });
    });
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("incidents[0].breakdown: the sex parts add up to at least 16 people, more than the incident's high count (15)"));
}

#[test]
fn date_range_ending_before_start_is_refused() {
    assert_eq!(
        "2013-11-19/2013-11-02".parse::<DateValue>(),
        Err(DateError::EndsBeforeStart)
    );
    assert_eq!(
        "2014/2013-12".parse::<DateValue>(),
        Err(DateError::EndsBeforeStart)
    );
    // Overlapping precisions are fine: a month range that ends in the same month.
    assert!("2013-11/2013-11-30".parse::<DateValue>().is_ok());
}

#[test]
fn dates_keep_their_precision_and_round_trip() {
    for text in [
        "2023",
        "2023-10",
        "2023-10-09",
        "~2005",
        "2013-11-02/2013-11-19",
        "~2020-01/2021-08-23",
    ] {
        let d: DateValue = text.parse().unwrap();
        assert_eq!(d.to_string(), text);
    }
    let d: DateValue = "2023-10".parse().unwrap();
    assert_eq!(d.start().precision(), Precision::Month);
    for bad in [
        "2023-13",
        "2023-02-30",
        "23-10-09",
        "2023/10/09",
        "",
        "2023-1-9",
        "~",
    ] {
        assert!(bad.parse::<DateValue>().is_err(), "{bad} should be refused");
    }
    assert!("2024-02-29".parse::<DateValue>().is_ok());
    assert!("2023-02-29".parse::<DateValue>().is_err());
}

#[test]
fn citation_without_quote_or_locator_is_reported() {
    let problems = check(|d| {
        std::sync::Arc::make_mut(&mut d.incidents[0]).citations[0].quote = "  ".into();
        std::sync::Arc::make_mut(&mut d.incidents[0]).citations[0].locator = String::new();
    });
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].starts_with(
            "incidents[0].citations[0].quote: a citation needs the exact quoted words"
        )
    );
    assert!(problems[1].starts_with("incidents[0].citations[0].locator:"));
}

#[test]
fn fact_without_citation_is_reported() {
    let problems = check(|d| {
        std::sync::Arc::make_mut(&mut d.incidents[0])
            .citations
            .clear()
    });
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].starts_with("incidents[0].citations: every fact needs at least one citation")
    );
}

#[test]
fn link_to_missing_record_is_reported() {
    let ghost_place = PlaceId::random();
    let ghost_source = SourceId::random();
    let problems = check(|d| {
        std::sync::Arc::make_mut(&mut d.incidents[0]).places[0].place = ghost_place;
        std::sync::Arc::make_mut(&mut d.incidents[0]).citations[0].source = ghost_source;
    });
    assert_eq!(
        problems,
        vec![
            format!(
                "incidents[0].places[0].place: refers to place {ghost_place}, which does not exist in the data"
            ),
            format!(
                "incidents[0].citations[0].source: refers to source {ghost_source}, which does not exist in the data"
            ),
        ]
    );
}

#[test]
fn unknown_vocabulary_term_is_reported_with_the_known_ones() {
    let problems =
        check(|d| std::sync::Arc::make_mut(&mut d.incidents[0]).kind = Term::new("teleportation"));
    assert_eq!(problems.len(), 1);
    assert!(problems[0].starts_with(
        "incidents[0].kind: unknown incident_kind term \"teleportation\"; use one of: "
    ));
    assert!(problems[0].contains("repatriation"));
}

#[test]
fn duplicate_ids_are_reported() {
    let problems = check(|d| {
        let copy = d.incidents[0].clone();
        d.incidents.push(copy);
    });
    // The copy repeats the incident's id and its citation's id.
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("incidents[1].id: id "));
    assert!(problems[0].contains("(first at incidents[0].id)"));
    assert!(problems[1].starts_with("incidents[1].citations[0].id: id "));
}

#[test]
fn every_problem_is_listed_not_just_the_first() {
    let problems = check(|d| {
        std::sync::Arc::make_mut(&mut d.incidents[0]).kind = Term::new("nope");
        std::sync::Arc::make_mut(&mut d.incidents[0]).verification = Term::new("nope");
        d.places[0].coordinates = Some(Coordinates {
            lat: 91.0,
            lon: 0.0,
            precision: CoordPrecision::Exact,
        });
    });
    assert_eq!(problems.len(), 3, "{problems:?}");
}

#[test]
fn keys_map_to_stable_ids_and_bad_ids_are_refused() {
    let a: IncidentId = "key:oct-9-2023".parse().unwrap();
    let b: IncidentId = "key:oct-9-2023".parse().unwrap();
    assert_eq!(a, b);
    let again: IncidentId = a.to_string().parse().unwrap();
    assert_eq!(a, again);
    for bad in [
        "key:",
        "key:has space",
        "not-a-uuid",
        "6f2b1c3e8a9d4f7e8b1c2d3e4f5a6b7c",
    ] {
        assert!(bad.parse::<IncidentId>().is_err(), "{bad}");
    }
}

#[test]
fn identity_debug_output_is_redacted() {
    let mut id = PersonIdentity::default();
    id.name_hangul = Some("홍길동".into());
    let shown = format!("{id:?}");
    assert!(!shown.contains("홍길동"));
    assert_eq!(shown, "PersonIdentity(<redacted>)");
}

#[test]
fn builtin_vocabularies_have_both_labels() {
    let v = Vocabularies::builtin();
    for vocab in Vocabulary::ALL {
        assert!(v.codes(vocab).count() > 0, "{vocab} is empty");
    }
    let t = Term::new("repatriation");
    assert_eq!(v.label(Vocabulary::IncidentKind, &t, Lang::Ko), "강제북송");
    assert_eq!(
        v.label(Vocabulary::IncidentKind, &t, Lang::En),
        "Forced repatriation"
    );
}

#[test]
fn vocabulary_file_errors_name_the_line() {
    let err = Vocabularies::parse("# c\nsex\tfemale\tFemale\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "vocabulary file line 2: expected four tab-separated fields"
    );
    let err = Vocabularies::parse("sex\ta\tA\tㄱ\nsex\ta\tA\tㄱ\n").unwrap_err();
    assert_eq!(err.to_string(), "vocabulary file line 2: duplicate code");
}

#[test]
fn additions_are_checked_against_existing_records_with_paths_into_the_addition() {
    let existing = valid();
    let mut incoming = Dataset::default();
    let mut clash = (*existing.incidents[0]).clone();
    clash.title = "again".into();
    let mut ok = (*existing.incidents[0]).clone();
    ok.id = IncidentId::random();
    ok.citations[0].id = CitationId::random();
    let mut bad = ok.clone();
    bad.id = IncidentId::random();
    bad.kind = Term::new("nope");
    bad.citations[0].id = CitationId::random();
    incoming.incidents = vec![ok.into(), clash.into(), bad.into()];
    let problems: Vec<String> = validate_addition(&existing, &incoming, &Vocabularies::builtin())
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(
        problems[0]
            .starts_with("incidents[1].id: a record with this id is already in the database")
    );
    assert!(
        problems[1].starts_with("incidents[1].citations[0].id: a record with this id is already")
    );
    assert!(problems[2].starts_with("incidents[2].kind: unknown incident_kind term"));
}

#[test]
fn timestamps_print_as_rfc3339_utc() {
    assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00Z");
    assert_eq!(Timestamp(951_782_400).to_string(), "2000-02-29T00:00:00Z");
    assert_eq!(Timestamp(1_795_442_709).to_string(), "2026-11-23T14:05:09Z");
    assert_eq!(Timestamp(-1).to_string(), "1969-12-31T23:59:59Z");
    assert_eq!(Timestamp(1_795_442_709).year(), 2026);
    assert_eq!(Timestamp(-1).year(), 1969);
}

#[test]
fn dates_count_their_first_day_from_1970_and_agree_with_timestamps() {
    let day = |text: &str| text.parse::<PartialDate>().unwrap().first_day_number();
    assert_eq!(day("1970-01-01"), 0);
    assert_eq!(day("2023-10-09"), 19_639);
    assert_eq!(
        day("2024-03-01") - day("2024-02-28"),
        2,
        "2024 is a leap year"
    );
    assert_eq!(day("1969-12-31"), -1);
    assert_eq!(day("2023"), day("2023-01-01"));
    // The same day as the timestamp's calendar: a day number and back.
    for n in [-1_000_i64, 0, 11_016, 19_639, 20_415] {
        let printed = Timestamp(n * 86_400).to_string();
        assert_eq!(day(&printed[..10]), n, "{printed}");
        // And from a day number back to the date.
        let date = PartialDate::from_day_number(n);
        assert_eq!(date.to_string(), printed[..10], "{n}");
        assert_eq!(date.precision(), Precision::Day);
    }
    assert_eq!(
        PartialDate::from_day_number(19_782).to_string(),
        "2024-02-29"
    );
}

#[test]
fn places_are_named_in_korean_when_they_have_a_korean_name() {
    let mut p = valid().places.remove(0);
    assert_eq!(p.name(Lang::Ko), "선양");
    assert_eq!(p.name(Lang::En), "Shenyang");
    p.name_ko = None;
    assert_eq!(p.name(Lang::Ko), "Shenyang");
}

#[test]
fn groups_follow_chains_of_same_and_do_not_depend_on_the_order_of_decisions() {
    let ids: Vec<IncidentId> = (0..6).map(|_| IncidentId::random()).collect();
    let same = |a: usize, b: usize| LinkDecision {
        pair: LinkPair::incidents(ids[a], ids[b]).unwrap(),
        verdict: Verdict::Same,
    };
    let mut links = vec![
        same(0, 1),
        same(2, 1),
        same(3, 4),
        LinkDecision {
            pair: LinkPair::incidents(ids[4], ids[5]).unwrap(),
            verdict: Verdict::Different,
        },
    ];
    let expected = {
        let mut g = vec![
            {
                let mut v = vec![ids[0], ids[1], ids[2]];
                v.sort();
                v
            },
            {
                let mut v = vec![ids[3], ids[4]];
                v.sort();
                v
            },
        ];
        g.sort();
        g
    };
    let groups = same_incidents(&links);
    assert_eq!(groups.groups(), expected);
    assert_eq!(groups.leader(ids[2]), groups.leader(ids[0]));
    assert_eq!(groups.leader(ids[5]), ids[5], "decided different: alone");
    links.reverse();
    assert_eq!(same_incidents(&links).groups(), expected);
    assert!(same_persons(&links).is_empty());
    assert!(LinkPair::incidents(ids[0], ids[0]).is_none());
    assert_eq!(
        LinkPair::incidents(ids[1], ids[0]),
        LinkPair::incidents(ids[0], ids[1])
    );
}

#[test]
fn the_incidents_changed_between_two_copies_are_found_by_pointer() {
    use std::collections::BTreeSet;
    use std::sync::Arc;
    let template = (*valid().incidents[0]).clone();
    let make = || {
        let mut i = template.clone();
        i.id = IncidentId::random();
        Arc::new(i)
    };
    let mut old = Dataset {
        incidents: (0..40).map(|_| make()).collect(),
        ..Dataset::default()
    };
    old.sort();
    // Every mix of additions, removals and replacements at the edges and
    // in the middle, one by one and together.
    for plan in 0..64u32 {
        let mut new = old.clone();
        let mut expected = BTreeSet::new();
        if plan & 1 != 0 {
            expected.insert(new.incidents.remove(0).id);
        }
        if plan & 2 != 0 {
            expected.insert(new.incidents.pop().unwrap().id);
        }
        if plan & 4 != 0 {
            let at = new.incidents.len() / 2;
            expected.insert(new.incidents.remove(at).id);
        }
        if plan & 8 != 0 {
            let edited = Arc::make_mut(&mut new.incidents[10]);
            edited.title = "Edited".into();
            expected.insert(edited.id);
        }
        if plan & 16 != 0 {
            for _ in 0..3 {
                let added = make();
                expected.insert(added.id);
                new.incidents.push(added);
            }
        }
        if plan & 32 != 0 {
            let edited = Arc::make_mut(&mut new.incidents[11]);
            edited.title = "Edited too".into();
            expected.insert(edited.id);
        }
        new.sort();
        let found: BTreeSet<_> = new
            .incidents_changed_from(&old)
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(found, expected, "plan {plan:06b}");
    }
    // Anything else changed: no answer.
    let mut other = old.clone();
    other.sources.push(valid().sources[0].clone());
    assert_eq!(other.incidents_changed_from(&old), None);
}

/// A date as the curation rules write one: a year, a month or a day, alone
/// or as a range, exact or approximate (`~`).
fn date_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let part = (1900i32..=2100, 0u8..=12, 0u8..=31).prop_map(|(y, m, d)| match (m, d) {
        (0, _) => format!("{y:04}"),
        (m, 0) => format!("{y:04}-{m:02}"),
        (m, d) => format!("{y:04}-{m:02}-{d:02}"),
    });
    (any::<bool>(), part.clone(), proptest::option::of(part)).prop_map(|(approx, a, b)| {
        let tilde = if approx { "~" } else { "" };
        match b {
            Some(b) => format!("{tilde}{a}/{b}"),
            None => format!("{tilde}{a}"),
        }
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3_000))]

    /// A date that reads is printed exactly as it was written and reads
    /// back the same; one that does not read says why, whatever it is.
    #[test]
    fn dates_print_as_written_and_read_back(text in date_text()) {
        match text.parse::<DateValue>() {
            Ok(date) => {
                proptest::prop_assert_eq!(date.to_string(), text.clone());
                proptest::prop_assert_eq!(date.to_string().parse::<DateValue>(), Ok(date));
                let (first, last) = (date.start().first_day(), date.end().unwrap_or(date.start()).last_day());
                proptest::prop_assert!(first <= last);
            }
            Err(e) => proptest::prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn any_text_either_reads_or_is_refused_without_panicking(text in "\\PC{0,24}") {
        if let Ok(date) = text.parse::<DateValue>() {
            proptest::prop_assert_eq!(date.to_string().parse::<DateValue>(), Ok(date));
        }
    }
}
