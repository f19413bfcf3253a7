//! The JSON API under `/api/v1`: the same core, the same policy; errors
//! carry a stable `code`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use refwatch_accounts::Password;
use refwatch_domain::{Confidentiality, Dataset, Dimension, Incident, IncidentId};
use refwatch_policy::Role;
use refwatch_service::{ServiceError, SignInError};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::auth::Visitor;
use crate::codes::ApiCode;
use crate::derived::ListQuery;
use crate::extract::{Body, Expected, Id, Linkage, MaybeBody, Writer};

/// A JSON answer with `<`, `>` and `&` written as `\u003c`, `\u003e` and
/// `\u0026`: the same JSON to any parser, and text that cannot become
/// markup should anything ever show it as HTML.
pub(crate) struct ApiJson(pub(crate) serde_json::Value);

impl IntoResponse for ApiJson {
    fn into_response(self) -> Response {
        let text = self.0.to_string();
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '<' => out.push_str("\\u003c"),
                '>' => out.push_str("\\u003e"),
                '&' => out.push_str("\\u0026"),
                c => out.push(c),
            }
        }
        (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            out,
        )
            .into_response()
    }
}

pub(crate) fn error(status: StatusCode, code: ApiCode, message: &str) -> Response {
    (
        status,
        ApiJson(json!({ "error": { "code": code.code(), "message": message } })),
    )
        .into_response()
}

/// A query string read for the API: one that does not fit answers with
/// the API's JSON error, not the framework's plain text.
pub(crate) struct ApiQuery<T>(pub(crate) T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S>
    for ApiQuery<T>
{
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Response> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(Self(value)),
            Err(_) => Err(error(
                StatusCode::BAD_REQUEST,
                ApiCode::BadQuery,
                "a query parameter has a value of the wrong type, such as letters where a number belongs",
            )),
        }
    }
}

pub(crate) fn service_error(e: &ServiceError) -> Response {
    match e {
        ServiceError::Denied(_)
        | ServiceError::NotFound(_)
        | ServiceError::Store(refwatch_storage::StoreError::NotFound(_)) => error(
            StatusCode::NOT_FOUND,
            ApiCode::NotFound,
            "no such record, or not yours to see",
        ),
        ServiceError::Damaged(_) => error(StatusCode::CONFLICT, ApiCode::Damaged, &e.to_string()),
        ServiceError::Store(
            cause @ (refwatch_storage::StoreError::Busy | refwatch_storage::StoreError::DiskFull),
        ) => {
            let code = if matches!(cause, refwatch_storage::StoreError::DiskFull) {
                ApiCode::DiskFull
            } else {
                ApiCode::Busy
            };
            let mut r = error(StatusCode::SERVICE_UNAVAILABLE, code, &e.to_string());
            r.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("5"),
            );
            r
        }
        other => {
            eprintln!("refwatch-server: API request failed: {other}");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                ApiCode::Internal,
                "something went wrong on the server; nothing was changed",
            )
        }
    }
}

/// An incident as the file format writes it, so that what is read can be
/// changed and sent back whole.
fn incident_json(i: &Incident) -> serde_json::Value {
    crate::record_api::record_json(&refwatch_service::Record::Incident(i.clone()))
}

/// Pagination of lists.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct Paging {
    /// How many records to skip.
    #[serde(default)]
    #[param(minimum = 0, maximum = 1_000_000, default = 0)]
    offset: usize,
    /// How many records to answer.
    #[serde(default = "default_limit")]
    #[param(minimum = 1, maximum = 500, default = 50)]
    limit: usize,
}

fn default_limit() -> usize {
    50
}

fn bad_limit() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        ApiCode::BadLimit,
        "limit must be from 1 to 500 and offset from 0 to 1000000",
    )
}

/// The largest offset a list accepts.
const MAX_OFFSET: usize = 1_000_000;

impl Paging {
    fn out_of_range(&self) -> bool {
        self.limit == 0 || self.limit > 500 || self.offset > MAX_OFFSET
    }
}

