//! Issue 30: records created, changed, archived and restored one at a
//! time, each change keeping a version. Every name here is generated.

use refwatch_domain::*;
use refwatch_policy::{Principal, Role};

use super::protection_tests::{Stored, stored};
use super::tests::{incident, open_as, person, source};
use super::*;

/// A fresh database with keys, holding `data`.
async fn db(data: Dataset) -> Stored {
    stored(data, false).await
}

fn place(name: &str, parent: Option<PlaceId>) -> Place {
    Place {
        id: PlaceId::random(),
        kind: Term::new("city"),
        name_en: name.into(),
        name_ko: None,
        name_zh: None,
        country: Some("CN".into()),
        parent,
        coordinates: None,
    }
}

fn changed_fields(v: &VersionView) -> Vec<&str> {
    v.changes.iter().map(|c| c.field.as_str()).collect()
}

#[tokio::test]
async fn a_source_is_created_changed_archived_and_restored_with_its_history() {
    let d = db(Dataset::default()).await;
    let editor = open_as(&d.path, &d.key, Principal::Account(Role::Editor)).await;
    let mut s = source();
    editor
        .create_record(&Record::Source(s.clone()))
        .await
        .unwrap();
    s.title = "Generated interview, second reading".into();
    s.publisher = Some("Generated NGO".into());
    editor
        .update_record(&Record::Source(s.clone()))
        .await
        .unwrap();
    assert_eq!(editor.dataset().await.unwrap().sources, vec![s.clone()]);

    let history = editor
        .history(RecordKind::Source, &s.id.to_string())
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].action, VersionAction::Create);
    assert_eq!(history[1].action, VersionAction::Update);
    assert_eq!(changed_fields(&history[1]), vec!["title", "publisher"]);
    let title = &history[1].changes[0];
    assert_eq!(title.before.as_deref(), Some("Generated interview"));
    assert_eq!(
        title.after.as_deref(),
        Some("Generated interview, second reading")
    );
    assert_eq!(history[1].changes[1].before, None);

    // The first version back.
    editor
        .restore_version(RecordKind::Source, &s.id.to_string(), 1)
        .await
        .unwrap();
    let now = editor.dataset().await.unwrap();
    assert_eq!(now.sources[0].title, "Generated interview");
    assert_eq!(now.sources[0].publisher, None);

    // Archived: gone from the records, kept in the history, and back.
    let err = editor
        .archive_record(RecordKind::Source, &s.id.to_string(), "  ")
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServiceError::Invalid(ref p) if p[0].path == "reason"),
        "{err}"
    );
    editor
        .archive_record(RecordKind::Source, &s.id.to_string(), "entered twice")
        .await
        .unwrap();
    assert!(editor.dataset().await.unwrap().sources.is_empty());
    let history = editor
        .history(RecordKind::Source, &s.id.to_string())
        .await
        .unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.action, VersionAction::Archive);
    assert_eq!(last.reason.as_deref(), Some("entered twice"));
    editor
        .restore_version(RecordKind::Source, &s.id.to_string(), 3)
        .await
        .unwrap();
    assert_eq!(
        editor.dataset().await.unwrap().sources[0].title,
        "Generated interview"
    );

    // Each change is audited by id.
    let admin = open_as(&d.path, &d.key, Principal::Account(Role::Administrator)).await;
    let actions: Vec<String> = admin
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.target_id.as_deref() == Some(&s.id.to_string()))
        .map(|e| e.event.action)
        .collect();
    assert_eq!(
        actions,
        ["create", "update", "restore", "archive", "restore"]
    );
}

#[tokio::test]
async fn an_imported_record_keeps_its_imported_state_when_first_edited() {
    let s = source();
    let i = incident(s.id, Confidentiality::Restricted);
    let d = db(Dataset {
        sources: vec![s.clone()],
        incidents: vec![i.clone().into()],
        ..Dataset::default()
    })
    .await;
    let editor = open_as(&d.path, &d.key, Principal::Account(Role::Editor)).await;
    let mut edited = i.clone();
    edited.victims = Count::exact(3);
    edited.citations[0].quote = "three taken".into();
    editor.update_incident(&edited).await.unwrap();
    let history = editor
        .history(RecordKind::Incident, &i.id.to_string())
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].action, VersionAction::Imported);
    assert_eq!(
        changed_fields(&history[1]),
        vec![
            "victims.low",
            "victims.best",
            "victims.high",
            "citations[0].quote"
        ]
    );
    // The edit kept the citations it did not change.
    let stored = editor.dataset().await.unwrap();
    assert_eq!(stored.incidents[0].citations, edited.citations);
}

