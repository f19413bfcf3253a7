//! Who is asking: the session cookie or a bearer token, the language
//! cookie, and the CSRF token of forms (double-submit, SameSite=Strict).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use refwatch_accounts::SessionToken;
use refwatch_domain::Lang;
use refwatch_service::{Caller, SessionHolder};

use crate::AppState;
use crate::codes::ApiCode;

pub(crate) const SESSION_COOKIE: &str = "refwatch_session";
pub(crate) const LANG_COOKIE: &str = "refwatch_lang";
pub(crate) const CSRF_COOKIE: &str = "refwatch_csrf";

fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Everything a handler needs to know about the request's sender.
pub(crate) struct Visitor {
    /// Who, for the policy.
    pub(crate) caller: Caller,
    /// The session token, when signed in.
    pub(crate) token: Option<SessionToken>,
    /// The chosen language.
    pub(crate) lang: Lang,
    /// The CSRF token of this browser (existing, or new to be set).
    pub(crate) csrf: String,
    /// Whether `csrf` is new and must be set as a cookie.
    pub(crate) csrf_is_new: bool,
    /// The client's network address (for sign-in back-off), or `unknown`.
    pub(crate) client: String,
}

impl Visitor {
    /// Whether a posted form carries this browser's CSRF token (a form from
    /// another site cannot), bound to the session when signed in.
    pub(crate) fn posted_here(&self, csrf: &str) -> bool {
        (self.token.is_some() || !self.csrf_is_new) && csrf == self.csrf
    }
}

/// The form token of a session: derived from its secret token, so that it
/// holds for that session only.
fn session_csrf(token: &SessionToken) -> String {
    let hash = refwatch_accounts::hash_token(&format!("csrf:{}", token.expose()));
    hash.get(..48).unwrap_or(&hash).to_owned()
}

fn new_token() -> String {
    let mut bytes = [0u8; 24];
    // Without a random source nothing is safe; this fails the request.
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    hex::encode(bytes)
}

/// `path` if it is a path of this site, never another host: it starts with
/// one `/`, and holds no backslash, space or control character (browsers
/// drop tabs and newlines, so `/\t/evil.example` would become
/// `//evil.example`).
pub(crate) fn same_site_path(path: &str) -> Option<&str> {
    let ok = path.starts_with('/')
        && !path[1..].starts_with(['/', '\\'])
        && !path
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
        && path.len() <= 2048;
    ok.then_some(path)
}

/// Whether a state-changing request comes from this site's own pages. A
/// browser says where a request comes from in `Sec-Fetch-Site` and
/// `Origin`; a form posted from another site is refused even before its
/// CSRF token is looked at. Programs that send neither are let through to
/// the token check.
pub(crate) fn from_this_site(headers: &axum::http::HeaderMap) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    // Without Sec-Fetch-Site (older browsers), the Origin; "null" is what
    // browsers send under this site's no-referrer policy and says nothing.
    match (header("origin").filter(|o| *o != "null"), header("host")) {
        (Some(origin), Some(host)) => {
            let authority = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            authority == Some(host)
        }
        (Some(_), None) => false,
        _ => true,
    }
}

/// What a session that must change its password may still reach.
fn may_pass_before_change(parts: &Parts) -> bool {
    let path = parts.uri.path();
    matches!(
        path,
        "/password" | "/signout" | "/lang" | "/static/app.css" | "/api/v1/password"
    ) || (path == "/api/v1/session" && parts.method == Method::DELETE)
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_owned);
        let token = bearer
            .or_else(|| cookie(parts, SESSION_COOKIE).map(str::to_owned))
            .map(SessionToken::new);
        let holder = match &token {
            Some(t) => state.core.session_holder(t).await.ok().flatten(),
            None => None,
        };
        let caller = match &holder {
            Some(SessionHolder::Live(caller)) => caller.clone(),
            _ => Caller::public(),
        };
        if holder == Some(SessionHolder::MustChangePassword) && !may_pass_before_change(parts) {
            // A one-time password allows only choosing a new one.
            return Err(if parts.uri.path().starts_with("/api/") {
                crate::api::error(
                    StatusCode::FORBIDDEN,
                    ApiCode::MustChangePassword,
                    "choose a new password first: POST /api/v1/password",
                )
            } else {
                (StatusCode::SEE_OTHER, [(header::LOCATION, "/password")]).into_response()
            });
        }
        let token = token.filter(|_| holder.is_some());
        let lang = match cookie(parts, LANG_COOKIE) {
            Some("ko") => Lang::Ko,
            Some("en") => Lang::En,
            _ => {
                let accept = parts
                    .headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if accept.trim_start().starts_with("ko") {
                    Lang::Ko
                } else {
                    Lang::En
                }
            }
        };
        let (cookie_csrf, csrf_is_new) = match cookie(parts, CSRF_COOKIE)
            .filter(|c| c.len() == 48 && c.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            Some(c) => (c.to_owned(), false),
            None => (new_token(), true),
        };
        // Signed in, the form token is bound to the session: one taken from
        // another session, or set by another site, does not pass.
        let csrf = match &token {
            Some(t) => session_csrf(t),
            None => cookie_csrf,
        };
        let client = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
        Ok(Visitor {
            caller,
            token,
            lang,
            csrf,
            csrf_is_new,
            client,
        })
    }
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, path `/`, Secure over TLS.
pub(crate) fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

#[cfg(test)]
mod tests {
    use super::same_site_path;

    #[test]
    fn only_paths_of_this_site_are_followed() {
        for ok in ["/", "/incidents?kind=arrest", "/persons/abc"] {
            assert_eq!(same_site_path(ok), Some(ok));
        }
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\\evil.example",
            "/\\/evil.example",
            "https://evil.example",
            "evil.example",
            "/ /evil.example",
            "",
        ] {
            assert_eq!(same_site_path(bad), None, "{bad:?}");
        }
    }
}
