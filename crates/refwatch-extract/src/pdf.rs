//! The text of a PDF, by Poppler's `pdftotext` in a child process under
//! the time and memory limits (Poppler reads PDFs as they come, damaged
//! ones included, and far better than any pure-Rust reader here).

use std::process::Command;

use refwatch_domain::MediaKind;

use crate::isolate::{RunError, limited, run_child};
use crate::{ExtractError, Limits};

pub(crate) fn text(bytes: &[u8], limits: &Limits) -> Result<String, ExtractError> {
    let mut command: Command = limited("pdftotext", limits);
    command.args(["-enc", "UTF-8", "-q", "-", "-"]);
    let output = run_child(command, bytes, limits.max_text_bytes + 1, limits.timeout).map_err(
        |e| match e {
            RunError::Spawn => ExtractError::NoReader("pdftotext", "poppler-utils"),
            RunError::TimedOut => ExtractError::TimedOut(limits.timeout.as_secs()),
        },
    )?;
    if !output.success && !output.overflowed {
        return Err(ExtractError::Malformed {
            kind: MediaKind::Pdf,
            why: "Poppler cannot read it",
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).replace('\u{c}', "\n"))
}