#[tokio::test]
async fn places_cannot_lie_within_themselves_and_linked_records_stay() {
    let province = place("Generated Province", None);
    let city = place("Generated City", Some(province.id));
    let s = source();
    let mut i = incident(s.id, Confidentiality::Public);
    i.places.push(PlaceLink {
        place: city.id,
        role: Term::new("arrest"),
    });
    let d = db(Dataset {
        sources: vec![s],
        places: vec![province.clone(), city.clone()],
        incidents: vec![i.into()],
        ..Dataset::default()
    })
    .await;
    let editor = open_as(&d.path, &d.key, Principal::Account(Role::Editor)).await;
    let mut looped = province.clone();
    looped.parent = Some(city.id);
    let err = editor
        .update_record(&Record::Place(looped))
        .await
        .unwrap_err();
    let ServiceError::Invalid(problems) = err else {
        panic!("{err}")
    };
    assert_eq!(problems[0].path, "parent");
    // A place an incident names is not archived; nothing changed.
    let err = editor
        .archive_record(RecordKind::Place, &city.id.to_string(), "duplicate")
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServiceError::Store(StoreError::StillLinked(_))),
        "{err}"
    );
    let data = editor.dataset().await.unwrap();
    assert_eq!(data.places.len(), 2);
    assert!(data.places.iter().all(|p| p.parent != Some(city.id)));
    // Renaming a place an incident names keeps the incident's link.
    let mut renamed = city.clone();
    renamed.name_ko = Some("생성시".into());
    editor.update_record(&Record::Place(renamed)).await.unwrap();
    let data = editor.dataset().await.unwrap();
    assert_eq!(data.incidents[0].places[0].place, city.id);
    // A new place with a made-up kind is refused with the field named.
    let mut odd = place("Generated Town", Some(province.id));
    odd.kind = Term::new("no_such_kind");
    let err = editor.create_record(&Record::Place(odd)).await.unwrap_err();
    let ServiceError::Invalid(problems) = err else {
        panic!("{err}")
    };
    assert_eq!(problems[0].path, "kind", "{problems:?}");
}

