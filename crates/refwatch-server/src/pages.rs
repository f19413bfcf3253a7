//! Server-rendered pages. No script; forms post back; every state change
//! checks the CSRF token.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use refwatch_accounts::{Password, SESSION_SECONDS};
use refwatch_domain::{Dataset, Incident, IncidentId, Lang, Term, Vocabularies, Vocabulary};
use refwatch_service::{Caller, ServiceError, SignInError};
use refwatch_stats::YearRange;
use serde::Deserialize;

use crate::AppState;
use crate::auth::{CSRF_COOKIE, LANG_COOKIE, SESSION_COOKIE, Visitor, set_cookie};
use crate::derived::{Counts, Derived, ListQuery, Overview};
use crate::i18n::t;

const PAGE_SIZE: usize = 20;
const STYLESHEET: &str = include_str!("../static/app.css");

fn lang_code(lang: Lang) -> &'static str {
    if lang == Lang::Ko { "ko" } else { "en" }
}

pub(crate) fn layout(v: &Visitor, title: &str, back: &str, body: Markup) -> Markup {
    let l = v.lang;
    html! {
        (DOCTYPE)
        html lang=(lang_code(l)) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (t(l, "app")) }
                link rel="stylesheet" href="/static/app.css";
            }
            body {
                header {
                    strong { (t(l, "app")) }
                    nav {
                        a href="/" { (t(l, "dashboard")) }
                        a href="/incidents" { (t(l, "incidents")) }
                        @if v.token.is_some() { a href="/persons" { (t(l, "persons")) } }
                        a href="/sources" { (t(l, "sources")) }
                        a href="/places" { (t(l, "places_actors")) }
                        a href="/mechanisms" { (t(l, "mechanisms")) }
                        a href="/figures" { (t(l, "figures")) }
                        a href="/search" { (t(l, "search")) }
                        @if v.token.is_some() { a href="/evidence" { (t(l, "evidence")) } }
                        @if refwatch_policy::decide(v.caller.principal, refwatch_policy::Operation::Create, refwatch_domain::Confidentiality::Restricted).allowed() {
                            a href="/import" { (t(l, "import")) }
                        }
                        a href="/brief" { (t(l, "brief")) }
                        a href="/public" { (t(l, "public_tables")) }
                        @if refwatch_policy::decide_linkage(v.caller.principal, refwatch_policy::LinkOperation::Review).allowed() {
                            a href="/links" { (t(l, "links")) }
                        }
                        @if v.token.is_some() { a href="/password" { (t(l, "change_password")) } }
                        @if refwatch_policy::decide_admin(v.caller.principal, refwatch_policy::AdminOperation::ManageUsers).allowed() {
                            a href="/admin/users" { (t(l, "users")) }
                            a href="/admin/audit" { (t(l, "audit")) }
                        }
                    }
                    form method="post" action="/lang" {
                        input type="hidden" name="csrf" value=(v.csrf);
                        input type="hidden" name="back" value=(back);
                        label { (t(l, "language"))
                            select name="lang" {
                                option value="en" selected[l == Lang::En] { "English" }
                                option value="ko" selected[l == Lang::Ko] { "한국어" }
                            }
                        }
                        button type="submit" { (t(l, "change")) }
                    }
                    @if v.token.is_some() {
                        form method="post" action="/signout" {
                            input type="hidden" name="csrf" value=(v.csrf);
                            button type="submit" { (t(l, "sign_out")) }
                        }
                    } @else {
                        a href="/signin" { (t(l, "sign_in")) }
                    }
                }
                main {
                    @if v.caller == Caller::public() {
                        p.notice { (t(l, "public_mode")) }
                    }
                    (body)
                }
            }
        }
    }
}