/// Years asked for must be plausible ones: 1900 to 2100.
fn bad_years(from: Option<i32>, to: Option<i32>) -> Option<Response> {
    let plausible = |y: Option<i32>| y.is_none_or(|y| (1900..=2100).contains(&y));
    (!plausible(from) || !plausible(to)).then(|| {
        error(
            StatusCode::BAD_REQUEST,
            ApiCode::BadYear,
            "years (from, to) must be from 1900 to 2100",
        )
    })
}

/// Checks the page size, reads what the caller may read, and answers one page.
async fn list(
    state: &AppState,
    v: Visitor,
    p: &Paging,
    page: impl FnOnce(&Dataset, &Paging) -> Response,
) -> Response {
    if p.out_of_range() {
        return bad_limit();
    }
    match state.core.for_caller(v.caller).readable().await {
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
    ApiJson(json!({ "total": items.len(), "offset": p.offset, "limit": p.limit, "items": page }))
        .into_response()
}

/// The incident list's filters; the same as the list page's.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct IncidentFilters {
    /// Incident kind code (vocabulary incident_kind).
    kind: Option<String>,
    /// First year (1900–2100).
    #[param(minimum = 1900, maximum = 2100)]
    from: Option<i32>,
    /// Last year (1900–2100).
    #[param(minimum = 1900, maximum = 2100)]
    to: Option<i32>,
    /// Place id: incidents at this place.
    place: Option<String>,
    /// Actor id: incidents involving this actor.
    actor: Option<String>,
    /// Verification code (vocabulary verification).
    verification: Option<String>,
    /// Confidentiality level: public, restricted or confidential.
    confidentiality: Option<String>,
    /// Words that must each begin a word of the title or summary.
    q: Option<String>,
}

fn bad_filter(name: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        ApiCode::BadFilter,
        &format!("the filter {name} has a value that is not one of its kind"),
    )
}

pub(crate) async fn incidents(
    State(state): State<AppState>,
    v: Visitor,
    ApiQuery(p): ApiQuery<Paging>,
    ApiQuery(f): ApiQuery<IncidentFilters>,
) -> Response {
    if p.out_of_range() {
        return bad_limit();
    }
    if let Some(r) = bad_years(f.from, f.to) {
        return r;
    }
    // Unlike the page, which shows a mistyped filter back, a program is
    // told: a filter that silently matched everything would mislead it.
    let mut q = ListQuery {
        kind: f.kind,
        from: f.from,
        to: f.to,
        verification: f.verification,
        words: f
            .q
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_lowercase)
            .collect(),
        ..ListQuery::default()
    };
    if let Some(place) = f.place {
        let Ok(id) = place.parse() else {
            return bad_filter("place");
        };
        q.place = Some(id);
    }
    if let Some(actor) = f.actor {
        let Ok(id) = actor.parse() else {
            return bad_filter("actor");
        };
        q.actor = Some(id);
    }
    if let Some(level) = f.confidentiality {
        let Some(level) = Confidentiality::from_code(&level) else {
            return bad_filter("confidentiality");
        };
        q.level = Some(level);
    }
    let view = match state.core.for_caller(v.caller).readable().await {
        Ok(data) => state.derived.get(data),
        Err(e) => return service_error(&e),
    };
    let (total, page) = view.select(&q, p.offset, p.limit);
    let items: Vec<_> = page.into_iter().map(incident_json).collect();
    ApiJson(json!({ "total": total, "offset": p.offset, "limit": p.limit, "items": items }))
        .into_response()
}

pub(crate) async fn places(
    State(state): State<AppState>,
    v: Visitor,
    ApiQuery(p): ApiQuery<Paging>,
) -> Response {
    list(&state, v, &p, |d, p| {
        page_of(&d.places, p, |place| {
            json!({
                "id": place.id.to_string(), "kind": place.kind.code(), "name_en": place.name_en,
                "name_ko": place.name_ko, "name_zh": place.name_zh, "country": place.country,
                "parent": place.parent.map(|id| id.to_string()),
                "coordinates": place.coordinates.map(|c| json!({ "lat": c.lat, "lon": c.lon, "precision": c.precision.code() })),
            })
        })
    })
    .await
}

