//! Evidence and search through the protected core, for every role: a
//! document's words find nothing and count nothing for a reader below its
//! level; names are searched only by readers of identities.

use std::sync::Arc;

use refwatch_domain::*;
use refwatch_evidence::EvidenceStore;
use refwatch_extract::Inline;
use refwatch_policy::{Principal, Role};
use refwatch_search::DocKind;
use refwatch_storage::SqliteStore;

use crate::tests::{incident, key, person, source};
use crate::*;

struct Setup {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    key: refwatch_keys::KekSource,
    objects: EvidenceStore,
    source: SourceId,
    /// A restricted person whose citation quotes a generated place.
    listed: PersonId,
}

fn setup_for(objects: &EvidenceStore) -> EvidenceSetup {
    EvidenceSetup {
        store: objects.clone(),
        reader: Arc::new(Inline::default()),
        max_bytes: 1 << 20,
    }
}

async fn acting(s: &Setup, principal: Principal) -> Service<SqliteStore> {
    crate::tests::open_as(&s.path, &s.key, principal)
        .await
        .with_evidence(setup_for(&s.objects))
}

/// A public incident about Yanji, a restricted incident, a confidential
/// person with a generated name, and three evidence texts: public Korean,
/// restricted Chinese, confidential English.
async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let key = key();
    let objects = EvidenceStore::in_memory();
    let store = SqliteStore::open(&path).await.unwrap();
    let service = Service::create_keys(store, &key, Arc::new(SystemClock))
        .await
        .unwrap()
        .with_evidence(setup_for(&objects));
    let s = source();
    let mut public = incident(s.id, Confidentiality::Public);
    public.title = "Arrests in Yanji".into();
    public.summary = "Police arrested escapees in Yanji.".into();
    let mut restricted = incident(s.id, Confidentiality::Restricted);
    restricted.title = "Border crossing at Tumen".into();
    restricted.summary = "A generated account of a crossing near Tumen.".into();
    let mut listed = person(Confidentiality::Restricted);
    listed.citations = vec![Citation {
        id: CitationId::random(),
        source: s.id,
        via: None,
        locator: "row 3".into(),
        quote: "listed at the Hyesan holding centre".into(),
        note: None,
    }];
    let listed_id = listed.id;
    let mut secret = person(Confidentiality::Confidential);
    let mut identity = PersonIdentity::default();
    identity.name_hangul = Some("한지우".into());
    secret.identity = Some(identity);
    let source_id = s.id;
    service
        .import(&Dataset {
            sources: vec![s],
            incidents: vec![public.into(), restricted.into()],
            persons: vec![secret.into(), listed.into()],
            ..Dataset::default()
        })
        .await
        .unwrap();
    for (text, name, level) in [
        (
            "2023년 탈북민 600명이 강제북송되었다.",
            "a.txt",
            Confidentiality::Public,
        ),
        (
            "中国公安在图们强制遣返脱北者。",
            "b.txt",
            Confidentiality::Restricted,
        ),
        (
            "The generated informant described the safehouse route.",
            "c.txt",
            Confidentiality::Confidential,
        ),
    ] {
        service
            .add_evidence(
                text.as_bytes(),
                Intake {
                    source: source_id,
                    received_from: "Generated Courier".into(),
                    received_via: "test".into(),
                    file_name: name.into(),
                    confidentiality: level,
                },
            )
            .await
            .unwrap();
    }
    service.into_store().close().await;
    Setup {
        _dir: dir,
        path,
        key,
        objects,
        source: source_id,
        listed: listed_id,
    }
}

fn ask(text: &str) -> SearchRequest {
    SearchRequest {
        text: text.into(),
        limit: 20,
        ..SearchRequest::default()
    }
}

const ROLES: [(Principal, Confidentiality); 5] = [
    (
        Principal::Account(Role::Administrator),
        Confidentiality::Confidential,
    ),
    (
        Principal::Account(Role::Editor),
        Confidentiality::Confidential,
    ),
    (
        Principal::Account(Role::Analyst),
        Confidentiality::Restricted,
    ),
    (
        Principal::Account(Role::Viewer),
        Confidentiality::Restricted,
    ),
    (Principal::Public, Confidentiality::Public),
];

