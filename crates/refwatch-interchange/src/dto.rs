//! The wire types of the refwatch dataset file. They mirror the domain
//! records field by field; `docs/dataset.schema.json` documents them.

use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = Count)]
#[serde(deny_unknown_fields)]
pub(crate) struct CountDto {
    pub(crate) low: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) best: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) high: Option<u64>,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = Citation)]
#[serde(deny_unknown_fields)]
pub(crate) struct CitationDto {
    pub(crate) id: String,
    pub(crate) source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) via: Option<String>,
    pub(crate) locator: String,
    pub(crate) quote: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) note: Option<String>,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = Source)]
#[serde(deny_unknown_fields)]
pub(crate) struct SourceDto {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) symbol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reliability: Option<String>,
    #[serde(default = "public")]
    pub(crate) confidentiality: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) note: Option<String>,
}

fn public() -> String {
    "public".to_owned()
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = Coordinates)]
#[serde(deny_unknown_fields)]
pub(crate) struct CoordinatesDto {
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) precision: String,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = Place)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlaceDto {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) name_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name_ko: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) parent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) coordinates: Option<CoordinatesDto>,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = Actor)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActorDto {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) name_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name_ko: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) parent: Option<String>,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = PlaceLink)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlaceLinkDto {
    pub(crate) place: String,
    pub(crate) role: String,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ActorLink)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActorLinkDto {
    pub(crate) actor: String,
    pub(crate) role: String,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = BreakdownPart)]
#[serde(deny_unknown_fields)]
pub(crate) struct BreakdownDto {
    pub(crate) dimension: String,
    pub(crate) term: String,
    pub(crate) count: CountDto,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = Report)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportDto {
    pub(crate) id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) victims: Option<CountDto>,
    pub(crate) summary: String,
    #[serde(default)]
    pub(crate) citations: Vec<CitationDto>,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = Incident)]
#[serde(deny_unknown_fields)]
pub(crate) struct IncidentDto {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) summary: String,
    pub(crate) date: String,
    #[serde(default)]
    pub(crate) places: Vec<PlaceLinkDto>,
    #[serde(default)]
    pub(crate) actors: Vec<ActorLinkDto>,
    pub(crate) victims: CountDto,
    #[serde(default)]
    pub(crate) breakdown: Vec<BreakdownDto>,
    pub(crate) verification: String,
    #[serde(default = "public")]
    pub(crate) confidentiality: String,
    #[serde(default)]
    pub(crate) reports: Vec<ReportDto>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationDto>,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = Identity)]
#[serde(deny_unknown_fields)]
pub(crate) struct IdentityDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name_hangul: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name_romanized: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name_chinese: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) birth_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) origin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) family_contacts: Option<String>,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = StatusEvent)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatusEventDto {
    pub(crate) date: String,
    pub(crate) status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) place: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) incident: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) citation: Option<String>,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = Consent)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConsentDto {
    pub(crate) scope: String,
    pub(crate) date: String,
    pub(crate) recorded_by: String,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ImplementationNote)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImplementationDto {
    pub(crate) id: String,
    pub(crate) date: String,
    pub(crate) status: String,
    pub(crate) summary: String,
    #[serde(default)]
    pub(crate) citations: Vec<CitationDto>,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = PersonIncident)]
#[serde(deny_unknown_fields)]
pub(crate) struct PersonIncidentDto {
    pub(crate) incident: String,
    pub(crate) role: String,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = Person)]
#[serde(deny_unknown_fields)]
pub(crate) struct PersonDto {
    pub(crate) id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) identity: Option<IdentityDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) sex: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) birth_year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) age_group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) origin_place: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) category: Option<String>,
    #[serde(default)]
    pub(crate) timeline: Vec<StatusEventDto>,
    #[serde(default)]
    pub(crate) incidents: Vec<PersonIncidentDto>,
    /// Read as the recorded consent's scope says when left out.
    #[serde(default)]
    pub(crate) consent_public: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) consent: Option<ConsentDto>,
    #[serde(default = "confidential")]
    pub(crate) confidentiality: String,
    #[serde(default)]
    pub(crate) citations: Vec<CitationDto>,
}

fn confidential() -> String {
    "confidential".to_owned()
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = UprReview)]
#[serde(deny_unknown_fields)]
pub(crate) struct UprReviewDto {
    pub(crate) id: String,
    pub(crate) cycle: u8,
    pub(crate) date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) symbol: Option<String>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationDto>,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = Vote)]
#[serde(deny_unknown_fields)]
pub(crate) struct VoteDto {
    pub(crate) yes: u32,
    pub(crate) no: u32,
    pub(crate) abstain: u32,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = Mechanism)]
#[serde(deny_unknown_fields)]
pub(crate) struct MechanismDto {
    pub(crate) id: String,
    pub(crate) kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reference: Option<String>,
    pub(crate) date: String,
    pub(crate) text: String,
    // Kind-specific fields; which ones a kind needs is checked on conversion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) review: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) paragraph: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) response: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) mandate_holders: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reply_received: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) vote: Option<VoteDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) china_vote: Option<String>,
    #[serde(default)]
    pub(crate) themes: Vec<String>,
    #[serde(default)]
    pub(crate) incidents: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) implementation: Vec<ImplementationDto>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationDto>,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = Figure)]
#[serde(deny_unknown_fields)]
pub(crate) struct FigureDto {
    pub(crate) id: String,
    pub(crate) indicator: String,
    pub(crate) period: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) place: Option<String>,
    pub(crate) value: CountDto,
    pub(crate) unit: String,
    #[serde(default)]
    pub(crate) citations: Vec<CitationDto>,
}

/// A decision that two records are the same (or not).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LinkDto {
    pub(crate) kind: String,
    pub(crate) a: String,
    pub(crate) b: String,
    pub(crate) verdict: String,
}

/// One kept version of a record edited one at a time: the record as one
/// object of this format, with who changed it, when, how and why.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VersionDto {
    pub(crate) kind: String,
    pub(crate) id: String,
    pub(crate) number: u32,
    pub(crate) at: String,
    pub(crate) by: String,
    pub(crate) action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
    pub(crate) confidentiality: String,
    pub(crate) record: serde_json::Value,
}

/// The whole file, for writing. Reading goes list by list (see `parse`).
#[derive(Serialize)]
pub(crate) struct FileDto {
    pub(crate) format: &'static str,
    pub(crate) version: u32,
    pub(crate) sources: Vec<SourceDto>,
    pub(crate) places: Vec<PlaceDto>,
    pub(crate) actors: Vec<ActorDto>,
    pub(crate) incidents: Vec<IncidentDto>,
    pub(crate) persons: Vec<PersonDto>,
    pub(crate) upr_reviews: Vec<UprReviewDto>,
    pub(crate) mechanisms: Vec<MechanismDto>,
    pub(crate) figures: Vec<FigureDto>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) links: Vec<LinkDto>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) history: Vec<VersionDto>,
}