#[tokio::test]
async fn roles_and_levels_hold_for_edits_and_histories() {
    let mut secret = source();
    secret.confidentiality = Confidentiality::Confidential;
    let d = db(Dataset {
        sources: vec![secret.clone()],
        ..Dataset::default()
    })
    .await;
    let id = secret.id.to_string();
    for role in [Role::Analyst, Role::Viewer] {
        let reader = open_as(&d.path, &d.key, Principal::Account(role)).await;
        assert!(matches!(
            reader.create_record(&Record::Source(source())).await,
            Err(ServiceError::Denied(_))
        ));
        // Above their level: not there at all.
        assert!(matches!(
            reader.history(RecordKind::Source, &id).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            reader.archive_record(RecordKind::Source, &id, "x").await,
            Err(ServiceError::NotFound(_))
        ));
    }
    // Made public by an editor: a viewer reads the history from then on,
    // without the confidential version or what it held.
    let editor = open_as(&d.path, &d.key, Principal::Account(Role::Editor)).await;
    let mut public = secret.clone();
    public.confidentiality = Confidentiality::Public;
    public.title = "Generated public title".into();
    editor.update_record(&Record::Source(public)).await.unwrap();
    let viewer = open_as(&d.path, &d.key, Principal::Account(Role::Viewer)).await;
    let history = viewer.history(RecordKind::Source, &id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert!(history[0].changes.iter().all(|c| c.before.is_none()));
    assert!(
        history[0]
            .fields
            .iter()
            .all(|(_, v)| v != "Generated interview")
    );
    assert_eq!(
        editor.history(RecordKind::Source, &id).await.unwrap().len(),
        2
    );
    // The public may not change anything.
    let public = open_as(&d.path, &d.key, Principal::Public).await;
    assert!(matches!(
        public.update_record(&Record::Source(secret)).await,
        Err(ServiceError::NotFound(_) | ServiceError::Denied(_))
    ));
}

#[tokio::test]
async fn a_history_is_screened_for_names_like_the_records() {
    let s = source();
    let p = person(Confidentiality::Restricted);
    let name = p.identity.as_ref().unwrap().name_romanized.clone().unwrap();
    let i = incident(s.id, Confidentiality::Restricted);
    let d = db(Dataset {
        sources: vec![s],
        incidents: vec![i.clone().into()],
        persons: vec![p.into()],
        ..Dataset::default()
    })
    .await;
    let editor = open_as(&d.path, &d.key, Principal::Account(Role::Editor)).await;
    let mut named = i.clone();
    named.summary = format!("{name} was among those taken");
    editor.update_incident(&named).await.unwrap();
    // The reason given for archiving is free text too.
    editor
        .archive_record(
            RecordKind::Incident,
            &i.id.to_string(),
            &format!("entered twice for {name}"),
        )
        .await
        .unwrap();
    let analyst = open_as(&d.path, &d.key, Principal::Account(Role::Analyst)).await;
    let history = analyst
        .history(RecordKind::Incident, &i.id.to_string())
        .await
        .unwrap();
    let text = format!("{history:?}");
    assert!(!text.contains(&name), "the history names the person");
    assert!(text.contains(guard::MASK));
    let reason = history.last().unwrap().reason.as_deref().unwrap();
    assert!(reason.starts_with("entered twice for") && reason.contains(guard::MASK));
    let own = editor
        .history(RecordKind::Incident, &i.id.to_string())
        .await
        .unwrap();
    assert!(format!("{own:?}").contains(&name));
}

#[tokio::test]
async fn a_persons_timeline_grows_while_their_identity_stays_sealed_and_unversioned() {
    let s = source();
    let mut p = person(Confidentiality::Restricted);
    p.citations.push(Citation {
        id: CitationId::random(),
        source: s.id,
        via: None,
        locator: "call notes".into(),
        quote: "Generated Name was taken in Tumen".into(),
        note: None,
    });
    let name = "Generated Name";
    let d = db(Dataset {
        sources: vec![s],
        persons: vec![p.clone().into()],
        ..Dataset::default()
    })
    .await;
    let editor = open_as(&d.path, &d.key, Principal::Account(Role::Editor)).await;
    let Record::Person(mut seen) = editor
        .record(RecordKind::Person, &p.id.to_string())
        .await
        .unwrap()
    else {
        panic!("not a person")
    };
    // What an editor sends back, even with an identity, changes only what
    // does not identify the person.
    seen.timeline.push(StatusEvent {
        date: "2024-06-02".parse().unwrap(),
        status: Term::new("detained"),
        place: None,
        incident: None,
        citation: None,
    });
    seen.consent_public = false;
    let mut other = PersonIdentity::default();
    other.name_romanized = Some("Another Generated Name".into());
    seen.identity = Some(other);
    editor
        .update_record(&Record::Person(seen.clone()))
        .await
        .unwrap();
    seen.timeline.push(StatusEvent {
        date: "2024-07".parse().unwrap(),
        status: Term::new("repatriated"),
        place: None,
        incident: None,
        citation: None,
    });
    editor
        .update_record(&Record::Person(seen.clone()))
        .await
        .unwrap();
    let stored = editor.dataset().await.unwrap();
    assert_eq!(stored.persons[0].timeline.len(), 2);
    let identity = editor.person_identity(p.id).await.unwrap().unwrap();
    assert_eq!(identity.name_romanized.as_deref(), Some(name));
    assert_eq!(identity.cited[0].quote, "Generated Name was taken in Tumen");

    let history = editor
        .history(RecordKind::Person, &p.id.to_string())
        .await
        .unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[0].action, VersionAction::Imported);
    assert_eq!(
        changed_fields(&history[2]),
        vec!["timeline[1].date", "timeline[1].status"]
    );
    let text = format!("{history:?}");
    assert!(!text.contains("Generated Name") && !text.contains("Tumen"));

    // Nowhere on disk in the clear, versions included.
    drop(editor);
    for entry in std::fs::read_dir(d.dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        for secret in [name, "Another Generated", "taken in Tumen"] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} is on disk in the clear"
            );
        }
    }

    // Not changed by those who may not.
    let analyst = open_as(&d.path, &d.key, Principal::Account(Role::Analyst)).await;
    assert!(matches!(
        analyst.update_record(&Record::Person(seen)).await,
        Err(ServiceError::Denied(_))
    ));
}

