use refwatch_domain::*;

use super::*;

fn incident(kind: &str, date: &str, low: u64, best: Option<u64>, high: Option<u64>) -> Incident {
    Incident {
        id: IncidentId::random(),
        kind: Term::new(kind),
        title: "t".into(),
        summary: String::new(),
        date: date.parse().unwrap(),
        places: vec![],
        actors: vec![],
        victims: Count { low, best, high },
        breakdown: vec![],
        verification: Term::new("single_source"),
        confidentiality: Confidentiality::Public,
        reports: vec![],
        citations: vec![],
    }
}

#[test]
fn sums_low_best_high_per_year_and_kind() {
    let data = [
        incident("repatriation", "2023-10-09", 500, Some(500), None),
        incident("repatriation", "2023-08-29", 80, Some(80), Some(80)),
        incident("repatriation", "2023-09-18", 40, None, Some(40)),
        incident("arrest", "2013-11-15", 13, None, Some(15)),
        incident("arrest", "~2013-11/2013-12", 5, Some(5), Some(5)),
        incident("detention", "2021-08-23", 1170, Some(1170), None),
    ];
    let rows = per_year_and_kind(&data, &SameGroups::from_pairs([]), YearRange::default());
    let got: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.year,
                r.kind.code().to_owned(),
                r.incidents,
                r.people_low,
                r.people_best,
                r.people_high,
                r.high_open,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (2013, "arrest".into(), 2, 18, 18, 20, false),
            (2021, "detention".into(), 1, 1170, 1170, 1170, true),
            (2023, "repatriation".into(), 3, 620, 620, 620, true),
        ]
    );
}

#[test]
fn year_range_is_inclusive() {
    let data = [
        incident("arrest", "2012", 1, None, None),
        incident("arrest", "2013", 2, None, None),
        incident("arrest", "2014-12-31", 3, None, None),
        incident("arrest", "2015-01-01", 4, None, None),
    ];
    let rows = per_year_and_kind(
        &data,
        &SameGroups::from_pairs([]),
        YearRange {
            from: Some(2013),
            to: Some(2014),
        },
    );
    assert_eq!(
        rows.iter().map(|r| r.year).collect::<Vec<_>>(),
        vec![2013, 2014]
    );
}

fn with_breakdown(mut i: Incident, parts: &[(Dimension, &str, Count)]) -> Incident {
    i.breakdown = parts
        .iter()
        .map(|(d, t, c)| BreakdownPart {
            dimension: *d,
            term: Term::new(*t),
            count: *c,
        })
        .collect();
    i
}

#[test]
fn breakdown_cells_are_exact_and_an_incident_with_several_reports_counts_once() {
    let mut a = with_breakdown(
        incident("repatriation", "2021-07-14", 45, Some(50), None),
        &[(
            Dimension::Sex,
            "female",
            Count {
                low: 30,
                best: Some(35),
                high: None,
            },
        )],
    );
    // Two accounts of the same return: one incident.
    for (n, low) in [(1, 51), (2, 45)] {
        a.reports.push(IncidentReport {
            id: ReportId::random(),
            date: None,
            victims: Some(Count {
                low,
                best: Some(low),
                high: None,
            }),
            summary: format!("account {n}"),
            citations: vec![],
        });
    }
    let b = incident("repatriation", "2021-09", 80, Some(80), Some(80));
    let c = with_breakdown(
        incident("detention", "2021-08-23", 2000, Some(2000), None),
        &[(
            Dimension::Sex,
            "female",
            Count {
                low: 1400,
                best: Some(1400),
                high: None,
            },
        )],
    );
    let data = [a.clone(), b.clone(), c.clone()];
    let rows = per_year(
        &data,
        &SameGroups::from_pairs([]),
        YearRange::default(),
        Some(Dimension::Sex),
    );
    let got: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.kind.code().to_owned(),
                r.value.as_ref().unwrap().code().to_owned(),
                r.incidents,
                r.people_low,
                r.people_best,
                r.people_high,
                r.high_open,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "detention".into(),
                "female".into(),
                1,
                1400,
                1400,
                1400,
                true
            ),
            ("detention".into(), "unknown".into(), 1, 600, 600, 600, true),
            ("repatriation".into(), "female".into(), 1, 30, 35, 35, true),
            ("repatriation".into(), "unknown".into(), 2, 95, 95, 95, true),
        ]
    );
    assert_eq!(rows[3].incident_ids, vec![a.id, b.id]);
    // Without a breakdown the incident with two reports still counts once.
    let plain = per_year_and_kind(&data, &SameGroups::from_pairs([]), YearRange::default());
    assert_eq!(
        plain.iter().map(|r| r.incidents).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(plain[1].people_low, 125);
}