/// A page response, setting the CSRF cookie when it is new.
pub(crate) fn page(v: &Visitor, state: &AppState, status: StatusCode, markup: Markup) -> Response {
    let mut response = (status, markup).into_response();
    if v.csrf_is_new
        && let Ok(value) = set_cookie(CSRF_COOKIE, &v.csrf, None, state.secure_cookies).parse()
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

pub(crate) fn failure(v: &Visitor, state: &AppState, e: &ServiceError) -> Response {
    let (status, key) = match e {
        ServiceError::Denied(_)
        | ServiceError::NotFound(_)
        | ServiceError::Store(refwatch_storage::StoreError::NotFound(_)) => {
            (StatusCode::NOT_FOUND, "not_found")
        }
        ServiceError::Damaged(_) => (StatusCode::CONFLICT, "evidence_damaged"),
        ServiceError::Store(
            refwatch_storage::StoreError::Busy | refwatch_storage::StoreError::DiskFull,
        ) => {
            // A fault that ends: said in words, with when to come back.
            let body = html! { p.error role="alert" { (e.to_string()) } };
            let mut response = page(
                v,
                state,
                StatusCode::SERVICE_UNAVAILABLE,
                layout(v, t(v.lang, "app"), "/", body),
            );
            response.headers_mut().insert(
                header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("5"),
            );
            return response;
        }
        ServiceError::User(message) => {
            // A refused request (a value out of range): say why.
            let body = html! { p.error role="alert" { (message) } };
            return page(
                v,
                state,
                StatusCode::BAD_REQUEST,
                layout(v, t(v.lang, "app"), "/", body),
            );
        }
        other => {
            // Service errors name kinds and ids, never people; details stay in the log.
            eprintln!("refwatch-server: request failed: {other}");
            (StatusCode::INTERNAL_SERVER_ERROR, "error")
        }
    };
    let body = html! { p.error { (t(v.lang, key)) } };
    page(v, state, status, layout(v, t(v.lang, "app"), "/", body))
}

pub(crate) fn people(i: &Incident) -> String {
    let low = refwatch_report::number(i.victims.low as f64);
    match i.victims.high {
        Some(h) if h != i.victims.low => format!("{low}–{}", refwatch_report::number(h as f64)),
        Some(_) => low,
        None => format!("{low}+"),
    }
}

fn kind_label(vocab: &Vocabularies, kind: &Term, lang: Lang) -> String {
    vocab.label(Vocabulary::IncidentKind, kind, lang).to_owned()
}

fn incident_rows(v: &Visitor, list: &[&Incident]) -> Markup {
    let vocab = Vocabularies::builtin();
    let l = v.lang;
    html! {
        table {
            thead { tr { th { (t(l, "date")) } th { (t(l, "kind")) } th { (t(l, "title")) } th { (t(l, "people")) } th { (t(l, "verification")) } } }
            tbody {
                @for i in list {
                    tr {
                        td { (crate::dates::text(&i.date, l)) }
                        td { (kind_label(&vocab, &i.kind, l)) }
                        td { a href={ "/incidents/" (i.id) } { (i.title) } }
                        td.n { (people(i)) }
                        td { (vocab.label(Vocabulary::Verification, &i.verification, l)) }
                    }
                }
            }
        }
    }
}

async fn readable(state: &AppState, v: &Visitor) -> Result<Arc<Dataset>, ServiceError> {
    state.core.for_caller(v.caller.clone()).readable().await
}

/// The records the visitor may read, with lookups and orders derived once.
async fn derived(state: &AppState, v: &Visitor) -> Result<Arc<Derived>, ServiceError> {
    Ok(state.derived.get(readable(state, v).await?))
}

fn render_overview(data: &Dataset, counts: &Counts, l: Lang) -> Overview {
    let vocab = Vocabularies::builtin();
    let to = counts.years.keys().next_back().copied().unwrap_or(2024);
    let from = counts
        .years
        .keys()
        .next()
        .copied()
        .unwrap_or(2013)
        .max(to - 19);
    let rows = counts.rows.rows_within(YearRange {
        from: Some(from),
        to: Some(to),
    });
    let chart = refwatch_report::chart::svg(
        &rows,
        from,
        to,
        &vocab,
        l,
        t(l, "dashboard"),
        t(l, "tagline"),
    );
    let markers: Vec<refwatch_geo::Marker> = data
        .places
        .iter()
        .filter_map(|p| {
            let c = p
                .coordinates
                .filter(|c| c.precision != refwatch_domain::CoordPrecision::Country)?;
            let count = *counts.places.get(&p.id).filter(|&&n| n > 0)?;
            Some(refwatch_geo::Marker {
                lon: c.lon,
                lat: c.lat,
                label: p.name(l).to_owned(),
                count,
            })
        })
        .collect();
    let map = refwatch_geo::map_svg(&markers, t(l, "where"), t(l, "tagline"));
    Overview { chart, map }
}

pub(crate) async fn dashboard(State(state): State<AppState>, v: Visitor) -> Response {
    let view = match derived(&state, &v).await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let l = v.lang;
    let overview = view.overview(l, |data, counts| render_overview(data, counts, l));
    let changes = match view.recent.get() {
        Some(c) => c.clone(),
        None => match state
            .core
            .for_caller(v.caller.clone())
            .recent_changes(8)
            .await
        {
            Ok(c) => view.recent.get_or_init(|| c).clone(),
            Err(e) => return failure(&v, &state, &e),
        },
    };
    let (_, latest) = view.select(&ListQuery::default(), 0, 5);
    let body = html! {
        h1 { (t(l, "tagline")) }
        figure { (PreEscaped(&overview.chart)) }
        h2 { (t(l, "where")) }
        figure { (PreEscaped(&overview.map)) }
        h2 { (t(l, "latest")) }
        (incident_rows(&v, &latest))
        h2 { (t(l, "recent_changes")) }
        ul {
            @for c in &changes {
                @if let Some(i) = view.incident(c.incident) {
                    li {
                        (c.at.to_string()[..10].to_owned()) " · " (if c.action == "create" { t(l, "created") } else { t(l, "updated") }) " · "
                        a href={ "/incidents/" (i.id) } { (i.title) }
                    }
                }
            }
        }
    };
    page(
        &v,
        &state,
        StatusCode::OK,
        layout(&v, t(l, "dashboard"), "/", body),
    )
}

/// Filters of the incident list, as typed in the form: kept as text so
/// that a mistyped value is shown back, not refused.
#[derive(Deserialize, Default)]
pub(crate) struct Filters {
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
    place: Option<String>,
    /// A place searched for by name, where there are too many to list.
    place_name: Option<String>,
    actor: Option<String>,
    /// An actor searched for by name, likewise.
    actor_name: Option<String>,
    verification: Option<String>,
    confidentiality: Option<String>,
    q: Option<String>,
    page: Option<usize>,
    /// Downloads: a row of HXL hashtags under the headers.
    hxl: Option<String>,
}

/// "previous · page n / m · next", each link made by `link` from a page number.
pub(crate) fn pager(
    l: Lang,
    page_no: usize,
    pages: usize,
    link: impl Fn(usize) -> String,
) -> Markup {
    html! {
        p {
            @if page_no > 1 { a href=(link(page_no - 1)) { (t(l, "previous")) } " " }
            (t(l, "page")) " " (page_no) " / " (pages)
            @if page_no < pages { " " a href=(link(page_no + 1)) { (t(l, "next")) } }
        }
    }
}

/// Rows per page of the long lists (sources, places, actors).
const ROWS_PER_PAGE: usize = 100;

/// `?page=N` of a long list.
#[derive(Deserialize, Default)]
pub(crate) struct PageQuery {
    pub(crate) page: Option<usize>,
    /// The source an evidence upload is for, filled in (`/evidence?source=`).
    #[serde(default)]
    pub(crate) source: Option<String>,
}

/// The rows of page `page` (1-based, clamped), that page's number and the
/// number of pages.
pub(crate) fn page_of<T>(items: &[T], page: Option<usize>) -> (&[T], usize, usize) {
    let pages = items.len().div_ceil(ROWS_PER_PAGE).max(1);
    let page_no = page.unwrap_or(1).clamp(1, pages);
    let start = (page_no - 1) * ROWS_PER_PAGE;
    let end = (start + ROWS_PER_PAGE).min(items.len());
    (&items[start.min(end)..end], page_no, pages)
}

/// A filter's choices: (id, the name shown, every name in lower case on a
/// line of its own).
type Choice = (String, String, String);

fn named_choices<'a>(
    records: impl Iterator<Item = (String, &'a str, [Option<&'a str>; 3])>,
) -> Vec<Choice> {
    records
        .map(|(id, shown, names)| {
            let all: Vec<String> = names.into_iter().flatten().map(str::to_lowercase).collect();
            (id, shown.to_owned(), all.join("\n"))
        })
        .collect()
}

/// The incident list's place and actor choices in one language, made once
/// per read copy (see [`Derived::filter_choices`]), not per request.
pub(crate) struct FilterChoices {
    places: Vec<Choice>,
    actors: Vec<Choice>,
}

impl FilterChoices {
    pub(crate) fn of(data: &Dataset, l: Lang) -> Self {
        Self {
            places: named_choices(data.places.iter().map(|p| {
                let names = [
                    Some(p.name_en.as_str()),
                    p.name_ko.as_deref(),
                    p.name_zh.as_deref(),
                ];
                (p.id.to_string(), p.name(l), names)
            })),
            actors: named_choices(data.actors.iter().map(|a| {
                let names = [
                    Some(a.name_en.as_str()),
                    a.name_ko.as_deref(),
                    a.name_zh.as_deref(),
                ];
                (a.id.to_string(), a.name(l), names)
            })),
        }
    }
}

/// Choices listed in a filter's drop-down at most; a longer list is
/// searched by name instead, so that the page does not grow with it.
const MOST_LISTED: usize = 100;

/// Names found for a search in a filter, at most.
const MOST_FOUND: usize = 20;

/// A filter choosing one record of `choices` (id, name shown, every name):
/// a drop-down while they are few; otherwise a search by name in any
/// language (`asked`) answered by links to at most [`MOST_FOUND`] of them.
fn chooser(
    l: Lang,
    label: &str,
    name: &'static str,
    choices: &[Choice],
    chosen: Option<String>,
    asked: Option<&str>,
) -> Markup {
    if choices.len() <= MOST_LISTED {
        return html! {
            label { (label)
                select name=(name) {
                    option value="" { (t(l, "any")) }
                    @for (id, shown, _) in choices {
                        option value=(id) selected[chosen.as_deref() == Some(id.as_str())] { (shown) }
                    }
                }
            }
        };
    }
    let chosen_name = chosen
        .as_deref()
        .and_then(|c| choices.iter().find(|(id, _, _)| id == c))
        .map(|(_, shown, _)| shown.clone());
    let asked = asked.map(str::trim).filter(|a| !a.is_empty());
    let found: Vec<&Choice> = asked
        .map(|a| {
            let a = a.to_lowercase();
            choices
                .iter()
                .filter(|(_, _, names)| names.contains(&a))
                .take(MOST_FOUND + 1)
                .collect()
        })
        .unwrap_or_default();
    let field = format!("{name}_name");
    html! {
        label { (label)
            input type="search" name=(field) value=(asked.or(chosen_name.as_deref()).unwrap_or(""));
            @if let Some(id) = &chosen { input type="hidden" name=(name) value=(id); }
        }
        @if asked.is_some() && chosen.is_none() {
            p.choices {
                @if found.is_empty() { (t(l, "no_results")) }
                @for (id, shown, _) in found.iter().take(MOST_FOUND) {
                    a href={ "/incidents?" (name) "=" (id) } { (shown) } " "
                }
                @if found.len() > MOST_FOUND { "…" }
            }
        }
    }
}