pub(crate) async fn actors(
    State(state): State<AppState>,
    v: Visitor,
    ApiQuery(p): ApiQuery<Paging>,
) -> Response {
    list(&state, v, &p, |d, p| {
        page_of(&d.actors, p, |actor| {
            json!({
                "id": actor.id.to_string(), "kind": actor.kind.code(), "name_en": actor.name_en,
                "name_ko": actor.name_ko, "name_zh": actor.name_zh,
                "parent": actor.parent.map(|id| id.to_string()),
            })
        })
    })
    .await
}

/// The per-year table's range and division.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct StatsQuery {
    /// First year (1900–2100).
    #[param(minimum = 1900, maximum = 2100)]
    from: Option<i32>,
    /// Last year (1900–2100).
    #[param(minimum = 1900, maximum = 2100)]
    to: Option<i32>,
    /// Divide by: sex, age_group or category.
    by: Option<String>,
    /// The records as they stood at the end of this date (YYYY-MM-DD,
    /// YYYY-MM or YYYY), rebuilt from their kept versions.
    as_of: Option<String>,
}

pub(crate) async fn stats_per_year(
    State(state): State<AppState>,
    v: Visitor,
    ApiQuery(s): ApiQuery<StatsQuery>,
) -> Response {
    if let Some(r) = bad_years(s.from, s.to) {
        return r;
    }
    let by = match s.by.as_deref() {
        None | Some("") => None,
        Some(code) => match Dimension::from_code(code) {
            Some(d) => Some(d),
            None => return bad_filter("by"),
        },
    };
    let Ok(as_of) = crate::figures::as_of_time(s.as_of.as_deref()) else {
        return bad_filter("as_of");
    };
    let core = state.core.for_caller(v.caller);
    let data = match as_of {
        Some(at) => core.readable_as_of(at).await,
        None => core.readable().await,
    };
    let data = match data {
        Ok(data) => data,
        Err(e) => return service_error(&e),
    };
    let rows = refwatch_stats::per_year_in(
        &data,
        refwatch_stats::YearRange {
            from: s.from,
            to: s.to,
        },
        by,
    );
    let rows: Vec<_> = rows
        .iter()
        .map(|r| {
            json!({
                "year": r.year, "kind": r.kind.code(), "group": r.value.as_ref().map(|g| g.code()),
                "incidents": r.incidents,
                "people": { "low": r.people_low, "best": r.people_best, "high": r.people_high, "high_open": r.high_open },
                "incident_ids": r.incident_ids.iter().map(ToString::to_string).collect::<Vec<_>>(),
            })
        })
        .collect();
    ApiJson(json!({ "by": by.map(Dimension::code), "as_of": as_of.map(|t| t.to_string()), "rows": rows })).into_response()
}

pub(crate) async fn sources(
    State(state): State<AppState>,
    v: Visitor,
    ApiQuery(p): ApiQuery<Paging>,
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
    ApiQuery(p): ApiQuery<Paging>,
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
    ApiQuery(p): ApiQuery<Paging>,
) -> Response {
    if v.token.is_none() {
        return error(
            StatusCode::NOT_FOUND,
            ApiCode::NotFound,
            "no such record, or not yours to see",
        );
    }
    // Non-identifying attributes only; identities have their own, audited route.
    list(&state, v, &p, |d, p| {
        page_of(&d.persons, p, |p| person_json(p))
    })
    .await
}

pub(crate) async fn incident(
    State(state): State<AppState>,
    v: Visitor,
    Id(id): Id<IncidentId>,
) -> Response {
    match state.core.for_caller(v.caller).readable().await {
        Ok(data) => match data
            .incidents
            .binary_search_by_key(&id, |i| i.id)
            .ok()
            .map(|n| &data.incidents[n])
        {
            Some(i) => ApiJson(incident_json(i)).into_response(),
            None => error(
                StatusCode::NOT_FOUND,
                ApiCode::NotFound,
                "no such record, or not yours to see",
            ),
        },
        Err(e) => service_error(&e),
    }
}

