//! Recording and editing incidents: forms validated on the server, which
//! keep what was typed and show each problem beside its field.
//!
//! Besides its own fields, an incident's form holds its places and actors
//! (each chosen by name from a list offered as one types, with a role),
//! the persons at risk it concerns (chosen from a list of what does not
//! identify them, with a role; the link is kept on each person),
//! its breakdown by sex, age group or category, and its citations, each of
//! which can be corrected or removed, and one more to add. A list the form
//! did not show (no `…_shown` marker in what was sent) is kept as it was:
//! an edit never drops what it does not show.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use refwatch_domain::{
    ActorLink, BreakdownPart, Citation, CitationId, Confidentiality, Count, Dataset, Dimension,
    Incident, IncidentId, Lang, PlaceLink, Problem, SourceId, Term, Vocabularies, Vocabulary,
};
use refwatch_policy::{Operation, decide};
use refwatch_service::ServiceError;

use crate::AppState;
use crate::auth::Visitor;
use crate::form_lists::rows_sent;
use crate::i18n::t;
use crate::pages::{failure, layout, page, redirect};

/// What the form sends: every field as typed, by name.
type Values = HashMap<String, String>;
/// Problems by the name of the field they belong to.
type Errors = HashMap<String, String>;

/// Empty rows offered after the filled ones, for adding.
const SPARE_ROWS: usize = 2;

fn value<'a>(values: &'a Values, name: &str) -> &'a str {
    values.get(name).map_or("", |v| v.trim())
}

/// Where a problem of the incident (by its path) is shown: the form
/// field, through the rows each list was read from.
fn field_of(path: &str, rows: &Rows) -> String {
    let path = path
        .strip_prefix("incidents[0]")
        .or_else(|| path.strip_prefix("incident"))
        .unwrap_or(path)
        .trim_start_matches('.');
    let indexed = |list: &str| -> Option<(usize, &str)> {
        let rest = path.strip_prefix(list)?.strip_prefix('[')?;
        let (n, rest) = rest.split_once(']')?;
        Some((n.parse().ok()?, rest.trim_start_matches('.')))
    };
    if let Some((n, sub)) = indexed("citations") {
        let row = rows.citations.get(n).copied();
        return match row {
            Some(Some(row)) => format!("cite_{row}_{}", leaf(sub, "quote")),
            // The new citation.
            _ => leaf(sub, "quote").to_owned(),
        };
    }
    for (list, name) in [
        ("places", "place"),
        ("actors", "actor"),
        ("breakdown", "bd"),
    ] {
        if let Some((n, sub)) = indexed(list) {
            let table = match list {
                "places" => &rows.places,
                "actors" => &rows.actors,
                _ => &rows.breakdown,
            };
            let row = table.get(n).copied().unwrap_or(n);
            return match (list, sub) {
                ("breakdown", s) if s.starts_with("count") => format!("bd_{row}_low"),
                ("breakdown", _) => format!("bd_{row}_term"),
                (_, "role") => format!("{name}_role_{row}"),
                _ => format!("{name}_{row}"),
            };
        }
    }
    const FIELDS: [&str; 8] = [
        "victims",
        "kind",
        "title",
        "summary",
        "date",
        "verification",
        "confidentiality",
        "citations",
    ];
    let head = path.split(['.', '[']).next().unwrap_or("");
    match FIELDS.iter().find(|f| **f == head) {
        Some(&"victims") => "low".into(),
        Some(&"citations") => "quote".into(),
        Some(f) => (*f).to_owned(),
        None => "title".into(),
    }
}

/// A citation's field a problem names (`locator`, `source`, `quote`).
fn leaf<'a>(sub: &'a str, otherwise: &'a str) -> &'a str {
    match sub {
        "locator" | "source" | "quote" => sub,
        _ => otherwise,
    }
}

fn number(errors: &mut Errors, lang: Lang, field: &str, text: &str) -> Option<u64> {
    let text = text.trim().replace(',', "");
    if text.is_empty() {
        return None;
    }
    match text.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.insert(field.to_owned(), t(lang, "not_a_number").to_owned());
            None
        }
    }
}

