//! Record linkage in the web application: the latest run's suggested
//! pairs with each field's level and weight, decisions (the same /
//! different / take back / split), a new run, and one pair side by side.
//! Names show only to roles that read identities, each view audited;
//! everyone else sees how strongly the names agree.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use refwatch_domain::{Lang, LinkKind, LinkPair, Verdict};
use refwatch_service::{LinkOptions, Review, ReviewItem, ServiceError};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Visitor;
use crate::i18n::{t, text};
use crate::pages::{failure, layout, page, pager, people};

/// Suggestions per page.
const PER_PAGE: usize = 50;

/// `?kind=person|incident&all=1&page=n`.
#[derive(Deserialize, Default)]
pub(crate) struct LinksQuery {
    kind: Option<String>,
    all: Option<String>,
    page: Option<usize>,
}

fn kind_of(code: Option<&str>) -> LinkKind {
    code.and_then(LinkKind::from_code)
        .unwrap_or(LinkKind::Person)
}

/// A field's or level's words in `lang` (the engine names them in
/// English; unknown names are shown as they are).
fn words(lang: Lang, name: &str) -> String {
    text(lang, &format!("link.{name}")).map_or_else(|| name.to_owned(), str::to_owned)
}

fn record_href(kind: LinkKind, id: &str) -> String {
    match kind {
        LinkKind::Person => format!("/persons/{id}"),
        LinkKind::Incident => format!("/incidents/{id}"),
    }
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

fn explanation(l: Lang, item: &ReviewItem) -> Markup {
    html! {
        ul.explain {
            @for f in &item.suggestion.explanation {
                li {
                    (words(l, &f.field)) ": "
                    @match &f.level {
                        Some(level) => { (words(l, level)) " " span.weight { (format!("{:+.1}", f.weight)) } }
                        None => { (t(l, "link_missing")) }
                    }
                }
            }
        }
    }
}

fn decision_words(l: Lang, d: Option<Verdict>) -> &'static str {
    match d {
        None => t(l, "link_undecided"),
        Some(Verdict::Same) => t(l, "link_decided_same"),
        Some(Verdict::Different) => t(l, "link_decided_different"),
    }
}

/// The buttons that decide on a pair; `at` is the list page to come back
/// to (whether decided pairs show, and which page).
fn decide_buttons(v: &Visitor, kind: LinkKind, item: &ReviewItem, at: (bool, usize)) -> Markup {
    let l = v.lang;
    let (a, b) = item.suggestion.pair.ids();
    let button = |action: &'static str, label: &'static str| {
        html! {
            form.inline method="post" action="/links" {
                input type="hidden" name="csrf" value=(v.csrf);
                input type="hidden" name="kind" value=(kind.code());
                input type="hidden" name="action" value=(action);
                input type="hidden" name="a" value=(a);
                input type="hidden" name="b" value=(b);
                @if at.0 { input type="hidden" name="all" value="1"; }
                input type="hidden" name="page" value=(at.1);
                button type="submit" { (t(l, label)) }
            }
        }
    };
    html! {
        @if item.decision != Some(Verdict::Same) { (button("same", "link_same")) }
        @if item.decision != Some(Verdict::Different) { (button("different", "link_different")) }
        @if item.decision.is_some() { (button("undo", "link_undo")) }
    }
}