fn same(a: &Incident, b: &Incident) -> LinkDecision {
    LinkDecision {
        pair: LinkPair::incidents(a.id, b.id).unwrap(),
        verdict: Verdict::Same,
    }
}

#[test]
fn incidents_decided_the_same_event_count_once_with_every_source_listed() {
    // July 2021 as two outlets told it ("over 50" and "nearly 50"), the
    // same again from a third; October 2023 twice ("at least 500", "over
    // 500"); and an unrelated 2023 incident, decided different from one.
    let over_50 = incident("repatriation", "2021-07-14", 50, None, None);
    let nearly_50 = incident("repatriation", "2021-07", 45, Some(48), Some(50));
    let third = incident("repatriation", "2021-07-15", 40, Some(50), Some(60));
    let at_least_500 = incident("repatriation", "2023-10-09", 500, Some(500), None);
    let over_500 = incident("repatriation", "2023-10-09", 501, Some(600), None);
    let other = incident("repatriation", "2023-08-29", 80, Some(80), Some(80));
    let mut data = Dataset {
        incidents: vec![
            over_50.clone().into(),
            nearly_50.clone().into(),
            third.clone().into(),
            at_least_500.clone().into(),
            over_500.clone().into(),
            other.clone().into(),
        ],
        links: vec![
            same(&over_50, &nearly_50),
            same(&third, &nearly_50),
            same(&over_500, &at_least_500),
            LinkDecision {
                pair: LinkPair::incidents(other.id, at_least_500.id).unwrap(),
                verdict: Verdict::Different,
            },
        ],
        ..Dataset::default()
    };
    let cells = |rows: &[YearKindRow]| {
        rows.iter()
            .map(|r| {
                (
                    r.year,
                    r.incidents,
                    r.people_low,
                    r.people_best,
                    r.people_high,
                    r.high_open,
                )
            })
            .collect::<Vec<_>>()
    };
    let rows = per_year_in(&data, YearRange::default(), None);
    // 2021: one event; low = max(50, 45, 40), best = max(50, 48, 50),
    // high open ("over 50"). 2023: the October event once (low 501, best
    // 600, open) plus August's 80.
    assert_eq!(
        cells(&rows),
        vec![(2021, 1, 50, 50, 50, true), (2023, 2, 581, 680, 680, true)]
    );
    assert_eq!(
        rows[0].incident_ids,
        vec![over_50.id, nearly_50.id, third.id]
    );
    assert_eq!(rows[1].incident_ids.len(), 3);
    // Undecided, every report counts.
    data.links.clear();
    assert_eq!(
        cells(&per_year_in(&data, YearRange::default(), None)),
        vec![
            (2021, 3, 135, 148, 160, true),
            (2023, 3, 1081, 1180, 1180, true)
        ]
    );
}

#[test]
fn a_group_with_bounded_counts_takes_the_largest_high() {
    let a = incident("arrest", "2013-11-15", 13, None, Some(15));
    let b = incident("arrest", "2013-11-16", 9, Some(12), Some(20));
    let data = Dataset {
        incidents: vec![a.clone().into(), b.clone().into()],
        links: vec![same(&a, &b)],
        ..Dataset::default()
    };
    let rows = per_year_in(&data, YearRange::default(), None);
    assert_eq!(
        (
            rows[0].incidents,
            rows[0].people_low,
            rows[0].people_best,
            rows[0].people_high,
            rows[0].high_open
        ),
        (1, 13, 13, 20, false)
    );
}

