//! The refwatch domain: record types, typed ids, dates with precision,
//! controlled vocabularies and the validation rules.
//!
//! This crate does no I/O and knows nothing of storage, JSON or HTTP. Other
//! crates convert to and from these types at their edges.

#![deny(missing_docs)]

mod date;
mod evidence;
mod history;
mod id;
mod korean;
mod links;
mod record;
mod time;
mod validate;
mod vocab;

pub use date::{DateError, DateValue, PartialDate, Precision};
pub use evidence::{
    ContentHash, CustodyAction, CustodyEntry, Evidence, Extraction, HashParseError, MediaKind,
};
pub use history::{RecordKind, RecordVersion, VersionAction};
pub use id::*;
pub use korean::problem_in_korean;
pub use links::{
    FieldWeight, LinkDecision, LinkKind, LinkPair, LinkRun, LinkSuggestion, SameGroups, Verdict,
    same_incidents, same_persons,
};
pub use record::*;
pub use time::{Clock, SystemClock, Timestamp};
pub use validate::{Problem, context_for, validate, validate_addition};
pub use vocab::{Labels, Lang, Term, VocabFileError, Vocabularies, Vocabulary};

#[cfg(test)]
mod tests;
