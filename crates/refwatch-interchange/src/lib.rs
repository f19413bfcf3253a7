//! The refwatch dataset file: a documented JSON format
//! (`docs/dataset.schema.json`) for export, import and the demo data.
//!
//! Reading reports every problem it finds, each with its JSON path, instead
//! of stopping at the first. This crate converts between the file and
//! [`refwatch_domain::Dataset`]; it does not validate cross-record rules
//! (that is [`refwatch_domain::validate`]) and does no I/O.

#![deny(missing_docs)]

mod dto;
mod read;
mod write;

pub use read::{parse, parse_value};
pub use write::to_json;

/// The `format` value every dataset file carries.
pub const FORMAT: &str = "refwatch-dataset";
/// The version of the format this build reads and writes.
pub const VERSION: u32 = 1;

/// Turns a validation path (`incidents[3].kind`) into a JSON path
/// (`$.incidents[3].kind`).
pub fn json_path(path: &str) -> String {
    if path.is_empty() {
        "$".to_owned()
    } else {
        format!("$.{path}")
    }
}

#[cfg(test)]
mod tests;
