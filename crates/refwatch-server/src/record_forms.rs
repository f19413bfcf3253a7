//! Sources, places, actors, persons at risk and UPR recommendations
//! recorded and edited in the browser, without JavaScript; for every kind,
//! the history page (every version with what changed, archiving with a
//! reason, restoring); and the evidence linked to incidents and persons.
//!
//! A form is read into one object of the dataset file format and through
//! the same reader and rules as the API and the importer; each problem is
//! shown beside its field, and what was typed is kept.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use refwatch_domain::{
    Confidentiality, CoordPrecision, Dataset, Lang, Problem, Term, Vocabularies, Vocabulary,
};
use refwatch_policy::{Operation, decide};
use refwatch_service::{Record, RecordKind, ServiceError, VersionAction, VersionView};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::AppState;
use crate::auth::Visitor;
use crate::form_lists;
use crate::i18n::t;
use crate::pages::{failure, layout, page, redirect};
use crate::record_api::{parse_record, record_json};

/// How a field is typed.
#[derive(Clone, Copy)]
enum Input {
    Text,
    Area,
    Vocab(Vocabulary),
    Level,
    Precision,
    /// The place or body it lies within, chosen by name from a list.
    Parent,
    /// A place, chosen by name from a list.
    Place,
    Number,
    /// A whole number, such as a year.
    Whole,
    /// A UPR review of China, chosen from those recorded.
    Review,
    /// Yes, no or not known.
    YesNo,
    /// A list of texts, one a line.
    Lines,
    /// Themes (vocabulary `theme`), ticked.
    Themes,
    /// A vote: yes, no and abstentions.
    Vote,
    /// A count: low, best and high.
    Count,
}

/// One field of a form: its name in the file format (`lat`, `lon` and
/// `precision` go under `coordinates`), its label's key, how it is typed,
/// and whether it must be filled.
struct Field(&'static str, &'static str, Input, bool);

fn fields(kind: RecordKind, sub: &str) -> &'static [Field] {
    use Input::*;
    match kind {
        RecordKind::Source => &[
            Field("kind", "kind", Vocab(Vocabulary::SourceKind), true),
            Field("title", "title", Text, true),
            Field("publisher", "publisher", Text, false),
            Field("author", "author", Text, false),
            Field("date", "date", Text, false),
            Field("language", "source_language", Text, false),
            Field("url", "url", Text, false),
            Field("symbol", "symbol", Text, false),
            Field(
                "reliability",
                "reliability",
                Vocab(Vocabulary::Reliability),
                false,
            ),
            Field("confidentiality", "confidentiality", Level, true),
            Field("note", "note", Area, false),
        ],
        RecordKind::Place => &[
            Field("kind", "kind", Vocab(Vocabulary::PlaceKind), true),
            Field("name_en", "name_en", Text, true),
            Field("name_ko", "name_ko", Text, false),
            Field("name_zh", "name_zh", Text, false),
            Field("country", "country_code", Text, false),
            Field("parent", "within", Parent, false),
            Field("lat", "lat", Number, false),
            Field("lon", "lon", Number, false),
            Field("precision", "precision", Precision, false),
        ],
        RecordKind::Person => &[
            Field("sex", "sex", Vocab(Vocabulary::Sex), false),
            Field("birth_year", "birth_year", Whole, false),
            Field("age_group", "age_group", Vocab(Vocabulary::AgeGroup), false),
            Field("origin_place", "origin_place", Place, false),
            Field(
                "category",
                "category",
                Vocab(Vocabulary::VictimCategory),
                false,
            ),
            Field("confidentiality", "confidentiality", Level, true),
        ],
        RecordKind::Mechanism => mechanism_fields(sub),
        RecordKind::Figure => &[
            Field("indicator", "indicator", Vocab(Vocabulary::Indicator), true),
            Field("period", "period", Text, true),
            Field("place", "place", Place, false),
            Field("value", "value_reported", Count, true),
            Field("unit", "unit", Text, true),
        ],
        // An incident has its own form (forms.rs); these name its fields
        // in its history.
        RecordKind::Incident => &[
            Field("kind", "kind", Vocab(Vocabulary::IncidentKind), true),
            Field("title", "title", Text, true),
            Field("summary", "summary", Area, false),
            Field("date", "date", Text, true),
            Field(
                "verification",
                "verification",
                Vocab(Vocabulary::Verification),
                true,
            ),
            Field("confidentiality", "confidentiality", Level, true),
        ],
        RecordKind::Actor => &[
            Field("kind", "kind", Vocab(Vocabulary::ActorKind), true),
            Field("name_en", "name_en", Text, true),
            Field("name_ko", "name_ko", Text, false),
            Field("name_zh", "name_zh", Text, false),
            Field("parent", "part_of", Parent, false),
        ],
    }
}

/// The kinds of UN mechanism record, with their labels' keys.
pub(crate) const MECHANISM_KINDS: [(&str, &str); 5] = [
    ("upr_recommendation", "upr_recommendation"),
    ("treaty_observation", "treaty_observation"),
    ("communication", "communication"),
    ("coi_recommendation", "coi_recommendation"),
    ("resolution", "resolution"),
];

/// The fields of a UN mechanism record of this kind (`sub`).
fn mechanism_fields(sub: &str) -> &'static [Field] {
    use Input::*;
    match sub {
        "treaty_observation" => &[
            Field("body", "treaty_body", Vocab(Vocabulary::TreatyBody), true),
            Field("paragraph", "paragraph", Text, false),
            Field("date", "date", Text, true),
            Field("reference", "symbol", Text, false),
            Field("text", "observation_text", Area, true),
            Field("themes", "themes", Themes, false),
        ],
        "communication" => &[
            Field("reference", "symbol", Text, false),
            Field("date", "date", Text, true),
            Field("mandate_holders", "mandate_holders", Lines, false),
            Field("reply_received", "reply_received", YesNo, false),
            Field("text", "communication_text", Area, true),
            Field("themes", "themes", Themes, false),
        ],
        "coi_recommendation" => &[
            Field("paragraph", "paragraph", Text, true),
            Field("date", "date", Text, true),
            Field("reference", "symbol", Text, false),
            Field("text", "recommendation_text", Area, true),
            Field("themes", "themes", Themes, false),
        ],
        "resolution" => &[
            Field("body", "adopted_by", Text, true),
            Field("reference", "symbol", Text, false),
            Field("date", "date", Text, true),
            Field("vote", "vote", Vote, false),
            Field("china_vote", "china_vote", Text, false),
            Field("text", "resolution_text", Area, true),
            Field("themes", "themes", Themes, false),
        ],
        _ => &[
            Field("review", "upr_review", Review, true),
            Field("state", "recommending_state", Text, true),
            Field("paragraph", "paragraph", Text, false),
            Field("date", "date", Text, true),
            Field("reference", "symbol", Text, false),
            Field("text", "recommendation_text", Area, true),
            Field("response", "china_response", Text, false),
            Field("themes", "themes", Themes, false),
        ],
    }
}

/// The field of this name in any form of `kind` (for its label).
fn any_field(kind: RecordKind, name: &str) -> Option<&'static Field> {
    let subs: &[&str] = if kind == RecordKind::Mechanism {
        &[
            "upr_recommendation",
            "treaty_observation",
            "communication",
            "coi_recommendation",
            "resolution",
        ]
    } else {
        &[""]
    };
    subs.iter()
        .flat_map(|sub| fields(kind, sub))
        .find(|f| f.0 == name)
}

/// The kind of mechanism record a form is for: the record's, or the one
/// asked for, or a UPR recommendation.
fn mechanism_kind<'a>(json: Option<&'a Value>, asked: Option<&'a str>) -> &'a str {
    json.and_then(|j| j["kind"].as_str())
        .or(asked)
        .filter(|k| MECHANISM_KINDS.iter().any(|(code, _)| code == k))
        .unwrap_or("upr_recommendation")
}

/// The heading of a kind's new-record form.
fn new_title(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Person => "new_person",
        RecordKind::Mechanism => "new_mechanism",
        RecordKind::Figure => "new_figure",
        RecordKind::Source => "new_source",
        RecordKind::Place => "new_place",
        _ => "new_actor",
    }
}

/// A form's fields as sent.
pub(crate) type Values = HashMap<String, String>;
/// Each field's problem, by the field's name.
pub(crate) type Errors = HashMap<String, String>;

/// What a place or actor is chosen by: (id, the name shown, every name it
/// is known by).
pub(crate) type Choice = (String, String, Vec<String>);

/// The places (for `RecordKind::Place`) or actors that may be chosen, by
/// name in any language.
pub(crate) fn choices(data: &Dataset, kind: RecordKind, l: Lang) -> Vec<Choice> {
    fn choice(id: String, shown: &str, names: [Option<&String>; 3]) -> Choice {
        let names = names.into_iter().flatten().cloned().collect();
        (id, shown.to_owned(), names)
    }
    match kind {
        RecordKind::Place => data
            .places
            .iter()
            .map(|p| {
                let names = [Some(&p.name_en), p.name_ko.as_ref(), p.name_zh.as_ref()];
                choice(p.id.to_string(), p.name(l), names)
            })
            .collect(),
        _ => data
            .actors
            .iter()
            .map(|a| {
                let names = [Some(&a.name_en), a.name_ko.as_ref(), a.name_zh.as_ref()];
                choice(a.id.to_string(), a.name(l), names)
            })
            .collect(),
    }
}

