//! Domain records to the file format.

use refwatch_domain::*;

use crate::dto::*;

fn count(c: &Count) -> CountDto {
    CountDto {
        low: c.low,
        best: c.best,
        high: c.high,
    }
}

fn citations(list: &[Citation]) -> Vec<CitationDto> {
    list.iter()
        .map(|c| CitationDto {
            id: c.id.to_string(),
            source: c.source.to_string(),
            via: c.via.map(|v| v.to_string()),
            locator: c.locator.clone(),
            quote: c.quote.clone(),
            note: c.note.clone(),
        })
        .collect()
}

fn text<T: ToString>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(|t| t.to_string())
}

fn mechanism(m: &Mechanism) -> MechanismDto {
    let mut dto = MechanismDto {
        id: m.id.to_string(),
        kind: m.detail.kind_code().to_owned(),
        reference: m.reference.clone(),
        date: m.date.to_string(),
        text: m.text.clone(),
        review: None,
        paragraph: None,
        state: None,
        response: None,
        body: None,
        mandate_holders: None,
        reply_received: None,
        vote: None,
        china_vote: None,
        themes: m.themes.iter().map(|t| t.to_string()).collect(),
        incidents: m.incidents.iter().map(|i| i.to_string()).collect(),
        implementation: m
            .implementation
            .iter()
            .map(|n| ImplementationDto {
                id: n.id.to_string(),
                date: n.date.to_string(),
                status: n.status.to_string(),
                summary: n.summary.clone(),
                citations: citations(&n.citations),
            })
            .collect(),
        citations: citations(&m.citations),
    };
    match &m.detail {
        MechanismDetail::UprRecommendation {
            review,
            paragraph,
            state,
            response,
        } => {
            dto.review = Some(review.to_string());
            dto.paragraph = paragraph.clone();
            dto.state = Some(state.clone());
            dto.response = response.clone();
        }
        MechanismDetail::TreatyObservation { body, paragraph } => {
            dto.body = Some(body.to_string());
            dto.paragraph = paragraph.clone();
        }
        MechanismDetail::Communication {
            mandate_holders,
            reply_received,
        } => {
            dto.mandate_holders = Some(mandate_holders.clone());
            dto.reply_received = *reply_received;
        }
        MechanismDetail::CoiRecommendation { paragraph } => dto.paragraph = Some(paragraph.clone()),
        MechanismDetail::Resolution {
            body,
            vote,
            china_vote,
        } => {
            dto.body = Some(body.clone());
            dto.vote = vote.map(|v| VoteDto {
                yes: v.yes,
                no: v.no,
                abstain: v.abstain,
            });
            dto.china_vote = china_vote.clone();
        }
    }
    dto
}