pub(crate) async fn person_identity(
    State(state): State<AppState>,
    v: Visitor,
    Id(id): Id<refwatch_domain::PersonId>,
) -> Response {
    if v.token.is_none() {
        return error(
            StatusCode::NOT_FOUND,
            ApiCode::NotFound,
            "no such record, or not yours to see",
        );
    }
    match state.core.for_caller(v.caller).person_identity(id).await {
        Ok(Some(i)) => ApiJson(json!({
            "name_hangul": i.name_hangul, "name_romanized": i.name_romanized, "name_chinese": i.name_chinese,
            "birth_date": i.birth_date, "origin": i.origin, "family_contacts": i.family_contacts,
            "citations": i.cited.iter().map(|c| json!({
                "citation": c.citation.to_string(), "locator": c.locator, "quote": c.quote, "note": c.note,
            })).collect::<Vec<_>>(),
        }))
        .into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, ApiCode::NotFound, "no such record, or not yours to see"),
        Err(e) => service_error(&e),
    }
}

/// Reads one incident in the dataset file format (docs/dataset.schema.json).
fn incident_from_json(body: &str) -> Result<Incident, Box<Response>> {
    let wrapped =
        format!("{{\"format\": \"refwatch-dataset\", \"version\": 1, \"incidents\": [{body}]}}");
    match refwatch_interchange::parse(&wrapped) {
        Ok(mut data) if data.incidents.len() == 1 => {
            Ok(std::sync::Arc::unwrap_or_clone(data.incidents.remove(0)))
        }
        Ok(_) => Err(Box::new(error(
            StatusCode::BAD_REQUEST,
            ApiCode::BadBody,
            "send one incident object",
        ))),
        Err(problems) => Err(Box::new(invalid(&problems))),
    }
}

pub(crate) fn writes_need_a_token(v: &Visitor, bearer: bool) -> Option<Response> {
    // Writes take a bearer token, never a cookie, so that no other site can
    // make a browser write on its user's behalf.
    (!bearer || v.token.is_none()).then(|| {
        error(
            StatusCode::UNAUTHORIZED,
            ApiCode::Unauthorized,
            "writes need Authorization: Bearer <session token>",
        )
    })
}

pub(crate) fn has_bearer(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| h.starts_with("Bearer "))
}

/// Rules an incident breaks, each with its JSON path within the incident.
pub(crate) fn invalid(problems: &[refwatch_domain::Problem]) -> Response {
    let list: Vec<_> = problems
        .iter()
        .map(|p| {
            // Paths come as `incidents[0].…` (from the file format) or
            // relative to the record (`title`, from a change).
            let path = [
                "incidents[0]",
                "sources[0]",
                "places[0]",
                "actors[0]",
                "persons[0]",
                "mechanisms[0]",
                "figures[0]",
            ]
            .iter()
            .find_map(|prefix| p.path.strip_prefix(prefix))
            .unwrap_or(&p.path)
            .trim_start_matches('.');
            let path = if path.is_empty() || path.starts_with('[') {
                format!("${path}")
            } else {
                format!("$.{path}")
            };
            json!({ "path": path, "message": p.message })
        })
        .collect();
    let body = json!({ "error": { "code": ApiCode::Invalid.code(), "message": "the record breaks these rules; nothing was saved", "problems": list } });
    (StatusCode::UNPROCESSABLE_ENTITY, ApiJson(body)).into_response()
}

pub(crate) fn write_error(e: &ServiceError) -> Response {
    match e {
        ServiceError::Invalid(problems) => invalid(problems),
        // An id another record (of any kind) already has.
        ServiceError::Store(refwatch_storage::StoreError::AlreadyExists { .. }) => {
            invalid(&[refwatch_domain::Problem {
                path: "id".into(),
                message: "a record with this id is already in the database (or earlier in this file); give it a new id".into(),
            }])
        }
        e if crate::record_api::is_still_linked(e) => crate::record_api::still_linked(),
        other => service_error(other),
    }
}

