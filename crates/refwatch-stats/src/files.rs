//! The per-year table as files people open: CSV and an XLSX workbook with a
//! second sheet of every cell's quoted sources. Pure: bytes out, no I/O.

use std::collections::HashMap;

use refwatch_domain::{Dataset, Dimension, IncidentId, Lang, Vocabularies, Vocabulary};

use crate::{UNKNOWN, YearKindRow};

/// A cell a spreadsheet would take as a formula (`=HYPERLINK(…)`,
/// `+cmd|…`, `@SUM(…)`, or one starting with a tab or carriage return) is
/// neutralised with a leading `'`, which spreadsheets show as text. Numbers
/// (`-3`, `+5`) are left as they are.
pub fn neutral(text: &str) -> std::borrow::Cow<'_, str> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && text.trim().parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// A CSV field: neutralised ([`neutral`]) and quoted when it needs
/// quoting (RFC 4180).
pub fn csv_field(text: &str) -> String {
    let text = neutral(text);
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.into_owned()
    }
}

/// The vocabulary a dimension's values come from.
pub fn value_vocabulary(by: Dimension) -> Vocabulary {
    match by {
        Dimension::Sex => Vocabulary::Sex,
        Dimension::AgeGroup => Vocabulary::AgeGroup,
        Dimension::Category => Vocabulary::VictimCategory,
    }
}

/// A row's value on the dimension, labelled in `lang`; empty when the
/// table is not broken down.
pub fn value_label(
    vocab: &Vocabularies,
    by: Option<Dimension>,
    row: &YearKindRow,
    lang: Lang,
) -> String {
    match (by, &row.value) {
        (Some(_), Some(v)) if v.code() == UNKNOWN => match lang {
            Lang::Ko => "미상".to_owned(),
            Lang::En => "not broken down".to_owned(),
        },
        (Some(d), Some(v)) => vocab.label(value_vocabulary(d), v, lang).to_owned(),
        _ => String::new(),
    }
}

/// One quotation behind a cell.
#[derive(Debug, Clone, PartialEq)]
pub struct CellCitation<'a> {
    /// The incident it is cited for.
    pub incident: IncidentId,
    /// The source.
    pub source: refwatch_domain::SourceId,
    /// The source's title.
    pub source_title: &'a str,
    /// The title of the source it came through, if second-hand.
    pub via_title: Option<&'a str>,
    /// Page, paragraph or footnote.
    pub locator: &'a str,
    /// The exact words.
    pub quote: &'a str,
}

/// The citations behind a cell: every citation of its incidents and their reports.
pub fn cell_citations<'a>(data: &'a Dataset, row: &YearKindRow) -> Vec<CellCitation<'a>> {
    let titles: HashMap<_, _> = data
        .sources
        .iter()
        .map(|s| (s.id, s.title.as_str()))
        .collect();
    let incidents: HashMap<_, _> = data.incidents.iter().map(|i| (i.id, i)).collect();
    let mut out = Vec::new();
    for id in &row.incident_ids {
        let Some(incident) = incidents.get(id) else {
            continue;
        };
        let all = incident
            .citations
            .iter()
            .chain(incident.reports.iter().flat_map(|r| r.citations.iter()));
        for c in all {
            out.push(CellCitation {
                incident: *id,
                source: c.source,
                source_title: titles.get(&c.source).copied().unwrap_or_default(),
                via_title: c.via.map(|v| titles.get(&v).copied().unwrap_or_default()),
                locator: &c.locator,
                quote: &c.quote,
            });
        }
    }
    out
}

/// The table as CSV, codes rather than labels, one line per cell.
pub fn csv(rows: &[YearKindRow]) -> String {
    let mut text = String::from(
        "year,kind,value,incidents,people_low,people_best,people_high,high_open,incident_ids\n",
    );
    for r in rows {
        let ids: Vec<String> = r.incident_ids.iter().map(ToString::to_string).collect();
        text.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\n",
            r.year,
            r.kind.code(),
            r.value.as_ref().map(|v| v.code()).unwrap_or_default(),
            r.incidents,
            r.people_low,
            r.people_best,
            r.people_high,
            r.high_open,
            csv_field(&ids.join(" "))
        ));
    }
    text
}

/// The table as an XLSX workbook: a sheet of cells with labels in `lang`,
/// and a sheet of every cell's quoted sources.
pub fn xlsx(
    data: &Dataset,
    rows: &[YearKindRow],
    by: Option<Dimension>,
    lang: Lang,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let vocab = Vocabularies::builtin();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(match lang {
        Lang::Ko => "연도별",
        Lang::En => "Per year",
    })?;
    let headers = [
        "year",
        "kind",
        "value",
        "incidents",
        "people_low",
        "people_best",
        "people_high",
        "high_open",
        "incident_ids",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_number(row, 0, f64::from(r.year))?;
        sheet.write_string(row, 1, vocab.label(Vocabulary::IncidentKind, &r.kind, lang))?;
        sheet.write_string(row, 2, value_label(&vocab, by, r, lang))?;
        sheet.write_number(row, 3, r.incidents as f64)?;
        sheet.write_number(row, 4, r.people_low as f64)?;
        sheet.write_number(row, 5, r.people_best as f64)?;
        sheet.write_number(row, 6, r.people_high as f64)?;
        sheet.write_boolean(row, 7, r.high_open)?;
        let ids: Vec<String> = r.incident_ids.iter().map(ToString::to_string).collect();
        sheet.write_string(row, 8, ids.join(" "))?;
    }
    let sources = book.add_worksheet();
    sources.set_name(match lang {
        Lang::Ko => "출처",
        Lang::En => "Sources",
    })?;
    for (c, h) in [
        "year", "kind", "value", "incident", "source", "via", "locator", "quote",
    ]
    .iter()
    .enumerate()
    {
        sources.write_string(0, c as u16, *h)?;
    }
    let mut line = 1u32;
    for r in rows {
        for c in cell_citations(data, r) {
            sources.write_number(line, 0, f64::from(r.year))?;
            sources.write_string(line, 1, r.kind.code())?;
            sources.write_string(
                line,
                2,
                r.value.as_ref().map(|v| v.code()).unwrap_or_default(),
            )?;
            sources.write_string(line, 3, c.incident.to_string())?;
            sources.write_string(line, 4, c.source_title)?;
            sources.write_string(line, 5, c.via_title.unwrap_or_default())?;
            sources.write_string(line, 6, c.locator)?;
            sources.write_string(line, 7, c.quote)?;
            line += 1;
        }
    }
    book.save_to_buffer()
}
