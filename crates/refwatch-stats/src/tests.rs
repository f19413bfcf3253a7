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
