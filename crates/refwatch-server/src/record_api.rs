//! The API of records edited one at a time (sources, places, actors,
//! incidents, what does not identify a person, UN mechanism records and
//! figures): each read and written as one object of the dataset file
//! format (docs/dataset.schema.json), archived with a reason, and with a
//! history of versions that can be restored; and the links between
//! evidence files and incidents or persons.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use refwatch_service::{Record, RecordKind, ServiceError, VersionView};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::api::{ApiJson, error, service_error, write_error};
use crate::apidoc::{Api, Method, Op};
use crate::auth::Visitor;
use crate::codes::ApiCode;
use crate::extract::{AnyId, Body, Expected, Id, IdAndNumber, TwoIds, Writer};

/// Reads one record of `kind` from one object of the file format.
pub(crate) fn parse_record(
    kind: RecordKind,
    object: serde_json::Map<String, Value>,
) -> Result<Record, Vec<refwatch_domain::Problem>> {
    let file = json!({
        "format": "refwatch-dataset",
        "version": 1,
        kind.list_name(): [Value::Object(object)],
    });
    let mut data = refwatch_interchange::parse_value(file)?;
    let record = match kind {
        RecordKind::Source => data.sources.pop().map(Record::Source),
        RecordKind::Place => data.places.pop().map(Record::Place),
        RecordKind::Actor => data.actors.pop().map(Record::Actor),
        RecordKind::Incident => data
            .incidents
            .pop()
            .map(|i| Record::Incident(std::sync::Arc::unwrap_or_clone(i))),
        RecordKind::Person => data
            .persons
            .pop()
            .map(|p| Record::Person(std::sync::Arc::unwrap_or_clone(p))),
        RecordKind::Mechanism => data.mechanisms.pop().map(Record::Mechanism),
        RecordKind::Figure => data.figures.pop().map(Record::Figure),
    };
    record.ok_or_else(|| {
        vec![refwatch_domain::Problem {
            path: String::new(),
            message: "send one record".into(),
        }]
    })
}

/// Reads one record of `kind` in the file format. Without an id, `id` (or
/// a new one) is given to it.
fn record_from_json(
    kind: RecordKind,
    body: &str,
    id: Option<&str>,
) -> Result<Record, Box<Response>> {
    let Ok(Value::Object(mut object)) = serde_json::from_str::<Value>(body) else {
        return Err(Box::new(error(
            StatusCode::BAD_REQUEST,
            ApiCode::BadBody,
            "send one record as a JSON object in the dataset file format",
        )));
    };
    // A new person comes with their identity and citations (sealed on the
    // way in); a change never carries them.
    if kind == RecordKind::Person
        && id.is_some()
        && let Some(field) = ["identity", "citations"]
            .into_iter()
            .find(|f| object.contains_key(*f))
    {
        // Never dropped in silence: said, and nothing changed.
        return Err(Box::new(crate::api::invalid(&[refwatch_domain::Problem {
            path: field.to_owned(),
            message: "a person's identity and citations are sealed and are not changed here; leave this field out".into(),
        }])));
    }
    if !object.contains_key("id") {
        let id = id.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
        object.insert("id".into(), Value::String(id));
    }
    parse_record(kind, object).map_err(|problems| Box::new(crate::api::invalid(&problems)))
}

/// A record as one object of the file format.
pub(crate) fn record_json(record: &Record) -> Value {
    let file: Value = serde_json::from_str(&refwatch_interchange::to_json(&record.dataset()))
        .unwrap_or(Value::Null);
    file[record.kind().list_name()][0].clone()
}

/// `GET /api/v1/{kind}/{id}`: the record, as the caller may read it.
pub(crate) async fn one(
    kind: RecordKind,
    state: AppState,
    v: Visitor,
    AnyId(id): AnyId,
) -> Response {
    match state.core.for_caller(v.caller).record(kind, &id).await {
        Ok(record) => ApiJson(record_json(&record)).into_response(),
        Err(e) => service_error(&e),
    }
}

/// `POST /api/v1/{kind}`: a new record; its id is made when not given.
pub(crate) async fn create(
    kind: RecordKind,
    state: AppState,
    Writer(v): Writer,
    body: String,
) -> Response {
    let record = match record_from_json(kind, &body, None) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    match state.core.for_caller(v.caller).create_record(&record).await {
        Ok(()) => (StatusCode::CREATED, ApiJson(json!({ "id": record.id() }))).into_response(),
        Err(e) => write_error(&e),
    }
}

