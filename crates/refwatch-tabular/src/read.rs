//! Reading CSV and XLSX files into rows of text, keeping the row numbers a
//! spreadsheet shows.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// A sheet's cells as text, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The sheet's name (the file's for a CSV).
    pub name: String,
    /// Rows as (the row number a spreadsheet shows, the cells).
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Why a file cannot be read as a table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// Neither UTF-8 nor Korean Windows (CP949) text.
    #[error(
        "the file is not text in UTF-8 or the Korean Windows encoding (CP949); save it as \"CSV UTF-8\" and try again"
    )]
    NotText,
    /// The CSV is malformed at a line.
    #[error("line {line}: {reason}")]
    Csv {
        /// The line.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// The XLSX file cannot be opened.
    #[error(
        "not a readable XLSX workbook ({0}); save it again from the spreadsheet program as .xlsx"
    )]
    Xlsx(String),
    /// The sheet asked for is not in the workbook.
    #[error("the workbook has no sheet \"{wanted}\"; its sheets are: {}", .sheets.join(", "))]
    NoSheet {
        /// The sheet asked for.
        wanted: String,
        /// The sheets there are.
        sheets: Vec<String>,
    },
    /// Nothing in it.
    #[error("the file holds no rows")]
    Empty,
    /// A workbook that unpacks to more than refwatch reads.
    #[error(
        "the workbook unpacks to more than {} MiB (or holds more than {MAX_ENTRIES} parts); split it into smaller files",
        .0 >> 20
    )]
    TooLarge(u64),
}

/// The most an XLSX workbook may unpack to: a small file that unpacks to
/// gigabytes (a "zip bomb") is refused before calamine reads it.
pub const MAX_UNPACKED: u64 = 512 * 1024 * 1024;
/// The most parts a workbook may hold.
const MAX_ENTRIES: usize = 10_000;

/// Unpacks every part of a workbook into nothing, stopping as soon as the
/// total passes `limit` (the sizes the ZIP declares may lie).
fn check_unpacked(bytes: &[u8], limit: u64) -> Result<(), ReadError> {
    use std::io::Read as _;
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::Xlsx(e.to_string()))?;
    if archive.len() > MAX_ENTRIES {
        return Err(ReadError::TooLarge(limit));
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let entry = archive
            .by_index(i)
            .map_err(|e| ReadError::Xlsx(e.to_string()))?;
        let left = limit - total;
        let n = std::io::copy(&mut entry.take(left + 1), &mut std::io::sink())
            .map_err(|e| ReadError::Xlsx(e.to_string()))?;
        total += n;
        if total > limit {
            return Err(ReadError::TooLarge(limit));
        }
    }
    Ok(())
}

/// Decodes bytes as UTF-8 (without a byte-order mark) or, failing that,
/// as the Korean Windows encoding Excel uses for CSV in Korea.
fn decode(bytes: &[u8]) -> Result<String, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    let (text, had_errors) = encoding_rs::EUC_KR.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(ReadError::NotText);
    }
    Ok(text.into_owned())
}

/// The delimiter of a CSV: the commonest of `,`, `;` and tab in its first
/// line with any of them.
fn delimiter(text: &str) -> u8 {
    let line = text
        .lines()
        .find(|l| l.contains([',', ';', '\t']))
        .unwrap_or_default();
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&d| line.bytes().filter(|&b| b == d).count())
        .unwrap_or(b',')
}

/// Reads a CSV file (comma, semicolon or tab separated).
pub fn read_csv(name: &str, bytes: &[u8]) -> Result<Sheet, ReadError> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(&text))
        .from_reader(text.as_bytes());
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ReadError::Csv {
            line: e.position().map_or(0, |p| p.line()),
            reason: match e.kind() {
                csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_owned(),
                _ => "a quoted cell is not closed or is followed by other text".to_owned(),
            },
        })?;
        let line = record
            .position()
            .map_or(rows.len() + 1, |p| p.line() as usize);
        rows.push((line, record.iter().map(|c| c.trim().to_owned()).collect()));
    }
    if rows
        .iter()
        .all(|(_, cells)| cells.iter().all(String::is_empty))
    {
        return Err(ReadError::Empty);
    }
    Ok(Sheet {
        name: name.to_owned(),
        rows,
    })
}

/// A cell as text: numbers as written (whole numbers without a decimal
/// point), dates as `YYYY-MM-DD`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            crate::values::excel_day(y, m, day)
        }
        Data::DateTime(d) => d.as_f64().to_string(),
    }
}

/// Reads one sheet of an XLSX workbook: the one named, or the first.
pub fn read_xlsx(bytes: &[u8], sheet: Option<&str>) -> Result<Sheet, ReadError> {
    read_xlsx_within(bytes, sheet, MAX_UNPACKED)
}