/// The id of the place or actor typed as `text`: an id, or a name it is
/// known by in any language (ignoring case), when exactly one has it.
pub(crate) fn chosen(choices: &[Choice], text: &str) -> Option<String> {
    let text = text.trim();
    if let Some((id, ..)) = choices.iter().find(|(id, ..)| id == text) {
        return Some(id.clone());
    }
    let lower = text.to_lowercase();
    let mut found = choices
        .iter()
        .filter(|(_, shown, names)| {
            shown.to_lowercase() == lower || names.iter().any(|n| n.to_lowercase() == lower)
        })
        .map(|(id, ..)| id.clone());
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// The form's values of a stored record.
fn values_of(record: &Record, data: &Dataset, l: Lang) -> Values {
    let json = record_json(record);
    let mut values = Values::new();
    let sub = json["kind"].as_str().unwrap_or("").to_owned();
    for Field(name, _, input, _) in fields(record.kind(), &sub) {
        let value = match *name {
            "lat" | "lon" | "precision" => json["coordinates"][name].clone(),
            _ => json[name].clone(),
        };
        if let Some(parts) = parts_of(*input) {
            for part in parts {
                let n = &value[*part];
                if !n.is_null() {
                    values.insert(format!("{name}_{part}"), n.to_string());
                }
            }
            continue;
        }
        let text = match (input, value) {
            (Input::Lines, Value::Array(lines)) => lines
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("\n"),
            (Input::Themes, Value::Array(themes)) => {
                for theme in themes.iter().filter_map(Value::as_str) {
                    values.insert(format!("theme_{theme}"), "1".into());
                }
                String::new()
            }
            (_, Value::String(s)) => s,
            (_, Value::Null) => String::new(),
            (_, other) => other.to_string(),
        };
        let text = match input {
            Input::Parent => choices(data, record.kind(), l)
                .into_iter()
                .find(|(id, ..)| *id == text)
                .map_or(text, |(_, shown, _)| shown),
            Input::Place => place_name(data, &text, l),
            _ => text,
        };
        values.insert((*name).to_owned(), text);
    }
    match record.kind() {
        RecordKind::Person => person_rows_of(&json, data, l, &mut values),
        RecordKind::Mechanism => {
            values.insert("kind".into(), sub);
            form_lists::citations_of(&json, &mut values);
            form_lists::notes_of(&json, &mut values);
        }
        RecordKind::Figure => form_lists::citations_of(&json, &mut values),
        _ => {}
    }
    values
}

/// The parts of a field typed as several numbers (`vote_yes`…).
fn parts_of(input: Input) -> Option<&'static [&'static str]> {
    match input {
        Input::Vote => Some(&["yes", "no", "abstain"]),
        Input::Count => Some(&["low", "best", "high"]),
        _ => None,
    }
}

/// The name of the place with this id (or the text as it is).
fn place_name(data: &Dataset, id: &str, l: Lang) -> String {
    data.places
        .iter()
        .find(|p| p.id.to_string() == id)
        .map_or_else(|| id.to_owned(), |p| p.name(l).to_owned())
}

/// A person's timeline and incidents as form rows.
fn person_rows_of(json: &Value, data: &Dataset, l: Lang, values: &mut Values) {
    let title = |id: &str| {
        data.incidents
            .iter()
            .find(|i| i.id.to_string() == id)
            .map_or_else(|| id.to_owned(), |i| i.title.clone())
    };
    let text = |v: &Value| v.as_str().unwrap_or("").to_owned();
    for (n, e) in json["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        values.insert(format!("timeline_{n}_date"), text(&e["date"]));
        values.insert(format!("timeline_{n}_status"), text(&e["status"]));
        values.insert(
            format!("timeline_{n}_place"),
            place_name(data, &text(&e["place"]), l),
        );
        values.insert(
            format!("timeline_{n}_incident"),
            title(&text(&e["incident"])),
        );
        values.insert(format!("timeline_{n}_citation"), text(&e["citation"]));
    }
    for field in ["scope", "date", "recorded_by"] {
        values.insert(format!("consent_{field}"), text(&json["consent"][field]));
    }
    for (n, e) in json["incidents"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        values.insert(format!("incident_{n}"), title(&text(&e["incident"])));
        values.insert(format!("incident_{n}_role"), text(&e["role"]));
    }
}

/// The place typed: its id, if exactly one place has this name or id.
fn place_id(data: &Dataset, text: &str) -> Option<String> {
    chosen(&choices(data, RecordKind::Place, Lang::En), text)
}