/// Which form row each item of a list read came from.
#[derive(Default)]
struct Rows {
    places: Vec<usize>,
    actors: Vec<usize>,
    breakdown: Vec<usize>,
    /// `None` for the new citation.
    citations: Vec<Option<usize>>,
}

/// Reads the place and actor rows.
fn read_links(
    values: &Values,
    data: &Dataset,
    base: Option<&Incident>,
    errors: &mut Errors,
    rows: &mut Rows,
    l: Lang,
) -> (Vec<PlaceLink>, Vec<ActorLink>) {
    use crate::record_forms::{choices, chosen};
    let mut places = Vec::new();
    let mut actors = Vec::new();
    let shown = |marker: &str| values.contains_key(marker);
    let (place_choices, actor_choices) = (
        choices(data, refwatch_service::RecordKind::Place, l),
        choices(data, refwatch_service::RecordKind::Actor, l),
    );
    if !shown("places_shown") {
        places = base.map(|b| b.places.clone()).unwrap_or_default();
    }
    if !shown("actors_shown") {
        actors = base.map(|b| b.actors.clone()).unwrap_or_default();
    }
    for row in 0..rows_sent(values, "place_") {
        let name = value(values, &format!("place_{row}"));
        if !shown("places_shown") || name.is_empty() {
            continue;
        }
        match chosen(&place_choices, name).and_then(|id| id.parse().ok()) {
            Some(place) => {
                rows.places.push(row);
                places.push(PlaceLink {
                    place,
                    role: Term::new(value(values, &format!("place_role_{row}"))),
                });
            }
            None => {
                errors.insert(format!("place_{row}"), t(l, "not_in_list").to_owned());
            }
        }
    }
    for row in 0..rows_sent(values, "actor_") {
        let name = value(values, &format!("actor_{row}"));
        if !shown("actors_shown") || name.is_empty() {
            continue;
        }
        match chosen(&actor_choices, name).and_then(|id| id.parse().ok()) {
            Some(actor) => {
                rows.actors.push(row);
                actors.push(ActorLink {
                    actor,
                    role: Term::new(value(values, &format!("actor_role_{row}"))),
                });
            }
            None => {
                errors.insert(format!("actor_{row}"), t(l, "not_in_list").to_owned());
            }
        }
    }
    (places, actors)
}

/// Reads the breakdown rows.
fn read_breakdown(
    values: &Values,
    base: Option<&Incident>,
    errors: &mut Errors,
    rows: &mut Rows,
    l: Lang,
) -> Vec<BreakdownPart> {
    if !values.contains_key("breakdown_shown") {
        return base.map(|b| b.breakdown.clone()).unwrap_or_default();
    }
    let mut parts = Vec::new();
    for row in 0..rows_sent(values, "bd_") {
        let term = value(values, &format!("bd_{row}_term"));
        let low_name = format!("bd_{row}_low");
        if term.is_empty() {
            continue;
        }
        let Some((dimension, term)) = term
            .split_once(':')
            .and_then(|(d, t)| Some((Dimension::from_code(d)?, t)))
        else {
            errors.insert(format!("bd_{row}_term"), t(l, "not_in_list").to_owned());
            continue;
        };
        let low = number(errors, l, &low_name, value(values, &low_name));
        let best = number(
            errors,
            l,
            &low_name,
            value(values, &format!("bd_{row}_best")),
        );
        let high = number(
            errors,
            l,
            &low_name,
            value(values, &format!("bd_{row}_high")),
        );
        let Some(low) = low else {
            errors
                .entry(low_name)
                .or_insert_with(|| t(l, "not_a_number").to_owned());
            continue;
        };
        rows.breakdown.push(row);
        parts.push(BreakdownPart {
            dimension,
            term: Term::new(term),
            count: Count { low, best, high },
        });
    }
    parts
}