/// `PUT /api/v1/{kind}/{id}`: the record's new version, whole.
pub(crate) async fn update(
    kind: RecordKind,
    state: AppState,
    Writer(v): Writer,
    AnyId(id): AnyId,
    body: String,
) -> Response {
    let record = match record_from_json(kind, &body, Some(&id)) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    if record.id() != id {
        return error(
            StatusCode::BAD_REQUEST,
            ApiCode::IdMismatch,
            "the body's id is not the one in the address",
        );
    }
    match state.core.for_caller(v.caller).update_record(&record).await {
        Ok(()) => ApiJson(json!({ "id": id })).into_response(),
        Err(e) => write_error(&e),
    }
}

/// Why a record is archived.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct Archive {
    /// Why the record is archived.
    reason: String,
}

impl Expected for Archive {
    const EXPECTED: &'static str = "send {\"reason\": \"why the record is archived\"}";
}

/// `DELETE /api/v1/{kind}/{id}` with `{"reason": "…"}`: archives it.
pub(crate) async fn archive(
    kind: RecordKind,
    state: AppState,
    Writer(v): Writer,
    AnyId(id): AnyId,
    Body(Archive { reason }): Body<Archive>,
) -> Response {
    match state
        .core
        .for_caller(v.caller)
        .archive_record(kind, &id, &reason)
        .await
    {
        Ok(()) => ApiJson(json!({ "id": id, "archived": true })).into_response(),
        Err(e) => write_error(&e),
    }
}

fn version_json(v: &VersionView) -> Value {
    let fields: serde_json::Map<String, Value> = v
        .fields
        .iter()
        .map(|(k, val)| (k.clone(), Value::String(val.clone())))
        .collect();
    json!({
        "number": v.number,
        "at": v.at.0,
        "by": v.actor,
        "action": v.action.code(),
        "reason": v.reason,
        "confidentiality": v.confidentiality.code(),
        "fields": fields,
        "changes": v.changes.iter().map(|c| json!({
            "field": c.field, "before": c.before, "after": c.after,
        })).collect::<Vec<_>>(),
    })
}

/// `GET /api/v1/{kind}/{id}/history`: every version the caller may read.
pub(crate) async fn history(
    kind: RecordKind,
    state: AppState,
    v: Visitor,
    AnyId(id): AnyId,
) -> Response {
    match state.core.for_caller(v.caller).history(kind, &id).await {
        Ok(versions) => ApiJson(json!({
            "id": id,
            "versions": versions.iter().map(version_json).collect::<Vec<_>>(),
        }))
        .into_response(),
        Err(e) => service_error(&e),
    }
}

/// `POST /api/v1/{kind}/{id}/history/{number}/restore`: makes that version
/// current again (bringing an archived record back).
pub(crate) async fn restore(
    kind: RecordKind,
    state: AppState,
    Writer(v): Writer,
    IdAndNumber(AnyId(id), number): IdAndNumber<AnyId>,
) -> Response {
    match state
        .core
        .for_caller(v.caller)
        .restore_version(kind, &id, number)
        .await
    {
        Ok(()) => ApiJson(json!({ "id": id, "restored": number })).into_response(),
        Err(e) => write_error(&e),
    }
}

/// A citation sent to be added to a person.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewCitation {
    /// The source's id.
    source: String,
    /// The source it came through, if any.
    #[serde(default)]
    via: Option<String>,
    /// Where in the source (page, paragraph, time).
    locator: String,
    /// The exact words (sealed with the person's identity).
    quote: String,
    /// A note.
    #[serde(default)]
    note: Option<String>,
}

impl Expected for NewCitation {
    const EXPECTED: &'static str = "send {\"source\": source id, \"locator\": where in it, \"quote\": the exact words}, with \"via\" and \"note\" if needed";
}

/// `POST /api/v1/persons/{id}/citations`: a citation added to a person,
/// its words sealed with their identity; answers its new id.
pub(crate) async fn cite_person(
    state: AppState,
    Writer(v): Writer,
    Id(person): Id<refwatch_domain::PersonId>,
    Body(sent): Body<NewCitation>,
) -> Response {
    let citation = match sent.citation() {
        Ok(c) => c,
        Err(problems) => return crate::api::invalid(&problems),
    };
    match state
        .core
        .for_caller(v.caller)
        .cite_person(person, &citation)
        .await
    {
        Ok(cited) => (
            StatusCode::CREATED,
            ApiJson(json!({ "id": cited.to_string() })),
        )
            .into_response(),
        Err(e) => write_error(&e),
    }
}

