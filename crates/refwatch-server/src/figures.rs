//! Figures and the brief: the per-year table with the incidents behind
//! each cell and its CSV and XLSX downloads, and the advocacy brief as an
//! HTML or PDF download.

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::html;
use refwatch_domain::{
    Clock, Confidentiality, Dimension, SystemClock, Timestamp, Vocabularies, Vocabulary,
};
use refwatch_stats::files::value_label;
use refwatch_stats::{YearRange, per_year_in};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Visitor;
use crate::i18n::t;
use crate::pages::{failure, layout, page};

/// The years a brief may cover.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// PDF briefs printed at once (each starts a Chromium).
static PRINTING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
/// Signed-in requests that may wait for a printer at once; the public never waits.
const QUEUE: usize = 8;
/// How long a signed-in request waits for a printer.
const QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(60);
static WAITING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A printer: at once when one is free; when both are busy, signed-in
/// readers queue (a few, for a minute) and the public is refused.
async fn printer(signed_in: bool) -> Option<tokio::sync::SemaphorePermit<'static>> {
    use std::sync::atomic::Ordering;
    if let Ok(permit) = PRINTING.try_acquire() {
        return Some(permit);
    }
    if !signed_in || WAITING.fetch_add(1, Ordering::SeqCst) >= QUEUE {
        if signed_in {
            WAITING.fetch_sub(1, Ordering::SeqCst);
        }
        return None;
    }
    let permit = tokio::time::timeout(QUEUE_WAIT, PRINTING.acquire()).await;
    WAITING.fetch_sub(1, Ordering::SeqCst);
    permit.ok()?.ok()
}

/// The table's range and division, as typed in the form.
#[derive(Deserialize, Default)]
pub(crate) struct FiguresQuery {
    from: Option<String>,
    to: Option<String>,
    by: Option<String>,
    format: Option<String>,
    /// The records as they stood at the end of this date (`2024-06-30`,
    /// `2024-06`, `2024`).
    as_of: Option<String>,
}

/// The moment a typed "as of" date names: the end of its last day; `Err`
/// when it does not read as a date.
pub(crate) fn as_of_time(text: Option<&str>) -> Result<Option<Timestamp>, ()> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let date: refwatch_domain::DateValue = text.parse().map_err(|_| ())?;
    let (y, m, d) = date.end().unwrap_or_else(|| date.start()).last_day();
    Ok(Some(Timestamp::end_of_day(y, m, d)))
}

/// The records the visitor may read, now or as of the date asked.
async fn records(
    state: &AppState,
    v: &Visitor,
    as_of: Option<Timestamp>,
) -> Result<std::sync::Arc<refwatch_domain::Dataset>, refwatch_service::ServiceError> {
    let core = state.core.for_caller(v.caller.clone());
    match as_of {
        Some(at) => core.readable_as_of(at).await,
        None => core.readable().await,
    }
}

struct Asked {
    from: Option<i32>,
    to: Option<i32>,
    by: Option<Dimension>,
    as_of: String,
}

impl Asked {
    fn from(q: &FiguresQuery) -> Self {
        let year = |s: &Option<String>| s.as_deref().and_then(|s| s.trim().parse::<i32>().ok());
        Self {
            from: year(&q.from),
            to: year(&q.to),
            by: q.by.as_deref().and_then(Dimension::from_code),
            as_of: q.as_of.as_deref().unwrap_or("").trim().to_owned(),
        }
    }

    fn reversed(&self) -> bool {
        matches!((self.from, self.to), (Some(f), Some(t)) if f > t)
    }

    fn query(&self) -> String {
        format!(
            "from={}&to={}&by={}&as_of={}",
            self.from.map(|y| y.to_string()).unwrap_or_default(),
            self.to.map(|y| y.to_string()).unwrap_or_default(),
            self.by.map(Dimension::code).unwrap_or_default(),
            self.as_of
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '-')
                .collect::<String>()
        )
    }
}

fn high(r: &refwatch_stats::YearKindRow, l: refwatch_domain::Lang) -> String {
    let n = crate::dates::number(r.people_high, l);
    if r.high_open { format!("{n}+") } else { n }
}