pub(crate) async fn create_incident(
    State(state): State<AppState>,
    Writer(v): Writer,
    body: String,
) -> Response {
    let incident = match incident_from_json(&body) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let id = incident.id;
    let core = state.core.for_caller(v.caller);
    match core
        .import(&refwatch_domain::Dataset {
            incidents: vec![incident.into()],
            ..Default::default()
        })
        .await
    {
        Ok(_) => (
            StatusCode::CREATED,
            ApiJson(json!({ "id": id.to_string() })),
        )
            .into_response(),
        Err(e) => write_error(&e),
    }
}

pub(crate) async fn update_incident(
    State(state): State<AppState>,
    Writer(v): Writer,
    Id(id): Id<IncidentId>,
    body: String,
) -> Response {
    let incident = match incident_from_json(&body) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    if incident.id != id {
        return error(
            StatusCode::BAD_REQUEST,
            ApiCode::IdMismatch,
            "the body's id is not the one in the address",
        );
    }
    match state
        .core
        .for_caller(v.caller)
        .update_incident(&incident)
        .await
    {
        Ok(()) => ApiJson(json!({ "id": id.to_string() })).into_response(),
        Err(e) => write_error(&e),
    }
}

/// What does not identify a person, as the file format writes it, without
/// their citations (sealed; added by `POST …/citations`), so that what is
/// read can be changed and sent back whole.
fn person_json(person: &refwatch_domain::Person) -> serde_json::Value {
    let mut value =
        crate::record_api::record_json(&refwatch_service::Record::Person(person.clone()));
    if let Some(object) = value.as_object_mut() {
        object.remove("citations");
        object.remove("identity");
    }
    value
}

/// One person's non-identifying record: members only.
pub(crate) async fn person(
    State(state): State<AppState>,
    v: Visitor,
    Id(id): Id<refwatch_domain::PersonId>,
) -> Response {
    if v.token.is_none() {
        return not_found();
    }
    match state.core.for_caller(v.caller).readable().await {
        Ok(data) => match data.persons.binary_search_by_key(&id, |p| p.id) {
            Ok(n) => ApiJson(person_json(&data.persons[n])).into_response(),
            Err(_) => not_found(),
        },
        Err(e) => service_error(&e),
    }
}

/// The public tables, small counts suppressed as in the public export.
pub(crate) async fn public_tables(State(state): State<AppState>) -> Response {
    let core = state.core.for_caller(refwatch_service::Caller::public());
    let tables = match core.public_tables(5).await {
        Ok(t) => t,
        Err(e) => return service_error(&e),
    };
    if let Err(e) = core.count_public_view("public tables").await {
        return service_error(&e);
    }
    let tables: Vec<_> = tables
        .iter()
        .map(|t| {
            let rows = t.table.rows.len();
            let cols = t.table.cols.len();
            json!({
                "name": t.name,
                "dimension": t.dimension.code(),
                "threshold": t.table.threshold,
                "rows": t.table.rows,
                "cols": t.table.cols,
                "cells": (0..=rows).map(|r| (0..=cols).map(|c| t.table.text(r, c)).collect::<Vec<_>>()).collect::<Vec<_>>(),
            })
        })
        .collect();
    ApiJson(json!({ "tables": tables, "note": "the last row and column are totals; \"x\" marks a hidden cell (0, small or large); years with few people are merged" }))
        .into_response()
}

