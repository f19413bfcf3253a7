//! The codes of the API's errors: every error the API answers is
//! `{"error": {"code", "message"}}` with one of these, and the OpenAPI
//! document lists exactly these (a test checks the two agree).

/// What went wrong, for a program to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ApiCode {
    /// No such record, or not the caller's to see.
    NotFound,
    /// An id that is not a UUID or `key:slug`.
    BadId,
    /// A limit or offset out of range.
    BadLimit,
    /// A filter value that is not one of its kind.
    BadFilter,
    /// A query parameter of the wrong type, or search words that cannot be asked.
    BadQuery,
    /// A body that is not the JSON expected.
    BadBody,
    /// A year out of 1900–2100.
    BadYear,
    /// Wrong username, password or code.
    BadSignIn,
    /// A request the server could not read (the framework's own refusal).
    BadRequest,
    /// The id in the body differs from the one in the path.
    IdMismatch,
    /// Other records still refer to the one to archive.
    StillLinked,
    /// A write without a bearer token.
    Unauthorized,
    /// The session's password is a one-time one: choose a new one first.
    MustChangePassword,
    /// The core refused: the message says why and what to do.
    Refused,
    /// The record breaks the rules (with a list of problems).
    Invalid,
    /// Stored data does not open or check out.
    Damaged,
    /// An empty body where a file was expected.
    Empty,
    /// A search without words.
    EmptyQuery,
    /// A body or file over the size limit.
    TooLarge,
    /// Too many attempts: try again later.
    TryLater,
    /// A method the route does not take.
    MethodNotAllowed,
    /// The request took too long to arrive.
    Timeout,
    /// A body of a type the route does not take.
    UnsupportedMediaType,
    /// Busy (printing, or another writer holds the database): try again shortly.
    Busy,
    /// The disk is full: nothing was changed; free some space and try again.
    DiskFull,
    /// Something went wrong on the server; nothing was changed.
    Internal,
}