/// [`read_xlsx`] with another limit on what the workbook unpacks to.
pub fn read_xlsx_within(bytes: &[u8], sheet: Option<&str>, limit: u64) -> Result<Sheet, ReadError> {
    check_unpacked(bytes, limit)?;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| ReadError::Xlsx(e.to_string()))?;
    let sheets = book.sheet_names();
    let name = match sheet {
        Some(wanted) => sheets
            .iter()
            .find(|s| s.as_str() == wanted)
            .cloned()
            .ok_or_else(|| ReadError::NoSheet {
                wanted: wanted.to_owned(),
                sheets: sheets.clone(),
            })?,
        None => sheets.first().cloned().ok_or(ReadError::Empty)?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e: calamine::XlsxError| ReadError::Xlsx(e.to_string()))?;
    let (first_row, _) = range.start().ok_or(ReadError::Empty)?;
    let first_column = range.start().map_or(0, |(_, c)| c as usize);
    let rows: Vec<(usize, Vec<String>)> = range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            // Columns before the used range are empty, so that column
            // letters stay those the spreadsheet shows.
            let mut row = vec![String::new(); first_column];
            row.extend(cells.iter().map(cell_text));
            (first_row as usize + i + 1, row)
        })
        .collect();
    if rows
        .iter()
        .all(|(_, cells)| cells.iter().all(String::is_empty))
    {
        return Err(ReadError::Empty);
    }
    Ok(Sheet { name, rows })
}

/// A column's letters as a spreadsheet shows them (0 → A, 26 → AA).
pub fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_utf8_with_a_mark_or_in_korean_windows_encoding() {
        let utf8 = "\u{feff}제목,날짜\n체포,2013.11.19\n".as_bytes();
        let sheet = read_csv("a.csv", utf8).unwrap();
        assert_eq!(
            sheet.rows[0],
            (1, vec!["제목".to_owned(), "날짜".to_owned()])
        );
        let (cp949, _, _) = encoding_rs::EUC_KR.encode("제목;날짜\n체포;2013.11.19\n");
        let sheet = read_csv("b.csv", &cp949).unwrap();
        assert_eq!(
            sheet.rows[1],
            (2, vec!["체포".to_owned(), "2013.11.19".to_owned()])
        );
        assert_eq!(
            read_csv("c.csv", &[0xff, 0xfe, 0x00, 0x41]),
            Err(ReadError::NotText)
        );
        assert_eq!(read_csv("d.csv", b"\n\n"), Err(ReadError::Empty));
        // A quoted cell across lines keeps the next row's number.
        let sheet = read_csv("e.csv", b"a,b\n\"one\ntwo\",x\nz,y\n").unwrap();
        assert_eq!(sheet.rows[2].0, 4);
    }

    #[test]
    fn a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read() {
        use std::io::Write as _;
        let mut zipped = Vec::new();
        {
            let mut w = zip::ZipWriter::new(Cursor::new(&mut zipped));
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            w.start_file("xl/worksheets/sheet1.xml", options).unwrap();
            w.write_all(&vec![b' '; 4 << 20]).unwrap();
            w.finish().unwrap();
        }
        assert!(zipped.len() < 64 << 10, "small on disk: {}", zipped.len());
        let refused = read_xlsx_within(&zipped, None, 1 << 20).unwrap_err();
        assert_eq!(refused, ReadError::TooLarge(1 << 20));
        assert!(
            refused.to_string().contains("unpacks to more than 1 MiB"),
            "{refused}"
        );
    }

    #[test]
    fn column_letters_as_a_spreadsheet_shows_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
    }

    #[test]
    fn xlsx_sheets_with_dates_numbers_and_a_title_row() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("사건").unwrap();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        sheet
            .merge_range(0, 0, 0, 2, "2023년 강제북송 목록", &bold)
            .unwrap();
        sheet.write(1, 0, "제목").unwrap();
        sheet.write(1, 1, "날짜").unwrap();
        sheet.write(1, 2, "인원").unwrap();
        sheet.write(2, 0, "체포").unwrap();
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2023, 10, 9).unwrap();
        let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        sheet
            .write_datetime_with_format(2, 1, &date, &format)
            .unwrap();
        sheet.write(2, 2, 500).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let read = read_xlsx(&bytes, None).unwrap();
        assert_eq!(read.name, "사건");
        assert_eq!(read.rows[0].1[0], "2023년 강제북송 목록");
        assert_eq!(
            read.rows[2],
            (
                3,
                vec!["체포".to_owned(), "2023-10-09".to_owned(), "500".to_owned()]
            )
        );
        let missing = read_xlsx(&bytes, Some("Sheet9")).unwrap_err();
        assert!(
            missing.to_string().contains("its sheets are: 사건"),
            "{missing}"
        );
        assert!(matches!(
            read_xlsx(b"not a zip", None),
            Err(ReadError::Xlsx(_))
        ));
    }
}
