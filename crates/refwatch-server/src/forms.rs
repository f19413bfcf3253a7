//! Recording and editing incidents: forms validated on the server, which
//! keep what was typed and show each problem beside its field.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use refwatch_domain::{
    Citation, CitationId, Confidentiality, Count, Dataset, Incident, IncidentId, Problem, SourceId,
    Term, Vocabularies, Vocabulary,
};
use refwatch_policy::{Operation, decide};
use refwatch_service::ServiceError;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Visitor;
use crate::i18n::t;
use crate::pages::{failure, layout, page, redirect};

/// What the incident form sends; every field as typed.
#[derive(Deserialize, Default, Clone)]
pub(crate) struct IncidentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    low: String,
    #[serde(default)]
    best: String,
    #[serde(default)]
    high: String,
    #[serde(default)]
    verification: String,
    #[serde(default)]
    confidentiality: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    locator: String,
    #[serde(default)]
    quote: String,
}

type Errors = HashMap<&'static str, String>;

/// The form field a validation problem belongs to.
fn field_of(path: &str) -> &'static str {
    const FIELDS: [(&str, &str); 10] = [
        (".citations[0].quote", "quote"),
        (".citations[0].locator", "locator"),
        (".citations[0].source", "source"),
        (".citations", "quote"),
        (".victims", "low"),
        (".kind", "kind"),
        (".title", "title"),
        (".date", "date"),
        (".verification", "verification"),
        (".confidentiality", "confidentiality"),
    ];
    FIELDS
        .iter()
        .find(|(suffix, _)| path.contains(suffix))
        .map_or("title", |(_, f)| f)
}

fn number(
    errors: &mut Errors,
    lang: refwatch_domain::Lang,
    field: &'static str,
    text: &str,
) -> Option<u64> {
    let text = text.trim().replace(',', "");
    if text.is_empty() {
        return None;
    }
    match text.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.insert(field, t(lang, "not_a_number").to_owned());
            None
        }
    }
}

