//! Linkage through the protected core: runs compare identities inside it,
//! reviewers see levels and weights only, decisions are audited, change no
//! record, show only to readers of both records and count in statistics.

use std::sync::Arc;

use refwatch_domain::*;
use refwatch_policy::{Principal, Role};
use refwatch_storage::SqliteStore;

use crate::tests::{incident, key, person, source};
use crate::*;

/// Generated surnames and given-name syllables with their Revised
/// Romanization: no real person's name.
const SURNAMES: [(&str, &str); 4] = [("김", "Kim"), ("박", "Park"), ("최", "Choi"), ("한", "Han")];
const SYLLABLES: [(&str, &str); 6] = [
    ("서", "seo"),
    ("하", "ha"),
    ("윤", "yun"),
    ("민", "min"),
    ("지", "ji"),
    ("우", "u"),
];

/// One generated person written twice: once in Hangul, once romanised.
fn twice(n: usize, level: Confidentiality) -> [Person; 2] {
    let (sh, sr) = SURNAMES[n % SURNAMES.len()];
    let (g1h, g1r) = SYLLABLES[n % SYLLABLES.len()];
    let (g2h, g2r) = SYLLABLES[(n / SYLLABLES.len() + n + 1) % SYLLABLES.len()];
    let hangul = format!("{sh}{g1h}{g2h}");
    let roman = format!("{sr} {g1r}-{g2r}");
    let person = |name_hangul: Option<String>, name_romanized: Option<String>| {
        let mut identity = PersonIdentity::default();
        identity.name_hangul = name_hangul;
        identity.name_romanized = name_romanized;
        Person {
            identity: Some(identity),
            birth_year: Some(1980 + (n as i32 % 17)),
            ..person(level)
        }
    };
    [person(Some(hangul), None), person(None, Some(roman))]
}

struct Setup {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    key: refwatch_keys::KekSource,
    /// Pairs of records of one generated person, restricted.
    restricted: Vec<[PersonId; 2]>,
    /// One confidential pair.
    confidential: [PersonId; 2],
    /// The names written, to look for where they must not be.
    names: Vec<String>,
    incidents: [IncidentId; 3],
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let key = key();
    let store = SqliteStore::open(&path).await.unwrap();
    let service = Service::create_keys(store, &key, Arc::new(SystemClock))
        .await
        .unwrap();
    let mut persons = Vec::new();
    let mut restricted = Vec::new();
    for n in 0..12 {
        let pair = twice(n, Confidentiality::Restricted);
        restricted.push([pair[0].id, pair[1].id]);
        persons.extend(pair);
    }
    let secret = twice(40, Confidentiality::Confidential);
    let confidential = [secret[0].id, secret[1].id];
    persons.extend(secret);
    let names = persons
        .iter()
        .filter_map(|p| p.identity.as_ref())
        .flat_map(|i| [i.name_hangul.clone(), i.name_romanized.clone()])
        .flatten()
        .collect();
    // Three reports of arrests: two of one event (a day apart, counts
    // overlapping), one a year later.
    let s = source();
    let mut a = incident(s.id, Confidentiality::Public);
    a.date = "2024-02-03".parse().unwrap();
    a.victims = Count {
        low: 40,
        best: None,
        high: None,
    };
    let mut b = incident(s.id, Confidentiality::Public);
    b.date = "2024-02-04".parse().unwrap();
    b.victims = Count {
        low: 45,
        best: Some(48),
        high: Some(50),
    };
    let mut c = incident(s.id, Confidentiality::Public);
    c.date = "2025-06-01".parse().unwrap();
    c.victims = Count::exact(3);
    let incidents = [a.id, b.id, c.id];
    service
        .import(&Dataset {
            sources: vec![s],
            incidents: vec![a.into(), b.into(), c.into()],
            persons: persons.into_iter().map(std::sync::Arc::new).collect(),
            ..Dataset::default()
        })
        .await
        .unwrap();
    service.into_store().close().await;
    Setup {
        _dir: dir,
        path,
        key,
        restricted,
        confidential,
        names,
        incidents,
    }
}

async fn acting(s: &Setup, principal: Principal) -> Service<SqliteStore> {
    crate::tests::open_as(&s.path, &s.key, principal).await
}

fn pair(ids: [PersonId; 2]) -> LinkPair {
    LinkPair::persons(ids[0], ids[1]).unwrap()
}

