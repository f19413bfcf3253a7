//! `/import`: a spreadsheet in through the browser, without JavaScript:
//! upload, a column-mapping step with a preview and every problem by row
//! and column, then the import (the same converter and importer as
//! `refwatch import FILE.csv`).
//!
//! An uploaded file is held in memory only (never on disk), for the
//! session that uploaded it, until it is imported or for 30 minutes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use refwatch_domain::{Confidentiality, Lang, Vocabularies};
use refwatch_policy::{Operation, decide};
use refwatch_service::ServiceError;
use refwatch_tabular::{Converted, Field, Located, Mapping, RecordKind, Sheet};

use crate::AppState;
use crate::auth::Visitor;
use crate::i18n::t;
use crate::pages::{layout, page};

/// How long an upload is held.
const KEEP: Duration = Duration::from_secs(30 * 60);
/// How many uploads are held at once (the oldest goes first).
const MAX_HELD: usize = 16;
/// The largest spreadsheet taken through the browser.
pub(crate) const MAX_SHEET: usize = 16 * 1024 * 1024;
/// Records shown in the preview.
const PREVIEW: usize = 50;

struct Held {
    owner: String,
    name: String,
    bytes: Vec<u8>,
    at: Instant,
}

/// Uploaded spreadsheets between the mapping step and the import.
#[derive(Default)]
pub(crate) struct Uploads(Mutex<HashMap<String, Held>>);

impl Uploads {
    fn hold(&self, owner: &str, name: String, bytes: Vec<u8>) -> String {
        let token = random_token();
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        held.retain(|_, h| h.at.elapsed() < KEEP);
        while held.len() >= MAX_HELD {
            let oldest = held
                .iter()
                .min_by_key(|(_, h)| h.at)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => held.remove(&k),
                None => break,
            };
        }
        held.insert(
            token.clone(),
            Held {
                owner: owner.to_owned(),
                name,
                bytes,
                at: Instant::now(),
            },
        );
        token
    }

    fn get(&self, owner: &str, token: &str) -> Option<(String, Vec<u8>)> {
        let held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        held.get(token)
            .filter(|h| h.owner == owner && h.at.elapsed() < KEEP)
            .map(|h| (h.name.clone(), h.bytes.clone()))
    }

    fn drop_token(&self, token: &str) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(token);
    }
}

fn random_token() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn may_import(v: &Visitor) -> bool {
    decide(
        v.caller.principal,
        Operation::Create,
        Confidentiality::Restricted,
    )
    .allowed()
}

fn field_label(l: Lang, f: Field) -> &'static str {
    match f {
        Field::Title => t(l, "field_title"),
        Field::Summary => t(l, "field_summary"),
        Field::Date => t(l, "field_date"),
        Field::Kind => t(l, "field_kind"),
        Field::Victims => t(l, "field_victims"),
        Field::Places => t(l, "field_places"),
        Field::Geolocation => t(l, "field_geolocation"),
        Field::Verification => t(l, "field_verification"),
        Field::Confidentiality => t(l, "confidentiality"),
        Field::Source => t(l, "field_source"),
        Field::Locator => t(l, "field_locator"),
        Field::Quote => t(l, "field_quote"),
        Field::Note => t(l, "field_note"),
        Field::Publisher => t(l, "field_publisher"),
        Field::Author => t(l, "field_author"),
        Field::Url => t(l, "field_url"),
        Field::Language => t(l, "field_language"),
        Field::Reliability => t(l, "field_reliability"),
        Field::Symbol => t(l, "field_symbol"),
        Field::NameEn => t(l, "field_name_en"),
        Field::NameKo => t(l, "field_name_ko"),
        Field::NameZh => t(l, "field_name_zh"),
        Field::Country => t(l, "field_country"),
        Field::Parent => t(l, "field_parent"),
        Field::Precision => t(l, "field_precision"),
        Field::NameHangul => t(l, "field_name_hangul"),
        Field::NameRomanized => t(l, "field_name_romanized"),
        Field::NameChinese => t(l, "field_name_chinese"),
        Field::Birth => t(l, "field_birth"),
        Field::Sex => t(l, "field_sex"),
        Field::AgeGroup => t(l, "field_age_group"),
        Field::Origin => t(l, "field_origin"),
        Field::Category => t(l, "field_category"),
        Field::Status => t(l, "field_status"),
        Field::StatusDate => t(l, "field_status_date"),
        Field::Ignore => t(l, "field_ignore"),
    }
}

