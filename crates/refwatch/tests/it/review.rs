//! `refwatch link run|review|accept|reject|undo|split` on a data
//! directory: generated people on three lists, some written twice (in
//! Hangul on one list, romanised on another); once their records are
//! decided the same, estimation counts each person once.

use serde_json::Value;

use crate::support::{DataDir, write_temp};

const SURNAMES: [(&str, &str); 4] = [("김", "Kim"), ("박", "Park"), ("최", "Choi"), ("한", "Han")];
const SYLLABLES: [(&str, &str); 6] = [
    ("서", "seo"),
    ("하", "ha"),
    ("윤", "yun"),
    ("민", "min"),
    ("지", "ji"),
    ("우", "u"),
];

/// Generated person `n`'s name in Hangul and romanised, and birth year.
fn generated(n: usize) -> (String, String, i32) {
    let (sh, sr) = SURNAMES[n % 4];
    let (ah, ar) = SYLLABLES[(n / 4) % 6];
    let (bh, br) = SYLLABLES[(n / 24 + n) % 6];
    (
        format!("{sh}{ah}{bh}"),
        format!("{sr} {ar}-{br}"),
        1960 + (n as i32 * 7) % 40,
    )
}

/// 30 people: the first 10 on list 1 (Hangul) and again, as another
/// record, on list 2 (romanised); 10 on list 1 only; 10 on list 3 only.
/// Returns the file and the names written.
fn people() -> (String, Vec<String>) {
    let sources: Vec<String> = (1..=3)
        .map(|i| {
            format!(
                r#"{{"id": "key:list-{i}", "kind": "ngo_report", "title": "Generated list {i}"}}"#
            )
        })
        .collect();
    let mut persons = Vec::new();
    let mut names = Vec::new();
    let mut record = |n: usize, list: usize, name_field: &str, name: &str, year: i32| {
        let id = persons.len();
        persons.push(format!(
            r#"{{"id": "key:rec-{id}", "identity": {{"{name_field}": "{name}"}}, "sex": "female", "birth_year": {year}, "timeline": [{{"date": "2023", "status": "repatriated"}}], "confidentiality": "restricted", "citations": [{{"id": "key:c-{id}", "source": "key:list-{list}", "locator": "row {n}", "quote": "listed"}}]}}"#
        ));
    };
    for n in 0..30 {
        let (hangul, roman, year) = generated(n);
        let list = if n < 20 { 1 } else { 3 };
        record(n, list, "name_hangul", &hangul, year);
        if n < 10 {
            record(n, 2, "name_romanized", &roman, year);
            names.push(roman.clone());
        }
        names.push(hangul);
    }
    (
        format!(
            r#"{{"format": "refwatch-dataset", "version": 1, "sources": [{}], "persons": [{}]}}"#,
            sources.join(","),
            persons.join(",")
        ),
        names,
    )
}

/// How many people the lists document, as `estimate` counts them (it says
/// so also when it refuses to estimate: before any link, nobody is on
/// two lists).
fn observed(dir: &DataDir) -> u64 {
    let run = dir.run(&[
        "estimate",
        "--lists",
        "key:list-1,key:list-2,key:list-3",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&run.stdout()).unwrap();
    v["strata"][0]["observed"].as_u64().unwrap()
}

/// The undecided pairs a review lists, as (a, b).
fn undecided(review: &str) -> Vec<(String, String)> {
    review
        .lines()
        .filter(|l| l.ends_with("undecided"))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[2].to_owned(), f[3].to_owned())
        })
        .collect()
}

