//! Reading the text out of evidence files, safely.
//!
//! [`sniff`] tells what a file is from its bytes (never from its name);
//! [`extract`] reads the working text of a PDF (through Poppler's
//! `pdftotext`), a Word document (DOCX), a web page or a plain text in
//! UTF-8, UTF-16, EUC-KR or GB18030, and [`language`] says whether it is
//! Korean, English, Chinese or Japanese by its letters.
//!
//! Files are hostile until read: every limit in [`Limits`] (unpacked size,
//! entries, nesting depth, text size, time, memory) ends the reading with a
//! typed [`ExtractError`] whose message names what was wrong with the file,
//! never what the file says. [`Isolated`] runs the reading in a child
//! process under a time and memory limit, so a parser that hangs or
//! crashes cannot take the application with it.

#![deny(missing_docs)]

mod docx;
mod html;
mod isolate;
mod language;
mod pdf;
mod sniff;
mod text;

use std::time::Duration;

use refwatch_domain::MediaKind;

pub use isolate::{Isolated, worker_main};
pub use language::language;
pub use sniff::{check_name, kind_named, sniff};

/// The bounds every reading stays within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest working text kept, in bytes of UTF-8.
    pub max_text_bytes: usize,
    /// Largest unpacked part of a packed file (a DOCX's document), in bytes.
    pub max_unpacked_bytes: u64,
    /// Most entries in a packed file.
    pub max_entries: usize,
    /// Deepest nesting of elements in a document.
    pub max_depth: usize,
    /// Longest a reading may take.
    pub timeout: Duration,
    /// Most memory (address space) a reading process may use, in bytes.
    pub memory_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_text_bytes: 16 << 20,
            max_unpacked_bytes: 64 << 20,
            max_entries: 10_000,
            max_depth: 1_000,
            timeout: Duration::from_secs(30),
            memory_bytes: 2 << 30,
        }
    }
}

/// The working text of a file. Its `Debug` shows the text's size, never
/// the text (it may name people).
#[derive(Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The text, as read.
    pub text: String,
    /// Its language by [`language`].
    pub language: &'static str,
    /// Whether the text was cut at [`Limits::max_text_bytes`].
    pub truncated: bool,
}

impl std::fmt::Debug for Extracted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Extracted({} bytes, {}, truncated {})",
            self.text.len(),
            self.language,
            self.truncated
        )
    }
}

/// Why a file's text could not be read. Messages describe the file's
/// form, never its contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// The file's name claims one kind and its bytes are another.
    #[error(
        "the file is named as {} but its contents are {}; it was stored as {} and its text was not read",
        .named.code(), .found.code(), .found.code()
    )]
    Mismatch {
        /// What the name says.
        named: MediaKind,
        /// What the bytes are.
        found: MediaKind,
    },
    /// The file is damaged or not of its kind.
    #[error("the {} file is damaged or not really {}: {why}", .kind.code(), .kind.code())]
    Malformed {
        /// The kind it was read as.
        kind: MediaKind,
        /// What is wrong, in fixed words.
        why: &'static str,
    },
    /// Unpacking or reading would go past a size limit.
    #[error(
        "{what} would go past the limit of {limit} bytes; the file was not read (a packed bomb or an enormous page?)"
    )]
    TooLarge {
        /// What grew too large.
        what: &'static str,
        /// The limit.
        limit: u64,
    },
    /// Too many entries in a packed file.
    #[error("the file packs more than {0} entries; it was not read")]
    TooManyEntries(usize),
    /// Elements nested too deeply.
    #[error("the document nests elements more than {0} deep; it was not read")]
    TooDeep(usize),
    /// Not text in any encoding refwatch reads.
    #[error("the file is not text in UTF-8, UTF-16, EUC-KR or GB18030")]
    Encoding,
    /// Reading took too long and was stopped.
    #[error("reading the file took longer than {0} s and was stopped")]
    TimedOut(u64),
    /// The program that reads this kind is missing.
    #[error(
        "{0} is not installed; install Debian's package {1} and run `refwatch evidence reextract`"
    )]
    NoReader(&'static str, &'static str),
    /// The reading process failed (crashed, or ran out of its memory).
    #[error("reading the file failed: {0}")]
    Failed(String),
    /// Nothing to read in files of this kind.
    #[error("{} files hold no text to read", .0.code())]
    NoText(MediaKind),
}

/// Reads the working text of `bytes` as a file of `kind`, in this process.
/// PDF reading runs Poppler's `pdftotext` as a child under the time limit.
pub fn extract(bytes: &[u8], kind: MediaKind, limits: &Limits) -> Result<Extracted, ExtractError> {
    let text = match kind {
        MediaKind::Text => text::decode(bytes)?,
        MediaKind::Html => html::text(&text::decode(bytes)?, limits)?,
        MediaKind::Docx => docx::text(bytes, limits)?,
        MediaKind::Pdf => pdf::text(bytes, limits)?,
        other => return Err(ExtractError::NoText(other)),
    };
    Ok(finish(text, limits))
}

/// Cuts the text to the limit (on a character boundary) and names its language.
fn finish(mut text: String, limits: &Limits) -> Extracted {
    let truncated = text.len() > limits.max_text_bytes;
    if truncated {
        let mut end = limits.max_text_bytes;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    let language = language(&text);
    Extracted {
        text,
        language,
        truncated,
    }
}

/// Reads files' texts: in this process or isolated in a child.
pub trait Reader: Send + Sync {
    /// Reads the working text of `bytes` as a file of `kind`.
    fn read(&self, bytes: &[u8], kind: MediaKind) -> Result<Extracted, ExtractError>;
}

/// Reads in this process (tests, tools); see [`Isolated`] for the server.
#[derive(Debug, Clone, Copy, Default)]
pub struct Inline(pub Limits);

impl Reader for Inline {
    fn read(&self, bytes: &[u8], kind: MediaKind) -> Result<Extracted, ExtractError> {
        extract(bytes, kind, &self.0)
    }
}

#[cfg(test)]
mod tests;
