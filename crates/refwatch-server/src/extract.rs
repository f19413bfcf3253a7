//! The API's typed extractors: ids in the path and JSON bodies read into
//! their types before a handler runs, and a request that does not read
//! refused with the API's own error (`bad_id`, `bad_body`), never the
//! framework's plain text and never parsed by hand in a handler.

use std::str::FromStr;

use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde::de::DeserializeOwned;

use crate::api::error;
use crate::codes::ApiCode;

/// A record id of type `T` from the path's one parameter.
pub(crate) struct Id<T>(pub(crate) T);

impl<T: FromStr + Send, S: Send + Sync> FromRequestParts<S> for Id<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| bad_id())?;
        text.parse().map(Self).map_err(|_| bad_id())
    }
}

/// A record's id (`{id}`) and a version number (`{number}`) from the path.
pub(crate) struct IdAndNumber<T>(pub(crate) T, pub(crate) u32);

impl<T: FromStr + Send, S: Send + Sync> FromRequestParts<S> for IdAndNumber<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Path((id, number)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| bad_id())?;
        let number = number
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                error(
                    StatusCode::BAD_REQUEST,
                    ApiCode::BadId,
                    "not a version number",
                )
            })?;
        Ok(Self(id.parse().map_err(|_| bad_id())?, number))
    }
}

/// Any record's id, of whichever kind the route serves: a UUID (or a
/// `key:slug`, read as the UUID it stands for), written as a UUID.
pub(crate) struct AnyId(pub(crate) String);

impl FromStr for AnyId {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        // Every kind's id reads the same way; a source's stands for all.
        text.parse::<refwatch_domain::SourceId>()
            .map(|id| Self(id.to_string()))
            .map_err(|_| ())
    }
}

fn bad_id() -> Response {
    error(StatusCode::BAD_REQUEST, ApiCode::BadId, "not a record id")
}

/// A JSON body read as `T`; what does not read is refused with what to
/// send (`T::EXPECTED`).
pub(crate) struct Body<T>(pub(crate) T);

/// What a body type expects, said when a body does not read.
pub(crate) trait Expected {
    /// A sentence (or JSON sketch) of the body to send.
    const EXPECTED: &'static str;
}

impl<T: DeserializeOwned + Expected, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let refuse = || error(StatusCode::BAD_REQUEST, ApiCode::BadBody, T::EXPECTED);
        // A body that did not arrive whole (cut off, too large) is the
        // framework's refusal, which the server answers in JSON as for any
        // route; one that arrived is read as `T`.
        let text = String::from_request(req, state)
            .await
            .map_err(axum::response::IntoResponse::into_response)?;
        serde_json::from_str(&text).map(Self).map_err(|_| refuse())
    }
}

/// A JSON body read as `T`, or none when the body is empty.
pub(crate) struct MaybeBody<T>(pub(crate) Option<T>);

impl<T: DeserializeOwned + Expected, S: Send + Sync> FromRequest<S> for MaybeBody<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let text = String::from_request(req, state)
            .await
            .map_err(axum::response::IntoResponse::into_response)?;
        if text.trim().is_empty() {
            return Ok(Self(None));
        }
        serde_json::from_str(&text)
            .map(|t| Self(Some(t)))
            .map_err(|_| error(StatusCode::BAD_REQUEST, ApiCode::BadBody, T::EXPECTED))
    }
}

/// The kind of linkage from the path (`{kind}`): `person` or `incident`;
/// any other is not there (404).
pub(crate) struct Linkage(pub(crate) refwatch_domain::LinkKind);

impl<S: Send + Sync> FromRequestParts<S> for Linkage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let kind = Path::<String>::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|Path(code)| refwatch_domain::LinkKind::from_code(&code));
        kind.map(Self).ok_or_else(|| {
            error(
                StatusCode::NOT_FOUND,
                ApiCode::NotFound,
                "linkage is of `person` or `incident` records",
            )
        })
    }
}

/// A caller who may write: signed in, with a bearer token (never a
/// cookie, so that no other site can make a browser write). Taken first,
/// so that a write without a token is refused before anything is read.
pub(crate) struct Writer(pub(crate) crate::auth::Visitor);

impl FromRequestParts<crate::AppState> for Writer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::AppState,
    ) -> Result<Self, Response> {
        let v = crate::auth::Visitor::from_request_parts(parts, state).await?;
        match crate::api::writes_need_a_token(&v, crate::api::has_bearer(&parts.headers)) {
            Some(refused) => Err(refused),
            None => Ok(Self(v)),
        }
    }
}

/// Two ids from the path (`{id}` and one more), each read as its type.
pub(crate) struct TwoIds<A, B>(pub(crate) A, pub(crate) B);

impl<A: FromStr + Send, B: FromStr + Send, S: Send + Sync> FromRequestParts<S> for TwoIds<A, B> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Path((a, b)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| bad_id())?;
        match (a.parse(), b.parse()) {
            (Ok(a), Ok(b)) => Ok(Self(a, b)),
            _ => Err(bad_id()),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn record_handlers_take_typed_ids_bodies_and_writers() {
        // A tidy test (ARCHITECTURE.md): the record API reads no id and
        // checks no token by hand.
        let text = include_str!("record_api.rs");
        for by_hand in [
            "Path<String>",
            "Path<(String",
            "writes_need_a_token(",
            ".parse::<u32>()",
        ] {
            assert!(!text.contains(by_hand), "record_api.rs has {by_hand}");
        }
    }
}
