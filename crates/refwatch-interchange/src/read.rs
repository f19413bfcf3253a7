//! The file format to domain records, collecting every problem.

use std::str::FromStr;
use std::sync::Arc;

use refwatch_domain::*;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::dto::*;

/// Collects problems while converting; each conversion returns a fallback
/// value so that conversion carries on and finds the next problem.
struct Conv {
    problems: Vec<Problem>,
}

impl Conv {
    fn push(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    fn parse<T: FromStr>(&mut self, path: &str, text: &str, what: &str) -> Option<T>
    where
        T::Err: std::fmt::Display,
    {
        match text.parse() {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(
                    path,
                    format!("\"{}\" is not a valid {what}: {e}", clip(text)),
                );
                None
            }
        }
    }

    fn opt<T: FromStr>(
        &mut self,
        path: &str,
        text: &Option<String>,
        what: &str,
    ) -> Option<Option<T>>
    where
        T::Err: std::fmt::Display,
    {
        match text {
            None => Some(None),
            Some(t) => self.parse(path, t, what).map(Some),
        }
    }

    fn confidentiality(&mut self, path: &str, code: &str) -> Confidentiality {
        Confidentiality::from_code(code).unwrap_or_else(|| {
            self.push(
                path,
                format!(
                    "\"{}\" is not a confidentiality level; use public, restricted or confidential",
                    clip(code)
                ),
            );
            Confidentiality::Confidential
        })
    }

    fn citations(&mut self, path: &str, list: Vec<CitationDto>) -> Vec<Citation> {
        let mut out = Vec::new();
        for (i, c) in list.into_iter().enumerate() {
            let p = format!("{path}[{i}]");
            let id = self.parse::<CitationId>(&format!("{p}.id"), &c.id, "id");
            let source = self.parse::<SourceId>(&format!("{p}.source"), &c.source, "source id");
            let via = self.opt::<SourceId>(&format!("{p}.via"), &c.via, "source id");
            if let (Some(id), Some(source), Some(via)) = (id, source, via) {
                out.push(Citation {
                    id,
                    source,
                    via,
                    locator: c.locator,
                    quote: c.quote,
                    note: c.note,
                });
            }
        }
        out
    }
}