impl ApiCode {
    /// Every code, in the order the OpenAPI document lists them.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) const ALL: [ApiCode; 26] = [
        Self::NotFound,
        Self::BadId,
        Self::BadLimit,
        Self::BadFilter,
        Self::BadQuery,
        Self::BadBody,
        Self::BadYear,
        Self::BadSignIn,
        Self::BadRequest,
        Self::IdMismatch,
        Self::StillLinked,
        Self::Unauthorized,
        Self::MustChangePassword,
        Self::Refused,
        Self::Invalid,
        Self::Damaged,
        Self::Empty,
        Self::EmptyQuery,
        Self::TooLarge,
        Self::TryLater,
        Self::MethodNotAllowed,
        Self::Timeout,
        Self::UnsupportedMediaType,
        Self::Busy,
        Self::DiskFull,
        Self::Internal,
    ];

    /// The HTTP status the code is answered with (the OpenAPI document's
    /// `x-status` lists them; a tidy test checks every `error(…)` call).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn status(self) -> u16 {
        match self {
            Self::NotFound => 404,
            Self::BadId
            | Self::BadLimit
            | Self::BadFilter
            | Self::BadQuery
            | Self::BadBody
            | Self::BadYear
            | Self::BadRequest
            | Self::IdMismatch
            | Self::Empty
            | Self::EmptyQuery => 400,
            Self::BadSignIn | Self::Unauthorized => 401,
            Self::MustChangePassword => 403,
            Self::MethodNotAllowed => 405,
            Self::Timeout => 408,
            Self::StillLinked | Self::Damaged => 409,
            Self::TooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::Refused | Self::Invalid => 422,
            Self::TryLater => 429,
            Self::Internal => 500,
            Self::Busy | Self::DiskFull => 503,
        }
    }

    /// What the code means, as the OpenAPI document says it.
    pub(crate) fn meaning(self) -> &'static str {
        match self {
            Self::NotFound => "no such record, or not the caller's to see",
            Self::BadId => "an id that is not a UUID or `key:slug`",
            Self::BadLimit => "a limit or offset out of range",
            Self::BadFilter => "a filter value that is not one of its kind",
            Self::BadQuery => {
                "a query parameter of the wrong type, or search words that cannot be asked"
            }
            Self::BadBody => "a body that is not the JSON expected",
            Self::BadYear => "a year out of 1900–2100",
            Self::BadSignIn => "wrong username, password or code",
            Self::BadRequest => "a request the server could not read (the framework's own refusal)",
            Self::IdMismatch => "the id in the body differs from the one in the path",
            Self::StillLinked => "other records still refer to the one to archive",
            Self::Unauthorized => "a write without a bearer token",
            Self::MustChangePassword => {
                "the session's password is a one-time one: choose a new one first"
            }
            Self::Refused => "the core refused: the message says why and what to do",
            Self::Invalid => "the record breaks the rules (with a list of problems)",
            Self::Damaged => "stored data does not open or check out",
            Self::Empty => "an empty body where a file was expected",
            Self::EmptyQuery => "a search without words",
            Self::TooLarge => "a body or file over the size limit",
            Self::TryLater => "too many attempts: try again later",
            Self::MethodNotAllowed => "a method the route does not take",
            Self::Timeout => "the request took too long to arrive",
            Self::UnsupportedMediaType => "a body of a type the route does not take",
            Self::Busy => {
                "busy (printing, or another writer holds the database): try again shortly"
            }
            Self::DiskFull => {
                "the disk is full: nothing was changed; free some space and try again"
            }
            Self::Internal => "something went wrong on the server; nothing was changed",
        }
    }

    /// The code as it is written in the JSON.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::BadId => "bad_id",
            Self::BadLimit => "bad_limit",
            Self::BadFilter => "bad_filter",
            Self::BadQuery => "bad_query",
            Self::BadBody => "bad_body",
            Self::BadYear => "bad_year",
            Self::BadSignIn => "bad_sign_in",
            Self::BadRequest => "bad_request",
            Self::IdMismatch => "id_mismatch",
            Self::StillLinked => "still_linked",
            Self::Unauthorized => "unauthorized",
            Self::MustChangePassword => "must_change_password",
            Self::Refused => "refused",
            Self::Invalid => "invalid",
            Self::Damaged => "damaged",
            Self::Empty => "empty",
            Self::EmptyQuery => "empty_query",
            Self::TooLarge => "too_large",
            Self::TryLater => "try_later",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Timeout => "timeout",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Busy => "busy",
            Self::DiskFull => "disk_full",
            Self::Internal => "internal",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ApiCode;

    #[test]
    fn every_code_but_the_frameworks_is_documented_on_some_operation() {
        // The Error schema lists every code by construction; what can go
        // wrong is a code no operation says it may answer.
        let doc = crate::openapi_document();
        let text = doc["paths"].to_string();
        for code in ApiCode::ALL {
            if matches!(
                code,
                ApiCode::MethodNotAllowed | ApiCode::BadRequest | ApiCode::UnsupportedMediaType
            ) {
                continue;
            }
            assert!(
                text.contains(&format!("`{}`", code.code())),
                "no operation documents {}",
                code.code()
            );
        }
    }

    #[test]
    fn every_code_has_one_documented_status_and_is_answered_with_it() {
        let doc = crate::openapi_document();
        let statuses = &doc["components"]["schemas"]["Error"]["x-status"];
        for code in ApiCode::ALL {
            assert_eq!(statuses[code.code()], code.status(), "{}", code.code());
        }
        // Each `error(StatusCode::…, ApiCode::…` in the server pairs the
        // code with its status.
        let named = |status: &str| -> u16 {
            match status {
                "BAD_REQUEST" => 400,
                "UNAUTHORIZED" => 401,
                "FORBIDDEN" => 403,
                "NOT_FOUND" => 404,
                "METHOD_NOT_ALLOWED" => 405,
                "REQUEST_TIMEOUT" => 408,
                "CONFLICT" => 409,
                "PAYLOAD_TOO_LARGE" => 413,
                "UNSUPPORTED_MEDIA_TYPE" => 415,
                "UNPROCESSABLE_ENTITY" => 422,
                "TOO_MANY_REQUESTS" => 429,
                "INTERNAL_SERVER_ERROR" => 500,
                "SERVICE_UNAVAILABLE" => 503,
                other => panic!("a status to name here: {other}"),
            }
        };
        let mut pairs = 0;
        for text in [
            include_str!("api.rs"),
            include_str!("auth.rs"),
            include_str!("evidence.rs"),
            include_str!("extract.rs"),
            include_str!("lib.rs"),
            include_str!("pages.rs"),
            include_str!("record_api.rs"),
        ] {
            let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            for (at, _) in flat.match_indices("StatusCode::") {
                let rest = &flat[at + 12..];
                let Some((status, after)) = rest.split_once(", ApiCode::") else {
                    continue;
                };
                if status.contains(' ') {
                    continue;
                }
                let name: String = after
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect();
                let code = ApiCode::ALL
                    .into_iter()
                    .find(|c| format!("{c:?}") == name)
                    .unwrap_or_else(|| panic!("no code {name}"));
                assert_eq!(named(status), code.status(), "{status} with {name}");
                pairs += 1;
            }
        }
        assert!(pairs > 30, "the calls were found: {pairs}");
    }

    #[test]
    fn no_error_code_is_written_as_a_bare_string_in_the_server() {
        // A tidy test: codes come from the enum, so none goes undocumented.
        for (name, text) in [
            ("api.rs", include_str!("api.rs")),
            ("auth.rs", include_str!("auth.rs")),
            ("evidence.rs", include_str!("evidence.rs")),
            ("extract.rs", include_str!("extract.rs")),
            ("lib.rs", include_str!("lib.rs")),
            ("links.rs", include_str!("links.rs")),
            ("figures.rs", include_str!("figures.rs")),
            ("forms.rs", include_str!("forms.rs")),
            ("record_api.rs", include_str!("record_api.rs")),
        ] {
            for code in ApiCode::ALL.map(ApiCode::code) {
                for bare in [
                    format!("\"{code}\","),
                    format!("\"{code}\")"),
                    format!("\"code\": \"{code}\""),
                ] {
                    assert!(
                        !text.contains(&bare),
                        "{name} writes the code {code} as a string; use ApiCode"
                    );
                }
            }
        }
    }
}
