//! The lists inside a record's form, read from and written to one object of
//! the dataset file format: a record's citations (each corrected or
//! removed, one added) and a UN mechanism record's implementation notes
//! (each a dated status with what was found and where; one added with its
//! citation). A row whose fields the form did not send is kept as it is.
//! Sources are chosen by typing their title, with the titles offered as
//! one types, on every form that cites.

use maud::{Markup, html};
use refwatch_domain::{Dataset, Term, Vocabularies, Vocabulary};
use serde_json::{Map, Value, json};

use crate::auth::Visitor;
use crate::i18n::t;
use crate::record_forms::{Errors, Values};

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn get(values: &Values, name: &str) -> String {
    values.get(name).map_or("", |v| v.trim()).to_owned()
}

/// How many rows of a list the form sent (the highest row number + 1):
/// rows numbered `{prefix}{n}_…`, at most 200.
pub(crate) fn rows_sent(values: &Values, prefix: &str) -> usize {
    values
        .keys()
        .filter_map(|k| {
            // `place_role_3` is row 3 of `place_`, as `place_3` is.
            k.strip_prefix(prefix)?
                .trim_start_matches("role_")
                .split('_')
                .next()?
                .parse::<usize>()
                .ok()
        })
        .max()
        .map_or(0, |n| n + 1)
        .min(200)
}

fn error_span(errors: &Errors, name: &str) -> Markup {
    html! {
        @if let Some(m) = errors.get(name) { span.error role="alert" { (m) } }
    }
}

/// A source, chosen by typing its title (or pasting its id) with the
/// titles offered as one types (`source_choices`, once a page).
pub(crate) fn source_select(data: &Dataset, name: &str, current: &str) -> Markup {
    let shown = data
        .sources
        .iter()
        .find(|s| s.id.to_string() == current)
        .map_or(current, |s| s.title.as_str());
    html! {
        input name=(name) list="source-choices" autocomplete="off" value=(shown);
    }
}

/// The titles of the sources a reader may cite, offered by every source
/// field of a page.
pub(crate) fn source_choices(data: &Dataset) -> Markup {
    html! {
        datalist id="source-choices" {
            @for s in &data.sources {
                option value=(s.title) { @if let Some(p) = &s.publisher { (p) } }
            }
        }
    }
}

/// The id of the source typed: its id, or a title exactly one source has
/// (ignoring case and spaces around it).
pub(crate) fn source_id(data: &Dataset, text: &str) -> Option<String> {
    let text = text.trim();
    if let Some(s) = data.sources.iter().find(|s| s.id.to_string() == text) {
        return Some(s.id.to_string());
    }
    let lower = text.to_lowercase();
    let mut found = data
        .sources
        .iter()
        .filter(|s| s.title.trim().to_lowercase() == lower);
    let first = found.next()?;
    found.next().is_none().then(|| first.id.to_string())
}

/// Reads every source field of a form (`source`, `cite_source`,
/// `cite_0_source`, `note_1_source`…) as the id of the source chosen;
/// one that names no single source is said beside its field.
pub(crate) fn choose_sources(
    values: &mut Values,
    data: &Dataset,
    errors: &mut Errors,
    l: refwatch_domain::Lang,
) {
    let fields: Vec<String> = values
        .keys()
        .filter(|k| k.as_str() == "source" || k.ends_with("_source"))
        .cloned()
        .collect();
    for field in fields {
        let text = values[&field].trim().to_owned();
        if text.is_empty() {
            continue;
        }
        match source_id(data, &text) {
            Some(id) => {
                values.insert(field, id);
            }
            None => {
                errors.insert(field, t(l, "not_in_list").to_owned());
            }
        }
    }
}

/// A new citation from the fields `{prefix}source`, `{prefix}locator` and
/// `{prefix}quote`, when words or a locator were written.
fn new_citation(values: &Values, prefix: &str) -> Option<Value> {
    let (quote, locator) = (
        get(values, &format!("{prefix}quote")),
        get(values, &format!("{prefix}locator")),
    );
    (!quote.is_empty() || !locator.is_empty()).then(|| {
        json!({
            "id": uuid::Uuid::new_v4().to_string(),
            "source": get(values, &format!("{prefix}source")),
            "locator": locator,
            "quote": quote,
        })
    })
}

