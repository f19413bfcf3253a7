//! The API's routes and its OpenAPI document, made by the same calls.
//!
//! An operation is routed and described in one place ([`Api::add`]), so
//! the document lists exactly what is served. Its parameters are read
//! from the path and from the query types its extractors read
//! (`utoipa::IntoParams`), its bodies from the body types
//! (`utoipa::ToSchema`) and the records' wire types, and its errors from
//! the codes it may answer, each with the one status [`ApiCode::status`]
//! gives; the codes its extractors answer (a bad id, query or body, a
//! write without a token) are added by the extractors it names.

use std::collections::BTreeMap;

use axum::Router;
use axum::routing::MethodRouter;
use refwatch_service::RecordKind;
use serde_json::{Value, json};

use crate::AppState;
use crate::codes::ApiCode;

/// An HTTP method an operation is served on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Self::Get => "get",
            Self::Post => "post",
            Self::Put => "put",
            Self::Patch => "patch",
            Self::Delete => "delete",
        }
    }
}

/// The API's router being built, with the document of what it serves.
pub(crate) struct Api {
    router: Router<AppState>,
    /// path → method → operation.
    paths: BTreeMap<String, BTreeMap<&'static str, Value>>,
    /// The order paths were first routed in, which the document keeps.
    order: Vec<String>,
    /// Schemas the operations refer to, by name.
    schemas: BTreeMap<String, Value>,
}

impl Api {
    /// Routes added to `router`.
    pub(crate) fn new(router: Router<AppState>) -> Self {
        Self {
            router,
            paths: BTreeMap::new(),
            order: Vec::new(),
            schemas: BTreeMap::new(),
        }
    }

    /// Serves `route` (one method's handler) at `path` and documents it
    /// as `op`.
    ///
    /// # Panics
    /// When `route` does not serve `method` alone, or `path` already
    /// has an operation for `method` (a mistake in the route list, met
    /// by every test).
    pub(crate) fn add(
        mut self,
        method: Method,
        path: &str,
        route: MethodRouter<AppState>,
        op: Op,
    ) -> Self {
        self.router = self.router.route(path, route);
        let (operation, schemas) = op.finish(path, method);
        self.schemas.extend(schemas);
        if !self.paths.contains_key(path) {
            self.order.push(path.to_owned());
        }
        let previous = self
            .paths
            .entry(path.to_owned())
            .or_default()
            .insert(method.name(), operation);
        assert!(previous.is_none(), "{path} is routed twice");
        self
    }

    /// The router, and nothing more is added.
    pub(crate) fn into_router(self) -> Router<AppState> {
        self.router
    }

    /// The OpenAPI document of what was routed.
    pub(crate) fn document(&self) -> Value {
        let mut paths = serde_json::Map::new();
        for path in &self.order {
            let ops = &self.paths[path];
            let mut item = serde_json::Map::new();
            for method in ["get", "post", "put", "patch", "delete"] {
                if let Some(op) = ops.get(method) {
                    item.insert(method.into(), op.clone());
                }
            }
            paths.insert(path.clone(), Value::Object(item));
        }
        let mut schemas: serde_json::Map<String, Value> =
            self.schemas.clone().into_iter().collect();
        schemas.insert("Error".into(), error_schema());
        for (name, schema) in refwatch_interchange::record_schemas() {
            schemas.insert(name, serde_json::to_value(schema).unwrap_or_default());
        }
        json!({
            "openapi": "3.1.0",
            "info": {
                "title": "refwatch API",
                "version": "1",
                "description": "Incidents of the forced repatriation of North Koreans from China, \
                    as the caller may read them. Sign in with POST /api/v1/session to get a session \
                    token and send it as `Authorization: Bearer <token>`; without it, public records \
                    only. Errors are `{\"error\": {\"code\": \"...\", \"message\": \"...\"}}` with a \
                    stable code (schema Error). This document is made from the server's own routes.",
            },
            "paths": paths,
            "components": {
                "securitySchemes": { "session": { "type": "http", "scheme": "bearer" } },
                "schemas": schemas,
            },
        })
    }
}

