//! Rows to records: each row of a sheet becomes one record of the dataset
//! file, its references (sources, places, vocabulary terms) resolved
//! against what the database holds. Every problem is collected, none
//! stops the others being found.

use std::collections::HashMap;
use std::str::FromStr;

use refwatch_domain::{Dataset, IncidentId, Place, PlaceId, SourceId, Vocabularies, Vocabulary};
use serde_json::{Value, json};

use crate::mapping::{Column, Field, Mapping, RecordKind};
use crate::problem::{Located, Problem};
use crate::read::{Sheet, column_letters};
use crate::values::{self, ValueError, header_key, normalise};

/// How near a point a place must be to be taken for it.
const NEAR_KM: f64 = 25.0;

/// How far down a header row is looked for (a title row, merged across
/// the columns, often sits above it).
const HEADER_ROWS: usize = 20;

/// What a sheet becomes.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    /// The new records as a dataset file, ready for the importer.
    pub dataset: Value,
    /// The row each new record came from, in the file's order.
    pub rows: Vec<usize>,
    /// Rows whose record the database already holds (imported before),
    /// left out.
    pub already: Vec<usize>,
    /// How references were resolved, row by row.
    pub matched: Vec<Matched>,
    /// The header row and each mapped column's index.
    columns: Placed,
    header_row: usize,
    sheet: String,
}

/// A cell taken as a record already in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    /// The row.
    pub row: usize,
    /// The cell's text (one part of it, for a list of places).
    pub cell: String,
    /// A place or a source.
    pub kind: Reference,
    /// The record's English name or title.
    pub name: String,
    /// Its Korean name, for places that have one.
    pub name_ko: Option<String>,
}

/// What a cell refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    /// A place.
    Place,
    /// A source.
    Source,
}

impl Matched {
    /// "row 3: 선양 is place \"Shenyang\"" in the reader's language.
    pub fn describe(&self, lang: refwatch_domain::Lang) -> String {
        match lang {
            refwatch_domain::Lang::Ko => {
                let what = match self.kind {
                    Reference::Place => "장소",
                    Reference::Source => "출처",
                };
                let name = self.name_ko.as_deref().unwrap_or(&self.name);
                format!("{}행: \"{}\" → {what} \"{name}\"", self.row, self.cell)
            }
            refwatch_domain::Lang::En => {
                let what = match self.kind {
                    Reference::Place => "place",
                    Reference::Source => "source",
                };
                format!(
                    "Row {}: \"{}\" is {what} \"{}\".",
                    self.row, self.cell, self.name
                )
            }
        }
    }
}

/// The header row: the first, of the first rows, that names the most of
/// the mapped columns.
fn header_row(sheet: &Sheet, mapping: &Mapping) -> Option<usize> {
    let wanted: Vec<String> = mapping
        .columns
        .iter()
        .map(|c| header_key(&c.header))
        .collect();
    let (best, hits) = sheet
        .rows
        .iter()
        .take(HEADER_ROWS)
        .enumerate()
        .map(|(i, (_, cells))| {
            let hits = cells
                .iter()
                .filter(|c| wanted.contains(&header_key(c)))
                .count();
            (i, hits)
        })
        .fold((0, 0), |best, row| if row.1 > best.1 { row } else { best });
    (hits > 0).then_some(best)
}

/// The header row a mapping finds in a sheet: its row number and cells.
pub fn header(sheet: &Sheet, mapping: &Mapping) -> Option<(usize, Vec<String>)> {
    header_row(sheet, mapping).map(|i| sheet.rows[i].clone())
}

/// The mapping guessed from the row, among the first ones, whose headers
/// name the most fields.
pub fn guess(kind: RecordKind, sheet: &Sheet) -> Mapping {
    sheet
        .rows
        .iter()
        .take(HEADER_ROWS)
        .map(|(_, cells)| Mapping::guess(kind, cells))
        .max_by_key(|m| m.columns.len())
        .unwrap_or_else(|| Mapping::guess(kind, &[]))
}

/// A vocabulary term from a cell: its code, its English or Korean label,
/// or a value the mapping maps (compared without spaces or case).
fn term(
    vocab: &Vocabularies,
    terms: &Terms,
    which: Vocabulary,
    column: Option<&Column>,
    cell: &str,
) -> Result<String, Problem> {
    // A grouped value (Uwazi's `Group::Term`): the whole, then its parts,
    // the most specific first.
    let mut tries = vec![cell];
    if cell.contains("::") {
        tries.extend(values::grouped(cell));
    }
    let mut last = None;
    for t in tries {
        match term_one(vocab, terms, which, column, t) {
            Ok(code) => return Ok(code),
            Err(p) => last = last.or(Some(p)),
        }
    }
    Err(last.unwrap_or(Problem::Term {
        value: cell.to_owned(),
        known: Vec::new(),
    }))
}

