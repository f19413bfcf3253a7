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

#[tokio::test]
async fn words_of_citations_on_persons_are_sealed_gated_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let key = key();
    let store = SqliteStore::open(&path).await.unwrap();
    let core = Service::create_keys(store, &key, Arc::new(SystemClock))
        .await
        .unwrap();
    let s = source();
    let p = quoted_person(s.id, Confidentiality::Restricted);
    let (pid, cid) = (p.id, p.citations[0].id);
    core.import(&Dataset {
        sources: vec![s],
        persons: vec![p],
        ..Dataset::default()
    })
    .await
    .unwrap();
    core.into_store().close().await;

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
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let key = key();
    let store = SqliteStore::open(&path).await.unwrap();
    let core = Service::create_keys(store, &key, Arc::new(SystemClock))
        .await
        .unwrap();
    let s = source();
    let p = quoted_person(s.id, Confidentiality::Confidential);
    let pid = p.id;
    // What an older version wrote: the identity sealed, the words of the
    // citation in its row.
    let identity = core
        .keys()
        .unwrap()
        .seal_identity(pid, p.identity.as_ref().unwrap())
        .unwrap();
    core.store
        .insert_dataset(
            &Dataset {
                sources: vec![s],
                persons: vec![p],
                ..Dataset::default()
            },
            &[(pid, identity)],
            &core.batch(vec![]).unwrap(),
        )
        .await
        .unwrap();
    let store = core.into_store();
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