#[tokio::test]
async fn every_role_finds_and_counts_only_what_it_may_read() {
    let s = setup().await;
    for (who, ceiling) in ROLES {
        let service = acting(&s, who).await;
        for (words, level, kind) in [
            ("Yanji", Confidentiality::Public, DocKind::Incident),
            ("강제북송", Confidentiality::Public, DocKind::Evidence),
            ("Tumen", Confidentiality::Restricted, DocKind::Incident),
            ("强制遣返", Confidentiality::Restricted, DocKind::Evidence),
            (
                "safehouse",
                Confidentiality::Confidential,
                DocKind::Evidence,
            ),
        ] {
            let found = service.search(&ask(words)).await.unwrap();
            if level <= ceiling {
                assert_eq!(found.total, 1, "{who:?} {words}");
                assert_eq!(found.hits[0].kind, kind);
                assert!(found.hits[0].snippet.iter().any(|seg| seg.marked));
            } else {
                assert_eq!(found.total, 0, "{who:?} must not find {words}");
                assert!(found.hits.is_empty());
                assert_eq!(found.facets.total(), 0);
            }
        }
        // The name of the confidential person: only for readers of identities.
        let by_name = service.search(&ask("한지우")).await.unwrap();
        let reads_names = matches!(who, Principal::Account(Role::Administrator | Role::Editor));
        assert_eq!(by_name.total, usize::from(reads_names), "{who:?}");
        assert!(
            by_name.hits.iter().all(|h| !h.title.contains("한지우")
                && h.snippet.iter().all(|x| !x.text.contains("지우")))
        );
    }
}

#[tokio::test]
async fn words_quoted_on_a_person_are_found_only_by_readers_of_identities() {
    let s = setup().await;
    // A citation on a person may name them: its words are identity
    // (docs/policy.md), found neither by a viewer nor the public.
    for who in [Principal::Account(Role::Viewer), Principal::Public] {
        let found = acting(&s, who).await.search(&ask("Hyesan")).await.unwrap();
        assert_eq!(found.total, 0, "{who:?}");
    }
    let editor = acting(&s, Principal::Account(Role::Editor)).await;
    let found = editor.search(&ask("Hyesan")).await.unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.hits[0].kind, DocKind::Person);
    assert_eq!(found.hits[0].id, s.listed.to_string());
}

#[tokio::test]
async fn evidence_follows_the_policy_and_the_index_follows_new_evidence() {
    let s = setup().await;
    let viewer = acting(&s, Principal::Account(Role::Viewer)).await;
    let listed = viewer.evidence_list().await.unwrap();
    assert_eq!(listed.len(), 2, "public and restricted only");
    let secret = acting(&s, Principal::Account(Role::Administrator))
        .await
        .evidence_list()
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.confidentiality == Confidentiality::Confidential)
        .unwrap();
    // Refused as if it did not exist.
    let err = viewer.evidence_text(secret.id).await.unwrap_err();
    assert!(
        err.to_string().contains("no evidence with this id"),
        "{err}"
    );
    // Viewers may not add evidence; analysts neither; editors may.
    let intake = || Intake {
        source: s.source,
        received_from: "x".into(),
        received_via: "x".into(),
        file_name: "n.txt".into(),
        confidentiality: Confidentiality::Restricted,
    };
    for role in [Role::Viewer, Role::Analyst] {
        let err = acting(&s, Principal::Account(role))
            .await
            .add_evidence(b"generated words", intake())
            .await
            .unwrap_err();
        assert!(matches!(err, ServiceError::Denied(_)), "{err}");
    }
    let editor = acting(&s, Principal::Account(Role::Editor)).await;
    assert_eq!(editor.search(&ask("checkpoint")).await.unwrap().total, 0);
    editor
        .add_evidence(b"A generated note about the checkpoint.", intake())
        .await
        .unwrap();
    // The next search sees it: the index follows the data version.
    assert_eq!(editor.search(&ask("checkpoint")).await.unwrap().total, 1);
    // Only administrators verify the store.
    assert!(matches!(
        editor.verify_evidence().await,
        Err(ServiceError::Denied(_))
    ));
    let (count, findings) = acting(&s, Principal::Account(Role::Administrator))
        .await
        .verify_evidence()
        .await
        .unwrap();
    assert_eq!((count, findings.len()), (4, 0));
    // Provenance: editors yes (audited), analysts no.
    let p = editor.evidence_provenance(secret.id).await.unwrap();
    assert_eq!(p.received_from, "Generated Courier");
    assert_eq!(format!("{p:?}"), "Provenance(<redacted>)");
    let analyst = acting(&s, Principal::Account(Role::Analyst)).await;
    let restricted = listed
        .iter()
        .find(|e| e.confidentiality == Confidentiality::Restricted)
        .unwrap();
    assert!(matches!(
        analyst.evidence_provenance(restricted.id).await,
        Err(ServiceError::Denied(_))
    ));
    // Recording a transfer changes the file's record: not for viewers.
    assert!(matches!(
        viewer
            .transfer_evidence(restricted.id, "a generated office")
            .await,
        Err(ServiceError::Denied(_))
    ));
    editor
        .transfer_evidence(restricted.id, "a generated office")
        .await
        .unwrap();
    // Too large: refused, nothing stored.
    let big = vec![b'a'; (1 << 20) + 1];
    assert!(matches!(
        editor.add_evidence(&big, intake()).await,
        Err(ServiceError::TooLarge { .. })
    ));
    assert_eq!(editor.evidence_list().await.unwrap().len(), 4);
}