/// Every vocabulary's codes and labels, normalised, to their codes: made
/// once per sheet, so that a row costs a lookup, not a pass over labels.
pub(crate) struct Terms {
    by_text: HashMap<(Vocabulary, String), String>,
}

impl Terms {
    pub(crate) fn new(vocab: &Vocabularies) -> Self {
        let mut by_text = HashMap::new();
        for which in Vocabulary::ALL {
            for code in vocab.codes(which) {
                let term = refwatch_domain::Term::new(code);
                for text in [
                    code,
                    vocab.label(which, &term, refwatch_domain::Lang::En),
                    vocab.label(which, &term, refwatch_domain::Lang::Ko),
                ] {
                    by_text
                        .entry((which, normalise(text)))
                        .or_insert_with(|| code.to_owned());
                }
            }
        }
        Self { by_text }
    }
}

fn term_one(
    vocab: &Vocabularies,
    terms: &Terms,
    which: Vocabulary,
    column: Option<&Column>,
    cell: &str,
) -> Result<String, Problem> {
    let n = normalise(cell);
    if let Some(code) = column.and_then(|c| {
        c.values
            .iter()
            .find(|(k, _)| normalise(k) == n)
            .map(|(_, v)| v.clone())
    }) {
        return Ok(code);
    }
    if let Some(code) = terms.by_text.get(&(which, n)) {
        return Ok(code.clone());
    }
    let codes: Vec<&str> = vocab.codes(which).collect();
    Err(Problem::Term {
        value: cell.to_owned(),
        known: codes
            .iter()
            .map(|c| {
                vocab
                    .label(
                        which,
                        &refwatch_domain::Term::new(*c),
                        refwatch_domain::Lang::Ko,
                    )
                    .to_owned()
            })
            .collect(),
    })
}

fn confidentiality(cell: &str) -> Result<&'static str, Problem> {
    match normalise(cell).as_str() {
        "public" | "공개" => Ok("public"),
        "restricted" | "제한" | "비공개" | "내부" => Ok("restricted"),
        "confidential" | "기밀" | "극비" => Ok("confidential"),
        _ => Err(Problem::Confidentiality {
            value: cell.to_owned(),
        }),
    }
}

/// A stable 64-bit FNV-1a hash, for ids derived from a row's content.
fn fnv(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0x1f]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// One row's cells by field.
struct Row<'a> {
    number: usize,
    cells: HashMap<Field, &'a str>,
}

impl Row<'_> {
    fn get(&self, field: Field) -> &str {
        self.cells.get(&field).copied().unwrap_or("")
    }
}

struct Work<'a> {
    sheet: &'a Sheet,
    mapping: &'a Mapping,
    existing: &'a Dataset,
    vocab: &'a Vocabularies,
    columns: Vec<(usize, Column)>,
    problems: Vec<Located>,
    matched: Vec<Matched>,
    /// Places made by earlier rows, by normalised name, for parents.
    new_places: HashMap<String, String>,
    index: Index<'a>,
    /// The keyed id of a person's row (see [`PersonIds`]).
    person_id: Option<PersonIds<'a>>,
}

/// Makes the id of a person's row from its parts: a keyed hash (the
/// importer's key), so that the id says nothing about the person.
pub type PersonIds<'a> = &'a dyn Fn(&[&str]) -> String;

/// The database's sources and places by their normalised names, and the
/// vocabularies' terms: made once per sheet.
struct Index<'a> {
    sources: HashMap<String, &'a refwatch_domain::Source>,
    places: HashMap<String, &'a Place>,
    terms: Terms,
    incident_ids: std::collections::HashSet<IncidentId>,
    person_ids: std::collections::HashSet<refwatch_domain::PersonId>,
    source_ids: std::collections::HashSet<SourceId>,
    place_ids: std::collections::HashSet<PlaceId>,
}