/// Accounts, for administrators: never password hashes or second factors.
pub(crate) async fn users(State(state): State<AppState>, v: Visitor) -> Response {
    match state.core.for_caller(v.caller).users().await {
        Ok(users) => {
            let items: Vec<_> = users
                .iter()
                .map(|u| {
                    json!({
                        "id": u.id.to_string(), "username": u.username, "role": u.role.code(),
                        "disabled": u.disabled, "must_change_password": u.must_change,
                        "second_factor": u.totp.is_some(), "created_at": u.created_at.to_string(),
                    })
                })
                .collect();
            ApiJson(json!({ "total": items.len(), "items": items })).into_response()
        }
        Err(e) => service_error(&e),
    }
}

pub(crate) fn account_error(e: &ServiceError) -> Response {
    match e {
        ServiceError::User(message) => {
            error(StatusCode::UNPROCESSABLE_ENTITY, ApiCode::Refused, message)
        }
        ServiceError::TooLarge { .. } => error(
            StatusCode::PAYLOAD_TOO_LARGE,
            ApiCode::TooLarge,
            &e.to_string(),
        ),
        ServiceError::Search(refwatch_search::SearchError::Empty) => {
            error(StatusCode::BAD_REQUEST, ApiCode::EmptyQuery, &e.to_string())
        }
        ServiceError::Search(refwatch_search::SearchError::TooManyWords(_)) => {
            error(StatusCode::BAD_REQUEST, ApiCode::BadQuery, &e.to_string())
        }
        other => service_error(other),
    }
}

/// A new account.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct NewUser {
    /// Its username.
    username: String,
    /// Its role (vocabulary: viewer, analyst, editor, admin).
    role: String,
}

impl Expected for NewUser {
    const EXPECTED: &'static str = "send {\"username\": …, \"role\": …}";
}

/// Adds an account (administrators); the answer carries its one-time password.
pub(crate) async fn add_user(
    State(state): State<AppState>,
    Writer(v): Writer,
    Body(new): Body<NewUser>,
) -> Response {
    let Some(role) = Role::from_code(&new.role) else {
        return bad_filter("role");
    };
    match state
        .core
        .for_caller(v.caller)
        .add_user(&new.username, role, None)
        .await
    {
        Ok(account) => (
            StatusCode::CREATED,
            ApiJson(json!({
                "username": new.username,
                "role": role.code(),
                "one_time_password": account.password.expose(),
            })),
        )
            .into_response(),
        Err(e) => account_error(&e),
    }
}

/// A change to an account: its role, or whether it is disabled.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct UserChange {
    /// A new role.
    role: Option<String>,
    /// Disable (true) or enable (false) the account.
    disabled: Option<bool>,
}

impl Expected for UserChange {
    const EXPECTED: &'static str = "send {\"role\": …} or {\"disabled\": true|false}";
}

/// Changes an account's role or disables it (administrators). A change
/// of role or a disabling ends the account's sessions.
pub(crate) async fn change_user(
    State(state): State<AppState>,
    Writer(v): Writer,
    Path(username): Path<String>,
    Body(change): Body<UserChange>,
) -> Response {
    let core = state.core.for_caller(v.caller);
    if let Some(role) = &change.role {
        let Some(role) = Role::from_code(role) else {
            return bad_filter("role");
        };
        if let Err(e) = core.set_role(&username, role).await {
            return account_error(&e);
        }
    }
    if let Some(disabled) = change.disabled
        && let Err(e) = core.set_user_disabled(&username, disabled).await
    {
        return account_error(&e);
    }
    StatusCode::NO_CONTENT.into_response()
}

/// The signed-in account's password, and the one to take its place.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct PasswordChange {
    /// The password now.
    current: String,
    /// The new password.
    new: String,
}

impl Expected for PasswordChange {
    const EXPECTED: &'static str = "send {\"current\": …, \"new\": …}";
}

/// Changes the signed-in account's own password.
pub(crate) async fn change_password(
    State(state): State<AppState>,
    Writer(v): Writer,
    Body(change): Body<PasswordChange>,
) -> Response {
    let Some(token) = &v.token else {
        return not_found();
    };
    match state
        .core
        .change_password(
            token,
            &Password::new(change.current),
            &Password::new(change.new),
            &v.client,
        )
        .await
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(ServiceError::SignIn(e @ SignInError::TryLater(_))) => error(
            StatusCode::TOO_MANY_REQUESTS,
            ApiCode::TryLater,
            &e.to_string(),
        ),
        Err(ServiceError::SignIn(_)) => error(
            StatusCode::UNAUTHORIZED,
            ApiCode::BadSignIn,
            "the current password is wrong",
        ),
        Err(e) => account_error(&e),
    }
}

