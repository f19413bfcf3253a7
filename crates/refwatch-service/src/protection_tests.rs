//! Issue 29: free text that can name a person is protected like an
//! identity. Every name here is generated.

use std::sync::Arc;

use refwatch_domain::*;
use refwatch_policy::{Principal, Role};
use refwatch_storage::SqliteStore;

use super::tests::{key, open_as, person, source};
use super::*;

/// A generated name that no dictionary word contains.
const NAME: &str = "Pyeon Jurakhwi";

/// A person at `level` with a citation whose quote names them.
fn quoted_person(source: SourceId, level: Confidentiality) -> Person {
    let mut p = person(level);
    p.citations.push(Citation {
        id: CitationId::random(),
        source,
        via: None,
        locator: format!("testimony of {NAME}, p. 3"),
        quote: format!("{NAME} (elder sister of the interviewee) was taken at night"),
        note: Some(format!("{NAME} asked not to be named")),
    });
    p
}

/// A fresh database with keys, holding `data` as imported through the
/// core (or, with `raw`, written to the store as given, bypassing it).
pub(crate) struct Stored {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) path: std::path::PathBuf,
    pub(crate) key: refwatch_keys::KekSource,
}

pub(crate) async fn stored(data: Dataset, raw: bool) -> Stored {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let key = key();
    let store = SqliteStore::open(&path).await.unwrap();
    let core = Service::create_keys(store, &key, Arc::new(SystemClock))
        .await
        .unwrap();
    if raw {
        let keys = core.keys().unwrap();
        let identities: Vec<_> = data
            .persons
            .iter()
            .map(|p| {
                (
                    p.id,
                    keys.seal_identity(p.id, p.identity.as_ref().unwrap())
                        .unwrap(),
                )
            })
            .collect();
        core.store
            .insert_dataset(&data, &identities, &core.batch(vec![]).unwrap())
            .await
            .unwrap();
    } else {
        core.import(&data).await.unwrap();
    }
    core.into_store().close().await;
    Stored { dir, path, key }
}

#[tokio::test]
async fn words_of_citations_on_persons_are_sealed_gated_and_audited() {
    let s = source();
    let p = quoted_person(s.id, Confidentiality::Restricted);
    let (pid, cid) = (p.id, p.citations[0].id);
    let Stored { dir, path, key } = stored(
        Dataset {
            sources: vec![s],
            persons: vec![p.into()],
            ..Dataset::default()
        },
        false,
    )
    .await;

    // Not on disk in the clear (the database and its write-ahead log).
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(NAME.len()).any(|w| w == NAME.as_bytes()),
            "the quoted name is in the clear on disk"
        );
    }

    // An analyst reads the person and the citation's source, not its words,
    // and does not find the person by them.
    let analyst = open_as(&path, &key, Principal::Account(Role::Analyst)).await;
    let data = analyst.dataset().await.unwrap();
    let c = &data.persons.iter().find(|x| x.id == pid).unwrap().citations[0];
    assert_eq!((c.id, c.quote.as_str(), c.locator.as_str()), (cid, "", ""));
    assert_eq!(c.note, None);
    let words = search::SearchRequest {
        text: "Jurakhwi".into(),
        limit: 20,
        ..Default::default()
    };
    assert_eq!(analyst.search(&words).await.unwrap().total, 0);
    assert!(matches!(
        analyst.person_identity(pid).await,
        Err(ServiceError::Denied(_))
    ));

    // An editor finds the person by them, and reads them with the identity,
    // which is audited.
    let editor = open_as(&path, &key, Principal::Account(Role::Editor)).await;
    let found = editor.search(&words).await.unwrap();
    assert_eq!(found.total, 1);
    let identity = editor.person_identity(pid).await.unwrap().unwrap();
    assert_eq!(identity.cited.len(), 1);
    assert!(identity.cited[0].quote.starts_with(NAME));
    let audit = open_as(&path, &key, Principal::Account(Role::Administrator)).await;
    let log = audit.audit_entries().await.unwrap();
    assert!(log.iter().any(|e| e.event.action == "read_identity"
        && e.event.target_id.as_deref() == Some(&pid.to_string())));

    // The full export (administrators, audited) gives the words back in
    // place, so export then import is lossless; `check` finds nothing.
    let full = audit.export_full().await.unwrap();
    let back = full.persons.iter().find(|x| x.id == pid).unwrap();
    assert!(back.citations[0].quote.starts_with(NAME));
    assert_eq!(
        back.citations[0].note.as_deref(),
        Some(&*format!("{NAME} asked not to be named"))
    );
    assert!(back.identity.as_ref().unwrap().cited.is_empty());
    let report = audit.check().await.unwrap();
    assert!(report.invalid.is_empty(), "{:?}", report.invalid);
    assert_eq!(report.sealed_unchecked, 0);
}

