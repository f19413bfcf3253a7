use super::*;
use refwatch_domain::{Vocabularies, validate_addition};

fn base() -> Dataset {
    super::base(1)
}

#[test]
fn generated_records_are_valid_additions_to_their_base() {
    let base = base();
    let made = generate(
        &base,
        &Spec {
            incidents: 300,
            persons: 200,
            seed: 1,
        },
    );
    assert_eq!(made.incidents.len(), 300);
    assert_eq!(made.persons.len(), 200);
    let problems = validate_addition(&base, &made, &Vocabularies::builtin());
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn the_same_seed_gives_the_same_records_and_another_seed_others() {
    let base = base();
    let spec = Spec {
        incidents: 50,
        persons: 20,
        seed: 7,
    };
    assert_eq!(generate(&base, &spec), generate(&base, &spec));
    assert_ne!(
        generate(&base, &spec),
        generate(&base, &Spec { seed: 8, ..spec })
    );
}

#[test]
fn persons_are_never_less_protected_than_their_incident() {
    let base = base();
    let made = generate(
        &base,
        &Spec {
            incidents: 100,
            persons: 500,
            seed: 3,
        },
    );
    let levels: std::collections::HashMap<_, _> = made
        .incidents
        .iter()
        .map(|i| (i.id, i.confidentiality))
        .collect();
    for p in &made.persons {
        assert!(p.confidentiality >= levels[&p.incidents[0].incident]);
        assert!(p.identity.as_ref().is_some_and(|i| !i.is_empty()));
    }
    let levels: std::collections::HashSet<_> =
        made.incidents.iter().map(|i| i.confidentiality).collect();
    assert_eq!(levels.len(), 3, "every level is generated");
}

#[test]
fn a_generated_base_is_valid_on_its_own() {
    let base = super::base(5);
    assert_eq!((base.places.len(), base.actors.len()), (5, 5));
    let problems = refwatch_domain::validate(&base, &Vocabularies::builtin());
    assert!(problems.is_empty(), "{problems:?}");
}

/// The generated Korean lists: the first in Hangul, the second in
/// romanisations and in the forms of Chinese documents (Chinese
/// characters, pinyin), and every one of a person's Chinese forms reads
/// as the Hangul name does.
#[test]
fn korean_lists_write_names_in_hangul_romanised_and_chinese_forms() {
    let (a, b) = korean_lists(3_000, 7);
    let rows = |text: &str| -> Vec<Vec<String>> {
        text.lines()
            .skip(1)
            .map(|l| l.splitn(8, ',').map(str::to_owned).collect())
            .collect()
    };
    let (a, b) = (rows(&a), rows(&b));
    assert!(
        a.len() > 1_800 && b.len() > 1_800,
        "{} {}",
        a.len(),
        b.len()
    );
    let hangul_by_person: std::collections::HashMap<&str, &str> =
        a.iter().map(|r| (r[1].as_str(), r[2].as_str())).collect();
    let is_han = |c: char| matches!(u32::from(c), 0x4E00..=0x9FFF);
    let (mut han, mut latin, mut checked) = (0, 0, 0);
    for r in &b {
        let name = &r[2];
        assert!(!name.chars().any(|c| ('가'..='힣').contains(&c)));
        if name.chars().all(is_han) {
            han += 1;
        } else {
            latin += 1;
        }
        if let Some(hangul) = hangul_by_person.get(r[1].as_str())
            && name.chars().all(is_han)
        {
            let c = refwatch_names::compare(hangul, name);
            assert!(
                c.agreement >= refwatch_names::Agreement::SameReading,
                "a person's Chinese-character name does not read as the Hangul one"
            );
            checked += 1;
        }
    }
    // About a tenth of the second list comes from Chinese documents, half
    // of those in characters.
    assert!(
        han > b.len() / 40 && han < b.len() / 10,
        "{han} of {}",
        b.len()
    );
    assert!(latin > b.len() * 8 / 10);
    assert!(checked > 30);
    // The first list is all Hangul.
    assert!(
        a.iter()
            .all(|r| r[2].chars().all(|c| ('가'..='힣').contains(&c)))
    );
    // Birth dates are real days, or only years, or missing; origins are
    // paths of a province and maybe a town; detention dates are real days.
    let (mut days, mut years, mut towns) = (0, 0, 0);
    for r in a.iter().chain(&b) {
        let (born, origin, detained) = (&r[3], &r[5], &r[7]);
        match born.len() {
            0 => {}
            4 => years += 1,
            _ => {
                let date: refwatch_domain::PartialDate = born.parse().unwrap();
                assert_eq!(date.precision(), refwatch_domain::Precision::Day);
                days += 1;
            }
        }
        assert!(origin.split('/').count() <= 2, "{origin}");
        towns += usize::from(origin.contains('/'));
        if !detained.is_empty() {
            let date: refwatch_domain::PartialDate = detained.parse().unwrap();
            assert!((2000..2027).contains(&date.get_year()));
        }
    }
    let rows = a.len() + b.len();
    assert!(
        days > rows / 2 && years > rows / 5,
        "{days} {years} of {rows}"
    );
    assert!(towns > rows / 2 && towns < rows, "{towns} of {rows}");
}

#[test]
fn checking_against_the_records_referred_to_finds_what_checking_against_all_finds() {
    use std::sync::Arc;
    let base = base();
    let mut existing = generate(
        &base,
        &Spec {
            incidents: 400,
            persons: 200,
            seed: 3,
        },
    );
    existing.sources.extend(base.sources.iter().cloned());
    existing.places.extend(base.places.iter().cloned());
    existing.actors.extend(base.actors.iter().cloned());
    existing
        .upr_reviews
        .extend(base.upr_reviews.iter().cloned());
    existing.sort();
    let mut incoming = generate(
        &base,
        &Spec {
            incidents: 60,
            persons: 40,
            seed: 4,
        },
    );
    let vocab = Vocabularies::builtin();
    let context = refwatch_domain::context_for(&existing, &incoming);
    assert!(context.incidents.len() < existing.incidents.len() / 4);
    assert_eq!(
        validate_addition(&existing, &incoming, &vocab),
        validate_addition(&context, &incoming, &vocab)
    );
    // Broken the ways a file can be: an id used again, references to
    // records that are not there, a link to a missing person.
    let reused = Arc::make_mut(&mut incoming.incidents[0]);
    reused.id = existing.incidents[7].id;
    Arc::make_mut(&mut incoming.incidents[1]).places[0].place = refwatch_domain::PlaceId::random();
    Arc::make_mut(&mut incoming.incidents[2]).citations[0].source =
        refwatch_domain::SourceId::random();
    let person = Arc::make_mut(&mut incoming.persons[0]);
    person.id = existing.persons[3].id;
    let person = Arc::make_mut(&mut incoming.persons[1]);
    person.incidents[0].incident = refwatch_domain::IncidentId::random();
    let whole = validate_addition(&existing, &incoming, &vocab);
    let context = refwatch_domain::context_for(&existing, &incoming);
    assert!(whole.len() >= 5, "{whole:?}");
    assert_eq!(whole, validate_addition(&context, &incoming, &vocab));
}

/// The five-source lists are the same for a seed, hold what their rules
/// say (every source, both stages, the North's spellings, swapped and
/// dropped syllables, ages, months), one person on several rows, and a
/// tag for every rendering.
#[test]
fn five_source_lists_render_what_their_rules_say() {
    let text = crate::sources::records(3_000, 7);
    assert_eq!(text, crate::sources::records(3_000, 7));
    assert_ne!(text, crate::sources::records(3_000, 8));
    let mut reader = csv_rows(&text);
    let header = reader.remove(0);
    assert_eq!(header.join(",") + "\n", crate::sources::HEADER);
    assert_eq!(reader.len(), 3_000);
    let column = |name: &str| header.iter().position(|h| h == name).unwrap_or(usize::MAX);
    let (source, tags, truth) = (column("source"), column("tags"), column("truth"));
    let all_tags: String = reader.iter().map(|r| r[tags].clone() + ";").collect();
    for tag in [
        "script=hangul_north",
        "script=latin",
        "script=hanzi",
        "script=pinyin",
        "name=swapped",
        "name=dropped",
        "birth=age",
        "date=month",
        "place=none",
        "event=repatriation",
        "event=arrest",
    ] {
        assert!(all_tags.contains(tag), "no {tag}");
    }
    for name in ["seoul_ngo", "international_ngo", "news", "family", "police"] {
        assert!(reader.iter().any(|r| r[source] == name), "no {name}");
    }
    let people: std::collections::BTreeSet<&str> =
        reader.iter().map(|r| r[truth].as_str()).collect();
    assert!(
        people.len() * 5 < reader.len() * 4,
        "most people are on more than one row"
    );
}

/// CSV rows split as a reader would (quoted cells hold commas).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| {
            let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
            for c in line.chars() {
                match c {
                    '"' => quoted = !quoted,
                    ',' if !quoted => cells.push(std::mem::take(&mut cell)),
                    c => cell.push(c),
                }
            }
            cells.push(cell);
            cells
        })
        .collect()
}
