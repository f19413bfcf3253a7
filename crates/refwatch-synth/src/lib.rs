//! Generated records for benchmarks and tests.
//!
//! Everything here is made up from a seed: no name, date or place pairing
//! describes a real person. The generated incidents and persons refer to
//! the places, actors and sources of a base dataset (the demo data, say),
//! so that pages, maps and statistics built on them look like real use.
//! The same seed always gives the same records.

use rand::SeedableRng;
use rand::distr::{Distribution, StandardUniform};
use rand_xoshiro::Xoshiro256PlusPlus;
use refwatch_domain::{
    Actor, ActorId, ActorLink, BreakdownPart, Citation, CitationId, Confidentiality, Count,
    Dataset, DateValue, Dimension, Incident, IncidentId, PartialDate, Person, PersonId,
    PersonIdentity, PersonIncident, Place, PlaceId, PlaceLink, Source, SourceId, StatusEvent, Term,
};

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Number of incidents.
    pub incidents: usize,
    /// Number of persons, each linked to one of the generated incidents.
    pub persons: usize,
    /// The seed: the same seed gives the same records.
    pub seed: u64,
}

/// A seeded source of choices.
struct Dice(Xoshiro256PlusPlus);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        let x: u64 = StandardUniform.sample(&mut self.0);
        // n is small: the modulo bias is far below what matters here.
        (x % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn uuid(&mut self) -> uuid::Uuid {
        let hi: u64 = StandardUniform.sample(&mut self.0);
        let lo: u64 = StandardUniform.sample(&mut self.0);
        uuid::Builder::from_random_bytes(((u128::from(hi) << 64) | u128::from(lo)).to_be_bytes())
            .into_uuid()
    }
}

const KINDS: [&str; 5] = [
    "arrest",
    "detention",
    "repatriation",
    "transfer",
    "crackdown",
];
const VERIFICATION: [&str; 4] = ["single_source", "corroborated", "disputed", "unconfirmed"];
const STATUSES: [&str; 4] = ["arrested", "detained", "repatriated", "disappeared"];
const AGE_GROUPS: [&str; 4] = ["child", "youth", "adult", "older"];
const WORDS: [&str; 16] = [
    "border",
    "police",
    "group",
    "women",
    "families",
    "raid",
    "train",
    "station",
    "village",
    "checkpoint",
    "night",
    "river",
    "house",
    "bus",
    "hospital",
    "market",
];

fn level(dice: &mut Dice) -> Confidentiality {
    match dice.below(10) {
        0..=6 => Confidentiality::Public,
        7..=8 => Confidentiality::Restricted,
        _ => Confidentiality::Confidential,
    }
}

fn date(dice: &mut Dice) -> DateValue {
    let year = 2013 + dice.below(12) as i32;
    let month = 1 + dice.below(12) as u8;
    let day = 1 + dice.below(28) as u8;
    let date = match dice.below(4) {
        0 => PartialDate::year(year),
        1 => PartialDate::month(year, month).unwrap_or(PartialDate::year(year)),
        _ => PartialDate::day(year, month, day).unwrap_or(PartialDate::year(year)),
    };
    DateValue::on(date)
}