#[tokio::test]
async fn a_full_export_after_edits_imports_and_exports_byte_identically_history_included() {
    let s = source();
    let province = place("Generated Province", None);
    let town = place("Generated Town", Some(province.id));
    let i = incident(s.id, Confidentiality::Restricted);
    let p = person(Confidentiality::Confidential);
    let d = db(Dataset {
        sources: vec![s.clone()],
        places: vec![province.clone(), town.clone()],
        incidents: vec![i.clone().into()],
        persons: vec![p.clone().into()],
        ..Dataset::default()
    })
    .await;
    let editor = open_as(&d.path, &d.key, Principal::Account(Role::Editor)).await;
    let mut edited = i.clone();
    edited.title = "Generated arrest, corrected".into();
    editor.update_incident(&edited).await.unwrap();
    editor
        .archive_record(RecordKind::Place, &town.id.to_string(), "entered twice")
        .await
        .unwrap();
    let mut moved = (*editor.dataset().await.unwrap().persons[0]).clone();
    moved.timeline.push(StatusEvent {
        date: "2024-06".parse().unwrap(),
        status: Term::new("detained"),
        place: Some(province.id),
        incident: Some(i.id),
        citation: None,
    });
    editor.update_record(&Record::Person(moved)).await.unwrap();
    // A later citation and consent on the person; a UN record and a note
    // on its implementation.
    let cited = editor
        .cite_person(
            p.id,
            &Citation {
                id: CitationId::random(),
                source: s.id,
                via: None,
                locator: "second call".into(),
                quote: "Generated words".into(),
                note: None,
            },
        )
        .await
        .unwrap();
    let mut consented = (*editor.dataset().await.unwrap().persons[0]).clone();
    consented.timeline[0].citation = Some(cited);
    consented.consent = Some(Consent {
        scope: Term::new("none"),
        date: "2024-07".parse().unwrap(),
        recorded_by: "generated-editor".into(),
    });
    editor
        .update_record(&Record::Person(consented))
        .await
        .unwrap();
    let cite = |quote: &str| Citation {
        id: CitationId::random(),
        source: s.id,
        via: None,
        locator: "para. 1".into(),
        quote: quote.into(),
        note: None,
    };
    let mut m = Mechanism {
        id: MechanismId::random(),
        detail: MechanismDetail::CoiRecommendation {
            paragraph: "90 (a)".into(),
        },
        reference: None,
        date: "2014-02".parse().unwrap(),
        text: "Generated recommendation".into(),
        themes: vec![],
        incidents: vec![],
        implementation: vec![],
        citations: vec![cite("Generated recommendation")],
    };
    editor
        .create_record(&Record::Mechanism(m.clone()))
        .await
        .unwrap();
    m.implementation.push(ImplementationNote {
        id: ImplementationId::random(),
        date: "2024-10".parse().unwrap(),
        status: Term::new("not_implemented"),
        summary: "Generated finding".into(),
        citations: vec![cite("Generated finding")],
    });
    editor
        .update_record(&Record::Mechanism(m.clone()))
        .await
        .unwrap();

    let admin = open_as(&d.path, &d.key, Principal::Account(Role::Administrator)).await;
    let first = refwatch_interchange::to_json(&admin.export_full().await.unwrap());
    assert!(first.contains("\"history\"") && first.contains("entered twice"));
    assert!(first.contains("\"implementation\"") && first.contains("\"recorded_by\""));

    // Into an empty database; out again, the same bytes.
    let fresh = db(Dataset::default()).await;
    let restorer = open_as(
        &fresh.path,
        &fresh.key,
        Principal::Account(Role::Administrator),
    )
    .await;
    restorer
        .import(&refwatch_interchange::parse(&first).unwrap())
        .await
        .unwrap();
    let second = refwatch_interchange::to_json(&restorer.export_full().await.unwrap());
    assert_eq!(first, second);
    // The restored history reads as the first did; the archived place can
    // be brought back.
    let history = restorer
        .history(RecordKind::Place, &town.id.to_string())
        .await
        .unwrap();
    assert_eq!(
        history.last().unwrap().reason.as_deref(),
        Some("entered twice")
    );
    restorer
        .restore_version(RecordKind::Place, &town.id.to_string(), 1)
        .await
        .unwrap();

    // Only an administrator brings a history in.
    let other = db(Dataset::default()).await;
    let editor = open_as(&other.path, &other.key, Principal::Account(Role::Editor)).await;
    assert!(matches!(
        editor
            .import(&refwatch_interchange::parse(&first).unwrap())
            .await,
        Err(ServiceError::Denied(_))
    ));
}

#[tokio::test]
async fn every_role_writes_records_at_each_level_as_the_written_policy_says() {
    use refwatch_policy::{Operation, decide};
    let d = db(Dataset::default()).await;
    let admin = open_as(&d.path, &d.key, Principal::Account(Role::Administrator)).await;
    let mut principals: Vec<Principal> = Role::ALL.into_iter().map(Principal::Account).collect();
    principals.push(Principal::Public);
    for level in Confidentiality::ALL {
        for principal in &principals {
            let core = open_as(&d.path, &d.key, *principal).await;
            // Create.
            let mut s = source();
            s.confidentiality = level;
            let made = core.create_record(&Record::Source(s.clone())).await;
            let allowed = decide(*principal, Operation::Create, level).allowed();
            assert_eq!(
                made.is_ok(),
                allowed,
                "{principal:?} create at {level:?}: {made:?}"
            );
            if !allowed {
                assert!(matches!(made, Err(ServiceError::Denied(_))), "{made:?}");
                admin
                    .create_record(&Record::Source(s.clone()))
                    .await
                    .unwrap();
            }
            // Update, then archive: allowed to those who may change records
            // at the level (and may read them: otherwise it is not there).
            let mut changed = s.clone();
            changed.title = format!("Changed by {principal:?}");
            let updated = core.update_record(&Record::Source(changed)).await;
            let allowed = decide(*principal, Operation::Update, level).allowed();
            assert_eq!(
                updated.is_ok(),
                allowed,
                "{principal:?} update at {level:?}: {updated:?}"
            );
            if !allowed {
                assert!(
                    matches!(
                        updated,
                        Err(ServiceError::Denied(_) | ServiceError::NotFound(_))
                    ),
                    "{updated:?}"
                );
            }
            let id = s.id.to_string();
            let archived = core
                .archive_record(RecordKind::Source, &id, "policy test")
                .await;
            assert_eq!(
                archived.is_ok(),
                allowed,
                "{principal:?} archive at {level:?}: {archived:?}"
            );
            let history = core.history(RecordKind::Source, &id).await;
            let reads = *principal != Principal::Public
                && decide(*principal, Operation::Read, level).allowed();
            assert_eq!(history.is_ok(), reads, "{principal:?} history at {level:?}");
        }
    }
}

