//! Controlled vocabularies: the lists of codes that kinds, roles, themes and
//! categories are drawn from, each with an English and a Korean label.
//!
//! The vocabularies are data (`vocab/terms.tsv`), compiled into the binary so
//! that refwatch runs offline with no extra files; code refers to a term only
//! by its stable code.

use std::collections::BTreeMap;
use std::fmt;

/// The built-in vocabulary file.
const BUILTIN: &str = include_str!("../vocab/terms.tsv");

/// The vocabularies refwatch knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Vocabulary {
    /// Kinds of source (UN document, media...).
    SourceKind,
    /// Reliability grades of sources.
    Reliability,
    /// Verification status of incidents.
    Verification,
    /// Kinds of incident.
    IncidentKind,
    /// Kinds of place.
    PlaceKind,
    /// Roles a place plays in an incident.
    PlaceRole,
    /// Kinds of actor.
    ActorKind,
    /// Roles an actor plays in an incident.
    ActorRole,
    /// Sex.
    Sex,
    /// Age groups.
    AgeGroup,
    /// Categories of affected people.
    VictimCategory,
    /// Steps of a person's status timeline.
    PersonStatus,
    /// Roles a person plays in an incident.
    PersonRole,
    /// Themes of UN recommendations.
    Theme,
    /// Indicators of reported figures.
    Indicator,
    /// UN treaty bodies.
    TreatyBody,
    /// What a person's consent allows.
    ConsentScope,
    /// How far a UN recommendation has been implemented.
    ImplementationStatus,
}

impl Vocabulary {
    /// Every vocabulary.
    pub const ALL: [Vocabulary; 18] = [
        Self::SourceKind,
        Self::Reliability,
        Self::Verification,
        Self::IncidentKind,
        Self::PlaceKind,
        Self::PlaceRole,
        Self::ActorKind,
        Self::ActorRole,
        Self::Sex,
        Self::AgeGroup,
        Self::VictimCategory,
        Self::PersonStatus,
        Self::PersonRole,
        Self::Theme,
        Self::Indicator,
        Self::TreatyBody,
        Self::ConsentScope,
        Self::ImplementationStatus,
    ];

    /// The vocabulary's name as written in the vocabulary file.
    pub fn name(self) -> &'static str {
        match self {
            Self::SourceKind => "source_kind",
            Self::Reliability => "reliability",
            Self::Verification => "verification",
            Self::IncidentKind => "incident_kind",
            Self::PlaceKind => "place_kind",
            Self::PlaceRole => "place_role",
            Self::ActorKind => "actor_kind",
            Self::ActorRole => "actor_role",
            Self::Sex => "sex",
            Self::AgeGroup => "age_group",
            Self::VictimCategory => "victim_category",
            Self::PersonStatus => "person_status",
            Self::PersonRole => "person_role",
            Self::Theme => "theme",
            Self::Indicator => "indicator",
            Self::TreatyBody => "treaty_body",
            Self::ConsentScope => "consent_scope",
            Self::ImplementationStatus => "implementation_status",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.name() == name)
    }
}

impl fmt::Display for Vocabulary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A code from a vocabulary, e.g. `repatriation`. Whether the code exists
/// is checked by validation against [`Vocabularies`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Term(String);

impl Term {
    /// Wraps a code.
    pub fn new(code: impl Into<String>) -> Self {
        Self(code.into())
    }

    /// The code.
    pub fn code(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A language refwatch speaks to users in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Korean.
    Ko,
}

/// The labels of one term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    /// English label.
    pub en: String,
    /// Korean label.
    pub ko: String,
}

/// A vocabulary file line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("vocabulary file line {line}: {reason}")]
pub struct VocabFileError {
    line: usize,
    reason: &'static str,
}

/// All vocabularies with their terms and labels.
#[derive(Debug, Clone)]
pub struct Vocabularies {
    terms: BTreeMap<(Vocabulary, String), Labels>,
}

impl Vocabularies {
    /// The vocabularies shipped with refwatch.
    pub fn builtin() -> Self {
        // The built-in file is tested; failing here is a build defect.
        Self::parse(BUILTIN).expect("the built-in vocabulary file is valid")
    }

    /// Reads a vocabulary file: `vocabulary<TAB>code<TAB>English<TAB>Korean`,
    /// with `#` comment lines.
    pub fn parse(text: &str) -> Result<Self, VocabFileError> {
        let mut terms = BTreeMap::new();
        for (index, line) in text.lines().enumerate() {
            let line_no = index + 1;
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let err = |reason| VocabFileError {
                line: line_no,
                reason,
            };
            let [vocab, code, en, ko] = fields[..] else {
                return Err(err("expected four tab-separated fields"));
            };
            let vocab = Vocabulary::from_name(vocab).ok_or(err("unknown vocabulary"))?;
            if code.is_empty() || en.is_empty() || ko.is_empty() {
                return Err(err("empty code or label"));
            }
            let labels = Labels {
                en: en.to_owned(),
                ko: ko.to_owned(),
            };
            if terms.insert((vocab, code.to_owned()), labels).is_some() {
                return Err(err("duplicate code"));
            }
        }
        Ok(Self { terms })
    }

    /// Whether `term` is a code of `vocab`.
    pub fn contains(&self, vocab: Vocabulary, term: &Term) -> bool {
        self.terms.contains_key(&(vocab, term.0.clone()))
    }

    /// The label of a term in a language; the code itself if unknown.
    pub fn label<'a>(&'a self, vocab: Vocabulary, term: &'a Term, lang: Lang) -> &'a str {
        match self.terms.get(&(vocab, term.0.clone())) {
            Some(labels) => match lang {
                Lang::En => &labels.en,
                Lang::Ko => &labels.ko,
            },
            None => term.code(),
        }
    }

    /// The codes of one vocabulary, in code order.
    pub fn codes(&self, vocab: Vocabulary) -> impl Iterator<Item = &str> {
        self.terms
            .keys()
            .filter(move |(v, _)| *v == vocab)
            .map(|(_, code)| code.as_str())
    }
}
