//! Versions of records edited one at a time: what kind, which version,
//! who, when, how and why, and the record itself in the dataset file
//! format (the text is made and read by `refwatch-interchange`).

use crate::{Confidentiality, Timestamp};

/// The kinds of record whose versions are kept when they are edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordKind {
    /// A source.
    Source,
    /// A place.
    Place,
    /// An actor.
    Actor,
    /// An incident, with its places, actors, breakdowns, reports and citations.
    Incident,
    /// A person at risk: what does not identify them (their identity and
    /// the words of their citations stay sealed and are not versioned).
    Person,
    /// A UN mechanism record (a recommendation, an observation, a
    /// communication, a resolution) with its response and citations.
    Mechanism,
    /// A reported figure with its citations.
    Figure,
}

impl RecordKind {
    /// Every kind.
    pub const ALL: [RecordKind; 7] = [
        Self::Source,
        Self::Place,
        Self::Actor,
        Self::Incident,
        Self::Person,
        Self::Mechanism,
        Self::Figure,
    ];

    /// Its code, as stored and as the API names it (`source`, ...).
    pub fn code(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Place => "place",
            Self::Actor => "actor",
            Self::Incident => "incident",
            Self::Person => "person",
            Self::Mechanism => "mechanism",
            Self::Figure => "figure",
        }
    }

    /// The kind with this code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The list its records are under in the dataset file format, as the
    /// API's and the pages' paths name it too (`sources`, ...).
    pub fn list_name(self) -> &'static str {
        match self {
            Self::Source => "sources",
            Self::Place => "places",
            Self::Actor => "actors",
            Self::Incident => "incidents",
            Self::Person => "persons",
            Self::Mechanism => "mechanisms",
            Self::Figure => "figures",
        }
    }
}

/// How a version of a record came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionAction {
    /// The record as imported, kept when it was first edited.
    Imported,
    /// Created in the browser or the API.
    Create,
    /// Changed.
    Update,
    /// Archived: taken out of the records, kept here to be restored.
    Archive,
    /// An earlier version made current again.
    Restore,
}

impl VersionAction {
    /// Every action.
    pub const ALL: [VersionAction; 5] = [
        Self::Imported,
        Self::Create,
        Self::Update,
        Self::Archive,
        Self::Restore,
    ];

    /// Its code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            Self::Imported => "imported",
            Self::Create => "create",
            Self::Update => "update",
            Self::Archive => "archive",
            Self::Restore => "restore",
        }
    }

    /// The action with this code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// One kept version of a record: the record as it was after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordVersion {
    /// The record's kind.
    pub kind: RecordKind,
    /// The record's id.
    pub id: String,
    /// Its number, from 1 (given by the store when the version is written).
    pub number: u32,
    /// When.
    pub at: Timestamp,
    /// Who, as the audit log names them.
    pub actor: String,
    /// How.
    pub action: VersionAction,
    /// Why (archiving asks for a reason).
    pub reason: Option<String>,
    /// The record's level in this version.
    pub confidentiality: Confidentiality,
    /// The record in the dataset file format.
    pub body: String,
}

impl Timestamp {
    /// Reads an RFC 3339 time in UTC as written by `Display`
    /// (`2026-11-23T14:05:09Z`).
    pub fn parse_utc(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[19] != b'Z' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
        let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 59 {
            return None;
        }
        let days = crate::time::days_from_civil(i32::try_from(y).ok()?, mo as u8, d as u8);
        let at = Self(days * 86_400 + h * 3600 + mi * 60 + s);
        // A day past the month's end comes back as another date: refused.
        (at.to_string() == text).then_some(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_back_as_they_are_written_and_impossible_ones_are_refused() {
        for at in [0, 1_764_000_000, 951_782_400] {
            let t = Timestamp(at);
            assert_eq!(Timestamp::parse_utc(&t.to_string()), Some(t));
        }
        for bad in [
            "2026-02-30T00:00:00Z",
            "2026-11-23 14:05:09Z",
            "2026-11-23T24:00:00Z",
            "2026-11-23T14:05:09",
            "yesterday",
        ] {
            assert_eq!(Timestamp::parse_utc(bad), None, "{bad}");
        }
        for kind in RecordKind::ALL {
            assert_eq!(RecordKind::from_code(kind.code()), Some(kind));
        }
        for action in VersionAction::ALL {
            assert_eq!(VersionAction::from_code(action.code()), Some(action));
        }
    }
}