fn review_page(
    v: &Visitor,
    kind: LinkKind,
    review: Option<&Review>,
    q: &LinksQuery,
    message: Option<Markup>,
    may_decide: bool,
) -> Markup {
    let l = v.lang;
    let all = q.all.is_some();
    let body = html! {
        h1 { (t(l, "links")) }
        nav.tabs {
            @for k in LinkKind::ALL {
                @if k == kind { strong { (t(l, tab(k))) } } @else { a href=(format!("/links?kind={}", k.code())) { (t(l, tab(k))) } }
                " "
            }
        }
        @if let Some(m) = message { (m) }
        p { (t(l, "links_intro")) }
        @if may_decide {
            form.filters method="post" action="/links" {
                input type="hidden" name="csrf" value=(v.csrf);
                input type="hidden" name="kind" value=(kind.code());
                input type="hidden" name="action" value="run";
                label { (t(l, "link_threshold")) " " input name="threshold" value="0.5" size="4" inputmode="decimal"; }
                " "
                button type="submit" { (t(l, "link_run")) }
            }
        }
        @match review {
            None => { p { (t(l, "link_no_run")) } }
            Some(review) => {
                @let run = &review.run;
                p.basis {
                    (t(l, "link_ran_at")) " " (run.ran_at.to_string()) " · "
                    (run.records) " " (t(l, "link_records")) " · "
                    (run.candidate_pairs) " " (t(l, "link_candidates")) " · "
                    (t(l, "link_threshold")) " " (run.threshold)
                }
                @if review.limited { p.notice { (t(l, "link_counts_limited")) } }
                @if !run.diagnostics.is_empty() {
                    details { summary { (t(l, "link_notes")) " (" (run.diagnostics.len()) ")" } ul { @for d in &run.diagnostics { li { (d) } } } }
                }
                @let shown: Vec<&ReviewItem> = review.items.iter().filter(|i| all || i.decision.is_none()).collect();
                @let pages = shown.len().div_ceil(PER_PAGE).max(1);
                @let page_no = q.page.unwrap_or(1).clamp(1, pages);
                p {
                    (shown.len()) " " (t(l, if all { "link_shown_all" } else { "link_shown_undecided" }))
                    " · "
                    @if all { a href=(format!("/links?kind={}", kind.code())) { (t(l, "link_only_undecided")) } }
                    @else { a href=(format!("/links?kind={}&all=1", kind.code())) { (t(l, "link_show_all")) } }
                }
                @if shown.is_empty() { p.notice { (t(l, "link_nothing_left")) } }
                @else {
                    table.links {
                        thead { tr { th { (t(l, "link_probability")) } th { (t(l, "link_pair")) } th { (t(l, "link_explanation")) } th { (t(l, "link_decision")) } } }
                        tbody {
                            @for item in shown.iter().skip((page_no - 1) * PER_PAGE).take(PER_PAGE) {
                                @let (a, b) = item.suggestion.pair.ids();
                                tr {
                                    td.n { (format!("{:.1}%", item.suggestion.probability * 100.0)) }
                                    td {
                                        a href=(record_href(kind, &a)) { code { (short(&a)) } } " · "
                                        a href=(record_href(kind, &b)) { code { (short(&b)) } } br;
                                        a href=(format!("/links/pair?kind={}&a={a}&b={b}", kind.code())) { (t(l, "link_compare")) }
                                    }
                                    td { (explanation(l, item)) }
                                    td {
                                        (decision_words(l, item.decision))
                                        @if may_decide { div { (decide_buttons(v, kind, item, (all, page_no))) } }
                                    }
                                }
                            }
                        }
                    }
                    (pager(l, page_no, pages, |n| format!("/links?kind={}{}&page={n}", kind.code(), if all { "&all=1" } else { "" })))
                }
            }
        }
    };
    layout(v, t(l, "links"), "/links", body)
}

fn tab(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::Person => "link_persons",
        LinkKind::Incident => "link_incidents",
    }
}

/// What a failed request shows: a mistake of the user's as a message on
/// the page (422); anything else as the usual failure.
fn user_message(e: &ServiceError) -> Option<Markup> {
    match e {
        ServiceError::User(m) => Some(html! { p.error role="alert" { (m) } }),
        _ => None,
    }
}

fn may_decide(v: &Visitor) -> bool {
    refwatch_policy::decide_linkage(v.caller.principal, refwatch_policy::LinkOperation::Decide)
        .allowed()
}

