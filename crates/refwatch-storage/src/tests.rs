//! Round trips of every record type, all-or-nothing inserts and integrity checks.

use refwatch_audit::{AuditEvent, Sealer};
use refwatch_domain::*;

use super::*;

/// A keyed stand-in for the audit key.
struct TestSealer;

impl Sealer for TestSealer {
    fn mac(&self, bytes: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, b) in bytes.iter().enumerate() {
            out[i % 32] = out[i % 32].wrapping_mul(31).wrapping_add(*b);
        }
        out
    }
}

fn event(action: &str) -> AuditEvent {
    AuditEvent {
        at: Timestamp(1_700_000_000),
        actor: "operator".into(),
        action: action.into(),
        target_kind: None,
        target_id: None,
        detail: String::new(),
    }
}

fn batch(actions: &[&str]) -> AuditBatch<'static> {
    AuditBatch {
        sealer: &TestSealer,
        events: actions.iter().map(|a| event(a)).collect(),
    }
}

fn sealed(data: &Dataset) -> Vec<(PersonId, SealedIdentity)> {
    data.persons
        .iter()
        .map(|p| {
            (
                p.id,
                SealedIdentity {
                    key_version: 1,
                    nonce: vec![7; 24],
                    ciphertext: vec![1, 2, 3],
                },
            )
        })
        .collect()
}

fn cite(source: SourceId, quote: &str) -> Citation {
    Citation {
        id: CitationId::random(),
        source,
        via: Some(source),
        locator: "para. 1".into(),
        quote: quote.into(),
        note: Some("n".into()),
    }
}

