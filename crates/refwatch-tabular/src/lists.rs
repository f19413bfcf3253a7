//! Spreadsheets out: the incident, source, citation, mechanism and person
//! lists as CSV or XLSX, with Korean or English headers and, on request,
//! a row of HXL hashtags (the Humanitarian Exchange Language) under them.
//!
//! Identities are never in a list: a person's row holds what the person
//! page shows without them. CSV cells are neutralised against spreadsheet
//! formulas; XLSX cells are written as text or numbers, never formulas.

use std::collections::HashMap;

use refwatch_domain::{
    Confidentiality, Dataset, Incident, Lang, Place, PlaceId, SourceId, Term, Vocabularies,
    Vocabulary,
};
use refwatch_stats::files::csv_field;

/// A list refwatch can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// Incidents.
    Incidents,
    /// Sources.
    Sources,
    /// Citations, with the record each belongs to.
    Citations,
    /// UN mechanism records.
    Mechanisms,
    /// Persons at risk, without identities.
    Persons,
}

/// A column: English and Korean headers and its HXL hashtag.
struct Column {
    en: &'static str,
    ko: &'static str,
    hxl: &'static str,
}

const fn col(en: &'static str, ko: &'static str, hxl: &'static str) -> Column {
    Column { en, ko, hxl }
}

/// A cell: text, or a number a spreadsheet can add up.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A whole number.
    Number(u64),
    /// Nothing.
    Empty,
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => n.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// A list as headers and rows, ready to write.
pub struct Table {
    columns: &'static [Column],
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
    lang: Lang,
    name: (&'static str, &'static str),
}

const INCIDENTS: &[Column] = &[
    col("ID", "ID", "#event+id"),
    col("Title", "제목", "#event+name"),
    col("Kind", "유형", "#event+type"),
    col("Date", "날짜", "#date"),
    col("Places", "장소", "#loc+name"),
    col("Province", "성·도", "#adm1+name"),
    col("Country", "국가", "#country+code"),
    col("People (at least)", "인원(최소)", "#affected+min"),
    col("People (best)", "인원(최선 추정)", "#affected"),
    col("People (at most)", "인원(최대)", "#affected+max"),
    col("Verification", "검증", "#status"),
    col("Confidentiality", "공개 범위", "#meta+confidentiality"),
    col("Sources", "출처", "#meta+source"),
];

const SOURCES: &[Column] = &[
    col("ID", "ID", "#meta+id"),
    col("Title", "제목", "#meta+title"),
    col("Kind", "유형", "#meta+type"),
    col("Publisher", "발행처", "#org+publisher"),
    col("Author", "저자", "#meta+author"),
    col("Date", "날짜", "#date"),
    col("Language", "언어", "#meta+lang"),
    col("Web address", "웹 주소", "#meta+url"),
    col("Document symbol", "문서 번호", "#meta+code"),
    col("Reliability", "신뢰도", "#meta+reliability"),
    col("Confidentiality", "공개 범위", "#meta+confidentiality"),
];

const CITATIONS: &[Column] = &[
    col("ID", "ID", "#meta+id"),
    col("Record", "기록", "#meta+record"),
    col("Record title", "기록 제목", "#meta+record+name"),
    col("Source", "출처", "#meta+source"),
    col("Via", "경유 출처", "#meta+source+via"),
    col("Where in the source", "출처 내 위치", "#meta+locator"),
    col("Quote", "인용문", "#meta+quote"),
    col("Note", "비고", "#meta+note"),
];

const MECHANISMS: &[Column] = &[
    col("ID", "ID", "#activity+id"),
    col("Kind", "유형", "#activity+type"),
    col("Reference", "참조", "#activity+code"),
    col("Date", "날짜", "#date"),
    col("Text", "내용", "#activity+description"),
    col("Themes", "주제", "#sector"),
    col("Incidents", "사건 수", "#event+num"),
];

const PERSONS: &[Column] = &[
    col("ID", "ID", "#affected+id"),
    col("Sex", "성별", "#affected+sex"),
    col("Birth year", "출생 연도", "#affected+birthyear"),
    col("Age group", "연령대", "#affected+age"),
    col("Origin", "출신지", "#affected+origin"),
    col("Category", "범주", "#affected+category"),
    col("Latest status", "최근 상태", "#status"),
    col("Status date", "상태 날짜", "#date"),
    col("Incidents", "사건 수", "#event+num"),
    col("Confidentiality", "공개 범위", "#meta+confidentiality"),
];

struct Names<'a> {
    data: &'a Dataset,
    vocab: Vocabularies,
    lang: Lang,
    places: HashMap<PlaceId, &'a Place>,
    sources: HashMap<SourceId, &'a str>,
}