/// The incident typed: by id or exact title, when exactly one has it.
fn incident_id(data: &Dataset, text: &str) -> Option<String> {
    let mut found = data
        .incidents
        .iter()
        .filter(|i| i.id.to_string() == text || i.title.trim() == text)
        .map(|i| i.id.to_string());
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// What identifies a new person, and where they are known from: only
/// on the form that records one (the service seals both on the way in).
const IDENTITY_FIELDS: [(&str, &str); 6] = [
    ("name_hangul", "name_hangul"),
    ("name_romanized", "name_romanized"),
    ("name_chinese", "name_chinese"),
    ("birth_date", "birth_date"),
    ("origin", "origin"),
    ("family_contacts", "family_contacts"),
];

fn read_new_person(values: &Values, object: &mut Map<String, Value>) {
    let get = |name: &str| values.get(name).map_or("", |v| v.trim());
    let identity: Map<String, Value> = IDENTITY_FIELDS
        .iter()
        .filter(|(name, _)| !get(&format!("identity_{name}")).is_empty())
        .map(|(name, _)| {
            (
                (*name).to_owned(),
                Value::String(get(&format!("identity_{name}")).to_owned()),
            )
        })
        .collect();
    if !identity.is_empty() {
        object.insert("identity".into(), Value::Object(identity));
    }
    read_new_citation(values, object);
}

/// The citation of a record being recorded, if one was written.
fn read_new_citation(values: &Values, object: &mut Map<String, Value>) {
    let get = |name: &str| values.get(name).map_or("", |v| v.trim());
    if !get("cite_quote").is_empty() || !get("cite_locator").is_empty() {
        object.insert(
            "citations".into(),
            serde_json::json!([{
                "id": uuid::Uuid::new_v4().to_string(),
                "source": get("cite_source"),
                "locator": get("cite_locator"),
                "quote": get("cite_quote"),
            }]),
        );
    }
}

/// The identity and citation of a person being recorded.
fn new_person_fields(v: &Visitor, data: &Dataset, values: &Values, errors: &Errors) -> Markup {
    let l = v.lang;
    let get = |name: &str| values.get(name).cloned().unwrap_or_default();
    html! {
        fieldset {
            legend { (t(l, "identity")) }
            p.notice { (t(l, "identity_sealed_note")) }
            @for (name, label) in IDENTITY_FIELDS {
                label { (t(l, label)) input name=(format!("identity_{name}")) autocomplete="off" value=(get(&format!("identity_{name}"))); }
            }
        }
        (citation_fields(v, data, values, errors))
    }
}

/// Where a record being recorded is known from: a source, where in it,
/// the exact words.
fn citation_fields(v: &Visitor, data: &Dataset, values: &Values, errors: &Errors) -> Markup {
    let l = v.lang;
    let get = |name: &str| values.get(name).cloned().unwrap_or_default();
    let err = |name: &str| {
        errors
            .get(name)
            .map(|m| html! { span.error role="alert" { (m) } })
    };
    html! {
        fieldset {
            legend { (t(l, "person_source")) }
            label { (t(l, "source"))
                (form_lists::source_select(data, "cite_source", &get("cite_source")))
                (err("cite_source").or_else(|| err("citations")).unwrap_or_default())
            }
            label { (t(l, "locator")) input name="cite_locator" value=(get("cite_locator")); }
            label { (t(l, "quote")) textarea name="cite_quote" rows="3" { (get("cite_quote")) } }
        }
    }
}

/// The consent as the form records it: scope, date and who recorded it,
/// all three or none. Emptied, a stored consent is removed and the person
/// is no longer shown as consenting; a person with no consent recorded
/// keeps what they had.
fn read_consent(values: &Values, object: &mut Map<String, Value>, errors: &mut Errors, l: Lang) {
    let get = |name: &str| values.get(name).map_or("", |v| v.trim()).to_owned();
    let fields = ["consent_scope", "consent_date", "consent_recorded_by"];
    let [scope, date, by] = fields.map(get);
    if scope.is_empty() && date.is_empty() && by.is_empty() {
        if object.remove("consent").is_some() {
            object.insert("consent_public".into(), Value::Bool(false));
        }
        return;
    }
    for (name, value) in fields.iter().zip([&scope, &date, &by]) {
        if value.is_empty() {
            errors.insert((*name).to_owned(), t(l, "consent_all_three").to_owned());
        }
    }
    object.insert(
        "consent".into(),
        serde_json::json!({"scope": scope, "date": date, "recorded_by": by}),
    );
    // What the guard reads follows the scope.
    object.remove("consent_public");
}

/// Reads a person's timeline and incident rows into `object`.
fn read_person_rows(
    values: &Values,
    data: &Dataset,
    l: Lang,
    object: &mut Map<String, Value>,
    errors: &mut Errors,
) {
    let get = |name: String| values.get(&name).map_or("", |v| v.trim()).to_owned();
    let mut timeline = Vec::new();
    for n in 0..form_lists::rows_sent(values, "timeline_") {
        let (date, status) = (
            get(format!("timeline_{n}_date")),
            get(format!("timeline_{n}_status")),
        );
        if date.is_empty() && status.is_empty() {
            continue;
        }
        let mut e = Map::new();
        e.insert("date".into(), Value::String(date));
        e.insert("status".into(), Value::String(status));
        let place = get(format!("timeline_{n}_place"));
        if !place.is_empty() {
            match place_id(data, &place) {
                Some(id) => {
                    e.insert("place".into(), Value::String(id));
                }
                None => {
                    errors.insert(
                        format!("timeline_{n}_place"),
                        t(l, "not_in_list").to_owned(),
                    );
                }
            }
        }
        let incident = get(format!("timeline_{n}_incident"));
        if !incident.is_empty() {
            match incident_id(data, &incident) {
                Some(id) => {
                    e.insert("incident".into(), Value::String(id));
                }
                None => {
                    errors.insert(
                        format!("timeline_{n}_incident"),
                        t(l, "not_in_list").to_owned(),
                    );
                }
            }
        }
        let cited = get(format!("timeline_{n}_citation"));
        if !cited.is_empty() {
            e.insert("citation".into(), Value::String(cited));
        }
        timeline.push(Value::Object(e));
    }
    let mut incidents = Vec::new();
    for n in 0..form_lists::rows_sent(values, "incident_") {
        let incident = get(format!("incident_{n}"));
        if incident.is_empty() {
            continue;
        }
        match incident_id(data, &incident) {
            Some(id) => incidents.push(
                serde_json::json!({"incident": id, "role": get(format!("incident_{n}_role"))}),
            ),
            None => {
                errors.insert(format!("incident_{n}"), t(l, "not_in_list").to_owned());
            }
        }
    }
    object.insert("timeline".into(), Value::Array(timeline));
    object.insert("incidents".into(), Value::Array(incidents));
}

/// Reads the form into a record with this id, or the errors by field.
/// Reads the form into a record with this id, over `base` (the stored
/// record, when one is changed): what the form shows is replaced, what it
/// does not show is kept as it is.
fn read(
    kind: RecordKind,
    id: &str,
    values: &Values,
    data: &Dataset,
    base: Option<&Record>,
    l: Lang,
) -> Result<Record, Errors> {
    let mut errors = Errors::new();
    let mut chosen_values = values.clone();
    form_lists::choose_sources(&mut chosen_values, data, &mut errors, l);
    let values = &chosen_values;
    let base_json = base.map(record_json);
    let mut object = match base_json.clone() {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let mut coordinates = Map::new();
    object.insert("id".into(), Value::String(id.to_owned()));
    let sub = mechanism_kind(base_json.as_ref(), values.get("kind").map(String::as_str));
    if kind == RecordKind::Mechanism {
        object.insert("kind".into(), Value::String(sub.to_owned()));
    }
    let sub = if kind == RecordKind::Mechanism {
        sub
    } else {
        ""
    };
    for field @ Field(name, _, input, _) in fields(kind, sub) {
        if matches!(input, Input::Themes) && !values.contains_key("themes_shown") {
            // Not in the form: kept.
            continue;
        }
        match *name {
            "lat" | "lon" | "precision" => object.remove("coordinates"),
            _ => object.remove(*name),
        };
        let Some(value) = read_field(field, kind, values, data, l, &mut errors) else {
            continue;
        };
        match *name {
            "lat" | "lon" | "precision" => coordinates.insert((*name).to_owned(), value),
            _ => object.insert((*name).to_owned(), value),
        };
    }
    if !coordinates.is_empty() {
        for needed in ["lat", "lon"] {
            if !coordinates.contains_key(needed) && !errors.contains_key(needed) {
                errors.insert(needed.to_owned(), t(l, "both_coordinates").to_owned());
            }
        }
        coordinates
            .entry("precision")
            .or_insert_with(|| Value::String(CoordPrecision::City.code().to_owned()));
        object.insert("coordinates".into(), Value::Object(coordinates));
    }
    match kind {
        RecordKind::Person => {
            read_person_rows(values, data, l, &mut object, &mut errors);
            read_consent(values, &mut object, &mut errors, l);
            read_new_person(values, &mut object);
        }
        RecordKind::Mechanism => {
            form_lists::read_citations(values, &mut object);
            form_lists::read_notes(values, &mut object);
        }
        RecordKind::Figure => form_lists::read_citations(values, &mut object),
        _ => {}
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    parse_record(kind, object).map_err(|problems| problems_to_errors(&problems, l))
}

/// One field's value as the file format writes it; `None` when it was
/// left empty (an error if it is required) or does not read.
fn read_field(
    Field(name, _, input, required): &Field,
    kind: RecordKind,
    values: &Values,
    data: &Dataset,
    l: Lang,
    errors: &mut Errors,
) -> Option<Value> {
    let mut refuse = |key: &'static str| {
        errors.insert((*name).to_owned(), t(l, key).to_owned());
        None
    };
    if let Some(parts) = parts_of(*input) {
        return read_parts(name, parts, *input, *required, values, l, errors);
    }
    if matches!(input, Input::Themes) {
        let vocab = Vocabularies::builtin();
        let ticked: Vec<Value> = vocab
            .codes(Vocabulary::Theme)
            .filter(|code| values.contains_key(&format!("theme_{code}")))
            .map(|code| Value::String(code.to_owned()))
            .collect();
        return Some(Value::Array(ticked));
    }
    let text = values.get(*name).map_or("", |v| v.trim());
    if text.is_empty() {
        return if *required {
            refuse("required_field")
        } else {
            None
        };
    }
    Some(match input {
        Input::Parent => match chosen(&choices(data, kind, l), text) {
            Some(id) => Value::String(id),
            None => return refuse("not_in_list"),
        },
        Input::Place => match place_id(data, text) {
            Some(id) => Value::String(id),
            None => return refuse("not_in_list"),
        },
        Input::YesNo => Value::Bool(text == "true"),
        Input::Lines => Value::Array(
            text.lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(|line| Value::String(line.to_owned()))
                .collect(),
        ),
        Input::Whole => match text.parse::<i32>() {
            Ok(n) => serde_json::json!(n),
            _ => return refuse("not_a_number"),
        },
        Input::Number => match text.replace(',', ".").parse::<f64>() {
            Ok(n) if n.is_finite() => serde_json::json!(n),
            _ => return refuse("not_a_decimal"),
        },
        _ => Value::String(text.to_owned()),
    })
}

/// A field typed as several whole numbers (`value_low`…): an object of
/// those given. A vote needs all three; a count its low figure.
fn read_parts(
    name: &str,
    parts: &[&str],
    input: Input,
    required: bool,
    values: &Values,
    l: Lang,
    errors: &mut Errors,
) -> Option<Value> {
    let mut object = Map::new();
    for part in parts {
        let key = format!("{name}_{part}");
        let text: String = values
            .get(&key)
            .map_or("", |v| v.trim())
            .chars()
            .filter(|c| !matches!(c, ',' | ' ' | '_'))
            .collect();
        if text.is_empty() {
            continue;
        }
        match text.parse::<u64>() {
            Ok(n) => {
                object.insert((*part).to_owned(), serde_json::json!(n));
            }
            Err(_) => {
                errors.insert(key, t(l, "not_a_number").to_owned());
            }
        }
    }
    let first = format!("{name}_{}", parts[0]);
    let complete = match input {
        Input::Vote => object.is_empty() || object.len() == parts.len(),
        _ => object.is_empty() || object.contains_key(parts[0]),
    };
    if !complete || (required && object.is_empty() && !errors.contains_key(&first)) {
        let key = if matches!(input, Input::Vote) {
            "vote_all_three"
        } else {
            "required_field"
        };
        errors.entry(first).or_insert_with(|| t(l, key).to_owned());
        return None;
    }
    (!object.is_empty()).then_some(Value::Object(object))
}

/// Each problem beside its field (`places[0].name_en`, `name_en`,
/// `coordinates.lat` → `name_en`, `lat`); others under the empty name.
fn problems_to_errors(problems: &[Problem], l: Lang) -> Errors {
    let mut errors = Errors::new();
    for p in problems {
        let path = match p.path.find("[0]") {
            Some(at) if !p.path.starts_with("citations") => &p.path[at + 3..],
            _ => &p.path,
        };
        let path = path.trim_start_matches('.');
        let path = path.strip_prefix("coordinates.").unwrap_or(path);
        let field = row_field(path)
            .or_else(|| form_lists::row_field(path))
            .unwrap_or_else(|| path.split(['.', '[']).next().unwrap_or("").to_owned());
        errors
            .entry(field)
            .or_insert_with(|| crate::i18n::problem(l, &p.message));
    }
    errors
}

/// The row field of a problem in a person's timeline or incidents:
/// `timeline[1].status` → `timeline_1_status`, `incidents[0].role` →
/// `incident_0_role`.
fn row_field(path: &str) -> Option<String> {
    let (list, rest) = path.split_once('[')?;
    let (n, sub) = rest.split_once(']')?;
    let sub = sub.trim_start_matches('.');
    match (list, sub) {
        ("timeline", "") => Some(format!("timeline_{n}_date")),
        ("timeline", sub) => Some(format!("timeline_{n}_{sub}")),
        ("incidents", "role") => Some(format!("incident_{n}_role")),
        ("incidents", _) => Some(format!("incident_{n}")),
        _ => None,
    }
}

fn may(v: &Visitor, op: Operation, level: Confidentiality) -> bool {
    decide(v.caller.principal, op, level).allowed()
}

fn not_found() -> ServiceError {
    ServiceError::NotFound("record")
}

fn form_page(
    v: &Visitor,
    data: &Dataset,
    kind: RecordKind,
    action: &str,
    values: &Values,
    errors: &Errors,
    heading: &str,
) -> Markup {
    let l = v.lang;
    let sub = match kind {
        RecordKind::Mechanism => mechanism_kind(None, values.get("kind").map(String::as_str)),
        _ => "",
    };
    let base = format!("/{}", kind.list_name());
    let own_id = action.strip_prefix(&format!("{base}/"));
    let list_id = format!("{}-choices", kind.list_name());
    let in_rows = |k: &str| {
        [
            "timeline_",
            "incident_",
            "consent_",
            "cite_",
            "note_",
            "vote_",
            "value_",
            "citations",
        ]
        .iter()
        .any(|prefix| k.starts_with(prefix))
    };
    let unplaced: Vec<&String> = errors
        .iter()
        .filter(|(k, _)| !fields(kind, sub).iter().any(|f| f.0 == k.as_str()) && !in_rows(k))
        .map(|(_, m)| m)
        .collect();
    let stored = own_id.and_then(|id| Record::find(data, kind, id).map(|r| record_json(&r)));
    let cited = person_citations(data, kind, own_id, l);
    // A new source may bring its document with it, stored as evidence.
    let new_source = kind == RecordKind::Source && own_id.is_none();
    let body = html! {
        h1 { (heading) }
        @if kind == RecordKind::Mechanism && own_id.is_none() {
            p.kinds {
                @for (code, label) in MECHANISM_KINDS {
                    a href=(format!("/mechanisms/new?kind={code}")) aria-current=[(code == sub).then_some("page")] { (t(l, label)) }
                    " "
                }
            }
        }
        @if !errors.is_empty() { p.error role="alert" { (t(l, "fix_below")) } }
        @for m in unplaced { p.error role="alert" { (m) } }
        form method="post" action=(action) enctype=[new_source.then_some("multipart/form-data")] {
            input type="hidden" name="csrf" value=(v.csrf);
            @if kind == RecordKind::Mechanism { input type="hidden" name="kind" value=(sub); }
            @if fields(kind, sub).iter().any(|f| matches!(f.2, Input::Themes)) { input type="hidden" name="themes_shown" value="1"; }
            @for field in fields(kind, sub) { (field_input(v, data, kind, field, values, errors)) }
            @if kind == RecordKind::Person { (person_rows(v, data, &cited, values, errors)) }
            @if kind == RecordKind::Person && action == "/persons" { (new_person_fields(v, data, values, errors)) }
            @if kind == RecordKind::Mechanism { (form_lists::notes_fieldset(v, data, stored.as_ref(), values, errors)) }
            @if matches!(kind, RecordKind::Mechanism | RecordKind::Figure) { (form_lists::citations_fieldset(v, data, values, errors)) }
            @if new_source { (source_document_fieldset(v, values, errors)) }
            datalist id="place-choices" {
                @for p in &data.places { option value=(p.name(l)) { (p.name_en) } }
            }
            (form_lists::source_choices(data))
            datalist id=(list_id) {
                @for (_, shown, names) in choices(data, kind, l) {
                    option value=(shown) { (names.join(" · ")) }
                }
            }
            button type="submit" { (t(l, "save")) }
        }
        @if let (RecordKind::Person, Some(id)) = (kind, own_id) { (cite_person_form(v, data, id, values, errors)) }
    };
    layout(v, heading, action, body)
}

/// The document a new source comes with, stored as evidence of it in the
/// same step (optional).
fn source_document_fieldset(v: &Visitor, values: &Values, errors: &Errors) -> Markup {
    let l = v.lang;
    let value = |name: &str| values.get(name).cloned().unwrap_or_default();
    let err = |name: &str| {
        errors
            .get(name)
            .map(|m| html! { span.error role="alert" { (m) } })
    };
    html! {
        fieldset {
            legend { (t(l, "source_document")) }
            p.notice { (t(l, "source_document_note")) }
            label { (t(l, "evidence_file")) input type="file" name="document"; (err("document").unwrap_or_default()) }
            label { (t(l, "evidence_received_from")) input name="doc_received_from" value=(value("doc_received_from")); (err("doc_received_from").unwrap_or_default()) }
            label { (t(l, "evidence_received_via")) input name="doc_received_via" value=(value("doc_received_via")); (err("doc_received_via").unwrap_or_default()) }
        }
    }
}

/// A file sent with a form: its name and bytes.
pub(crate) type Document = (String, Vec<u8>);

/// `POST /sources`: a new source from the form, sent as a plain form or,
/// with its document, as multipart.
pub(crate) async fn create_source(
    state: AppState,
    v: Visitor,
    request: axum::extract::Request,
) -> Response {
    use axum::extract::FromRequest;
    let multipart = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| h.starts_with("multipart/form-data"));
    if !multipart {
        return match axum::Form::<Values>::from_request(request, &state).await {
            Ok(axum::Form(values)) => create_with(RecordKind::Source, state, v, values, None).await,
            Err(e) => axum::response::IntoResponse::into_response(e),
        };
    }
    let mut form = match axum::extract::Multipart::from_request(request, &state).await {
        Ok(f) => f,
        Err(e) => return axum::response::IntoResponse::into_response(e),
    };
    let mut values = Values::new();
    let mut document = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let file_name = field.file_name().map(str::to_owned);
                let read = if name == "document" {
                    field.bytes().await.map(|b| {
                        document = Some((file_name.unwrap_or_default(), b.to_vec()));
                    })
                } else {
                    field.text().await.map(|text| {
                        values.insert(name, text);
                    })
                };
                if read.is_err() {
                    return failure(
                        &v,
                        &state,
                        &ServiceError::User(t(v.lang, "upload_cut_off").into()),
                    );
                }
            }
            Ok(None) => break,
            Err(_) => {
                return failure(
                    &v,
                    &state,
                    &ServiceError::User(t(v.lang, "upload_cut_off").into()),
                );
            }
        }
    }
    // No file chosen: the browser sends an empty part.
    let document = document.filter(|(_, bytes)| !bytes.is_empty());
    create_with(RecordKind::Source, state, v, values, document).await
}