async fn show(
    state: &AppState,
    v: &Visitor,
    q: &LinksQuery,
    status: StatusCode,
    message: Option<Markup>,
) -> Response {
    let kind = kind_of(q.kind.as_deref());
    let core = state.core.for_caller(v.caller.clone());
    match core.link_review(kind).await {
        Ok(review) => page(
            v,
            state,
            status,
            review_page(v, kind, review.as_ref(), q, message, may_decide(v)),
        ),
        Err(e) => failure(v, state, &e),
    }
}

/// `GET /links`.
pub(crate) async fn links(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<LinksQuery>,
) -> Response {
    show(&state, &v, &q, StatusCode::OK, None).await
}

/// A decision or a run, posted from the page.
#[derive(Deserialize)]
pub(crate) struct LinkForm {
    csrf: String,
    kind: String,
    action: String,
    #[serde(default)]
    a: String,
    #[serde(default)]
    b: String,
    #[serde(default)]
    threshold: String,
    /// Show decided pairs too, afterwards.
    all: Option<String>,
    /// The list page to show afterwards.
    page: Option<usize>,
}

/// `POST /links`.
pub(crate) async fn link_action(
    State(state): State<AppState>,
    v: Visitor,
    Form(form): Form<LinkForm>,
) -> Response {
    if !v.posted_here(&form.csrf) {
        return failure(
            &v,
            &state,
            &ServiceError::Denied("post a form from elsewhere"),
        );
    }
    let l = v.lang;
    let kind = kind_of(Some(&form.kind));
    let core = state.core.for_caller(v.caller.clone());
    let pair = || {
        LinkPair::parse(kind, form.a.trim(), form.b.trim())
            .ok_or_else(|| ServiceError::User(t(l, "link_bad_pair").to_owned()))
    };
    let result: Result<String, ServiceError> = match form.action.as_str() {
        "run" => match form.threshold.trim().parse::<f64>() {
            Ok(threshold) => core
                .run_linkage(kind, LinkOptions { threshold })
                .await
                .map(|r| {
                    format!(
                        "{}: {} {} · {} {}",
                        t(l, "link_run_done"),
                        r.suggested,
                        t(l, "link_suggested"),
                        r.undecided,
                        t(l, "link_undecided")
                    )
                }),
            Err(_) => Err(ServiceError::User(t(l, "link_bad_threshold").to_owned())),
        },
        "same" | "different" | "undo" => {
            let verdict = match form.action.as_str() {
                "same" => Some(Verdict::Same),
                "different" => Some(Verdict::Different),
                _ => None,
            };
            match pair() {
                Ok(p) => core
                    .decide_link(p, verdict)
                    .await
                    .map(|()| t(l, "link_saved").to_owned()),
                Err(e) => Err(e),
            }
        }
        "split" => core
            .split_link(kind, form.a.trim())
            .await
            .map(|changed| format!("{} ({})", t(l, "link_split_done"), changed.len())),
        _ => Err(ServiceError::User(t(l, "link_bad_pair").to_owned())),
    };
    // Back to the list page the form was on.
    let q = LinksQuery {
        kind: Some(kind.code().to_owned()),
        all: form.all,
        page: form.page,
    };
    match result {
        Ok(done) => {
            let m = html! { p.notice role="status" { (done) } };
            show(&state, &v, &q, StatusCode::OK, Some(m)).await
        }
        Err(e) => match user_message(&e) {
            Some(m) => show(&state, &v, &q, StatusCode::UNPROCESSABLE_ENTITY, Some(m)).await,
            None => failure(&v, &state, &e),
        },
    }
}

/// `?kind=&a=&b=`.
#[derive(Deserialize)]
pub(crate) struct PairQuery {
    kind: Option<String>,
    a: Option<String>,
    b: Option<String>,
}

