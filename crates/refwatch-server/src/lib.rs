//! The web application and JSON API: the only crate that knows HTTP.
//!
//! Pages are rendered on the server (maud, escaped by default) and work with
//! JavaScript off; there is no inline script or style, so the
//! Content-Security-Policy forbids both. Every request acts as a `Caller`
//! (the public, or a signed-in account) through `refwatch-service`, which
//! asks the policy for every read and write.

#![deny(missing_docs)]

mod admin;
mod api;
mod api_routes;
mod apidoc;
mod auth;
mod codes;
mod dates;
mod derived;
mod evidence;
mod extract;
mod figures;
mod form_lists;
mod forms;
mod i18n;
mod links;
mod listen;
mod pages;
mod record_api;
mod record_forms;
mod sheets;

use std::future::Future;
use std::sync::Arc;

use crate::codes::ApiCode;
use axum::Form;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use refwatch_service::{RecordKind, Service};
use refwatch_storage::SqliteStore;
use tokio::net::TcpListener;

pub use evidence::search_json;

/// What every request handler shares: the protected core (with unlocked
/// keys) and settings. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    core: Arc<Service<SqliteStore>>,
    /// What pages derive from the read copies, kept while they are served.
    derived: Arc<derived::DerivedCache>,
    /// Whether cookies carry `Secure` (when served over TLS by a proxy).
    secure_cookies: bool,
    /// Spreadsheets uploaded for import, between mapping and import.
    uploads: Arc<sheets::Uploads>,
}

impl AppState {
    /// State over an opened core.
    pub fn new(core: Service<SqliteStore>, secure_cookies: bool) -> Self {
        Self {
            core: Arc::new(core),
            derived: Arc::default(),
            secure_cookies,
            uploads: Arc::default(),
        }
    }
}

/// The largest request body accepted.
const MAX_BODY: usize = 1024 * 1024;

/// The largest evidence upload accepted (the service's own limit applies
/// too, with a clear message).
const MAX_UPLOAD: usize = (refwatch_service::DEFAULT_MAX_BYTES as usize) + (1 << 20);

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Every API error is JSON with a code: answers the framework makes itself
/// (a body that does not parse, a wrong method, a body too large or cut
/// off) are rewritten here into `{"error": {"code", "message"}}`.
async fn api_errors_as_json(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let kind = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let is_json = kind.starts_with("application/json");
    if !api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let code = match status.as_u16() {
        404 => ApiCode::NotFound,
        405 => ApiCode::MethodNotAllowed,
        408 => ApiCode::Timeout,
        413 => ApiCode::TooLarge,
        415 => ApiCode::UnsupportedMediaType,
        422 => ApiCode::Refused,
        429 => ApiCode::TryLater,
        503 => ApiCode::Busy,
        _ if status.is_server_error() => ApiCode::Internal,
        _ => ApiCode::BadRequest,
    };
    let bytes = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .unwrap_or_default();
    let message = String::from_utf8_lossy(&bytes).trim().to_owned();
    let message =
        if message.is_empty() || status.is_server_error() || !kind.starts_with("text/plain") {
            status.canonical_reason().unwrap_or("error").to_lowercase()
        } else {
            message
        };
    api::error(status, code, &message)
}

/// Forms that change something must come from this site's own pages
/// (`Sec-Fetch-Site`, `Origin`); the API's writes take a bearer token,
/// which another site cannot send.
async fn forms_from_this_site(request: Request, next: Next) -> Response {
    let changes = !matches!(request.method().as_str(), "GET" | "HEAD" | "OPTIONS");
    if changes
        && !request.uri().path().starts_with("/api/")
        && !auth::from_this_site(request.headers())
    {
        return axum::response::IntoResponse::into_response((
            axum::http::StatusCode::FORBIDDEN,
            "This form was sent from another site and was refused; nothing was changed.",
        ));
    }
    next.run(request).await
}