impl<'a> Names<'a> {
    fn new(data: &'a Dataset, lang: Lang) -> Self {
        Self {
            data,
            vocab: Vocabularies::builtin(),
            lang,
            places: data.places.iter().map(|p| (p.id, p)).collect(),
            sources: data
                .sources
                .iter()
                .map(|s| (s.id, s.title.as_str()))
                .collect(),
        }
    }

    fn term(&self, vocab: Vocabulary, term: &Term) -> Cell {
        text(self.vocab.label(vocab, term, self.lang))
    }

    fn opt_term(&self, vocab: Vocabulary, term: Option<&Term>) -> Cell {
        term.map_or(Cell::Empty, |t| self.term(vocab, t))
    }

    fn place(&self, id: PlaceId) -> String {
        self.places
            .get(&id)
            .map_or_else(String::new, |p| match self.lang {
                Lang::Ko => p.name_ko.clone().unwrap_or_else(|| p.name_en.clone()),
                Lang::En => p.name_en.clone(),
            })
    }

    /// The province a place lies in (or is), walking up its parents.
    fn province(&self, id: PlaceId) -> Option<PlaceId> {
        let mut at = self.places.get(&id)?;
        for _ in 0..16 {
            if at.kind.code() == "province" {
                return Some(at.id);
            }
            at = self.places.get(&at.parent?)?;
        }
        None
    }

    fn level(&self, c: Confidentiality) -> Cell {
        text(match (self.lang, c) {
            (Lang::En, _) => c.code(),
            (Lang::Ko, Confidentiality::Public) => "공개",
            (Lang::Ko, Confidentiality::Restricted) => "제한",
            (Lang::Ko, Confidentiality::Confidential) => "기밀",
        })
    }

    fn incident(&self, i: &Incident) -> Vec<Cell> {
        let first = i.places.first().map(|p| p.place);
        let places: Vec<String> = i.places.iter().map(|p| self.place(p.place)).collect();
        let mut sources: Vec<&str> = Vec::new();
        for c in i
            .citations
            .iter()
            .chain(i.reports.iter().flat_map(|r| &r.citations))
        {
            if let Some(title) = self.sources.get(&c.source).copied()
                && !sources.contains(&title)
            {
                sources.push(title);
            }
        }
        vec![
            text(i.id.to_string()),
            text(&i.title),
            self.term(Vocabulary::IncidentKind, &i.kind),
            text(i.date.to_string()),
            text(places.join(" | ")),
            first
                .and_then(|p| self.province(p))
                .map_or(Cell::Empty, |p| text(self.place(p))),
            first
                .and_then(|p| self.places.get(&p))
                .and_then(|p| p.country.clone())
                .map_or(Cell::Empty, text),
            Cell::Number(i.victims.low),
            i.victims.best.map_or(Cell::Empty, Cell::Number),
            i.victims.high.map_or(Cell::Empty, Cell::Number),
            self.term(Vocabulary::Verification, &i.verification),
            self.level(i.confidentiality),
            text(sources.join(" | ")),
        ]
    }

    fn rows(&self, list: List, incidents: &[&Incident]) -> Vec<Vec<Cell>> {
        let data = self.data;
        let opt = |s: &Option<String>| s.clone().map_or(Cell::Empty, text);
        match list {
            List::Incidents => incidents.iter().map(|i| self.incident(i)).collect(),
            List::Sources => data
                .sources
                .iter()
                .map(|s| {
                    vec![
                        text(s.id.to_string()),
                        text(&s.title),
                        self.term(Vocabulary::SourceKind, &s.kind),
                        opt(&s.publisher),
                        opt(&s.author),
                        s.date.as_ref().map_or(Cell::Empty, |d| text(d.to_string())),
                        opt(&s.language),
                        opt(&s.url),
                        opt(&s.symbol),
                        self.opt_term(Vocabulary::Reliability, s.reliability.as_ref()),
                        self.level(s.confidentiality),
                    ]
                })
                .collect(),
            List::Citations => self.citations(incidents),
            List::Mechanisms => data
                .mechanisms
                .iter()
                .map(|m| {
                    let themes: Vec<String> = m
                        .themes
                        .iter()
                        .map(|t| self.vocab.label(Vocabulary::Theme, t, self.lang).to_owned())
                        .collect();
                    vec![
                        text(m.id.to_string()),
                        text(m.detail.kind_code()),
                        opt(&m.reference),
                        text(m.date.to_string()),
                        text(&m.text),
                        text(themes.join(" | ")),
                        Cell::Number(m.incidents.len() as u64),
                    ]
                })
                .collect(),
            List::Persons => data
                .persons
                .iter()
                .map(|p| {
                    let latest = p.timeline.last();
                    vec![
                        text(p.id.to_string()),
                        self.opt_term(Vocabulary::Sex, p.sex.as_ref()),
                        p.birth_year
                            .map_or(Cell::Empty, |y| Cell::Number(u64::try_from(y).unwrap_or(0))),
                        self.opt_term(Vocabulary::AgeGroup, p.age_group.as_ref()),
                        p.origin_place.map_or(Cell::Empty, |o| text(self.place(o))),
                        self.opt_term(Vocabulary::VictimCategory, p.category.as_ref()),
                        self.opt_term(Vocabulary::PersonStatus, latest.map(|e| &e.status)),
                        latest.map_or(Cell::Empty, |e| text(e.date.to_string())),
                        Cell::Number(p.incidents.len() as u64),
                        self.level(p.confidentiality),
                    ]
                })
                .collect(),
        }
    }

