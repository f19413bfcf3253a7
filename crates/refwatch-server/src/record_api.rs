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
#[derive(Deserialize)]
pub(crate) struct Archive {
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
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewCitation {
    source: String,
    #[serde(default)]
    via: Option<String>,
    locator: String,
    quote: String,
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
    let source = |path: &str, text: &str| {
        text.parse::<refwatch_domain::SourceId>()
            .map_err(|_| refwatch_domain::Problem {
                path: path.to_owned(),
                message: format!(
                    "\"{}\" is not a source id",
                    text.chars().take(40).collect::<String>()
                ),
            })
    };
    let via = sent
        .via
        .as_deref()
        .map(|via| source("via", via))
        .transpose();
    let citation = match (source("source", &sent.source), via) {
        (Ok(source), Ok(via)) => refwatch_domain::Citation {
            id: refwatch_domain::CitationId::random(),
            source,
            via,
            locator: sent.locator,
            quote: sent.quote,
            note: sent.note,
        },
        (a, b) => {
            let problems: Vec<_> = [a.err(), b.err()].into_iter().flatten().collect();
            return crate::api::invalid(&problems);
        }
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

/// Adds the routes of every kind to `router`.
pub(crate) fn routes(mut router: axum::Router<AppState>) -> axum::Router<AppState> {
    use axum::routing::{delete, get, post, put};
    for kind in RecordKind::ALL {
        let base = format!("/api/v1/{}", kind.list_name());
        router = router
            .route(
                &format!("{base}/{{id}}/history"),
                get(
                    move |State(s): State<AppState>, v: Visitor, Id(id): Id<AnyId>| {
                        history(kind, s, v, id)
                    },
                ),
            )
            .route(
                &format!("{base}/{{id}}/history/{{number}}/restore"),
                post(
                    move |State(s): State<AppState>, w: Writer, at: IdAndNumber<AnyId>| {
                        restore(kind, s, w, at)
                    },
                ),
            );
        // An incident is listed, read, created and changed by its own
        // handlers (api.rs), a person listed and read there and never
        // archived; the other routes of each kind are made here, merged
        // with those on the same path.
        let id_path = format!("{base}/{{id}}");
        let read =
            move |State(s): State<AppState>, v: Visitor, Id(id): Id<AnyId>| one(kind, s, v, id);
        let change = move |State(s): State<AppState>,
                           w: Writer,
                           Id(id): Id<AnyId>,
                           body: String| { update(kind, s, w, id, body) };
        let remove =
            move |State(s): State<AppState>, w: Writer, Id(id): Id<AnyId>, body: Body<Archive>| {
                archive(kind, s, w, id, body)
            };
        let make =
            move |State(s): State<AppState>, w: Writer, body: String| create(kind, s, w, body);
        router = match kind {
            RecordKind::Incident => router.route(&id_path, delete(remove)),
            RecordKind::Person => router
                .route(&base, post(make))
                .route(&id_path, put(change))
                .route(
                    &format!("{id_path}/citations"),
                    post(
                        |State(s): State<AppState>, w: Writer, id: Id<_>, body: Body<_>| {
                            cite_person(s, w, id, body)
                        },
                    ),
                ),
            _ => router
                .route(&base, post(make))
                .route(&id_path, get(read).put(change).delete(remove)),
        };
    }
    router
}

/// The schema name of a record kind in the OpenAPI document.
fn schema_name(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Source => "Source",
        RecordKind::Place => "Place",
        RecordKind::Actor => "Actor",
        RecordKind::Incident => "Incident",
        RecordKind::Person => "Person",
        RecordKind::Mechanism => "Mechanism",
        RecordKind::Figure => "Figure",
    }
}

/// Points the record operations of `doc` at the records' generated
/// schemas: what `POST` and `PUT` take and `GET` gives, for every kind the
/// routes are made for.
pub(crate) fn document(doc: &mut Value) {
    // JSON pointers, so that nothing is added where an operation is not.
    let escaped = |path: &str| path.replace('~', "~0").replace('/', "~1");
    let json_schema = "content/application~1json/schema";
    for kind in RecordKind::ALL {
        let schema = json!({ "$ref": format!("#/components/schemas/{}", schema_name(kind)) });
        let base = escaped(&format!("/api/v1/{}", kind.list_name()));
        let one = escaped(&format!("/api/v1/{}/{{id}}", kind.list_name()));
        let mut places = vec![
            format!("/paths/{base}/post/requestBody/{json_schema}"),
            format!("/paths/{one}/put/requestBody/{json_schema}"),
        ];
        // A person is read without their identity and citations.
        if kind != RecordKind::Person {
            places.push(format!("/paths/{one}/get/responses/200/{json_schema}"));
        }
        for place in places {
            if let Some(at) = doc.pointer_mut(&place) {
                *at = schema.clone();
            }
        }
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
#[derive(Deserialize)]
pub(crate) struct LinkBody {
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
pub(crate) fn evidence_routes(mut router: axum::Router<AppState>) -> axum::Router<AppState> {
    use axum::routing::{delete, get};
    for kind in [RecordKind::Incident, RecordKind::Person] {
        let base = format!("/api/v1/{}/{{id}}/evidence", kind.list_name());
        router = router
            .route(
                &base,
                get(
                    move |State(s): State<AppState>, v: Visitor, Id(AnyId(id)): Id<AnyId>| {
                        linked(kind, s, v, id)
                    },
                )
                .post(
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
            )
            .route(
                &format!("{base}/{{evidence}}"),
                delete(
                    move |State(s): State<AppState>,
                          Writer(v): Writer,
                          TwoIds(AnyId(id), evidence): TwoIds<
                        AnyId,
                        refwatch_domain::EvidenceId,
                    >| { set_link(kind, s, v, id, evidence, false) },
                ),
            );
    }
    router
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
        let written: Value = serde_json::from_str(crate::api::OPENAPI).unwrap();
        let served = crate::api::openapi_document();
        // No operation is added or lost on the way.
        let operations = |doc: &Value| -> Vec<String> {
            doc["paths"]
                .as_object()
                .unwrap()
                .iter()
                .flat_map(|(p, item)| {
                    item.as_object()
                        .unwrap()
                        .keys()
                        .map(move |m| format!("{m} {p}"))
                })
                .collect()
        };
        assert_eq!(operations(&written), operations(&served));
        // Each kind's body and answer is its generated schema.
        for kind in RecordKind::ALL {
            let name = super::schema_name(kind);
            let path = format!("/api/v1/{}", kind.list_name());
            let schema = &served["paths"][path.as_str()]["post"]["requestBody"]["content"]["application/json"]
                ["schema"]["$ref"];
            if kind != RecordKind::Incident {
                assert_eq!(schema, &format!("#/components/schemas/{name}"), "{path}");
            }
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
