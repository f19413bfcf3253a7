//! Spreadsheets in and out: CSV and XLSX files as field offices keep
//! them, read into records of the refwatch dataset file with every problem
//! located by sheet, row and column, in the reader's language; and the
//! lists written back as CSV or XLSX ([`lists`]).
//!
//! The flow: [`read`] turns a file into rows of text; a [`Mapping`] (read
//! from TOML, or guessed from the headers) says which column holds which
//! field; [`convert`] finds the header row (below any title rows), reads
//! every value as the curation rules read words ([`values`]), resolves
//! sources, places and vocabulary terms against the database, and gives
//! a dataset file for the same importer that reads JSON, so that every
//! rule the importer enforces holds here too. Nothing here writes.

#![deny(missing_docs)]

mod convert;
pub mod lists;
pub mod mapping;
mod problem;
pub mod read;
pub mod values;

pub use convert::{Converted, Matched, PersonIds, Reference, convert, convert_with, guess, header};
pub use mapping::{Field, Mapping, MappingError, RecordKind};
pub use problem::{Located, Problem};
pub use read::{ReadError, Sheet, read_csv, read_xlsx};

#[cfg(test)]
mod tests;