/// A record's citations as form rows (`cite_{n}_source`, `_locator`,
/// `_quote`).
pub(crate) fn citations_of(json: &Value, values: &mut Values) {
    for (n, c) in json["citations"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        for field in ["source", "locator", "quote"] {
            values.insert(format!("cite_{n}_{field}"), text(&c[field]));
        }
    }
}

/// Reads the citation rows over the record's `citations`: each row sent is
/// corrected or (ticked) removed, each not sent kept; the new one added.
pub(crate) fn read_citations(values: &Values, object: &mut Map<String, Value>) {
    let old: Vec<Value> = object
        .get("citations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for (n, c) in old.into_iter().enumerate() {
        let name = |f: &str| format!("cite_{n}_{f}");
        if !values.contains_key(&name("quote")) {
            out.push(c);
            continue;
        }
        if values.contains_key(&name("remove")) {
            continue;
        }
        let mut c = c;
        for field in ["source", "locator", "quote"] {
            c[field] = Value::String(get(values, &name(field)));
        }
        out.push(c);
    }
    out.extend(new_citation(values, "cite_"));
    object.insert("citations".into(), Value::Array(out));
}

/// The citations: each editable and removable, and one to add.
pub(crate) fn citations_fieldset(
    v: &Visitor,
    data: &Dataset,
    values: &Values,
    errors: &Errors,
) -> Markup {
    let l = v.lang;
    let value = |name: &str| values.get(name).cloned().unwrap_or_default();
    html! {
        fieldset {
            legend { (t(l, "citations")) }
            @for n in 0..rows_sent(values, "cite_") {
                @if values.contains_key(&format!("cite_{n}_quote")) {
                    div.citation {
                        label { (t(l, "source")) (source_select(data, &format!("cite_{n}_source"), &value(&format!("cite_{n}_source")))) (error_span(errors, &format!("cite_{n}_source"))) }
                        label { (t(l, "locator")) input name=(format!("cite_{n}_locator")) value=(value(&format!("cite_{n}_locator"))); (error_span(errors, &format!("cite_{n}_locator"))) }
                        label { (t(l, "quote")) textarea name=(format!("cite_{n}_quote")) rows="3" { (value(&format!("cite_{n}_quote"))) } (error_span(errors, &format!("cite_{n}_quote"))) }
                        label.check { input type="checkbox" name=(format!("cite_{n}_remove")) value="1" checked[values.contains_key(&format!("cite_{n}_remove"))]; (t(l, "remove_citation")) }
                    }
                }
            }
            h3 { (t(l, "add_citation")) }
            label { (t(l, "source")) (source_select(data, "cite_source", &value("cite_source"))) (error_span(errors, "cite_source")) (error_span(errors, "citations")) }
            label { (t(l, "locator")) input name="cite_locator" value=(value("cite_locator")); }
            label { (t(l, "quote")) textarea name="cite_quote" rows="3" { (value("cite_quote")) } }
        }
    }
}

/// A mechanism record's implementation notes as form rows (`note_{n}_id`,
/// `_date`, `_status`, `_summary`).
pub(crate) fn notes_of(json: &Value, values: &mut Values) {
    for (n, note) in json["implementation"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        for field in ["id", "date", "status", "summary"] {
            values.insert(format!("note_{n}_{field}"), text(&note[field]));
        }
    }
}

/// Reads the note rows over the record's `implementation`: a stored note
/// whose row was sent is changed (its citations kept), or dropped when its
/// row was emptied; a new row is added with its citation.
pub(crate) fn read_notes(values: &Values, object: &mut Map<String, Value>) {
    let old: Vec<Value> = object
        .get("implementation")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for n in 0..rows_sent(values, "note_").max(old.len()) {
        let name = |f: &str| format!("note_{n}_{f}");
        let id = get(values, &name("id"));
        let stored = old
            .iter()
            .find(|o| !id.is_empty() && o["id"] == id.as_str());
        if !values.contains_key(&name("date")) {
            // Not in the form: kept.
            out.extend(old.get(n).cloned());
            continue;
        }
        let (date, status, summary) = (
            get(values, &name("date")),
            get(values, &name("status")),
            get(values, &name("summary")),
        );
        if date.is_empty() && status.is_empty() && summary.is_empty() {
            continue;
        }
        let mut note = stored.cloned().unwrap_or_else(|| {
            json!({
                "id": uuid::Uuid::new_v4().to_string(),
                "citations": new_citation(values, &format!("note_{n}_")).into_iter().collect::<Vec<_>>(),
            })
        });
        note["date"] = Value::String(date);
        note["status"] = Value::String(status);
        note["summary"] = Value::String(summary);
        out.push(note);
    }
    if out.is_empty() {
        object.remove("implementation");
    } else {
        object.insert("implementation".into(), Value::Array(out));
    }
}