#[tokio::test]
async fn a_run_finds_people_across_scripts_and_shows_levels_never_names() {
    let s = setup().await;
    let analyst = acting(&s, Principal::Account(Role::Analyst)).await;
    let report = analyst
        .run_linkage(LinkKind::Person, LinkOptions::default())
        .await
        .unwrap();
    // The run compares all 26; the analyst is told of the 24 they may read.
    assert_eq!(report.run.records, 24);
    let review = analyst
        .link_review(LinkKind::Person)
        .await
        .unwrap()
        .unwrap();
    let suggested: Vec<LinkPair> = review.items.iter().map(|i| i.suggestion.pair).collect();
    let found = s
        .restricted
        .iter()
        .filter(|ids| suggested.contains(&pair(**ids)))
        .count();
    assert!(found >= 11, "{found} of 12 people found again: {review:#?}");
    // The analyst sees nothing of the confidential pair, though the run
    // compared it.
    assert!(!suggested.contains(&pair(s.confidential)));
    let editor = acting(&s, Principal::Account(Role::Editor)).await;
    let all = editor.link_review(LinkKind::Person).await.unwrap().unwrap();
    assert!(
        all.items
            .iter()
            .any(|i| i.suggestion.pair == pair(s.confidential))
    );
    // Explanations carry levels and weights: the names agree "same
    // reading", and no name appears anywhere in what a reviewer gets.
    let item = &review.items[0];
    let name = &item.suggestion.explanation[0];
    assert_eq!(name.field, "name");
    assert!(matches!(
        name.level.as_deref(),
        Some("same reading" | "identical")
    ));
    assert!(name.weight > 0.0);
    let shown = format!("{review:?}{all:?}");
    for n in &s.names {
        assert!(!shown.contains(n.as_str()), "a name shows in the review");
    }
    // Nor in the database file as plaintext: suggestions hold levels only.
    analyst.into_store().close().await;
    editor.into_store().close().await;
    let raw = std::fs::read(&s.path).unwrap();
    for n in &s.names {
        let bytes = n.as_bytes();
        assert!(
            !raw.windows(bytes.len()).any(|w| w == bytes),
            "a name is stored in the clear"
        );
    }
}

#[tokio::test]
async fn decisions_are_audited_never_change_records_and_can_be_taken_back() {
    let s = setup().await;
    let analyst = acting(&s, Principal::Account(Role::Analyst)).await;
    let before = analyst.dataset().await.unwrap();
    let one = pair(s.restricted[0]);
    let two = pair(s.restricted[1]);
    analyst.decide_link(one, Some(Verdict::Same)).await.unwrap();
    analyst.decide_link(two, Some(Verdict::Same)).await.unwrap();
    let after = analyst.dataset().await.unwrap();
    assert_eq!(after.persons, before.persons, "records are untouched");
    assert_eq!(after.links.len(), 2);
    // A merge undone: rejected, then taken back entirely.
    analyst
        .decide_link(one, Some(Verdict::Different))
        .await
        .unwrap();
    analyst.decide_link(two, None).await.unwrap();
    let now = analyst.dataset().await.unwrap();
    assert_eq!(
        now.links,
        vec![LinkDecision {
            pair: one,
            verdict: Verdict::Different
        }]
    );
    // Split: a record taken out of its group of three.
    let [a, b] = s.restricted[2];
    let [c, _] = s.restricted[3];
    analyst
        .decide_link(LinkPair::persons(a, b).unwrap(), Some(Verdict::Same))
        .await
        .unwrap();
    analyst
        .decide_link(LinkPair::persons(b, c).unwrap(), Some(Verdict::Same))
        .await
        .unwrap();
    let changed = analyst
        .split_link(LinkKind::Person, &b.to_string())
        .await
        .unwrap();
    assert_eq!(changed.len(), 2);
    let groups = same_persons(&analyst.dataset().await.unwrap().links);
    assert!(groups.is_empty());
    // Every decision is in the audit log, by pair id, without values.
    analyst.into_store().close().await;
    let admin = acting(&s, Principal::Account(Role::Administrator)).await;
    let log = admin.audit_entries().await.unwrap();
    let actions: Vec<&str> = log
        .iter()
        .filter(|e| e.event.action.starts_with("link_"))
        .map(|e| e.event.action.as_str())
        .collect();
    assert_eq!(
        actions,
        vec![
            "link_same",
            "link_same",
            "link_different",
            "link_undo",
            "link_same",
            "link_same",
            "link_different",
            "link_different"
        ]
    );
    assert!(admin.verify_audit().await.unwrap().findings.is_empty());
}