/// A response's media type and schema.
type Content = (&'static str, Value);

/// One operation's description, built beside its route.
pub(crate) struct Op {
    summary: String,
    signed: bool,
    params: Vec<Value>,
    body: Option<(bool, &'static str, Value)>,
    answers: Vec<(u16, String, Option<Content>)>,
    codes: Vec<ApiCode>,
    schemas: Vec<(String, Value)>,
}

impl Op {
    /// An operation that does what `summary` says.
    pub(crate) fn new(summary: impl Into<String>) -> Self {
        Self {
            summary: summary.into(),
            signed: false,
            params: Vec::new(),
            body: None,
            answers: Vec::new(),
            codes: Vec::new(),
            schemas: Vec::new(),
        }
    }

    /// Taken only with a bearer token (the `Writer` extractor): a
    /// request without one is refused, as is one whose password must be
    /// changed first.
    pub(crate) fn signed(mut self) -> Self {
        self.signed = true;
        self.codes
            .extend([ApiCode::Unauthorized, ApiCode::MustChangePassword]);
        self
    }

    /// Query parameters read as `P` (`ApiQuery<P>`).
    pub(crate) fn query<P: utoipa::IntoParams>(mut self) -> Self {
        for p in P::into_params(|| Some(utoipa::openapi::path::ParameterIn::Query)) {
            self.params
                .push(serde_json::to_value(p).unwrap_or_default());
        }
        self.codes.push(ApiCode::BadQuery);
        self
    }

    /// A JSON body read as `T` (`Body<T>`).
    pub(crate) fn json<T: utoipa::ToSchema>(mut self) -> Self {
        let name = T::name().into_owned();
        let mut nested = Vec::new();
        T::schemas(&mut nested);
        self.schemas.push((
            name.clone(),
            serde_json::to_value(T::schema()).unwrap_or_default(),
        ));
        for (n, s) in nested {
            self.schemas
                .push((n, serde_json::to_value(s).unwrap_or_default()));
        }
        self.body = Some((true, "application/json", schema_ref(&name)));
        self.codes.push(ApiCode::BadBody);
        self
    }

    /// A JSON body read as `T`, which may also be left empty.
    pub(crate) fn optional_json<T: utoipa::ToSchema>(mut self) -> Self {
        self = self.json::<T>();
        if let Some(body) = &mut self.body {
            body.0 = false;
        }
        self
    }

    /// One record of `kind` in the dataset file format; checked against
    /// every rule the importer enforces.
    pub(crate) fn record(mut self, kind: RecordKind) -> Self {
        self.body = Some((true, "application/json", schema_ref(schema_name(kind))));
        self.codes.extend([ApiCode::BadBody, ApiCode::Invalid]);
        self
    }

    /// The body is a file's bytes.
    pub(crate) fn bytes(mut self) -> Self {
        self.body = Some((
            true,
            "application/octet-stream",
            json!({ "type": "string", "format": "binary" }),
        ));
        self.codes.extend([ApiCode::Empty, ApiCode::TooLarge]);
        self
    }

    /// Answers `status` with a JSON object, as `description` says.
    pub(crate) fn answers(mut self, status: u16, description: impl Into<String>) -> Self {
        self.answers.push((
            status,
            description.into(),
            Some(("application/json", json!({ "type": "object" }))),
        ));
        self
    }

    /// Answers `status` with no body.
    pub(crate) fn answers_empty(mut self, status: u16, description: impl Into<String>) -> Self {
        self.answers.push((status, description.into(), None));
        self
    }

    /// Answers `status` with `schema`, of media type `media`.
    pub(crate) fn answers_with(
        mut self,
        status: u16,
        description: impl Into<String>,
        media: &'static str,
        schema: Value,
    ) -> Self {
        self.answers
            .push((status, description.into(), Some((media, schema))));
        self
    }

    /// Answers a record of `kind` as the file format writes it.
    pub(crate) fn answers_record(self, kind: RecordKind) -> Self {
        self.answers_with(
            200,
            "The record, as the dataset file format writes it",
            "application/json",
            schema_ref(schema_name(kind)),
        )
    }

    /// Answers one page of records (of `kind`, or free-form).
    pub(crate) fn answers_page(self, kind: Option<RecordKind>) -> Self {
        let items = kind.map_or_else(
            || json!({ "type": "object" }),
            |k| schema_ref(schema_name(k)),
        );
        self.answers_with(
            200,
            "A page of records: how many there are in all, and this page's",
            "application/json",
            json!({
                "type": "object",
                "required": ["total", "offset", "limit", "items"],
                "properties": {
                    "total": { "type": "integer", "minimum": 0 },
                    "offset": { "type": "integer", "minimum": 0 },
                    "limit": { "type": "integer", "minimum": 1 },
                    "items": { "type": "array", "items": items },
                },
            }),
        )
    }

    /// Answers 201 with the new record's id.
    pub(crate) fn answers_created(self) -> Self {
        self.answers_with(
            201,
            "Created: its id",
            "application/json",
            json!({
                "type": "object",
                "required": ["id"],
                "properties": { "id": { "type": "string" } },
            }),
        )
    }

    /// May also answer with these codes (besides those its extractors add).
    pub(crate) fn fails(mut self, codes: &[ApiCode]) -> Self {
        self.codes.extend_from_slice(codes);
        self
    }

    /// The operation as JSON, and the schemas it refers to.
    fn finish(mut self, path: &str, method: Method) -> (Value, Vec<(String, Value)>) {
        let mut params: Vec<Value> = path_params(path, &mut self.codes);
        params.append(&mut self.params);
        if self.body.is_some() {
            self.codes.extend([ApiCode::TooLarge, ApiCode::Timeout]);
        }
        // Any operation may meet a full disk, a busy database or a fault.
        self.codes
            .extend([ApiCode::Busy, ApiCode::DiskFull, ApiCode::Internal]);
        let mut op = json!({
            "summary": self.summary,
            "operationId": operation_id(method, path),
        });
        if self.signed {
            op["security"] = json!([{ "session": [] }]);
        }
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        if let Some((required, media, schema)) = self.body {
            op["requestBody"] = json!({
                "required": required,
                "content": { media: { "schema": schema } },
            });
        }
        let mut responses = serde_json::Map::new();
        for (status, description, content) in self.answers {
            let mut r = json!({ "description": description });
            if let Some((media, schema)) = content {
                r["content"] = json!({ media: { "schema": schema } });
            }
            responses.insert(status.to_string(), r);
        }
        for (status, text) in error_responses(&self.codes) {
            responses.insert(
                status.to_string(),
                json!({
                    "description": text,
                    "content": { "application/json": { "schema": schema_ref("Error") } },
                }),
            );
        }
        op["responses"] = Value::Object(responses);
        (op, self.schemas)
    }
}

/// The path's parameters, each with the schema of what its extractor
/// reads, and the codes they bring.
fn path_params(path: &str, codes: &mut Vec<ApiCode>) -> Vec<Value> {
    let mut params = Vec::new();
    for name in path
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
    {
        let (schema, description, code) = match name {
            "number" => (
                json!({ "type": "integer", "minimum": 1 }),
                "A version's number, from 1",
                ApiCode::BadId,
            ),
            "kind" => (
                json!({ "type": "string", "enum": ["person", "incident"] }),
                "The kind of records linked",
                ApiCode::NotFound,
            ),
            "username" => (
                json!({ "type": "string" }),
                "An account's username",
                ApiCode::NotFound,
            ),
            "evidence" => (
                json!({ "type": "string", "format": "uuid" }),
                "An evidence file's id",
                ApiCode::BadId,
            ),
            "citation" => (
                json!({ "type": "string", "format": "uuid" }),
                "A citation's id",
                ApiCode::BadId,
            ),
            _ => (
                json!({ "type": "string" }),
                "A record's id: a UUID, or a key:slug read as the UUID it stands for",
                ApiCode::BadId,
            ),
        };
        codes.push(code);
        params.push(json!({
            "name": name, "in": "path", "required": true,
            "description": description, "schema": schema,
        }));
    }
    params
}

/// One response per status, saying which codes it carries and what each means.
fn error_responses(codes: &[ApiCode]) -> BTreeMap<u16, String> {
    let mut by_status: BTreeMap<u16, Vec<ApiCode>> = BTreeMap::new();
    for code in ApiCode::ALL {
        if codes.contains(&code) {
            by_status.entry(code.status()).or_default().push(code);
        }
    }
    by_status
        .into_iter()
        .map(|(status, codes)| {
            let text = codes
                .iter()
                .map(|c| format!("`{}`: {}", c.code(), c.meaning()))
                .collect::<Vec<_>>()
                .join("; ");
            (status, text)
        })
        .collect()
}

/// The schema of every error: its code, one of the enumerated set, with
/// the status each code is answered with (`x-status`).
fn error_schema() -> Value {
    let codes: Vec<&str> = ApiCode::ALL.iter().map(|c| c.code()).collect();
    let statuses: serde_json::Map<String, Value> = ApiCode::ALL
        .iter()
        .map(|c| (c.code().to_owned(), Value::from(c.status())))
        .collect();
    let meanings = ApiCode::ALL
        .iter()
        .map(|c| format!("{}: {}", c.code(), c.meaning()))
        .collect::<Vec<_>>()
        .join("; ");
    json!({
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": { "type": "string", "enum": codes, "description": meanings },
                    "message": { "type": "string", "description": "What went wrong and what to do, in a sentence" },
                    "problems": {
                        "type": "array",
                        "description": "With `invalid`: each rule the record breaks, by JSON path",
                        "items": { "type": "object" },
                    },
                },
            },
        },
        "x-status": statuses,
    })
}