/// The record a filter of many choices stands for: the one chosen, unless
/// a name was typed for another; then the one whose name in some language
/// is that name, if only one is.
fn resolve(choices: &[Choice], chosen: Option<String>, asked: Option<&str>) -> Option<String> {
    let Some(asked) = asked.map(str::trim).filter(|a| !a.is_empty()) else {
        return chosen;
    };
    if let Some(c) = &chosen
        && choices
            .iter()
            .any(|(id, shown, _)| id == c && shown == asked)
    {
        return chosen;
    }
    let asked = asked.to_lowercase();
    let mut exact = choices.iter().filter(|(_, shown, names)| {
        shown.to_lowercase() == asked || names.lines().any(|n| n == asked)
    });
    match (exact.next(), exact.next()) {
        (Some((id, _, _)), None) => Some(id.clone()),
        _ => None,
    }
}

/// The filters understood: a value that does not parse filters nothing.
fn wanted(f: &Filters) -> ListQuery {
    let text = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let year = |s: &Option<String>| text(s).and_then(|s| s.parse::<i32>().ok());
    ListQuery {
        kind: text(&f.kind),
        from: year(&f.from),
        to: year(&f.to),
        place: text(&f.place).and_then(|s| s.parse().ok()),
        actor: text(&f.actor).and_then(|s| s.parse().ok()),
        verification: text(&f.verification),
        level: text(&f.confidentiality)
            .and_then(|s| refwatch_domain::Confidentiality::from_code(&s)),
        words: f
            .q
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_lowercase)
            .collect(),
    }
}

/// The list's address with these filters on page `page`.
fn list_link(q: &ListQuery, page: usize) -> String {
    format!("/incidents?{}&page={page}", list_query(q))
}

/// The query string of a list's filters (for its pages and downloads).
fn list_query(q: &ListQuery) -> String {
    let opt = |v: Option<String>| v.unwrap_or_default();
    let words: Vec<String> = q.words.iter().map(|w| percent_encode(w)).collect();
    format!(
        "kind={}&from={}&to={}&place={}&actor={}&verification={}&confidentiality={}&q={}",
        percent_encode(&opt(q.kind.clone())),
        opt(q.from.map(|y| y.to_string())),
        opt(q.to.map(|y| y.to_string())),
        opt(q.place.map(|p| p.to_string())),
        opt(q.actor.map(|a| a.to_string())),
        percent_encode(&opt(q.verification.clone())),
        opt(q.level.map(|c| c.code().to_owned())),
        words.join("+"),
    )
}

/// Links to a list as CSV and XLSX, with and without HXL hashtags.
pub(crate) fn downloads(l: Lang, path: &str, query: &str) -> Markup {
    let sep = if query.is_empty() { "" } else { "&" };
    html! {
        p.downloads {
            (t(l, "download")) ": "
            a href=(format!("{path}.csv?{query}")) download { "CSV" } " · "
            a href=(format!("{path}.xlsx?{query}")) download { "XLSX" } " · "
            a href=(format!("{path}.csv?{query}{sep}hxl=1")) download { (t(l, "download_hxl")) }
        }
    }
}

/// Percent-encodes everything but unreserved characters, for a query string.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The filters of a list request, names searched for resolved to ids.
fn resolved(view: &Derived, f: &Filters, l: Lang) -> ListQuery {
    let mut wanted = wanted(f);
    let filters = view.filter_choices(l, |data| FilterChoices::of(data, l));
    let (places, actors) = (&filters.places, &filters.actors);
    if places.len() > MOST_LISTED {
        wanted.place = resolve(
            places,
            wanted.place.map(|p| p.to_string()),
            f.place_name.as_deref(),
        )
        .and_then(|id| id.parse().ok());
    }
    if actors.len() > MOST_LISTED {
        wanted.actor = resolve(
            actors,
            wanted.actor.map(|a| a.to_string()),
            f.actor_name.as_deref(),
        )
        .and_then(|id| id.parse().ok());
    }
    wanted
}

/// `GET /incidents.csv`, `/incidents.xlsx`: the list as the page filters
/// it, headers in the reader's language; `hxl=1` adds HXL hashtags.
pub(crate) async fn incidents_csv(
    State(state): State<AppState>,
    v: Visitor,
    Query(f): Query<Filters>,
) -> Response {
    incidents_file(state, v, f, false).await
}

/// `GET /incidents.xlsx`.
pub(crate) async fn incidents_xlsx(
    State(state): State<AppState>,
    v: Visitor,
    Query(f): Query<Filters>,
) -> Response {
    incidents_file(state, v, f, true).await
}

async fn incidents_file(state: AppState, v: Visitor, f: Filters, xlsx: bool) -> Response {
    let view = match derived(&state, &v).await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let wanted = resolved(&view, &f, v.lang);
    let (_, shown) = view.select(&wanted, 0, usize::MAX);
    let table = refwatch_tabular::lists::table(
        &view.data,
        refwatch_tabular::lists::List::Incidents,
        v.lang,
        Some(&shown),
    );
    crate::sheets::list_download(
        &v,
        &state,
        &table,
        "refwatch-incidents",
        xlsx,
        f.hxl.is_some(),
    )
}