pub(crate) async fn figures(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<FiguresQuery>,
) -> Response {
    let l = v.lang;
    let asked = Asked::from(&q);
    let (as_of, bad_date) = match as_of_time(q.as_of.as_deref()) {
        Ok(at) => (at, false),
        Err(()) => (None, true),
    };
    let data = match records(&state, &v, as_of).await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let vocab = Vocabularies::builtin();
    let rows = if asked.reversed() {
        Vec::new()
    } else {
        per_year_in(
            &data,
            YearRange {
                from: asked.from,
                to: asked.to,
            },
            asked.by,
        )
    };
    let body = html! {
        h1 { (t(l, "figures_title")) }
        p { (t(l, "figures_note")) }
        form.filters method="get" action="/figures" {
            label { (t(l, "year_from")) input type="number" name="from" value=[asked.from] min="1950" max="2100"; }
            label { (t(l, "year_to")) input type="number" name="to" value=[asked.to] min="1950" max="2100"; }
            label { (t(l, "divide_by"))
                select name="by" {
                    option value="" { (t(l, "nothing")) }
                    @for d in Dimension::ALL {
                        option value=(d.code()) selected[asked.by == Some(d)] { (t(l, match d { Dimension::Sex => "sex", Dimension::AgeGroup => "age_group", Dimension::Category => "category" })) }
                    }
                }
            }
            label { (t(l, "as_of")) input name="as_of" value=(asked.as_of) size="10" placeholder="2024-06-30"; }
            button type="submit" { (t(l, "filter")) }
        }
        @if asked.reversed() { p.error role="alert" { (t(l, "years_reversed")) } }
        @if bad_date { p.error role="alert" { (t(l, "as_of_bad")) } }
        @if as_of.is_some() { p.notice role="status" { (t(l, "as_of_shown")) " " (asked.as_of) } }
        p {
            a href={ "/figures.csv?" (asked.query()) } download { (t(l, "download_csv")) } " · "
            a href={ "/figures.xlsx?" (asked.query()) } download { (t(l, "download_xlsx")) }
        }
        table {
            thead { tr {
                th { (t(l, "year")) } th { (t(l, "kind")) }
                @if asked.by.is_some() { th { (t(l, "value")) } }
                th { (t(l, "incidents")) } th { (t(l, "low")) } th { (t(l, "best")) } th { (t(l, "high")) }
            } }
            tbody {
                @for r in &rows {
                    tr {
                        td.n { (r.year) }
                        td { (vocab.label(Vocabulary::IncidentKind, &r.kind, l)) }
                        @if asked.by.is_some() { td { (value_label(&vocab, asked.by, r, l)) } }
                        td.n { a href={ "/incidents?kind=" (r.kind.code()) "&from=" (r.year) "&to=" (r.year) } { (r.incidents) } }
                        td.n { (crate::dates::number(r.people_low, l)) }
                        td.n { (crate::dates::number(r.people_best, l)) }
                        td.n { (high(r, l)) }
                    }
                }
            }
        }
        @if rows.is_empty() && !asked.reversed() { p { (t(l, "no_results")) } }
        (reported(&v, &data))
    };
    page(
        &v,
        &state,
        StatusCode::OK,
        layout(&v, t(l, "figures"), "/figures", body),
    )
}