/// Reads the form into an incident (its id given), or the field errors.
fn read(
    form: &IncidentForm,
    id: IncidentId,
    base: Option<&Incident>,
    lang: refwatch_domain::Lang,
) -> Result<Incident, Errors> {
    let mut errors = Errors::new();
    let date = match form.date.trim().parse() {
        Ok(d) => Some(d),
        Err(e) => {
            errors.insert("date", format!("{e}"));
            None
        }
    };
    let low = number(&mut errors, lang, "low", &form.low);
    let best = number(&mut errors, lang, "best", &form.best);
    let high = number(&mut errors, lang, "high", &form.high);
    if low.is_none() && !errors.contains_key("low") {
        errors.insert("low", t(lang, "not_a_number").to_owned());
    }
    let confidentiality =
        Confidentiality::from_code(&form.confidentiality).unwrap_or(Confidentiality::Confidential);
    let mut citations = base.map(|b| b.citations.clone()).unwrap_or_default();
    if base.is_none() || !form.quote.trim().is_empty() {
        match form.source.parse::<SourceId>() {
            Ok(source) => citations.push(Citation {
                id: CitationId::random(),
                source,
                via: None,
                locator: form.locator.trim().to_owned(),
                quote: form.quote.trim().to_owned(),
                note: None,
            }),
            Err(_) => {
                errors.insert("source", t(lang, "source").to_owned());
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some(date), Some(low)) = (date, low) else {
        return Err(errors);
    };
    Ok(Incident {
        id,
        kind: Term::new(form.kind.trim()),
        title: form.title.trim().to_owned(),
        summary: form.summary.trim().to_owned(),
        date,
        places: base.map(|b| b.places.clone()).unwrap_or_default(),
        actors: base.map(|b| b.actors.clone()).unwrap_or_default(),
        victims: Count { low, best, high },
        breakdown: base.map(|b| b.breakdown.clone()).unwrap_or_default(),
        verification: Term::new(form.verification.trim()),
        confidentiality,
        reports: base.map(|b| b.reports.clone()).unwrap_or_default(),
        citations,
    })
}

fn problems_to_errors(problems: &[Problem]) -> Errors {
    let mut errors = Errors::new();
    for p in problems {
        errors
            .entry(field_of(&p.path))
            .or_insert_with(|| p.message.clone());
    }
    errors
}

fn form_page(
    v: &Visitor,
    data: &Dataset,
    action: &str,
    form: &IncidentForm,
    errors: &Errors,
    new: bool,
) -> Markup {
    let l = v.lang;
    let vocab = Vocabularies::builtin();
    let err = |f: &str| {
        errors
            .get(f)
            .map(|m| html! { span.error role="alert" { (m) } })
    };
    let select = |name: &'static str, vocab_name: Vocabulary, current: &str| {
        html! {
            select name=(name) {
                @for code in vocab.codes(vocab_name) {
                    option value=(code) selected[current == code] { (vocab.label(vocab_name, &Term::new(code), l)) }
                }
            }
        }
    };
    let title = if new {
        t(l, "new_incident")
    } else {
        t(l, "edit")
    };
    let body = html! {
        h1 { (title) }
        @if !errors.is_empty() { p.error role="alert" { (t(l, "fix_below")) } }
        form method="post" action=(action) {
            input type="hidden" name="csrf" value=(v.csrf);
            label { (t(l, "kind")) (select("kind", Vocabulary::IncidentKind, &form.kind)) (err("kind").unwrap_or_default()) }
            label { (t(l, "title")) input name="title" required value=(form.title); (err("title").unwrap_or_default()) }
            label { (t(l, "summary")) textarea name="summary" rows="4" { (form.summary) } }
            label { (t(l, "date")) " (" (t(l, "date_hint")) ")" input name="date" required value=(form.date); (err("date").unwrap_or_default()) }
            label { (t(l, "low")) input name="low" inputmode="numeric" required value=(form.low); (err("low").unwrap_or_default()) }
            label { (t(l, "best")) input name="best" inputmode="numeric" value=(form.best); (err("best").unwrap_or_default()) }
            label { (t(l, "high")) input name="high" inputmode="numeric" value=(form.high); (err("high").unwrap_or_default()) }
            label { (t(l, "verification")) (select("verification", Vocabulary::Verification, &form.verification)) (err("verification").unwrap_or_default()) }
            label { (t(l, "confidentiality"))
                select name="confidentiality" {
                    @for c in Confidentiality::ALL {
                        option value=(c.code()) selected[form.confidentiality == c.code()] { (crate::i18n::level(l, c)) }
                    }
                }
            }
            fieldset {
                legend { (t(l, "citations")) }
                label { (t(l, "source"))
                    select name="source" {
                        @for s in &data.sources { option value=(s.id) selected[form.source == s.id.to_string()] { (s.title) } }
                    }
                    (err("source").unwrap_or_default())
                }
                label { (t(l, "locator")) input name="locator" value=(form.locator); (err("locator").unwrap_or_default()) }
                label { (t(l, "quote")) textarea name="quote" rows="3" { (form.quote) } (err("quote").unwrap_or_default()) }
            }
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

pub(crate) async fn new_incident(State(state): State<AppState>, v: Visitor) -> Response {
    if !can(&v, Operation::Create) {
        return failure(&v, &state, &not_found());
    }
    let data = match state.core.for_caller(v.caller.clone()).readable().await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let form = IncidentForm {
        verification: "single_source".into(),
        confidentiality: "restricted".into(),
        ..IncidentForm::default()
    };
    page(
        &v,
        &state,
        StatusCode::OK,
        form_page(&v, &data, "/incidents", &form, &Errors::new(), true),
    )
}

pub(crate) async fn create_incident(
    State(state): State<AppState>,
    v: Visitor,
    Form(form): Form<IncidentForm>,
) -> Response {
    if !can(&v, Operation::Create) {
        return failure(&v, &state, &not_found());
    }
    if !v.posted_here(&form.csrf) {
        return failure(
            &v,
            &state,
            &ServiceError::Denied("post a form from elsewhere"),
        );
    }
    let core = state.core.for_caller(v.caller.clone());
    let data = match core.readable().await {
        Ok(d) => d,
        Err(e) => return failure(&v, &state, &e),
    };
    let id = IncidentId::random();
    let errors = match read(&form, id, None, v.lang) {
        Ok(incident) => match core
            .import(&Dataset {
                incidents: vec![incident.into()],
                ..Dataset::default()
            })
            .await
        {
            Ok(_) => return redirect(&format!("/incidents/{id}"), &[]),
            Err(ServiceError::Invalid(problems)) => problems_to_errors(&problems),
            Err(e) => return failure(&v, &state, &e),
        },
        Err(errors) => errors,
    };
    page(
        &v,
        &state,
        StatusCode::UNPROCESSABLE_ENTITY,
        form_page(&v, &data, "/incidents", &form, &errors, true),
    )
}

fn form_of(i: &Incident) -> IncidentForm {
    IncidentForm {
        csrf: String::new(),
        kind: i.kind.code().to_owned(),
        title: i.title.clone(),
        summary: i.summary.clone(),
        date: i.date.to_string(),
        low: i.victims.low.to_string(),
        best: i.victims.best.map(|b| b.to_string()).unwrap_or_default(),
        high: i.victims.high.map(|h| h.to_string()).unwrap_or_default(),
        verification: i.verification.code().to_owned(),
        confidentiality: i.confidentiality.code().to_owned(),
        source: String::new(),
        locator: String::new(),
        quote: String::new(),
    }
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
            page(
                &v,
                &state,
                StatusCode::OK,
                form_page(
                    &v,
                    &data,
                    &action,
                    &form_of(&incident),
                    &Errors::new(),
                    false,
                ),
            )
        }
        Err(e) => failure(&v, &state, &e),
    }
}

pub(crate) async fn update_incident(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    Form(form): Form<IncidentForm>,
) -> Response {
    if !v.posted_here(&form.csrf) {
        return failure(
            &v,
            &state,
            &ServiceError::Denied("post a form from elsewhere"),
        );
    }
    let (data, base) = match editable(&state, &v, &id).await {
        Ok(found) => found,
        Err(e) => return failure(&v, &state, &e),
    };
    let action = format!("/incidents/{}", base.id);
    let errors = match read(&form, base.id, Some(&base), v.lang) {
        Ok(incident) => match state
            .core
            .for_caller(v.caller.clone())
            .update_incident(&incident)
            .await
        {
            Ok(()) => return redirect(&action, &[]),
            Err(ServiceError::Invalid(problems)) => problems_to_errors(&problems),
            Err(e) => return failure(&v, &state, &e),
        },
        Err(errors) => errors,
    };
    page(
        &v,
        &state,
        StatusCode::UNPROCESSABLE_ENTITY,
        form_page(&v, &data, &action, &form, &errors, false),
    )
}