/// Issue 30: a later step of a person's timeline, with the citation behind
/// it, and consent recorded with scope, date and recorder; the words of the
/// new citation are sealed like the first ones, and nothing else changes.
#[tokio::test]
async fn a_later_step_is_cited_and_consent_recorded_with_words_sealed() {
    let s = source();
    let mut p = person(Confidentiality::Restricted);
    p.citations.push(Citation {
        id: CitationId::random(),
        source: s.id,
        via: None,
        locator: "first call".into(),
        quote: "Generated Name was taken in Tumen".into(),
        note: None,
    });
    let d = db(Dataset {
        sources: vec![s.clone()],
        persons: vec![p.clone().into()],
        ..Dataset::default()
    })
    .await;
    let editor = open_as(&d.path, &d.key, Principal::Account(Role::Editor)).await;
    let later = Citation {
        id: CitationId::random(),
        source: s.id,
        via: None,
        locator: "second call".into(),
        quote: "Generated Name was moved to Sinuiju".into(),
        note: None,
    };
    // Bad words are refused with the rule's message, and nothing changes.
    let empty = Citation {
        quote: " ".into(),
        ..later.clone()
    };
    let err = editor.cite_person(p.id, &empty).await.unwrap_err();
    assert!(format!("{err:?}").contains("exact quoted words"), "{err:?}");
    let cited = editor.cite_person(p.id, &later).await.unwrap();
    let Record::Person(mut seen) = editor
        .record(RecordKind::Person, &p.id.to_string())
        .await
        .unwrap()
    else {
        panic!("not a person")
    };
    assert_eq!(seen.citations.len(), 2);
    assert_eq!(seen.citations[1].id, cited);
    assert!(Person::cited_words_sealed(&seen.citations[1]));
    seen.timeline.push(StatusEvent {
        date: "2024-08".parse().unwrap(),
        status: Term::new("transferred"),
        place: None,
        incident: None,
        citation: Some(cited),
    });
    seen.consent = Some(Consent {
        scope: Term::new("un_confidential"),
        date: "2024-08-02".parse().unwrap(),
        recorded_by: "generated-editor".into(),
    });
    editor
        .update_record(&Record::Person(seen.clone()))
        .await
        .unwrap();
    let identity = editor.person_identity(p.id).await.unwrap().unwrap();
    let quotes: Vec<&str> = identity.cited.iter().map(|c| c.quote.as_str()).collect();
    assert_eq!(
        quotes,
        [
            "Generated Name was taken in Tumen",
            "Generated Name was moved to Sinuiju"
        ]
    );
    let stored = editor.dataset().await.unwrap();
    assert_eq!(stored.persons[0].timeline[0].citation, Some(cited));
    assert_eq!(stored.persons[0].consent, seen.consent);
    assert!(!stored.persons[0].consent_public);
    // A step citing what is not the person's citation is refused.
    seen.timeline[0].citation = Some(CitationId::random());
    let err = editor
        .update_record(&Record::Person(seen.clone()))
        .await
        .unwrap_err();
    assert!(
        format!("{err:?}").contains("timeline[0].citation"),
        "{err:?}"
    );
    // Consent that says public while the flag says otherwise is refused.
    seen.timeline[0].citation = Some(cited);
    seen.consent.as_mut().unwrap().scope = Term::new("public");
    let err = editor
        .update_record(&Record::Person(seen.clone()))
        .await
        .unwrap_err();
    assert!(format!("{err:?}").contains("consent_public"), "{err:?}");
    let history = editor
        .history(RecordKind::Person, &p.id.to_string())
        .await
        .unwrap();
    assert_eq!(history.len(), 3, "imported, cited, changed");
    let text = format!("{history:?}");
    assert!(!text.contains("Sinuiju") && !text.contains("second call"));
    // Those who may not change the person may not cite them either.
    let analyst = open_as(&d.path, &d.key, Principal::Account(Role::Analyst)).await;
    assert!(matches!(
        analyst.cite_person(p.id, &later).await,
        Err(ServiceError::Denied(_))
    ));
    drop(editor);
    for entry in std::fs::read_dir(d.dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(7).any(|w| w == b"Sinuiju"),
            "on disk in clear"
        );
    }
}