/// Reads the citations: those shown, corrected or removed; the new one.
fn read_citations(
    values: &Values,
    base: Option<&Incident>,
    errors: &mut Errors,
    rows: &mut Rows,
    l: Lang,
) -> Vec<Citation> {
    let old = base.map(|b| b.citations.clone()).unwrap_or_default();
    let mut citations = Vec::new();
    if values.contains_key("citations_shown") {
        for (row, c) in old.iter().enumerate() {
            let name = |f: &str| format!("cite_{row}_{f}");
            if !values.contains_key(&name("quote")) {
                // Not in the form: kept.
                rows.citations.push(Some(row));
                citations.push(c.clone());
                continue;
            }
            if values.contains_key(&name("remove")) {
                continue;
            }
            let source = match value(values, &name("source")).parse::<SourceId>() {
                Ok(s) => s,
                Err(_) => {
                    errors
                        .entry(name("source"))
                        .or_insert_with(|| t(l, "not_in_list").to_owned());
                    continue;
                }
            };
            rows.citations.push(Some(row));
            citations.push(Citation {
                source,
                locator: value(values, &name("locator")).to_owned(),
                quote: value(values, &name("quote")).to_owned(),
                ..c.clone()
            });
        }
    } else {
        rows.citations.extend((0..old.len()).map(Some));
        citations = old;
    }
    if base.is_none() || !value(values, "quote").is_empty() {
        match value(values, "source").parse::<SourceId>() {
            Ok(source) => {
                rows.citations.push(None);
                citations.push(Citation {
                    id: CitationId::random(),
                    source,
                    via: None,
                    locator: value(values, "locator").to_owned(),
                    quote: value(values, "quote").to_owned(),
                    note: None,
                });
            }
            Err(_) => {
                errors
                    .entry("source".into())
                    .or_insert_with(|| t(l, "not_in_list").to_owned());
            }
        }
    }
    citations
}

/// Reads the form into an incident (its id given), or the field errors.
fn read(
    values: &Values,
    id: IncidentId,
    base: Option<&Incident>,
    data: &Dataset,
    lang: Lang,
) -> (Result<Incident, Errors>, Rows) {
    let mut errors = Errors::new();
    let mut rows = Rows::default();
    let mut chosen = values.clone();
    crate::form_lists::choose_sources(&mut chosen, data, &mut errors, lang);
    let values = &chosen;
    let date = match value(values, "date").parse::<refwatch_domain::DateValue>() {
        Ok(d) => Some(d),
        Err(e) => {
            errors.insert("date".into(), crate::i18n::problem(lang, &e.to_string()));
            None
        }
    };
    let low = number(&mut errors, lang, "low", value(values, "low"));
    let best = number(&mut errors, lang, "best", value(values, "best"));
    let high = number(&mut errors, lang, "high", value(values, "high"));
    if low.is_none() && !errors.contains_key("low") {
        errors.insert("low".into(), t(lang, "not_a_number").to_owned());
    }
    let confidentiality = Confidentiality::from_code(value(values, "confidentiality"))
        .unwrap_or(Confidentiality::Confidential);
    let (places, actors) = read_links(values, data, base, &mut errors, &mut rows, lang);
    let breakdown = read_breakdown(values, base, &mut errors, &mut rows, lang);
    let citations = read_citations(values, base, &mut errors, &mut rows, lang);
    let (Some(date), Some(low)) = (date, low) else {
        return (Err(errors), rows);
    };
    if !errors.is_empty() {
        return (Err(errors), rows);
    }
    let incident = Incident {
        id,
        kind: Term::new(value(values, "kind")),
        title: value(values, "title").to_owned(),
        summary: value(values, "summary").to_owned(),
        date,
        places,
        actors,
        victims: Count { low, best, high },
        breakdown,
        verification: Term::new(value(values, "verification")),
        confidentiality,
        reports: base.map(|b| b.reports.clone()).unwrap_or_default(),
        citations,
    };
    (Ok(incident), rows)
}

fn problems_to_errors(problems: &[Problem], rows: &Rows, l: Lang) -> Errors {
    let mut errors = Errors::new();
    for p in problems {
        errors
            .entry(field_of(&p.path, rows))
            .or_insert_with(|| crate::i18n::problem(l, &p.message));
    }
    errors
}

/// The breakdown's choices: `dimension:term`, grouped by dimension.
fn breakdown_choices(l: Lang) -> Vec<(&'static str, Vec<(String, String)>)> {
    let vocab = Vocabularies::builtin();
    [
        (Dimension::Sex, Vocabulary::Sex, "sex"),
        (Dimension::AgeGroup, Vocabulary::AgeGroup, "age_group"),
        (Dimension::Category, Vocabulary::VictimCategory, "category"),
    ]
    .into_iter()
    .map(|(d, which, label)| {
        let terms = vocab
            .codes(which)
            .map(|code| {
                (
                    format!("{}:{code}", d.code()),
                    vocab.label(which, &Term::new(code), l).to_owned(),
                )
            })
            .collect();
        (t(l, label), terms)
    })
    .collect()
}