fn listed(sex: &str, year: &str, lists: &[SourceId]) -> Person {
    Person {
        id: PersonId::random(),
        identity: None,
        sex: Some(Term::new(sex)),
        birth_year: None,
        age_group: None,
        origin_place: None,
        category: None,
        timeline: vec![StatusEvent {
            date: year.parse().unwrap(),
            status: Term::new("detained"),
            place: None,
            incident: None,
            citation: None,
        }],
        incidents: vec![],
        consent_public: false,
        consent: None,
        confidentiality: Confidentiality::Restricted,
        citations: lists
            .iter()
            .map(|&source| Citation {
                id: CitationId::random(),
                source,
                via: None,
                locator: "list".into(),
                quote: "listed".into(),
                note: None,
            })
            .collect(),
    }
}

#[test]
fn persons_decided_the_same_are_one_person_on_every_list_they_are_on() {
    let lists = [SourceId::random(), SourceId::random(), SourceId::random()];
    // One woman on list 0 (2019) and, as another record, on list 1 (2020);
    // a man on lists 1 and 2; a woman on list 2 only.
    let first = listed("female", "2020", &lists[1..2]);
    let again = listed("female", "2019", &lists[..1]);
    let man = listed("male", "2020", &lists[1..]);
    let other = listed("female", "2020", &lists[2..]);
    let mut data = Dataset {
        persons: vec![
            first.clone().into(),
            again.clone().into(),
            man.into(),
            other.into(),
        ],
        links: vec![LinkDecision {
            pair: LinkPair::persons(first.id, again.id).unwrap(),
            verdict: Verdict::Same,
        }],
        ..Dataset::default()
    };
    let patterns = capture_patterns(&data, &lists, &[StratumBy::Year, StratumBy::Sex]);
    let expected: BTreeMap<String, BTreeMap<u32, u64>> = [
        ("2019 / female".to_owned(), [(0b110, 1)].into()),
        ("2020 / female".to_owned(), [(0b001, 1)].into()),
        ("2020 / male".to_owned(), [(0b011, 1)].into()),
    ]
    .into();
    assert_eq!(patterns, expected);
    // Decided different (or undecided), the records are two people.
    data.links[0].verdict = Verdict::Different;
    let patterns = capture_patterns(&data, &lists, &[]);
    assert_eq!(
        patterns["all"],
        [(0b100, 1), (0b010, 1), (0b011, 1), (0b001, 1)].into()
    );
}

#[test]
fn rows_kept_up_to_date_one_incident_at_a_time_equal_rows_counted_anew() {
    let kinds = ["repatriation", "arrest", "detention"];
    let all: Vec<Incident> = (0..60u64)
        .map(|n| {
            let high = (n % 3 != 0).then_some(n + 10);
            let mut i = incident(
                kinds[n as usize % 3],
                &format!("{}-0{}", 2010 + n % 7, 1 + n % 9),
                n,
                Some(n + 2),
                high,
            );
            if n % 4 == 0 {
                i = with_breakdown(i, &[(Dimension::Sex, "female", Count::exact(n / 2))]);
            }
            i
        })
        .collect();
    let none = refwatch_domain::same_incidents(&[]);
    for by in [None, Some(Dimension::Sex)] {
        let mut kept = year_rows(&all, &none, YearRange::default(), by);
        // Take some away, change some (the open high included), add some.
        let mut now = all.clone();
        for n in [3usize, 10, 11, 40] {
            kept.remove(&now[n], &[now[n].id]);
        }
        for n in [40usize, 11, 10, 3] {
            now.remove(n);
        }
        for n in [0usize, 5, 6] {
            kept.remove(&now[n], &[now[n].id]);
            now[n].victims = Count {
                low: 7,
                best: None,
                high: None,
            };
            now[n].date = "2009-12".parse().unwrap();
            kept.add(&now[n], &[now[n].id]);
        }
        let added = incident("arrest", "2016-05-02", 9, Some(9), Some(9));
        kept.add(&added, &[added.id]);
        now.push(added);
        let anew = per_year(&now, &none, YearRange::default(), by);
        let sorted = |rows: Vec<YearKindRow>| {
            rows.into_iter()
                .map(|mut r| {
                    r.incident_ids.sort();
                    r
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(sorted(kept.rows()), sorted(anew));
    }
}