impl<'a> Index<'a> {
    fn new(existing: &'a Dataset, vocab: &Vocabularies) -> Self {
        let mut sources = HashMap::new();
        for s in &existing.sources {
            sources.entry(normalise(&s.title)).or_insert(s);
        }
        for s in &existing.sources {
            if let Some(u) = &s.url {
                sources.entry(normalise(u)).or_insert(s);
            }
        }
        let mut places = HashMap::new();
        for p in &existing.places {
            for name in [Some(&p.name_en), p.name_ko.as_ref(), p.name_zh.as_ref()]
                .into_iter()
                .flatten()
            {
                places.entry(normalise(name)).or_insert(p);
            }
        }
        Self {
            sources,
            places,
            terms: Terms::new(vocab),
            incident_ids: existing.incidents.iter().map(|i| i.id).collect(),
            person_ids: existing.persons.iter().map(|p| p.id).collect(),
            source_ids: existing.sources.iter().map(|s| s.id).collect(),
            place_ids: existing.places.iter().map(|p| p.id).collect(),
        }
    }
}

impl<'a> Work<'a> {
    fn problem(&mut self, row: usize, field: Option<Field>, problem: Problem) {
        let column = field.and_then(|f| {
            self.columns
                .iter()
                .find(|(_, c)| c.field == f)
                .map(|(i, c)| (column_letters(*i), c.header.clone()))
        });
        self.problems.push(Located {
            sheet: self.sheet.name.clone(),
            row,
            column,
            problem,
        });
    }

    fn column(&self, field: Field) -> Option<&Column> {
        self.columns
            .iter()
            .find(|(_, c)| c.field == field)
            .map(|(_, c)| c)
    }

    /// A vocabulary term from the row's cell, or the mapping's default.
    fn term(
        &mut self,
        row: &Row,
        field: Field,
        which: Vocabulary,
        fallback: Option<&str>,
    ) -> Option<String> {
        let cell = row.get(field);
        let default = self
            .mapping
            .defaults
            .get(field.name())
            .map(String::as_str)
            .or(fallback);
        let text = if cell.is_empty() { default? } else { cell };
        match term(
            self.vocab,
            &self.index.terms,
            which,
            self.column(field),
            text,
        ) {
            Ok(code) => Some(code),
            Err(p) => {
                self.problem(row.number, Some(field), p);
                None
            }
        }
    }

