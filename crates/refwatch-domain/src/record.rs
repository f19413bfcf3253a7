//! The records refwatch keeps: sources and citations, incidents, persons,
//! places, actors, UN mechanism records and reported figures.
//!
//! These are plain data. Their rules live in [`crate::validate`], so that a
//! record read back from a damaged database can still be reported on.
//! None of them derives `Serialize`: the interchange and server crates define
//! their own wire types, so a careless derive cannot put a protected field on
//! the wire.

use std::fmt;
use std::sync::Arc;

use crate::date::DateValue;
use crate::id::*;
use crate::vocab::Term;

/// Who may see a record. Ordered from least to most protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidentiality {
    /// Anyone, including the public.
    Public,
    /// Signed-in members of the organisation.
    Restricted,
    /// Only roles cleared for confidential records.
    Confidential,
}

impl Confidentiality {
    /// Every level, least protected first.
    pub const ALL: [Confidentiality; 3] = [Self::Public, Self::Restricted, Self::Confidential];

    /// The level's code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Restricted => "restricted",
            Self::Confidential => "confidential",
        }
    }

    /// Reads a level's code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// A number of people as reported: low, best and high.
///
/// "at least 500" is low 500, best 500, no high; "13 to 15" is low 13,
/// high 15. A missing high means no upper bound was reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    /// The documented minimum.
    pub low: u64,
    /// The most likely figure, if one was reported or can be defended.
    pub best: Option<u64>,
    /// The reported maximum, if there is one.
    pub high: Option<u64>,
}

impl Count {
    /// An exact count.
    pub fn exact(n: u64) -> Self {
        Self {
            low: n,
            best: Some(n),
            high: Some(n),
        }
    }
}

/// A publication or testimony that claims are cited from.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// Its id.
    pub id: SourceId,
    /// Its kind (vocabulary `source_kind`).
    pub kind: Term,
    /// Its title.
    pub title: String,
    /// Who published it.
    pub publisher: Option<String>,
    /// Who wrote it.
    pub author: Option<String>,
    /// When it was published.
    pub date: Option<DateValue>,
    /// Its language, as a BCP 47 tag (`en`, `ko`, `zh`).
    pub language: Option<String>,
    /// Where it can be found.
    pub url: Option<String>,
    /// A UN document symbol such as `A/HRC/25/CRP.1`.
    pub symbol: Option<String>,
    /// Reliability grade (vocabulary `reliability`).
    pub reliability: Option<Term>,
    /// Who may see that this source exists.
    pub confidentiality: Confidentiality,
    /// Curator's note.
    pub note: Option<String>,
}

/// A claim's backing: a source, where in it, and the exact words.
#[derive(Debug, Clone, PartialEq)]
pub struct Citation {
    /// Its id.
    pub id: CitationId,
    /// The source that makes the claim.
    pub source: SourceId,
    /// The source through which the claim reached us, when it is cited
    /// second-hand (e.g. an HRW report cited in an open letter's footnote).
    pub via: Option<SourceId>,
    /// Page, paragraph or footnote in the source (or in `via` when set).
    pub locator: String,
    /// The exact quoted words.
    pub quote: String,
    /// Curator's note, e.g. how a "nearly 50" was turned into numbers.
    pub note: Option<String>,
}

/// A place that an incident involves, with its role.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceLink {
    /// The place.
    pub place: PlaceId,
    /// Its role (vocabulary `place_role`).
    pub role: Term,
}

/// An actor involved in an incident, with its role.
#[derive(Debug, Clone, PartialEq)]
pub struct ActorLink {
    /// The actor.
    pub actor: ActorId,
    /// Its role (vocabulary `actor_role`).
    pub role: Term,
}

/// The dimension a breakdown part divides people by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    /// By sex (vocabulary `sex`).
    Sex,
    /// By age group (vocabulary `age_group`).
    AgeGroup,
    /// By category (vocabulary `victim_category`).
    Category,
}

impl Dimension {
    /// Every dimension.
    pub const ALL: [Dimension; 3] = [Self::Sex, Self::AgeGroup, Self::Category];