fn kind_of(text: &str) -> RecordKind {
    RecordKind::from_name(text).unwrap_or(RecordKind::Incidents)
}

fn upload_form(v: &Visitor) -> Markup {
    let l = v.lang;
    html! {
        form.upload method="post" action="/import" enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(v.csrf);
            p { label { (t(l, "import_file")) " " input type="file" name="file" accept=".csv,.tsv,.xlsx" required; } }
            p { label { (t(l, "import_as")) " "
                select name="kind" {
                    option value="incidents" { (t(l, "incidents")) }
                    option value="sources" { (t(l, "sources")) }
                    option value="places" { (t(l, "places")) }
                    option value="persons" { (t(l, "persons")) }
                }
            } }
            button type="submit" name="action" value="preview" { (t(l, "import_preview")) }
        }
    }
}

/// `GET /import`.
pub(crate) async fn import_page(State(state): State<AppState>, v: Visitor) -> Response {
    let l = v.lang;
    let (status, body) = if may_import(&v) {
        (
            StatusCode::OK,
            html! {
                h1 { (t(l, "import")) }
                p { (t(l, "import_intro")) }
                (upload_form(&v))
            },
        )
    } else {
        (
            StatusCode::FORBIDDEN,
            html! { h1 { (t(l, "import")) } p.error role="alert" { (t(l, "import_denied")) } },
        )
    };
    page(
        &v,
        &state,
        status,
        layout(&v, t(l, "import"), "/import", body),
    )
}

/// The fields of a posted import form.
#[derive(Default)]
struct Form {
    csrf: String,
    file: Option<(String, Vec<u8>)>,
    upload: String,
    kind: String,
    action: String,
    columns: BTreeMap<usize, String>,
    confidentiality: String,
}

async fn read_form(mut form: Multipart) -> Result<Form, &'static str> {
    let mut f = Form::default();
    while let Some(field) = form.next_field().await.map_err(|_| "import_cut_off")? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(|_| "import_cut_off")?;
            if !bytes.is_empty() {
                f.file = Some((file_name, bytes.to_vec()));
            }
            continue;
        }
        let text = field.text().await.map_err(|_| "import_cut_off")?;
        match name.as_str() {
            "csrf" => f.csrf = text,
            "upload" => f.upload = text,
            "kind" => f.kind = text,
            "action" => f.action = text,
            "confidentiality" => f.confidentiality = text,
            other => {
                if let Some(i) = other.strip_prefix("col").and_then(|n| n.parse().ok()) {
                    f.columns.insert(i, text);
                }
            }
        }
    }
    Ok(f)
}

fn read_sheet(name: &str, bytes: &[u8]) -> Result<Sheet, String> {
    let lower = name.to_ascii_lowercase();
    let read = if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
        refwatch_tabular::read_xlsx(bytes, None)
    } else {
        refwatch_tabular::read_csv(name, bytes)
    };
    read.map_err(|e| e.to_string())
}

/// The mapping the form asks for: the guess on first upload, then the
/// fields chosen for each column of the header row.
fn mapping_of(form: &Form, kind: RecordKind, sheet: &Sheet) -> (Mapping, Option<Vec<String>>) {
    let guessed = refwatch_tabular::guess(kind, sheet);
    let header = refwatch_tabular::header(sheet, &guessed)
        .or_else(|| sheet.rows.first().cloned())
        .map(|(_, cells)| cells);
    let mut mapping = guessed;
    if !form.columns.is_empty()
        && let Some(cells) = &header
    {
        mapping.columns = form
            .columns
            .iter()
            .filter_map(|(&i, field)| {
                let header = cells.get(i).filter(|h| !h.is_empty())?;
                let field = Field::of(kind)
                    .iter()
                    .copied()
                    .find(|f| f.name() == field)?;
                (field != Field::Ignore).then(|| refwatch_tabular::mapping::Column {
                    header: header.clone(),
                    field,
                    values: BTreeMap::new(),
                })
            })
            .collect();
    }
    if let Some(level) = Confidentiality::ALL
        .into_iter()
        .find(|c| c.code() == form.confidentiality)
    {
        mapping
            .defaults
            .insert("confidentiality".into(), level.code().into());
    }
    (mapping, header)
}