/// Keeps echoed input short in messages.
fn clip(text: &str) -> String {
    let mut s: String = text.chars().take(40).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

fn count(c: CountDto) -> Count {
    Count {
        low: c.low,
        best: c.best,
        high: c.high,
    }
}

fn source(cv: &mut Conv, p: &str, d: SourceDto) -> Option<Source> {
    let id = cv.parse(&format!("{p}.id"), &d.id, "id");
    let date = cv.opt(&format!("{p}.date"), &d.date, "date");
    let confidentiality = cv.confidentiality(&format!("{p}.confidentiality"), &d.confidentiality);
    Some(Source {
        id: id?,
        kind: Term::new(d.kind),
        title: d.title,
        publisher: d.publisher,
        author: d.author,
        date: date?,
        language: d.language,
        url: d.url,
        symbol: d.symbol,
        reliability: d.reliability.map(Term::new),
        confidentiality,
        note: d.note,
    })
}

fn place(cv: &mut Conv, p: &str, d: PlaceDto) -> Option<Place> {
    let id = cv.parse(&format!("{p}.id"), &d.id, "id");
    let parent = cv.opt(&format!("{p}.parent"), &d.parent, "place id");
    let coordinates = match d.coordinates {
        None => Some(None),
        Some(c) => match CoordPrecision::from_code(&c.precision) {
            Some(precision) => Some(Some(Coordinates {
                lat: c.lat,
                lon: c.lon,
                precision,
            })),
            None => {
                cv.push(
                    &format!("{p}.coordinates.precision"),
                    "unknown precision; use exact, city, district, province or country",
                );
                None
            }
        },
    };
    Some(Place {
        id: id?,
        kind: Term::new(d.kind),
        name_en: d.name_en,
        name_ko: d.name_ko,
        name_zh: d.name_zh,
        country: d.country,
        parent: parent?,
        coordinates: coordinates?,
    })
}

fn actor(cv: &mut Conv, p: &str, d: ActorDto) -> Option<Actor> {
    let id = cv.parse(&format!("{p}.id"), &d.id, "id");
    let parent = cv.opt(&format!("{p}.parent"), &d.parent, "actor id");
    Some(Actor {
        id: id?,
        kind: Term::new(d.kind),
        name_en: d.name_en,
        name_ko: d.name_ko,
        name_zh: d.name_zh,
        parent: parent?,
    })
}

fn incident(cv: &mut Conv, p: &str, d: IncidentDto) -> Option<Incident> {
    let id = cv.parse(&format!("{p}.id"), &d.id, "id");
    let date = cv.parse(&format!("{p}.date"), &d.date, "date");
    let confidentiality = cv.confidentiality(&format!("{p}.confidentiality"), &d.confidentiality);
    let mut ok = true;
    let mut places = Vec::new();
    for (j, l) in d.places.into_iter().enumerate() {
        match cv.parse(&format!("{p}.places[{j}].place"), &l.place, "place id") {
            Some(place) => places.push(PlaceLink {
                place,
                role: Term::new(l.role),
            }),
            None => ok = false,
        }
    }
    let mut actors = Vec::new();
    for (j, l) in d.actors.into_iter().enumerate() {
        match cv.parse(&format!("{p}.actors[{j}].actor"), &l.actor, "actor id") {
            Some(actor) => actors.push(ActorLink {
                actor,
                role: Term::new(l.role),
            }),
            None => ok = false,
        }
    }
    let mut breakdown = Vec::new();
    for (j, b) in d.breakdown.into_iter().enumerate() {
        match Dimension::from_code(&b.dimension) {
            Some(dimension) => breakdown.push(BreakdownPart {
                dimension,
                term: Term::new(b.term),
                count: count(b.count),
            }),
            None => {
                cv.push(
                    &format!("{p}.breakdown[{j}].dimension"),
                    "unknown dimension; use sex, age_group or category",
                );
                ok = false;
            }
        }
    }
    let mut reports = Vec::new();
    for (j, r) in d.reports.into_iter().enumerate() {
        let rp = format!("{p}.reports[{j}]");
        let rid = cv.parse(&format!("{rp}.id"), &r.id, "id");
        let rdate = cv.opt(&format!("{rp}.date"), &r.date, "date");
        let citations = cv.citations(&format!("{rp}.citations"), r.citations);
        match (rid, rdate) {
            (Some(id), Some(date)) => reports.push(IncidentReport {
                id,
                date,
                victims: r.victims.map(count),
                summary: r.summary,
                citations,
            }),
            _ => ok = false,
        }
    }
    let citations = cv.citations(&format!("{p}.citations"), d.citations);
    if !ok {
        return None;
    }
    Some(Incident {
        id: id?,
        kind: Term::new(d.kind),
        title: d.title,
        summary: d.summary,
        date: date?,
        places,
        actors,
        victims: count(d.victims),
        breakdown,
        verification: Term::new(d.verification),
        confidentiality,
        reports,
        citations,
    })
}

fn person(cv: &mut Conv, p: &str, d: PersonDto) -> Option<Person> {
    let id = cv.parse(&format!("{p}.id"), &d.id, "id");
    let origin_place = cv.opt(&format!("{p}.origin_place"), &d.origin_place, "place id");
    let confidentiality = cv.confidentiality(&format!("{p}.confidentiality"), &d.confidentiality);
    let mut ok = true;
    let mut timeline = Vec::new();
    for (j, e) in d.timeline.into_iter().enumerate() {
        let ep = format!("{p}.timeline[{j}]");
        let date = cv.parse(&format!("{ep}.date"), &e.date, "date");
        let place = cv.opt(&format!("{ep}.place"), &e.place, "place id");
        let incident = cv.opt(&format!("{ep}.incident"), &e.incident, "incident id");
        let citation = cv.opt(&format!("{ep}.citation"), &e.citation, "citation id");
        match (date, place, incident, citation) {
            (Some(date), Some(place), Some(incident), Some(citation)) => {
                timeline.push(StatusEvent {
                    date,
                    status: Term::new(e.status),
                    place,
                    incident,
                    citation,
                })
            }
            _ => ok = false,
        }
    }
    let mut incidents = Vec::new();
    for (j, l) in d.incidents.into_iter().enumerate() {
        match cv.parse(
            &format!("{p}.incidents[{j}].incident"),
            &l.incident,
            "incident id",
        ) {
            Some(incident) => incidents.push(PersonIncident {
                incident,
                role: Term::new(l.role),
            }),
            None => ok = false,
        }
    }
    let citations = cv.citations(&format!("{p}.citations"), d.citations);
    let consent = match d.consent {
        Some(c) => match cv.parse(&format!("{p}.consent.date"), &c.date, "date") {
            Some(date) => Some(Consent {
                scope: Term::new(c.scope),
                date,
                recorded_by: c.recorded_by,
            }),
            None => {
                ok = false;
                None
            }
        },
        None => None,
    };
    if !ok {
        return None;
    }
    let identity = d.identity.map(|i| {
        let mut identity = PersonIdentity::default();
        identity.name_hangul = i.name_hangul;
        identity.name_romanized = i.name_romanized;
        identity.name_chinese = i.name_chinese;
        identity.birth_date = i.birth_date;
        identity.origin = i.origin;
        identity.family_contacts = i.family_contacts;
        identity
    });
    Some(Person {
        id: id?,
        // An identity with no field set is no identity.
        identity: identity.filter(|i| !i.is_empty()),
        sex: d.sex.map(Term::new),
        birth_year: d.birth_year,
        age_group: d.age_group.map(Term::new),
        origin_place: origin_place?,
        category: d.category.map(Term::new),
        timeline,
        incidents,
        consent_public: d
            .consent_public
            .unwrap_or_else(|| consent.as_ref().is_some_and(Consent::allows_public)),
        consent,
        confidentiality,
        citations,
    })
}

fn upr_review(cv: &mut Conv, p: &str, d: UprReviewDto) -> Option<UprReview> {
    let id = cv.parse(&format!("{p}.id"), &d.id, "id");
    let date = cv.parse(&format!("{p}.date"), &d.date, "date");
    let citations = cv.citations(&format!("{p}.citations"), d.citations);
    Some(UprReview {
        id: id?,
        cycle: d.cycle,
        date: date?,
        symbol: d.symbol,
        citations,
    })
}

fn mechanism(cv: &mut Conv, p: &str, d: MechanismDto) -> Option<Mechanism> {
    let id = cv.parse(&format!("{p}.id"), &d.id, "id");
    let date = cv.parse(&format!("{p}.date"), &d.date, "date");
    let missing = |cv: &mut Conv, field: &str| {
        cv.push(
            &format!("{p}.{field}"),
            format!("a {} record needs \"{field}\"", d.kind),
        );
    };
    let detail = match d.kind.as_str() {
        "upr_recommendation" => {
            let review = match &d.review {
                Some(r) => cv.parse(&format!("{p}.review"), r, "UPR review id"),
                None => {
                    missing(cv, "review");
                    None
                }
            };
            if d.state.is_none() {
                missing(cv, "state");
            }
            match (review, d.state) {
                (Some(review), Some(state)) => Some(MechanismDetail::UprRecommendation {
                    review,
                    paragraph: d.paragraph,
                    state,
                    response: d.response,
                }),
                _ => None,
            }
        }
        "treaty_observation" => match d.body {
            Some(body) => Some(MechanismDetail::TreatyObservation {
                body: Term::new(body),
                paragraph: d.paragraph,
            }),
            None => {
                missing(cv, "body");
                None
            }
        },
        "communication" => Some(MechanismDetail::Communication {
            mandate_holders: d.mandate_holders.unwrap_or_default(),
            reply_received: d.reply_received,
        }),
        "coi_recommendation" => match d.paragraph {
            Some(paragraph) => Some(MechanismDetail::CoiRecommendation { paragraph }),
            None => {
                missing(cv, "paragraph");
                None
            }
        },
        "resolution" => match d.body {
            Some(body) => Some(MechanismDetail::Resolution {
                body,
                vote: d.vote.map(|v| VoteTally {
                    yes: v.yes,
                    no: v.no,
                    abstain: v.abstain,
                }),
                china_vote: d.china_vote,
            }),
            None => {
                missing(cv, "body");
                None
            }
        },
        other => {
            cv.push(
                &format!("{p}.kind"),
                format!(
                    "\"{}\" is not a mechanism kind; use upr_recommendation, treaty_observation, communication, coi_recommendation or resolution",
                    clip(other)
                ),
            );
            None
        }
    };
    let mut incidents = Vec::new();
    let mut ok = true;
    for (j, text) in d.incidents.iter().enumerate() {
        match cv.parse(&format!("{p}.incidents[{j}]"), text, "incident id") {
            Some(i) => incidents.push(i),
            None => ok = false,
        }
    }
    let mut implementation = Vec::new();
    for (j, n) in d.implementation.into_iter().enumerate() {
        let np = format!("{p}.implementation[{j}]");
        let id = cv.parse(&format!("{np}.id"), &n.id, "id");
        let date = cv.parse(&format!("{np}.date"), &n.date, "date");
        let citations = cv.citations(&format!("{np}.citations"), n.citations);
        match (id, date) {
            (Some(id), Some(date)) => implementation.push(ImplementationNote {
                id,
                date,
                status: Term::new(n.status),
                summary: n.summary,
                citations,
            }),
            _ => ok = false,
        }
    }
    let citations = cv.citations(&format!("{p}.citations"), d.citations);
    if !ok {
        return None;
    }
    Some(Mechanism {
        id: id?,
        detail: detail?,
        reference: d.reference,
        date: date?,
        text: d.text,
        themes: d.themes.into_iter().map(Term::new).collect(),
        incidents,
        implementation,
        citations,
    })
}

fn figure(cv: &mut Conv, p: &str, d: FigureDto) -> Option<ReportedFigure> {
    let id = cv.parse(&format!("{p}.id"), &d.id, "id");
    let period = cv.parse(&format!("{p}.period"), &d.period, "date");
    let place = cv.opt(&format!("{p}.place"), &d.place, "place id");
    let citations = cv.citations(&format!("{p}.citations"), d.citations);
    Some(ReportedFigure {
        id: id?,
        indicator: Term::new(d.indicator),
        period: period?,
        place: place?,
        value: count(d.value),
        unit: d.unit,
        citations,
    })
}

fn link(cv: &mut Conv, p: &str, d: LinkDto) -> Option<LinkDecision> {
    let Some(kind) = LinkKind::from_code(&d.kind) else {
        cv.push(&format!("{p}.kind"), "must be \"incident\" or \"person\"");
        return None;
    };
    let verdict = Verdict::from_code(&d.verdict);
    if verdict.is_none() {
        cv.push(&format!("{p}.verdict"), "must be \"same\" or \"different\"");
    }
    let pair = match kind {
        LinkKind::Incident => {
            let a: Option<IncidentId> = cv.parse(&format!("{p}.a"), &d.a, "id");
            let b: Option<IncidentId> = cv.parse(&format!("{p}.b"), &d.b, "id");
            LinkPair::incidents(a?, b?)
        }
        LinkKind::Person => {
            let a: Option<PersonId> = cv.parse(&format!("{p}.a"), &d.a, "id");
            let b: Option<PersonId> = cv.parse(&format!("{p}.b"), &d.b, "id");
            LinkPair::persons(a?, b?)
        }
    };
    let Some(pair) = pair else {
        cv.push(&format!("{p}.b"), "a record cannot be linked to itself");
        return None;
    };
    Some(LinkDecision {
        pair,
        verdict: verdict?,
    })
}

/// Reads one list of records, converting each that deserialises.
fn list<D: DeserializeOwned, T>(
    cv: &mut Conv,
    root: &mut serde_json::Map<String, Value>,
    key: &str,
    convert: fn(&mut Conv, &str, D) -> Option<T>,
) -> Vec<T> {
    let mut out = Vec::new();
    match root.remove(key) {
        None => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.into_iter().enumerate() {
                let p = format!("{key}[{i}]");
                match serde_path_to_error::deserialize::<_, D>(item) {
                    Ok(dto) => {
                        if let Some(record) = convert(cv, &p, dto) {
                            out.push(record);
                        }
                    }
                    Err(e) => {
                        let inner = e.path().to_string();
                        let path = if inner == "." {
                            p
                        } else {
                            format!("{p}.{inner}")
                        };
                        cv.push(&path, e.into_inner().to_string());
                    }
                }
            }
        }
        Some(_) => cv.push(key, "must be a list (JSON array) of records"),
    }
    out
}