    fn required<'r>(&mut self, row: &'r Row, field: Field) -> Option<&'r str> {
        let cell = row.get(field);
        if cell.is_empty() {
            self.problem(
                row.number,
                Some(field),
                Problem::Empty {
                    field: field.name(),
                },
            );
            return None;
        }
        Some(cell)
    }

    fn date(&mut self, row: &Row, required: bool) -> Option<String> {
        let cell = row.get(Field::Date);
        if cell.is_empty() && !required {
            return None;
        }
        if cell.is_empty() {
            self.problem(
                row.number,
                Some(Field::Date),
                Problem::Empty { field: "date" },
            );
            return None;
        }
        match values::date(cell) {
            Ok(d) => Some(d),
            Err(e) => {
                let value = cell.to_owned();
                let p = match e {
                    ValueError::Backwards => Problem::Backwards { value },
                    _ => Problem::Date { value },
                };
                self.problem(row.number, Some(Field::Date), p);
                None
            }
        }
    }

    fn confidentiality(&mut self, row: &Row) -> Option<&'static str> {
        let cell = row.get(Field::Confidentiality);
        let text = if cell.is_empty() {
            self.mapping
                .defaults
                .get("confidentiality")
                .map_or("restricted", String::as_str)
                .to_owned()
        } else {
            cell.to_owned()
        };
        match confidentiality(&text) {
            Ok(c) => Some(c),
            Err(p) => {
                self.problem(row.number, Some(Field::Confidentiality), p);
                None
            }
        }
    }

    fn source(&mut self, row: &Row) -> Option<SourceId> {
        let cell = self.required(row, Field::Source)?;
        let found = self.index.sources.get(&normalise(cell)).copied();
        match found {
            Some(s) => {
                self.matched.push(Matched {
                    row: row.number,
                    cell: cell.to_owned(),
                    kind: Reference::Source,
                    name: s.title.clone(),
                    name_ko: None,
                });
                Some(s.id)
            }
            None => {
                self.problem(
                    row.number,
                    Some(Field::Source),
                    Problem::NoSource {
                        value: cell.to_owned(),
                    },
                );
                None
            }
        }
    }

    /// A place by a name in any of its languages (for a grouped value,
    /// the most specific part that names one).
    fn place_named(&self, name: &str) -> Option<&'a Place> {
        let mut tries = vec![name];
        if name.contains("::") {
            tries.extend(values::grouped(name));
        }
        tries
            .into_iter()
            .find_map(|t| self.index.places.get(&normalise(t)).copied())
    }

    /// A place named in a cell, or a problem at that cell.
    fn place_in(&mut self, row: &Row, field: Field, name: &str) -> Option<&'a Place> {
        let found = self.place_named(name);
        if found.is_none() {
            self.problem(
                row.number,
                Some(field),
                Problem::NoPlace {
                    value: name.to_owned(),
                },
            );
        }
        found
    }

    fn matched_place(&mut self, row: usize, cell: String, p: &Place) {
        self.matched.push(Matched {
            row,
            cell,
            kind: Reference::Place,
            name: p.name_en.clone(),
            name_ko: p.name_ko.clone(),
        });
    }

    fn places(&mut self, row: &Row, role: &str) -> Vec<Value> {
        let mut out = Vec::new();
        for name in values::split_list(row.get(Field::Places)) {
            if let Some(p) = self.place_in(row, Field::Places, &name) {
                self.matched_place(row.number, name.clone(), p);
                out.push(json!({ "place": p.id.to_string(), "role": role }));
            }
        }
        let point = row.get(Field::Geolocation);
        if out.is_empty() && !point.is_empty() {
            match values::geolocation(point) {
                None => self.problem(
                    row.number,
                    Some(Field::Geolocation),
                    Problem::Point {
                        value: point.to_owned(),
                    },
                ),
                Some(at) => match self.nearest(at) {
                    Some(p) => {
                        self.matched_place(row.number, point.to_owned(), p);
                        out.push(json!({ "place": p.id.to_string(), "role": role }));
                    }
                    None => self.problem(
                        row.number,
                        Some(Field::Geolocation),
                        Problem::NoPlaceNear {
                            value: point.to_owned(),
                        },
                    ),
                },
            }
        }
        out
    }

    /// The place with coordinates nearest a point, within [`NEAR_KM`].
    fn nearest(&self, at: (f64, f64)) -> Option<&'a Place> {
        self.existing
            .places
            .iter()
            .filter_map(|p| {
                let c = p.coordinates.as_ref()?;
                Some((values::kilometres(at, (c.lat, c.lon)), p))
            })
            .filter(|(d, _)| *d <= NEAR_KM)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, p)| p)
    }

    fn incident(&mut self, row: &Row) -> Option<(String, Value)> {
        let title = self.required(row, Field::Title);
        let date = self.date(row, true);
        let kind = self.term(row, Field::Kind, Vocabulary::IncidentKind, None);
        if kind.is_none()
            && row.get(Field::Kind).is_empty()
            && !self.mapping.defaults.contains_key("kind")
        {
            self.problem(
                row.number,
                Some(Field::Kind),
                Problem::Empty { field: "kind" },
            );
        }
        let verification = self.term(
            row,
            Field::Verification,
            Vocabulary::Verification,
            Some("single_source"),
        );
        let role = self
            .mapping
            .defaults
            .get("place_role")
            .cloned()
            .unwrap_or_else(|| "location".to_owned());
        let places = self.places(row, &role);
        let count = match values::count(row.get(Field::Victims)) {
            Ok(c) => Some(c),
            Err(e) => {
                let value = row.get(Field::Victims).to_owned();
                let p = match e {
                    ValueError::Backwards => Problem::Backwards { value },
                    _ => Problem::Count { value },
                };
                self.problem(row.number, Some(Field::Victims), p);
                None
            }
        };
        let confidentiality = self.confidentiality(row);
        let source = self.source(row);
        let locator = self.required(row, Field::Locator);
        let quote = self.required(row, Field::Quote);
        let (title, date, kind, verification, count, confidentiality, source, locator, quote) = (
            title?,
            date?,
            kind?,
            verification?,
            count?,
            confidentiality?,
            source?,
            locator?,
            quote?,
        );
        let source = source.to_string();
        let hash = fnv(&[title, &date, &source, locator, quote]);
        let mut victims = json!({ "low": count.low });
        if let Some(b) = count.best {
            victims["best"] = json!(b);
        }
        if let Some(h) = count.high {
            victims["high"] = json!(h);
        }
        let note: Vec<String> = [
            count.reading.map(|r| format!("count {r}")),
            Some(row.get(Field::Note).to_owned()),
        ]
        .into_iter()
        .flatten()
        .filter(|n| !n.is_empty())
        .collect();
        let mut citation = json!({
            "id": format!("key:sheet-{hash}-c"),
            "source": source,
            "locator": locator,
            "quote": quote,
        });
        if !note.is_empty() {
            citation["note"] = json!(note.join("; "));
        }
        let id = format!("key:sheet-{hash}");
        Some((
            id.clone(),
            json!({
                "id": id,
                "kind": kind,
                "title": title,
                "summary": row.get(Field::Summary),
                "date": date,
                "places": places,
                "victims": victims,
                "verification": verification,
                "confidentiality": confidentiality,
                "citations": [citation],
            }),
        ))
    }

    /// The place a place row lies within: one of the database's, or one
    /// made by an earlier row.
    fn parent(&mut self, row: &Row) -> Option<Option<String>> {
        let cell = row.get(Field::Parent);
        if cell.is_empty() {
            return Some(None);
        }
        if let Some(id) = self.new_places.get(&normalise(cell)) {
            return Some(Some(id.clone()));
        }
        match self.place_named(cell) {
            Some(p) => {
                self.matched_place(row.number, cell.to_owned(), p);
                Some(Some(p.id.to_string()))
            }
            None => {
                self.place_in(row, Field::Parent, cell);
                None
            }
        }
    }

    fn place_record(&mut self, row: &Row) -> Option<(String, Value)> {
        let name = self.required(row, Field::NameEn);
        let kind = self.term(row, Field::Kind, Vocabulary::PlaceKind, None);
        if kind.is_none()
            && row.get(Field::Kind).is_empty()
            && !self.mapping.defaults.contains_key("kind")
        {
            self.problem(
                row.number,
                Some(Field::Kind),
                Problem::Empty { field: "kind" },
            );
        }
        let parent = self.parent(row);
        let point = row.get(Field::Geolocation);
        let at = if point.is_empty() {
            Some(None)
        } else {
            match values::geolocation(point) {
                Some(at) => Some(Some(at)),
                None => {
                    self.problem(
                        row.number,
                        Some(Field::Geolocation),
                        Problem::Point {
                            value: point.to_owned(),
                        },
                    );
                    None
                }
            }
        };
        let (name, kind, parent, at) = (name?, kind?, parent?, at?);
        let country = row.get(Field::Country).to_uppercase();
        let id = format!(
            "key:sheet-{}",
            fnv(&[name, parent.as_deref().unwrap_or(""), &country])
        );
        let mut record = json!({ "id": id, "kind": kind, "name_en": name });
        for (field, key) in [(Field::NameKo, "name_ko"), (Field::NameZh, "name_zh")] {
            let cell = row.get(field);
            if !cell.is_empty() {
                record[key] = json!(cell);
            }
        }
        if !country.is_empty() {
            record["country"] = json!(country);
        }
        if let Some(p) = parent {
            record["parent"] = json!(p);
        }
        if let Some((lat, lon)) = at {
            let precision = match row.get(Field::Precision) {
                "" => match kind.as_str() {
                    "country" => "country",
                    "province" => "province",
                    "prefecture" | "county" | "region" => "district",
                    "city" => "city",
                    _ => "exact",
                }
                .to_owned(),
                given => given.trim().to_lowercase(),
            };
            record["coordinates"] = json!({ "lat": lat, "lon": lon, "precision": precision });
        }
        for n in [
            Some(name),
            row.cells.get(&Field::NameKo).copied(),
            row.cells.get(&Field::NameZh).copied(),
        ]
        .into_iter()
        .flatten()
        .filter(|n| !n.is_empty())
        {
            self.new_places.insert(normalise(n), id.clone());
        }
        Some((id, record))
    }

    /// A person's birth: the year apart, a fuller date as an identity.
    /// A problem never quotes the cell (it identifies the person).
    fn birth(&mut self, row: &Row) -> Option<(Option<i64>, Option<String>)> {
        let cell = row.get(Field::Birth);
        if cell.is_empty() {
            return Some((None, None));
        }
        let read = values::date(cell).ok().filter(|d| !d.contains('/'));
        let Some(date) = read else {
            self.problem(row.number, Some(Field::Birth), Problem::Birth);
            return None;
        };
        let plain = date.trim_start_matches('~');
        let year: Option<i64> = plain.get(..4).and_then(|y| y.parse().ok());
        let full = (plain.len() > 4).then(|| date.clone());
        Some((year, full))
    }

    fn citation(&mut self, row: &Row, id: &str) -> Option<Value> {
        let source = self.source(row);
        let locator = self.required(row, Field::Locator);
        let quote = self.required(row, Field::Quote);
        let (source, locator, quote) = (source?, locator?, quote?);
        let mut citation = json!({
            "id": format!("{id}-c"),
            "source": source.to_string(),
            "locator": locator,
            "quote": quote,
        });
        let note = row.get(Field::Note);
        if !note.is_empty() {
            citation["note"] = json!(note);
        }
        Some(citation)
    }

    /// The date of a person's latest status: both cells or neither.
    fn status_date(&mut self, row: &Row) -> Option<Option<String>> {
        match (
            row.get(Field::Status).is_empty(),
            row.get(Field::StatusDate),
        ) {
            (true, "") => Some(None),
            (false, "") => {
                self.problem(
                    row.number,
                    Some(Field::StatusDate),
                    Problem::Empty {
                        field: "status_date",
                    },
                );
                None
            }
            (true, _) => {
                self.problem(
                    row.number,
                    Some(Field::Status),
                    Problem::Empty { field: "status" },
                );
                None
            }
            (false, cell) => match values::date(cell) {
                Ok(d) => Some(Some(d)),
                Err(_) => {
                    self.problem(
                        row.number,
                        Some(Field::StatusDate),
                        Problem::Date {
                            value: cell.to_owned(),
                        },
                    );
                    None
                }
            },
        }
    }

    /// A person's place of origin, by name.
    fn origin(&mut self, row: &Row) -> Option<Option<String>> {
        match row.get(Field::Origin) {
            "" => Some(None),
            name => self
                .place_in(row, Field::Origin, name)
                .map(|p| Some(p.id.to_string())),
        }
    }

    fn person_record(&mut self, row: &Row) -> Option<(String, Value)> {
        let birth = self.birth(row);
        let optional_term = |work: &mut Self, field, which| {
            if row.get(field).is_empty() {
                Some(None)
            } else {
                work.term(row, field, which, None).map(Some)
            }
        };
        let sex = optional_term(self, Field::Sex, Vocabulary::Sex);
        let age_group = optional_term(self, Field::AgeGroup, Vocabulary::AgeGroup);
        let category = optional_term(self, Field::Category, Vocabulary::VictimCategory);
        let status = optional_term(self, Field::Status, Vocabulary::PersonStatus);
        let status_date = self.status_date(row);
        let origin = self.origin(row);
        let confidentiality = self.confidentiality(row);
        let parts = [
            row.get(Field::NameHangul),
            row.get(Field::NameRomanized),
            row.get(Field::NameChinese),
            row.get(Field::Birth),
            row.get(Field::Source),
            row.get(Field::Locator),
            row.get(Field::Quote),
        ];
        let id = (self.person_id?)(&parts);
        let citation = self.citation(row, &id);
        let (
            (year, full),
            sex,
            age_group,
            category,
            status,
            status_date,
            origin,
            confidentiality,
            citation,
        ) = (
            birth?,
            sex?,
            age_group?,
            category?,
            status?,
            status_date?,
            origin?,
            confidentiality?,
            citation?,
        );
        let mut identity = serde_json::Map::new();
        for (field, key) in [
            (Field::NameHangul, "name_hangul"),
            (Field::NameRomanized, "name_romanized"),
            (Field::NameChinese, "name_chinese"),
        ] {
            let cell = row.get(field);
            if !cell.is_empty() {
                identity.insert(key.into(), json!(cell));
            }
        }
        if let Some(d) = full {
            identity.insert("birth_date".into(), json!(d));
        }
        let mut record = json!({
            "id": id,
            "consent_public": false,
            "confidentiality": confidentiality,
            "citations": [citation],
        });
        if !identity.is_empty() {
            record["identity"] = Value::Object(identity);
        }
        for (key, value) in [
            ("sex", sex),
            ("age_group", age_group),
            ("category", category),
            ("origin_place", origin),
        ] {
            if let Some(v) = value {
                record[key] = json!(v);
            }
        }
        if let Some(y) = year {
            record["birth_year"] = json!(y);
        }
        if let (Some(s), Some(d)) = (status, status_date) {
            record["timeline"] = json!([{ "date": d, "status": s }]);
        }
        Some((id, record))
    }

    fn source_record(&mut self, row: &Row) -> Option<(String, Value)> {
        let title = self.required(row, Field::Title);
        let kind = self.term(row, Field::Kind, Vocabulary::SourceKind, None);
        if kind.is_none()
            && row.get(Field::Kind).is_empty()
            && !self.mapping.defaults.contains_key("kind")
        {
            self.problem(
                row.number,
                Some(Field::Kind),
                Problem::Empty { field: "kind" },
            );
        }
        let date = self.date(row, false);
        let reliability = if row.get(Field::Reliability).is_empty() {
            None
        } else {
            Some(self.term(row, Field::Reliability, Vocabulary::Reliability, None)?)
        };
        let confidentiality = self.confidentiality(row);
        let (title, kind, confidentiality) = (title?, kind?, confidentiality?);
        let url = row.get(Field::Url);
        let id = format!("key:sheet-{}", fnv(&[title, url]));
        let mut record = json!({
            "id": id,
            "kind": kind,
            "title": title,
            "confidentiality": confidentiality,
        });
        for (field, name) in [
            (Field::Publisher, "publisher"),
            (Field::Author, "author"),
            (Field::Url, "url"),
            (Field::Language, "language"),
            (Field::Symbol, "symbol"),
            (Field::Note, "note"),
        ] {
            let cell = row.get(field);
            if !cell.is_empty() {
                record[name] = json!(cell);
            }
        }
        if let Some(d) = date {
            record["date"] = json!(d);
        }
        if let Some(r) = reliability {
            record["reliability"] = json!(r);
        }
        Some((id, record))
    }
}