/// Issue 30: the records as they stood at a past moment, for statistics
/// "as of" a date: imported, created, changed, archived and created again,
/// each seen only from when it happened.
#[tokio::test]
async fn the_records_are_rebuilt_as_they_stood_at_a_past_moment() {
    let s = source();
    let mut a = incident(s.id, Confidentiality::Public);
    a.victims = Count::exact(10);
    let d = db(Dataset {
        sources: vec![s.clone()],
        incidents: vec![a.clone().into()],
        ..Dataset::default()
    })
    .await;
    let imported = SystemClock.now();
    let clock = super::tests::TestClock::new();
    let store = refwatch_storage::SqliteStore::open(&d.path).await.unwrap();
    let editor = Service::open(
        store,
        Some(&d.key),
        Arc::new(clock.clone()),
        Caller {
            principal: Principal::Account(Role::Editor),
            label: "test".into(),
        },
    )
    .await
    .unwrap();
    let created = clock.now();
    let mut b = incident(s.id, Confidentiality::Public);
    b.victims = Count::exact(5);
    editor
        .create_record(&Record::Incident(b.clone()))
        .await
        .unwrap();
    clock.advance(86_400);
    let changed = clock.now();
    a.victims = Count::exact(20);
    editor
        .update_record(&Record::Incident(a.clone()))
        .await
        .unwrap();
    clock.advance(86_400);
    let archived = clock.now();
    editor
        .archive_record(RecordKind::Incident, &b.id.to_string(), "recorded twice")
        .await
        .unwrap();
    clock.advance(86_400);
    let again = clock.now();
    let c = incident(s.id, Confidentiality::Public);
    editor
        .create_record(&Record::Incident(c.clone()))
        .await
        .unwrap();

    let counts = |data: &Dataset| -> Vec<(IncidentId, u64)> {
        let mut v: Vec<_> = data
            .incidents
            .iter()
            .map(|i| (i.id, i.victims.low))
            .collect();
        v.sort();
        v
    };
    let sorted = |mut v: Vec<(IncidentId, u64)>| {
        v.sort();
        v
    };
    for (at, expected) in [
        (imported.plus_seconds(-10), vec![]),
        (created.plus_seconds(-1), vec![(a.id, 10)]),
        (created, vec![(a.id, 10), (b.id, 5)]),
        (changed, vec![(a.id, 20), (b.id, 5)]),
        (archived, vec![(a.id, 20)]),
        (again, vec![(a.id, 20), (c.id, c.victims.low)]),
    ] {
        let past = editor.readable_as_of(at).await.unwrap();
        assert_eq!(counts(&past), sorted(expected), "as of {at}");
    }
    // Now is as the records are.
    let now = editor.readable_as_of(clock.now()).await.unwrap();
    assert_eq!(counts(&now), counts(&editor.readable().await.unwrap()));
    assert_eq!(now.sources.len(), 1, "the source was there all along");
}

/// The records as of a past moment pass the same read ceiling and
/// publication guard as the current ones (ARCHITECTURE.md).
#[tokio::test]
async fn records_as_of_a_past_moment_are_filtered_and_screened_as_current_ones() {
    let s = source();
    let mut open = incident(s.id, Confidentiality::Public);
    open.title = "Arrest of Generated Name in Yanji".into();
    let hidden = incident(s.id, Confidentiality::Confidential);
    let mut p = person(Confidentiality::Confidential);
    let mut identity = PersonIdentity::default();
    identity.name_romanized = Some("Generated Name".into());
    p.identity = Some(identity);
    let d = db(Dataset {
        sources: vec![s],
        incidents: vec![open.clone().into(), hidden.clone().into()],
        persons: vec![p.into()],
        ..Dataset::default()
    })
    .await;
    let later = SystemClock.now().plus_seconds(3_600);
    for (principal, sees_hidden, screened) in [
        (Principal::Account(Role::Administrator), true, false),
        (Principal::Account(Role::Viewer), false, true),
        (Principal::Public, false, true),
    ] {
        let core = open_as(&d.path, &d.key, principal).await;
        let past = core.readable_as_of(later).await.unwrap();
        assert_eq!(
            past.incidents.iter().any(|i| i.id == hidden.id),
            sees_hidden,
            "{principal:?}"
        );
        let title = &past
            .incidents
            .iter()
            .find(|i| i.id == open.id)
            .unwrap()
            .title;
        assert_eq!(
            title.contains("Generated Name"),
            !screened,
            "{principal:?}: {title}"
        );
        assert!(past.persons.iter().all(|p| p.identity.is_none()));
    }
}