/// A kept version: its record read as a one-record file and written
/// back as [`crate::to_json`] writes it, so that the body is what was kept.
fn version(cv: &mut Conv, p: &str, d: VersionDto) -> Option<RecordVersion> {
    let Some(kind) = RecordKind::from_code(&d.kind) else {
        cv.push(
            &format!("{p}.kind"),
            "must be one of source, place, actor, incident, person, mechanism, figure",
        );
        return None;
    };
    let action = VersionAction::from_code(&d.action);
    if action.is_none() {
        cv.push(
            &format!("{p}.action"),
            "must be one of imported, create, update, archive, restore",
        );
    }
    let at = Timestamp::parse_utc(&d.at);
    if at.is_none() {
        cv.push(
            &format!("{p}.at"),
            "must be a time in UTC such as 2026-11-23T14:05:09Z",
        );
    }
    let confidentiality = Confidentiality::from_code(&d.confidentiality);
    if confidentiality.is_none() {
        cv.push(
            &format!("{p}.confidentiality"),
            "must be public, restricted or confidential",
        );
    }
    if d.number == 0 {
        cv.push(&format!("{p}.number"), "versions are numbered from 1");
    }
    let file = serde_json::json!({
        "format": crate::FORMAT,
        "version": crate::VERSION,
        kind.list_name(): [d.record],
    });
    let (body, record_id) = match parse_value(file) {
        Ok(one) if one.record_count() == 1 => (crate::to_json(&one), record_id(&one)),
        Ok(_) | Err(_) => {
            cv.push(
                &format!("{p}.record"),
                "must be one record of its kind in this format",
            );
            return None;
        }
    };
    if canonical_id(kind, &d.id).as_ref() != Some(&record_id) {
        cv.push(&format!("{p}.id"), "must be the id of the record it holds");
        return None;
    }
    if d.number == 0 {
        return None;
    }
    Some(RecordVersion {
        kind,
        id: record_id,
        number: d.number,
        at: at?,
        actor: d.by,
        action: action?,
        reason: d.reason,
        confidentiality: confidentiality?,
        body,
    })
}