/// Verifies the audit log, for administrators.
pub(crate) async fn audit_verify(State(state): State<AppState>, v: Visitor) -> Response {
    match state.core.for_caller(v.caller).verify_audit().await {
        Ok(report) => ApiJson(json!({
            "intact": report.findings.is_empty(),
            "entries": report.entries,
            "head": report.head,
            "findings": report.findings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }))
        .into_response(),
        Err(e) => service_error(&e),
    }
}

fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        ApiCode::NotFound,
        "no such record, or not yours to see",
    )
}

/// What a program sends to sign in.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct SignInBody {
    /// The account's username.
    username: String,
    /// Its password.
    password: String,
    /// The one-time code, when the account has a second factor.
    code: Option<String>,
}

impl Expected for SignInBody {
    const EXPECTED: &'static str =
        "send {\"username\": …, \"password\": …} and, with a second factor, \"code\"";
}

/// Signs a program in: the answer carries the session token to send as
/// `Authorization: Bearer <token>`.
pub(crate) async fn create_session(
    State(state): State<AppState>,
    v: Visitor,
    Body(form): Body<SignInBody>,
) -> Response {
    let code = form
        .code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    match state
        .core
        .sign_in(
            &form.username,
            &Password::new(form.password),
            code,
            &v.client,
        )
        .await
    {
        Ok(signed) => (
            StatusCode::CREATED,
            ApiJson(json!({
                "token": signed.token.expose(),
                "expires_at": signed.expires_at.to_string(),
                "must_change_password": signed.must_change_password,
            })),
        )
            .into_response(),
        Err(ServiceError::SignIn(e)) => {
            let (status, code) = match e {
                SignInError::Rejected => (StatusCode::UNAUTHORIZED, ApiCode::BadSignIn),
                SignInError::TryLater(_) => (StatusCode::TOO_MANY_REQUESTS, ApiCode::TryLater),
            };
            error(status, code, &e.to_string())
        }
        Err(e) => service_error(&e),
    }
}

/// Ends the session whose token is sent.
pub(crate) async fn delete_session(State(state): State<AppState>, Writer(v): Writer) -> Response {
    let Some(token) = &v.token else {
        return StatusCode::NO_CONTENT.into_response();
    };
    match state.core.sign_out(token).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => service_error(&e),
    }
}

/// `GET /api/openapi.json`: the document made from the routes.
pub(crate) async fn openapi() -> Response {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        DOCUMENT
            .get_or_init(|| crate::openapi_document().to_string())
            .as_str(),
    )
        .into_response()
}

/// The latest run's suggestions the caller may read, with each field's
/// level and weight and the decision standing on each pair.
pub(crate) async fn link_review(
    State(state): State<AppState>,
    v: Visitor,
    Linkage(kind): Linkage,
) -> Response {
    match state.core.for_caller(v.caller).link_review(kind).await {
        Ok(None) => ApiJson(json!({ "run": null, "suggestions": [] })).into_response(),
        Ok(Some(review)) => {
            let run = &review.run;
            ApiJson(json!({
                "run": {
                    "kind": run.kind.code(),
                    "ran_at": run.ran_at.to_string(),
                    "records": run.records,
                    "candidate_pairs": run.candidate_pairs,
                    "threshold": run.threshold,
                    "diagnostics": run.diagnostics,
                    "counts_limited": review.limited,
                },
                "suggestions": review.items.iter().map(|i| {
                    let (a, b) = i.suggestion.pair.ids();
                    json!({
                        "a": a,
                        "b": b,
                        "probability": i.suggestion.probability,
                        "decision": i.decision.map(|d| d.code()),
                        "explanation": i.suggestion.explanation.iter().map(|f| json!({
                            "field": f.field, "level": f.level, "weight": f.weight,
                        })).collect::<Vec<_>>(),
                    })
                }).collect::<Vec<_>>(),
            }))
            .into_response()
        }
        Err(e) => account_error(&e),
    }
}