/// `GET /links/pair`: one suggested pair side by side. Names show to roles
/// that read identities (each view audited); to others, how strongly the
/// names agree.
pub(crate) async fn link_pair(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<PairQuery>,
) -> Response {
    let l = v.lang;
    let kind = kind_of(q.kind.as_deref());
    let core = state.core.for_caller(v.caller.clone());
    let not_found = ServiceError::Store(refwatch_storage::StoreError::NotFound(String::new()));
    let Some(pair) = LinkPair::parse(
        kind,
        q.a.as_deref().unwrap_or(""),
        q.b.as_deref().unwrap_or(""),
    ) else {
        return failure(&v, &state, &not_found);
    };
    let review = match core.link_review(kind).await {
        Ok(r) => r,
        Err(e) => return failure(&v, &state, &e),
    };
    let Some(item) = review
        .as_ref()
        .and_then(|r| r.items.iter().find(|i| i.suggestion.pair == pair))
    else {
        return failure(&v, &state, &not_found);
    };
    // Names, for those who may read them.
    // Names, for roles that read identities (each read audited by the
    // core); the policy refuses the others, who see how strongly the names
    // agree. Both records are the reader's to read, so it answers the same
    // for both.
    let mut names: Option<[Vec<String>; 2]> = None;
    if let LinkPair::Persons(a, b) = pair {
        let mut both: [Vec<String>; 2] = [Vec::new(), Vec::new()];
        let mut shown = true;
        for (side, id) in [a, b].into_iter().enumerate() {
            match core.person_identity(id).await {
                Ok(identity) => {
                    both[side] = identity
                        .iter()
                        .flat_map(|i| [&i.name_hangul, &i.name_romanized, &i.name_chinese])
                        .flatten()
                        .cloned()
                        .collect();
                }
                Err(ServiceError::Denied(_)) => {
                    shown = false;
                    break;
                }
                Err(e) => return failure(&v, &state, &e),
            }
        }
        names = shown.then_some(both);
    }
    // What the reader may read of two incidents, side by side.
    let mut incident_rows: Vec<(&'static str, [String; 2])> = Vec::new();
    if let LinkPair::Incidents(x, y) = pair {
        let data = match core.readable().await {
            Ok(d) => d,
            Err(e) => return failure(&v, &state, &e),
        };
        let find = |id| {
            data.incidents
                .binary_search_by_key(&id, |i| i.id)
                .ok()
                .map(|i| &data.incidents[i])
        };
        if let (Some(x), Some(y)) = (find(x), find(y)) {
            incident_rows = vec![
                ("title", [x.title.clone(), y.title.clone()]),
                ("link.date", [x.date.to_string(), y.date.to_string()]),
                ("link.victims", [people(x), people(y)]),
            ];
        }
    }
    let (a, b) = pair.ids();
    let back = format!("/links?kind={}", kind.code());
    let body = html! {
        h1 { (t(l, "link_compare")) }
        p { a href=(back) { "← " (t(l, "links")) } }
        table {
            thead { tr { th {} th { a href=(record_href(kind, &a)) { code { (a) } } } th { a href=(record_href(kind, &b)) { code { (b) } } } } }
            tbody {
                @if let Some([na, nb]) = &names {
                    tr { th { (t(l, "link.name")) } td lang="ko" { (na.join(" / ")) } td lang="ko" { (nb.join(" / ")) } }
                }
                @for (label, [x, y]) in &incident_rows {
                    tr { th { (t(l, label)) } td { (x) } td { (y) } }
                }
            }
        }
        @if names.is_none() && kind == LinkKind::Person { p.basis { (t(l, "link_names_hidden")) } }
        p { (t(l, "link_probability")) ": " strong { (format!("{:.1}%", item.suggestion.probability * 100.0)) } " · " (decision_words(l, item.decision)) }
        (explanation(l, item))
        @if may_decide(&v) {
            div { (decide_buttons(&v, kind, item, (false, 1))) }
            form.inline method="post" action="/links" {
                input type="hidden" name="csrf" value=(v.csrf);
                input type="hidden" name="kind" value=(kind.code());
                input type="hidden" name="action" value="split";
                input type="hidden" name="a" value=(a);
                button type="submit" { (t(l, "link_split")) " " code { (short(&a)) } }
            }
        }
    };
    page(
        &v,
        &state,
        StatusCode::OK,
        layout(&v, t(l, "link_compare"), "/links", body),
    )
}