#[tokio::test]
async fn who_may_run_review_and_decide_follows_the_policy() {
    let s = setup().await;
    let one = pair(s.restricted[0]);
    let viewer = acting(&s, Principal::Account(Role::Viewer)).await;
    assert!(matches!(
        viewer
            .run_linkage(LinkKind::Person, LinkOptions::default())
            .await,
        Err(ServiceError::Denied(_))
    ));
    assert!(matches!(
        viewer.decide_link(one, Some(Verdict::Same)).await,
        Err(ServiceError::Denied(_))
    ));
    assert!(
        viewer
            .link_review(LinkKind::Person)
            .await
            .unwrap()
            .is_none()
    );
    let public = acting(&s, Principal::Public).await;
    assert!(matches!(
        public.link_review(LinkKind::Incident).await,
        Err(ServiceError::Denied(_))
    ));
    // An analyst cannot decide on (or learn of) a confidential pair: the
    // answer is the same as for a pair that does not exist.
    let analyst = acting(&s, Principal::Account(Role::Analyst)).await;
    let hidden = analyst
        .decide_link(pair(s.confidential), Some(Verdict::Same))
        .await
        .unwrap_err()
        .to_string();
    let ghost = analyst
        .decide_link(
            LinkPair::persons(PersonId::random(), PersonId::random()).unwrap(),
            Some(Verdict::Same),
        )
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(hidden, ghost);
    let bad = analyst
        .run_linkage(LinkKind::Person, LinkOptions { threshold: 1.5 })
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("between 0 and 1"), "{bad}");
    // A decision on a confidential pair made by an editor is not among
    // the analyst's links.
    let editor = acting(&s, Principal::Account(Role::Editor)).await;
    editor
        .decide_link(pair(s.confidential), Some(Verdict::Same))
        .await
        .unwrap();
    assert!(analyst.dataset().await.unwrap().links.is_empty());
    assert_eq!(editor.dataset().await.unwrap().links.len(), 1);
}

#[tokio::test]
async fn incidents_reported_twice_are_suggested_and_once_decided_count_once() {
    let s = setup().await;
    let editor = acting(&s, Principal::Account(Role::Editor)).await;
    let report = editor
        .run_linkage(LinkKind::Incident, LinkOptions { threshold: 0.3 })
        .await
        .unwrap();
    assert_eq!(report.run.records, 3);
    let [a, b, c] = s.incidents;
    let review = editor
        .link_review(LinkKind::Incident)
        .await
        .unwrap()
        .unwrap();
    let reported_twice = LinkPair::incidents(a, b).unwrap();
    let suggested: Vec<LinkPair> = review.items.iter().map(|i| i.suggestion.pair).collect();
    assert!(suggested.contains(&reported_twice), "{review:#?}");
    assert!(!suggested.contains(&LinkPair::incidents(a, c).unwrap()));
    let count = |data: &Dataset| {
        refwatch_stats::per_year_in(data, refwatch_stats::YearRange::default(), None)
            .iter()
            .map(|r| (r.year, r.incidents, r.people_low))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        count(&editor.dataset().await.unwrap()),
        vec![(2024, 2, 85), (2025, 1, 3)]
    );
    editor
        .decide_link(reported_twice, Some(Verdict::Same))
        .await
        .unwrap();
    assert_eq!(
        count(&editor.dataset().await.unwrap()),
        vec![(2024, 1, 45), (2025, 1, 3)]
    );
    // The decision is a label on the next run: the pair stays, decided.
    editor
        .run_linkage(LinkKind::Incident, LinkOptions { threshold: 0.3 })
        .await
        .unwrap();
    let review = editor
        .link_review(LinkKind::Incident)
        .await
        .unwrap()
        .unwrap();
    let item = review
        .items
        .iter()
        .find(|i| i.suggestion.pair == reported_twice)
        .unwrap();
    assert_eq!(item.decision, Some(Verdict::Same));
}

#[tokio::test]
async fn run_and_review_counts_tell_only_of_records_the_reader_may_read() {
    let s = setup().await;
    let admin = acting(&s, Principal::Account(Role::Administrator)).await;
    let full = admin
        .run_linkage(LinkKind::Person, LinkOptions::default())
        .await
        .unwrap();
    assert_eq!(
        full.run.records, 26,
        "12 restricted pairs and a confidential one"
    );
    assert!(
        !admin
            .link_review(LinkKind::Person)
            .await
            .unwrap()
            .unwrap()
            .limited
    );
    // An analyst may not read the confidential pair: not even its count shows.
    let analyst = acting(&s, Principal::Account(Role::Analyst)).await;
    let report = analyst
        .run_linkage(LinkKind::Person, LinkOptions::default())
        .await
        .unwrap();
    assert_eq!(report.run.records, 24);
    let review = analyst
        .link_review(LinkKind::Person)
        .await
        .unwrap()
        .unwrap();
    assert!(review.limited);
    assert_eq!(review.run.records, 24);
    assert_eq!(review.run.candidate_pairs as usize, review.items.len());
    assert_eq!(report.suggested, review.items.len());
}
