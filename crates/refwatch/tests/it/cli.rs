//! The command line as a user runs it.

use serde_json::Value;

use crate::support::{DataDir, write_temp};

/// A small dataset file that refers to records of the demo dataset.
fn file_with_incident(incident: &str) -> String {
    format!(
        r#"{{"format": "refwatch-dataset", "version": 1,
            "sources": [{{"id": "key:test-source", "kind": "testimony", "title": "Generated interview", "confidentiality": "restricted"}}],
            "incidents": [{incident}]}}"#
    )
}

const GOOD_INCIDENT: &str = r#"{"id": "key:test-incident", "kind": "arrest", "title": "Generated arrest", "date": "2024-03",
    "places": [{"place": "key:pl-yanji", "role": "arrest"}],
    "victims": {"low": 2, "best": 3, "high": 4}, "verification": "single_source",
    "citations": [{"id": "key:test-cite", "source": "key:test-source", "locator": "interview notes, p. 2", "quote": "two or three people were taken"}]}"#;

#[test]
fn demo_reports_2023_repatriations_of_at_least_620() {
    let dir = DataDir::new();
    let out = dir.run_until(&["demo", "--listen", "127.0.0.1:0"], "refwatch is serving");
    assert!(out.contains("Loaded the demo dataset"), "{out}");
    assert!(
        out.contains("Administrator account: admin, one-time password: "),
        "{out}"
    );
    let json: Value = serde_json::from_str(&dir.ok(&[
        "stats", "--from", "2023", "--to", "2023", "--format", "json",
    ]))
    .unwrap();
    let rows = json["rows"].as_array().unwrap();
    assert!(rows.iter().all(|r| r["year"] == 2023));
    let repatriation = rows
        .iter()
        .find(|r| r["kind"] == "repatriation")
        .expect("a repatriation row for 2023");
    assert!(
        repatriation["people_low"].as_u64().unwrap() >= 620,
        "{repatriation}"
    );
    for key in ["incidents", "people_low", "people_best", "people_high"] {
        assert!(repatriation[key].is_u64(), "{key} missing");
    }
    // Running demo again reuses the data instead of loading it twice.
    let again = dir.run_until(&["demo", "--listen", "127.0.0.1:0"], "refwatch is serving");
    assert!(again.contains("Using the data already in"));
    assert!(
        !again.contains("one-time password"),
        "the password is shown once"
    );
}

#[test]
fn stats_formats_agree() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let json: Value = serde_json::from_str(&dir.ok(&["stats", "--format", "json"])).unwrap();
    let csv = dir.ok(&["stats", "--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("year,kind,value,incidents,people_low,people_best,people_high,high_open,incident_ids")
    );
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(lines.clone().count(), rows.len());
    for (line, row) in lines.zip(rows) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f[0], row["year"].to_string());
        assert_eq!(f[1], row["kind"].as_str().unwrap());
        assert_eq!(f[4], row["people_low"].to_string());
    }
    let table = dir.ok(&["stats", "--lang", "ko", "--from", "2023"]);
    assert!(table.contains("강제북송"), "{table}");
    assert!(
        !table.contains("2021"),
        "--from 2023 must leave out 2021:\n{table}"
    );
    let run = dir.run(&["stats", "--from", "2024", "--to", "2013"]);
    assert!(!run.success());
    assert!(run.stderr().contains("--from 2024 is after --to 2013"));
}