/// One record of every type, with every optional field set, and generated people.
fn full_dataset() -> Dataset {
    let source = Source {
        id: SourceId::random(),
        kind: Term::new("un_document"),
        title: "Report".into(),
        publisher: Some("UN".into()),
        author: Some("Author".into()),
        date: Some("2014-02-07".parse().unwrap()),
        language: Some("en".into()),
        url: Some("https://example.org/r".into()),
        symbol: Some("A/HRC/25/CRP.1".into()),
        reliability: Some(Term::new("a")),
        confidentiality: Confidentiality::Restricted,
        note: Some("note".into()),
    };
    let province = Place {
        id: PlaceId::random(),
        kind: Term::new("province"),
        name_en: "Jilin".into(),
        name_ko: Some("지린성".into()),
        name_zh: Some("吉林省".into()),
        country: Some("CN".into()),
        parent: None,
        coordinates: Some(Coordinates {
            lat: 43.7,
            lon: 126.2,
            precision: CoordPrecision::Province,
        }),
    };
    let city = Place {
        id: PlaceId::random(),
        kind: Term::new("city"),
        name_en: "Yanji".into(),
        name_ko: None,
        name_zh: None,
        country: None,
        parent: Some(province.id),
        coordinates: None,
    };
    let agency = Actor {
        id: ActorId::random(),
        kind: Term::new("state"),
        name_en: "State".into(),
        name_ko: Some("국가".into()),
        name_zh: None,
        parent: None,
    };
    let unit = Actor {
        id: ActorId::random(),
        kind: Term::new("security_force"),
        name_en: "Police".into(),
        name_ko: None,
        name_zh: Some("公安".into()),
        parent: Some(agency.id),
    };
    let incident = Incident {
        id: IncidentId::random(),
        kind: Term::new("arrest"),
        title: "Arrest".into(),
        summary: "Summary".into(),
        date: "~2013-11-02/2013-11-19".parse().unwrap(),
        places: vec![
            PlaceLink {
                place: city.id,
                role: Term::new("arrest"),
            },
            PlaceLink {
                place: province.id,
                role: Term::new("location"),
            },
        ],
        actors: vec![ActorLink {
            actor: unit.id,
            role: Term::new("perpetrator"),
        }],
        victims: Count {
            low: 13,
            best: Some(14),
            high: Some(15),
        },
        breakdown: vec![BreakdownPart {
            dimension: Dimension::AgeGroup,
            term: Term::new("child"),
            count: Count {
                low: 1,
                best: None,
                high: None,
            },
        }],
        verification: Term::new("corroborated"),
        confidentiality: Confidentiality::Public,
        reports: vec![
            IncidentReport {
                id: ReportId::random(),
                date: Some("2013-11-18".parse().unwrap()),
                victims: Some(Count::exact(13)),
                summary: "13".into(),
                citations: vec![cite(source.id, "13 caught")],
            },
            IncidentReport {
                id: ReportId::random(),
                date: None,
                victims: None,
                summary: "15".into(),
                citations: vec![cite(source.id, "15 nabbed")],
            },
        ],
        citations: vec![
            cite(source.id, "between 13 and 15"),
            cite(source.id, "second"),
        ],
    };
    let person_cited = cite(source.id, "person");
    let person = Person {
        id: PersonId::random(),
        identity: None,
        sex: Some(Term::new("female")),
        birth_year: Some(1990),
        age_group: Some(Term::new("adult")),
        origin_place: Some(province.id),
        category: Some(Term::new("dprk_national")),
        timeline: vec![
            StatusEvent {
                date: "2013-11".parse().unwrap(),
                status: Term::new("arrested"),
                place: Some(city.id),
                incident: Some(incident.id),
                citation: Some(person_cited.id),
            },
            StatusEvent {
                date: "2014".parse().unwrap(),
                status: Term::new("disappeared"),
                place: None,
                incident: None,
                citation: None,
            },
        ],
        incidents: vec![PersonIncident {
            incident: incident.id,
            role: Term::new("victim"),
        }],
        consent_public: true,
        consent: Some(Consent {
            scope: Term::new("public"),
            date: "2024-03-01".parse().unwrap(),
            recorded_by: "generated-editor".into(),
        }),
        confidentiality: Confidentiality::Confidential,
        citations: vec![person_cited],
    };
    let review = UprReview {
        id: UprReviewId::random(),
        cycle: 2,
        date: "2013-10-22".parse().unwrap(),
        symbol: Some("A/HRC/25/5".into()),
        citations: vec![cite(source.id, "review")],
    };
    let details = vec![
        MechanismDetail::UprRecommendation {
            review: review.id,
            paragraph: Some("186.241".into()),
            state: "Czech Republic".into(),
            response: Some("noted".into()),
        },
        MechanismDetail::TreatyObservation {
            body: Term::new("cat"),
            paragraph: None,
        },
        MechanismDetail::Communication {
            mandate_holders: vec!["A".into(), "B".into()],
            reply_received: Some(false),
        },
        MechanismDetail::CoiRecommendation {
            paragraph: "90 (a)".into(),
        },
        MechanismDetail::Resolution {
            body: "Human Rights Council".into(),
            vote: Some(VoteTally {
                yes: 30,
                no: 6,
                abstain: 11,
            }),
            china_vote: Some("no".into()),
        },
        MechanismDetail::Resolution {
            body: "General Assembly".into(),
            vote: None,
            china_vote: None,
        },
    ];
    let mechanisms = details
        .into_iter()
        .map(|detail| Mechanism {
            id: MechanismId::random(),
            detail,
            reference: Some("REF".into()),
            date: "2021-08-23".parse().unwrap(),
            text: "text".into(),
            themes: vec![Term::new("non_refoulement"), Term::new("detention")],
            incidents: vec![incident.id],
            implementation: vec![
                ImplementationNote {
                    id: ImplementationId::random(),
                    date: "2019".parse().unwrap(),
                    status: Term::new("not_implemented"),
                    summary: "no change".into(),
                    citations: vec![cite(source.id, "implementation")],
                },
                ImplementationNote {
                    id: ImplementationId::random(),
                    date: "~2023-05".parse().unwrap(),
                    status: Term::new("contradicted"),
                    summary: "returns went on".into(),
                    citations: vec![cite(source.id, "returns"), cite(source.id, "went on")],
                },
            ],
            citations: vec![cite(source.id, "mechanism")],
        })
        .collect();
    let figure = ReportedFigure {
        id: FigureId::random(),
        indicator: Term::new("arrivals_rok"),
        period: "2009".parse().unwrap(),
        place: Some(province.id),
        value: Count::exact(2914),
        unit: "people".into(),
        citations: vec![cite(source.id, "2,914")],
    };
    let mut data = Dataset {
        sources: vec![source],
        places: vec![province, city],
        actors: vec![agency, unit],
        incidents: vec![incident.into()],
        persons: vec![person.into()],
        upr_reviews: vec![review],
        mechanisms,
        figures: vec![figure],
        links: Vec::new(),
        history: Vec::new(),
    };
    data.sort();
    let problems = validate(&data, &Vocabularies::builtin());
    assert!(problems.is_empty(), "{problems:?}");
    data
}

