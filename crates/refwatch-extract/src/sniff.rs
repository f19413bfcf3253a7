//! What a file is, from its first bytes.

use refwatch_domain::MediaKind;

/// The kind of file `bytes` holds, by its signature; text if it decodes
/// as text, a web page if that text starts like one.
pub fn sniff(bytes: &[u8]) -> MediaKind {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return MediaKind::Pdf;
    }
    if starts(b"PK\x03\x04") {
        return if is_docx(bytes) {
            MediaKind::Docx
        } else {
            MediaKind::Other
        };
    }
    let riff = |form: &[u8]| starts(b"RIFF") && bytes.get(8..12) == Some(form);
    if starts(b"\xFF\xD8\xFF")
        || starts(b"\x89PNG\r\n\x1a\n")
        || starts(b"GIF87a")
        || starts(b"GIF89a")
        || starts(b"II*\0")
        || starts(b"MM\0*")
        || riff(b"WEBP")
    {
        return MediaKind::Image;
    }
    let mp3_frame = bytes.len() > 2 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0;
    if starts(b"ID3")
        || mp3_frame
        || riff(b"WAVE")
        || starts(b"OggS")
        || starts(b"fLaC")
        || bytes.get(4..11) == Some(b"ftypM4A")
    {
        return MediaKind::Audio;
    }
    if bytes.contains(&0) && !starts(b"\xFF\xFE") && !starts(b"\xFE\xFF") {
        return MediaKind::Other;
    }
    match crate::text::decode(&bytes[..bytes.len().min(64 << 10)]) {
        Ok(text) if looks_like_html(&text) => MediaKind::Html,
        Ok(_) => MediaKind::Text,
        // A cut through a multi-byte character at 64 KiB is still text.
        Err(_) if bytes.len() > 64 << 10 && crate::text::decode(bytes).is_ok() => MediaKind::Text,
        Err(_) => MediaKind::Other,
    }
}

/// Whether a ZIP names a Word document part. Only the names are looked for
/// in the bytes: the archive's central directory is never read here, in
/// the server's process (a crafted one can claim billions of entries); it
/// is read only by the isolated reader that takes the text out.
fn is_docx(bytes: &[u8]) -> bool {
    const PART: &[u8] = b"word/document.xml";
    bytes.windows(PART.len()).any(|w| w == PART)
}

fn looks_like_html(text: &str) -> bool {
    let start: String = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    start.starts_with("<!doctype html")
        || start.starts_with("<html")
        || start.starts_with("<head")
        || start.starts_with("<body")
        || (start.starts_with('<') && (start.contains("<html") || start.contains("<body")))
}

/// The kind a file's name claims, by its extension.
pub fn kind_named(name: &str) -> Option<MediaKind> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "pdf" => MediaKind::Pdf,
        "docx" => MediaKind::Docx,
        "html" | "htm" | "xhtml" => MediaKind::Html,
        "txt" | "text" | "md" | "csv" => MediaKind::Text,
        "jpg" | "jpeg" | "png" | "gif" | "tif" | "tiff" | "webp" => MediaKind::Image,
        "mp3" | "wav" | "ogg" | "oga" | "flac" | "m4a" => MediaKind::Audio,
        _ => return None,
    })
}

/// Checks a file's name against its contents: a name that claims another
/// kind is an error (text named as a web page, or the reverse, is not).
pub fn check_name(name: &str, found: MediaKind) -> Result<(), crate::ExtractError> {
    let text = |k| matches!(k, MediaKind::Text | MediaKind::Html);
    match kind_named(name) {
        Some(named) if named != found && !(text(named) && text(found)) => {
            Err(crate::ExtractError::Mismatch { named, found })
        }
        _ => Ok(()),
    }
}