    /// The dimension's code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Sex => "sex",
            Self::AgeGroup => "age_group",
            Self::Category => "category",
        }
    }

    /// Reads a dimension's code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.code() == code)
    }

    /// The vocabulary its terms are drawn from.
    pub fn vocabulary(self) -> crate::Vocabulary {
        match self {
            Self::Sex => crate::Vocabulary::Sex,
            Self::AgeGroup => crate::Vocabulary::AgeGroup,
            Self::Category => crate::Vocabulary::VictimCategory,
        }
    }
}

/// Part of the people affected by an incident, e.g. "women: at least 1,400".
#[derive(Debug, Clone, PartialEq)]
pub struct BreakdownPart {
    /// What the part divides by.
    pub dimension: Dimension,
    /// The value on that dimension, e.g. `female`.
    pub term: Term,
    /// How many people.
    pub count: Count,
}

/// One source's account of an incident. When documents disagree ("over 50"
/// and "nearly 50"), each account is kept with its own figures and
/// citations under the one incident, instead of choosing silently.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentReport {
    /// Its id.
    pub id: ReportId,
    /// The date as this report gives it.
    pub date: Option<DateValue>,
    /// The number of people as this report gives it.
    pub victims: Option<Count>,
    /// What this report says, in the curator's words.
    pub summary: String,
    /// Where it says so.
    pub citations: Vec<Citation>,
}

/// Something that happened to one or more people.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// Its id.
    pub id: IncidentId,
    /// Its kind (vocabulary `incident_kind`).
    pub kind: Term,
    /// A short title.
    pub title: String,
    /// What happened, in the curator's words.
    pub summary: String,
    /// When it happened.
    pub date: DateValue,
    /// Where, with roles.
    pub places: Vec<PlaceLink>,
    /// Who was involved, with roles.
    pub actors: Vec<ActorLink>,
    /// How many people were affected, reconciled across reports.
    pub victims: Count,
    /// The affected people divided by sex, age group or category.
    pub breakdown: Vec<BreakdownPart>,
    /// Verification status (vocabulary `verification`).
    pub verification: Term,
    /// Who may see it.
    pub confidentiality: Confidentiality,
    /// The accounts of it, one per source, when they differ.
    pub reports: Vec<IncidentReport>,
    /// Where the incident as a whole is cited.
    pub citations: Vec<Citation>,
}

/// What identifies a person. Kept in its own type so that exactly this can be
/// encrypted, withheld and audited. Its `Debug` output is redacted and its
/// memory is zeroed when dropped.
#[derive(Clone, PartialEq, Default, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct PersonIdentity {
    /// Name in Hangul.
    pub name_hangul: Option<String>,
    /// Name in Latin letters.
    pub name_romanized: Option<String>,
    /// Name in Chinese characters.
    pub name_chinese: Option<String>,
    /// Exact birth date.
    pub birth_date: Option<String>,
    /// Home address or precise origin.
    pub origin: Option<String>,
    /// Family contacts.
    pub family_contacts: Option<String>,
    /// The words of the citations on the person (locator, quote, note):
    /// a source that writes about a person names them, so these are sealed
    /// and read with the identity (docs/policy.md).
    pub cited: Vec<CitedText>,
}

/// The words of one citation on a person, kept with the person's identity.
#[derive(Clone, PartialEq, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct CitedText {
    /// The citation (on the person) these words belong to.
    #[zeroize(skip)]
    pub citation: CitationId,
    /// Page, paragraph or footnote.
    pub locator: String,
    /// The exact quoted words.
    pub quote: String,
    /// Curator's note.
    pub note: Option<String>,
}

impl fmt::Debug for CitedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CitedText({}, <redacted>)", self.citation)
    }
}

impl fmt::Debug for PersonIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonIdentity(<redacted>)")
    }
}

impl PersonIdentity {
    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        [
            &self.name_hangul,
            &self.name_romanized,
            &self.name_chinese,
            &self.birth_date,
            &self.origin,
            &self.family_contacts,
        ]
        .iter()
        .all(|f| f.is_none())
            && self.cited.is_empty()
    }
}

impl PersonIdentity {
    /// Takes the words (locator, quote, note) out of these citations on
    /// the person and keeps them, replacing any kept for the same citation;
    /// the citations are left with their sources only.
    pub fn keep_cited_words(&mut self, citations: &mut [Citation]) {
        for c in citations {
            self.cited.retain(|t| t.citation != c.id);
            self.cited.push(CitedText {
                citation: c.id,
                locator: std::mem::take(&mut c.locator),
                quote: std::mem::take(&mut c.quote),
                note: c.note.take(),
            });
        }
    }
}