pub(crate) async fn incidents(
    State(state): State<AppState>,
    v: Visitor,
    Query(f): Query<Filters>,
) -> Response {
    let view = match derived(&state, &v).await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let l = v.lang;
    let vocab = Vocabularies::builtin();
    let ceiling = refwatch_policy::read_ceiling(v.caller.principal);
    let filters = view.filter_choices(l, |data| FilterChoices::of(data, l));
    let (places, actors) = (&filters.places, &filters.actors);
    let wanted = resolved(&view, &f, l);
    let asked = f.page.unwrap_or(1).max(1);
    let (mut matching, mut shown) = view.select(&wanted, (asked - 1) * PAGE_SIZE, PAGE_SIZE);
    let pages = matching.div_ceil(PAGE_SIZE).max(1);
    let page_no = asked.min(pages);
    if page_no < asked {
        // Asked for a page past the end: show the last one.
        (matching, shown) = view.select(&wanted, (pages - 1) * PAGE_SIZE, PAGE_SIZE);
    }
    let vocab_select = |name: &'static str, vocabulary: Vocabulary, chosen: Option<&str>| {
        html! {
            select name=(name) {
                option value="" { (t(l, "any")) }
                @for code in vocab.codes(vocabulary) {
                    option value=(code) selected[chosen == Some(code)] { (vocab.label(vocabulary, &Term::new(code), l)) }
                }
            }
        }
    };
    let body = html! {
        h1 { (t(l, "incidents")) }
        @if refwatch_policy::decide(v.caller.principal, refwatch_policy::Operation::Create, refwatch_domain::Confidentiality::Public).allowed() {
            p { a href="/incidents/new" { (t(l, "new_incident")) } }
        }
        form.filters method="get" action="/incidents" {
            label { (t(l, "kind")) (vocab_select("kind", Vocabulary::IncidentKind, wanted.kind.as_deref())) }
            label { (t(l, "year_from")) input type="number" name="from" value=[wanted.from] min="1950" max="2100"; }
            label { (t(l, "year_to")) input type="number" name="to" value=[wanted.to] min="1950" max="2100"; }
            (chooser(l, t(l, "place"), "place", places, wanted.place.map(|p| p.to_string()), f.place_name.as_deref()))
            (chooser(l, t(l, "actor"), "actor", actors, wanted.actor.map(|a| a.to_string()), f.actor_name.as_deref()))
            label { (t(l, "verification")) (vocab_select("verification", Vocabulary::Verification, wanted.verification.as_deref())) }
            @if ceiling > refwatch_domain::Confidentiality::Public {
                label { (t(l, "confidentiality"))
                    select name="confidentiality" {
                        option value="" { (t(l, "any")) }
                        @for c in refwatch_domain::Confidentiality::ALL.into_iter().filter(|c| *c <= ceiling) {
                            option value=(c.code()) selected[wanted.level == Some(c)] { (crate::i18n::level(l, c)) }
                        }
                    }
                }
            }
            label { (t(l, "filter_words")) input type="search" name="q" value=(f.q.as_deref().unwrap_or("")); }
            button type="submit" { (t(l, "filter")) }
        }
        p { (matching) " " (t(l, "incidents_found")) }
        (downloads(l, "/incidents", &list_query(&wanted)))
        @if shown.is_empty() { p { (t(l, "no_results")) } } @else { (incident_rows(&v, &shown)) }
        (pager(l, page_no, pages, |n| list_link(&wanted, n)))
    };
    page(
        &v,
        &state,
        StatusCode::OK,
        layout(&v, t(l, "incidents"), "/incidents", body),
    )
}

pub(crate) async fn incident(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<IncidentId>() else {
        return failure(
            &v,
            &state,
            &ServiceError::Store(refwatch_storage::StoreError::NotFound(String::new())),
        );
    };
    let view = match derived(&state, &v).await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let data = &view.data;
    let Some(i) = view.incident(id) else {
        return failure(
            &v,
            &state,
            &ServiceError::Store(refwatch_storage::StoreError::NotFound(id.to_string())),
        );
    };
    let l = v.lang;
    let vocab = Vocabularies::builtin();
    let evidence_section = crate::record_forms::evidence_section(
        &state,
        &v,
        refwatch_service::RecordKind::Incident,
        &i.id.to_string(),
        i.confidentiality,
    )
    .await;
    let source_title = |id| {
        data.sources
            .iter()
            .find(|s| s.id == id)
            .map_or("?", |s| s.title.as_str())
    };
    let place = |id| {
        data.places
            .iter()
            .find(|p| p.id == id)
            .map_or_else(String::new, |p| p.name(l).to_owned())
    };
    let actor = |id| {
        data.actors
            .iter()
            .find(|a| a.id == id)
            .map_or_else(String::new, |a| a.name(l).to_owned())
    };
    let cite = |c: &refwatch_domain::Citation| {
        html! {
            blockquote { "“" (c.quote) "”" }
            p { "— " (source_title(c.source)) @if let Some(via) = c.via { ", " (t(l, "via")) " " (source_title(via)) } ", " (c.locator) }
        }
    };
    let body = html! {
        h1 { (i.title) }
        @if refwatch_policy::decide(v.caller.principal, refwatch_policy::Operation::Update, i.confidentiality).allowed() {
            p {
                a href={ "/incidents/" (i.id) "/edit" } { (t(l, "edit")) } " · "
                a href={ "/incidents/" (i.id) "/history" } { (t(l, "history")) }
            }
        }
        p { (crate::dates::text(&i.date, l)) " · " (kind_label(&vocab, &i.kind, l)) " · " (vocab.label(Vocabulary::Verification, &i.verification, l)) }
        p { (i.summary) }
        table {
            tr { th { (t(l, "low")) } td.n { (i.victims.low) } }
            tr { th { (t(l, "best")) } td.n { (i.victims.best.map(|b| b.to_string()).unwrap_or_default()) } }
            tr { th { (t(l, "high")) } td.n { (i.victims.high.map_or_else(|| t(l, "open").to_owned(), |h| h.to_string())) } }
        }
        @if !i.breakdown.is_empty() {
            h2 { (t(l, "breakdown")) }
            ul { @for b in &i.breakdown { li { (vocab.label(b.dimension.vocabulary(), &b.term, l)) ": " (count_text(&b.count, l)) } } }
        }
        @if !i.places.is_empty() { h2 { (t(l, "places")) } ul { @for p in &i.places { li { (place(p.place)) " (" (vocab.label(Vocabulary::PlaceRole, &p.role, l)) ")" } } } }
        @if !i.actors.is_empty() { h2 { (t(l, "actors")) } ul { @for a in &i.actors { li { (actor(a.actor)) " (" (vocab.label(Vocabulary::ActorRole, &a.role, l)) ")" } } } }
        @if !i.reports.is_empty() {
            h2 { (t(l, "reports")) }
            @for r in &i.reports {
                h3 { (r.date.map(|d| crate::dates::text(&d, l)).unwrap_or_default()) " " (r.summary) }
                @for c in &r.citations { (cite(c)) }
            }
        }
        @if !i.citations.is_empty() { h2 { (t(l, "citations")) } @for c in &i.citations { (cite(c)) } }
        // Persons only for signed-in readers, by opaque id: never a name here.
        @if v.token.is_some() && view.persons_of(i.id).next().is_some() {
            h2 { (t(l, "linked_persons")) }
            ul {
                @for p in view.persons_of(i.id) {
                    li { a href={ "/persons/" (p.id) } { (t(l, "person")) " " (p.id.to_string()[..8]) "…" }
                        @if let Some(s) = &p.sex { " · " (vocab.label(Vocabulary::Sex, s, l)) } }
                }
            }
        }
        @if view.mechanisms_of(i.id).next().is_some() {
            h2 { (t(l, "linked_mechanisms")) }
            ul {
                @for m in view.mechanisms_of(i.id) {
                    li { a href="/mechanisms" { (crate::dates::text(&m.date, l)) " · " (m.reference.as_deref().unwrap_or(m.detail.kind_code())) } " — " (m.text) }
                }
            }
        }
        (evidence_section)
    };
    page(
        &v,
        &state,
        StatusCode::OK,
        layout(&v, &i.title, &format!("/incidents/{}", i.id), body),
    )
}

fn sign_in_page(v: &Visitor, username: &str, message: Option<&str>) -> Markup {
    let l = v.lang;
    let body = html! {
        h1 { (t(l, "sign_in")) }
        @if let Some(m) = message { p.error role="alert" { (m) } }
        form method="post" action="/signin" {
            input type="hidden" name="csrf" value=(v.csrf);
            label { (t(l, "username")) input name="username" autocomplete="username" required value=(username); }
            label { (t(l, "password")) input type="password" name="password" autocomplete="current-password" required; }
            label { (t(l, "code")) input name="code" autocomplete="one-time-code" inputmode="numeric"; }
            button type="submit" { (t(l, "sign_in")) }
        }
    };
    layout(v, t(l, "sign_in"), "/signin", body)
}

