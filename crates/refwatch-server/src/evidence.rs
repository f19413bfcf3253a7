//! Evidence files and search in the web application and the API: upload,
//! the list, one file's record, custody and text, the original as a
//! download (never shown in the page's origin), and search with marked
//! snippets and counts by kind, language and level.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use refwatch_domain::{Confidentiality, CustodyAction, Evidence, EvidenceId, Extraction};
use refwatch_policy::{Operation, decide};
use refwatch_search::{DocKind, Results};
use refwatch_service::{Intake, IntakeOutcome, SearchRequest, ServiceError};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::api::{ApiJson, account_error, error};
use crate::auth::Visitor;
use crate::codes::ApiCode;
use crate::extract::Writer;
use crate::i18n::{level, t};
use crate::pages::{failure, layout, page};

/// The search results as JSON, as the API and `refwatch search --json` give them.
pub fn search_json(r: &Results) -> serde_json::Value {
    json!({
        "total": r.total,
        "facets": {
            "kind": r.facets.by_kind().iter().map(|(k, n)| (k.code().to_owned(), json!(n))).collect::<serde_json::Map<_, _>>(),
            "language": r.facets.by_language().iter().map(|(l, n)| ((*l).to_owned(), json!(n))).collect::<serde_json::Map<_, _>>(),
            "level": r.facets.by_level().iter().map(|(l, n)| (l.code().to_owned(), json!(n))).collect::<serde_json::Map<_, _>>(),
        },
        "hits": r.hits.iter().map(|h| json!({
            "kind": h.kind.code(),
            "id": h.id,
            "record": h.owner.code(),
            "title": h.title,
            "level": h.level.code(),
            "language": h.language,
            "year": h.year,
            "snippet": h.snippet.iter().map(|s| json!({"text": s.text, "marked": s.marked})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// `?q=&kind=&language=&level=&from=&to=&limit=&offset=`. A number box
/// left empty (the form sends `from=&to=`) means "any".
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SearchQuery {
    /// The words to find.
    #[serde(default)]
    #[param(required = true)]
    q: String,
    /// Only records of this kind (incident, person, source, citation,
    /// mechanism, evidence).
    kind: Option<String>,
    /// Only text in this language (en, ko, zh).
    language: Option<String>,
    /// Only records at this level (public, restricted, confidential).
    level: Option<String>,
    /// First year; empty means any.
    #[serde(default, deserialize_with = "empty_as_none")]
    #[param(value_type = Option<i32>, minimum = 1900, maximum = 2100)]
    from: Option<i32>,
    /// Last year; empty means any.
    #[serde(default, deserialize_with = "empty_as_none")]
    #[param(value_type = Option<i32>, minimum = 1900, maximum = 2100)]
    to: Option<i32>,
    /// How many hits to answer.
    #[serde(default, deserialize_with = "empty_as_none")]
    #[param(value_type = Option<usize>, minimum = 1, maximum = 100)]
    limit: Option<usize>,
    /// How many hits to skip.
    #[serde(default, deserialize_with = "empty_as_none")]
    #[param(value_type = Option<usize>, minimum = 0)]
    offset: Option<usize>,
}

/// A number from a form field, or none when the field was left empty.
fn empty_as_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let text: Option<String> = Option::deserialize(d)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => t.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

impl SearchQuery {
    fn request(&self) -> Result<SearchRequest, &'static str> {
        let blank = |s: &Option<String>| s.as_deref().filter(|v| !v.is_empty()).map(str::to_owned);
        let kinds =
            match blank(&self.kind) {
                None => Vec::new(),
                Some(k) => vec![DocKind::from_code(&k).ok_or(
                    "kind is one of incident, person, source, citation, mechanism, evidence",
                )?],
            };
        let language = blank(&self.language);
        if language
            .as_deref()
            .is_some_and(|l| !refwatch_search::LANGUAGES.contains(&l))
        {
            return Err("language is one of en, ko, zh, ja, und");
        }
        let level = match blank(&self.level) {
            None => None,
            Some(l) => Some(
                Confidentiality::from_code(&l)
                    .ok_or("level is one of public, restricted, confidential")?,
            ),
        };
        let years = match (self.from, self.to) {
            (None, None) => None,
            (from, to) => Some((from.unwrap_or(-9999), to.unwrap_or(9999))),
        };
        Ok(SearchRequest {
            text: self.q.clone(),
            kinds,
            years,
            language,
            level,
            limit: self.limit.unwrap_or(20).clamp(1, 200),
            offset: self.offset.unwrap_or(0),
        })
    }
}

/// The page of the record a hit names (a citation's: its record's).
fn href(owner: DocKind, id: &str) -> String {
    match owner {
        DocKind::Incident | DocKind::Citation => format!("/incidents/{id}"),
        DocKind::Person => format!("/persons/{id}"),
        DocKind::Source => format!("/sources/{id}"),
        DocKind::Mechanism => "/mechanisms".to_owned(),
        DocKind::Evidence => format!("/evidence/{id}"),
    }
}

fn search_page(v: &Visitor, q: &SearchQuery, found: Option<Result<&Results, String>>) -> Markup {
    let l = v.lang;
    let selected = |a: &Option<String>, b: &str| a.as_deref() == Some(b);
    html! {
        h1 { (t(l, "search")) }
        form.filters method="get" action="/search" role="search" {
            input type="search" name="q" value=(q.q) size="40" aria-label=(t(l, "search_words")) placeholder=(t(l, "search_words"));
            " "
            select name="kind" aria-label=(t(l, "search_kind")) {
                option value="" { (t(l, "search_all_kinds")) }
                @for k in DocKind::ALL {
                    option value=(k.code()) selected[selected(&q.kind, k.code())] { (t(l, kind_key(k))) }
                }
            }
            " "
            select name="language" aria-label=(t(l, "search_language")) {
                option value="" { (t(l, "search_all_languages")) }
                @for (code, name) in [("ko", "한국어"), ("en", "English"), ("zh", "中文")] {
                    option value=(code) selected[selected(&q.language, code)] { (name) }
                }
            }
            " "
            label { (t(l, "year_from")) " " input name="from" size="4" inputmode="numeric" value=[q.from]; }
            " "
            label { (t(l, "year_to")) " " input name="to" size="4" inputmode="numeric" value=[q.to]; }
            " "
            button type="submit" { (t(l, "search")) }
        }
        @match found {
            None => { p { (t(l, "search_intro")) } }
            Some(Err(message)) => { p.error role="alert" { (message) } }
            Some(Ok(r)) => {
                p.basis {
                    (r.total) " " (t(l, "search_found"))
                    @for (k, n) in r.facets.by_kind() { " · " (t(l, kind_key(k))) " " (n) }
                    @for (lang, n) in r.facets.by_language() { " · " (language_name(l, lang)) " " (n) }
                }
                @if r.total == 0 { p { (t(l, "search_none")) } }
                ol.hits {
                    @for h in &r.hits {
                        li {
                            a href=(href(h.owner, &h.id)) { (h.title) }
                            " " span.tag { (t(l, kind_key(h.kind))) } " " span.tag { (level(l, h.level)) }
                            @if let Some(y) = h.year { " " span.tag { (y) } }
                            p.snippet {
                                @for s in &h.snippet {
                                    @if s.marked { mark { (s.text) } } @else { (s.text) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn kind_key(k: DocKind) -> &'static str {
    match k {
        DocKind::Incident => "search_kind_incident",
        DocKind::Person => "search_kind_person",
        DocKind::Source => "search_kind_source",
        DocKind::Citation => "search_kind_citation",
        DocKind::Mechanism => "search_kind_mechanism",
        DocKind::Evidence => "search_kind_evidence",
    }
}

/// `GET /search`.
pub(crate) async fn search(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<SearchQuery>,
) -> Response {
    let l = v.lang;
    let found = if q.q.trim().is_empty() {
        None
    } else {
        match q.request() {
            Err(m) => Some(Err(m.to_owned())),
            Ok(request) => match state
                .core
                .for_caller(v.caller.clone())
                .search(&request)
                .await
            {
                Ok(r) => {
                    let body = search_page(&v, &q, Some(Ok(&r)));
                    return page(
                        &v,
                        &state,
                        StatusCode::OK,
                        layout(&v, t(l, "search"), "/search", body),
                    );
                }
                Err(ServiceError::Search(e)) => Some(Err(e.to_string())),
                Err(e) => return failure(&v, &state, &e),
            },
        }
    };
    let status = if matches!(found, Some(Err(_))) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body = search_page(
        &v,
        &q,
        found.as_ref().map(|r| r.as_ref().map_err(Clone::clone)),
    );
    page(
        &v,
        &state,
        status,
        layout(&v, t(l, "search"), "/search", body),
    )
}

/// `GET /api/v1/search`.
pub(crate) async fn api_search(
    State(state): State<AppState>,
    v: Visitor,
    crate::api::ApiQuery(q): crate::api::ApiQuery<SearchQuery>,
) -> Response {
    let request = match q.request() {
        Ok(r) => r,
        Err(m) => return error(StatusCode::BAD_REQUEST, ApiCode::BadQuery, m),
    };
    match state.core.for_caller(v.caller).search(&request).await {
        Ok(r) => ApiJson(search_json(&r)).into_response(),
        Err(e) => account_error(&e),
    }
}

fn extraction_words(l: refwatch_domain::Lang, e: &Evidence) -> String {
    match &e.extraction {
        Extraction::Text { chars } => format!(
            "{} ({chars}, {})",
            t(l, "evidence_text_read"),
            e.language.as_deref().unwrap_or("und")
        ),
        Extraction::NotApplicable => t(l, "evidence_no_text").to_owned(),
        Extraction::Failed(why) => format!("{}: {why}", t(l, "evidence_text_failed")),
    }
}

/// An evidence record as JSON; its source only when the reader may read it.
fn evidence_json(e: &Evidence, source_shown: bool) -> serde_json::Value {
    json!({
        "id": e.id.to_string(),
        "sha256": e.hash.to_string(),
        "size": e.size,
        "media": e.media.code(),
        "source": source_shown.then(|| e.source.to_string()),
        "received_via": e.received_via,
        "received_at": e.received_at.to_string(),
        "confidentiality": e.confidentiality.code(),
        "language": e.language,
        "extraction": match &e.extraction {
            Extraction::Text { chars } => json!({"text": chars}),
            Extraction::NotApplicable => json!("none"),
            Extraction::Failed(why) => json!({"failed": why}),
        },
    })
}

/// A language code of the search index, named in the reader's language.
fn language_name(l: refwatch_domain::Lang, code: &str) -> &'static str {
    t(
        l,
        match code {
            "ko" => "language_ko",
            "en" => "language_en",
            "zh" => "language_zh",
            "ja" => "language_ja",
            _ => "language_und",
        },
    )
}

fn may_add(v: &Visitor) -> bool {
    decide(
        v.caller.principal,
        Operation::Create,
        Confidentiality::Public,
    )
    .allowed()
}

fn list_page(
    v: &Visitor,
    all: &[Evidence],
    message: Option<Markup>,
    page: Option<usize>,
    source: Option<&str>,
) -> Markup {
    let l = v.lang;
    let (shown, page_no, pages) = crate::pages::page_of(all, page);
    html! {
        h1 { (t(l, "evidence")) }
        @if let Some(m) = message { (m) }
        @if may_add(v) {
            form.upload method="post" action="/evidence" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(v.csrf);
                p { label { (t(l, "evidence_file")) " " input type="file" name="file" required; } }
                p { label { (t(l, "evidence_source")) " " input name="source" required size="40" value=(source.unwrap_or_default()); } }
                p { label { (t(l, "evidence_received_from")) " " input name="received_from" required; } }
                p { label { (t(l, "evidence_received_via")) " " input name="received_via" required; } }
                p { label { (t(l, "confidentiality")) " "
                    select name="confidentiality" {
                        @for lv in Confidentiality::ALL {
                            option value=(lv.code()) selected[lv == Confidentiality::Restricted] { (level(l, lv)) }
                        }
                    }
                } }
                button type="submit" { (t(l, "evidence_add")) }
            }
        }
        @if all.is_empty() { p { (t(l, "evidence_none")) } }
        @else {
            table {
                thead { tr { th { "SHA-256" } th { (t(l, "evidence_kind")) } th { (t(l, "evidence_size")) } th { (t(l, "confidentiality")) } th { (t(l, "evidence_text")) } } }
                tbody {
                    @for e in shown {
                        tr {
                            td { a href=(format!("/evidence/{}", e.id)) { code { (e.hash.to_string().get(..16).unwrap_or_default()) "…" } } }
                            td { (e.media.code()) }
                            td.n { (e.size) }
                            td { (level(l, e.confidentiality)) }
                            td { (extraction_words(l, e)) }
                        }
                    }
                }
            }
            (crate::pages::pager(l, page_no, pages, |n| format!("/evidence?page={n}")))
        }
    }
}

/// `GET /evidence`.
pub(crate) async fn evidence_list(
    State(state): State<AppState>,
    v: Visitor,
    axum::extract::Query(q): axum::extract::Query<crate::pages::PageQuery>,
) -> Response {
    match state
        .core
        .for_caller(v.caller.clone())
        .evidence_list()
        .await
    {
        Ok(all) => page(
            &v,
            &state,
            StatusCode::OK,
            layout(
                &v,
                t(v.lang, "evidence"),
                "/evidence",
                list_page(&v, &all, None, q.page, q.source.as_deref()),
            ),
        ),
        Err(e) => failure(&v, &state, &e),
    }
}

/// The fields of an upload.
#[derive(Default)]
pub(crate) struct Upload {
    pub(crate) csrf: String,
    pub(crate) file: Option<(String, Vec<u8>)>,
    pub(crate) source: String,
    pub(crate) received_from: String,
    pub(crate) received_via: String,
    pub(crate) confidentiality: String,
}

async fn read_upload(mut form: Multipart) -> Result<Upload, &'static str> {
    let mut u = Upload::default();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| "the upload was cut off or too large")?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| "the upload was cut off or too large")?;
            u.file = Some((file_name, bytes.to_vec()));
        } else {
            let text = field
                .text()
                .await
                .map_err(|_| "a field of the form cannot be read")?;
            match name.as_str() {
                "csrf" => u.csrf = text,
                "source" => u.source = text,
                "received_from" => u.received_from = text,
                "received_via" => u.received_via = text,
                "confidentiality" => u.confidentiality = text,
                _ => {}
            }
        }
    }
    Ok(u)
}

/// `POST /evidence`: an upload from the page.
pub(crate) async fn evidence_upload(
    State(state): State<AppState>,
    v: Visitor,
    form: Multipart,
) -> Response {
    let l = v.lang;
    let core = state.core.for_caller(v.caller.clone());
    let refuse = |m: String| html! { p.error role="alert" { (m) } };
    let upload = match read_upload(form).await {
        Ok(u) => u,
        Err(m) => {
            return listed(
                &state,
                &v,
                &core,
                StatusCode::UNPROCESSABLE_ENTITY,
                refuse(m.to_owned()),
            )
            .await;
        }
    };
    if !v.posted_here(&upload.csrf) {
        return listed(
            &state,
            &v,
            &core,
            StatusCode::FORBIDDEN,
            refuse(t(l, "bad_form").to_owned()),
        )
        .await;
    }
    let result = take_in(&core, l, upload).await;
    let (status, message) = match result {
        Ok(IntakeOutcome::Stored { evidence, note }) => (
            StatusCode::OK,
            html! {
                p.notice role="status" { (t(l, "evidence_stored")) " " a href=(format!("/evidence/{}", evidence.id)) { code { (evidence.hash.to_string()) } } }
                @if let Some(n) = note { p.error { (n) } }
            },
        ),
        Ok(IntakeOutcome::Duplicate(evidence)) => (
            StatusCode::OK,
            html! {
                p.notice role="status" { (t(l, "evidence_duplicate")) " " a href=(format!("/evidence/{}", evidence.id)) { code { (evidence.hash.to_string()) } } }
            },
        ),
        Err(m) => (StatusCode::UNPROCESSABLE_ENTITY, refuse(m)),
    };
    listed(&state, &v, &core, status, message).await
}

/// Takes an uploaded file in; a refusal as the sentence to show.
pub(crate) async fn take_in(
    core: &refwatch_service::Service<refwatch_storage::SqliteStore>,
    l: refwatch_domain::Lang,
    upload: Upload,
) -> Result<IntakeOutcome, String> {
    let (file_name, bytes) = upload
        .file
        .filter(|(_, b)| !b.is_empty())
        .ok_or_else(|| t(l, "evidence_choose_file").to_owned())?;
    let source = upload
        .source
        .trim()
        .parse()
        .map_err(|_| t(l, "evidence_bad_source").to_owned())?;
    let confidentiality =
        Confidentiality::from_code(&upload.confidentiality).unwrap_or(Confidentiality::Restricted);
    if upload.received_from.trim().is_empty() || upload.received_via.trim().is_empty() {
        return Err(t(l, "evidence_say_who").to_owned());
    }
    core.add_evidence(
        &bytes,
        Intake {
            source,
            received_from: upload.received_from.trim().to_owned(),
            received_via: upload.received_via.trim().to_owned(),
            file_name,
            confidentiality,
        },
    )
    .await
    .map_err(|e| match e {
        ServiceError::User(m) => m,
        ServiceError::TooLarge { .. } => e.to_string(),
        ServiceError::Denied(_) => t(l, "evidence_denied").to_owned(),
        other => {
            eprintln!("refwatch-server: upload failed: {other}");
            t(l, "error").to_owned()
        }
    })
}

/// The list page with a message above it.
async fn listed(
    state: &AppState,
    v: &Visitor,
    core: &refwatch_service::Service<refwatch_storage::SqliteStore>,
    status: StatusCode,
    message: Markup,
) -> Response {
    match core.evidence_list().await {
        Ok(all) => page(
            v,
            state,
            status,
            layout(
                v,
                t(v.lang, "evidence"),
                "/evidence",
                list_page(v, &all, Some(message), None, None),
            ),
        ),
        Err(e) => failure(v, state, &e),
    }
}

/// `?provenance=1` shows who handed the file over (audited).
#[derive(Deserialize, Default)]
pub(crate) struct OneQuery {
    provenance: Option<String>,
}

/// `GET /evidence/{id}`: the record, its custody and its working text.
pub(crate) async fn evidence_one(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    Query(q): Query<OneQuery>,
) -> Response {
    let l = v.lang;
    let Ok(id) = id.parse::<EvidenceId>() else {
        return failure(&v, &state, &ServiceError::NotFound("evidence"));
    };
    let core = state.core.for_caller(v.caller.clone());
    let view = match core.evidence_view(id).await {
        Ok(view) => view,
        Err(e) => return failure(&v, &state, &e),
    };
    let text = core.evidence_text(id).await.ok().flatten();
    let provenance = if q.provenance.is_some() {
        core.evidence_provenance(id).await.ok()
    } else {
        None
    };
    let may_see_provenance = decide(
        v.caller.principal,
        Operation::ReadIdentity,
        view.evidence.confidentiality,
    )
    .allowed();
    let e = &view.evidence;
    let body = html! {
        h1 { (t(l, "evidence")) " " code { (e.hash.to_string().get(..16).unwrap_or_default()) "…" } }
        dl {
            dt { "SHA-256" } dd { code { (e.hash.to_string()) } }
            dt { (t(l, "evidence_kind")) } dd { (e.media.code()) }
            dt { (t(l, "evidence_size")) } dd { (e.size) }
            @if view.source_shown {
                dt { (t(l, "evidence_source")) } dd { a href=(format!("/sources/{}", e.source)) { (e.source.to_string()) } }
            }
            dt { (t(l, "evidence_received_via")) } dd { (e.received_via) }
            dt { (t(l, "evidence_received_at")) } dd { (e.received_at.to_string()) }
            dt { (t(l, "confidentiality")) } dd { (level(l, e.confidentiality)) }
            dt { (t(l, "evidence_text")) } dd { (extraction_words(l, e)) }
            @if let Some(p) = &provenance {
                dt { (t(l, "evidence_received_from")) } dd { (p.received_from) }
                dt { (t(l, "evidence_original_name")) } dd { (p.file_name) }
            }
        }
        p {
            a href=(format!("/evidence/{}/original", e.id)) download { (t(l, "evidence_download")) }
            @if may_see_provenance && provenance.is_none() {
                " · " a href=(format!("/evidence/{}?provenance=1", e.id)) { (t(l, "evidence_show_provenance")) }
            }
        }
        h2 { (t(l, "evidence_custody")) }
        table {
            thead { tr { th { (t(l, "evidence_when")) } th { (t(l, "evidence_action")) } th { (t(l, "evidence_who")) } th { "SHA-256" } th { (t(l, "evidence_note")) } } }
            tbody {
                @for c in &view.custody {
                    tr {
                        td { (c.at.to_string()) }
                        td { (c.action.code()) }
                        td { (c.actor) }
                        td { code { (c.hash.map(|h| h.to_string().get(..16).unwrap_or_default().to_owned() + "…").unwrap_or_else(|| "—".into())) } }
                        td { (c.note) }
                    }
                }
            }
        }
        @if let Some(text) = &text {
            h2 { (t(l, "evidence_working_text")) }
            pre.working { (text.chars().take(20_000).collect::<String>()) }
        }
    };
    page(
        &v,
        &state,
        StatusCode::OK,
        layout(&v, t(l, "evidence"), "/evidence", body),
    )
}

async fn original(state: &AppState, v: &Visitor, id: &str) -> Result<Response, ServiceError> {
    let id: EvidenceId = id.parse().map_err(|_| ServiceError::NotFound("evidence"))?;
    let (e, bytes) = state
        .core
        .for_caller(v.caller.clone())
        .evidence_original(id, CustodyAction::Download, "over the web")
        .await?;
    // Always as a download, never rendered: a hostile page must not run in refwatch's origin.
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.{}\"", e.hash, e.media.code()),
            ),
        ],
        bytes.to_vec(),
    )
        .into_response())
}

/// `GET /evidence/{id}/original`.
pub(crate) async fn evidence_original(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Response {
    match original(&state, &v, &id).await {
        Ok(r) => r,
        Err(e) => failure(&v, &state, &e),
    }
}

/// `GET /api/v1/evidence`.
pub(crate) async fn api_list(State(state): State<AppState>, v: Visitor) -> Response {
    let core = state.core.for_caller(v.caller);
    let listed = async {
        Ok::<_, ServiceError>((core.evidence_list().await?, core.readable_sources().await?))
    };
    match listed.await {
        Ok((all, sources)) => ApiJson(json!(
            all.iter()
                .map(|e| evidence_json(e, sources.contains(&e.source)))
                .collect::<Vec<_>>()
        ))
        .into_response(),
        Err(e) => account_error(&e),
    }
}

/// `GET /api/v1/evidence/{id}`: the record and its custody.
pub(crate) async fn api_one(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<EvidenceId>() else {
        return account_error(&ServiceError::NotFound("evidence"));
    };
    match state.core.for_caller(v.caller).evidence_view(id).await {
        Ok(view) => {
            let mut out = evidence_json(&view.evidence, view.source_shown);
            out["custody"] = json!(
                view.custody
                    .iter()
                    .map(|c| json!({
                        "at": c.at.to_string(), "actor": c.actor, "action": c.action.code(),
                        "sha256": c.hash.map(|h| h.to_string()), "note": c.note,
                    }))
                    .collect::<Vec<_>>()
            );
            ApiJson(out).into_response()
        }
        Err(e) => account_error(&e),
    }
}

/// `GET /api/v1/evidence/{id}/original`.
pub(crate) async fn api_original(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Response {
    match original(&state, &v, &id).await {
        Ok(r) => r,
        Err(e) => account_error(&e),
    }
}

/// `?source=&received_from=&received_via=&file_name=&confidentiality=`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct IntakeQuery {
    /// The source id.
    source: String,
    /// Who handed it over (sealed).
    received_from: String,
    /// How it came.
    received_via: String,
    /// Its name as received (sealed; its extension is checked against the contents).
    file_name: String,
    /// public, restricted (default) or confidential.
    confidentiality: Option<String>,
}

/// `POST /api/v1/evidence`: the file is the body.
pub(crate) async fn api_add(
    State(state): State<AppState>,
    Writer(v): Writer,
    crate::api::ApiQuery(q): crate::api::ApiQuery<IntakeQuery>,
    body: axum::body::Bytes,
) -> Response {
    let Ok(source) = q.source.parse() else {
        return error(
            StatusCode::BAD_REQUEST,
            ApiCode::BadQuery,
            "source is a source id (a UUID or key:slug)",
        );
    };
    let confidentiality = match q.confidentiality.as_deref() {
        None => Confidentiality::Restricted,
        Some(c) => match Confidentiality::from_code(c) {
            Some(c) => c,
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    ApiCode::BadQuery,
                    "confidentiality is public, restricted or confidential",
                );
            }
        },
    };
    if body.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            ApiCode::Empty,
            "send the file as the request body",
        );
    }
    let intake = Intake {
        source,
        received_from: q.received_from,
        received_via: q.received_via,
        file_name: q.file_name,
        confidentiality,
    };
    match state
        .core
        .for_caller(v.caller)
        .add_evidence(&body, intake)
        .await
    {
        Ok(IntakeOutcome::Stored { evidence, note }) => {
            let mut out = evidence_json(&evidence, true);
            out["duplicate"] = json!(false);
            out["note"] = json!(note);
            (StatusCode::CREATED, ApiJson(out)).into_response()
        }
        Ok(IntakeOutcome::Duplicate(evidence)) => {
            let mut out = evidence_json(&evidence, true);
            out["duplicate"] = json!(true);
            ApiJson(out).into_response()
        }
        Err(e) => account_error(&e),
    }
}