/// Who handed the document over and how, required with a document.
fn document_errors(values: &Values, document: Option<&Document>, l: Lang) -> Errors {
    let mut errors = Errors::new();
    if document.is_some() {
        for name in ["doc_received_from", "doc_received_via"] {
            if values.get(name).is_none_or(|v| v.trim().is_empty()) {
                errors.insert(name.to_owned(), t(l, "evidence_say_who").to_owned());
            }
        }
    }
    errors
}

/// After a new source is saved: its document stored as evidence of it,
/// at its level; if the document is refused, the source stays saved and
/// the page says why and where to add the document again.
async fn with_document(
    state: &AppState,
    v: &Visitor,
    source: &str,
    level: Confidentiality,
    values: &Values,
    document: Document,
) -> Response {
    let l = v.lang;
    let get = |name: &str| values.get(name).map_or("", |v| v.trim()).to_owned();
    let upload = crate::evidence::Upload {
        csrf: String::new(),
        file: Some(document),
        source: source.to_owned(),
        received_from: get("doc_received_from"),
        received_via: get("doc_received_via"),
        confidentiality: level.code().to_owned(),
    };
    let core = state.core.for_caller(v.caller.clone());
    match crate::evidence::take_in(&core, l, upload).await {
        Ok(_) => redirect(&format!("/sources/{source}/history?done=saved"), &[]),
        Err(reason) => {
            let body = html! {
                h1 { (t(l, "saved_ok")) }
                p.error role="alert" { (t(l, "source_document_refused")) " " (reason) }
                p { a href=(format!("/evidence?source={source}")) { (t(l, "source_document_again")) } }
                p { a href=(format!("/sources/{source}/history")) { (t(l, "history")) } }
            };
            page(
                v,
                state,
                StatusCode::UNPROCESSABLE_ENTITY,
                layout(v, t(l, "saved_ok"), "/sources", body),
            )
        }
    }
}

/// A person's citations to choose from for a step of their timeline: the
/// source's title and the citation's place in the list (the words are
/// sealed).
fn person_citations(
    data: &Dataset,
    kind: RecordKind,
    own_id: Option<&str>,
    l: Lang,
) -> Vec<(String, String)> {
    let Some(p) = own_id
        .filter(|_| kind == RecordKind::Person)
        .and_then(|id| data.persons.iter().find(|p| p.id.to_string() == id))
    else {
        return Vec::new();
    };
    p.citations
        .iter()
        .enumerate()
        .map(|(n, c)| {
            let title = data
                .sources
                .iter()
                .find(|s| s.id == c.source)
                .map_or_else(|| t(l, "source").to_owned(), |s| s.title.clone());
            (c.id.to_string(), format!("{}. {title}", n + 1))
        })
        .collect()
}