/// The lists of places, actors and breakdown parts of the form.
fn links_fieldsets(v: &Visitor, data: &Dataset, values: &Values, errors: &Errors) -> Markup {
    let l = v.lang;
    let vocab = Vocabularies::builtin();
    let get = |name: String| values.get(&name).cloned().unwrap_or_default();
    let err = |name: String| {
        errors
            .get(&name)
            .map(|m| html! { span.error role="alert" { (m) } })
    };
    let role_select = |name: String, which: Vocabulary, current: String| {
        html! {
            select name=(name) {
                @for code in vocab.codes(which) {
                    option value=(code) selected[current == code] { (vocab.label(which, &Term::new(code), l)) }
                }
            }
        }
    };
    let place_rows = rows_sent(values, "place_") + SPARE_ROWS;
    let actor_rows = rows_sent(values, "actor_") + SPARE_ROWS;
    let bd_rows = rows_sent(values, "bd_") + SPARE_ROWS;
    let choices = breakdown_choices(l);
    html! {
        fieldset {
            legend { (t(l, "places")) }
            input type="hidden" name="places_shown" value="1";
            @for row in 0..place_rows {
                div.row {
                    label { (t(l, "place")) input name=(format!("place_{row}")) list="place-choices" autocomplete="off" value=(get(format!("place_{row}"))); (err(format!("place_{row}")).unwrap_or_default()) }
                    label { (t(l, "role")) (role_select(format!("place_role_{row}"), Vocabulary::PlaceRole, get(format!("place_role_{row}")))) }
                }
            }
            datalist id="place-choices" {
                @for p in &data.places { option value=(p.name(l)) { (p.name_en) @if let Some(zh) = &p.name_zh { " · " (zh) } } }
            }
        }
        fieldset {
            legend { (t(l, "actors")) }
            input type="hidden" name="actors_shown" value="1";
            @for row in 0..actor_rows {
                div.row {
                    label { (t(l, "actor")) input name=(format!("actor_{row}")) list="actor-choices" autocomplete="off" value=(get(format!("actor_{row}"))); (err(format!("actor_{row}")).unwrap_or_default()) }
                    label { (t(l, "role")) (role_select(format!("actor_role_{row}"), Vocabulary::ActorRole, get(format!("actor_role_{row}")))) }
                }
            }
            datalist id="actor-choices" {
                @for a in &data.actors { option value=(a.name(l)) { (a.name_en) } }
            }
        }
        fieldset {
            legend { (t(l, "breakdown")) }
            input type="hidden" name="breakdown_shown" value="1";
            @for row in 0..bd_rows {
                div.row {
                    label { (t(l, "breakdown_part"))
                        select name=(format!("bd_{row}_term")) {
                            option value="" { "—" }
                            @for (group, terms) in &choices {
                                optgroup label=(group) {
                                    @for (code, label) in terms {
                                        option value=(code) selected[get(format!("bd_{row}_term")) == *code] { (label) }
                                    }
                                }
                            }
                        }
                        (err(format!("bd_{row}_term")).unwrap_or_default())
                    }
                    label { (t(l, "low")) input name=(format!("bd_{row}_low")) inputmode="numeric" value=(get(format!("bd_{row}_low"))); (err(format!("bd_{row}_low")).unwrap_or_default()) }
                    label { (t(l, "best")) input name=(format!("bd_{row}_best")) inputmode="numeric" value=(get(format!("bd_{row}_best"))); }
                    label { (t(l, "high")) input name=(format!("bd_{row}_high")) inputmode="numeric" value=(get(format!("bd_{row}_high"))); }
                }
            }
        }
    }
}