#[tokio::test]
async fn persons_are_linked_to_an_incident_from_its_side_all_or_none() {
    let s = source();
    let i = incident(s.id, Confidentiality::Restricted);
    let (a, b) = (
        person(Confidentiality::Restricted),
        person(Confidentiality::Restricted),
    );
    let d = db(Dataset {
        sources: vec![s],
        incidents: vec![i.clone().into()],
        persons: vec![a.clone().into(), b.clone().into()],
        ..Dataset::default()
    })
    .await;
    let editor = open_as(&d.path, &d.key, Principal::Account(Role::Editor)).await;
    let roles = |data: &Dataset| -> Vec<Vec<String>> {
        [a.id, b.id]
            .iter()
            .map(|id| {
                let p = data.persons.iter().find(|p| p.id == *id).unwrap();
                p.incidents
                    .iter()
                    .filter(|l| l.incident == i.id)
                    .map(|l| l.role.code().to_owned())
                    .collect()
            })
            .collect()
    };
    let linked = editor
        .link_persons(
            i.id,
            &[(a.id, Term::new("victim")), (b.id, Term::new("witness"))],
        )
        .await
        .unwrap();
    assert_eq!(linked, 2);
    assert_eq!(
        roles(&editor.dataset().await.unwrap()),
        [vec!["victim"], vec!["witness"]]
    );
    // One taken away, one changed; then the same again changes nothing.
    let changed = editor
        .link_persons(i.id, &[(b.id, Term::new("relative"))])
        .await
        .unwrap();
    assert_eq!(changed, 2);
    let again = editor
        .link_persons(i.id, &[(b.id, Term::new("relative"))])
        .await
        .unwrap();
    assert_eq!(again, 0);
    let history = editor
        .history(RecordKind::Person, &a.id.to_string())
        .await
        .unwrap();
    assert_eq!(history.len(), 3, "imported, linked, unlinked");
    assert_eq!(
        changed_fields(&history[1]),
        vec!["incidents[0].incident", "incidents[0].role"]
    );
    let before = roles(&editor.dataset().await.unwrap());
    assert_eq!(before, [Vec::<String>::new(), vec!["relative".to_owned()]]);

    // A role outside the vocabulary refuses the whole change: the valid
    // link beside it is not written either.
    let err = editor
        .link_persons(
            i.id,
            &[(a.id, Term::new("victim")), (b.id, Term::new("bystander"))],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Invalid(_)), "{err:?}");
    // A person who is not there, and a caller who may not change persons.
    let err = editor
        .link_persons(i.id, &[(PersonId::random(), Term::new("victim"))])
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::NotFound(_)), "{err:?}");
    let analyst = open_as(&d.path, &d.key, Principal::Account(Role::Analyst)).await;
    assert!(matches!(
        analyst
            .link_persons(i.id, &[(a.id, Term::new("victim"))])
            .await,
        Err(ServiceError::Denied(_))
    ));
    assert_eq!(roles(&editor.dataset().await.unwrap()), before);
}

