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
    let rows = per_year_and_kind(&data, YearRange::default());
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
    let rows = per_year(&data, YearRange::default(), Some(Dimension::Sex));
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
    let plain = per_year_and_kind(&data, YearRange::default());
    assert_eq!(
        plain.iter().map(|r| r.incidents).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(plain[1].people_low, 125);
}