impl PersonIdentity {
    /// Puts the words kept for these citations back into them, and keeps
    /// them no longer (the reverse of [`PersonIdentity::keep_cited_words`]).
    pub fn give_back_cited_words(&mut self, citations: &mut [Citation]) {
        for t in std::mem::take(&mut self.cited) {
            if let Some(c) = citations.iter_mut().find(|c| c.id == t.citation) {
                c.locator.clone_from(&t.locator);
                c.quote.clone_from(&t.quote);
                c.note.clone_from(&t.note);
            }
        }
    }
}

impl Person {
    /// Moves the words of the person's citations into the identity
    /// ([`PersonIdentity::keep_cited_words`]): what is left is stored in the
    /// clear and shown to readers who may not identify the person.
    pub fn seal_cited_words(&mut self) {
        if self.citations.is_empty() {
            return;
        }
        self.identity
            .get_or_insert_with(PersonIdentity::default)
            .keep_cited_words(&mut self.citations);
    }

    /// Puts the words kept with the identity back into the person's
    /// citations (the reverse of [`Person::seal_cited_words`]); a person
    /// with no identity left is given none.
    pub fn open_cited_words(&mut self) {
        let Some(identity) = self.identity.as_mut() else {
            return;
        };
        identity.give_back_cited_words(&mut self.citations);
        if identity.is_empty() {
            self.identity = None;
        }
    }

    /// Whether the words of this citation are kept with the identity (a
    /// citation on a person, read back without them).
    pub fn cited_words_sealed(citation: &Citation) -> bool {
        citation.quote.is_empty() && citation.locator.is_empty()
    }
}

/// A person's identity encrypted at rest: what the database holds instead
/// of the plaintext. Only the key holder can open it.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedIdentity {
    /// Which data-encryption key sealed it.
    pub key_version: u32,
    /// The AEAD nonce.
    pub nonce: Vec<u8>,
    /// The ciphertext with its authentication tag.
    pub ciphertext: Vec<u8>,
}

impl fmt::Debug for SealedIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SealedIdentity(key {}, {} bytes)",
            self.key_version,
            self.ciphertext.len()
        )
    }
}

/// One step of a person's status timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusEvent {
    /// When.
    pub date: DateValue,
    /// The status (vocabulary `person_status`).
    pub status: Term,
    /// Where, if known.
    pub place: Option<PlaceId>,
    /// The incident this step belongs to, if any.
    pub incident: Option<IncidentId>,
    /// The person's citation that records this step, if any (one of
    /// [`Person::citations`]).
    pub citation: Option<CitationId>,
}

/// A person's (or their family's) decision on how their case may be used,
/// as it stands, and who recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct Consent {
    /// What it allows (vocabulary `consent_scope`); only `public` lets the
    /// person be named in public advocacy.
    pub scope: Term,
    /// When it was given or withdrawn.
    pub date: DateValue,
    /// Who recorded it (a member's username, or the documenter's name).
    pub recorded_by: String,
}

impl Consent {
    /// The scope that allows public advocacy.
    pub const PUBLIC: &'static str = "public";

    /// Whether it allows the person to be named in public advocacy.
    pub fn allows_public(&self) -> bool {
        self.scope.code() == Self::PUBLIC
    }
}

/// A link from a person to an incident, with the person's role in it.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonIncident {
    /// The incident.
    pub incident: IncidentId,
    /// The person's role (vocabulary `person_role`).
    pub role: Term,
}