pub(crate) async fn sign_in_form(State(state): State<AppState>, v: Visitor) -> Response {
    page(&v, &state, StatusCode::OK, sign_in_page(&v, "", None))
}

/// The sign-in form.
#[derive(Deserialize)]
pub(crate) struct SignInForm {
    csrf: String,
    username: String,
    password: String,
    #[serde(default)]
    code: String,
}

/// Whether the visitor may record new records (at some level).
pub(crate) fn may_create(v: &Visitor) -> bool {
    refwatch_policy::decide(
        v.caller.principal,
        refwatch_policy::Operation::Create,
        refwatch_domain::Confidentiality::Public,
    )
    .allowed()
}

pub(crate) fn redirect(to: &str, cookies: &[String]) -> Response {
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response();
    for c in cookies {
        if let Ok(value) = c.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

pub(crate) async fn sign_in(
    State(state): State<AppState>,
    v: Visitor,
    Form(form): Form<SignInForm>,
) -> Response {
    let l = v.lang;
    if !v.posted_here(&form.csrf) {
        return page(
            &v,
            &state,
            StatusCode::FORBIDDEN,
            sign_in_page(&v, &form.username, Some(t(l, "bad_form"))),
        );
    }
    let code = Some(form.code.trim()).filter(|c| !c.is_empty());
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
        Ok(signed) => {
            let cookie = set_cookie(
                SESSION_COOKIE,
                signed.token.expose(),
                Some(SESSION_SECONDS),
                state.secure_cookies,
            );
            let next = if signed.must_change_password {
                "/password"
            } else {
                "/"
            };
            redirect(next, &[cookie])
        }
        Err(ServiceError::SignIn(e)) => {
            let key = match e {
                SignInError::Rejected => "bad_sign_in",
                SignInError::TryLater(_) => "try_later",
            };
            page(
                &v,
                &state,
                StatusCode::UNAUTHORIZED,
                sign_in_page(&v, &form.username, Some(t(l, key))),
            )
        }
        Err(e) => failure(&v, &state, &e),
    }
}

/// A form that only carries the CSRF token.
#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    csrf: String,
}

pub(crate) async fn sign_out(
    State(state): State<AppState>,
    v: Visitor,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !v.posted_here(&form.csrf) {
        return failure(
            &v,
            &state,
            &ServiceError::Denied("sign out with a form from elsewhere"),
        );
    }
    if let Some(token) = &v.token
        && let Err(e) = state.core.sign_out(token).await
    {
        return failure(&v, &state, &e);
    }
    redirect(
        "/",
        &[set_cookie(
            SESSION_COOKIE,
            "",
            Some(0),
            state.secure_cookies,
        )],
    )
}

/// The language form.
#[derive(Deserialize)]
pub(crate) struct LangForm {
    csrf: String,
    lang: String,
    #[serde(default)]
    back: String,
}

pub(crate) async fn set_lang(
    State(state): State<AppState>,
    v: Visitor,
    Form(form): Form<LangForm>,
) -> Response {
    if !v.posted_here(&form.csrf) {
        return (StatusCode::FORBIDDEN, t(v.lang, "bad_form")).into_response();
    }
    let lang = if form.lang == "ko" { "ko" } else { "en" };
    let back = crate::auth::same_site_path(&form.back).unwrap_or("/");
    redirect(
        back,
        &[set_cookie(
            LANG_COOKIE,
            lang,
            Some(365 * 24 * 3600),
            state.secure_cookies,
        )],
    )
}

pub(crate) async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        STYLESHEET,
    )
        .into_response()
}

pub(crate) async fn not_found(State(state): State<AppState>, v: Visitor) -> Response {
    failure(
        &v,
        &state,
        &ServiceError::Store(refwatch_storage::StoreError::NotFound(String::new())),
    )
}

fn not_found_error() -> ServiceError {
    ServiceError::Store(refwatch_storage::StoreError::NotFound(String::new()))
}

/// The page asked for in a list.
#[derive(Deserialize, Default)]
pub(crate) struct PageNo {
    page: Option<usize>,
}

pub(crate) async fn persons(
    State(state): State<AppState>,
    v: Visitor,
    Query(asked): Query<PageNo>,
) -> Response {
    if v.token.is_none() {
        return failure(&v, &state, &not_found_error());
    }
    let data = match readable(&state, &v).await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let l = v.lang;
    let vocab = Vocabularies::builtin();
    let per_page = PAGE_SIZE * 5;
    let pages = data.persons.len().div_ceil(per_page).max(1);
    let page_no = asked.page.unwrap_or(1).clamp(1, pages);
    let body = html! {
        h1 { (t(l, "persons")) }
        @if may_create(&v) { p { a href="/persons/new" { (t(l, "new_person")) } } }
        table {
            thead { tr { th { (t(l, "person")) } th { (t(l, "sex")) } th { (t(l, "category")) } th { (t(l, "status")) } } }
            tbody {
                @for p in data.persons.iter().skip((page_no - 1) * per_page).take(per_page) {
                    tr {
                        // Persons are listed by opaque id only: no name on a list, ever.
                        td { a href={ "/persons/" (p.id) } { (p.id.to_string()[..8]) "…" } }
                        td { (p.sex.as_ref().map(|s| vocab.label(Vocabulary::Sex, s, l)).unwrap_or("")) }
                        td { (p.category.as_ref().map(|c| vocab.label(Vocabulary::VictimCategory, c, l)).unwrap_or("")) }
                        td { (p.timeline.last().map(|e| vocab.label(Vocabulary::PersonStatus, &e.status, l)).unwrap_or("")) }
                    }
                }
            }
        }
        (pager(l, page_no, pages, |n| format!("/persons?page={n}")))
    };
    page(
        &v,
        &state,
        StatusCode::OK,
        layout(&v, t(l, "persons"), "/persons", body),
    )
}