/// How a linkage run is made; the body may be left empty.
#[derive(Deserialize, Default, utoipa::ToSchema)]
pub(crate) struct RunRequest {
    /// The probability from which a pair is suggested (0.5 when not given).
    threshold: Option<f64>,
}

impl Expected for RunRequest {
    const EXPECTED: &'static str = "send {\"threshold\": 0.5} or nothing";
}

/// Runs the linkage of a kind.
pub(crate) async fn link_run(
    State(state): State<AppState>,
    Writer(v): Writer,
    Linkage(kind): Linkage,
    MaybeBody(request): MaybeBody<RunRequest>,
) -> Response {
    let request = request.unwrap_or_default();
    let options = refwatch_service::LinkOptions {
        threshold: request
            .threshold
            .unwrap_or(refwatch_service::LinkOptions::default().threshold),
    };
    match state
        .core
        .for_caller(v.caller)
        .run_linkage(kind, options)
        .await
    {
        Ok(report) => ApiJson(json!({
            "records": report.run.records,
            "candidate_pairs": report.run.candidate_pairs,
            "suggested": report.suggested,
            "undecided": report.undecided,
            "diagnostics": report.run.diagnostics,
        }))
        .into_response(),
        Err(e) => account_error(&e),
    }
}

/// A decision on a pair of records.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct DecisionRequest {
    /// One record's id.
    a: String,
    /// The other's.
    b: String,
    /// `same`, `different`, or null to take the decision back.
    verdict: Option<String>,
}

impl Expected for DecisionRequest {
    const EXPECTED: &'static str =
        "send {\"a\": ID, \"b\": ID, \"verdict\": \"same\" | \"different\" | null}";
}

/// Decides on a pair, or takes the decision back.
pub(crate) async fn link_decide(
    State(state): State<AppState>,
    Writer(v): Writer,
    Linkage(kind): Linkage,
    Body(request): Body<DecisionRequest>,
) -> Response {
    let verdict = match request.verdict.as_deref() {
        None => None,
        Some(code) => match refwatch_domain::Verdict::from_code(code) {
            Some(v) => Some(v),
            None => return bad_filter("verdict"),
        },
    };
    let Some(pair) = refwatch_domain::LinkPair::parse(kind, request.a.trim(), request.b.trim())
    else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            ApiCode::Refused,
            "give two different record ids of this kind",
        );
    };
    match state
        .core
        .for_caller(v.caller)
        .decide_link(pair, verdict)
        .await
    {
        Ok(()) => ApiJson(json!({
            "kind": kind.code(),
            "a": pair.ids().0,
            "b": pair.ids().1,
            "decision": verdict.map(|d| d.code()),
        }))
        .into_response(),
        Err(e) => account_error(&e),
    }
}

/// The record to take out of its group.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct SplitRequest {
    /// Its id.
    record: String,
}

impl Expected for SplitRequest {
    const EXPECTED: &'static str = "send {\"record\": ID}";
}

/// Takes a record out of its group.
pub(crate) async fn link_split(
    State(state): State<AppState>,
    Writer(v): Writer,
    Linkage(kind): Linkage,
    Body(request): Body<SplitRequest>,
) -> Response {
    match state
        .core
        .for_caller(v.caller)
        .split_link(kind, request.record.trim())
        .await
    {
        Ok(changed) => ApiJson(json!({
            "changed": changed.iter().map(|p| { let (a, b) = p.ids(); json!({ "a": a, "b": b, "decision": "different" }) }).collect::<Vec<_>>(),
        }))
        .into_response(),
        Err(e) => account_error(&e),
    }
}