/// `PUT /api/v1/persons/{id}/citations/{citation}` corrects a citation on
/// a person (its words sealed anew); `DELETE` removes it.
pub(crate) async fn correct_person_citation(
    state: AppState,
    Writer(v): Writer,
    TwoIds(person, citation): TwoIds<refwatch_domain::PersonId, refwatch_domain::CitationId>,
    sent: Option<NewCitation>,
) -> Response {
    let corrected = match sent.map(|s| s.citation()).transpose() {
        Ok(c) => c,
        Err(problems) => return crate::api::invalid(&problems),
    };
    match state
        .core
        .for_caller(v.caller)
        .correct_person_citation(person, citation, corrected.as_ref())
        .await
    {
        Ok(()) => ApiJson(json!({
            "id": citation.to_string(),
            "removed": corrected.is_none(),
        }))
        .into_response(),
        Err(e) => write_error(&e),
    }
}

impl NewCitation {
    /// The citation sent, or what is wrong with its ids.
    fn citation(self) -> Result<refwatch_domain::Citation, Vec<refwatch_domain::Problem>> {
        let (source, via) = (
            source_of("source", &self.source),
            self.via
                .as_deref()
                .map(|via| source_of("via", via))
                .transpose(),
        );
        match (source, via) {
            (Ok(source), Ok(via)) => Ok(refwatch_domain::Citation {
                id: refwatch_domain::CitationId::random(),
                source,
                via,
                locator: self.locator,
                quote: self.quote,
                note: self.note,
            }),
            (a, b) => Err([a.err(), b.err()].into_iter().flatten().collect()),
        }
    }
}

/// A source id sent in `path`, or the problem with it.
fn source_of(
    path: &str,
    text: &str,
) -> Result<refwatch_domain::SourceId, refwatch_domain::Problem> {
    text.parse::<refwatch_domain::SourceId>()
        .map_err(|_| refwatch_domain::Problem {
            path: path.to_owned(),
            message: format!(
                "\"{}\" is not a source id",
                text.chars().take(40).collect::<String>()
            ),
        })
}

