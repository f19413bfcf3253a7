//! The protected core's entry points against the written policy, sign-in
//! back-off on an injected clock, and keys.

use std::sync::{Arc, Mutex};

use refwatch_accounts::Password;
use refwatch_domain::*;
use refwatch_keys::KekSource;
use refwatch_policy::{Decision, Operation, Principal, Role};
use refwatch_storage::SqliteStore;

use super::*;

/// A clock the test moves by hand.
#[derive(Clone)]
pub(crate) struct TestClock(Arc<Mutex<Timestamp>>);

impl TestClock {
    pub(crate) fn new() -> Self {
        Self(Arc::new(Mutex::new(Timestamp(1_800_000_000))))
    }
    pub(crate) fn advance(&self, seconds: i64) {
        let mut t = self.0.lock().unwrap();
        *t = t.plus_seconds(seconds);
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }
}

pub(crate) fn key() -> KekSource {
    KekSource::KeyFile(
        refwatch_keys::read_key_file(&{
            let dir = tempfile::tempdir().unwrap().keep();
            let path = dir.join("k");
            refwatch_keys::create_key_file(&path).unwrap();
            path
        })
        .unwrap(),
    )
}

const POLICY: &str = include_str!("../../../docs/policy.md");

/// The written policy's record-operation table: (principal, level, operation) -> decision.
fn written_policy() -> Vec<(Principal, Confidentiality, Operation, Decision)> {
    let mut lines = POLICY
        .lines()
        .skip_while(|l| !l.starts_with("| principal | level |"));
    let cells = |l: &str| {
        l.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_owned())
            .collect::<Vec<_>>()
    };
    let header = cells(lines.next().unwrap());
    let mut out = Vec::new();
    for row in lines.skip(1).take_while(|l| l.starts_with('|')).map(cells) {
        let who = if row[0] == "public" {
            Principal::Public
        } else {
            Principal::Account(Role::from_code(&row[0]).unwrap())
        };
        let level = Confidentiality::from_code(&row[1]).unwrap();
        for (col, cell) in header.iter().zip(&row).skip(2) {
            let op = Operation::ALL
                .into_iter()
                .find(|o| o.code() == col)
                .unwrap();
            out.push((
                who,
                level,
                op,
                if cell == "allow" {
                    Decision::Allow
                } else {
                    Decision::Deny
                },
            ));
        }
    }
    out
}

pub(crate) fn source() -> Source {
    Source {
        id: SourceId::random(),
        kind: Term::new("testimony"),
        title: "Generated interview".into(),
        publisher: None,
        author: None,
        date: None,
        language: None,
        url: None,
        symbol: None,
        reliability: None,
        confidentiality: Confidentiality::Public,
        note: None,
    }
}

pub(crate) fn incident(source: SourceId, level: Confidentiality) -> Incident {
    Incident {
        id: IncidentId::random(),
        kind: Term::new("arrest"),
        title: "Generated arrest".into(),
        summary: String::new(),
        date: "2024-02".parse().unwrap(),
        places: vec![],
        actors: vec![],
        victims: Count::exact(2),
        breakdown: vec![],
        verification: Term::new("single_source"),
        confidentiality: level,
        reports: vec![],
        citations: vec![Citation {
            id: CitationId::random(),
            source,
            via: None,
            locator: "p. 1".into(),
            quote: "two taken".into(),
            note: None,
        }],
    }
}

pub(crate) fn person(level: Confidentiality) -> Person {
    let mut identity = PersonIdentity::default();
    identity.name_romanized = Some("Generated Name".into());
    Person {
        id: PersonId::random(),
        identity: Some(identity),
        sex: Some(Term::new("female")),
        birth_year: None,
        age_group: None,
        origin_place: None,
        category: None,
        timeline: vec![],
        incidents: vec![],
        consent_public: false,
        consent: None,
        confidentiality: level,
        citations: vec![],
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    key: KekSource,
    source: SourceId,
    incident: IncidentId,
    person: PersonId,
}

/// A fresh store holding one incident and one person at `level`.
async fn fixture(level: Confidentiality) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let key = key();
    let store = SqliteStore::open(&path).await.unwrap();
    let service = Service::create_keys(store, &key, Arc::new(SystemClock))
        .await
        .unwrap();
    let s = source();
    let i = incident(s.id, level);
    let p = person(level);
    let ids = (s.id, i.id, p.id);
    service
        .import(&Dataset {
            sources: vec![s],
            incidents: vec![i.into()],
            persons: vec![p.into()],
            ..Dataset::default()
        })
        .await
        .unwrap();
    service.into_store().close().await;
    Fixture {
        _dir: dir,
        path,
        key,
        source: ids.0,
        incident: ids.1,
        person: ids.2,
    }
}

async fn as_actor(f: &Fixture, principal: Principal) -> Service<SqliteStore> {
    open_as(&f.path, &f.key, principal).await
}