#[test]
fn export_import_export_is_byte_identical() {
    let first = DataDir::new();
    first.ok(&["init", "--demo"]);
    first.ok(&[
        "import",
        write_temp(
            &tempfile::tempdir().unwrap(),
            "a.json",
            &file_with_incident(GOOD_INCIDENT),
        )
        .to_str()
        .unwrap(),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("export.json");
    first.ok(&["export", "--out", out.to_str().unwrap()]);
    let exported = std::fs::read_to_string(&out).unwrap();

    let second = DataDir::new();
    second.ok(&["init"]);
    second.ok(&["import", out.to_str().unwrap()]);
    assert_eq!(second.export(), exported);
}

#[test]
fn a_good_import_adds_records_and_a_repeat_is_refused() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let tmp = tempfile::tempdir().unwrap();
    let file = write_temp(&tmp, "good.json", &file_with_incident(GOOD_INCIDENT));
    let out = dir.ok(&["import", file.to_str().unwrap()]);
    assert!(out.contains("Imported 1 sources"), "{out}");
    let before = dir.export();
    let run = dir.run(&["import", file.to_str().unwrap()]);
    assert!(!run.success());
    assert!(
        run.stderr()
            .contains("$.sources[0].id: a record with this id is already in the database"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr()
            .contains("$.incidents[0].id: a record with this id is already in the database")
    );
    assert_eq!(dir.export(), before);
}

#[test]
fn bad_imports_name_every_problem_and_change_nothing() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let before = dir.export();
    let tmp = tempfile::tempdir().unwrap();

    let dangling = GOOD_INCIDENT.replace("key:pl-yanji", "key:no-such-place");
    let low_above_high = GOOD_INCIDENT.replace(r#""low": 2"#, r#""low": 9"#);
    let unknown_term = GOOD_INCIDENT.replace(r#""kind": "arrest""#, r#""kind": "teleportation""#);
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "broken.json",
            "{\"format\": \"refwatch-dataset\", \"version\": 1, \"incidents\": [".to_owned(),
            vec!["$: the file is not valid JSON (line 1"],
        ),
        (
            "dangling.json",
            file_with_incident(&dangling),
            vec!["$.incidents[0].places[0].place: refers to place "],
        ),
        (
            "low-high.json",
            file_with_incident(&low_above_high),
            vec![
                "$.incidents[0].victims: low (9) is more than best (3)",
                "$.incidents[0].victims: low (9) is more than high (4)",
            ],
        ),
        (
            "unknown-term.json",
            file_with_incident(&unknown_term),
            vec!["$.incidents[0].kind: unknown incident_kind term \"teleportation\""],
        ),
    ];
    for (name, text, expected) in &cases {
        let file = write_temp(&tmp, name, text);
        let run = dir.run(&["import", file.to_str().unwrap()]);
        assert!(!run.success(), "{name} was accepted");
        let err = run.stderr();
        assert!(err.contains("nothing was changed"), "{name}: {err}");
        for e in expected {
            assert!(err.contains(e), "{name}: expected {e:?} in:\n{err}");
        }
        assert_eq!(dir.export(), before, "{name} changed the database");
    }

    // All of them in one file: every problem is listed, not just the first.
    let everything = format!(
        r#"{{"format": "refwatch-dataset", "version": 1,
            "sources": [{{"id": "key:test-source", "kind": "testimony", "title": "Generated interview"}}],
            "incidents": [{}, {}, {}]}}"#,
        dangling,
        low_above_high
            .replace("key:test-incident", "key:t2")
            .replace("key:test-cite", "key:c2"),
        unknown_term
            .replace("key:test-incident", "key:t3")
            .replace("key:test-cite", "key:c3"),
    );
    let run = dir.run(&[
        "import",
        write_temp(&tmp, "all.json", &everything).to_str().unwrap(),
    ]);
    assert!(!run.success());
    let err = run.stderr();
    assert!(err.contains("4 problem(s)"), "{err}");
    assert!(err.contains("$.incidents[0].places[0].place"));
    assert!(err.contains("$.incidents[1].victims"));
    assert!(err.contains("$.incidents[2].kind"));
    assert_eq!(dir.export(), before);
}

#[test]
fn import_of_a_missing_or_binary_file_says_so() {
    let dir = DataDir::new();
    dir.ok(&["init"]);
    let run = dir.run(&["import", "/nonexistent/file.json"]);
    assert!(!run.success());
    assert!(
        run.stderr().contains("cannot read /nonexistent/file.json"),
        "{}",
        run.stderr()
    );
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin.json");
    std::fs::write(&bin, [0xff, 0xfe, 0x00, 0x01]).unwrap();
    let run = dir.run(&["import", bin.to_str().unwrap()]);
    assert!(!run.success());
    assert!(
        run.stderr().contains("is not UTF-8 text"),
        "{}",
        run.stderr()
    );
}