/// Adds the routes of every kind, each documented as it is routed.
pub(crate) fn routes(mut api: Api) -> Api {
    use axum::routing::{delete, get, post, put};
    for kind in RecordKind::ALL {
        let base = format!("/api/v1/{}", kind.list_name());
        let one_of = described(kind);
        api = api
            .add(
                Method::Get,
                &format!("{base}/{{id}}/history"),
                get(
                    move |State(s): State<AppState>, v: Visitor, Id(id): Id<AnyId>| {
                        history(kind, s, v, id)
                    },
                ),
                Op::new(format!("Every kept version of a {one_of} the caller may read: number, when, who, what was done and why, its fields and what changed from the version before"))
                    .answers(200, "id, versions")
                    .fails(&[ApiCode::NotFound]),
            )
            .add(
                Method::Post,
                &format!("{base}/{{id}}/history/{{number}}/restore"),
                post(
                    move |State(s): State<AppState>, w: Writer, at: IdAndNumber<AnyId>| {
                        restore(kind, s, w, at)
                    },
                ),
                Op::new(format!("Make an earlier version of a {one_of} current again, or bring an archived one back (bearer token; editors and administrators)"))
                    .signed()
                    .answers(200, "Restored: id, restored")
                    .fails(&[ApiCode::NotFound, ApiCode::Invalid]),
            );
        // An incident is listed, read, created and changed by its own
        // handlers (api.rs), a person listed and read there and never
        // archived; the other routes of each kind are made here, merged
        // with those on the same path.
        let id_path = format!("{base}/{{id}}");
        let remove =
            move |State(s): State<AppState>, w: Writer, Id(id): Id<AnyId>, body: Body<Archive>| {
                archive(kind, s, w, id, body)
            };
        {
            api = api.add(
                Method::Delete,
                &id_path,
                delete(remove),
                Op::new(format!("Archive a {one_of} with a reason: it leaves the records and every count, and can be restored from its history (bearer token; editors and administrators)"))
                    .signed()
                    .json::<Archive>()
                    .answers(200, "Archived: id, archived")
                    .fails(&[ApiCode::NotFound, ApiCode::StillLinked, ApiCode::Invalid]),
            );
        }
        if kind == RecordKind::Incident {
            continue;
        }
        let change = move |State(s): State<AppState>,
                           w: Writer,
                           Id(id): Id<AnyId>,
                           body: String| { update(kind, s, w, id, body) };
        let make =
            move |State(s): State<AppState>, w: Writer, body: String| create(kind, s, w, body);
        let sealed = if kind == RecordKind::Person {
            "; a person's identity and the words of their citations are sealed on the way in, and are refused in a change"
        } else {
            ""
        };
        api = api
            .add(
                Method::Post,
                &base,
                post(make),
                Op::new(format!("Record a new {one_of} (bearer token; editors and administrators); an id is made when the body has none{sealed}"))
                    .signed()
                    .record(kind)
                    .answers_created()
                    .fails(&[ApiCode::NotFound]),
            )
            .add(
                Method::Put,
                &id_path,
                put(change),
                Op::new(format!("Replace a {one_of}, keeping the earlier version (bearer token; editors and administrators){sealed}"))
                    .signed()
                    .record(kind)
                    .answers(200, "Saved")
                    .fails(&[ApiCode::IdMismatch, ApiCode::NotFound]),
            );
        if kind == RecordKind::Person {
            api = api.add(
                Method::Post,
                &format!("{id_path}/citations"),
                post(
                    |State(s): State<AppState>, w: Writer, id: Id<_>, body: Body<_>| {
                        cite_person(s, w, id, body)
                    },
                ),
                Op::new("Add a citation to a person: its words are sealed with their identity (bearer token; editors and administrators)")
                    .signed()
                    .json::<NewCitation>()
                    .answers_created()
                    .fails(&[ApiCode::NotFound, ApiCode::Invalid]),
            )
            .add(
                Method::Put,
                &format!("{id_path}/citations/{{citation}}"),
                put(
                    |State(s): State<AppState>, w: Writer, ids: TwoIds<_, _>, Body(body): Body<NewCitation>| {
                        correct_person_citation(s, w, ids, Some(body))
                    },
                ),
                Op::new("Correct a citation on a person (source, locator, words, note): the words are sealed anew with their identity, a new version kept (bearer token; editors and administrators)")
                    .signed()
                    .json::<NewCitation>()
                    .answers(200, "Corrected: id, removed (false)")
                    .fails(&[ApiCode::NotFound, ApiCode::Invalid]),
            )
            .add(
                Method::Delete,
                &format!("{id_path}/citations/{{citation}}"),
                delete(
                    |State(s): State<AppState>, w: Writer, ids: TwoIds<_, _>| {
                        correct_person_citation(s, w, ids, None)
                    },
                ),
                Op::new("Remove a citation from a person, its words with it; refused for the last one or one a step of the timeline stands on (bearer token; editors and administrators)")
                    .signed()
                    .answers(200, "Removed: id, removed (true)")
                    .fails(&[ApiCode::NotFound, ApiCode::Invalid]),
            );
        } else {
            let read =
                move |State(s): State<AppState>, v: Visitor, Id(id): Id<AnyId>| one(kind, s, v, id);
            api = api.add(
                Method::Get,
                &id_path,
                get(read),
                Op::new(format!("One {one_of}, if the caller may read it"))
                    .answers_record(kind)
                    .fails(&[ApiCode::NotFound]),
            );
        }
    }
    api
}

/// A record of `kind`, in a sentence of the OpenAPI document.
fn described(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Source => "source",
        RecordKind::Place => "place",
        RecordKind::Actor => "actor",
        RecordKind::Incident => "incident",
        RecordKind::Person => "person at risk",
        RecordKind::Mechanism => "UN mechanism record",
        RecordKind::Figure => "reported figure",
    }
}

/// A write refused because others still refer to the record.
pub(crate) fn still_linked() -> Response {
    error(
        StatusCode::CONFLICT,
        ApiCode::StillLinked,
        "other records still refer to this one; change them first, then archive it",
    )
}

/// Whether `e` is a refusal because others still refer to the record.
pub(crate) fn is_still_linked(e: &ServiceError) -> bool {
    matches!(
        e,
        ServiceError::Store(refwatch_storage::StoreError::StillLinked(_))
    )
}