pub(crate) async fn person(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<refwatch_domain::PersonId>() else {
        return failure(&v, &state, &not_found_error());
    };
    if v.token.is_none() {
        return failure(&v, &state, &not_found_error());
    }
    let core = state.core.for_caller(v.caller.clone());
    let view = match derived(&state, &v).await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let Some(p) = view.person(id) else {
        return failure(&v, &state, &not_found_error());
    };
    // Reading the identity asks the policy and is audited; a refusal shows the page without it.
    let identity = match core.person_identity(id).await {
        Ok(found) => Ok(found),
        Err(ServiceError::Denied(_)) => Err(()),
        Err(e) => return failure(&v, &state, &e),
    };
    let l = v.lang;
    let vocab = Vocabularies::builtin();
    let source_title = |id: refwatch_domain::SourceId| {
        view.data
            .sources
            .iter()
            .find(|s| s.id == id)
            .map_or("?", |s| s.title.as_str())
    };
    let evidence_section = crate::record_forms::evidence_section(
        &state,
        &v,
        refwatch_service::RecordKind::Person,
        &p.id.to_string(),
        p.confidentiality,
    )
    .await;
    let body = html! {
        h1 { (t(l, "person")) " " (p.id.to_string()[..8]) "…" }
        @if refwatch_policy::decide(v.caller.principal, refwatch_policy::Operation::Update, p.confidentiality).allowed() {
            p {
                a href={ "/persons/" (p.id) "/edit" } { (t(l, "edit")) } " · "
                a href={ "/persons/" (p.id) "/history" } { (t(l, "history")) }
            }
        }
        h2 { (t(l, "identity")) }
        @match &identity {
            Ok(Some(i)) => {
                ul {
                    @if let Some(n) = &i.name_hangul { li { (n) } }
                    @if let Some(n) = &i.name_romanized { li { (n) } }
                    @if let Some(n) = &i.name_chinese { li { (n) } }
                    @if let Some(d) = &i.birth_date { li { (d) } }
                }
                p.notice { (t(l, "identity_audited")) }
            }
            Ok(None) => { p { (t(l, "identity_none")) } }
            Err(()) => { p.notice { (t(l, "identity_hidden")) } }
        }
        table {
            tr { th { (t(l, "sex")) } td { (p.sex.as_ref().map(|s| vocab.label(Vocabulary::Sex, s, l)).unwrap_or("")) } }
            tr { th { (t(l, "category")) } td { (p.category.as_ref().map(|c| vocab.label(Vocabulary::VictimCategory, c, l)).unwrap_or("")) } }
            tr { th { (t(l, "consent")) } td {
                @match &p.consent {
                    Some(c) => { (vocab.label(Vocabulary::ConsentScope, &c.scope, l)) " · " (crate::dates::text(&c.date, l)) " · " (t(l, "recorded_by")) ": " (c.recorded_by) }
                    None if p.consent_public => { (t(l, "consent_public_only")) }
                    None => { (t(l, "consent_none_recorded")) }
                }
            } }
        }
        @if !p.citations.is_empty() {
            h2 { (t(l, "citations")) }
            @for c in &p.citations {
                @match identity.as_ref().ok().and_then(|i| i.as_ref()).and_then(|i| i.cited.iter().find(|w| w.citation == c.id)) {
                    Some(w) => {
                        blockquote { "“" (w.quote) "”" }
                        p { "— " (source_title(c.source)) ", " (w.locator) }
                    }
                    None => { p { (source_title(c.source)) " · " span.notice { (t(l, "cited_words_sealed")) } } }
                }
            }
        }
        h2 { (t(l, "timeline")) }
        ul {
            @for e in &p.timeline {
                li {
                    (crate::dates::text(&e.date, l)) " — " (vocab.label(Vocabulary::PersonStatus, &e.status, l))
                    @if let Some(i) = e.incident.and_then(|i| view.incident(i)) { " (" a href={ "/incidents/" (i.id) } { (i.title) } ")" }
                    @if let Some(n) = e.citation.and_then(|c| p.citations.iter().position(|x| x.id == c)) {
                        " · " (t(l, "step_citation")) ": " (n + 1) ". " (source_title(p.citations[n].source))
                    }
                }
            }
        }
        (evidence_section)
    };
    page(
        &v,
        &state,
        StatusCode::OK,
        layout(&v, t(l, "person"), "/persons", body),
    )
}

pub(crate) async fn sources(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<PageQuery>,
) -> Response {
    let view = match derived(&state, &v).await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let data = &view.data;
    let l = v.lang;
    let vocab = Vocabularies::builtin();
    let (rows, page_no, pages) = page_of(&data.sources, q.page);
    let body = html! {
        h1 { (t(l, "sources")) }
        @if may_create(&v) { p { a href="/sources/new" { (t(l, "new_source")) } } }
        (downloads(l, "/sources", ""))
        @if pages > 1 { (pager(l, page_no, pages, |n| format!("/sources?page={n}"))) }
        table {
            thead { tr { th { (t(l, "title")) } th { (t(l, "publisher")) } th { (t(l, "date")) } th { (t(l, "symbol")) } th { (t(l, "citations")) } } }
            tbody {
                @for s in rows {
                    tr {
                        td { a href={ "/sources/" (s.id) } { (s.title) } " (" (vocab.label(Vocabulary::SourceKind, &s.kind, l)) ")" }
                        td { (s.publisher.as_deref().unwrap_or("")) }
                        td { (s.date.map(|d| d.to_string()).unwrap_or_default()) }
                        td { (s.symbol.as_deref().unwrap_or("")) }
                        td.n { (view.citations_of(s.id)) }
                    }
                }
            }
        }
    };
    page(
        &v,
        &state,
        StatusCode::OK,
        layout(&v, t(l, "sources"), "/sources", body),
    )
}

/// One source and every citation of it the caller may read, each with the
/// record it supports.
pub(crate) async fn source(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<refwatch_domain::SourceId>() else {
        return failure(&v, &state, &not_found_error());
    };
    let data = match readable(&state, &v).await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let Some(s) = data.sources.iter().find(|s| s.id == id) else {
        return failure(&v, &state, &not_found_error());
    };
    let l = v.lang;
    let vocab = Vocabularies::builtin();
    let of = |c: &&refwatch_domain::Citation| c.source == id || c.via == Some(id);
    // (where it leads, what it is, the citation)
    let mut found: Vec<(String, String, &refwatch_domain::Citation)> = Vec::new();
    for i in &data.incidents {
        let all = i
            .citations
            .iter()
            .chain(i.reports.iter().flat_map(|r| &r.citations));
        for c in all.filter(of) {
            found.push((format!("/incidents/{}", i.id), i.title.clone(), c));
        }
    }
    if v.token.is_some() {
        for p in &data.persons {
            for c in p.citations.iter().filter(of) {
                let label = format!("{} {}…", t(l, "person"), &p.id.to_string()[..8]);
                found.push((format!("/persons/{}", p.id), label, c));
            }
        }
    }
    for m in &data.mechanisms {
        for c in m.citations.iter().filter(of) {
            let label = m
                .reference
                .clone()
                .unwrap_or_else(|| m.text.chars().take(80).collect());
            found.push(("/mechanisms".into(), label, c));
        }
    }
    for r in &data.upr_reviews {
        for c in r.citations.iter().filter(of) {
            found.push((
                "/mechanisms".into(),
                format!("{} {}", t(l, "upr_review"), r.cycle),
                c,
            ));
        }
    }
    for f in &data.figures {
        for c in f.citations.iter().filter(of) {
            found.push((
                String::new(),
                format!("{}: {} ({})", t(l, "figure"), f.indicator, f.period),
                c,
            ));
        }
    }
    let title_of = |sid: refwatch_domain::SourceId| {
        data.sources
            .iter()
            .find(|s| s.id == sid)
            .map_or("?", |s| s.title.as_str())
    };
    let body = html! {
        h1 { (s.title) }
        @if refwatch_policy::decide(v.caller.principal, refwatch_policy::Operation::Update, s.confidentiality).allowed() {
            p {
                a href={ "/sources/" (s.id) "/edit" } { (t(l, "edit")) } " · "
                a href={ "/sources/" (s.id) "/history" } { (t(l, "history")) }
            }
        }
        p {
            (vocab.label(Vocabulary::SourceKind, &s.kind, l))
            @if let Some(p) = &s.publisher { " · " (p) }
            @if let Some(d) = &s.date { " · " (crate::dates::text(d, l)) }
            @if let Some(sym) = &s.symbol { " · " (sym) }
        }
        @if let Some(url) = &s.url { p { (url) } }
        h2 { (t(l, "cited_in")) " (" (found.len()) ")" }
        @if found.is_empty() { p { (t(l, "none_recorded")) } }
        @for (href, label, c) in &found {
            @if refwatch_domain::Person::cited_words_sealed(c) && href.starts_with("/persons/") {
                p.notice { (t(l, "cited_words_sealed")) }
            } @else {
                blockquote { "“" (c.quote) "”" }
            }
            p {
                "— " (c.locator)
                @if c.via == Some(id) { ", " (title_of(c.source)) " (" (t(l, "via_this")) ")" }
                @if c.source == id { @if let Some(via) = c.via { ", " (t(l, "via")) " " (title_of(via)) } }
                " · "
                @if href.is_empty() { (label) } @else { a href=(href) { (label) } }
            }
        }
    };
    page(
        &v,
        &state,
        StatusCode::OK,
        layout(&v, &s.title, "/sources", body),
    )
}