/// A person as the persons picker offers them: the start of their id, and
/// what does not identify them (never a name).
pub(crate) fn person_label(p: &refwatch_domain::Person, l: Lang) -> String {
    let vocab = Vocabularies::builtin();
    let mut parts = vec![format!("{}", &p.id.to_string()[..8])];
    if let Some(sex) = &p.sex {
        parts.push(vocab.label(Vocabulary::Sex, sex, l).to_owned());
    }
    if let Some(year) = p.birth_year {
        parts.push(year.to_string());
    }
    if let Some(category) = &p.category {
        parts.push(
            vocab
                .label(Vocabulary::VictimCategory, category, l)
                .to_owned(),
        );
    }
    if let Some(last) = p.timeline.last() {
        parts.push(
            vocab
                .label(Vocabulary::PersonStatus, &last.status, l)
                .to_owned(),
        );
    }
    parts.join(" · ")
}

/// The person a picker's text names: by whole id, or by the start of it
/// (the label's first part) when exactly one person's id starts so.
fn person_chosen(data: &Dataset, text: &str) -> Option<refwatch_domain::PersonId> {
    let start = text
        .split(" · ")
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if start.len() < 8 {
        return None;
    }
    let mut found = data
        .persons
        .iter()
        .filter(|p| p.id.to_string().starts_with(&start))
        .map(|p| p.id);
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// The persons the form links to the incident, when it showed them: each
/// with a role of the vocabulary; a row that names no one the caller may
/// read is an error beside it.
pub(crate) fn read_persons(
    values: &Values,
    data: &Dataset,
    errors: &mut Errors,
    l: Lang,
) -> Option<Vec<(refwatch_domain::PersonId, Term)>> {
    if !values.contains_key("persons_shown") {
        return None;
    }
    let vocab = Vocabularies::builtin();
    let mut links: Vec<(refwatch_domain::PersonId, Term)> = Vec::new();
    for row in 0..rows_sent(values, "person_") {
        let text = value(values, &format!("person_{row}"));
        if text.is_empty() {
            continue;
        }
        let role = value(values, &format!("person_role_{row}"));
        match person_chosen(data, text) {
            None => {
                errors.insert(format!("person_{row}"), t(l, "not_in_list").to_owned());
            }
            Some(_) if !vocab.codes(Vocabulary::PersonRole).any(|c| c == role) => {
                errors.insert(format!("person_{row}"), t(l, "not_in_list").to_owned());
            }
            Some(id) if links.iter().any(|(seen, _)| *seen == id) => {
                errors.insert(format!("person_{row}"), t(l, "listed_twice").to_owned());
            }
            Some(id) => links.push((id, Term::new(role))),
        }
    }
    Some(links)
}

/// The persons at risk the incident concerns, a row each and two to add;
/// only for those who may read persons.
fn persons_fieldset(v: &Visitor, data: &Dataset, values: &Values, errors: &Errors) -> Markup {
    let l = v.lang;
    if data.persons.is_empty() && !values.contains_key("person_0") {
        return html! {};
    }
    let vocab = Vocabularies::builtin();
    let get = |name: String| values.get(&name).cloned().unwrap_or_default();
    let rows = rows_sent(values, "person_") + SPARE_ROWS;
    html! {
        fieldset {
            legend { (t(l, "persons")) }
            input type="hidden" name="persons_shown" value="1";
            @for row in 0..rows {
                div.row {
                    label { (t(l, "person")) input name=(format!("person_{row}")) list="person-choices" autocomplete="off" value=(get(format!("person_{row}"))); @if let Some(m) = errors.get(&format!("person_{row}")) { span.error role="alert" { (m) } } }
                    label { (t(l, "role"))
                        select name=(format!("person_role_{row}")) {
                            @for code in vocab.codes(Vocabulary::PersonRole) {
                                option value=(code) selected[get(format!("person_role_{row}")) == code] { (vocab.label(Vocabulary::PersonRole, &Term::new(code), l)) }
                            }
                        }
                    }
                }
            }
            datalist id="person-choices" {
                @for p in &data.persons { option value=(person_label(p, l)) {} }
            }
        }
    }
}

/// The citations of the form: those the incident has, each editable and
/// removable, and one to add.
fn citations_fieldset(
    v: &Visitor,
    data: &Dataset,
    values: &Values,
    errors: &Errors,
    existing: usize,
) -> Markup {
    let l = v.lang;
    let get = |name: String| values.get(&name).cloned().unwrap_or_default();
    let err = |name: String| {
        errors
            .get(&name)
            .map(|m| html! { span.error role="alert" { (m) } })
    };
    let sources = |name: String| crate::form_lists::source_select(data, &name, &get(name.clone()));
    html! {
        fieldset {
            legend { (t(l, "citations")) }
            input type="hidden" name="citations_shown" value="1";
            @for row in 0..existing {
                div.citation {
                    label { (t(l, "source")) (sources(format!("cite_{row}_source"))) (err(format!("cite_{row}_source")).unwrap_or_default()) }
                    label { (t(l, "locator")) input name=(format!("cite_{row}_locator")) value=(get(format!("cite_{row}_locator"))); (err(format!("cite_{row}_locator")).unwrap_or_default()) }
                    label { (t(l, "quote")) textarea name=(format!("cite_{row}_quote")) rows="3" { (get(format!("cite_{row}_quote"))) } (err(format!("cite_{row}_quote")).unwrap_or_default()) }
                    label.check { input type="checkbox" name=(format!("cite_{row}_remove")) value="1" checked[values.contains_key(&format!("cite_{row}_remove"))]; (t(l, "remove_citation")) }
                }
            }
            h3 { (t(l, "add_citation")) }
            label { (t(l, "source")) (sources("source".into())) (err("source".into()).unwrap_or_default()) }
            label { (t(l, "locator")) input name="locator" value=(get("locator".into())); (err("locator".into()).unwrap_or_default()) }
            label { (t(l, "quote")) textarea name="quote" rows="3" { (get("quote".into())) } (err("quote".into()).unwrap_or_default()) }
            (crate::form_lists::source_choices(data))
        }
    }
}

fn form_page(
    v: &Visitor,
    data: &Dataset,
    action: &str,
    values: &Values,
    errors: &Errors,
    existing_citations: Option<usize>,
) -> Markup {
    let l = v.lang;
    let vocab = Vocabularies::builtin();
    let get = |name: &str| values.get(name).cloned().unwrap_or_default();
    let err = |f: &str| {
        errors
            .get(f)
            .map(|m| html! { span.error role="alert" { (m) } })
    };
    let select = |name: &'static str, vocab_name: Vocabulary| {
        let current = get(name);
        html! {
            select name=(name) {
                @for code in vocab.codes(vocab_name) {
                    option value=(code) selected[current == code] { (vocab.label(vocab_name, &Term::new(code), l)) }
                }
            }
        }
    };
    let title = match existing_citations {
        None => t(l, "new_incident"),
        Some(_) => t(l, "edit"),
    };
    let body = html! {
        h1 { (title) }
        @if !errors.is_empty() { p.error role="alert" { (t(l, "fix_below")) } }
        form method="post" action=(action) {
            input type="hidden" name="csrf" value=(v.csrf);
            label { (t(l, "kind")) (select("kind", Vocabulary::IncidentKind)) (err("kind").unwrap_or_default()) }
            label { (t(l, "title")) input name="title" required value=(get("title")); (err("title").unwrap_or_default()) }
            label { (t(l, "summary")) textarea name="summary" rows="4" { (get("summary")) } }
            label { (t(l, "date")) " (" (t(l, "date_hint")) ")" input name="date" required value=(get("date")); (err("date").unwrap_or_default()) }
            label { (t(l, "low")) input name="low" inputmode="numeric" required value=(get("low")); (err("low").unwrap_or_default()) }
            label { (t(l, "best")) input name="best" inputmode="numeric" value=(get("best")); (err("best").unwrap_or_default()) }
            label { (t(l, "high")) input name="high" inputmode="numeric" value=(get("high")); (err("high").unwrap_or_default()) }
            label { (t(l, "verification")) (select("verification", Vocabulary::Verification)) (err("verification").unwrap_or_default()) }
            label { (t(l, "confidentiality"))
                select name="confidentiality" {
                    @for c in Confidentiality::ALL {
                        option value=(c.code()) selected[get("confidentiality") == c.code()] { (crate::i18n::level(l, c)) }
                    }
                }
            }
            (links_fieldsets(v, data, values, errors))
            (persons_fieldset(v, data, values, errors))
            (citations_fieldset(v, data, values, errors, existing_citations.unwrap_or(0)))
            button type="submit" { (t(l, "save")) }
        }
    };
    layout(v, title, action, body)
}

