//! The text of a Word document (Office Open XML): the runs of
//! `word/document.xml`, paragraph by paragraph.

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use refwatch_domain::MediaKind;

use crate::{ExtractError, Limits};

fn malformed(why: &'static str) -> ExtractError {
    ExtractError::Malformed {
        kind: MediaKind::Docx,
        why,
    }
}

pub(crate) fn text(bytes: &[u8], limits: &Limits) -> Result<String, ExtractError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| malformed("its ZIP directory cannot be read"))?;
    if archive.len() > limits.max_entries {
        return Err(ExtractError::TooManyEntries(limits.max_entries));
    }
    let too_large = ExtractError::TooLarge {
        what: "the unpacked document",
        limit: limits.max_unpacked_bytes,
    };
    let entry = archive
        .by_name("word/document.xml")
        .map_err(|_| malformed("it has no readable word/document.xml"))?;
    if entry.size() > limits.max_unpacked_bytes {
        return Err(too_large);
    }
    // The declared size may lie: read no more than the limit allows.
    let mut xml = Vec::new();
    entry
        .take(limits.max_unpacked_bytes + 1)
        .read_to_end(&mut xml)
        .map_err(|_| malformed("its document cannot be unpacked"))?;
    if xml.len() as u64 > limits.max_unpacked_bytes {
        return Err(too_large);
    }
    runs(&xml, limits)
}

/// The text inside `w:t` elements, with paragraphs, breaks and tabs.
fn runs(xml: &[u8], limits: &Limits) -> Result<String, ExtractError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut out = String::new();
    let mut depth = 0usize;
    let mut in_text = false;
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|_| malformed("its document's XML is broken"))?;
        match event {
            Event::Start(e) => {
                depth += 1;
                if depth > limits.max_depth {
                    return Err(ExtractError::TooDeep(limits.max_depth));
                }
                in_text = e.local_name().as_ref() == "t";
            }
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                match e.local_name().as_ref() {
                    "t" => in_text = false,
                    "p" => out.push('\n'),
                    _ => {}
                }
            }
            Event::Empty(e) => match e.local_name().as_ref() {
                "tab" => out.push('\t'),
                "br" | "cr" => out.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_text => {
                out.push_str(&t.xml10_content());
            }
            Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                } else {
                    if let Some(s) = quick_xml::escape::resolve_predefined_entity(r.as_ref()) {
                        out.push_str(s);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        if out.len() > limits.max_text_bytes {
            break;
        }
        buf.clear();
    }
    Ok(out)
}