/// The form that adds a citation to a person (a separate form: its words
/// are sealed on the way in).
fn cite_person_form(
    v: &Visitor,
    data: &Dataset,
    id: &str,
    values: &Values,
    errors: &Errors,
) -> Markup {
    let l = v.lang;
    let value = |name: &str| values.get(name).cloned().unwrap_or_default();
    let err = |name: &str| {
        errors
            .get(name)
            .map(|m| html! { span.error role="alert" { (m) } })
    };
    let action = format!("/persons/{id}/citations");
    let own: Vec<&refwatch_domain::Citation> = data
        .persons
        .iter()
        .find(|p| p.id.to_string() == id)
        .map(|p| p.citations.iter().collect())
        .unwrap_or_default();
    let correcting = values.get("cite_id").filter(|c| !c.is_empty());
    html! {
        // The person's citations: each corrected (its words typed again,
        // as they are sealed) or removed by a form of its own.
        @for (n, c) in own.iter().enumerate() {
            @if correcting != Some(&c.id.to_string()) {
                form.citation method="post" action=(action) {
                    input type="hidden" name="csrf" value=(v.csrf);
                    input type="hidden" name="cite_id" value=(c.id);
                    fieldset {
                        legend { (t(l, "citation")) " " (n + 1) }
                        label { (t(l, "source"))
                            (form_lists::source_select(data, "cite_source", &c.source.to_string()))
                        }
                        p.notice { (t(l, "retype_sealed_words")) }
                        label { (t(l, "locator")) input name="cite_locator"; }
                        label { (t(l, "quote")) textarea name="cite_quote" rows="2" {} }
                        button type="submit" { (t(l, "correct_citation")) }
                        " "
                        button type="submit" name="cite_remove" value="1" formnovalidate { (t(l, "remove_citation")) }
                    }
                }
            }
        }
        form method="post" action=(action) {
            input type="hidden" name="csrf" value=(v.csrf);
            fieldset {
                @if let Some(cid) = correcting {
                    input type="hidden" name="cite_id" value=(cid);
                    legend { (t(l, "correct_citation")) }
                } @else {
                    legend { (t(l, "add_citation")) }
                }
                p.notice { (t(l, "person_citation_note")) }
                label { (t(l, "source"))
                    (form_lists::source_select(data, "cite_source", &value("cite_source")))
                    (err("cite_source").unwrap_or_default())
                }
                (form_lists::source_choices(data))
                label { (t(l, "locator")) input name="cite_locator" value=(value("cite_locator")); (err("cite_locator").unwrap_or_default()) }
                label { (t(l, "quote")) textarea name="cite_quote" rows="3" { (value("cite_quote")) } (err("cite_quote").unwrap_or_default()) }
                button type="submit" { (t(l, if correcting.is_some() { "correct_citation" } else { "add_citation" })) }
            }
        }
    }
}

/// One field of a form, with its label and problem.
fn field_input(
    v: &Visitor,
    data: &Dataset,
    kind: RecordKind,
    Field(name, label, input, required): &Field,
    values: &Values,
    errors: &Errors,
) -> Markup {
    let l = v.lang;
    let vocab = Vocabularies::builtin();
    let value = |name: &str| values.get(name).map_or("", String::as_str);
    let list_id = format!("{}-choices", kind.list_name());
    let err = |name: &str| {
        errors
            .get(name)
            .map(|m| html! { span.error role="alert" { (m) } })
    };
    if let Some(parts) = parts_of(*input) {
        return html! {
            fieldset.parts {
                legend { (t(l, label)) }
                @for part in parts {
                    @let key = format!("{name}_{part}");
                    label { (t(l, part_label(part))) input name=(key) inputmode="numeric" value=(value(&key)); (err(&key).unwrap_or_default()) }
                }
            }
        };
    }
    if matches!(input, Input::Themes) {
        return html! {
            fieldset.parts {
                legend { (t(l, label)) }
                @for code in vocab.codes(Vocabulary::Theme) {
                    @let key = format!("theme_{code}");
                    label.check { input type="checkbox" name=(key) value="1" checked[values.contains_key(&key)]; (vocab.label(Vocabulary::Theme, &Term::new(code), l)) }
                }
            }
        };
    }
    html! {
        label {
            (t(l, label))
            @if matches!(*name, "date" | "period") { " (" (t(l, "date_hint")) ")" }
            @match input {
                Input::Text => input name=(name) value=(value(name)) required[*required];
                Input::Number => input name=(name) inputmode="decimal" value=(value(name));
                Input::Area => textarea name=(name) rows="3" { (value(name)) },
                Input::Lines => textarea name=(name) rows="3" { (value(name)) },
                Input::Vocab(which) => select name=(name) {
                    @if !required { option value="" { "—" } }
                    @for code in vocab.codes(*which) {
                        option value=(code) selected[value(name) == code] { (vocab.label(*which, &Term::new(code), l)) }
                    }
                },
                Input::Level => select name=(name) {
                    @for c in Confidentiality::ALL {
                        option value=(c.code()) selected[value(name) == c.code()] { (crate::i18n::level(l, c)) }
                    }
                },
                Input::Precision => select name=(name) {
                    option value="" { "—" }
                    @for c in CoordPrecision::ALL {
                        option value=(c.code()) selected[value(name) == c.code()] { (precision_label(l, c)) }
                    }
                },
                Input::YesNo => select name=(name) {
                    option value="" { (t(l, "not_known")) }
                    option value="true" selected[value(name) == "true"] { (t(l, "yes")) }
                    option value="false" selected[value(name) == "false"] { (t(l, "no")) }
                },
                Input::Parent => input name=(name) list=(list_id) autocomplete="off" value=(value(name));,
                Input::Place => input name=(name) list="place-choices" autocomplete="off" value=(value(name));,
                Input::Whole => input name=(name) inputmode="numeric" value=(value(name));,
                Input::Review => select name=(name) {
                    @for r in &data.upr_reviews {
                        option value=(r.id) selected[value(name) == r.id.to_string()] {
                            (t(l, "upr_review")) " " (r.cycle) " (" (crate::dates::text(&r.date, l)) ")"
                        }
                    }
                },
                Input::Themes | Input::Vote | Input::Count => {},
            }
            (err(name).unwrap_or_default())
        }
    }
}

/// The label key of a part of a field typed as several numbers.
fn part_label(part: &str) -> &'static str {
    match part {
        "yes" => "votes_yes",
        "no" => "votes_no",
        "abstain" => "votes_abstain",
        "low" => "low",
        "best" => "best",
        _ => "high",
    }
}

/// A person's status timeline and incidents, a row each and two to add.
fn person_rows(
    v: &Visitor,
    data: &Dataset,
    cited: &[(String, String)],
    values: &Values,
    errors: &Errors,
) -> Markup {
    let l = v.lang;
    let vocab = Vocabularies::builtin();
    let get = |name: String| values.get(&name).cloned().unwrap_or_default();
    let err = |name: String| {
        errors
            .get(&name)
            .map(|m| html! { span.error role="alert" { (m) } })
    };
    let choose = |name: String, which: Vocabulary| {
        let current = get(name.clone());
        html! {
            select name=(name) {
                option value="" { "—" }
                @for code in vocab.codes(which) {
                    option value=(code) selected[current == code] { (vocab.label(which, &Term::new(code), l)) }
                }
            }
        }
    };
    html! {
        fieldset {
            legend { (t(l, "timeline")) }
            @for n in 0..form_lists::rows_sent(values, "timeline_") + 2 {
                div.row {
                    label { (t(l, "date")) input name=(format!("timeline_{n}_date")) value=(get(format!("timeline_{n}_date"))); (err(format!("timeline_{n}_date")).unwrap_or_default()) }
                    label { (t(l, "status")) (choose(format!("timeline_{n}_status"), Vocabulary::PersonStatus)) (err(format!("timeline_{n}_status")).unwrap_or_default()) }
                    label { (t(l, "place")) input name=(format!("timeline_{n}_place")) list="place-choices" autocomplete="off" value=(get(format!("timeline_{n}_place"))); (err(format!("timeline_{n}_place")).unwrap_or_default()) }
                    label { (t(l, "incident")) input name=(format!("timeline_{n}_incident")) list="incident-choices" autocomplete="off" value=(get(format!("timeline_{n}_incident"))); (err(format!("timeline_{n}_incident")).unwrap_or_default()) }
                    @if !cited.is_empty() {
                        label { (t(l, "step_citation"))
                            select name=(format!("timeline_{n}_citation")) {
                                option value="" { "—" }
                                @for (id, shown) in cited {
                                    option value=(id) selected[get(format!("timeline_{n}_citation")) == *id] { (shown) }
                                }
                            }
                            (err(format!("timeline_{n}_citation")).unwrap_or_default())
                        }
                    }
                }
            }
        }
        fieldset {
            legend { (t(l, "consent")) }
            p.notice { (t(l, "consent_note")) }
            label { (t(l, "consent_scope")) (choose("consent_scope".into(), Vocabulary::ConsentScope)) (err("consent_scope".into()).unwrap_or_default()) }
            label { (t(l, "date")) " (" (t(l, "date_hint")) ")" input name="consent_date" value=(get("consent_date".into())); (err("consent_date".into()).unwrap_or_default()) }
            label { (t(l, "recorded_by")) input name="consent_recorded_by" value=(get("consent_recorded_by".into())); (err("consent_recorded_by".into()).unwrap_or_default()) }
        }
        fieldset {
            legend { (t(l, "incidents")) }
            @for n in 0..form_lists::rows_sent(values, "incident_") + 2 {
                div.row {
                    label { (t(l, "incident")) input name=(format!("incident_{n}")) list="incident-choices" autocomplete="off" value=(get(format!("incident_{n}"))); (err(format!("incident_{n}")).unwrap_or_default()) }
                    label { (t(l, "role")) (choose(format!("incident_{n}_role"), Vocabulary::PersonRole)) (err(format!("incident_{n}_role")).unwrap_or_default()) }
                }
            }
        }
        datalist id="incident-choices" {
            @for i in &data.incidents { option value=(i.title) { (crate::dates::text(&i.date, l)) } }
        }
    }
}