fn can(v: &Visitor, op: Operation) -> bool {
    decide(v.caller.principal, op, Confidentiality::Public).allowed()
}

fn not_found() -> ServiceError {
    ServiceError::Store(refwatch_storage::StoreError::NotFound(String::new()))
}

fn refused_from_elsewhere(v: &Visitor, state: &AppState, values: &Values) -> Option<Response> {
    (!v.posted_here(value(values, "csrf"))).then(|| {
        failure(
            v,
            state,
            &ServiceError::Denied("post a form from elsewhere"),
        )
    })
}

pub(crate) async fn new_incident(State(state): State<AppState>, v: Visitor) -> Response {
    if !can(&v, Operation::Create) {
        return failure(&v, &state, &not_found());
    }
    let data = match state.core.for_caller(v.caller.clone()).readable().await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let values: Values = [
        ("verification", "single_source"),
        ("confidentiality", "restricted"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    page(
        &v,
        &state,
        StatusCode::OK,
        form_page(&v, &data, "/incidents", &values, &Errors::new(), None),
    )
}

pub(crate) async fn create_incident(
    State(state): State<AppState>,
    v: Visitor,
    Form(values): Form<Values>,
) -> Response {
    if !can(&v, Operation::Create) {
        return failure(&v, &state, &not_found());
    }
    if let Some(refused) = refused_from_elsewhere(&v, &state, &values) {
        return refused;
    }
    let core = state.core.for_caller(v.caller.clone());
    let data = match core.readable().await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let id = IncidentId::random();
    let mut person_errors = Errors::new();
    let persons = read_persons(&values, &data, &mut person_errors, v.lang);
    let errors = match read(&values, id, None, &data, v.lang) {
        (Ok(incident), rows) if person_errors.is_empty() => match core
            .create_record(&refwatch_service::Record::Incident(incident))
            .await
        {
            Ok(()) => return saved_with_persons(&state, &v, id, persons).await,
            Err(ServiceError::Invalid(problems)) => problems_to_errors(&problems, &rows, v.lang),
            Err(e) => return failure(&v, &state, &e),
        },
        (Ok(_), _) => person_errors,
        (Err(mut errors), _) => {
            errors.extend(person_errors);
            errors
        }
    };
    page(
        &v,
        &state,
        StatusCode::UNPROCESSABLE_ENTITY,
        form_page(&v, &data, "/incidents", &values, &errors, None),
    )
}

/// After the incident is saved: the persons the form listed are linked
/// to it (one change for all of them), then the saved record is shown.
async fn saved_with_persons(
    state: &AppState,
    v: &Visitor,
    id: IncidentId,
    persons: Option<Vec<(refwatch_domain::PersonId, Term)>>,
) -> Response {
    if let Some(links) = persons
        && let Err(e) = state
            .core
            .for_caller(v.caller.clone())
            .link_persons(id, &links)
            .await
    {
        return failure(v, state, &e);
    }
    redirect(&format!("/incidents/{id}/history?done=saved"), &[])
}

/// The form's values of a stored incident.
fn values_of(i: &Incident, data: &Dataset, l: Lang) -> Values {
    let mut values = Values::new();
    let mut set = |k: String, v: String| {
        values.insert(k, v);
    };
    set("kind".into(), i.kind.code().to_owned());
    set("title".into(), i.title.clone());
    set("summary".into(), i.summary.clone());
    set("date".into(), i.date.to_string());
    set("low".into(), i.victims.low.to_string());
    set(
        "best".into(),
        i.victims.best.map(|b| b.to_string()).unwrap_or_default(),
    );
    set(
        "high".into(),
        i.victims.high.map(|h| h.to_string()).unwrap_or_default(),
    );
    set("verification".into(), i.verification.code().to_owned());
    set(
        "confidentiality".into(),
        i.confidentiality.code().to_owned(),
    );
    for (row, p) in i.places.iter().enumerate() {
        let name = data
            .places
            .iter()
            .find(|x| x.id == p.place)
            .map_or_else(|| p.place.to_string(), |x| x.name(l).to_owned());
        set(format!("place_{row}"), name);
        set(format!("place_role_{row}"), p.role.code().to_owned());
    }
    for (row, a) in i.actors.iter().enumerate() {
        let name = data
            .actors
            .iter()
            .find(|x| x.id == a.actor)
            .map_or_else(|| a.actor.to_string(), |x| x.name(l).to_owned());
        set(format!("actor_{row}"), name);
        set(format!("actor_role_{row}"), a.role.code().to_owned());
    }
    let linked = data.persons.iter().filter_map(|p| {
        let link = p.incidents.iter().find(|link| link.incident == i.id)?;
        Some((person_label(p, l), link.role.code().to_owned()))
    });
    for (row, (label, role)) in linked.enumerate() {
        set(format!("person_{row}"), label);
        set(format!("person_role_{row}"), role);
    }
    for (row, b) in i.breakdown.iter().enumerate() {
        set(
            format!("bd_{row}_term"),
            format!("{}:{}", b.dimension.code(), b.term.code()),
        );
        set(format!("bd_{row}_low"), b.count.low.to_string());
        set(
            format!("bd_{row}_best"),
            b.count.best.map(|n| n.to_string()).unwrap_or_default(),
        );
        set(
            format!("bd_{row}_high"),
            b.count.high.map(|n| n.to_string()).unwrap_or_default(),
        );
    }
    for (row, c) in i.citations.iter().enumerate() {
        set(format!("cite_{row}_source"), c.source.to_string());
        set(format!("cite_{row}_locator"), c.locator.clone());
        set(format!("cite_{row}_quote"), c.quote.clone());
    }
    values
}

async fn editable(
    state: &AppState,
    v: &Visitor,
    id: &str,
) -> Result<(std::sync::Arc<Dataset>, Incident), ServiceError> {
    let id: IncidentId = id.parse().map_err(|_| not_found())?;
    let data = state.core.for_caller(v.caller.clone()).readable().await?;
    let incident = data
        .incidents
        .iter()
        .find(|i| i.id == id)
        .cloned()
        .ok_or_else(not_found)?;
    if !decide(
        v.caller.principal,
        Operation::Update,
        incident.confidentiality,
    )
    .allowed()
    {
        return Err(not_found());
    }
    Ok((data, Arc::unwrap_or_clone(incident)))
}

pub(crate) async fn edit_incident(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Response {
    match editable(&state, &v, &id).await {
        Ok((data, incident)) => {
            let action = format!("/incidents/{}", incident.id);
            let values = values_of(&incident, &data, v.lang);
            let form = form_page(
                &v,
                &data,
                &action,
                &values,
                &Errors::new(),
                Some(incident.citations.len()),
            );
            page(&v, &state, StatusCode::OK, form)
        }
        Err(e) => failure(&v, &state, &e),
    }
}

pub(crate) async fn update_incident(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    Form(values): Form<Values>,
) -> Response {
    if let Some(refused) = refused_from_elsewhere(&v, &state, &values) {
        return refused;
    }
    let (data, base) = match editable(&state, &v, &id).await {
        Ok(found) => found,
        Err(e) => return failure(&v, &state, &e),
    };
    let action = format!("/incidents/{}", base.id);
    let mut person_errors = Errors::new();
    let persons = read_persons(&values, &data, &mut person_errors, v.lang);
    let errors = match read(&values, base.id, Some(&base), &data, v.lang) {
        (Ok(incident), rows) if person_errors.is_empty() => match state
            .core
            .for_caller(v.caller.clone())
            .update_incident(&incident)
            .await
        {
            Ok(()) => return saved_with_persons(&state, &v, base.id, persons).await,
            Err(ServiceError::Invalid(problems)) => problems_to_errors(&problems, &rows, v.lang),
            Err(e) => return failure(&v, &state, &e),
        },
        (Ok(_), _) => person_errors,
        (Err(mut errors), _) => {
            errors.extend(person_errors);
            errors
        }
    };
    let form = form_page(
        &v,
        &data,
        &action,
        &values,
        &errors,
        Some(base.citations.len()),
    );
    page(&v, &state, StatusCode::UNPROCESSABLE_ENTITY, form)
}