/// `POST /import`: the mapping step with its preview, or the import.
pub(crate) async fn import_post(
    State(state): State<AppState>,
    v: Visitor,
    form: Multipart,
) -> Response {
    let l = v.lang;
    let shown = |status, body| {
        page(
            &v,
            &state,
            status,
            layout(&v, t(l, "import"), "/import", body),
        )
    };
    let refuse = |key: &'static str| {
        html! { h1 { (t(l, "import")) } p.error role="alert" { (t(l, key)) } (upload_form(&v)) }
    };
    let form = match read_form(form).await {
        Ok(f) => f,
        Err(key) => return shown(StatusCode::UNPROCESSABLE_ENTITY, refuse(key)),
    };
    if !v.posted_here(&form.csrf) {
        return shown(StatusCode::FORBIDDEN, refuse("bad_form"));
    }
    if !may_import(&v) {
        return shown(StatusCode::FORBIDDEN, refuse("import_denied"));
    }
    let (token, name, bytes) = match form.file.clone() {
        Some((name, bytes)) => {
            let token = state.uploads.hold(&v.csrf, name.clone(), bytes.clone());
            (token, name, bytes)
        }
        None => match state.uploads.get(&v.csrf, &form.upload) {
            Some((name, bytes)) => (form.upload.clone(), name, bytes),
            None => {
                let key = if form.upload.is_empty() {
                    "import_choose_file"
                } else {
                    "import_expired"
                };
                return shown(StatusCode::UNPROCESSABLE_ENTITY, refuse(key));
            }
        },
    };
    let sheet = match read_sheet(&name, &bytes) {
        Ok(s) => s,
        Err(why) => {
            state.uploads.drop_token(&token);
            return shown(
                StatusCode::UNPROCESSABLE_ENTITY,
                html! { h1 { (t(l, "import")) } p.error role="alert" { (t(l, "import_unreadable")) " " (why) } (upload_form(&v)) },
            );
        }
    };
    let kind = kind_of(&form.kind);
    let (mapping, header) = mapping_of(&form, kind, &sheet);
    let core = state.core.for_caller(v.caller.clone());
    let existing = match core.readable().await {
        Ok(d) => d,
        Err(e) => return crate::pages::failure(&v, &state, &e),
    };
    let vocab = Vocabularies::builtin();
    // Persons' ids are keyed (they must say nothing about the person).
    let person_id = |parts: &[&str]| core.sheet_row_id(parts).unwrap_or_default();
    let keyed: Option<refwatch_tabular::PersonIds> = if core.sheet_row_id(&[]).is_ok() {
        Some(&person_id)
    } else {
        None
    };
    let converted = refwatch_tabular::convert_with(&sheet, &mapping, &existing, &vocab, keyed);
    let step = Step {
        token: &token,
        name: &name,
        kind,
        mapping: &mapping,
        header: header.as_deref().unwrap_or_default(),
    };
    let converted = match converted {
        Ok(c) => c,
        Err(problems) => {
            return shown(
                StatusCode::UNPROCESSABLE_ENTITY,
                step.render(&v, None, &problems, None),
            );
        }
    };
    let incoming = match refwatch_interchange::parse_value(converted.dataset.clone()) {
        Ok(d) => d,
        Err(problems) => {
            let located = locate(&converted, &problems);
            return shown(
                StatusCode::UNPROCESSABLE_ENTITY,
                step.render(&v, Some(&converted), &located, None),
            );
        }
    };
    if form.action != "import" {
        let problems = refwatch_domain::validate_addition(
            &refwatch_domain::context_for(&existing, &incoming),
            &incoming,
            &vocab,
        );
        let located = locate(&converted, &problems);
        let status = if located.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return shown(status, step.render(&v, Some(&converted), &located, None));
    }
    if converted.rows.is_empty() {
        return shown(StatusCode::OK, step.render(&v, Some(&converted), &[], None));
    }
    match core.import(&incoming).await {
        Ok(_) => {
            state.uploads.drop_token(&token);
            let count = converted.rows.len();
            let list = match kind {
                RecordKind::Incidents => "/incidents",
                RecordKind::Sources => "/sources",
                RecordKind::Places => "/places",
                RecordKind::Persons => "/persons",
            };
            shown(
                StatusCode::OK,
                html! {
                    h1 { (t(l, "import")) }
                    p.notice role="status" {
                        (t(l, "import_done")) " " (count) " "
                        a href=(list) { (t(l, match kind { RecordKind::Incidents => "incidents", RecordKind::Sources => "sources", RecordKind::Places => "places", RecordKind::Persons => "persons" })) }
                    }
                    (upload_form(&v))
                },
            )
        }
        Err(ServiceError::Invalid(problems)) => {
            let located = locate(&converted, &problems);
            shown(
                StatusCode::UNPROCESSABLE_ENTITY,
                step.render(&v, Some(&converted), &located, None),
            )
        }
        Err(e) => crate::pages::failure(&v, &state, &e),
    }
}