/// The figures that sources report (arrivals, shares, detentions), each
/// with its period, place, value and how many citations back it.
fn reported(v: &Visitor, data: &refwatch_domain::Dataset) -> maud::Markup {
    let l = v.lang;
    let vocab = Vocabularies::builtin();
    let mut list: Vec<_> = data.figures.iter().collect();
    list.sort_by_key(|f| (f.indicator.code().to_owned(), f.period.start().first_day()));
    let place = |id: Option<refwatch_domain::PlaceId>| {
        id.and_then(|id| data.places.iter().find(|p| p.id == id))
            .map_or(String::new(), |p| p.name(l).to_owned())
    };
    let value = |c: &refwatch_domain::Count| crate::pages::count_text(c, l);
    html! {
        h2 id="reported" { (t(l, "reported_figures")) }
        @if crate::pages::may_create(v) { p { a href="/figures/new" { (t(l, "new_figure")) } } }
        @if list.is_empty() { p { (t(l, "none_recorded")) } } @else {
            table {
                thead { tr { th { (t(l, "indicator")) } th { (t(l, "period")) } th { (t(l, "place")) } th { (t(l, "value_reported")) } th { (t(l, "citations")) } } }
                tbody {
                    @for f in list {
                        tr {
                            td { (vocab.label(Vocabulary::Indicator, &f.indicator, l)) }
                            td { (crate::dates::text(&f.period, l)) }
                            td { (place(f.place)) }
                            td.n { (value(&f.value)) " " (f.unit) }
                            td.n {
                                (f.citations.len())
                                @if v.token.is_some() { " · " a href={ "/figures/" (f.id) "/history" } { (t(l, "history")) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn download(content_type: &'static str, name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn table_file(state: AppState, v: Visitor, q: FiguresQuery, xlsx: bool) -> Response {
    let Ok(as_of) = as_of_time(q.as_of.as_deref()) else {
        return (StatusCode::BAD_REQUEST, t(v.lang, "as_of_bad")).into_response();
    };
    let data = match records(&state, &v, as_of).await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let asked = Asked::from(&q);
    if asked.reversed() {
        return (StatusCode::BAD_REQUEST, t(v.lang, "years_reversed")).into_response();
    }
    let rows = per_year_in(
        &data,
        YearRange {
            from: asked.from,
            to: asked.to,
        },
        asked.by,
    );
    if !xlsx {
        return download(
            "text/csv; charset=utf-8",
            "refwatch-per-year.csv",
            refwatch_stats::files::csv(&rows).into_bytes(),
        );
    }
    match refwatch_stats::files::xlsx(&data, &rows, asked.by, v.lang) {
        Ok(bytes) => download(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "refwatch-per-year.xlsx",
            bytes,
        ),
        Err(e) => {
            eprintln!("refwatch-server: cannot make a workbook: {e}");
            failure(
                &v,
                &state,
                &refwatch_service::ServiceError::User("cannot make the workbook".into()),
            )
        }
    }
}

pub(crate) async fn figures_csv(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<FiguresQuery>,
) -> Response {
    table_file(state, v, q, false).await
}

pub(crate) async fn figures_xlsx(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<FiguresQuery>,
) -> Response {
    table_file(state, v, q, true).await
}

/// The brief's form, or with `format`, the brief itself as a download.
pub(crate) async fn brief(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<FiguresQuery>,
) -> Response {
    let l = v.lang;
    let asked = Asked::from(&q);
    let this_year = SystemClock.now().year();
    let (from, to) = (asked.from.unwrap_or(2013), asked.to.unwrap_or(this_year));
    let format = q.format.as_deref().unwrap_or("");
    let form = |message: Option<&str>| {
        html! {
            h1 { (t(l, "brief_title")) }
            p { (t(l, "brief_note")) }
            @if let Some(m) = message { p.error role="alert" { (m) } }
            form.filters method="get" action="/brief" {
                label { (t(l, "year_from")) input type="number" name="from" value=(from) min="1950" max="2100" required; }
                label { (t(l, "year_to")) input type="number" name="to" value=(to) min="1950" max="2100" required; }
                label { (t(l, "format"))
                    select name="format" {
                        option value="html" selected[format != "pdf"] { "HTML" }
                        option value="pdf" selected[format == "pdf"] { "PDF" }
                    }
                }
                button type="submit" { (t(l, "make_brief")) }
            }
        }
    };
    // The form again, with what was wrong.
    let answer = |status: StatusCode, message: Option<&str>| {
        page(
            &v,
            &state,
            status,
            layout(&v, t(l, "brief"), "/brief", form(message)),
        )
    };
    // Each year of the brief is work: the range is bounded before any.
    if !(YEARS.contains(&from) && YEARS.contains(&to)) || to.saturating_sub(from) > 100 {
        return answer(StatusCode::BAD_REQUEST, Some(t(l, "years_out_of_range")));
    }
    if from > to {
        return answer(StatusCode::BAD_REQUEST, Some(t(l, "years_reversed")));
    }
    if !matches!(format, "html" | "pdf") {
        return answer(StatusCode::OK, None);
    }
    // The brief is for publishing: public records only, whoever asks.
    let data = match state
        .core
        .for_caller(refwatch_service::Caller::public())
        .readable()
        .await
    {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    debug_assert!(
        data.incidents
            .iter()
            .all(|i| i.confidentiality == Confidentiality::Public)
    );
    let html = refwatch_report::html(&refwatch_report::ReportInput {
        data: &data,
        from,
        to,
        lang: l,
        estimates: Vec::new(),
        generated: SystemClock.now(),
    });
    let name = format!(
        "refwatch-brief-{from}-{to}-{}",
        if l == refwatch_domain::Lang::Ko {
            "ko"
        } else {
            "en"
        }
    );
    if format == "html" {
        return download(
            "text/html; charset=utf-8",
            &format!("{name}.html"),
            html.into_bytes(),
        );
    }
    // Each PDF is a Chromium: a few at once, a short queue for members,
    // the rest told to come back.
    let signed_in = v.caller != refwatch_service::Caller::public();
    let Some(_permit) = printer(signed_in).await else {
        return answer(StatusCode::SERVICE_UNAVAILABLE, Some(t(l, "print_busy")));
    };
    match tokio::task::spawn_blocking(move || refwatch_print::html_to_pdf(&html)).await {
        Ok(Ok(pdf)) => download("application/pdf", &format!("{name}.pdf"), pdf),
        Ok(Err(e)) => {
            eprintln!("refwatch-server: cannot print the brief: {e}");
            answer(StatusCode::SERVICE_UNAVAILABLE, Some(t(l, "print_failed")))
        }
        Err(_) => answer(StatusCode::SERVICE_UNAVAILABLE, Some(t(l, "print_failed"))),
    }
}

#[cfg(test)]
mod tests {
    use super::{PRINTING, printer};

    #[tokio::test]
    async fn members_queue_for_a_printer_and_the_public_is_refused() {
        let first = PRINTING.try_acquire().unwrap();
        let second = PRINTING.try_acquire().unwrap();
        assert!(
            printer(false).await.is_none(),
            "the public is refused at once"
        );
        let member = tokio::spawn(printer(true));
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!member.is_finished(), "a member waits in the queue");
        drop(first);
        assert!(
            member.await.unwrap().is_some(),
            "and prints when a printer frees"
        );
        drop(second);
    }
}