#[tokio::test]
async fn an_evidence_text_naming_a_person_is_screened_for_readers_who_may_not_identify() {
    let s = setup().await;
    let admin = acting(&s, Principal::Account(Role::Administrator)).await;
    let IntakeOutcome::Stored { evidence, .. } = admin
        .add_evidence(
            "한지우가 2023년에 송환되었다고 가족이 말했다.".as_bytes(),
            Intake {
                source: s.source,
                received_from: "Generated Courier".into(),
                received_via: "test".into(),
                file_name: "d.txt".into(),
                confidentiality: Confidentiality::Public,
            },
        )
        .await
        .unwrap()
    else {
        panic!("a new file is stored");
    };
    for who in [Principal::Public, Principal::Account(Role::Viewer)] {
        let text = acting(&s, who)
            .await
            .evidence_text(evidence.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            text.as_str(),
            format!("{}가 2023년에 송환되었다고 가족이 말했다.", guard::MASK),
            "{who:?}"
        );
    }
    let editor = acting(&s, Principal::Account(Role::Editor)).await;
    let text = editor.evidence_text(evidence.id).await.unwrap().unwrap();
    assert!(text.starts_with("한지우가"));
}

#[tokio::test]
async fn a_record_shows_only_at_the_level_of_what_it_reveals() {
    let s = setup().await;
    let admin = acting(&s, Principal::Account(Role::Administrator)).await;
    // A confidential source, public evidence filed under it, a place used
    // only by a confidential incident, and a figure only it reports.
    let mut secret_source = source();
    secret_source.title = "Generated Informant Network".into();
    secret_source.confidentiality = Confidentiality::Confidential;
    let hamlet = Place {
        id: PlaceId::random(),
        kind: Term::new("city"),
        name_en: "Generated Hamlet".into(),
        name_ko: None,
        name_zh: None,
        country: None,
        parent: None,
        coordinates: Some(Coordinates {
            lat: 42.9,
            lon: 129.5,
            precision: CoordPrecision::Exact,
        }),
    };
    let mut hidden = incident(secret_source.id, Confidentiality::Confidential);
    hidden.places.push(PlaceLink {
        place: hamlet.id,
        role: Term::new("arrest"),
    });
    let mut figure_citation = hidden.citations[0].clone();
    figure_citation.id = CitationId::random();
    let figure = ReportedFigure {
        id: FigureId::random(),
        indicator: Term::new("border_crossings"),
        period: "2024".parse().unwrap(),
        place: None,
        value: Count::exact(31),
        unit: "people".into(),
        citations: vec![figure_citation],
    };
    let (source_id, place_id, figure_id) = (secret_source.id, hamlet.id, figure.id);
    admin
        .import(&Dataset {
            sources: vec![secret_source],
            places: vec![hamlet],
            incidents: vec![hidden.into()],
            figures: vec![figure],
            ..Dataset::default()
        })
        .await
        .unwrap();
    let leaflet = match admin
        .add_evidence(
            b"A generated leaflet about crossings.",
            Intake {
                source: source_id,
                received_from: "Generated Courier".into(),
                received_via: "test".into(),
                file_name: "leaflet.txt".into(),
                confidentiality: Confidentiality::Public,
            },
        )
        .await
        .unwrap()
    {
        IntakeOutcome::Stored { evidence, .. } => evidence.id,
        other => panic!("{other:?}"),
    };
    for who in [Principal::Public, Principal::Account(Role::Viewer)] {
        let reader = acting(&s, who).await;
        let found = reader.search(&ask("leaflet")).await.unwrap();
        assert_eq!(found.total, 1, "{who:?}: the evidence itself is public");
        assert!(!found.hits[0].title.contains("Informant"), "{who:?}");
        assert!(!reader.evidence_view(leaflet).await.unwrap().source_shown);
        let view = reader.readable().await.unwrap();
        assert!(view.places.iter().all(|p| p.id != place_id), "{who:?}");
        assert!(view.figures.iter().all(|f| f.id != figure_id), "{who:?}");
    }
    assert!(admin.evidence_view(leaflet).await.unwrap().source_shown);
    let all = admin.readable().await.unwrap();
    assert!(all.places.iter().any(|p| p.id == place_id));
    assert!(all.figures.iter().any(|f| f.id == figure_id));
}