#[test]
fn check_passes_on_demo_and_fails_on_records_broken_behind_the_stores_back() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let out = dir.ok(&["check"]);
    assert!(out.starts_with("ok: database integrity and "), "{out}");

    // A count whose low now exceeds its high.
    dir.sql(&[
        "UPDATE incident SET victims_low = victims_high + 1 WHERE title LIKE '80 North Koreans%'",
    ]);
    let run = dir.run(&["check"]);
    assert!(!run.success());
    assert!(
        run.stderr()
            .contains("victims: low (81) is more than high (80)"),
        "{}",
        run.stderr()
    );

    // A vocabulary term nobody knows.
    dir.sql(&["UPDATE incident SET kind = 'teleportation' WHERE title LIKE '40 North Koreans%'"]);
    assert!(
        dir.run(&["check"])
            .stderr()
            .contains("unknown incident_kind term \"teleportation\"")
    );

    // A foreign key broken with enforcement switched off.
    dir.sql(&["PRAGMA foreign_keys = OFF", "UPDATE incident_place SET place_id = 'gone' WHERE rowid = (SELECT MIN(rowid) FROM incident_place)"]);
    let err = dir.run(&["check"]).stderr();
    assert!(
        err.contains("a row in table incident_place refers to a missing row in table place"),
        "{err}"
    );

    // A value refwatch cannot read at all.
    dir.sql(&["UPDATE incident SET date = 'last tuesday' WHERE title LIKE '40 North Koreans%'"]);
    let err = dir.run(&["check"]).stderr();
    assert!(
        err.contains("damaged value in table incident, column date"),
        "{err}"
    );
    assert!(!err.contains("last tuesday"));
}

#[test]
fn init_refuses_a_data_directory_that_holds_data() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let before = dir.export();
    let run = dir.run(&["init", "--demo"]);
    assert!(!run.success());
    assert!(
        run.stderr().contains("already holds refwatch data"),
        "{}",
        run.stderr()
    );
    assert_eq!(dir.export(), before);
}

#[test]
fn commands_on_a_missing_data_directory_say_what_to_do() {
    let dir = DataDir::new();
    for args in [&["stats"][..], &["check"], &["export", "--out", "-"]] {
        let run = dir.run(args);
        assert!(!run.success());
        assert!(
            run.stderr()
                .contains("holds no refwatch database; run `refwatch init`"),
            "{args:?}: {}",
            run.stderr()
        );
    }
    assert!(
        !dir.path.exists(),
        "a read-only command must not create the data directory"
    );
}

#[test]
fn stats_by_sex_list_every_cells_incidents_and_citations_and_export_xlsx() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let json: Value = serde_json::from_str(&dir.ok(&[
        "stats", "--from", "2023", "--to", "2023", "--by", "sex", "--format", "json",
    ]))
    .unwrap();
    let rows = json["rows"].as_array().unwrap();
    let cell = |kind: &str, value: &str| {
        rows.iter()
            .find(|r| r["kind"] == kind && r["value"] == value)
            .cloned()
            .unwrap()
    };
    // JAL CHN 9/2023: at least 2,000 detained, about 1,400 of them women.
    let women = cell("detention", "female");
    assert_eq!(women["people_low"], 1400);
    let rest = cell("detention", "unknown");
    assert_eq!(
        rest["people_low"].as_u64().unwrap() + women["people_low"].as_u64().unwrap(),
        2200
    );
    // Every cell lists its incidents and the citations behind them, with quotes.
    for r in rows {
        assert!(!r["incident_ids"].as_array().unwrap().is_empty());
        let citations = r["citations"].as_array().unwrap();
        assert!(!citations.is_empty(), "{r}");
        assert!(
            citations
                .iter()
                .all(|c| !c["quote"].as_str().unwrap().is_empty()
                    && !c["locator"].as_str().unwrap().is_empty())
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let xlsx = tmp.path().join("stats.xlsx");
    dir.ok(&[
        "stats",
        "--by",
        "category",
        "--format",
        "xlsx",
        "--out",
        xlsx.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(&xlsx).unwrap();
    assert_eq!(&bytes[..2], b"PK", "an xlsx file is a zip archive");
    let run = dir.run(&["stats", "--format", "xlsx"]);
    assert!(
        run.stderr()
            .contains("--format xlsx writes a file: add --out FILE.xlsx")
    );
}