/// Writes a dataset as the file format: pretty-printed JSON ending in a
/// newline. Records appear in the order given; sort the dataset first
/// ([`Dataset::sort`]) for a canonical file.
pub fn to_json(data: &Dataset) -> String {
    let file = FileDto {
        format: crate::FORMAT,
        version: crate::VERSION,
        sources: data
            .sources
            .iter()
            .map(|s| SourceDto {
                id: s.id.to_string(),
                kind: s.kind.to_string(),
                title: s.title.clone(),
                publisher: s.publisher.clone(),
                author: s.author.clone(),
                date: text(&s.date),
                language: s.language.clone(),
                url: s.url.clone(),
                symbol: s.symbol.clone(),
                reliability: text(&s.reliability),
                confidentiality: s.confidentiality.code().to_owned(),
                note: s.note.clone(),
            })
            .collect(),
        places: data
            .places
            .iter()
            .map(|p| PlaceDto {
                id: p.id.to_string(),
                kind: p.kind.to_string(),
                name_en: p.name_en.clone(),
                name_ko: p.name_ko.clone(),
                name_zh: p.name_zh.clone(),
                country: p.country.clone(),
                parent: text(&p.parent),
                coordinates: p.coordinates.map(|c| CoordinatesDto {
                    lat: c.lat,
                    lon: c.lon,
                    precision: c.precision.code().to_owned(),
                }),
            })
            .collect(),
        actors: data
            .actors
            .iter()
            .map(|a| ActorDto {
                id: a.id.to_string(),
                kind: a.kind.to_string(),
                name_en: a.name_en.clone(),
                name_ko: a.name_ko.clone(),
                name_zh: a.name_zh.clone(),
                parent: text(&a.parent),
            })
            .collect(),
        incidents: data
            .incidents
            .iter()
            .map(|i| IncidentDto {
                id: i.id.to_string(),
                kind: i.kind.to_string(),
                title: i.title.clone(),
                summary: i.summary.clone(),
                date: i.date.to_string(),
                places: i
                    .places
                    .iter()
                    .map(|l| PlaceLinkDto {
                        place: l.place.to_string(),
                        role: l.role.to_string(),
                    })
                    .collect(),
                actors: i
                    .actors
                    .iter()
                    .map(|l| ActorLinkDto {
                        actor: l.actor.to_string(),
                        role: l.role.to_string(),
                    })
                    .collect(),
                victims: count(&i.victims),
                breakdown: i
                    .breakdown
                    .iter()
                    .map(|b| BreakdownDto {
                        dimension: b.dimension.code().to_owned(),
                        term: b.term.to_string(),
                        count: count(&b.count),
                    })
                    .collect(),
                verification: i.verification.to_string(),
                confidentiality: i.confidentiality.code().to_owned(),
                reports: i
                    .reports
                    .iter()
                    .map(|r| ReportDto {
                        id: r.id.to_string(),
                        date: text(&r.date),
                        victims: r.victims.as_ref().map(count),
                        summary: r.summary.clone(),
                        citations: citations(&r.citations),
                    })
                    .collect(),
                citations: citations(&i.citations),
            })
            .collect(),
        persons: data
            .persons
            .iter()
            .map(|p| PersonDto {
                id: p.id.to_string(),
                identity: p.identity.as_ref().map(|i| IdentityDto {
                    name_hangul: i.name_hangul.clone(),
                    name_romanized: i.name_romanized.clone(),
                    name_chinese: i.name_chinese.clone(),
                    birth_date: i.birth_date.clone(),
                    origin: i.origin.clone(),
                    family_contacts: i.family_contacts.clone(),
                }),
                sex: text(&p.sex),
                birth_year: p.birth_year,
                age_group: text(&p.age_group),
                origin_place: text(&p.origin_place),
                category: text(&p.category),
                timeline: p
                    .timeline
                    .iter()
                    .map(|e| StatusEventDto {
                        date: e.date.to_string(),
                        status: e.status.to_string(),
                        place: text(&e.place),
                        incident: text(&e.incident),
                        citation: text(&e.citation),
                    })
                    .collect(),
                incidents: p
                    .incidents
                    .iter()
                    .map(|l| PersonIncidentDto {
                        incident: l.incident.to_string(),
                        role: l.role.to_string(),
                    })
                    .collect(),
                consent_public: Some(p.consent_public),
                consent: p.consent.as_ref().map(|c| ConsentDto {
                    scope: c.scope.to_string(),
                    date: c.date.to_string(),
                    recorded_by: c.recorded_by.clone(),
                }),
                confidentiality: p.confidentiality.code().to_owned(),
                citations: citations(&p.citations),
            })
            .collect(),
        upr_reviews: data
            .upr_reviews
            .iter()
            .map(|r| UprReviewDto {
                id: r.id.to_string(),
                cycle: r.cycle,
                date: r.date.to_string(),
                symbol: r.symbol.clone(),
                citations: citations(&r.citations),
            })
            .collect(),
        mechanisms: data.mechanisms.iter().map(mechanism).collect(),
        figures: data
            .figures
            .iter()
            .map(|f| FigureDto {
                id: f.id.to_string(),
                indicator: f.indicator.to_string(),
                period: f.period.to_string(),
                place: text(&f.place),
                value: count(&f.value),
                unit: f.unit.clone(),
                citations: citations(&f.citations),
            })
            .collect(),
        links: data
            .links
            .iter()
            .map(|l| {
                let (a, b) = l.pair.ids();
                LinkDto {
                    kind: l.pair.kind().code().to_owned(),
                    a,
                    b,
                    verdict: l.verdict.code().to_owned(),
                }
            })
            .collect(),
        history: data.history.iter().map(version).collect(),
    };
    // Serialising plain structs of strings and numbers cannot fail.
    let mut out = serde_json::to_string_pretty(&file).expect("dataset serialises");
    out.push('\n');
    out
}

/// A kept version, its record an object of this format (its body is a
/// one-record file written by [`to_json`]).
fn version(v: &RecordVersion) -> VersionDto {
    let body: serde_json::Value = serde_json::from_str(&v.body).unwrap_or_default();
    VersionDto {
        kind: v.kind.code().to_owned(),
        id: v.id.clone(),
        number: v.number,
        at: v.at.to_string(),
        by: v.actor.clone(),
        action: v.action.code().to_owned(),
        reason: v.reason.clone(),
        confidentiality: v.confidentiality.code().to_owned(),
        record: body[v.kind.list_name()][0].clone(),
    }
}