#[test]
fn reviewed_links_make_each_person_count_once_and_can_be_undone() {
    let dir = DataDir::new();
    dir.ok(&["init"]);
    let tmp = tempfile::tempdir().unwrap();
    let (file, names) = people();
    dir.ok(&[
        "import",
        write_temp(&tmp, "people.json", &file).to_str().unwrap(),
    ]);
    assert_eq!(observed(&dir), 40, "40 records, no decisions yet");

    let run = dir.ok(&["link", "run", "person"]);
    assert!(run.contains("40 persons compared"), "{run}");
    let review = dir.ok(&["link", "review", "person", "--limit", "100"]);
    let pairs = undecided(&review);
    assert_eq!(pairs.len(), 10, "{review}");
    // The explanation names levels and weights, never a name.
    assert!(review.contains("name: same reading"), "{review}");
    for name in &names {
        assert!(!review.contains(name.as_str()) && !run.contains(name.as_str()));
    }

    for (a, b) in &pairs {
        let out = dir.ok(&["link", "accept", "person", a, b]);
        assert!(out.contains("statistics now count them once"), "{out}");
    }
    assert_eq!(observed(&dir), 30, "each person once");
    let review = dir.ok(&["link", "review", "person"]);
    assert!(review.contains("Nothing left to review"), "{review}");
    let all = dir.ok(&["link", "review", "person", "--all"]);
    assert_eq!(all.matches("decided: same").count(), 10, "{all}");

    // Undone three ways: rejected, taken back, split out.
    dir.ok(&["link", "reject", "person", &pairs[0].1, &pairs[0].0]);
    dir.ok(&["link", "undo", "person", &pairs[1].0, &pairs[1].1]);
    let split = dir.ok(&["link", "split", "person", &pairs[2].0]);
    assert!(split.contains("1 decision(s) changed"), "{split}");
    assert_eq!(observed(&dir), 33);
    // A rejected pair stays rejected on the next run.
    dir.ok(&["link", "run", "person"]);
    let all = dir.ok(&["link", "review", "person", "--all", "--limit", "100"]);
    assert_eq!(all.matches("decided: different").count(), 2, "{all}");
    assert_eq!(undecided(&all).len(), 1, "{all}");

    // Every decision is in the audit log, which still verifies.
    let log = dir.ok(&["audit", "show", "--action", "link_same"]);
    assert_eq!(log.lines().filter(|l| l.contains("link_same")).count(), 10);
    dir.ok(&["audit", "verify"]);
}

#[test]
fn mistyped_decisions_say_what_to_do_and_change_nothing() {
    let dir = DataDir::new();
    dir.ok(&["init"]);
    let tmp = tempfile::tempdir().unwrap();
    dir.ok(&[
        "import",
        write_temp(&tmp, "people.json", &people().0)
            .to_str()
            .unwrap(),
    ]);
    let review = dir.run(&["link", "review", "person"]);
    assert!(!review.success());
    assert!(
        review
            .stderr()
            .contains("run `refwatch link run person` first"),
        "{}",
        review.stderr()
    );
    dir.ok(&["link", "run", "person"]);
    let (a, b) = undecided(&dir.ok(&["link", "review", "person"]))[0].clone();
    for (args, says) in [
        (vec!["accept", "person", &a, &a], "two different person ids"),
        (
            vec!["accept", "person", &a, "not-an-id"],
            "two different person ids",
        ),
        (
            vec![
                "accept",
                "person",
                &a,
                "00000000-0000-4000-8000-000000000000",
            ],
            "no such pair of records",
        ),
        (
            vec!["accept", "incident", &a, &b],
            "no such pair of records",
        ),
        (vec!["split", "person", "nobody"], "no person with this id"),
        (vec!["run", "person", "--threshold", "2"], "between 0 and 1"),
    ] {
        let mut full: Vec<&str> = vec!["link"];
        full.extend(args.iter().copied());
        let run = dir.run(&full);
        assert!(!run.success(), "{full:?}");
        assert!(run.stderr().contains(says), "{full:?}: {}", run.stderr());
    }
    assert_eq!(observed(&dir), 40, "nothing was decided");
    let without_key = dir.run_with(&["link", "accept", "person", &a, &b], &[]);
    assert!(!without_key.success());
    assert!(without_key.stderr().contains("--key-file"));
}
