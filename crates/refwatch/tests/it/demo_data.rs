//! The demo dataset: valid, fully cited, and quoting the seed documents
//! word for word.

use std::collections::HashMap;

use refwatch_domain::{Citation, SourceId, Vocabularies, validate};

use crate::support::seeds_dir;

const DEMO: &str = include_str!("../../demo/refwatch-demo.json");

/// The seed documents, by the key of the source record that stands for each.
const SEEDS: [(&str, &str); 5] = [
    ("key:src-cohen-2014", "000_"),
    ("key:src-cecc-2014", "001_"),
    ("key:src-piie-2014", "002_"),
    ("key:src-lee-2023", "003_"),
    ("key:src-open-letter-2024", "004_"),
];

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn seed_texts() -> HashMap<SourceId, String> {
    let dir = seeds_dir();
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "the seed documents are needed at {} (or set REFWATCH_SEEDS_DIR): {e}",
                dir.display()
            )
        })
        .map(|e| e.unwrap().path())
        .collect();
    SEEDS
        .iter()
        .map(|(key, prefix)| {
            let file = files
                .iter()
                .find(|f| f.file_name().unwrap().to_str().unwrap().starts_with(prefix))
                .unwrap_or_else(|| panic!("no seed file {prefix}* in {}", dir.display()));
            (
                key.parse().unwrap(),
                normalise(&std::fs::read_to_string(file).unwrap()),
            )
        })
        .collect()
}

#[test]
fn demo_dataset_is_valid() {
    let data = refwatch_interchange::parse(DEMO).unwrap();
    assert_eq!(validate(&data, &Vocabularies::builtin()), vec![]);
}

#[test]
fn every_fact_in_the_demo_has_a_citation_with_a_quote() {
    let data = refwatch_interchange::parse(DEMO).unwrap();
    let has_quote = |c: &[Citation]| c.iter().any(|c| !c.quote.trim().is_empty());
    for i in &data.incidents {
        let reports = i.reports.iter().all(|r| has_quote(&r.citations));
        assert!(
            (has_quote(&i.citations) || !i.reports.is_empty()) && reports,
            "incident {} lacks a quoted citation",
            i.title
        );
    }
    for f in &data.figures {
        assert!(
            has_quote(&f.citations),
            "figure {} lacks a quoted citation",
            f.id
        );
    }
    for m in &data.mechanisms {
        assert!(
            has_quote(&m.citations),
            "mechanism {} lacks a quoted citation",
            m.id
        );
    }
    for r in &data.upr_reviews {
        assert!(
            has_quote(&r.citations),
            "UPR review {} lacks a quoted citation",
            r.cycle
        );
    }
    for p in &data.persons {
        assert!(
            has_quote(&p.citations),
            "person {} lacks a quoted citation",
            p.id
        );
    }
    assert!(data.citations().count() >= 100);
}

#[test]
fn every_demo_quote_appears_in_its_seed_document() {
    let seeds = seed_texts();
    let data = refwatch_interchange::parse(DEMO).unwrap();
    let mut checked = 0;
    for c in data.citations() {
        // The words are those of the document we read: the seed itself, or
        // the seed through which a cited publication reached us.
        let read_in = c.via.unwrap_or(c.source);
        let seed = seeds
            .get(&read_in)
            .unwrap_or_else(|| panic!("citation {} is not read in a seed document", c.id));
        assert!(
            seed.contains(&normalise(&c.quote)),
            "citation {} quotes words not in its seed: {:?}",
            c.id,
            c.quote
        );
        checked += 1;
    }
    assert_eq!(checked, data.citations().count());
}

#[test]
fn demo_people_are_only_those_the_documents_name_and_are_not_public() {
    let data = refwatch_interchange::parse(DEMO).unwrap();
    let seeds = seed_texts();
    let all_seeds: String = seeds.values().cloned().collect::<Vec<_>>().join(" ");
    for p in &data.persons {
        assert_ne!(p.confidentiality, refwatch_domain::Confidentiality::Public);
        let identity = p
            .identity
            .as_ref()
            .expect("demo persons carry the names the documents publish");
        for name in [&identity.name_romanized, &identity.name_hangul]
            .into_iter()
            .flatten()
        {
            assert!(
                all_seeds.contains(name.as_str()),
                "a demo person's name is not published in the seeds"
            );
        }
        assert!(
            identity.birth_date.is_none()
                && identity.family_contacts.is_none()
                && identity.origin.is_none()
        );
    }
}