/// A file to link.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct LinkBody {
    /// The evidence file's id.
    evidence: String,
}

impl Expected for LinkBody {
    const EXPECTED: &'static str = "send {\"evidence\": \"the evidence id\"}";
}

/// `GET /api/v1/{incidents,persons}/{id}/evidence`: the files linked that
/// the caller may read.
pub(crate) async fn linked(kind: RecordKind, state: AppState, v: Visitor, id: String) -> Response {
    match state.core.for_caller(v.caller).linked_evidence(kind, &id).await {
        Ok(list) => ApiJson(json!({
            "id": id,
            "evidence": list.iter().map(|e| json!({
                "id": e.id.to_string(), "media": e.media.code(), "received_at": e.received_at.to_string(),
            })).collect::<Vec<_>>(),
        }))
        .into_response(),
        Err(e) => service_error(&e),
    }
}

/// `POST /api/v1/{incidents,persons}/{id}/evidence` with `{"evidence": id}`,
/// and `DELETE …/evidence/{evidence}`.
pub(crate) async fn set_link(
    kind: RecordKind,
    state: AppState,
    v: Visitor,
    id: String,
    evidence: refwatch_domain::EvidenceId,
    linked: bool,
) -> Response {
    match state
        .core
        .for_caller(v.caller)
        .link_evidence(evidence, kind, &id, linked)
        .await
    {
        Ok(()) => ApiJson(json!({ "id": id, "evidence": evidence.to_string(), "linked": linked }))
            .into_response(),
        Err(e) => write_error(&e),
    }
}