/// The form field of a problem in a citation or note row:
/// `citations[1].quote` → `cite_1_quote`, `implementation[0].citations` →
/// `note_0_source`.
pub(crate) fn row_field(path: &str) -> Option<String> {
    let (list, rest) = path.split_once('[')?;
    let (n, sub) = rest.split_once(']')?;
    let sub = sub.trim_start_matches('.');
    match (list, sub) {
        ("citations", "") => Some(format!("cite_{n}_quote")),
        ("citations", sub) => Some(format!("cite_{n}_{}", sub.split('.').next()?)),
        ("implementation", "") => Some(format!("note_{n}_date")),
        ("implementation", sub) if sub.starts_with("citations") => Some(format!("note_{n}_source")),
        ("implementation", sub) => Some(format!("note_{n}_{sub}")),
        _ => None,
    }
}

/// The implementation notes: each stored one editable (emptied to remove;
/// its citations listed and kept), and one to add with its citation.
pub(crate) fn notes_fieldset(
    v: &Visitor,
    data: &Dataset,
    json: Option<&Value>,
    values: &Values,
    errors: &Errors,
) -> Markup {
    let l = v.lang;
    let vocab = Vocabularies::builtin();
    let value = |name: String| values.get(&name).cloned().unwrap_or_default();
    let cited = |n: usize| -> Vec<String> {
        let id = value(format!("note_{n}_id"));
        json.and_then(|j| j["implementation"].as_array())
            .into_iter()
            .flatten()
            .filter(|note| !id.is_empty() && note["id"] == id.as_str())
            .flat_map(|note| note["citations"].as_array().cloned().unwrap_or_default())
            .map(|c| {
                let source = data
                    .sources
                    .iter()
                    .find(|s| s.id.to_string() == text(&c["source"]))
                    .map_or_else(|| text(&c["source"]), |s| s.title.clone());
                format!("{source} · {}", text(&c["locator"]))
            })
            .collect()
    };
    let rows = rows_sent(values, "note_") + 1;
    html! {
        fieldset {
            legend { (t(l, "implementation")) }
            p.notice { (t(l, "implementation_note")) }
            @for n in 0..rows {
                div.row {
                    @if !value(format!("note_{n}_id")).is_empty() {
                        input type="hidden" name=(format!("note_{n}_id")) value=(value(format!("note_{n}_id")));
                    }
                    label { (t(l, "date")) " (" (t(l, "date_hint")) ")" input name=(format!("note_{n}_date")) value=(value(format!("note_{n}_date"))); (error_span(errors, &format!("note_{n}_date"))) }
                    label { (t(l, "implementation_status"))
                        select name=(format!("note_{n}_status")) {
                            option value="" { "—" }
                            @for code in vocab.codes(Vocabulary::ImplementationStatus) {
                                option value=(code) selected[value(format!("note_{n}_status")) == code] { (vocab.label(Vocabulary::ImplementationStatus, &Term::new(code), l)) }
                            }
                        }
                        (error_span(errors, &format!("note_{n}_status")))
                    }
                    label { (t(l, "what_was_found")) textarea name=(format!("note_{n}_summary")) rows="2" { (value(format!("note_{n}_summary"))) } (error_span(errors, &format!("note_{n}_summary"))) }
                    @let listed = cited(n);
                    @if listed.is_empty() {
                        label { (t(l, "source")) (source_select(data, &format!("note_{n}_source"), &value(format!("note_{n}_source")))) (error_span(errors, &format!("note_{n}_source"))) }
                        label { (t(l, "locator")) input name=(format!("note_{n}_locator")) value=(value(format!("note_{n}_locator"))); }
                        label { (t(l, "quote")) textarea name=(format!("note_{n}_quote")) rows="2" { (value(format!("note_{n}_quote"))) } }
                    } @else {
                        p { (t(l, "citations")) ": " (listed.join("; ")) }
                    }
                }
            }
        }
    }
}