/// `get_api_v1_sources_id`: a stable name for an operation.
fn operation_id(method: Method, path: &str) -> String {
    let words: Vec<String> = path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    format!("{}_{}", method.name(), words.join("_"))
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The schema name of a record kind in the OpenAPI document.
pub(crate) fn schema_name(kind: RecordKind) -> &'static str {
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

#[cfg(test)]
mod tests {
    #[test]
    fn every_api_route_is_added_with_its_description() {
        // A tidy test (ARCHITECTURE.md): no route of the API is made
        // outside `Api::add`, so none goes undocumented.
        for (name, text) in [
            ("lib.rs", include_str!("lib.rs")),
            ("api_routes.rs", include_str!("api_routes.rs")),
            ("record_api.rs", include_str!("record_api.rs")),
            ("record_forms.rs", include_str!("record_forms.rs")),
        ] {
            for line in text.lines() {
                assert!(
                    !(line.contains(".route(") && line.contains("/api/v1")),
                    "{name} routes the API by hand: {line}"
                );
            }
        }
        assert!(
            !include_str!("lib.rs").contains("\"/api/v1"),
            "lib.rs names an API path; add it in api_routes.rs"
        );
    }

    #[test]
    fn api_handlers_take_writers_and_bodies_through_extractors() {
        // No token checked, no body parsed by hand in a handler.
        for (name, text) in [
            ("api.rs", include_str!("api.rs")),
            ("evidence.rs", include_str!("evidence.rs")),
            ("record_api.rs", include_str!("record_api.rs")),
        ] {
            let calls = text.matches("writes_need_a_token(").count();
            let defined = text.matches("fn writes_need_a_token(").count();
            assert_eq!(calls, defined, "{name} checks a token by hand; take Writer");
            assert!(
                !text.contains("body_of("),
                "{name} parses a body by hand; take Body<T>"
            );
        }
    }

    #[test]
    fn the_document_refers_only_to_what_it_defines_and_every_error_is_typed() {
        let doc = crate::openapi_document();
        let text = doc.to_string();
        for (at, _) in text.match_indices("#/components/schemas/") {
            let name: String = text[at + 21..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            assert!(doc["components"]["schemas"][&name].is_object(), "{name}");
        }
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for (status, r) in op["responses"].as_object().unwrap() {
                    let error = status.starts_with('4') || status.starts_with('5');
                    let schema = &r["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(
                        error,
                        schema == "#/components/schemas/Error",
                        "{method} {path} {status}"
                    );
                }
                // Every operation says it may meet a fault, and names it.
                assert!(
                    op["responses"]["500"]["description"]
                        .as_str()
                        .unwrap()
                        .contains("`internal`")
                );
            }
        }
    }
}