/// An individual at risk or affected.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// Its opaque id.
    pub id: PersonId,
    /// What identifies the person, when it has been disclosed to the
    /// reader; `None` when it was not loaded or is not theirs to see. At
    /// rest it is only ever held sealed ([`SealedIdentity`]).
    pub identity: Option<PersonIdentity>,
    /// Sex (vocabulary `sex`).
    pub sex: Option<Term>,
    /// Birth year, when known; never the exact date (that is identity).
    pub birth_year: Option<i32>,
    /// Age group (vocabulary `age_group`).
    pub age_group: Option<Term>,
    /// Province of origin.
    pub origin_place: Option<PlaceId>,
    /// Category (vocabulary `victim_category`).
    pub category: Option<Term>,
    /// What happened to the person, in date order.
    pub timeline: Vec<StatusEvent>,
    /// The incidents the person is linked to.
    pub incidents: Vec<PersonIncident>,
    /// Whether the person (or family) consented to public advocacy: what
    /// the publication guard reads. When [`Person::consent`] is recorded,
    /// the two agree (validation checks it).
    pub consent_public: bool,
    /// The consent as recorded: scope, date and who recorded it.
    pub consent: Option<Consent>,
    /// Who may see the record.
    pub confidentiality: Confidentiality,
    /// Where what is recorded is cited.
    pub citations: Vec<Citation>,
}

/// Precision of coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoordPrecision {
    /// The exact spot.
    Exact,
    /// The town or city.
    City,
    /// The county or prefecture.
    District,
    /// The province.
    Province,
    /// The country.
    Country,
}

impl CoordPrecision {
    /// Every precision.
    pub const ALL: [CoordPrecision; 5] = [
        Self::Exact,
        Self::City,
        Self::District,
        Self::Province,
        Self::Country,
    ];

    /// The precision's code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::City => "city",
            Self::District => "district",
            Self::Province => "province",
            Self::Country => "country",
        }
    }

    /// Reads a precision's code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// A point on the map and how precise it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coordinates {
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lon: f64,
    /// How precise.
    pub precision: CoordPrecision,
}

/// A place: a country, province, city, facility or crossing.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Its id.
    pub id: PlaceId,
    /// Its kind (vocabulary `place_kind`).
    pub kind: Term,
    /// English name.
    pub name_en: String,
    /// Korean name.
    pub name_ko: Option<String>,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<String>,
    /// The place it lies in.
    pub parent: Option<PlaceId>,
    /// Where it is.
    pub coordinates: Option<Coordinates>,
}

fn local_name<'a>(en: &'a str, ko: Option<&'a str>, lang: crate::Lang) -> &'a str {
    match (lang, ko) {
        (crate::Lang::Ko, Some(ko)) => ko,
        _ => en,
    }
}

impl Place {
    /// The name in `lang`, or the English one when there is none.
    pub fn name(&self, lang: crate::Lang) -> &str {
        local_name(&self.name_en, self.name_ko.as_deref(), lang)
    }
}

/// A body or person responsible for or involved in events.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    /// Its id.
    pub id: ActorId,
    /// Its kind (vocabulary `actor_kind`).
    pub kind: Term,
    /// English name.
    pub name_en: String,
    /// Korean name.
    pub name_ko: Option<String>,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// The body it belongs to.
    pub parent: Option<ActorId>,
}

impl Actor {
    /// The name in `lang`, or the English one when there is none.
    pub fn name(&self, lang: crate::Lang) -> &str {
        local_name(&self.name_en, self.name_ko.as_deref(), lang)
    }
}

/// One Universal Periodic Review of China.
#[derive(Debug, Clone, PartialEq)]
pub struct UprReview {
    /// Its id.
    pub id: UprReviewId,
    /// The cycle (1 to 4 for China's reviews of 2009, 2013, 2018, 2024).
    pub cycle: u8,
    /// The date of the review.
    pub date: DateValue,
    /// The Working Group report's symbol, e.g. `A/HRC/25/5`.
    pub symbol: Option<String>,
    /// Where it is cited.
    pub citations: Vec<Citation>,
}

/// How a state voted on a resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoteTally {
    /// Votes in favour.
    pub yes: u32,
    /// Votes against.
    pub no: u32,
    /// Abstentions.
    pub abstain: u32,
}