/// Every route.
pub fn router(state: AppState) -> Router {
    let router = Router::new()
        .route("/", get(pages::dashboard))
        .route(
            "/incidents",
            get(pages::incidents).post(forms::create_incident),
        )
        .route("/incidents/new", get(forms::new_incident))
        .route(
            "/incidents/{id}",
            get(pages::incident).post(forms::update_incident),
        )
        .route("/incidents/{id}/edit", get(forms::edit_incident))
        .route(
            "/incidents/{id}/evidence",
            post(|State(s), v, Path(id), Form(f)| {
                record_forms::link_evidence(RecordKind::Incident, s, v, id, f)
            }),
        )
        .route(
            "/persons/{id}/evidence",
            post(|State(s), v, Path(id), Form(f)| {
                record_forms::link_evidence(RecordKind::Person, s, v, id, f)
            }),
        )
        .route("/incidents.csv", get(pages::incidents_csv))
        .route("/incidents.xlsx", get(pages::incidents_xlsx))
        .route("/sources.csv", get(sheets::sources_csv))
        .route("/sources.xlsx", get(sheets::sources_xlsx))
        .route("/mechanisms.csv", get(sheets::mechanisms_csv))
        .route("/mechanisms.xlsx", get(sheets::mechanisms_xlsx))
        .route(
            "/persons",
            get(pages::persons)
                .post(|State(s), v, Form(f)| record_forms::create(RecordKind::Person, s, v, f)),
        )
        .route(
            "/persons/{id}",
            get(pages::person).post(|State(s), v, Path(id), Form(f)| {
                record_forms::update(RecordKind::Person, s, v, id, f)
            }),
        )
        .route(
            "/sources",
            get(pages::sources)
                .post(|State(s), v, request| record_forms::create_source(s, v, request))
                .layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route(
            "/sources/{id}",
            get(pages::source).post(|State(s), v, Path(id), Form(f)| {
                record_forms::update(RecordKind::Source, s, v, id, f)
            }),
        )
        .route(
            "/places",
            get(pages::places)
                .post(|State(s), v, Form(f)| record_forms::create(RecordKind::Place, s, v, f)),
        )
        .route(
            "/places/{id}",
            get(|Path(id)| record_forms::show(RecordKind::Place, id)).post(
                |State(s), v, Path(id), Form(f)| {
                    record_forms::update(RecordKind::Place, s, v, id, f)
                },
            ),
        )
        .route(
            "/actors",
            get(|| async { pages::redirect("/places", &[]) })
                .post(|State(s), v, Form(f)| record_forms::create(RecordKind::Actor, s, v, f)),
        )
        .route(
            "/actors/{id}",
            get(|Path(id)| record_forms::show(RecordKind::Actor, id)).post(
                |State(s), v, Path(id), Form(f)| {
                    record_forms::update(RecordKind::Actor, s, v, id, f)
                },
            ),
        )
        .route(
            "/figures",
            get(figures::figures)
                .post(|State(s), v, Form(f)| record_forms::create(RecordKind::Figure, s, v, f)),
        )
        .route(
            "/figures/{id}",
            get(|Path(id)| record_forms::show(RecordKind::Figure, id)).post(
                |State(s), v, Path(id), Form(f)| {
                    record_forms::update(RecordKind::Figure, s, v, id, f)
                },
            ),
        )
        .route(
            "/persons/{id}/citations",
            post(|State(s), v, Path(id), Form(f)| record_forms::cite_person(s, v, id, f)),
        )
        .route("/figures.csv", get(figures::figures_csv))
        .route("/figures.xlsx", get(figures::figures_xlsx))
        .route("/brief", get(figures::brief))
        .route(
            "/mechanisms",
            get(pages::mechanisms)
                .post(|State(s), v, Form(f)| record_forms::create(RecordKind::Mechanism, s, v, f)),
        )
        .route(
            "/mechanisms/{id}",
            get(|Path(id)| record_forms::show(RecordKind::Mechanism, id)).post(
                |State(s), v, Path(id), Form(f)| {
                    record_forms::update(RecordKind::Mechanism, s, v, id, f)
                },
            ),
        )
        .route(
            "/password",
            get(pages::password_form).post(pages::change_password),
        )
        .route("/links", get(links::links).post(links::link_action))
        .route(
            "/import",
            get(sheets::import_page)
                .post(sheets::import_post)
                .layer(DefaultBodyLimit::max(sheets::MAX_SHEET + (1 << 20))),
        )
        .route("/search", get(evidence::search))
        .route(
            "/evidence",
            get(evidence::evidence_list)
                .post(evidence::evidence_upload)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route("/evidence/{id}", get(evidence::evidence_one))
        .route("/evidence/{id}/original", get(evidence::evidence_original))
        .route("/links/pair", get(links::link_pair))
        .route("/public", get(admin::public_tables))
        .route("/admin/users", get(admin::users).post(admin::user_action))
        .route("/admin/audit", get(admin::audit))
        .route("/signin", get(pages::sign_in_form).post(pages::sign_in))
        .route("/signout", post(pages::sign_out))
        .route("/lang", post(pages::set_lang))
        .route("/static/app.css", get(pages::stylesheet))
        .route("/api/openapi.json", get(api::openapi));
    record_forms::routes(api_router(router))
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(api_errors_as_json))
        .layer(middleware::from_fn(forms_from_this_site))
        .layer(middleware::from_fn(listen::body_deadline))
        .with_state(state)
}

/// The API's operations added to `router`, each routed with its
/// description in the OpenAPI document.
fn api(router: Router<AppState>) -> apidoc::Api {
    record_api::evidence_routes(record_api::routes(api_routes::routes(apidoc::Api::new(
        router,
    ))))
}

fn api_router(router: Router<AppState>) -> Router<AppState> {
    api(router).into_router()
}

/// The OpenAPI document of the API, made from its routes.
pub(crate) fn openapi_document() -> serde_json::Value {
    api(Router::new()).document()
}

/// Serves on an already-bound listener until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Read the records once in the background, so that the first visitor
    // does not wait for a large dataset to load; failures are reported by
    // the first request that meets them.
    let warm = state.core.clone();
    tokio::spawn(async move {
        let _ = warm.readable().await;
    });
    listen::serve(listener, router(state), shutdown).await
}