/// The id of the one record of `data`, as text.
fn record_id(data: &Dataset) -> String {
    let ids = data.sources.iter().map(|r| r.id.to_string());
    let ids = ids.chain(data.places.iter().map(|r| r.id.to_string()));
    let ids = ids.chain(data.actors.iter().map(|r| r.id.to_string()));
    let ids = ids.chain(data.incidents.iter().map(|r| r.id.to_string()));
    let ids = ids.chain(data.persons.iter().map(|r| r.id.to_string()));
    let ids = ids.chain(data.mechanisms.iter().map(|r| r.id.to_string()));
    let mut ids = ids.chain(data.figures.iter().map(|r| r.id.to_string()));
    ids.next().unwrap_or_default()
}

/// An id of a record of `kind` as stored (a `key:` slug made a UUID).
fn canonical_id(kind: RecordKind, text: &str) -> Option<String> {
    match kind {
        RecordKind::Source => text.parse::<SourceId>().ok().map(|i| i.to_string()),
        RecordKind::Place => text.parse::<PlaceId>().ok().map(|i| i.to_string()),
        RecordKind::Actor => text.parse::<ActorId>().ok().map(|i| i.to_string()),
        RecordKind::Incident => text.parse::<IncidentId>().ok().map(|i| i.to_string()),
        RecordKind::Person => text.parse::<PersonId>().ok().map(|i| i.to_string()),
        RecordKind::Mechanism => text.parse::<MechanismId>().ok().map(|i| i.to_string()),
        RecordKind::Figure => text.parse::<FigureId>().ok().map(|i| i.to_string()),
    }
}