/// Adds the evidence link routes of incidents and persons to `router`.
pub(crate) fn evidence_routes(mut api: Api) -> Api {
    use axum::routing::{delete, get, post};
    for kind in [RecordKind::Incident, RecordKind::Person] {
        let base = format!("/api/v1/{}/{{id}}/evidence", kind.list_name());
        let one_of = described(kind);
        api = api
            .add(
                Method::Get,
                &base,
                get(
                    move |State(s): State<AppState>, v: Visitor, Id(AnyId(id)): Id<AnyId>| {
                        linked(kind, s, v, id)
                    },
                ),
                Op::new(format!("The evidence files linked to a {one_of} that the caller may read"))
                    .answers(200, "id, evidence: id, media, received_at")
                    .fails(&[ApiCode::NotFound]),
            )
            .add(
                Method::Post,
                &base,
                post(
                    move |State(s): State<AppState>,
                          Writer(v): Writer,
                          Id(AnyId(id)): Id<AnyId>,
                          Body(b): Body<LinkBody>| async move {
                        match b.evidence.parse() {
                            Ok(evidence) => set_link(kind, s, v, id, evidence, true).await,
                            Err(_) => error(
                                StatusCode::BAD_REQUEST,
                                ApiCode::BadId,
                                "not an evidence id",
                            ),
                        }
                    },
                ),
                Op::new(format!("Link an evidence file to a {one_of}; audited (bearer token; editors and administrators)"))
                    .signed()
                    .json::<LinkBody>()
                    .answers(200, "Linked")
                    .fails(&[ApiCode::NotFound, ApiCode::Refused]),
            )
            .add(
                Method::Delete,
                &format!("{base}/{{evidence}}"),
                delete(
                    move |State(s): State<AppState>,
                          Writer(v): Writer,
                          TwoIds(AnyId(id), evidence): TwoIds<
                        AnyId,
                        refwatch_domain::EvidenceId,
                    >| { set_link(kind, s, v, id, evidence, false) },
                ),
                Op::new(format!("Unlink an evidence file from a {one_of}; the file stays; audited (bearer token; editors and administrators)"))
                    .signed()
                    .answers(200, "Unlinked")
                    .fails(&[ApiCode::NotFound, ApiCode::Refused]),
            );
    }
    api
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::RecordKind;

    /// Every `$ref` in `v`.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("$ref", Value::String(r)) => out.push(r.clone()),
                        _ => refs(v, out),
                    }
                }
            }
            Value::Array(list) => list.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn the_served_document_describes_records_by_their_wire_types() {
        let served = crate::openapi_document();
        // Every operation the API has, as routed (and so documented).
        let mut operations: Vec<String> = served["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(p, item)| {
                item.as_object()
                    .unwrap()
                    .keys()
                    .map(move |m| format!("{m} {p}"))
            })
            .collect();
        operations.sort();
        assert_eq!(
            operations,
            [
                "delete /api/v1/actors/{id}",
                "delete /api/v1/figures/{id}",
                "delete /api/v1/incidents/{id}",
                "delete /api/v1/incidents/{id}/evidence/{evidence}",
                "delete /api/v1/mechanisms/{id}",
                "delete /api/v1/persons/{id}",
                "delete /api/v1/persons/{id}/citations/{citation}",
                "delete /api/v1/persons/{id}/evidence/{evidence}",
                "delete /api/v1/places/{id}",
                "delete /api/v1/session",
                "delete /api/v1/sources/{id}",
                "get /api/v1/actors",
                "get /api/v1/actors/{id}",
                "get /api/v1/actors/{id}/history",
                "get /api/v1/admin/audit/verify",
                "get /api/v1/admin/users",
                "get /api/v1/evidence",
                "get /api/v1/evidence/{id}",
                "get /api/v1/evidence/{id}/original",
                "get /api/v1/figures/{id}",
                "get /api/v1/figures/{id}/history",
                "get /api/v1/incidents",
                "get /api/v1/incidents/{id}",
                "get /api/v1/incidents/{id}/evidence",
                "get /api/v1/incidents/{id}/history",
                "get /api/v1/links/{kind}",
                "get /api/v1/mechanisms",
                "get /api/v1/mechanisms/{id}",
                "get /api/v1/mechanisms/{id}/history",
                "get /api/v1/persons",
                "get /api/v1/persons/{id}",
                "get /api/v1/persons/{id}/evidence",
                "get /api/v1/persons/{id}/history",
                "get /api/v1/persons/{id}/identity",
                "get /api/v1/places",
                "get /api/v1/places/{id}",
                "get /api/v1/places/{id}/history",
                "get /api/v1/public/tables",
                "get /api/v1/search",
                "get /api/v1/sources",
                "get /api/v1/sources/{id}",
                "get /api/v1/sources/{id}/history",
                "get /api/v1/stats/per-year",
                "patch /api/v1/admin/users/{username}",
                "post /api/v1/actors",
                "post /api/v1/actors/{id}/history/{number}/restore",
                "post /api/v1/admin/users",
                "post /api/v1/evidence",
                "post /api/v1/figures",
                "post /api/v1/figures/{id}/history/{number}/restore",
                "post /api/v1/incidents",
                "post /api/v1/incidents/{id}/evidence",
                "post /api/v1/incidents/{id}/history/{number}/restore",
                "post /api/v1/links/{kind}/decisions",
                "post /api/v1/links/{kind}/run",
                "post /api/v1/links/{kind}/split",
                "post /api/v1/mechanisms",
                "post /api/v1/mechanisms/{id}/history/{number}/restore",
                "post /api/v1/password",
                "post /api/v1/persons",
                "post /api/v1/persons/{id}/citations",
                "post /api/v1/persons/{id}/evidence",
                "post /api/v1/persons/{id}/history/{number}/restore",
                "post /api/v1/places",
                "post /api/v1/places/{id}/history/{number}/restore",
                "post /api/v1/session",
                "post /api/v1/sources",
                "post /api/v1/sources/{id}/history/{number}/restore",
                "put /api/v1/actors/{id}",
                "put /api/v1/figures/{id}",
                "put /api/v1/incidents/{id}",
                "put /api/v1/mechanisms/{id}",
                "put /api/v1/persons/{id}",
                "put /api/v1/persons/{id}/citations/{citation}",
                "put /api/v1/places/{id}",
                "put /api/v1/sources/{id}",
            ]
        );
        // Each kind's body and answer is its generated schema.
        for kind in RecordKind::ALL {
            let name = crate::apidoc::schema_name(kind);
            let path = format!("/api/v1/{}", kind.list_name());
            let schema = &served["paths"][path.as_str()]["post"]["requestBody"]["content"]["application/json"]
                ["schema"]["$ref"];
            assert_eq!(schema, &format!("#/components/schemas/{name}"), "{path}");
            assert!(
                served["components"]["schemas"][name]["properties"].is_object(),
                "{name}"
            );
        }
        // Every reference resolves.
        let mut all = Vec::new();
        refs(&served, &mut all);
        for r in all {
            let pointer = r.trim_start_matches('#');
            assert!(served.pointer(pointer).is_some(), "{r} does not resolve");
        }
    }
}