#[tokio::test]
async fn words_stored_in_the_clear_by_an_older_version_are_sealed_on_open() {
    let s = source();
    let p = quoted_person(s.id, Confidentiality::Confidential);
    let pid = p.id;
    // What an older version wrote: the identity sealed, the words of the
    // citation in its row.
    let Stored {
        dir: _dir,
        path,
        key,
    } = stored(
        Dataset {
            sources: vec![s],
            persons: vec![p.into()],
            ..Dataset::default()
        },
        true,
    )
    .await;
    let store = SqliteStore::open(&path).await.unwrap();
    assert_eq!(store.person_citations_in_clear().await.unwrap().len(), 1);
    store.close().await;

    let admin = open_as(&path, &key, Principal::Account(Role::Administrator)).await;
    assert!(
        admin
            .store
            .person_citations_in_clear()
            .await
            .unwrap()
            .is_empty()
    );
    let identity = admin.person_identity(pid).await.unwrap().unwrap();
    assert_eq!(identity.name_romanized.as_deref(), Some("Generated Name"));
    assert!(identity.cited[0].quote.starts_with(NAME));
    let log = admin.audit_entries().await.unwrap();
    assert!(log.iter().any(|e| e.event.action == "seal_cited_words"));
}

/// A store holding a restricted person named 김철옥 who has not consented,
/// a consenting one named 박순희, and public records whose text names both.
async fn named_in_text() -> (Stored, PersonId, IncidentId) {
    let mut s = source();
    s.title = "Interview with 김철옥's family".into();
    let mut hidden = person(Confidentiality::Restricted);
    hidden.identity.as_mut().unwrap().name_hangul = Some("김철옥".into());
    let mut consenting = person(Confidentiality::Public);
    consenting.identity.as_mut().unwrap().name_hangul = Some("박순희".into());
    consenting.consent_public = true;
    consenting.consent = Some(Consent {
        scope: Term::new("public"),
        date: "2024-02".parse().unwrap(),
        recorded_by: "a cousin of 김철옥".into(),
    });
    let mut i = super::tests::incident(s.id, Confidentiality::Public);
    i.title = "Arrest of KIM CHOL OK and Park Sun-hui in Yanji".into();
    i.summary = "金哲玉在延吉被捕。".into();
    i.citations[0].quote = "Cheol-ok Kim was taken".into();
    let review = UprReview {
        id: UprReviewId::random(),
        cycle: 4,
        date: "2024-01".parse().unwrap(),
        symbol: None,
        citations: vec![],
    };
    let recommendation = Mechanism {
        id: MechanismId::random(),
        detail: MechanismDetail::UprRecommendation {
            review: review.id,
            paragraph: None,
            state: "Generated State".into(),
            response: Some("Noted; the case of 김철옥 is a domestic matter".into()),
        },
        reference: None,
        date: "2024-01".parse().unwrap(),
        text: "Release Kim Chol-ok".into(),
        themes: vec![],
        incidents: vec![],
        implementation: vec![ImplementationNote {
            id: ImplementationId::random(),
            date: "2024-06".parse().unwrap(),
            status: Term::new("contradicted"),
            summary: "김철옥 was returned all the same".into(),
            citations: vec![Citation {
                id: CitationId::random(),
                ..i.citations[0].clone()
            }],
        }],
        citations: vec![Citation {
            id: CitationId::random(),
            ..i.citations[0].clone()
        }],
    };
    let ids = (hidden.id, i.id);
    let data = Dataset {
        upr_reviews: vec![review],
        mechanisms: vec![recommendation],
        sources: vec![s],
        incidents: vec![i.into()],
        persons: vec![hidden.into(), consenting.into()],
        ..Dataset::default()
    };
    (stored(data, false).await, ids.0, ids.1)
}