fn locate(converted: &Converted, problems: &[refwatch_domain::Problem]) -> Vec<Located> {
    problems
        .iter()
        .map(|p| converted.locate(&p.path, &p.message))
        .collect()
}

/// The mapping step of one upload.
struct Step<'a> {
    token: &'a str,
    name: &'a str,
    kind: RecordKind,
    mapping: &'a Mapping,
    header: &'a [String],
}

impl Step<'_> {
    fn render(
        &self,
        v: &Visitor,
        converted: Option<&Converted>,
        problems: &[Located],
        notice: Option<Markup>,
    ) -> Markup {
        let l = v.lang;
        let chosen = |header: &str| {
            self.mapping
                .columns
                .iter()
                .find(|c| c.header == header)
                .map_or(Field::Ignore, |c| c.field)
        };
        let level = self
            .mapping
            .defaults
            .get("confidentiality")
            .map_or("restricted", String::as_str);
        let ready = problems.is_empty() && converted.is_some_and(|c| !c.rows.is_empty());
        html! {
            h1 { (t(l, "import")) }
            @if let Some(n) = notice { (n) }
            p { (t(l, "import_file")) ": " strong { (self.name) } }
            form method="post" action="/import" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(v.csrf);
                input type="hidden" name="upload" value=(self.token);
                input type="hidden" name="kind" value=(self.kind.name());
                h2 { (t(l, "import_columns")) }
                div.scroll { table {
                    thead { tr { th { (t(l, "import_column")) } th { (t(l, "import_field")) } } }
                    tbody {
                        @for (i, header) in self.header.iter().enumerate() {
                            @if !header.is_empty() {
                                tr {
                                    td { (refwatch_tabular::read::column_letters(i)) " · " (header) }
                                    td {
                                        select name=(format!("col{i}")) aria-label=(format!("{}: {header}", t(l, "import_field"))) {
                                            @for f in Field::of(self.kind) {
                                                option value=(f.name()) selected[chosen(header) == *f] { (field_label(l, *f)) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                } }
                p { label { (t(l, "import_default_confidentiality")) " "
                    select name="confidentiality" {
                        @for c in Confidentiality::ALL {
                            option value=(c.code()) selected[c.code() == level] { (crate::i18n::level(l, c)) }
                        }
                    }
                } }
                button type="submit" name="action" value="preview" { (t(l, "import_preview")) }
                @if ready {
                    " "
                    button type="submit" name="action" value="import" {
                        (t(l, "import_do")) " (" (converted.map_or(0, |c| c.rows.len())) ")"
                    }
                }
            }
            @if !problems.is_empty() {
                h2 { (t(l, "import_problems")) }
                ul.error role="alert" {
                    @for p in problems { li { (p.describe(l)) } }
                }
            }
            @if let Some(c) = converted { (preview(l, self.kind, c)) }
        }
    }
}

fn preview(l: Lang, kind: RecordKind, c: &Converted) -> Markup {
    let key = kind.name();
    let records = c.dataset[key].as_array().cloned().unwrap_or_default();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    html! {
        h2 { (t(l, "import_would_create")) " (" (records.len()) ")" }
        @if !c.already.is_empty() {
            p { (t(l, "import_already")) ": " (c.already.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) }
        }
        @if !records.is_empty() {
            div.scroll { table {
                thead { tr {
                    th { (t(l, "import_row")) } th { (t(l, "field_title")) }
                    @match kind {
                        RecordKind::Incidents => { th { (t(l, "field_date")) } th { (t(l, "field_kind")) } th { (t(l, "field_victims")) } }
                        RecordKind::Sources => { th { (t(l, "field_kind")) } th { (t(l, "field_url")) } }
                        RecordKind::Places => { th { (t(l, "field_kind")) } th { (t(l, "field_country")) } }
                        RecordKind::Persons => { th { (t(l, "field_sex")) } th { (t(l, "field_status")) } }
                    }
                } }
                tbody {
                    @for (row, r) in c.rows.iter().zip(&records).take(PREVIEW) {
                        tr {
                            td.n { (row) }
                            @match kind {
                                RecordKind::Incidents => {
                                    td { (text(&r["title"])) }
                                    td { (text(&r["date"])) }
                                    td { (label(l, refwatch_domain::Vocabulary::IncidentKind, &text(&r["kind"]))) }
                                    td { (count(&r["victims"])) }
                                }
                                RecordKind::Sources => {
                                    td { (text(&r["title"])) }
                                    td { (label(l, refwatch_domain::Vocabulary::SourceKind, &text(&r["kind"]))) }
                                    td { (text(&r["url"])) }
                                }
                                RecordKind::Places => {
                                    td { (text(&r["name_en"])) " " (text(&r["name_ko"])) }
                                    td { (label(l, refwatch_domain::Vocabulary::PlaceKind, &text(&r["kind"]))) }
                                    td { (text(&r["country"])) }
                                }
                                // Never a name or a birth date: only what a
                                // list of persons shows.
                                RecordKind::Persons => {
                                    td { (t(l, "import_person_hidden")) }
                                    td { (label(l, refwatch_domain::Vocabulary::Sex, &text(&r["sex"]))) }
                                    td { (label(l, refwatch_domain::Vocabulary::PersonStatus, &text(&r["timeline"][0]["status"]))) " " (text(&r["timeline"][0]["date"])) }
                                }
                            }
                        }
                    }
                }
            } }
        }
        @if !c.matched.is_empty() {
            h2 { (t(l, "import_matched")) }
            ul { @for m in c.matched.iter().take(PREVIEW) { li { (m.describe(l)) } } }
        }
    }
}

fn label(l: Lang, vocab: refwatch_domain::Vocabulary, code: &str) -> String {
    static BUILTIN: std::sync::LazyLock<Vocabularies> =
        std::sync::LazyLock::new(Vocabularies::builtin);
    let term = refwatch_domain::Term::new(code);
    BUILTIN.label(vocab, &term, l).to_owned()
}

fn count(v: &serde_json::Value) -> String {
    let n = |k: &str| v[k].as_u64();
    match (n("low"), n("best"), n("high")) {
        (Some(lo), Some(b), Some(h)) => format!("{lo}–{h} ({b})"),
        (Some(lo), Some(b), None) if lo == b => format!("{lo}"),
        (Some(lo), None, Some(h)) => format!("{lo}–{h}"),
        (Some(lo), _, None) => format!("≥ {lo}"),
        _ => String::new(),
    }
}

/// A list as a download: CSV or XLSX, with HXL hashtags when asked.
pub(crate) fn list_download(
    v: &Visitor,
    state: &AppState,
    table: &refwatch_tabular::lists::Table,
    name: &str,
    xlsx: bool,
    hxl: bool,
) -> Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let (content_type, file, bytes) = if xlsx {
        match table.to_xlsx(hxl) {
            Ok(bytes) => (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                format!("{name}.xlsx"),
                bytes,
            ),
            Err(_) => {
                return crate::pages::failure(
                    v,
                    state,
                    &ServiceError::User("cannot make the workbook".into()),
                );
            }
        }
    } else {
        (
            "text/csv; charset=utf-8",
            format!("{name}.csv"),
            table.to_csv(hxl).into_bytes(),
        )
    };
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `?hxl=1` on a download.
#[derive(serde::Deserialize)]
pub(crate) struct ListFile {
    hxl: Option<String>,
}

async fn list_file(
    state: AppState,
    v: Visitor,
    list: refwatch_tabular::lists::List,
    name: &str,
    xlsx: bool,
    hxl: bool,
) -> Response {
    let data = match state.core.for_caller(v.caller.clone()).readable().await {
        Ok(d) => d,
        Err(e) => return crate::pages::failure(&v, &state, &e),
    };
    let table = refwatch_tabular::lists::table(&data, list, v.lang, None);
    list_download(&v, &state, &table, name, xlsx, hxl)
}

macro_rules! list_route {
    ($name:ident, $list:ident, $file:literal, $xlsx:literal) => {
        /// A list as a download (see `list_download`).
        pub(crate) async fn $name(
            State(state): State<AppState>,
            v: Visitor,
            axum::extract::Query(q): axum::extract::Query<ListFile>,
        ) -> Response {
            list_file(
                state,
                v,
                refwatch_tabular::lists::List::$list,
                $file,
                $xlsx,
                q.hxl.is_some(),
            )
            .await
        }
    };
}

list_route!(sources_csv, Sources, "refwatch-sources", false);
list_route!(sources_xlsx, Sources, "refwatch-sources", true);
list_route!(mechanisms_csv, Mechanisms, "refwatch-mechanisms", false);
list_route!(mechanisms_xlsx, Mechanisms, "refwatch-mechanisms", true);
