//! Typed record identifiers.
//!
//! Every record kind has its own id type so that a `PersonId` cannot be
//! passed where an `IncidentId` belongs. All of them wrap a UUID.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// The namespace under which human-readable keys (`key:some-slug`) are
/// turned into stable UUIDs (version 5). Fixed forever: changing it would
/// change every id derived from a key.
const KEY_NAMESPACE: Uuid = Uuid::from_u128(0x5f0c_2b7e_8a1d_4c3e_9b6f_1e2d_3c4b_5a69);

/// Why a text could not be read as a record id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a record id: expected a UUID or `key:` followed by letters, digits, '-', '_' or '.'")]
pub struct IdParseError;

/// Parses a UUID, or a `key:slug` that is mapped to a stable UUID.
pub(crate) fn parse_uuid(text: &str) -> Result<Uuid, IdParseError> {
    if let Some(slug) = text.strip_prefix("key:") {
        let ok = !slug.is_empty()
            && slug.len() <= 128
            && slug
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !ok {
            return Err(IdParseError);
        }
        return Ok(Uuid::new_v5(&KEY_NAMESPACE, slug.as_bytes()));
    }
    // Only the canonical hyphenated form is accepted, so that one id has one spelling.
    if text.len() != 36 {
        return Err(IdParseError);
    }
    Uuid::parse_str(text).map_err(|_| IdParseError)
}

macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Uuid);

        impl $name {
            /// A new random id.
            pub fn random() -> Self {
                Self(Uuid::new_v4())
            }

            /// Wraps an existing UUID.
            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID inside.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl FromStr for $name {
            type Err = IdParseError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                parse_uuid(text).map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }
    };
}

typed_id!(
    /// Identifies a [`crate::Source`].
    SourceId
);
typed_id!(
    /// Identifies a [`crate::Citation`].
    CitationId
);
typed_id!(
    /// Identifies an [`crate::Incident`].
    IncidentId
);
typed_id!(
    /// Identifies one report of an incident ([`crate::IncidentReport`]).
    ReportId
);
typed_id!(
    /// Identifies a [`crate::Person`]. Opaque: it says nothing about who the person is.
    PersonId
);
typed_id!(
    /// Identifies a [`crate::Place`].
    PlaceId
);
typed_id!(
    /// Identifies an [`crate::Actor`].
    ActorId
);
typed_id!(
    /// Identifies a [`crate::UprReview`].
    UprReviewId
);
typed_id!(
    /// Identifies a [`crate::Mechanism`] record.
    MechanismId
);
typed_id!(
    /// Identifies an [`crate::ImplementationNote`] on a mechanism record.
    ImplementationId
);
typed_id!(
    /// Identifies a [`crate::ReportedFigure`].
    FigureId
);
typed_id!(
    /// Identifies a user account (staff, not a documented person).
    AccountId
);
typed_id!(
    /// Identifies an [`crate::Evidence`] file as received.
    EvidenceId
);