async fn open(dir: &tempfile::TempDir) -> SqliteStore {
    SqliteStore::open(&dir.path().join("refwatch.db"))
        .await
        .unwrap()
}

#[tokio::test]
async fn every_record_type_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    assert!(store.is_empty().await.unwrap());
    let data = full_dataset();
    store
        .insert_dataset(&data, &sealed(&data), &batch(&["import"]))
        .await
        .unwrap();
    assert!(!store.is_empty().await.unwrap());
    assert_eq!(store.load_dataset().await.unwrap(), data);
    // And again after reopening the file.
    store.close().await;
    let store = open(&dir).await;
    assert_eq!(store.load_dataset().await.unwrap(), data);
    assert_eq!(
        store.integrity_problems().await.unwrap(),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn inserting_existing_ids_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let data = full_dataset();
    store
        .insert_dataset(&data, &sealed(&data), &batch(&["import"]))
        .await
        .unwrap();
    let mut again = full_dataset();
    std::sync::Arc::make_mut(&mut again.incidents[0]).id = data.incidents[0].id;
    let err = store
        .insert_dataset(&again, &[], &batch(&["import"]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::AlreadyExists { count: 1, .. }),
        "{err}"
    );
    assert_eq!(store.load_dataset().await.unwrap(), data);
}

#[tokio::test]
async fn a_failure_midway_rolls_back_everything() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let mut data = full_dataset();
    // A dangling reference that validation would catch; here it reaches the
    // database, whose foreign key refuses it after earlier rows were written.
    data.figures[0].place = Some(PlaceId::random());
    assert!(
        store
            .insert_dataset(&data, &sealed(&data), &batch(&["import"]))
            .await
            .is_err()
    );
    assert!(store.is_empty().await.unwrap());
    assert!(
        store.audit_log().await.unwrap().0.is_empty(),
        "the audit entry must roll back with the change"
    );
}

#[tokio::test]
async fn errors_name_the_row_not_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let data = full_dataset();
    store
        .insert_dataset(&data, &sealed(&data), &batch(&["import"]))
        .await
        .unwrap();
    sqlx::query("UPDATE incident SET date = 'last tuesday'")
        .execute(&store.pool_for_tests())
        .await
        .unwrap();
    let err = store.load_dataset().await.unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "damaged value in table incident, column date, row {}: run `refwatch check`",
            data.incidents[0].id
        )
    );
    assert!(!err.contains("last tuesday"));
}

#[tokio::test]
async fn sealed_identities_and_audit_entries_are_stored_with_the_change() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let data = full_dataset();
    let identities = sealed(&data);
    store
        .insert_dataset(&data, &identities, &batch(&["import", "create"]))
        .await
        .unwrap();
    assert_eq!(store.sealed_identities().await.unwrap(), identities);
    assert_eq!(
        store.sealed_identity(identities[0].0).await.unwrap(),
        Some(identities[0].1.clone())
    );
    assert_eq!(
        store.sealed_identity(PersonId::random()).await.unwrap(),
        None
    );
    store.append_audit(&batch(&["export_full"])).await.unwrap();
    let (entries, anchor) = store.audit_log().await.unwrap();
    assert_eq!(
        entries
            .iter()
            .map(|e| e.event.action.as_str())
            .collect::<Vec<_>>(),
        ["import", "create", "export_full"]
    );
    let expect = store.audit_expect().await.unwrap();
    assert!(
        expect.holds_data && expect.kept.is_none(),
        "records, no keyring"
    );
    assert!(refwatch_audit::verify(&entries, anchor.as_ref(), &expect, &TestSealer).is_empty());

    let newer = vec![(
        identities[0].0,
        SealedIdentity {
            key_version: 2,
            nonce: vec![8; 24],
            ciphertext: vec![4],
        },
    )];
    assert_eq!(
        store.identities_sealed_before(2, 10).await.unwrap().len(),
        1
    );
    store
        .replace_sealed_identities(&newer, &batch(&["rotate"]))
        .await
        .unwrap();
    assert!(
        store
            .identities_sealed_before(2, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_keyring_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    assert!(store.keyring().await.unwrap().is_none());
    let source = refwatch_keys::KekSource::Passphrase(refwatch_keys::Passphrase::new(
        "generated passphrase".into(),
    ));
    let (ring, _) = refwatch_keys::Keyring::create(&source).unwrap();
    store
        .save_keyring(&ring, &batch(&["keys_create"]))
        .await
        .unwrap();
    assert_eq!(store.keyring().await.unwrap(), Some(ring.clone()));
    store
        .save_keyring(&ring, &batch(&["keys_rotate"]))
        .await
        .unwrap();
    assert_eq!(store.keyring().await.unwrap(), Some(ring));
}

/// A change replacing an incident with `new` (leaked: tests only).
fn replacing(new: &refwatch_domain::Incident) -> crate::RecordChange<'static> {
    let remove = vec![(crate::RecordKind::Incident, new.id.to_string())];
    let insert = Dataset {
        incidents: vec![new.clone().into()],
        ..Dataset::default()
    };
    crate::RecordChange {
        remove: Box::leak(remove.into_boxed_slice()),
        insert: Box::leak(Box::new(insert)),
        versions: &[],
        sealed: &[],
    }
}