/// The core over the database at `path`, keys unlocked, acting for `principal`.
pub(crate) async fn open_as(
    path: &std::path::Path,
    key: &KekSource,
    principal: Principal,
) -> Service<SqliteStore> {
    let store = SqliteStore::open(path).await.unwrap();
    let actor = Caller {
        principal,
        label: "test".into(),
    };
    Service::open(store, Some(key), Arc::new(SystemClock), actor)
        .await
        .unwrap()
}

/// Performs `op` at `level` through the core's entry points and says whether it was allowed.
async fn attempt(principal: Principal, level: Confidentiality, op: Operation) -> Decision {
    let f = fixture(level).await;
    let service = as_actor(&f, principal).await;
    let allowed = match op {
        Operation::Read => service
            .dataset()
            .await
            .unwrap()
            .incidents
            .iter()
            .any(|i| i.id == f.incident),
        Operation::Create => {
            let new = Dataset {
                incidents: vec![incident(f.source, level).into()],
                ..Dataset::default()
            };
            match service.import(&new).await {
                Ok(_) => true,
                Err(ServiceError::Denied(_)) => false,
                Err(e) => panic!("{e}"),
            }
        }
        Operation::Update => {
            let mut changed = incident(f.source, level);
            changed.id = f.incident;
            changed.title = "Changed".into();
            match service.update_incident(&changed).await {
                Ok(()) => true,
                Err(
                    ServiceError::Denied(_)
                    | ServiceError::NotFound(_)
                    | ServiceError::Store(refwatch_storage::StoreError::NotFound(_)),
                ) => false,
                Err(e) => panic!("{e}"),
            }
        }
        Operation::Delete => match service.delete_incident(f.incident, "test").await {
            Ok(()) => true,
            Err(
                ServiceError::Denied(_)
                | ServiceError::NotFound(_)
                | ServiceError::Store(refwatch_storage::StoreError::NotFound(_)),
            ) => false,
            Err(e) => panic!("{e}"),
        },
        Operation::ExportFull => match service.export_full().await {
            Ok(data) => {
                assert!(data.persons.iter().any(|p| p.identity.is_some()));
                true
            }
            Err(ServiceError::Denied(_)) => false,
            Err(e) => panic!("{e}"),
        },
        Operation::ExportPublic => {
            let export = service.export_public(5).await.unwrap();
            assert!(export.dataset.persons.is_empty());
            export.dataset.incidents.iter().any(|i| i.id == f.incident)
        }
        Operation::ReadIdentity => match service.person_identity(f.person).await {
            Ok(Some(identity)) => {
                assert_eq!(identity.name_romanized.as_deref(), Some("Generated Name"));
                true
            }
            Ok(None) => panic!("the person exists"),
            Err(ServiceError::Denied(_)) => false,
            Err(e) => panic!("{e}"),
        },
    };
    service.into_store().close().await;
    if allowed {
        Decision::Allow
    } else {
        Decision::Deny
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_operation_and_level_follows_the_written_policy() {
    let cases = written_policy();
    assert_eq!(cases.len(), 105, "5 principals x 3 levels x 7 operations");
    let mut wrong = Vec::new();
    for (who, level, op, expected) in &cases {
        let got = attempt(*who, *level, *op).await;
        if got != *expected {
            wrong.push(format!(
                "{who:?} {} {}: expected {expected:?}, got {got:?}",
                level.code(),
                op.code()
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[tokio::test]
async fn identity_reads_and_exports_are_audited_by_id_without_names() {
    let f = fixture(Confidentiality::Confidential).await;
    let service = as_actor(&f, Principal::Account(Role::Editor)).await;
    service.person_identity(f.person).await.unwrap();
    let operator = as_actor(&f, Principal::Account(Role::Administrator)).await;
    operator.export_full().await.unwrap();
    let entries = operator.audit_entries().await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.event.action.as_str()).collect();
    assert!(
        actions.contains(&"read_identity") && actions.contains(&"export_full"),
        "{actions:?}"
    );
    let read = entries
        .iter()
        .find(|e| e.event.action == "read_identity")
        .unwrap();
    assert_eq!(read.event.target_id, Some(f.person.to_string()));
    for e in &entries {
        assert!(!format!("{:?}", e.event).contains("Generated Name"));
    }
    assert!(operator.verify_audit().await.unwrap().findings.is_empty());
}

pub(crate) fn decode_base32(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => panic!("not base32"),
        };
        buffer = (buffer << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            out.push((buffer >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    out
}

#[tokio::test]
async fn a_wrong_key_opens_nothing_and_writes_nothing() {
    let f = fixture(Confidentiality::Restricted).await;
    let wrong = KekSource::KeyFile(
        refwatch_keys::read_key_file(&{
            let path = f._dir.path().join("other.key");
            refwatch_keys::create_key_file(&path).unwrap();
            path
        })
        .unwrap(),
    );
    let store = SqliteStore::open(&f.path).await.unwrap();
    let before = store.audit_log().await.unwrap().0.len();
    let err = Service::open(
        store.clone(),
        Some(&wrong),
        Arc::new(SystemClock),
        Caller::operator(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, ServiceError::Keys(refwatch_keys::KeyError::WrongKey)),
        "{err}"
    );
    assert_eq!(store.audit_log().await.unwrap().0.len(), before);
}

#[tokio::test]
async fn data_key_rotation_reseals_everything_and_resumes() {
    let f = fixture(Confidentiality::Confidential).await;
    let mut service = as_actor(&f, Principal::Account(Role::Administrator)).await;
    let more: Vec<Person> = (0..25)
        .map(|_| person(Confidentiality::Restricted))
        .collect();
    service
        .import(&Dataset {
            persons: more.into_iter().map(Arc::new).collect(),
            ..Dataset::default()
        })
        .await
        .unwrap();
    let before = service.export_full().await.unwrap();
    // A second factor sealed with the old key must still work afterwards.
    let good = Password::new("correct horse battery staple".into());
    service
        .add_user("lee", Role::Analyst, Some(good.clone()))
        .await
        .unwrap();
    let enrolment = service.enable_totp("lee").await.unwrap();
    let seed = decode_base32(
        enrolment
            .otpauth_url
            .split("secret=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap(),
    );
    let mut batches = 0;
    let done = service
        .rotate_data_key(&f.key, 10, |_, _| batches += 1)
        .await
        .unwrap();
    assert_eq!(done, 26);
    assert_eq!(batches, 3);
    let store = service.into_store();
    assert!(
        store
            .sealed_identities()
            .await
            .unwrap()
            .iter()
            .all(|(_, s)| s.key_version == 2)
    );
    let service = Service::open(
        store,
        Some(&f.key),
        Arc::new(SystemClock),
        Caller::operator(),
    )
    .await
    .unwrap();
    let after = service.export_full().await.unwrap();
    assert_eq!(before, after);
    let code = format!(
        "{:06}",
        refwatch_accounts::totp_code(&seed, SystemClock.now())
    );
    assert!(
        service
            .sign_in("lee", &good, Some(&code), "test")
            .await
            .is_ok()
    );
    assert!(service.verify_audit().await.unwrap().findings.is_empty());
}

#[tokio::test]
async fn shared_read_copies_follow_changes_from_this_core_and_from_others() {
    let f = fixture(Confidentiality::Restricted).await;
    let viewer = as_actor(&f, Principal::Account(Role::Viewer)).await;
    let public = viewer.for_caller(Caller::public());
    let first = viewer.readable().await.unwrap();
    assert_eq!(first.incidents.len(), 1);
    assert!(public.readable().await.unwrap().incidents.is_empty());
    // Unchanged data: the same shared copy, not a new read.
    assert!(Arc::ptr_eq(&first, &viewer.readable().await.unwrap()));

    // A change through another core on the same database, as another
    // process (the command line) would make it.
    let other = as_actor(&f, Principal::Account(Role::Administrator)).await;
    let mut changed = (*other.readable().await.unwrap().incidents[0]).clone();
    changed.title = "Retitled".into();
    changed.confidentiality = Confidentiality::Public;
    other.update_incident(&changed).await.unwrap();

    let after = viewer.readable().await.unwrap();
    assert_eq!(after.incidents[0].title, "Retitled");
    assert_eq!(public.readable().await.unwrap().incidents.len(), 1);
    // The copy handed out earlier is untouched.
    assert_eq!(first.incidents[0].title, "Generated arrest");
    // Read copies never carry identities, whoever reads them.
    let admin_view = other.readable().await.unwrap();
    assert!(admin_view.persons.iter().all(|p| p.identity.is_none()));
}

#[tokio::test]
async fn public_tables_are_made_again_only_when_what_they_count_changes() {
    let f = fixture(Confidentiality::Public).await;
    let admin = as_actor(&f, Principal::Account(Role::Administrator)).await;
    let mut linked = person(Confidentiality::Public);
    linked.incidents = vec![PersonIncident {
        incident: f.incident,
        role: Term::new("victim"),
    }];
    admin
        .import(&Dataset {
            persons: vec![linked.into()],
            ..Dataset::default()
        })
        .await
        .unwrap();
    let public = admin.for_caller(Caller::public());
    let first = public.public_tables(3).await.unwrap();

    // An incident nobody is linked to: the same tables, not made again.
    admin
        .import(&Dataset {
            incidents: vec![incident(f.source, Confidentiality::Public).into()],
            ..Dataset::default()
        })
        .await
        .unwrap();
    assert!(Arc::ptr_eq(&first, &public.public_tables(3).await.unwrap()));

    // The linked incident moves to another year: the tables follow.
    let mut moved = (*admin.readable().await.unwrap().incidents[0]).clone();
    if moved.id != f.incident {
        moved = (*admin.readable().await.unwrap().incidents[1]).clone();
    }
    moved.date = "2019-05".parse().unwrap();
    admin.update_incident(&moved).await.unwrap();
    let after = public.public_tables(3).await.unwrap();
    assert!(!Arc::ptr_eq(&first, &after));
    let rows = |t: &Arc<Vec<PublicTable>>| format!("{:?}", t[0].table);
    assert!(rows(&after).contains("2019"), "{}", rows(&after));
    assert!(!rows(&first).contains("2019"));
}