/// Whether the database already holds a record with this id.
fn exists(index: &Index, kind: RecordKind, id: &str) -> bool {
    match kind {
        RecordKind::Incidents => {
            IncidentId::from_str(id).is_ok_and(|id| index.incident_ids.contains(&id))
        }
        RecordKind::Sources => {
            SourceId::from_str(id).is_ok_and(|id| index.source_ids.contains(&id))
        }
        RecordKind::Places => PlaceId::from_str(id).is_ok_and(|id| index.place_ids.contains(&id)),
        RecordKind::Persons => {
            refwatch_domain::PersonId::from_str(id).is_ok_and(|id| index.person_ids.contains(&id))
        }
    }
}

/// Each mapped column with its index in the sheet.
type Placed = Vec<(usize, Column)>;

/// Finds the header row and each mapped column, or says what is missing.
fn columns(sheet: &Sheet, mapping: &Mapping) -> Result<(usize, Placed), Vec<Located>> {
    let at_sheet = |problem| Located {
        sheet: sheet.name.clone(),
        row: 0,
        column: None,
        problem,
    };
    let Some(header) = header_row(sheet, mapping) else {
        return Err(vec![at_sheet(Problem::NoHeader {
            wanted: mapping.columns.iter().map(|c| c.header.clone()).collect(),
        })]);
    };
    let (header_number, cells) = &sheet.rows[header];
    let mut problems = Vec::new();
    let mut found = Vec::new();
    for column in &mapping.columns {
        match cells
            .iter()
            .position(|c| header_key(c) == header_key(&column.header))
        {
            Some(i) => found.push((i, column.clone())),
            None => problems.push(Located {
                sheet: sheet.name.clone(),
                row: *header_number,
                column: None,
                problem: Problem::MissingColumn {
                    header: column.header.clone(),
                    present: cells.iter().filter(|c| !c.is_empty()).cloned().collect(),
                },
            }),
        }
    }
    for field in Field::required(mapping.kind) {
        let defaulted = *field == Field::Kind && mapping.defaults.contains_key("kind");
        if mapping.column(*field).is_none() && !defaulted {
            problems.push(at_sheet(Problem::Unmapped {
                field: field.name(),
            }));
        }
    }
    if problems.is_empty() {
        Ok((header, found))
    } else {
        Err(problems)
    }
}

