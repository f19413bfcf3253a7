//! Round trips of every record type, all-or-nothing inserts and integrity checks.

use refwatch_domain::*;

use super::*;

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
    let person = Person {
        id: PersonId::random(),
        identity: PersonIdentity {
            name_hangul: Some("가나다".into()),
            name_romanized: Some("Ga Nada".into()),
            name_chinese: Some("加那多".into()),
            birth_date: Some("1990-01-02".into()),
            origin: Some("Somewhere 1".into()),
            family_contacts: Some("Relative 2".into()),
        },
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
            },
            StatusEvent {
                date: "2014".parse().unwrap(),
                status: Term::new("disappeared"),
                place: None,
                incident: None,
            },
        ],
        incidents: vec![PersonIncident {
            incident: incident.id,
            role: Term::new("victim"),
        }],
        consent_public: true,
        confidentiality: Confidentiality::Confidential,
        citations: vec![cite(source.id, "person")],
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
        incidents: vec![incident],
        persons: vec![person],
        upr_reviews: vec![review],
        mechanisms,
        figures: vec![figure],
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
    store.insert_dataset(&data).await.unwrap();
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
    store.insert_dataset(&data).await.unwrap();
    let mut again = full_dataset();
    again.incidents[0].id = data.incidents[0].id;
    let err = store.insert_dataset(&again).await.unwrap_err();
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
    assert!(store.insert_dataset(&data).await.is_err());
    assert!(store.is_empty().await.unwrap());
}

#[tokio::test]
async fn errors_name_the_row_not_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let data = full_dataset();
    store.insert_dataset(&data).await.unwrap();
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
