//! The JSON API under `/api/v1`: the same core, the same policy; errors
//! carry a stable `code`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use refwatch_domain::{Dataset, Incident, IncidentId};
use refwatch_service::ServiceError;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::auth::Visitor;

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}

fn service_error(e: &ServiceError) -> Response {
    match e {
        ServiceError::Denied(_)
        | ServiceError::Store(refwatch_storage::StoreError::NotFound(_)) => error(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such record, or not yours to see",
        ),
        other => {
            eprintln!("refwatch-server: API request failed: {other}");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "something went wrong on the server; nothing was changed",
            )
        }
    }
}

fn incident_json(i: &Incident) -> serde_json::Value {
    json!({
        "id": i.id.to_string(),
        "kind": i.kind.code(),
        "title": i.title,
        "summary": i.summary,
        "date": i.date.to_string(),
        "people": { "low": i.victims.low, "best": i.victims.best, "high": i.victims.high },
        "verification": i.verification.code(),
        "confidentiality": i.confidentiality.code(),
        "places": i.places.iter().map(|p| json!({ "place": p.place.to_string(), "role": p.role.code() })).collect::<Vec<_>>(),
        "citations": i.citations.iter().chain(i.reports.iter().flat_map(|r| r.citations.iter())).map(|c| json!({
            "source": c.source.to_string(), "via": c.via.map(|v| v.to_string()), "locator": c.locator, "quote": c.quote,
        })).collect::<Vec<_>>(),
    })
}

/// Pagination of lists.
#[derive(Deserialize)]
pub(crate) struct Paging {
    #[serde(default)]
    offset: usize,
    #[serde(default = "default_limit")]
    limit: usize,
}

fn default_limit() -> usize {
    50
}

/// Checks the page size, reads what the caller may read, and answers one page.
async fn list(
    state: &AppState,
    v: Visitor,
    p: &Paging,
    page: impl FnOnce(&Dataset, &Paging) -> Response,
) -> Response {
    if p.limit == 0 || p.limit > 500 {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_limit",
            "limit must be from 1 to 500",
        );
    }
    match state.core.for_caller(v.caller).dataset().await {
        Ok(data) => page(&data, p),
        Err(e) => service_error(&e),
    }
}

/// One page of records as JSON: the page's items and how many there are in all.
fn page_of<T>(items: &[T], p: &Paging, to_json: impl Fn(&T) -> serde_json::Value) -> Response {
    let page: Vec<_> = items
        .iter()
        .skip(p.offset)
        .take(p.limit)
        .map(to_json)
        .collect();
    Json(json!({ "total": items.len(), "offset": p.offset, "limit": p.limit, "items": page }))
        .into_response()
}

pub(crate) async fn incidents(
    State(state): State<AppState>,
    v: Visitor,
    Query(p): Query<Paging>,
) -> Response {
    list(&state, v, &p, |d, p| {
        page_of(&d.incidents, p, incident_json)
    })
    .await
}

pub(crate) async fn sources(
    State(state): State<AppState>,
    v: Visitor,
    Query(p): Query<Paging>,
) -> Response {
    list(&state, v, &p, |d, p| {
        page_of(&d.sources, p, |s| {
            json!({
                "id": s.id.to_string(), "kind": s.kind.code(), "title": s.title, "publisher": s.publisher,
                "date": s.date.map(|d| d.to_string()), "symbol": s.symbol, "url": s.url, "confidentiality": s.confidentiality.code(),
            })
        })
    })
    .await
}

pub(crate) async fn mechanisms(
    State(state): State<AppState>,
    v: Visitor,
    Query(p): Query<Paging>,
) -> Response {
    list(&state, v, &p, |d, p| {
        page_of(&d.mechanisms, p, |m| {
            json!({
                "id": m.id.to_string(), "kind": m.detail.kind_code(), "reference": m.reference, "date": m.date.to_string(),
                "text": m.text, "themes": m.themes.iter().map(|t| t.code()).collect::<Vec<_>>(),
                "incidents": m.incidents.iter().map(ToString::to_string).collect::<Vec<_>>(),
            })
        })
    })
    .await
}

pub(crate) async fn persons(
    State(state): State<AppState>,
    v: Visitor,
    Query(p): Query<Paging>,
) -> Response {
    if v.token.is_none() {
        return error(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such record, or not yours to see",
        );
    }
    // Non-identifying attributes only; identities have their own, audited route.
    list(&state, v, &p, |d, p| {
        page_of(&d.persons, p, |person| {
            json!({
                "id": person.id.to_string(), "sex": person.sex.as_ref().map(|t| t.code()),
                "age_group": person.age_group.as_ref().map(|t| t.code()), "category": person.category.as_ref().map(|t| t.code()),
                "timeline": person.timeline.iter().map(|e| json!({"date": e.date.to_string(), "status": e.status.code()})).collect::<Vec<_>>(),
                "confidentiality": person.confidentiality.code(),
            })
        })
    })
    .await
}