/// Turns the rows under the header into records of the mapping's kind.
/// Rows the database already holds are left out (and listed); empty rows
/// are skipped. On any problem, every problem found is returned.
pub fn convert(
    sheet: &Sheet,
    mapping: &Mapping,
    existing: &Dataset,
    vocab: &Vocabularies,
) -> Result<Converted, Vec<Located>> {
    convert_with(sheet, mapping, existing, vocab, None)
}

/// [`convert`], with the keyed ids persons need (without them, a sheet of
/// persons is refused: their ids must not be a plain hash of a name).
pub fn convert_with<'a>(
    sheet: &'a Sheet,
    mapping: &'a Mapping,
    existing: &'a Dataset,
    vocab: &'a Vocabularies,
    person_id: Option<PersonIds<'a>>,
) -> Result<Converted, Vec<Located>> {
    if mapping.kind == RecordKind::Persons && person_id.is_none() {
        return Err(vec![Located {
            sheet: sheet.name.clone(),
            row: 0,
            column: None,
            problem: Problem::NeedsKey,
        }]);
    }
    let (header, columns) = columns(sheet, mapping)?;
    let mut work = Work {
        sheet,
        mapping,
        existing,
        vocab,
        columns,
        problems: Vec::new(),
        matched: Vec::new(),
        new_places: HashMap::new(),
        index: Index::new(existing, vocab),
        person_id,
    };
    let mut records = Vec::new();
    let mut rows = Vec::new();
    let mut already = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (number, cells) in &sheet.rows[header + 1..] {
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let row = Row {
            number: *number,
            cells: work
                .columns
                .iter()
                .filter(|(_, c)| c.field != Field::Ignore)
                .map(|(i, c)| (c.field, cells.get(*i).map_or("", String::as_str)))
                .collect(),
        };
        let made = match mapping.kind {
            RecordKind::Incidents => work.incident(&row),
            RecordKind::Sources => work.source_record(&row),
            RecordKind::Places => work.place_record(&row),
            RecordKind::Persons => work.person_record(&row),
        };
        let Some((id, record)) = made else { continue };
        if let Some(&earlier) = seen.get(&id) {
            work.problem(*number, None, Problem::Repeats { row: earlier });
            continue;
        }
        seen.insert(id.clone(), *number);
        if exists(&work.index, mapping.kind, &id) {
            already.push(*number);
            continue;
        }
        records.push(record);
        rows.push(*number);
    }
    if !work.problems.is_empty() {
        return Err(work.problems);
    }
    let key = mapping.kind.name();
    let mut dataset = json!({ "format": "refwatch-dataset", "version": 1 });
    dataset[key] = Value::Array(records);
    Ok(Converted {
        dataset,
        rows,
        already,
        matched: work.matched,
        columns: work.columns,
        header_row: sheet.rows[header].0,
        sheet: sheet.name.clone(),
    })
}