/// A count as readers write it: `1,200`, `1,200–1,500`, `about 1,300
/// (1,200–1,500)`, `at least 2`.
pub(crate) fn count_text(c: &refwatch_domain::Count, l: Lang) -> String {
    let n = |x: u64| crate::dates::number(x, l);
    match (c.best, c.high) {
        (Some(b), Some(h)) if c.low != h => format!("{} ({}–{})", n(b), n(c.low), n(h)),
        (None, Some(h)) if c.low != h => format!("{}–{}", n(c.low), n(h)),
        (Some(b), _) => n(b),
        (None, Some(_)) => n(c.low),
        (None, None) => format!("{}+", n(c.low)),
    }
}

/// The incidents linked to a mechanism record that happened on or after its date.
fn after<'a>(view: &'a Derived, m: &refwatch_domain::Mechanism) -> Vec<&'a Incident> {
    let from = m.date.start().first_day();
    let mut list: Vec<&Incident> = m
        .incidents
        .iter()
        .filter_map(|i| view.incident(*i))
        .filter(|i| i.date.start().first_day() >= from)
        .collect();
    list.sort_by_key(|i| i.date.start().first_day());
    list
}

pub(crate) async fn mechanisms(State(state): State<AppState>, v: Visitor) -> Response {
    use refwatch_domain::MechanismDetail as D;
    let view = match derived(&state, &v).await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let data = &view.data;
    let l = v.lang;
    let vocab = Vocabularies::builtin();
    let mut list: Vec<_> = data.mechanisms.iter().collect();
    list.sort_by_key(|m| m.date.start().first_day());
    let cycle = |review| {
        data.upr_reviews
            .iter()
            .find(|r| r.id == review)
            .map_or(0, |r| r.cycle)
    };
    let after_cell = |m: &refwatch_domain::Mechanism| {
        let found = after(&view, m);
        html! {
            td {
                @for note in &m.implementation {
                    p.implementation {
                        (crate::dates::text(&note.date, l)) " · "
                        strong { (vocab.label(Vocabulary::ImplementationStatus, &note.status, l)) }
                        " · " (note.summary)
                    }
                }
                @if found.is_empty() && m.implementation.is_empty() { (t(l, "none_recorded")) br; }
                @for i in found { a href={ "/incidents/" (i.id) } { (crate::dates::text(&i.date, l)) " " (i.title) } br; }
                @if v.token.is_some() { a href={ "/mechanisms/" (m.id) "/history" } { (t(l, "history")) } }
            }
        }
    };
    let of_kind = |kind: &'static str| {
        list.iter()
            .copied()
            .filter(move |m| m.detail.kind_code() == kind)
    };
    let mut upr: Vec<_> = of_kind("upr_recommendation").collect();
    upr.sort_by_key(|m| match &m.detail {
        D::UprRecommendation {
            review, state: s, ..
        } => (cycle(*review), s.clone()),
        _ => (0, String::new()),
    });
    let body = html! {
        h1 { (t(l, "mechanisms")) }
        @if may_create(&v) { p { a href="/mechanisms/new" { (t(l, "new_mechanism")) } } }
        (downloads(l, "/mechanisms", ""))
        h2 { (t(l, "upr_recommendations")) }
        table {
            thead { tr { th { (t(l, "cycle")) } th { (t(l, "recommending_state")) } th { (t(l, "text")) } th { (t(l, "china_response")) } th { (t(l, "after")) } } }
            tbody {
                @for m in &upr {
                    @if let D::UprRecommendation { review, paragraph, state: by, response } = &m.detail {
                        tr {
                            td.n { (cycle(*review)) }
                            td { (by) @if let Some(p) = paragraph { " (" (p) ")" } }
                            td { (m.text) }
                            td {
                                (response.as_deref().unwrap_or(t(l, "no_response")))
                            }
                            (after_cell(m))
                        }
                    }
                }
            }
        }
        h2 { (t(l, "treaty_observations")) }
        table {
            thead { tr { th { (t(l, "date")) } th { (t(l, "by")) } th { (t(l, "text")) } th { (t(l, "after")) } } }
            tbody {
                @for m in of_kind("treaty_observation") {
                    @if let D::TreatyObservation { body, paragraph } = &m.detail {
                        tr {
                            td { (crate::dates::text(&m.date, l)) }
                            td { (vocab.label(Vocabulary::TreatyBody, body, l)) @if let Some(p) = paragraph { " (" (p) ")" } }
                            td { (m.text) }
                            (after_cell(m))
                        }
                    }
                }
            }
        }
        h2 { (t(l, "communications")) }
        table {
            thead { tr { th { (t(l, "date")) } th { (t(l, "by")) } th { (t(l, "text")) } th { (t(l, "reply")) } th { (t(l, "after")) } } }
            tbody {
                @for m in of_kind("communication") {
                    @if let D::Communication { mandate_holders, reply_received } = &m.detail {
                        tr {
                            td { (crate::dates::text(&m.date, l)) }
                            td { (m.reference.as_deref().unwrap_or("")) br; (mandate_holders.join("; ")) }
                            td { (m.text) }
                            td { (t(l, match reply_received { Some(true) => "reply_yes", Some(false) => "reply_no", None => "reply_unknown" })) }
                            (after_cell(m))
                        }
                    }
                }
            }
        }
        h2 { (t(l, "coi_recommendations")) }
        table {
            thead { tr { th { (t(l, "date")) } th { "" } th { (t(l, "text")) } th { (t(l, "after")) } } }
            tbody {
                @for m in of_kind("coi_recommendation") {
                    @if let D::CoiRecommendation { paragraph } = &m.detail {
                        tr {
                            td { (crate::dates::text(&m.date, l)) }
                            td { (paragraph) }
                            td { (m.text) }
                            (after_cell(m))
                        }
                    }
                }
            }
        }
        h2 { (t(l, "resolutions")) }
        table {
            thead { tr { th { (t(l, "date")) } th { (t(l, "by")) } th { (t(l, "text")) } th { (t(l, "vote")) } th { (t(l, "china_vote")) } th { (t(l, "after")) } } }
            tbody {
                @for m in of_kind("resolution") {
                    @if let D::Resolution { body, vote, china_vote } = &m.detail {
                        tr {
                            td { (crate::dates::text(&m.date, l)) }
                            td { (body) @if let Some(r) = &m.reference { br; (r) } }
                            td { (m.text) }
                            td.n { @if let Some(v) = vote { (v.yes) "–" (v.no) "–" (v.abstain) } }
                            td { (china_vote.as_deref().unwrap_or("")) }
                            (after_cell(m))
                        }
                    }
                }
            }
        }
    };
    page(
        &v,
        &state,
        StatusCode::OK,
        layout(&v, t(l, "mechanisms"), "/mechanisms", body),
    )
}