    fn citations(&self, incidents: &[&Incident]) -> Vec<Vec<Cell>> {
        let data = self.data;
        let mut rows = Vec::new();
        let mut push = |record: String, title: &str, c: &refwatch_domain::Citation| {
            rows.push(vec![
                text(c.id.to_string()),
                text(record),
                text(title),
                text(self.sources.get(&c.source).copied().unwrap_or_default()),
                c.via
                    .and_then(|v| self.sources.get(&v).copied())
                    .map_or(Cell::Empty, text),
                text(&c.locator),
                text(&c.quote),
                c.note.clone().map_or(Cell::Empty, text),
            ]);
        };
        for i in incidents {
            for c in i
                .citations
                .iter()
                .chain(i.reports.iter().flat_map(|r| &r.citations))
            {
                push(i.id.to_string(), &i.title, c);
            }
        }
        for m in &data.mechanisms {
            for c in &m.citations {
                push(m.id.to_string(), m.reference.as_deref().unwrap_or(""), c);
            }
        }
        rows
    }
}

/// A list of the records in `data` (for incidents and their citations,
/// `incidents` when given: the ones a filtered page shows).
pub fn table(data: &Dataset, list: List, lang: Lang, incidents: Option<&[&Incident]>) -> Table {
    let names = Names::new(data, lang);
    let all: Vec<&Incident> = data.incidents.iter().map(AsRef::as_ref).collect();
    let incidents = incidents.unwrap_or(&all);
    let (columns, name) = match list {
        List::Incidents => (INCIDENTS, ("Incidents", "사건")),
        List::Sources => (SOURCES, ("Sources", "출처")),
        List::Citations => (CITATIONS, ("Citations", "인용")),
        List::Mechanisms => (MECHANISMS, ("UN mechanisms", "유엔 권고")),
        List::Persons => (PERSONS, ("Persons", "인물")),
    };
    Table {
        columns,
        rows: names.rows(list, incidents),
        lang,
        name,
    }
}

impl Table {
    fn headers(&self) -> Vec<&'static str> {
        self.columns
            .iter()
            .map(|c| match self.lang {
                Lang::En => c.en,
                Lang::Ko => c.ko,
            })
            .collect()
    }

    /// The list as CSV (UTF-8 with a byte-order mark, so that Excel reads
    /// Korean), every cell neutralised against formulas; with `hxl`, a row
    /// of hashtags under the headers.
    pub fn to_csv(&self, hxl: bool) -> String {
        let line = |cells: Vec<String>| {
            cells
                .iter()
                .map(|c| csv_field(c))
                .collect::<Vec<_>>()
                .join(",")
                + "\r\n"
        };
        let mut out = String::from("\u{feff}");
        out.push_str(&line(
            self.headers().into_iter().map(str::to_owned).collect(),
        ));
        if hxl {
            out.push_str(&line(
                self.columns.iter().map(|c| c.hxl.to_owned()).collect(),
            ));
        }
        for row in &self.rows {
            out.push_str(&line(row.iter().map(Cell::text).collect()));
        }
        out
    }

    /// The list as an XLSX workbook of one sheet: text as text, counts as
    /// numbers, never a formula; with `hxl`, hashtags under the headers.
    pub fn to_xlsx(&self, hxl: bool) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(match self.lang {
            Lang::En => self.name.0,
            Lang::Ko => self.name.1,
        })?;
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (c, h) in self.headers().iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        let first = if hxl {
            for (c, col) in self.columns.iter().enumerate() {
                sheet.write_string(1, c as u16, col.hxl)?;
            }
            2
        } else {
            1
        };
        for (r, row) in self.rows.iter().enumerate() {
            let r = first + r as u32;
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(t) => sheet.write_string(r, c as u16, t)?,
                    Cell::Number(n) => sheet.write_number(r, c as u16, *n as f64)?,
                    Cell::Empty => sheet,
                };
            }
        }
        sheet.set_freeze_panes(first, 0)?;
        book.save_to_buffer()
    }
}