#[tokio::test]
async fn text_naming_a_person_is_withheld_from_readers_who_may_not_identify() {
    let (
        Stored {
            dir: _dir,
            path,
            key,
        },
        hidden,
        incident,
    ) = named_in_text().await;
    for who in [
        Principal::Public,
        Principal::Account(Role::Analyst),
        Principal::Account(Role::Viewer),
    ] {
        let core = open_as(&path, &key, who).await;
        let data = core.readable().await.unwrap();
        let i = data.incidents.iter().find(|i| i.id == incident).unwrap();
        assert_eq!(
            i.title,
            format!("Arrest of {} and Park Sun-hui in Yanji", guard::MASK),
            "{who:?}"
        );
        assert_eq!(i.summary, format!("{}在延吉被捕。", guard::MASK));
        assert_eq!(i.citations[0].quote, format!("{} was taken", guard::MASK));
        let recorder = data
            .persons
            .iter()
            .find_map(|p| p.consent.as_ref())
            .map(|c| c.recorded_by.clone());
        assert_eq!(
            recorder.as_deref(),
            Some(&*format!("a cousin of {}", guard::MASK)),
            "{who:?}"
        );
        let m = &data.mechanisms[0];
        assert_eq!(m.text, format!("Release {}", guard::MASK));
        let note = &m.implementation[0];
        assert_eq!(
            note.summary,
            format!("{} was returned all the same", guard::MASK)
        );
        assert_eq!(
            note.citations[0].quote,
            format!("{} was taken", guard::MASK)
        );
        let MechanismDetail::UprRecommendation { response, .. } = &m.detail else {
            panic!()
        };
        assert_eq!(
            response.as_deref(),
            Some(&*format!(
                "Noted; the case of {} is a domestic matter",
                guard::MASK
            ))
        );
        assert_eq!(
            data.sources[0].title,
            format!("Interview with {}'s family", guard::MASK)
        );
        // Search neither finds the record by the name nor shows it.
        for words in ["Cheol-ok", "김철옥"] {
            let found = core
                .search(&search::SearchRequest {
                    text: words.into(),
                    limit: 50,
                    ..Default::default()
                })
                .await
                .unwrap();
            assert_eq!(found.total, 0, "{who:?} found {words}");
        }
        let found = core
            .search(&search::SearchRequest {
                text: "Yanji".into(),
                limit: 50,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(found.total >= 1);
        for h in &found.hits {
            let shown = format!(
                "{} {}",
                h.title,
                h.snippet
                    .iter()
                    .map(|s| s.text.as_str())
                    .collect::<String>()
            );
            assert!(
                !shown.contains("CHOL") && !shown.contains("金哲玉"),
                "{who:?}: {shown}"
            );
        }
    }
    // The public export too.
    let admin = open_as(&path, &key, Principal::Account(Role::Administrator)).await;
    let public = admin.export_public(5).await.unwrap();
    assert!(public.dataset.incidents[0].title.contains(guard::MASK));
    // Editors and administrators read the text as written, and find by it.
    let editor = open_as(&path, &key, Principal::Account(Role::Editor)).await;
    let data = editor.readable().await.unwrap();
    assert!(data.incidents[0].title.contains("KIM CHOL OK"));
    let found = editor
        .search(&search::SearchRequest {
            text: "김철옥".into(),
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(found.total >= 1);
    // `check` says where each leak is and whose name, never the name.
    let report = admin.check().await.unwrap();
    assert!(
        report.is_clean(),
        "a quote may name someone: listed, not a fault"
    );
    let mut paths: Vec<&str> = report
        .leaks
        .iter()
        .inspect(|l| assert_eq!(l.person, hidden))
        .map(|l| l.path.as_str())
        .collect();
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), 10, "{paths:?}");
    assert!(paths.iter().any(|p| p.ends_with(".consent.recorded_by")));
    for field in [
        ".text",
        ".response",
        ".citations[0].quote",
        ".implementation[0].summary",
        ".implementation[0].citations[0].quote",
    ] {
        assert!(
            paths
                .iter()
                .any(|p| p.starts_with("mechanisms[0]") && p.ends_with(field)),
            "{field}"
        );
    }
    assert!(
        paths
            .iter()
            .any(|p| p.ends_with(".title") && p.starts_with("incidents[0]"))
    );
    assert!(paths.iter().any(|p| p.ends_with(".summary")));
    assert!(paths.iter().any(|p| p.ends_with("citations[0].quote")));
    assert!(paths.iter().any(|p| p.starts_with("sources[0]")));
}

#[tokio::test]
async fn a_changed_incident_is_screened_and_the_rest_is_reused() {
    let (
        Stored {
            dir: _dir,
            path,
            key,
        },
        _hidden,
        incident,
    ) = named_in_text().await;
    let public = open_as(&path, &key, Principal::Public).await;
    let before = public.readable().await.unwrap();
    let admin = open_as(&path, &key, Principal::Account(Role::Administrator)).await;
    let all_before = admin.snapshots.all(&admin.store).await.unwrap();

    // Another core (another process) adds an incident naming the person.
    let stored = admin.readable().await.unwrap();
    let mut added = super::tests::incident(stored.sources[0].id, Confidentiality::Public);
    added.title = "Kim Chol-ok seen in Tumen".into();
    let writer = open_as(&path, &key, Principal::Account(Role::Administrator)).await;
    writer
        .import(&Dataset {
            incidents: vec![added.clone().into()],
            ..Dataset::default()
        })
        .await
        .unwrap();

    let after = public.readable().await.unwrap();
    let new = after.incidents.iter().find(|i| i.id == added.id).unwrap();
    assert_eq!(new.title, format!("{} seen in Tumen", guard::MASK));
    // The incident that did not change is the one screened before, shared.
    let old = |d: &Dataset| {
        d.incidents
            .iter()
            .find(|i| i.id == incident)
            .unwrap()
            .clone()
    };
    assert!(Arc::ptr_eq(&old(&before), &old(&after)));
    assert!(old(&after).title.contains(guard::MASK));
    // So is it in the whole copy: only the change was read.
    let all_after = admin.snapshots.all(&admin.store).await.unwrap();
    assert!(Arc::ptr_eq(&old(&all_before), &old(&all_after)));
    assert_eq!(all_after.incidents.len(), 2);

    // An edit that names the person again is screened too.
    let mut edited = (*old(&all_after)).clone();
    edited.title = "Transfer of 김철옥 to the border".into();
    writer.update_incident(&edited).await.unwrap();
    let edited_view = public.readable().await.unwrap();
    assert_eq!(
        old(&edited_view).title,
        format!("Transfer of {} to the border", guard::MASK)
    );
    // The mechanism record, unchanged, is still screened.
    assert!(edited_view.mechanisms[0].text.contains(guard::MASK));

    // Deleted, it is gone from every copy.
    writer.delete_incident(added.id, "test").await.unwrap();
    assert!(
        public
            .readable()
            .await
            .unwrap()
            .incidents
            .iter()
            .all(|i| i.id != added.id)
    );
    assert!(
        admin
            .readable()
            .await
            .unwrap()
            .incidents
            .iter()
            .all(|i| i.id != added.id)
    );
}
