//! The JSON API under `/api/v1`: the same core, the same policy; errors
//! carry a stable `code`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use refwatch_domain::{Incident, IncidentId};
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

pub(crate) async fn incidents(
    State(state): State<AppState>,
    v: Visitor,
    Query(p): Query<Paging>,
) -> Response {
    if p.limit == 0 || p.limit > 500 {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_limit",
            "limit must be from 1 to 500",
        );
    }
    match state.core.for_caller(v.caller).dataset().await {
        Ok(data) => {
            let total = data.incidents.len();
            let items: Vec<_> = data
                .incidents
                .iter()
                .skip(p.offset)
                .take(p.limit)
                .map(incident_json)
                .collect();
            Json(json!({ "total": total, "offset": p.offset, "limit": p.limit, "items": items }))
                .into_response()
        }
        Err(e) => service_error(&e),
    }
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

/// The OpenAPI description of this API; a test checks it against the routes.
pub(crate) const OPENAPI: &str = include_str!("../api/openapi.json");

pub(crate) async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
        .into_response()
}