/// Reads a dataset file. Returns every problem found, each with its path
/// (render it with [`crate::json_path`]); on success the dataset is
/// converted but not yet validated against [`validate`].
pub fn parse(text: &str) -> Result<Dataset, Vec<Problem>> {
    match serde_json::from_str(text) {
        Ok(value) => parse_value(value),
        Err(e) => Err(vec![Problem {
            path: String::new(),
            message: format!(
                "the file is not valid JSON (line {}, column {}): {}",
                e.line(),
                e.column(),
                e
            ),
        }]),
    }
}

/// [`parse`] of a dataset file already read as JSON (as the spreadsheet
/// importer makes it), with the same rules and paths.
pub fn parse_value(value: Value) -> Result<Dataset, Vec<Problem>> {
    let mut cv = Conv {
        problems: Vec::new(),
    };
    let Value::Object(mut root) = value else {
        cv.push(
            "",
            "the file must hold a JSON object with \"format\": \"refwatch-dataset\"",
        );
        return Err(cv.problems);
    };
    match root.remove("format") {
        Some(Value::String(f)) if f == crate::FORMAT => {}
        _ => cv.push(
            "format",
            format!(
                "must be \"{}\"; is this a refwatch dataset file?",
                crate::FORMAT
            ),
        ),
    }
    match root.remove("version") {
        Some(Value::Number(n)) if n.as_u64() == Some(u64::from(crate::VERSION)) => {}
        _ => cv.push(
            "version",
            format!(
                "this refwatch reads version {} of the dataset format",
                crate::VERSION
            ),
        ),
    }
    let data = Dataset {
        sources: list(&mut cv, &mut root, "sources", source),
        places: list(&mut cv, &mut root, "places", place),
        actors: list(&mut cv, &mut root, "actors", actor),
        incidents: list(&mut cv, &mut root, "incidents", |cv, at, d| {
            incident(cv, at, d).map(Arc::new)
        }),
        persons: list(&mut cv, &mut root, "persons", |cv, at, d| {
            person(cv, at, d).map(Arc::new)
        }),
        upr_reviews: list(&mut cv, &mut root, "upr_reviews", upr_review),
        mechanisms: list(&mut cv, &mut root, "mechanisms", mechanism),
        figures: list(&mut cv, &mut root, "figures", figure),
        links: list(&mut cv, &mut root, "links", link),
        history: list(&mut cv, &mut root, "history", version),
    };
    for key in root.keys() {
        cv.push(&clip(key), "unknown top-level field; check its spelling");
    }
    if cv.problems.is_empty() {
        Ok(data)
    } else {
        Err(cv.problems)
    }
}