#[tokio::test]
async fn a_citation_on_a_person_is_corrected_or_removed_its_words_sealed() {
    let s = source();
    let mut p = person(Confidentiality::Restricted);
    let first = CitationId::random();
    p.citations.push(Citation {
        id: first,
        source: s.id,
        via: None,
        locator: "first call".into(),
        quote: "Generated Name was taken in Tumen".into(),
        note: None,
    });
    let d = db(Dataset {
        sources: vec![s.clone()],
        persons: vec![p.clone().into()],
        ..Dataset::default()
    })
    .await;
    let editor = open_as(&d.path, &d.key, Principal::Account(Role::Editor)).await;
    let quotes = || async {
        let identity = editor.person_identity(p.id).await.unwrap().unwrap();
        identity
            .cited
            .iter()
            .map(|c| (c.citation, c.quote.clone()))
            .collect::<Vec<_>>()
    };
    let later = editor
        .cite_person(
            p.id,
            &Citation {
                id: CitationId::random(),
                source: s.id,
                via: None,
                locator: "second call".into(),
                quote: "Generated Name was moved to Hyesan".into(),
                note: None,
            },
        )
        .await
        .unwrap();
    // Corrected: the same citation, new words, sealed; the row keeps none.
    let corrected = Citation {
        id: CitationId::random(),
        source: s.id,
        via: None,
        locator: "second call, minute 4".into(),
        quote: "Generated Name was moved to Sinuiju".into(),
        note: None,
    };
    editor
        .correct_person_citation(p.id, later, Some(&corrected))
        .await
        .unwrap();
    assert_eq!(
        quotes().await,
        [
            (first, "Generated Name was taken in Tumen".to_owned()),
            (later, "Generated Name was moved to Sinuiju".to_owned())
        ]
    );
    let stored = editor.dataset().await.unwrap();
    assert!(Person::cited_words_sealed(&stored.persons[0].citations[1]));
    // Bad words are refused and nothing changes; so is a citation that is
    // not the person's.
    let blank = Citation {
        quote: String::new(),
        ..corrected.clone()
    };
    assert!(matches!(
        editor
            .correct_person_citation(p.id, later, Some(&blank))
            .await,
        Err(ServiceError::Invalid(_))
    ));
    assert!(matches!(
        editor
            .correct_person_citation(p.id, CitationId::random(), None)
            .await,
        Err(ServiceError::NotFound(_))
    ));
    // Removed: the row and the words go.
    editor
        .correct_person_citation(p.id, first, None)
        .await
        .unwrap();
    assert_eq!(
        quotes().await,
        [(later, "Generated Name was moved to Sinuiju".to_owned())]
    );
    // One a step of the timeline stands on cannot be removed.
    let Record::Person(mut seen) = editor
        .record(RecordKind::Person, &p.id.to_string())
        .await
        .unwrap()
    else {
        panic!("not a person")
    };
    seen.timeline.push(StatusEvent {
        date: "2024-08".parse().unwrap(),
        status: Term::new("transferred"),
        place: None,
        incident: None,
        citation: Some(later),
    });
    editor.update_record(&Record::Person(seen)).await.unwrap();
    let err = editor
        .correct_person_citation(p.id, later, None)
        .await
        .unwrap_err();
    assert!(
        format!("{err:?}").contains("timeline[0].citation"),
        "{err:?}"
    );
    assert_eq!(
        editor.dataset().await.unwrap().persons[0].citations.len(),
        1
    );
    let history = editor
        .history(RecordKind::Person, &p.id.to_string())
        .await
        .unwrap();
    assert_eq!(
        history.len(),
        5,
        "imported, cited, corrected, removed, step"
    );
    let text = format!("{history:?}");
    assert!(!text.contains("Sinuiju") && !text.contains("Tumen"));
    let analyst = open_as(&d.path, &d.key, Principal::Account(Role::Analyst)).await;
    assert!(matches!(
        analyst.correct_person_citation(p.id, later, None).await,
        Err(ServiceError::Denied(_))
    ));
    drop(editor);
    for entry in std::fs::read_dir(d.dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        for secret in [&b"Sinuiju"[..], b"Hyesan", b"taken in Tumen"] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret),
                "on disk in the clear"
            );
        }
    }
}

#[tokio::test]
async fn a_person_is_archived_and_restored_with_their_identity_kept_sealed() {
    let s = source();
    let i = incident(s.id, Confidentiality::Restricted);
    let mut p = person(Confidentiality::Restricted);
    p.incidents.push(PersonIncident {
        incident: i.id,
        role: Term::new("victim"),
    });
    let other = person(Confidentiality::Restricted);
    let d = db(Dataset {
        sources: vec![s],
        incidents: vec![i.clone().into()],
        persons: vec![p.clone().into(), other.clone().into()],
        ..Dataset::default()
    })
    .await;
    let editor = open_as(&d.path, &d.key, Principal::Account(Role::Editor)).await;
    let id = p.id.to_string();
    assert!(matches!(
        editor.archive_record(RecordKind::Person, &id, " ").await,
        Err(ServiceError::Invalid(_))
    ));
    editor
        .archive_record(RecordKind::Person, &id, "entered twice")
        .await
        .unwrap();
    // Out of every read: the records, the identity, the linkage's input.
    let data = editor.dataset().await.unwrap();
    assert_eq!(data.persons.len(), 1);
    assert_eq!(data.persons[0].id, other.id);
    assert!(editor.person_identity(p.id).await.unwrap().is_none());
    assert!(matches!(
        editor.record(RecordKind::Person, &id).await,
        Err(ServiceError::NotFound(_))
    ));
    // The incident it was linked to stays, as does its history.
    assert_eq!(data.incidents.len(), 1);
    let history = editor.history(RecordKind::Person, &id).await.unwrap();
    assert_eq!(history.last().unwrap().action, VersionAction::Archive);
    assert!(!format!("{history:?}").contains("Generated Name"));
    // Restored: back with their identity and links.
    let n = u32::try_from(history.len() - 1).unwrap();
    editor
        .restore_version(RecordKind::Person, &id, n)
        .await
        .unwrap();
    let data = editor.dataset().await.unwrap();
    let back = data.persons.iter().find(|x| x.id == p.id).unwrap();
    assert_eq!(back.incidents.len(), 1);
    let identity = editor.person_identity(p.id).await.unwrap().unwrap();
    assert_eq!(identity.name_romanized.as_deref(), Some("Generated Name"));
    // Never on disk in the clear, archived or not.
    drop(editor);
    for entry in std::fs::read_dir(d.dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(14).any(|w| w == b"Generated Name"),
            "on disk in the clear"
        );
    }
}
