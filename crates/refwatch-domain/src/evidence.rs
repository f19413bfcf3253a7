//! Evidence files as received: what the record of a stored file holds, its
//! content hash and its chain of custody. The bytes themselves live in the
//! evidence store (`refwatch-evidence`), sealed; who handed a file over and
//! its original name identify people and are sealed too, outside this type.

use std::fmt;
use std::str::FromStr;

use crate::{Confidentiality, EvidenceId, SourceId, Timestamp};

/// A SHA-256 digest of a file's exact bytes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ContentHash(pub [u8; 32]);

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentHash({self})")
    }
}

/// A text that is not 64 hexadecimal digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a SHA-256 hash is 64 hexadecimal digits")]
pub struct HashParseError;

impl FromStr for ContentHash {
    type Err = HashParseError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return Err(HashParseError);
        }
        let digit = |b: u8| -> Result<u8, HashParseError> {
            (b as char)
                .to_digit(16)
                .map(|d| d as u8)
                .ok_or(HashParseError)
        };
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks(2).enumerate() {
            out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
        }
        Ok(Self(out))
    }
}

/// What kind of file a piece of evidence is, as its contents show (never
/// as its name claims).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MediaKind {
    /// PDF document.
    Pdf,
    /// Word document (Office Open XML).
    Docx,
    /// Web page.
    Html,
    /// Plain text.
    Text,
    /// Photograph or scan (JPEG, PNG, GIF, WebP, TIFF).
    Image,
    /// Sound recording (MP3, WAV, Ogg, FLAC, M4A).
    Audio,
    /// Anything else: stored and kept, not read.
    Other,
}

impl MediaKind {
    /// Every kind.
    pub const ALL: [MediaKind; 7] = [
        Self::Pdf,
        Self::Docx,
        Self::Html,
        Self::Text,
        Self::Image,
        Self::Audio,
        Self::Other,
    ];

    /// The kind's code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Docx => "docx",
            Self::Html => "html",
            Self::Text => "text",
            Self::Image => "image",
            Self::Audio => "audio",
            Self::Other => "other",
        }
    }

    /// Reads a kind's code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Whether text is read out of files of this kind.
    pub fn has_text(self) -> bool {
        matches!(self, Self::Pdf | Self::Docx | Self::Html | Self::Text)
    }
}

/// What came of reading the text out of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extraction {
    /// A working text of this many characters is kept beside the original.
    Text {
        /// Characters in the working text.
        chars: u64,
    },
    /// The kind holds no text to read (photographs, recordings).
    NotApplicable,
    /// Reading failed; the original is stored all the same. The reason
    /// says what was wrong with the file, never what it says.
    Failed(String),
}

/// One file as received and stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// The record's id.
    pub id: EvidenceId,
    /// SHA-256 of the exact bytes received.
    pub hash: ContentHash,
    /// Size in bytes.
    pub size: u64,
    /// What the file is, by its contents.
    pub media: MediaKind,
    /// The source the file belongs to (a testimony, a letter, a report).
    pub source: SourceId,
    /// How it reached us (in person, Signal, e-mail, courier...).
    pub received_via: String,
    /// When it was taken in.
    pub received_at: Timestamp,
    /// Who may read it.
    pub confidentiality: Confidentiality,
    /// The working text's language (`ko`, `en`, `zh`, `ja`, `und`), when
    /// there is a text.
    pub language: Option<String>,
    /// What came of reading its text.
    pub extraction: Extraction,
}

/// Something done with a piece of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CustodyAction {
    /// Taken in (also when the same bytes are received again).
    Intake,
    /// Its record or working text was looked at.
    View,
    /// The original was given out as a file.
    Download,
    /// Put into an export bundle.
    Export,
    /// A copy was handed to another custodian.
    Transfer,
    /// Re-hashed by `refwatch evidence verify`.
    Verify,
}

impl CustodyAction {
    /// Every action.
    pub const ALL: [CustodyAction; 6] = [
        Self::Intake,
        Self::View,
        Self::Download,
        Self::Export,
        Self::Transfer,
        Self::Verify,
    ];

    /// The action's code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Intake => "intake",
            Self::View => "view",
            Self::Download => "download",
            Self::Export => "export",
            Self::Transfer => "transfer",
            Self::Verify => "verify",
        }
    }

    /// Reads an action's code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// One entry of a file's chain of custody.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodyEntry {
    /// The file.
    pub evidence: EvidenceId,
    /// When.
    pub at: Timestamp,
    /// Who, as the audit log names them (`operator`, `user:<id>`).
    pub actor: String,
    /// What.
    pub action: CustodyAction,
    /// The SHA-256 of the stored bytes at that moment (`None` when they
    /// could not be read: missing or damaged).
    pub hash: Option<ContentHash>,
    /// A short note: to whom a copy went, what a check found.
    pub note: String,
}
