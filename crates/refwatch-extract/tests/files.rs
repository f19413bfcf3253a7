//! Each supported format read from a small file made here, and each kind
//! of hostile file ending in its error within bounds.

use std::io::Write;
use std::time::{Duration, Instant};

use refwatch_domain::MediaKind;
use refwatch_extract::{
    ExtractError, Extracted, Inline, Isolated, Limits, Reader, check_name, extract, sniff,
};

/// A one-page PDF showing `line` in Helvetica.
fn pdf(line: &str) -> Vec<u8> {
    let stream = format!("BT /F1 24 Tf 72 700 Td ({line}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A Word document whose body is `body` (WordprocessingML inside `w:body`).
fn docx_with(document_xml: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#).unwrap();
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(document_xml).unwrap();
    zip.finish().unwrap().into_inner()
}

fn docx(paragraphs: &[&str]) -> Vec<u8> {
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>"))
        .collect();
    docx_with(format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#).as_bytes())
}

fn read(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    extract(bytes, sniff(bytes), &Limits::default())
}

#[test]
fn a_pdf_is_read_by_poppler() {
    let file = pdf("Forced repatriation from Yanji, October 2023");
    assert_eq!(sniff(&file), MediaKind::Pdf);
    let e = read(&file).unwrap();
    assert_eq!(
        e.text.trim(),
        "Forced repatriation from Yanji, October 2023"
    );
    assert_eq!(e.language, "en");
}

#[test]
fn a_word_document_is_read_paragraph_by_paragraph() {
    let file = docx(&[
        "중국은 탈북민 강제북송을 멈추라",
        "Stop it &amp; release them",
    ]);
    assert_eq!(sniff(&file), MediaKind::Docx);
    let e = read(&file).unwrap();
    assert_eq!(
        e.text,
        "중국은 탈북민 강제북송을 멈추라\nStop it & release them\n"
    );
    assert_eq!(e.language, "ko");
}

#[test]
fn a_web_page_gives_its_visible_text() {
    let page = "<!DOCTYPE html><html><head><title>北送</title><style>p{color:red}</style>\
                <script>var secret = 1;</script></head><body><h1>中国强制遣返</h1>\
                <p>六百名   脱北者</p><p>被遣返</p></body></html>";
    let e = read(page.as_bytes()).unwrap();
    assert_eq!(e.text, "北送\n\n中国强制遣返\n\n六百名 脱北者\n\n被遣返");
    assert_eq!(e.language, "zh");
}

#[test]
fn plain_text_is_read_as_it_is() {
    let e = read("탈북민 증언\n둘째 줄".as_bytes()).unwrap();
    assert_eq!(e.text, "탈북민 증언\n둘째 줄");
    assert_eq!(e.language, "ko");
    assert!(!e.truncated);
}

#[test]
fn photographs_and_recordings_have_no_text_to_read() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    assert_eq!(read(png), Err(ExtractError::NoText(MediaKind::Image)));
}

/// Runs `f` and checks it returned within `limit`.
fn within<T>(limit: Duration, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(
        start.elapsed() < limit,
        "took {:?}, more than {limit:?}",
        start.elapsed()
    );
    out
}

#[test]
fn a_damaged_pdf_is_refused_clearly() {
    let mut file = pdf("Some words");
    file.truncate(60);
    file.extend_from_slice(b"\0\xff garbage that is no PDF structure");
    let err = within(Duration::from_secs(20), || read(&file)).unwrap_err();
    assert_eq!(
        err,
        ExtractError::Malformed {
            kind: MediaKind::Pdf,
            why: "Poppler cannot read it"
        }
    );
    assert!(err.to_string().contains("damaged"), "{err}");
}

#[test]
fn a_damaged_word_document_is_refused_clearly() {
    let mut file = docx(&["words"]);
    let cut = file.len() - 30;
    file.truncate(cut);
    let err = read_as(&file, MediaKind::Docx).unwrap_err();
    assert!(
        matches!(
            err,
            ExtractError::Malformed {
                kind: MediaKind::Docx,
                ..
            }
        ),
        "{err:?}"
    );
    let broken = docx_with(b"<w:document><w:body><w:p><w:t>unclosed</w:x></w:body>");
    assert!(matches!(
        read_as(&broken, MediaKind::Docx),
        Err(ExtractError::Malformed { .. })
    ));
}

fn read_as(bytes: &[u8], kind: MediaKind) -> Result<Extracted, ExtractError> {
    extract(bytes, kind, &Limits::default())
}

#[test]
fn a_zip_bomb_in_a_word_document_stops_at_the_limit() {
    // 200 MiB of one repeated run packs into a few hundred kilobytes.
    let run = "<w:p><w:r><w:t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</w:t></w:r></w:p>";
    let mut xml = String::from("<w:document><w:body>");
    xml.push_str(&run.repeat((200 << 20) / run.len()));
    xml.push_str("</w:body></w:document>");
    let bomb = docx_with(xml.as_bytes());
    drop(xml);
    assert!(bomb.len() < 2 << 20, "the bomb is {} bytes", bomb.len());
    let err = within(Duration::from_secs(10), || read(&bomb)).unwrap_err();
    assert_eq!(
        err,
        ExtractError::TooLarge {
            what: "the unpacked document",
            limit: Limits::default().max_unpacked_bytes
        }
    );
    assert!(err.to_string().contains("limit"), "{err}");
}

#[test]
fn deep_nesting_is_refused_in_pages_and_documents() {
    let depth = 20_000;
    let page = format!(
        "<html><body>{}x{}</body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let err = within(Duration::from_secs(20), || {
        read_as(page.as_bytes(), MediaKind::Html)
    })
    .unwrap_err();
    assert_eq!(err, ExtractError::TooDeep(Limits::default().max_depth));
    let xml = format!(
        "<w:document>{}{}</w:document>",
        "<w:x>".repeat(depth),
        "</w:x>".repeat(depth)
    );
    let err = within(Duration::from_secs(20), || {
        read_as(&docx_with(xml.as_bytes()), MediaKind::Docx)
    })
    .unwrap_err();
    assert_eq!(err, ExtractError::TooDeep(Limits::default().max_depth));
}

#[test]
fn an_enormous_page_is_cut_at_the_text_limit() {
    let limits = Limits {
        max_text_bytes: 1 << 20,
        ..Limits::default()
    };
    let page = format!(
        "<html><body><p>{}</p></body></html>",
        "강제북송 ".repeat(2_000_000)
    );
    let e = within(Duration::from_secs(30), || {
        extract(page.as_bytes(), MediaKind::Html, &limits)
    })
    .unwrap();
    assert!(e.truncated);
    assert!(e.text.len() <= 1 << 20);
    assert!(e.text.starts_with("강제북송"));
}

#[test]
fn a_name_that_lies_about_the_contents_is_caught() {
    let file = docx(&["words"]);
    let err = check_name("scan.pdf", sniff(&file)).unwrap_err();
    assert_eq!(
        err,
        ExtractError::Mismatch {
            named: MediaKind::Pdf,
            found: MediaKind::Docx
        }
    );
    assert!(
        err.to_string()
            .contains("named as pdf but its contents are docx"),
        "{err}"
    );
    // Text named as a web page is only text.
    assert!(check_name("notes.html", MediaKind::Text).is_ok());
    assert!(check_name("letter.pdf", sniff(&pdf("x"))).is_ok());
}

#[test]
fn an_isolated_reader_that_hangs_is_stopped_at_the_time_limit() {
    let limits = Limits {
        timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let hangs = Isolated::new(
        "/bin/sh".into(),
        vec!["-c".into(), "sleep 30".into(), "--".into()],
        limits,
    );
    let err = within(Duration::from_secs(5), || {
        hangs.read(b"hello", MediaKind::Text)
    })
    .unwrap_err();
    assert_eq!(err, ExtractError::TimedOut(1));
    let crashes = Isolated::new(
        "/bin/sh".into(),
        vec!["-c".into(), "kill -9 $$".into(), "--".into()],
        limits,
    );
    let err = crashes.read(b"hello", MediaKind::Text).unwrap_err();
    assert!(matches!(err, ExtractError::Failed(_)), "{err:?}");
    assert!(err.to_string().contains("memory or crashed"), "{err}");
}

#[test]
fn the_inline_reader_reads_as_extract_does() {
    let file = docx(&["one"]);
    assert_eq!(
        Inline::default().read(&file, MediaKind::Docx).unwrap().text,
        "one\n"
    );
}