/// A change taking an incident out (leaked: tests only).
fn removing(id: IncidentId) -> crate::RecordChange<'static> {
    let remove = vec![(crate::RecordKind::Incident, id.to_string())];
    crate::RecordChange {
        remove: Box::leak(remove.into_boxed_slice()),
        insert: Box::leak(Box::default()),
        versions: &[],
        sealed: &[],
    }
}

#[tokio::test]
async fn the_data_version_rises_with_every_change_to_records_and_only_then() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    assert_eq!(store.data_version().await.unwrap(), 0);
    let data = full_dataset();
    store
        .insert_dataset(&data, &sealed(&data), &batch(&["import"]))
        .await
        .unwrap();
    assert_eq!(store.data_version().await.unwrap(), 1);
    // Audit entries alone (an identity viewed, say) leave it alone.
    store
        .append_audit(&batch(&["view_identity"]))
        .await
        .unwrap();
    assert_eq!(store.data_version().await.unwrap(), 1);
    let mut changed = (*data.incidents[0]).clone();
    changed.title = "Changed title".into();
    store
        .change_records(replacing(&changed), &batch(&["update"]))
        .await
        .unwrap();
    assert_eq!(store.data_version().await.unwrap(), 2);
    // A failed change rolls the version back with everything else.
    let mut missing = changed.clone();
    missing.id = refwatch_domain::IncidentId::random();
    assert!(
        store
            .change_records(replacing(&missing), &batch(&["update"]))
            .await
            .is_err()
    );
    assert_eq!(store.data_version().await.unwrap(), 2);
    // Another connection (another process) sees the same version.
    let other = open(&dir).await;
    assert_eq!(other.data_version().await.unwrap(), 2);
}

#[tokio::test]
async fn the_journal_names_the_incidents_changed_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let data = full_dataset();
    store
        .insert_dataset(&data, &sealed(&data), &batch(&["import"]))
        .await
        .unwrap();
    // The import changed more than incidents: everything must be read.
    assert_eq!(store.incidents_changed_since(0).await.unwrap(), None);
    assert_eq!(
        store.incidents_changed_since(1).await.unwrap(),
        Some((1, vec![]))
    );

    let mut changed = (*data.incidents[0]).clone();
    changed.title = "Changed title".into();
    store
        .change_records(replacing(&changed), &batch(&["update"]))
        .await
        .unwrap();
    let mut added = changed.clone();
    added.id = IncidentId::random();
    for c in &mut added.citations {
        c.id = refwatch_domain::CitationId::random();
    }
    for r in &mut added.reports {
        r.id = refwatch_domain::ReportId::random();
        for c in &mut r.citations {
            c.id = refwatch_domain::CitationId::random();
        }
    }
    let only_incident = Dataset {
        incidents: vec![added.clone().into()],
        ..Dataset::default()
    };
    store
        .insert_dataset(&only_incident, &[], &batch(&["import"]))
        .await
        .unwrap();
    let (now, mut ids) = store.incidents_changed_since(1).await.unwrap().unwrap();
    assert_eq!(now, 3);
    let mut expected = vec![changed.id, added.id];
    expected.sort();
    ids.sort();
    assert_eq!(ids, expected);
    // Read again by id, each is what reading everything gives.
    let whole = store.load_dataset().await.unwrap();
    let by_id = store.incidents_by_id(&ids).await.unwrap();
    for i in &by_id {
        let same = whole.incidents.iter().find(|w| w.id == i.id).unwrap();
        assert_eq!(**same, *i);
    }
    assert_eq!(by_id.len(), 2);

    // A deleted incident is named and no longer read.
    store
        .change_records(removing(added.id), &batch(&["delete"]))
        .await
        .unwrap();
    let (now, ids) = store.incidents_changed_since(3).await.unwrap().unwrap();
    assert_eq!((now, ids.clone()), (4, vec![added.id]));
    assert!(store.incidents_by_id(&ids).await.unwrap().is_empty());

    // A decision on a pair may change anything: read everything.
    store.record_links(&[], &batch(&["link"])).await.unwrap();
    assert_eq!(store.incidents_changed_since(3).await.unwrap(), None);
    assert_eq!(store.incidents_changed_since(4).await.unwrap(), None);
}