fn precision_label(l: Lang, c: CoordPrecision) -> &'static str {
    t(
        l,
        match c {
            CoordPrecision::Exact => "precision_exact",
            CoordPrecision::City => "precision_city",
            CoordPrecision::District => "precision_district",
            CoordPrecision::Province => "precision_province",
            CoordPrecision::Country => "precision_country",
        },
    )
}

/// Whether the form's token is this session's; otherwise the refusal.
fn checked(v: &Visitor, state: &AppState, values: &Values) -> Option<Response> {
    (!v.posted_here(values.get("csrf").map_or("", String::as_str))).then(|| {
        failure(
            v,
            state,
            &ServiceError::Denied("post a form from elsewhere"),
        )
    })
}

/// `GET /{sources,places,actors}/new`.
pub(crate) async fn new_form(
    kind: RecordKind,
    state: AppState,
    v: Visitor,
    asked: Option<String>,
) -> Response {
    if !may(&v, Operation::Create, Confidentiality::Public) {
        return failure(&v, &state, &not_found());
    }
    let data = match state.core.for_caller(v.caller.clone()).readable().await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let mut values = Values::new();
    values.insert("confidentiality".into(), "restricted".into());
    match kind {
        RecordKind::Mechanism => {
            let sub = mechanism_kind(None, asked.as_deref());
            values.insert("kind".into(), sub.to_owned());
        }
        RecordKind::Figure => {
            values.insert("unit".into(), "people".into());
        }
        _ => {}
    }
    let action = format!("/{}", kind.list_name());
    let heading = t(v.lang, new_title(kind));
    let markup = form_page(&v, &data, kind, &action, &values, &Errors::new(), heading);
    page(&v, &state, StatusCode::OK, markup)
}

/// `POST /{sources,places,actors}`.
pub(crate) async fn create(
    kind: RecordKind,
    state: AppState,
    v: Visitor,
    values: Values,
) -> Response {
    create_with(kind, state, v, values, None).await
}

/// [`create`], with the document a new source comes with.
async fn create_with(
    kind: RecordKind,
    state: AppState,
    v: Visitor,
    values: Values,
    document: Option<Document>,
) -> Response {
    if let Some(refused) = checked(&v, &state, &values) {
        return refused;
    }
    let core = state.core.for_caller(v.caller.clone());
    let data = match core.readable().await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let id = uuid::Uuid::new_v4().to_string();
    let document_errors = document_errors(&values, document.as_ref(), v.lang);
    let errors = match read(kind, &id, &values, &data, None, v.lang) {
        Ok(_) if !document_errors.is_empty() => document_errors,
        Ok(record) => match core.create_record(&record).await {
            Ok(()) if kind == RecordKind::Person => {
                return redirect(&format!("/persons/{id}"), &[]);
            }
            Ok(()) if document.is_some() => {
                let document = document.unwrap_or_default();
                return with_document(&state, &v, &id, record.level(), &values, document).await;
            }
            Ok(()) => {
                return redirect(
                    &format!("/{}/{id}/history?done=saved", kind.list_name()),
                    &[],
                );
            }
            Err(ServiceError::Invalid(problems)) => problems_to_errors(&problems, v.lang),
            Err(e) => return failure(&v, &state, &e),
        },
        Err(mut errors) => {
            errors.extend(document_errors);
            errors
        }
    };
    let action = format!("/{}", kind.list_name());
    let heading = t(v.lang, new_title(kind));
    let markup = form_page(&v, &data, kind, &action, &values, &errors, heading);
    page(&v, &state, StatusCode::UNPROCESSABLE_ENTITY, markup)
}

/// `GET /{sources,places,actors}/{id}/edit`.
pub(crate) async fn edit_form(
    kind: RecordKind,
    state: AppState,
    v: Visitor,
    id: String,
) -> Response {
    let core = state.core.for_caller(v.caller.clone());
    let (data, record) = match (core.readable().await, core.record(kind, &id).await) {
        (Ok(d), Ok(r)) => (d, r),
        (Err(e), _) | (_, Err(e)) => return failure(&v, &state, &e),
    };
    if !may(&v, Operation::Update, record.level()) {
        return failure(&v, &state, &not_found());
    }
    let action = format!("/{}/{id}", kind.list_name());
    let values = values_of(&record, &data, v.lang);
    let markup = form_page(
        &v,
        &data,
        kind,
        &action,
        &values,
        &Errors::new(),
        t(v.lang, "edit"),
    );
    page(&v, &state, StatusCode::OK, markup)
}

/// `POST /{sources,places,actors}/{id}`.
pub(crate) async fn update(
    kind: RecordKind,
    state: AppState,
    v: Visitor,
    id: String,
    values: Values,
) -> Response {
    if let Some(refused) = checked(&v, &state, &values) {
        return refused;
    }
    let core = state.core.for_caller(v.caller.clone());
    let data = match core.readable().await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let base = match core.record(kind, &id).await {
        Ok(r) => r,
        Err(e) => return failure(&v, &state, &e),
    };
    let errors = match read(kind, &id, &values, &data, Some(&base), v.lang) {
        Ok(record) => match core.update_record(&record).await {
            Ok(()) => {
                return redirect(
                    &format!("/{}/{id}/history?done=saved", kind.list_name()),
                    &[],
                );
            }
            Err(ServiceError::Invalid(problems)) => problems_to_errors(&problems, v.lang),
            Err(e) => return failure(&v, &state, &e),
        },
        Err(errors) => errors,
    };
    let action = format!("/{}/{id}", kind.list_name());
    let markup = form_page(
        &v,
        &data,
        kind,
        &action,
        &values,
        &errors,
        t(v.lang, "edit"),
    );
    page(&v, &state, StatusCode::UNPROCESSABLE_ENTITY, markup)
}

/// Which kind of mechanism record a new form is for.
#[derive(Deserialize)]
pub(crate) struct NewKind {
    #[serde(default)]
    kind: Option<String>,
}

/// `POST /persons/{id}/citations`: a citation added to a person, its words
/// sealed with their identity; back to their form, or the form's problems.
pub(crate) async fn cite_person(
    state: AppState,
    v: Visitor,
    id: String,
    values: Values,
) -> Response {
    if let Some(refused) = checked(&v, &state, &values) {
        return refused;
    }
    let Ok(person) = id.parse::<refwatch_domain::PersonId>() else {
        return failure(&v, &state, &not_found());
    };
    let get = |name: &str| values.get(name).map_or("", |v| v.trim()).to_owned();
    let core = state.core.for_caller(v.caller.clone());
    let data = match core.readable().await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let target = values
        .get("cite_id")
        .and_then(|c| c.parse::<refwatch_domain::CitationId>().ok());
    if let (Some(cid), true) = (target, values.contains_key("cite_remove")) {
        return match core.correct_person_citation(person, cid, None).await {
            Ok(()) => redirect(&format!("/persons/{id}/history?done=saved"), &[]),
            Err(ServiceError::Invalid(problems)) => {
                let message = problems
                    .first()
                    .map(|p| crate::i18n::problem(v.lang, &p.message))
                    .unwrap_or_default();
                failure(&v, &state, &ServiceError::User(message))
            }
            Err(e) => failure(&v, &state, &e),
        };
    }
    let source = form_lists::source_id(&data, &get("cite_source")).and_then(|id| id.parse().ok());
    let problems = match source {
        // A source typed that names no single source: said beside it.
        None => vec![refwatch_domain::Problem {
            path: "source".into(),
            message: t(v.lang, "not_in_list").into(),
        }],
        Some(source) => {
            let citation = refwatch_domain::Citation {
                id: refwatch_domain::CitationId::random(),
                source,
                via: None,
                locator: get("cite_locator"),
                quote: get("cite_quote"),
                note: None,
            };
            let done = match target {
                Some(cid) => core
                    .correct_person_citation(person, cid, Some(&citation))
                    .await
                    .map(|()| "saved"),
                None => core.cite_person(person, &citation).await.map(|_| "cited"),
            };
            match done {
                Ok(done) => return redirect(&format!("/persons/{id}/history?done={done}"), &[]),
                Err(ServiceError::Invalid(problems)) => problems,
                Err(e) => return failure(&v, &state, &e),
            }
        }
    };
    // The person's form again, with what was typed and each problem beside
    // its field.
    let (data, record) = match (
        core.readable().await,
        core.record(RecordKind::Person, &id).await,
    ) {
        (Ok(d), Ok(r)) => (d, r),
        (Err(e), _) | (_, Err(e)) => return failure(&v, &state, &e),
    };
    let mut shown = values_of(&record, &data, v.lang);
    for name in ["cite_id", "cite_source", "cite_locator", "cite_quote"] {
        shown.insert(name.to_owned(), get(name));
    }
    let mut errors = Errors::new();
    for p in &problems {
        let field = match p.path.rsplit('.').next() {
            Some("quote") => "cite_quote",
            Some("locator") => "cite_locator",
            _ => "cite_source",
        };
        errors
            .entry(field.to_owned())
            .or_insert_with(|| crate::i18n::problem(v.lang, &p.message));
    }
    let action = format!("/persons/{id}");
    let markup = form_page(
        &v,
        &data,
        RecordKind::Person,
        &action,
        &shown,
        &errors,
        t(v.lang, "edit"),
    );
    page(&v, &state, StatusCode::UNPROCESSABLE_ENTITY, markup)
}