/// What kind of UN mechanism record this is, with what only that kind has.
#[derive(Debug, Clone, PartialEq)]
pub enum MechanismDetail {
    /// A recommendation (or advance question) made to China in a UPR review.
    UprRecommendation {
        /// The review.
        review: UprReviewId,
        /// Paragraph number such as `186.241`, if numbered.
        paragraph: Option<String>,
        /// The recommending state.
        state: String,
        /// China's response (accepted, noted...), if recorded.
        response: Option<String>,
    },
    /// A treaty body's concluding observation.
    TreatyObservation {
        /// The body (vocabulary `treaty_body`).
        body: Term,
        /// Paragraph(s).
        paragraph: Option<String>,
    },
    /// A special-procedures communication such as `JAL CHN 8/2021`.
    Communication {
        /// The mandate holders who signed it.
        mandate_holders: Vec<String>,
        /// Whether China replied.
        reply_received: Option<bool>,
    },
    /// A recommendation of the Commission of Inquiry.
    CoiRecommendation {
        /// Paragraph, e.g. `90 (a)`.
        paragraph: String,
    },
    /// A resolution of a UN body and its vote.
    Resolution {
        /// The body (e.g. Human Rights Council).
        body: String,
        /// The vote, if one was taken.
        vote: Option<VoteTally>,
        /// How China voted, if known.
        china_vote: Option<String>,
    },
}

impl MechanismDetail {
    /// The kind's code.
    pub fn kind_code(&self) -> &'static str {
        match self {
            Self::UprRecommendation { .. } => "upr_recommendation",
            Self::TreatyObservation { .. } => "treaty_observation",
            Self::Communication { .. } => "communication",
            Self::CoiRecommendation { .. } => "coi_recommendation",
            Self::Resolution { .. } => "resolution",
        }
    }
}

/// A UN mechanism record: a recommendation, observation, communication or
/// resolution that bears on China's treatment of North Koreans.
#[derive(Debug, Clone, PartialEq)]
pub struct Mechanism {
    /// Its id.
    pub id: MechanismId,
    /// Kind and kind-specific fields.
    pub detail: MechanismDetail,
    /// A document symbol or reference, e.g. `CAT/C/CHN/CO/4`, `JAL CHN 9/2023`.
    pub reference: Option<String>,
    /// When it was made.
    pub date: DateValue,
    /// Its text or a summary of it.
    pub text: String,
    /// Themes (vocabulary `theme`).
    pub themes: Vec<Term>,
    /// Incidents that bear on its implementation.
    pub incidents: Vec<IncidentId>,
    /// What is known of its implementation, note by note in date order.
    pub implementation: Vec<ImplementationNote>,
    /// Where it is cited.
    pub citations: Vec<Citation>,
}

/// A dated finding on whether a UN recommendation has been implemented,
/// with where it is known from.
#[derive(Debug, Clone, PartialEq)]
pub struct ImplementationNote {
    /// Its id.
    pub id: ImplementationId,
    /// When the finding was made or the events it describes happened.
    pub date: DateValue,
    /// The status it found (vocabulary `implementation_status`).
    pub status: Term,
    /// What was found, in a sentence or two.
    pub summary: String,
    /// Where it is cited: at least one.
    pub citations: Vec<Citation>,
}

/// An aggregate number that is not an incident: arrivals per year, the share
/// of women, children born in China...
#[derive(Debug, Clone, PartialEq)]
pub struct ReportedFigure {
    /// Its id.
    pub id: FigureId,
    /// What is counted (vocabulary `indicator`).
    pub indicator: Term,
    /// The period the figure covers.
    pub period: DateValue,
    /// The place it covers, if any.
    pub place: Option<PlaceId>,
    /// The value.
    pub value: Count,
    /// The unit: `people`, `percent`, `cases`.
    pub unit: String,
    /// Where it is cited.
    pub citations: Vec<Citation>,
}

/// Everything in a refwatch database or data file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dataset {
    /// Sources.
    pub sources: Vec<Source>,
    /// Places.
    pub places: Vec<Place>,
    /// Actors.
    pub actors: Vec<Actor>,
    /// Incidents, each shared: a copy of the dataset shares every record
    /// it does not change.
    pub incidents: Vec<Arc<Incident>>,
    /// Persons, shared like the incidents.
    pub persons: Vec<Arc<Person>>,
    /// UPR reviews.
    pub upr_reviews: Vec<UprReview>,
    /// Mechanism records.
    pub mechanisms: Vec<Mechanism>,
    /// Reported figures.
    pub figures: Vec<ReportedFigure>,
    /// Decisions that two persons or two incidents are the same (or not).
    pub links: Vec<crate::LinkDecision>,
    /// Versions kept of records edited one at a time (in a full export;
    /// copies of the records read for pages and counts leave them out).
    pub history: Vec<crate::RecordVersion>,
}