fn sentence(dice: &mut Dice, words: usize) -> String {
    (0..words)
        .map(|_| *dice.pick(&WORDS))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A Hangul name of two or three random syllables: not anybody's on purpose.
fn hangul_name(dice: &mut Dice) -> String {
    let syllables = 2 + dice.below(2);
    (0..syllables)
        .map(|_| char::from_u32(0xAC00 + dice.below(11_172) as u32).unwrap_or('가'))
        .collect()
}

/// A base of `n` generated places and actors and two public sources, for
/// tests that need somewhere for generated incidents to happen.
pub fn base(n: usize) -> Dataset {
    let id = |kind: u128, k: usize| uuid::Uuid::from_u128((kind << 64) | k as u128);
    Dataset {
        sources: (0..2)
            .map(|k| Source {
                id: SourceId::from_uuid(id(1, k)),
                kind: Term::new("media"),
                title: format!("Generated source {k}"),
                publisher: None,
                author: None,
                date: None,
                language: None,
                url: None,
                symbol: None,
                reliability: None,
                confidentiality: Confidentiality::Public,
                note: None,
            })
            .collect(),
        places: (0..n)
            .map(|k| Place {
                id: PlaceId::from_uuid(id(2, k)),
                kind: Term::new("city"),
                name_en: format!("Generated town {k}"),
                name_ko: Some(format!("생성된 도시 {k}")),
                name_zh: None,
                country: None,
                parent: None,
                coordinates: None,
            })
            .collect(),
        actors: (0..n)
            .map(|k| Actor {
                id: ActorId::from_uuid(id(3, k)),
                kind: Term::new("security_force"),
                name_en: format!("Generated police {k}"),
                name_ko: None,
                name_zh: None,
                parent: None,
            })
            .collect(),
        ..Dataset::default()
    }
}

/// A generated identity: a Hangul name and a birth date in `birth_year`.
fn identity(dice: &mut Dice, birth_year: i32) -> PersonIdentity {
    let mut identity = PersonIdentity::default();
    identity.name_hangul = Some(hangul_name(dice));
    identity.birth_date = Some(format!(
        "{birth_year}-{:02}-{:02}",
        1 + dice.below(12),
        1 + dice.below(28)
    ));
    identity
}

/// Generated incidents and persons referring to `base`'s places, actors and
/// sources. Only the new records are returned; `base` must have at least
/// one place, actor and source. Each person is linked to one of the
/// incidents, so none is made when no incident is.
pub fn generate(base: &Dataset, spec: &Spec) -> Dataset {
    let mut dice = Dice(Xoshiro256PlusPlus::seed_from_u64(spec.seed));
    let places: Vec<_> = base.places.iter().map(|p| p.id).collect();
    let actors: Vec<_> = base.actors.iter().map(|a| a.id).collect();
    let sources: Vec<_> = base
        .sources
        .iter()
        .filter(|s| s.confidentiality == Confidentiality::Public)
        .map(|s| s.id)
        .collect();
    assert!(
        !places.is_empty() && !actors.is_empty() && !sources.is_empty(),
        "the base dataset needs places, actors and public sources"
    );
    let mut out = Dataset::default();
    for n in 0..spec.incidents {
        let kind = *dice.pick(&KINDS);
        let low = 1 + dice.below(40) as u64;
        let extra = dice.below(10) as u64;
        let women = low / 2;
        let mut places_of = vec![PlaceLink {
            place: *dice.pick(&places),
            role: Term::new(if kind == "repatriation" {
                "departure"
            } else {
                "location"
            }),
        }];
        if dice.chance(30) {
            places_of.push(PlaceLink {
                place: *dice.pick(&places),
                role: Term::new("detention"),
            });
            places_of.dedup_by_key(|l| l.place);
        }
        out.incidents.push(
            Incident {
                id: IncidentId::from_uuid(dice.uuid()),
                kind: Term::new(kind),
                title: format!("Synthetic {kind} {n}: {}", sentence(&mut dice, 3)),
                summary: sentence(&mut dice, 24),
                date: date(&mut dice),
                places: places_of,
                actors: vec![ActorLink {
                    actor: *dice.pick(&actors),
                    role: Term::new("detaining_authority"),
                }],
                victims: Count {
                    low,
                    best: Some(low + extra / 2),
                    high: Some(low + extra),
                },
                breakdown: vec![BreakdownPart {
                    dimension: Dimension::Sex,
                    term: Term::new("female"),
                    count: Count {
                        low: women,
                        best: None,
                        high: None,
                    },
                }],
                verification: Term::new(*dice.pick(&VERIFICATION)),
                confidentiality: level(&mut dice),
                reports: Vec::new(),
                citations: vec![Citation {
                    id: CitationId::from_uuid(dice.uuid()),
                    source: *dice.pick(&sources),
                    via: None,
                    locator: format!("p. {}", 1 + dice.below(300)),
                    quote: sentence(&mut dice, 12),
                    note: None,
                }],
            }
            .into(),
        );
    }
    // Every person is linked to an incident: with none, there are none.
    let persons = if out.incidents.is_empty() {
        0
    } else {
        spec.persons
    };
    for _ in 0..persons {
        let incident = dice.pick(&out.incidents);
        let (incident_id, incident_date, incident_level) =
            (incident.id, incident.date, incident.confidentiality);
        let birth_year = 1950 + dice.below(60) as i32;
        let person = Person {
            id: PersonId::from_uuid(dice.uuid()),
            identity: Some(identity(&mut dice, birth_year)),
            sex: Some(Term::new(if dice.chance(70) { "female" } else { "male" })),
            birth_year: Some(birth_year),
            age_group: Some(Term::new(*dice.pick(&AGE_GROUPS))),
            origin_place: None,
            category: Some(Term::new("dprk_national")),
            timeline: vec![StatusEvent {
                date: incident_date,
                status: Term::new(*dice.pick(&STATUSES)),
                place: None,
                incident: Some(incident_id),
                citation: None,
            }],
            incidents: vec![PersonIncident {
                incident: incident_id,
                role: Term::new("victim"),
            }],
            consent_public: false,
            consent: None,
            // A person is never less protected than the incident they are in.
            confidentiality: level(&mut dice).max(incident_level),
            citations: Vec::new(),
        };
        out.persons.push(person.into());
    }
    out
}

#[cfg(test)]
mod tests;

/// Two lists of generated Korean-named people as CSV (rec_id, truth, name,
/// birth_date, sex, origin, place, detained), for the linkage benchmark:
/// `people` people, each on the first list with probability 0.7 (names in
/// Hangul) and on the second with probability 0.7 (names romanised or from
/// Chinese documents, with the errors and gaps lists have).
pub fn korean_lists(people: usize, seed: u64) -> (String, String) {
    korean::lists(people, seed)
}

mod korean;

/// Generated people as five kinds of source write about them (names in
/// Hangul by either Korea's spelling, romanised, in hanzi or pinyin;
/// places in any script and at any level; dates to the day or the month;
/// ages; stages of one episode), for judging linkage: see
/// [`sources::records`].
pub mod sources;

/// People for the public tables' disclosure tests: from a handful to a few
/// hundred (by `set % 3`), over 1 to 25 years with early years busy and
/// later ones sparse (some hold one or two people), with sex, age group and
/// category skewed to common values, one in eight missing, and one person
/// in twenty with no year. Returns the persons and the year of each
/// incident they are linked to. The same `set` and `seed` give the same
/// people.
pub fn table_people(
    set: usize,
    seed: u64,
) -> (Vec<Person>, std::collections::HashMap<IncidentId, i32>) {
    let mut dice = Dice(Xoshiro256PlusPlus::seed_from_u64(
        seed ^ (set as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
    ));
    let people = 1 + dice.below([8, 40, 300][set % 3]);
    let span = 1 + dice.below(25);
    let incidents: Vec<(IncidentId, i32)> = (0..=span)
        .map(|k| (IncidentId::from_uuid(dice.uuid()), 2000 + k as i32))
        .collect();
    let term = |dice: &mut Dice, codes: &[&str]| {
        (!dice.chance(12))
            .then(|| Term::new(codes[dice.below(codes.len()).min(dice.below(codes.len()))]))
    };
    let persons = (0..people)
        .map(|_| {
            let k = dice.below(incidents.len()).min(dice.below(incidents.len()));
            let sex = term(&mut dice, &["female", "male", "unknown"]);
            let age_group = term(&mut dice, &["adult", "youth", "child", "older"]);
            let category = term(
                &mut dice,
                &[
                    "dprk_national",
                    "china_born_child",
                    "rok_pow_family",
                    "abductee_family",
                ],
            );
            let incidents = if dice.chance(5) {
                Vec::new()
            } else {
                vec![PersonIncident {
                    incident: incidents[k].0,
                    role: Term::new("victim"),
                }]
            };
            Person {
                id: PersonId::from_uuid(dice.uuid()),
                identity: None,
                sex,
                birth_year: None,
                age_group,
                origin_place: None,
                category,
                timeline: Vec::new(),
                incidents,
                consent_public: false,
                consent: None,
                confidentiality: Confidentiality::Restricted,
                citations: Vec::new(),
            }
        })
        .collect();
    (persons, incidents.into_iter().collect())
}