#[tokio::test]
async fn the_same_file_sent_twice_at_once_is_one_file_with_two_intakes() {
    let s = setup().await;
    let editor = acting(&s, Principal::Account(Role::Editor)).await;
    let intake = |via: &str| Intake {
        source: s.source,
        received_from: "Generated Courier".into(),
        received_via: via.into(),
        file_name: "same.txt".into(),
        confidentiality: Confidentiality::Restricted,
    };
    let bytes = b"A generated statement sent twice by a tired documenter.";
    let (a, b) = tokio::join!(
        editor.add_evidence(bytes, intake("first upload")),
        editor.add_evidence(bytes, intake("second upload"))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let id_of = |o: &IntakeOutcome| match o {
        IntakeOutcome::Stored { evidence, .. } | IntakeOutcome::Duplicate(evidence) => evidence.id,
    };
    assert_eq!(id_of(&a), id_of(&b), "one record");
    let view = editor.evidence_view(id_of(&a)).await.unwrap();
    let intakes: Vec<&str> = view
        .custody
        .iter()
        .filter(|c| c.action == CustodyAction::Intake)
        .map(|c| c.note.as_str())
        .collect();
    assert_eq!(intakes.len(), 2, "{intakes:?}");
}

#[tokio::test]
async fn the_index_follows_incidents_added_edited_and_deleted_elsewhere() {
    let s = setup().await;
    let viewer = acting(&s, Principal::Account(Role::Viewer)).await;
    let public = acting(&s, Principal::Public).await;
    assert_eq!(viewer.search(&ask("Yanji")).await.unwrap().total, 1);
    // Another core, as the command line or another server would be.
    let writer = acting(&s, Principal::Account(Role::Administrator)).await;
    let mut added = incident(s.source, Confidentiality::Public);
    added.title = "Transfer through Dandong".into();
    added.summary = "한지우 was moved to the border".into();
    writer
        .import(&Dataset {
            incidents: vec![added.clone().into()],
            ..Dataset::default()
        })
        .await
        .unwrap();
    let found = public.search(&ask("Dandong")).await.unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.hits[0].id, added.id.to_string());
    // The name in the new incident is withheld from the public's search.
    assert_eq!(public.search(&ask("한지우")).await.unwrap().total, 0);
    assert!(
        found.hits[0]
            .snippet
            .iter()
            .all(|seg| !seg.text.contains("지우"))
    );

    let mut edited = added.clone();
    edited.title = "Transfer through Sinuiju".into();
    writer.update_incident(&edited).await.unwrap();
    assert_eq!(public.search(&ask("Dandong")).await.unwrap().total, 0);
    assert_eq!(public.search(&ask("Sinuiju")).await.unwrap().total, 1);
    // Its citation was replaced with it, not left twice.
    assert_eq!(
        viewer.search(&ask("Sinuiju")).await.unwrap().facets.total(),
        1
    );

    writer.delete_incident(added.id, "test").await.unwrap();
    assert_eq!(public.search(&ask("Sinuiju")).await.unwrap().total, 0);
    assert_eq!(viewer.search(&ask("Yanji")).await.unwrap().total, 1);
}