#[tokio::test]
async fn link_decisions_and_runs_round_trip_and_keep_decided_records() {
    use refwatch_domain::{
        FieldWeight, LinkDecision, LinkKind, LinkPair, LinkRun, LinkSuggestion, Verdict,
    };
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let mut data = full_dataset();
    let mut second = (*data.incidents[0]).clone();
    second.id = refwatch_domain::IncidentId::random();
    for (i, c) in second.citations.iter_mut().enumerate() {
        c.id = refwatch_domain::CitationId::random();
        c.locator = format!("p. {i}");
    }
    for r in &mut second.reports {
        r.id = refwatch_domain::ReportId::random();
        for c in &mut r.citations {
            c.id = refwatch_domain::CitationId::random();
        }
    }
    let pair = LinkPair::incidents(second.id, data.incidents[0].id).unwrap();
    data.incidents.push(second.clone().into());
    data.links.push(LinkDecision {
        pair,
        verdict: Verdict::Same,
    });
    data.sort();
    store
        .insert_dataset(&data, &sealed(&data), &batch(&["import"]))
        .await
        .unwrap();
    assert_eq!(store.load_dataset().await.unwrap(), data);
    let version = store.data_version().await.unwrap();

    // A decided incident cannot be deleted while the decision stands.
    let err = store
        .change_records(removing(second.id), &batch(&["delete"]))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::StillLinked(_)), "{err}");

    // Taking a decision back, or changing it, raises the data version.
    store
        .record_links(&[(pair, Some(Verdict::Different))], &batch(&["link"]))
        .await
        .unwrap();
    assert_eq!(store.data_version().await.unwrap(), version + 1);
    assert_eq!(
        store.load_dataset().await.unwrap().links[0].verdict,
        Verdict::Different
    );
    store
        .record_links(&[(pair, None)], &batch(&["link"]))
        .await
        .unwrap();
    assert!(store.load_dataset().await.unwrap().links.is_empty());
    // A pair naming a record that is not stored changes nothing.
    let ghost = LinkPair::incidents(second.id, refwatch_domain::IncidentId::random()).unwrap();
    let err = store
        .record_links(
            &[(pair, Some(Verdict::Same)), (ghost, Some(Verdict::Same))],
            &batch(&["link"]),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
    assert!(store.load_dataset().await.unwrap().links.is_empty());

    // A run's suggestions replace the previous run's, explanations intact.
    assert!(store.link_run(LinkKind::Incident).await.unwrap().is_none());
    let run = LinkRun {
        kind: LinkKind::Incident,
        ran_at: refwatch_domain::Timestamp(1_700_000_000),
        records: 2,
        candidate_pairs: 1,
        threshold: 0.5,
        diagnostics: vec!["field date: one note".into()],
    };
    let suggestion = LinkSuggestion {
        pair,
        probability: 0.875,
        explanation: vec![
            FieldWeight {
                field: "date".into(),
                level: Some("close".into()),
                weight: 2.5,
            },
            FieldWeight {
                field: "place".into(),
                level: None,
                weight: 0.0,
            },
        ],
    };
    for _ in 0..2 {
        store
            .save_link_run(
                &run,
                std::slice::from_ref(&suggestion),
                &batch(&["link_run"]),
            )
            .await
            .unwrap();
    }
    let (back, suggestions) = store.link_run(LinkKind::Incident).await.unwrap().unwrap();
    assert_eq!(back, run);
    assert_eq!(suggestions, vec![suggestion]);
    assert!(store.link_run(LinkKind::Person).await.unwrap().is_none());
}