impl Dataset {
    /// Every citation in the dataset with the record it belongs to.
    pub fn citations(&self) -> impl Iterator<Item = &Citation> {
        let incident = self.incidents.iter().flat_map(|i| {
            i.citations
                .iter()
                .chain(i.reports.iter().flat_map(|r| r.citations.iter()))
        });
        incident
            .chain(self.persons.iter().flat_map(|p| p.citations.iter()))
            .chain(self.upr_reviews.iter().flat_map(|r| r.citations.iter()))
            .chain(self.mechanisms.iter().flat_map(|m| m.citations.iter()))
            .chain(self.figures.iter().flat_map(|f| f.citations.iter()))
    }

    /// How many records the dataset holds, of every kind (citations and
    /// reports are parts of records, not counted).
    pub fn record_count(&self) -> usize {
        self.sources.len()
            + self.places.len()
            + self.actors.len()
            + self.incidents.len()
            + self.persons.len()
            + self.upr_reviews.len()
            + self.mechanisms.len()
            + self.figures.len()
    }

    /// The incidents that differ between `old` and this copy, when nothing
    /// else does: an incident or person shared by both (the same `Arc`) is
    /// taken as unchanged, so that this costs a pointer per record. `None`
    /// when anything else differs. Both must be sorted by id.
    pub fn incidents_changed_from(&self, old: &Dataset) -> Option<Vec<crate::IncidentId>> {
        let same_persons = self.persons.len() == old.persons.len()
            && self
                .persons
                .iter()
                .zip(&old.persons)
                .all(|(a, b)| Arc::ptr_eq(a, b));
        if !same_persons
            || self.sources != old.sources
            || self.places != old.places
            || self.actors != old.actors
            || self.upr_reviews != old.upr_reviews
            || self.mechanisms != old.mechanisms
            || self.figures != old.figures
            || self.links != old.links
        {
            return None;
        }
        // Pointers first: an incident shared by both is not read at all, and
        // one added or taken away is found by looking one step ahead, so
        // that only changed incidents are read (reading each of a hundred
        // thousand would cost a cache miss apiece).
        let (new, was) = (&self.incidents, &old.incidents);
        let (mut i, mut j) = (0, 0);
        let mut changed = Vec::new();
        while i < new.len() && j < was.len() {
            if Arc::ptr_eq(&new[i], &was[j]) {
                i += 1;
                j += 1;
            } else if new.get(i + 1).is_some_and(|n| Arc::ptr_eq(n, &was[j])) {
                changed.push(new[i].id);
                i += 1;
            } else if was.get(j + 1).is_some_and(|w| Arc::ptr_eq(&new[i], w)) {
                changed.push(was[j].id);
                j += 1;
            } else {
                match new[i].id.cmp(&was[j].id) {
                    std::cmp::Ordering::Less => {
                        changed.push(new[i].id);
                        i += 1;
                    }
                    std::cmp::Ordering::Greater => {
                        changed.push(was[j].id);
                        j += 1;
                    }
                    std::cmp::Ordering::Equal => {
                        changed.push(new[i].id);
                        i += 1;
                        j += 1;
                    }
                }
            }
        }
        changed.extend(new[i..].iter().map(|x| x.id));
        changed.extend(was[j..].iter().map(|x| x.id));
        changed.sort_unstable();
        changed.dedup();
        Some(changed)
    }

    /// Sorts every list by id, so that two equal datasets compare and export equal.
    pub fn sort(&mut self) {
        self.sources.sort_by_key(|r| r.id);
        self.places.sort_by_key(|r| r.id);
        self.actors.sort_by_key(|r| r.id);
        self.incidents.sort_by_key(|r| r.id);
        self.persons.sort_by_key(|r| r.id);
        self.upr_reviews.sort_by_key(|r| r.id);
        self.mechanisms.sort_by_key(|r| r.id);
        self.figures.sort_by_key(|r| r.id);
        self.links.sort_by_key(|l| l.pair);
        self.history
            .sort_by(|a, b| (a.kind, &a.id, a.number).cmp(&(b.kind, &b.id, b.number)));
    }
}