impl Converted {
    /// Places a problem the importer found at `path` (`incidents[3].date`,
    /// `incidents[0].citations[0].quote`) in the sheet.
    pub fn locate(&self, path: &str, message: &str) -> Located {
        let index = path
            .split_once('[')
            .and_then(|(_, rest)| rest.split_once(']'))
            .and_then(|(n, _)| n.parse::<usize>().ok());
        let row = index
            .and_then(|i| self.rows.get(i).copied())
            .unwrap_or(self.header_row);
        let last = path.rsplit('.').next().unwrap_or_default();
        let last = last.split('[').next().unwrap_or_default();
        let field = match last {
            "title" => Some(Field::Title),
            "summary" => Some(Field::Summary),
            "date" => Some(Field::Date),
            "kind" => Some(Field::Kind),
            "victims" | "low" | "best" | "high" => Some(Field::Victims),
            "places" | "place" | "role" => Some(Field::Places),
            "verification" => Some(Field::Verification),
            "confidentiality" => Some(Field::Confidentiality),
            "source" => Some(Field::Source),
            "locator" => Some(Field::Locator),
            "quote" => Some(Field::Quote),
            "note" => Some(Field::Note),
            "url" => Some(Field::Url),
            "name_hangul" => Some(Field::NameHangul),
            "name_romanized" => Some(Field::NameRomanized),
            "name_chinese" => Some(Field::NameChinese),
            "birth_date" | "birth_year" => Some(Field::Birth),
            "sex" => Some(Field::Sex),
            "age_group" => Some(Field::AgeGroup),
            "origin_place" => Some(Field::Origin),
            "category" => Some(Field::Category),
            "status" => Some(Field::Status),
            "name_en" => Some(Field::NameEn),
            "country" => Some(Field::Country),
            "name_ko" => Some(Field::NameKo),
            "name_zh" => Some(Field::NameZh),
            "parent" => Some(Field::Parent),
            "coordinates" | "lat" | "lon" | "precision" => Some(Field::Geolocation),
            _ => None,
        };
        let column = field.and_then(|f| {
            self.columns
                .iter()
                .find(|(_, c)| c.field == f)
                .map(|(i, c)| (column_letters(*i), c.header.clone()))
        });
        Located {
            sheet: self.sheet.clone(),
            row,
            column,
            problem: Problem::Rule {
                message: message.to_owned(),
            },
        }
    }
}