/// A database error with an SQLite result code, as sqlx reports one.
#[derive(Debug)]
struct Coded(u32);

impl std::fmt::Display for Coded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "generated error {}", self.0)
    }
}

impl std::error::Error for Coded {}

impl sqlx::error::DatabaseError for Coded {
    fn message(&self) -> &str {
        "generated error"
    }
    fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
        Some(self.0.to_string().into())
    }
    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }
    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }
    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }
    fn kind(&self) -> sqlx::error::ErrorKind {
        sqlx::error::ErrorKind::Other
    }
}

#[test]
fn causes_a_person_can_act_on_are_named_in_words() {
    let from = |code| StoreError::from(sqlx::Error::Database(Box::new(Coded(code))));
    // SQLITE_FULL, and the shared-memory file that could not grow (4874).
    for code in [13, 4874] {
        let e = from(code);
        assert!(matches!(e, StoreError::DiskFull), "{code}: {e:?}");
        assert!(e.to_string().contains("the disk is full"), "{e}");
    }
    // SQLITE_BUSY and SQLITE_BUSY_SNAPSHOT; SQLITE_LOCKED.
    for code in [5, 517, 6] {
        assert!(matches!(from(code), StoreError::Busy), "{code}");
    }
    // Another input/output error keeps SQLite's words, said once.
    let other = from(10 | (3 << 8)).to_string();
    assert_eq!(other.matches("generated error").count(), 1, "{other}");
}

/// A database written by the schema before consent and implementation
/// notes (migration 0011) opens with every record and reference intact,
/// and takes the new kinds of rows after.
#[tokio::test]
async fn a_database_of_the_previous_schema_upgrades_with_its_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("previous.db");
    {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .foreign_keys(true);
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .unwrap();
        let all = sqlx::migrate!("./migrations");
        let previous = sqlx::migrate::Migrator {
            migrations: all
                .migrations
                .iter()
                .filter(|m| m.version <= 11)
                .cloned()
                .collect::<Vec<_>>()
                .into(),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        previous.run(&pool).await.unwrap();
        for sql in [
            "INSERT INTO source (id, kind, title, confidentiality) VALUES ('s', 'media', 'Generated', 'public')",
            "INSERT INTO citable (id, kind) VALUES ('p', 'person'), ('m', 'mechanism'), ('r', 'upr_review')",
            "INSERT INTO person (id, consent_public, confidentiality) VALUES ('p', 1, 'confidential')",
            "INSERT INTO person_status (person_id, position, date, status) VALUES ('p', 0, '2014', 'detained')",
            "INSERT INTO upr_review (id, cycle, date) VALUES ('r', 2, '2013-10-22')",
            "INSERT INTO mechanism (id, kind, date, text, review_id, state) VALUES ('m', 'upr_recommendation', '2013', 'Generated', 'r', 'Generated State')",
            "INSERT INTO citation (id, subject_id, position, source_id, locator, quote) VALUES ('c1', 'p', 0, 's', '', ''), ('c2', 'm', 0, 's', 'para 1', 'generated')",
        ] {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
    }
    let store = SqliteStore::open(&path).await.unwrap();
    assert_eq!(
        store.integrity_problems().await.unwrap(),
        Vec::<String>::new()
    );
    let pool = store.pool_for_tests();
    let kept: Vec<(String, String)> = sqlx::query_as("SELECT id, kind FROM citable ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(
        kept,
        [("m", "mechanism"), ("p", "person"), ("r", "upr_review")]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    let citations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM citation")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(citations, 2);
    // References into the rebuilt table still hold: a citation of a
    // subject that is not citable is refused.
    let refused = sqlx::query(
        "INSERT INTO citation (id, subject_id, position, source_id, locator, quote) VALUES ('c3', 'nothing', 0, 's', 'x', 'y')",
    )
    .execute(&pool)
    .await;
    assert!(refused.is_err());
    // And the new rows take.
    sqlx::query("INSERT INTO citable (id, kind) VALUES ('n', 'implementation')")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO mechanism_implementation (id, mechanism_id, position, date, status, summary) VALUES ('n', 'm', 0, '2019', 'not_implemented', 'x')",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("UPDATE person_status SET citation_id = 'c1'")
        .execute(&pool)
        .await
        .unwrap();
    let foreign: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(foreign, 1, "foreign keys are on again after the upgrade");
}