fn password_page(v: &Visitor, message: Option<(&str, bool)>) -> Markup {
    let l = v.lang;
    let body = html! {
        h1 { (t(l, "change_password")) }
        @if let Some((m, ok)) = message { p class=(if ok { "notice" } else { "error" }) role="status" { (m) } }
        form method="post" action="/password" {
            input type="hidden" name="csrf" value=(v.csrf);
            label { (t(l, "current_password")) input type="password" name="current" autocomplete="current-password" required; }
            label { (t(l, "new_password")) input type="password" name="new" autocomplete="new-password" minlength="12" required; }
            button type="submit" { (t(l, "change_password")) }
        }
    };
    layout(v, t(l, "change_password"), "/password", body)
}

pub(crate) async fn password_form(State(state): State<AppState>, v: Visitor) -> Response {
    if v.token.is_none() {
        return redirect("/signin", &[]);
    }
    page(&v, &state, StatusCode::OK, password_page(&v, None))
}

/// The change-password form.
#[derive(Deserialize)]
pub(crate) struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
}

pub(crate) async fn change_password(
    State(state): State<AppState>,
    v: Visitor,
    Form(form): Form<PasswordForm>,
) -> Response {
    let l = v.lang;
    let Some(token) = &v.token else {
        return redirect("/signin", &[]);
    };
    if !v.posted_here(&form.csrf) {
        return page(
            &v,
            &state,
            StatusCode::FORBIDDEN,
            password_page(&v, Some((t(l, "bad_form"), false))),
        );
    }
    match state
        .core
        .change_password(
            token,
            &Password::new(form.current),
            &Password::new(form.new),
            &v.client,
        )
        .await
    {
        Ok(()) => page(
            &v,
            &state,
            StatusCode::OK,
            password_page(&v, Some((t(l, "password_changed"), true))),
        ),
        Err(ServiceError::User(message)) => page(
            &v,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            password_page(&v, Some((&message, false))),
        ),
        Err(ServiceError::SignIn(_)) => page(
            &v,
            &state,
            StatusCode::UNAUTHORIZED,
            password_page(&v, Some((t(l, "bad_sign_in"), false))),
        ),
        Err(e) => failure(&v, &state, &e),
    }
}

pub(crate) async fn places(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<PageQuery>,
) -> Response {
    let data = match readable(&state, &v).await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let l = v.lang;
    let vocab = Vocabularies::builtin();
    let name = |p: &refwatch_domain::Place| p.name(l).to_owned();
    let mut counts: HashMap<_, usize> = HashMap::new();
    for i in &data.incidents {
        for link in &i.places {
            *counts.entry(link.place).or_default() += 1;
        }
    }
    let by_id: HashMap<_, _> = data.places.iter().map(|p| (p.id, p)).collect();
    let (places, page_no, place_pages) = page_of(&data.places, q.page);
    let (actors, _, actor_pages) = page_of(&data.actors, q.page);
    let pages = place_pages.max(actor_pages);
    let body = html! {
        h1 { (t(l, "places_actors")) }
        @if may_create(&v) {
            p { a href="/places/new" { (t(l, "new_place")) } " · " a href="/actors/new" { (t(l, "new_actor")) } }
        }
        @if pages > 1 { (pager(l, page_no, pages, |n| format!("/places?page={n}"))) }
        h2 { (t(l, "places")) }
        table {
            thead { tr { th { (t(l, "places")) } th { (t(l, "kind")) } th { (t(l, "within")) } th { (t(l, "incidents")) } } }
            tbody {
                @for p in places {
                    tr {
                        td {
                            @if v.token.is_some() { a href={ "/places/" (p.id) "/history" } { (name(p)) } } @else { (name(p)) }
                            @if let Some(zh) = &p.name_zh { " · " (zh) }
                        }
                        td { (vocab.label(Vocabulary::PlaceKind, &p.kind, l)) }
                        td { (p.parent.and_then(|id| by_id.get(&id).copied()).map(name).unwrap_or_default()) }
                        td.n { (counts.get(&p.id).copied().unwrap_or(0)) }
                    }
                }
            }
        }
        h2 { (t(l, "actors")) }
        table {
            thead { tr { th { (t(l, "actors")) } th { (t(l, "kind")) } } }
            tbody {
                @for a in actors {
                    tr {
                        td { @if v.token.is_some() { a href={ "/actors/" (a.id) "/history" } { (a.name(l).to_owned()) } } @else { (a.name(l).to_owned()) } }
                        td { (vocab.label(Vocabulary::ActorKind, &a.kind, l)) }
                    }
                }
            }
        }
    };
    page(
        &v,
        &state,
        StatusCode::OK,
        layout(&v, t(l, "places_actors"), "/places", body),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Generated places: a few named in three languages, thousands more.
    fn many() -> Vec<Choice> {
        let mut all = named_choices(
            [
                (
                    "p-yanji",
                    "Yanji",
                    [Some("Yanji"), Some("연길"), Some("延吉")],
                ),
                (
                    "p-tumen",
                    "Tumen",
                    [Some("Tumen"), Some("도문"), Some("图们")],
                ),
                (
                    "p-tumen-2",
                    "Tumen River",
                    [Some("Tumen River"), Some("두만강"), None],
                ),
            ]
            .into_iter()
            .map(|(id, shown, names)| (id.to_owned(), shown, names)),
        );
        all.extend((0..5_000).map(|n| {
            (
                format!("p-{n}"),
                format!("Generated town {n}"),
                format!("Generated town {n}"),
            )
        }));
        all
    }

    #[test]
    fn a_long_filter_list_is_searched_not_listed() {
        let places = many();
        let page = chooser(Lang::En, "Place", "place", &places, None, None).into_string();
        assert!(page.len() < 1_000, "{} bytes", page.len());
        assert!(!page.contains("<option"));
        // A search shows at most twenty links, in any language.
        let found = chooser(Lang::En, "Place", "place", &places, None, Some("town")).into_string();
        assert_eq!(found.matches("<a ").count(), MOST_FOUND);
        assert!(found.contains('…'));
        let korean = chooser(Lang::En, "Place", "place", &places, None, Some("연길")).into_string();
        assert!(korean.contains("/incidents?place=p-yanji"));
        // A short list stays a drop-down.
        let few = chooser(Lang::En, "Place", "place", &places[..3], None, None).into_string();
        assert_eq!(few.matches("<option").count(), 4);
    }

    #[test]
    fn a_name_typed_in_any_language_chooses_the_one_place_it_names() {
        let places = many();
        assert_eq!(resolve(&places, None, Some("延吉")), Some("p-yanji".into()));
        assert_eq!(
            resolve(&places, None, Some(" yanji ")),
            Some("p-yanji".into())
        );
        // "Tumen" is one place's name and part of another's: the exact one.
        assert_eq!(
            resolve(&places, None, Some("Tumen")),
            Some("p-tumen".into())
        );
        // Part of a name chooses nothing: the links offer the places.
        assert_eq!(resolve(&places, None, Some("Generated")), None);
        // The name of the place chosen keeps it; another name replaces it.
        let chosen = Some("p-yanji".to_owned());
        assert_eq!(resolve(&places, chosen.clone(), Some("Yanji")), chosen);
        assert_eq!(resolve(&places, chosen.clone(), None), chosen);
        assert_eq!(
            resolve(&places, chosen, Some("두만강")),
            Some("p-tumen-2".into())
        );
    }
}