pub(crate) async fn incident(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<IncidentId>() else {
        return error(StatusCode::BAD_REQUEST, "bad_id", "not an incident id");
    };
    match state.core.for_caller(v.caller).dataset().await {
        Ok(data) => match data.incidents.iter().find(|i| i.id == id) {
            Some(i) => Json(incident_json(i)).into_response(),
            None => error(
                StatusCode::NOT_FOUND,
                "not_found",
                "no such record, or not yours to see",
            ),
        },
        Err(e) => service_error(&e),
    }
}

pub(crate) async fn person_identity(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<refwatch_domain::PersonId>() else {
        return error(StatusCode::BAD_REQUEST, "bad_id", "not a person id");
    };
    if v.token.is_none() {
        return error(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such record, or not yours to see",
        );
    }
    match state.core.for_caller(v.caller).person_identity(id).await {
        Ok(Some(i)) => Json(json!({
            "name_hangul": i.name_hangul, "name_romanized": i.name_romanized, "name_chinese": i.name_chinese,
            "birth_date": i.birth_date, "origin": i.origin, "family_contacts": i.family_contacts,
        }))
        .into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, "not_found", "no such record, or not yours to see"),
        Err(e) => service_error(&e),
    }
}

/// Reads one incident in the dataset file format (docs/dataset.schema.json).
fn incident_from_json(body: &str) -> Result<Incident, Box<Response>> {
    let wrapped =
        format!("{{\"format\": \"refwatch-dataset\", \"version\": 1, \"incidents\": [{body}]}}");
    match refwatch_interchange::parse(&wrapped) {
        Ok(mut data) if data.incidents.len() == 1 => Ok(data.incidents.remove(0)),
        Ok(_) => Err(Box::new(error(
            StatusCode::BAD_REQUEST,
            "bad_body",
            "send one incident object",
        ))),
        Err(problems) => Err(Box::new(invalid(&problems))),
    }
}

fn writes_need_a_token(v: &Visitor, bearer: bool) -> Option<Response> {
    // Writes take a bearer token, never a cookie, so that no other site can
    // make a browser write on its user's behalf.
    (!bearer || v.token.is_none()).then(|| {
        error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "writes need Authorization: Bearer <session token>",
        )
    })
}

fn has_bearer(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| h.starts_with("Bearer "))
}

/// Rules an incident breaks, each with its JSON path within the incident.
fn invalid(problems: &[refwatch_domain::Problem]) -> Response {
    let list: Vec<_> = problems
        .iter()
        .map(|p| {
            // Paths come as `incidents[0].…` (from the file format) or `incident.…` (from an update).
            let path = p
                .path
                .strip_prefix("incidents[0]")
                .or_else(|| p.path.strip_prefix("incident"))
                .unwrap_or(&p.path);
            json!({ "path": format!("${path}"), "message": p.message })
        })
        .collect();
    let body = json!({ "error": { "code": "invalid", "message": "the incident breaks these rules; nothing was saved", "problems": list } });
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

fn write_error(e: &ServiceError) -> Response {
    match e {
        ServiceError::Invalid(problems) => invalid(problems),
        other => service_error(other),
    }
}

pub(crate) async fn create_incident(
    State(state): State<AppState>,
    v: Visitor,
    headers: axum::http::HeaderMap,
    body: String,
) -> Response {
    if let Some(r) = writes_need_a_token(&v, has_bearer(&headers)) {
        return r;
    }
    let incident = match incident_from_json(&body) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let id = incident.id;
    let core = state.core.for_caller(v.caller);
    match core
        .import(&refwatch_domain::Dataset {
            incidents: vec![incident],
            ..Default::default()
        })
        .await
    {
        Ok(_) => (StatusCode::CREATED, Json(json!({ "id": id.to_string() }))).into_response(),
        Err(e) => write_error(&e),
    }
}

pub(crate) async fn update_incident(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: String,
) -> Response {
    if let Some(r) = writes_need_a_token(&v, has_bearer(&headers)) {
        return r;
    }
    let Ok(id) = id.parse::<IncidentId>() else {
        return error(StatusCode::BAD_REQUEST, "bad_id", "not an incident id");
    };
    let incident = match incident_from_json(&body) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    if incident.id != id {
        return error(
            StatusCode::BAD_REQUEST,
            "id_mismatch",
            "the body's id is not the one in the address",
        );
    }
    match state
        .core
        .for_caller(v.caller)
        .update_incident(&incident)
        .await
    {
        Ok(()) => Json(json!({ "id": id.to_string() })).into_response(),
        Err(e) => write_error(&e),
    }
}

/// The OpenAPI description of this API; a test checks it against the routes.
pub(crate) const OPENAPI: &str = include_str!("../api/openapi.json");

pub(crate) async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
        .into_response()
}