/// What the history page confirms.
#[derive(Deserialize)]
pub(crate) struct Done {
    #[serde(default)]
    done: Option<String>,
}

fn action_label(l: Lang, a: VersionAction) -> &'static str {
    t(
        l,
        match a {
            VersionAction::Imported => "version_imported",
            VersionAction::Create => "version_create",
            VersionAction::Update => "version_update",
            VersionAction::Archive => "version_archive",
            VersionAction::Restore => "version_restore",
        },
    )
}

/// A changed field as a reader reads it: its label, and its value with
/// codes given their labels and ids their records' names.
fn described(
    kind: RecordKind,
    data: &Dataset,
    l: Lang,
    field: &str,
    value: &str,
) -> (String, String) {
    let vocab = Vocabularies::builtin();
    let leaf = field.strip_prefix("coordinates.").unwrap_or(field);
    let form_field = any_field(kind, leaf);
    let label = match form_field {
        Some(Field(_, key, ..)) => t(l, key).to_owned(),
        None => row_label(l, field),
    };
    let named = data
        .places
        .iter()
        .find(|p| p.id.to_string() == value)
        .map(|p| p.name(l).to_owned())
        .or_else(|| {
            data.actors
                .iter()
                .find(|a| a.id.to_string() == value)
                .map(|a| a.name(l).to_owned())
        })
        .or_else(|| {
            data.sources
                .iter()
                .find(|s| s.id.to_string() == value)
                .map(|s| s.title.clone())
        })
        .or_else(|| {
            data.incidents
                .iter()
                .find(|i| i.id.to_string() == value)
                .map(|i| i.title.clone())
        })
        .or_else(|| {
            row_vocabulary(field).map(|which| vocab.label(which, &Term::new(value), l).to_owned())
        })
        .or_else(|| breakdown_value(field, value, l))
        .or_else(|| match value {
            "true" => Some(t(l, "yes").to_owned()),
            "false" => Some(t(l, "no").to_owned()),
            _ => None,
        });
    let shown = match (form_field.map(|f| f.2), named) {
        (_, Some(name)) => name,
        (Some(Input::Vocab(which)), None) => vocab.label(which, &Term::new(value), l).to_owned(),
        (Some(Input::Level), None) => Confidentiality::from_code(value)
            .map_or(value.to_owned(), |c| crate::i18n::level(l, c).to_owned()),
        (Some(Input::Precision), None) => CoordPrecision::from_code(value)
            .map_or(value.to_owned(), |c| precision_label(l, c).to_owned()),
        _ => value.to_owned(),
    };
    (label, shown)
}

/// A breakdown part's dimension or term, by its label.
fn breakdown_value(field: &str, value: &str, l: Lang) -> Option<String> {
    if !field.starts_with("breakdown[") {
        return None;
    }
    let vocab = Vocabularies::builtin();
    let term = Term::new(value);
    refwatch_domain::Dimension::ALL.into_iter().find_map(|d| {
        if field.ends_with(".dimension") && d.code() == value {
            crate::i18n::text(l, d.code()).map(str::to_owned)
        } else if field.ends_with(".term") && vocab.contains(d.vocabulary(), &term) {
            Some(vocab.label(d.vocabulary(), &term, l).to_owned())
        } else {
            None
        }
    })
}

/// A field in a list, as `Status timeline 1 · Date`; others by their key.
fn row_label(l: Lang, field: &str) -> String {
    let head = field.split(['.', '[']).next().unwrap_or(field);
    let list = crate::i18n::text(l, head).unwrap_or(head);
    let Some(rest) = field[head.len()..].strip_prefix('[') else {
        // A part of a field: `victims.low` → `People affected · Low`.
        return match field[head.len()..].strip_prefix('.') {
            Some(part) => format!("{list} · {}", crate::i18n::text(l, part).unwrap_or(part)),
            None => list.to_owned(),
        };
    };
    let (n, sub) = rest.split_once(']').unwrap_or((rest, ""));
    let row = n.parse::<usize>().map_or(0, |n| n + 1);
    let sub = sub.trim_start_matches('.');
    let sub_label = sub
        .split('.')
        .next_back()
        .and_then(|s| crate::i18n::text(l, s))
        .unwrap_or(sub);
    if sub.is_empty() {
        format!("{list} {row}")
    } else {
        format!("{list} {row} · {sub_label}")
    }
}

/// The vocabulary of a field in a list (`timeline[0].status`).
fn row_vocabulary(field: &str) -> Option<Vocabulary> {
    let head = field.split(['.', '[']).next()?;
    let leaf = field.rsplit('.').next()?;
    Some(match (head, leaf) {
        ("timeline", "status") => Vocabulary::PersonStatus,
        ("incidents", "role") => Vocabulary::PersonRole,
        ("places", "role") => Vocabulary::PlaceRole,
        ("actors", "role") => Vocabulary::ActorRole,
        ("breakdown", "term") => return None,
        _ => return None,
    })
}

fn versions_table(
    v: &Visitor,
    kind: RecordKind,
    data: &Dataset,
    base: &str,
    versions: &[VersionView],
    can_restore: bool,
) -> Markup {
    let l = v.lang;
    let show = |field: &str, value: &str| described(kind, data, l, field, value);
    let current = versions.last().map(|x| x.number);
    html! {
        div.scroll { table.history {
            thead { tr {
                th { (t(l, "version")) } th { (t(l, "when")) } th { (t(l, "by")) }
                th { (t(l, "version_action")) } th { (t(l, "changes")) } th {}
            } }
            tbody {
                @for x in versions.iter().rev() {
                    tr {
                        td.n { (x.number) }
                        td { time datetime=(x.at.to_string()) { (x.at.to_string().replace('T', " ").replace('Z', " UTC")) } }
                        td { (x.actor) }
                        td { (action_label(l, x.action)) @if let Some(r) = &x.reason { ": " (r) } }
                        td {
                            @if x.changes.is_empty() { "—" }
                            ul.changes {
                                @for c in &x.changes {
                                    li {
                                        (show(&c.field, "").0) ": "
                                        @if let Some(b) = &c.before { del { (show(&c.field, b).1) } " → " }
                                        @match &c.after { Some(a) => ins { (show(&c.field, a).1) }, None => em { (t(l, "removed")) } }
                                    }
                                }
                            }
                        }
                        td {
                            @if can_restore && (Some(x.number) != current || x.action == VersionAction::Archive) {
                                form method="post" action=(format!("{base}/history/{}/restore", x.number)) {
                                    input type="hidden" name="csrf" value=(v.csrf);
                                    button type="submit" { (t(l, "restore")) }
                                }
                            }
                        }
                    }
                }
            }
        } }
    }
}

/// `GET /{kind}/{id}/history`: the record as it is (or that it is
/// archived), the versions with what changed, archiving and restoring.
pub(crate) async fn history(
    kind: RecordKind,
    state: AppState,
    v: Visitor,
    id: String,
    done: Option<String>,
) -> Response {
    let l = v.lang;
    let core = state.core.for_caller(v.caller.clone());
    let versions = match core.history(kind, &id).await {
        Ok(h) => h,
        Err(e) => return failure(&v, &state, &e),
    };
    let current = core.record(kind, &id).await.ok();
    let data = match core.readable().await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let level = current
        .as_ref()
        .map(Record::level)
        .or_else(|| versions.last().map(|x| x.confidentiality))
        .unwrap_or(Confidentiality::Confidential);
    let can_change = may(&v, Operation::Update, level);
    let base = format!("/{}/{id}", kind.list_name());
    let shown = match &current {
        Some(r) => record_json(r),
        None => Value::Null,
    };
    let name = shown["title"]
        .as_str()
        .or(shown[if l == Lang::Ko { "name_ko" } else { "name_en" }].as_str())
        .or(shown["name_en"].as_str())
        .map_or_else(
            || format!("{} {}…", t(l, kind.code()), id.get(..8).unwrap_or(&id)),
            str::to_owned,
        );
    // A source's documents, as evidence files the caller may read.
    let documents: Vec<refwatch_domain::Evidence> = if kind == RecordKind::Source {
        core.evidence_list()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e.source.to_string() == id)
            .collect()
    } else {
        Vec::new()
    };
    let confirmation = done.as_deref().and_then(|d| match d {
        "saved" => Some("saved_ok"),
        "cited" => Some("cited_ok"),
        "archived" => Some("archived_ok"),
        "restored" => Some("restored_ok"),
        _ => None,
    });
    let body = html! {
        h1 { (name) }
        @if let Some(key) = confirmation { p.notice role="status" { (t(l, key)) } }
        @if current.is_none() { p.notice { (t(l, "archived_record")) } }
        @if can_change && current.is_some() {
            p {
                @if kind == RecordKind::Person {
                    a href=(format!("{base}/edit")) { (t(l, "edit")) }
                    " · " a href=(base.clone()) { (t(l, "person")) }
                } @else if kind == RecordKind::Incident {
                    a href=(format!("/incidents/{id}/edit")) { (t(l, "edit")) }
                    " · " a href=(format!("/incidents/{id}")) { (t(l, "incident")) }
                } @else {
                    a href=(format!("{base}/edit")) { (t(l, "edit")) }
                    @if kind == RecordKind::Source {
                        " · " a href=(format!("/evidence?source={id}")) { (t(l, "attach_document")) }
                    }
                }
            }
            {
                form method="post" action=(format!("{base}/archive")) {
                    input type="hidden" name="csrf" value=(v.csrf);
                    label { (t(l, "archive_reason")) input name="reason" required; }
                    button type="submit" { (t(l, "archive")) }
                }
            }
        }
        @if !documents.is_empty() {
            h2 { (t(l, "source_documents")) }
            ul.documents {
                @for e in &documents {
                    li { a href=(format!("/evidence/{}", e.id)) { code { (e.hash.to_string().get(..16).unwrap_or_default()) "…" } } " · " (e.media.code()) " · " (crate::i18n::level(l, e.confidentiality)) }
                }
            }
        }
        h2 { (t(l, "history")) }
        @if versions.is_empty() { p { (t(l, "no_versions")) } }
        @else { (versions_table(&v, kind, &data, &base, &versions, can_change)) }
    };
    page(&v, &state, StatusCode::OK, layout(&v, &name, &base, body))
}

/// `POST /{kind}/{id}/archive` with a reason.
pub(crate) async fn archive(
    kind: RecordKind,
    state: AppState,
    v: Visitor,
    id: String,
    values: Values,
) -> Response {
    if let Some(refused) = checked(&v, &state, &values) {
        return refused;
    }
    let reason = values.get("reason").map_or("", String::as_str);
    let base = format!("/{}/{id}", kind.list_name());
    match state
        .core
        .for_caller(v.caller.clone())
        .archive_record(kind, &id, reason)
        .await
    {
        Ok(()) => redirect(&format!("{base}/history?done=archived"), &[]),
        Err(e) => refusal(&v, &state, &base, &e),
    }
}

/// A change refused: said in words, with the way back to the record.
fn refusal(v: &Visitor, state: &AppState, base: &str, e: &ServiceError) -> Response {
    let l = v.lang;
    let message = match e {
        ServiceError::Invalid(problems) => problems
            .iter()
            .map(|p| crate::i18n::problem(l, &p.message))
            .collect::<Vec<_>>()
            .join(" "),
        ServiceError::Store(refwatch_storage::StoreError::StillLinked(_)) => {
            t(l, "still_linked").to_owned()
        }
        other => return failure(v, state, other),
    };
    let body = html! {
        p.error role="alert" { (message) }
        p { a href=(format!("{base}/history")) { (t(l, "back")) } }
    };
    page(
        v,
        state,
        StatusCode::UNPROCESSABLE_ENTITY,
        layout(v, t(l, "not_saved"), base, body),
    )
}

/// `POST /{kind}/{id}/history/{number}/restore`.
pub(crate) async fn restore(
    kind: RecordKind,
    state: AppState,
    v: Visitor,
    (id, number): (String, String),
    values: Values,
) -> Response {
    if let Some(refused) = checked(&v, &state, &values) {
        return refused;
    }
    let base = format!("/{}/{id}", kind.list_name());
    let Ok(number) = number.parse::<u32>() else {
        return failure(&v, &state, &not_found());
    };
    match state
        .core
        .for_caller(v.caller.clone())
        .restore_version(kind, &id, number)
        .await
    {
        Ok(()) => redirect(&format!("{base}/history?done=restored"), &[]),
        Err(e) => refusal(&v, &state, &base, &e),
    }
}

/// Adds the pages of every kind to `router`.
pub(crate) fn routes(mut router: axum::Router<AppState>) -> axum::Router<AppState> {
    use axum::routing::{get, post};
    for kind in RecordKind::ALL {
        let base = format!("/{}", kind.list_name());
        router = router
            .route(
                &format!("{base}/{{id}}/history"),
                get(
                    move |State(s): State<AppState>,
                          v: Visitor,
                          Path(id): Path<String>,
                          Query(d): Query<Done>| {
                        history(kind, s, v, id, d.done)
                    },
                ),
            )
            .route(
                &format!("{base}/{{id}}/archive"),
                post(
                    move |State(s): State<AppState>,
                          v: Visitor,
                          Path(id): Path<String>,
                          Form(f): Form<Values>| archive(kind, s, v, id, f),
                ),
            )
            .route(
                &format!("{base}/{{id}}/history/{{number}}/restore"),
                post(
                    move |State(s): State<AppState>,
                          v: Visitor,
                          Path(p): Path<(String, String)>,
                          Form(f): Form<Values>| restore(kind, s, v, p, f),
                ),
            );
        if kind == RecordKind::Incident {
            // Its own form (forms.rs) records and edits it.
            continue;
        }
        router = router
            .route(
                &format!("{base}/new"),
                get(
                    move |State(s): State<AppState>, v: Visitor, Query(k): Query<NewKind>| {
                        new_form(kind, s, v, k.kind)
                    },
                ),
            )
            .route(
                &format!("{base}/{{id}}/edit"),
                get(
                    move |State(s): State<AppState>, v: Visitor, Path(id): Path<String>| {
                        edit_form(kind, s, v, id)
                    },
                ),
            );
    }
    router
}

/// `GET /{places,actors}/{id}`: their page is their history.
pub(crate) async fn show(kind: RecordKind, id: String) -> Response {
    redirect(&format!("/{}/{id}/history", kind.list_name()), &[])
}

/// The evidence linked to an incident or person, for members: each file
/// the reader may see, and for those who may change the record, a form to
/// link another file they may see and a button to unlink each.
pub(crate) async fn evidence_section(
    state: &AppState,
    v: &Visitor,
    kind: RecordKind,
    id: &str,
    level: Confidentiality,
) -> Markup {
    if v.token.is_none() {
        return html! {};
    }
    let l = v.lang;
    let core = state.core.for_caller(v.caller.clone());
    let linked = core.linked_evidence(kind, id).await.unwrap_or_default();
    let can_change = may(v, Operation::Update, level);
    let all = if can_change {
        core.evidence_list().await.unwrap_or_default()
    } else {
        Vec::new()
    };
    let action = format!("/{}/{id}/evidence", kind.list_name());
    let label = |e: &refwatch_domain::Evidence| {
        format!(
            "{} · {} · {}",
            &e.id.to_string()[..8],
            e.media.code(),
            e.received_at.to_string().get(..10).unwrap_or("")
        )
    };
    html! {
        h2 { (t(l, "evidence")) }
        @if linked.is_empty() { p { (t(l, "no_evidence_linked")) } }
        ul {
            @for e in &linked {
                li {
                    a href={ "/evidence/" (e.id) } { (label(e)) }
                    @if can_change {
                        " "
                        form.inline method="post" action=(action) {
                            input type="hidden" name="csrf" value=(v.csrf);
                            input type="hidden" name="evidence" value=(e.id);
                            input type="hidden" name="linked" value="no";
                            button type="submit" { (t(l, "unlink")) }
                        }
                    }
                }
            }
        }
        @if can_change && !all.is_empty() {
            form method="post" action=(action) {
                input type="hidden" name="csrf" value=(v.csrf);
                input type="hidden" name="linked" value="yes";
                label { (t(l, "link_evidence"))
                    select name="evidence" {
                        @for e in &all { option value=(e.id) { (label(e)) } }
                    }
                }
                button type="submit" { (t(l, "link")) }
            }
        }
    }
}

/// `POST /{incidents,persons}/{id}/evidence`: links or unlinks a file.
pub(crate) async fn link_evidence(
    kind: RecordKind,
    state: AppState,
    v: Visitor,
    id: String,
    values: Values,
) -> Response {
    if let Some(refused) = checked(&v, &state, &values) {
        return refused;
    }
    let back = format!("/{}/{id}", kind.list_name());
    let Ok(evidence) = values
        .get("evidence")
        .map_or("", String::as_str)
        .parse::<refwatch_domain::EvidenceId>()
    else {
        return failure(&v, &state, &not_found());
    };
    let linked = values.get("linked").map(String::as_str) != Some("no");
    match state
        .core
        .for_caller(v.caller.clone())
        .link_evidence(evidence, kind, &id, linked)
        .await
    {
        Ok(()) => redirect(&back, &[]),
        Err(e) => refusal(&v, &state, &back, &e),
    }
}
