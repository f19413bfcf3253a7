//! The rules every record must keep, checked over a whole [`Dataset`].
//!
//! Validation never stops at the first problem: it returns every problem it
//! finds, each with the path of the offending field (`incidents[3].victims`)
//! and a sentence a documenter can act on. Messages never quote identity
//! fields.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::hash::Hash;

use crate::id::{ActorId, IncidentId, PersonId, PlaceId, UprReviewId};
use crate::links::LinkPair;
use crate::record::*;
use crate::vocab::{Term, Vocabularies, Vocabulary};

/// One problem found in a dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: a path such as `incidents[3].victims.low`.
    pub path: String,
    /// What is wrong and what to do, as a sentence.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

struct Checker<'a> {
    vocab: &'a Vocabularies,
    problems: Vec<Problem>,
    sources: HashSet<crate::SourceId>,
    places: HashSet<crate::PlaceId>,
    actors: HashSet<crate::ActorId>,
    incidents: HashSet<crate::IncidentId>,
    reviews: HashSet<crate::UprReviewId>,
}

impl Checker<'_> {
    fn push(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    fn term(&mut self, path: &str, vocab: Vocabulary, term: &Term) {
        if !self.vocab.contains(vocab, term) {
            let known: Vec<&str> = self.vocab.codes(vocab).collect();
            self.push(
                path,
                format!(
                    "unknown {vocab} term \"{}\"; use one of: {}",
                    term.code(),
                    known.join(", ")
                ),
            );
        }
    }

    fn required_text(&mut self, path: &str, text: &str, what: &str) {
        if text.trim().is_empty() {
            self.push(path, format!("{what} is empty; write it out"));
        }
    }

    fn exists<T: Eq + Hash + fmt::Display>(
        &mut self,
        path: &str,
        set_has: bool,
        id: &T,
        what: &str,
    ) {
        if !set_has {
            self.push(
                path,
                format!("refers to {what} {id}, which does not exist in the data"),
            );
        }
    }

    fn count(&mut self, path: &str, count: &Count) {
        // The store keeps counts as signed 64-bit integers.
        for n in [Some(count.low), count.best, count.high]
            .into_iter()
            .flatten()
        {
            if n > i64::MAX as u64 {
                self.push(
                    path,
                    format!(
                        "{n} is larger than a count can be; counts go up to {}",
                        i64::MAX
                    ),
                );
            }
        }
        if let Some(best) = count.best
            && count.low > best
        {
            self.push(
                path,
                format!(
                    "low ({}) is more than best ({best}); low must not exceed best",
                    count.low
                ),
            );
        }
        if let Some(high) = count.high {
            if count.low > high {
                self.push(
                    path,
                    format!(
                        "low ({}) is more than high ({high}); low must not exceed high",
                        count.low
                    ),
                );
            }
            if let Some(best) = count.best
                && best > high
            {
                self.push(
                    path,
                    format!("best ({best}) is more than high ({high}); best must not exceed high"),
                );
            }
        }
    }

    fn citations(&mut self, path: &str, citations: &[Citation]) {
        for (i, c) in citations.iter().enumerate() {
            let p = format!("{path}[{i}]");
            let has = self.sources.contains(&c.source);
            self.exists(&format!("{p}.source"), has, &c.source, "source");
            if let Some(via) = c.via {
                let has = self.sources.contains(&via);
                self.exists(&format!("{p}.via"), has, &via, "source");
            }
            if c.quote.trim().is_empty() {
                self.push(
                    &format!("{p}.quote"),
                    "a citation needs the exact quoted words; paste them from the source",
                );
            }
            if c.locator.trim().is_empty() {
                self.push(
                    &format!("{p}.locator"),
                    "a citation needs a locator (page, paragraph or footnote)",
                );
            }
        }
    }

    fn require_citation(&mut self, path: &str, has_any: bool) {
        if !has_any {
            self.push(
                path,
                "every fact needs at least one citation; add the source, locator and quote",
            );
        }
    }
}

/// Every id in the dataset, of any record type, with its path.
fn all_ids(data: &Dataset) -> Vec<(String, String)> {
    let mut ids = Vec::new();
    let cites = |ids: &mut Vec<(String, String)>, path: &str, list: &[Citation]| {
        for (j, c) in list.iter().enumerate() {
            ids.push((c.id.to_string(), format!("{path}.citations[{j}].id")));
        }
    };
    for (i, r) in data.sources.iter().enumerate() {
        ids.push((r.id.to_string(), format!("sources[{i}].id")));
    }
    for (i, r) in data.places.iter().enumerate() {
        ids.push((r.id.to_string(), format!("places[{i}].id")));
    }
    for (i, r) in data.actors.iter().enumerate() {
        ids.push((r.id.to_string(), format!("actors[{i}].id")));
    }
    for (i, r) in data.incidents.iter().enumerate() {
        let p = format!("incidents[{i}]");
        ids.push((r.id.to_string(), format!("{p}.id")));
        cites(&mut ids, &p, &r.citations);
        for (j, rep) in r.reports.iter().enumerate() {
            let rp = format!("{p}.reports[{j}]");
            ids.push((rep.id.to_string(), format!("{rp}.id")));
            cites(&mut ids, &rp, &rep.citations);
        }
    }
    for (i, r) in data.persons.iter().enumerate() {
        ids.push((r.id.to_string(), format!("persons[{i}].id")));
        cites(&mut ids, &format!("persons[{i}]"), &r.citations);
    }
    for (i, r) in data.upr_reviews.iter().enumerate() {
        ids.push((r.id.to_string(), format!("upr_reviews[{i}].id")));
        cites(&mut ids, &format!("upr_reviews[{i}]"), &r.citations);
    }
    for (i, r) in data.mechanisms.iter().enumerate() {
        let p = format!("mechanisms[{i}]");
        ids.push((r.id.to_string(), format!("{p}.id")));
        cites(&mut ids, &p, &r.citations);
        for (j, n) in r.implementation.iter().enumerate() {
            let np = format!("{p}.implementation[{j}]");
            ids.push((n.id.to_string(), format!("{np}.id")));
            cites(&mut ids, &np, &n.citations);
        }
    }
    for (i, r) in data.figures.iter().enumerate() {
        ids.push((r.id.to_string(), format!("figures[{i}].id")));
        cites(&mut ids, &format!("figures[{i}]"), &r.citations);
    }
    ids
}

/// Ids must be unique across the whole dataset, whatever the record type:
/// `key:` names map to the same id wherever they are used.
fn duplicates(data: &Dataset, out: &mut Vec<Problem>) {
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for (id, path) in all_ids(data) {
        if let Some(first) = seen.get(&id) {
            out.push(Problem {
                message: format!("id {id} is used again (first at {first}); every record and citation needs its own id"),
                path,
            });
        } else {
            seen.insert(id, path);
        }
    }
}

/// Checks every rule over a dataset and returns every problem found.
pub fn validate(data: &Dataset, vocab: &Vocabularies) -> Vec<Problem> {
    let mut problems = Vec::new();
    duplicates(data, &mut problems);

    let mut c = Checker {
        vocab,
        problems,
        sources: data.sources.iter().map(|r| r.id).collect(),
        places: data.places.iter().map(|r| r.id).collect(),
        actors: data.actors.iter().map(|r| r.id).collect(),
        incidents: data.incidents.iter().map(|r| r.id).collect(),
        reviews: data.upr_reviews.iter().map(|r| r.id).collect(),
    };

    for (i, s) in data.sources.iter().enumerate() {
        let p = format!("sources[{i}]");
        c.term(&format!("{p}.kind"), Vocabulary::SourceKind, &s.kind);
        c.required_text(&format!("{p}.title"), &s.title, "the title");
        if let Some(r) = &s.reliability {
            c.term(&format!("{p}.reliability"), Vocabulary::Reliability, r);
        }
    }

    for (i, pl) in data.places.iter().enumerate() {
        let p = format!("places[{i}]");
        c.term(&format!("{p}.kind"), Vocabulary::PlaceKind, &pl.kind);
        c.required_text(&format!("{p}.name_en"), &pl.name_en, "the English name");
        if let Some(parent) = pl.parent {
            let has = c.places.contains(&parent);
            c.exists(&format!("{p}.parent"), has, &parent, "place");
            if parent == pl.id {
                c.push(&format!("{p}.parent"), "a place cannot lie inside itself");
            }
        }
        if let Some(co) = pl.coordinates
            && (!(-90.0..=90.0).contains(&co.lat) || !(-180.0..=180.0).contains(&co.lon))
        {
            c.push(
                &format!("{p}.coordinates"),
                "latitude must be within -90..90 and longitude within -180..180",
            );
        }
    }

    for (i, a) in data.actors.iter().enumerate() {
        let p = format!("actors[{i}]");
        c.term(&format!("{p}.kind"), Vocabulary::ActorKind, &a.kind);
        c.required_text(&format!("{p}.name_en"), &a.name_en, "the English name");
        if let Some(parent) = a.parent {
            let has = c.actors.contains(&parent);
            c.exists(&format!("{p}.parent"), has, &parent, "actor");
        }
    }

    for (i, inc) in data.incidents.iter().enumerate() {
        let p = format!("incidents[{i}]");
        c.term(&format!("{p}.kind"), Vocabulary::IncidentKind, &inc.kind);
        c.term(
            &format!("{p}.verification"),
            Vocabulary::Verification,
            &inc.verification,
        );
        c.required_text(&format!("{p}.title"), &inc.title, "the title");
        c.count(&format!("{p}.victims"), &inc.victims);
        for (j, l) in inc.places.iter().enumerate() {
            let has = c.places.contains(&l.place);
            c.exists(&format!("{p}.places[{j}].place"), has, &l.place, "place");
            c.term(
                &format!("{p}.places[{j}].role"),
                Vocabulary::PlaceRole,
                &l.role,
            );
        }
        for (j, l) in inc.actors.iter().enumerate() {
            let has = c.actors.contains(&l.actor);
            c.exists(&format!("{p}.actors[{j}].actor"), has, &l.actor, "actor");
            c.term(
                &format!("{p}.actors[{j}].role"),
                Vocabulary::ActorRole,
                &l.role,
            );
        }
        let mut sums: BTreeMap<Dimension, u64> = BTreeMap::new();
        for (j, part) in inc.breakdown.iter().enumerate() {
            let bp = format!("{p}.breakdown[{j}]");
            let vocab = match part.dimension {
                Dimension::Sex => Vocabulary::Sex,
                Dimension::AgeGroup => Vocabulary::AgeGroup,
                Dimension::Category => Vocabulary::VictimCategory,
            };
            c.term(&format!("{bp}.term"), vocab, &part.term);
            c.count(&format!("{bp}.count"), &part.count);
            *sums.entry(part.dimension).or_default() += part.count.low;
        }
        if let Some(high) = inc.victims.high {
            for (dim, sum) in sums {
                if sum > high {
                    c.push(
                        &format!("{p}.breakdown"),
                        format!(
                            "the {} parts add up to at least {sum} people, more than the incident's high count ({high}); correct the parts or raise the high count",
                            dim.code()
                        ),
                    );
                }
            }
        }
        for (j, r) in inc.reports.iter().enumerate() {
            let rp = format!("{p}.reports[{j}]");
            if let Some(v) = &r.victims {
                c.count(&format!("{rp}.victims"), v);
            }
            c.required_text(&format!("{rp}.summary"), &r.summary, "the report's summary");
            c.citations(&format!("{rp}.citations"), &r.citations);
            c.require_citation(&format!("{rp}.citations"), !r.citations.is_empty());
        }
        c.citations(&format!("{p}.citations"), &inc.citations);
        let any = !inc.citations.is_empty() || inc.reports.iter().any(|r| !r.citations.is_empty());
        c.require_citation(&format!("{p}.citations"), any);
    }

    for (i, person) in data.persons.iter().enumerate() {
        let p = format!("persons[{i}]");
        if let Some(t) = &person.sex {
            c.term(&format!("{p}.sex"), Vocabulary::Sex, t);
        }
        if let Some(t) = &person.age_group {
            c.term(&format!("{p}.age_group"), Vocabulary::AgeGroup, t);
        }
        if let Some(t) = &person.category {
            c.term(&format!("{p}.category"), Vocabulary::VictimCategory, t);
        }
        if let Some(y) = person.birth_year
            && !(1900..=2100).contains(&y)
        {
            c.push(
                &format!("{p}.birth_year"),
                format!("birth year {y} is not plausible; use a year between 1900 and 2100"),
            );
        }
        if let Some(o) = person.origin_place {
            let has = c.places.contains(&o);
            c.exists(&format!("{p}.origin_place"), has, &o, "place");
        }
        for (j, e) in person.timeline.iter().enumerate() {
            let ep = format!("{p}.timeline[{j}]");
            c.term(&format!("{ep}.status"), Vocabulary::PersonStatus, &e.status);
            if let Some(pl) = e.place {
                let has = c.places.contains(&pl);
                c.exists(&format!("{ep}.place"), has, &pl, "place");
            }
            if let Some(inc) = e.incident {
                let has = c.incidents.contains(&inc);
                c.exists(&format!("{ep}.incident"), has, &inc, "incident");
            }
            if let Some(cited) = e.citation {
                let has = person.citations.iter().any(|x| x.id == cited);
                c.exists(
                    &format!("{ep}.citation"),
                    has,
                    &cited,
                    "citation of this person",
                );
            }
        }
        if let Some(consent) = &person.consent {
            c.term(
                &format!("{p}.consent.scope"),
                Vocabulary::ConsentScope,
                &consent.scope,
            );
            c.required_text(
                &format!("{p}.consent.recorded_by"),
                &consent.recorded_by,
                "who recorded the consent",
            );
            if consent.allows_public() != person.consent_public {
                c.push(
                    &format!("{p}.consent_public"),
                    "consent_public does not agree with the recorded consent's scope; only the scope `public` allows public advocacy",
                );
            }
        }
        for (j, l) in person.incidents.iter().enumerate() {
            let has = c.incidents.contains(&l.incident);
            c.exists(
                &format!("{p}.incidents[{j}].incident"),
                has,
                &l.incident,
                "incident",
            );
            c.term(
                &format!("{p}.incidents[{j}].role"),
                Vocabulary::PersonRole,
                &l.role,
            );
        }
        c.citations(&format!("{p}.citations"), &person.citations);
    }

    for (i, r) in data.upr_reviews.iter().enumerate() {
        let p = format!("upr_reviews[{i}]");
        if !(1..=9).contains(&r.cycle) {
            c.push(
                &format!("{p}.cycle"),
                format!(
                    "UPR cycle {} is not possible; cycles are numbered from 1",
                    r.cycle
                ),
            );
        }
        c.citations(&format!("{p}.citations"), &r.citations);
    }

    for (i, m) in data.mechanisms.iter().enumerate() {
        let p = format!("mechanisms[{i}]");
        c.required_text(&format!("{p}.text"), &m.text, "the text");
        match &m.detail {
            MechanismDetail::UprRecommendation { review, state, .. } => {
                let has = c.reviews.contains(review);
                c.exists(&format!("{p}.review"), has, review, "UPR review");
                c.required_text(&format!("{p}.state"), state, "the recommending state");
            }
            MechanismDetail::TreatyObservation { body, .. } => {
                c.term(&format!("{p}.body"), Vocabulary::TreatyBody, body);
            }
            MechanismDetail::Communication {
                mandate_holders, ..
            } => {
                if mandate_holders.iter().any(|h| h.trim().is_empty()) {
                    c.push(
                        &format!("{p}.mandate_holders"),
                        "a mandate holder's entry is empty; remove it or fill it in",
                    );
                }
            }
            MechanismDetail::CoiRecommendation { paragraph } => {
                c.required_text(&format!("{p}.paragraph"), paragraph, "the COI paragraph");
            }
            MechanismDetail::Resolution { body, .. } => {
                c.required_text(
                    &format!("{p}.body"),
                    body,
                    "the body that adopted the resolution",
                );
            }
        }
        for (j, t) in m.themes.iter().enumerate() {
            c.term(&format!("{p}.themes[{j}]"), Vocabulary::Theme, t);
        }
        for (j, inc) in m.incidents.iter().enumerate() {
            let has = c.incidents.contains(inc);
            c.exists(&format!("{p}.incidents[{j}]"), has, inc, "incident");
        }
        c.citations(&format!("{p}.citations"), &m.citations);
        c.require_citation(&format!("{p}.citations"), !m.citations.is_empty());
        for (j, n) in m.implementation.iter().enumerate() {
            let np = format!("{p}.implementation[{j}]");
            c.term(
                &format!("{np}.status"),
                Vocabulary::ImplementationStatus,
                &n.status,
            );
            c.required_text(&format!("{np}.summary"), &n.summary, "what was found");
            c.citations(&format!("{np}.citations"), &n.citations);
            c.require_citation(&format!("{np}.citations"), !n.citations.is_empty());
        }
    }

    for (i, f) in data.figures.iter().enumerate() {
        let p = format!("figures[{i}]");
        c.term(
            &format!("{p}.indicator"),
            Vocabulary::Indicator,
            &f.indicator,
        );
        c.count(&format!("{p}.value"), &f.value);
        c.required_text(&format!("{p}.unit"), &f.unit, "the unit");
        if let Some(pl) = f.place {
            let has = c.places.contains(&pl);
            c.exists(&format!("{p}.place"), has, &pl, "place");
        }
        c.citations(&format!("{p}.citations"), &f.citations);
        c.require_citation(&format!("{p}.citations"), !f.citations.is_empty());
    }

    let persons: HashSet<crate::PersonId> = data.persons.iter().map(|p| p.id).collect();
    let mut pairs: std::collections::HashMap<crate::LinkPair, usize> =
        std::collections::HashMap::new();
    for (i, l) in data.links.iter().enumerate() {
        let p = format!("links[{i}]");
        match l.pair {
            crate::LinkPair::Incidents(a, b) => {
                for (side, id) in [("a", a), ("b", b)] {
                    let has = c.incidents.contains(&id);
                    c.exists(&format!("{p}.{side}"), has, &id, "incident");
                }
            }
            crate::LinkPair::Persons(a, b) => {
                for (side, id) in [("a", a), ("b", b)] {
                    c.exists(&format!("{p}.{side}"), persons.contains(&id), &id, "person");
                }
            }
        }
        if let Some(first) = pairs.insert(l.pair, i) {
            c.push(
                &p,
                format!(
                    "this pair was already decided at links[{first}]; keep one decision per pair"
                ),
            );
        }
    }

    c.problems
}

/// The records of `existing` that checking `incoming` against it needs:
/// those `incoming` refers to and those with ids it uses again, with the
/// decisions on pairs it decides again. [`validate_addition`] against
/// this part finds what it finds against the whole, at a cost that grows
/// with `incoming`, not with `existing`.
///
/// Every list of `existing` must be sorted by id, as [`Dataset::sort`]
/// leaves it.
pub fn context_for(existing: &Dataset, incoming: &Dataset) -> Dataset {
    fn pick<T: Clone, K: Ord + Copy>(
        list: &[T],
        wanted: impl IntoIterator<Item = K>,
        key: impl Fn(&T) -> K,
    ) -> Vec<T> {
        let mut wanted: Vec<K> = wanted.into_iter().collect();
        wanted.sort_unstable();
        wanted.dedup();
        wanted
            .into_iter()
            .filter_map(|k| list.binary_search_by_key(&k, &key).ok())
            .map(|at| list[at].clone())
            .collect()
    }
    let cited = incoming
        .citations()
        .flat_map(|c| std::iter::once(c.source).chain(c.via));
    let sources = pick(
        &existing.sources,
        cited.chain(incoming.sources.iter().map(|s| s.id)),
        |s| s.id,
    );
    let mut places_wanted: Vec<PlaceId> = incoming.places.iter().map(|p| p.id).collect();
    places_wanted.extend(incoming.places.iter().filter_map(|p| p.parent));
    for i in &incoming.incidents {
        places_wanted.extend(i.places.iter().map(|l| l.place));
    }
    for p in &incoming.persons {
        places_wanted.extend(p.origin_place);
        places_wanted.extend(p.timeline.iter().filter_map(|e| e.place));
    }
    places_wanted.extend(incoming.figures.iter().filter_map(|f| f.place));
    let mut actors_wanted: Vec<ActorId> = incoming.actors.iter().map(|a| a.id).collect();
    actors_wanted.extend(incoming.actors.iter().filter_map(|a| a.parent));
    for i in &incoming.incidents {
        actors_wanted.extend(i.actors.iter().map(|l| l.actor));
    }
    let mut incidents_wanted: Vec<IncidentId> = incoming.incidents.iter().map(|i| i.id).collect();
    let mut persons_wanted: Vec<PersonId> = incoming.persons.iter().map(|p| p.id).collect();
    for p in &incoming.persons {
        incidents_wanted.extend(p.incidents.iter().map(|l| l.incident));
        incidents_wanted.extend(p.timeline.iter().filter_map(|e| e.incident));
    }
    let mut reviews_wanted: Vec<UprReviewId> = incoming.upr_reviews.iter().map(|r| r.id).collect();
    for m in &incoming.mechanisms {
        incidents_wanted.extend(m.incidents.iter().copied());
        if let MechanismDetail::UprRecommendation { review, .. } = &m.detail {
            reviews_wanted.push(*review);
        }
    }
    for l in &incoming.links {
        match l.pair {
            LinkPair::Incidents(a, b) => incidents_wanted.extend([a, b]),
            LinkPair::Persons(a, b) => persons_wanted.extend([a, b]),
        }
    }
    let pairs: HashSet<LinkPair> = incoming.links.iter().map(|l| l.pair).collect();
    Dataset {
        sources,
        places: pick(&existing.places, places_wanted, |p| p.id),
        actors: pick(&existing.actors, actors_wanted, |a| a.id),
        incidents: pick(&existing.incidents, incidents_wanted, |i| i.id),
        persons: pick(&existing.persons, persons_wanted, |p| p.id),
        upr_reviews: pick(&existing.upr_reviews, reviews_wanted, |r| r.id),
        mechanisms: pick(
            &existing.mechanisms,
            incoming.mechanisms.iter().map(|m| m.id),
            |m| m.id,
        ),
        figures: pick(
            &existing.figures,
            incoming.figures.iter().map(|f| f.id),
            |f| f.id,
        ),
        links: existing
            .links
            .iter()
            .filter(|l| pairs.contains(&l.pair))
            .cloned()
            .collect(),
        history: Vec::new(),
    }
}

/// Checks records about to be added to an existing dataset.
///
/// Returns the problems of `incoming` only, with paths into `incoming`
/// (`incidents[3].kind`): references may point at records of `existing`,
/// and an id already used in `existing` is reported as such. Problems that
/// lie wholly inside `existing` are not the incoming file's; `refwatch check`
/// reports those.
pub fn validate_addition(
    existing: &Dataset,
    incoming: &Dataset,
    vocab: &Vocabularies,
) -> Vec<Problem> {
    fn join<T: Clone>(a: &[T], b: &[T]) -> Vec<T> {
        a.iter().chain(b).cloned().collect()
    }
    let merged = Dataset {
        sources: join(&existing.sources, &incoming.sources),
        places: join(&existing.places, &incoming.places),
        actors: join(&existing.actors, &incoming.actors),
        incidents: join(&existing.incidents, &incoming.incidents),
        persons: join(&existing.persons, &incoming.persons),
        upr_reviews: join(&existing.upr_reviews, &incoming.upr_reviews),
        mechanisms: join(&existing.mechanisms, &incoming.mechanisms),
        figures: join(&existing.figures, &incoming.figures),
        links: join(&existing.links, &incoming.links),
        history: Vec::new(),
    };
    let offset = |list: &str| match list {
        "sources" => Some(existing.sources.len()),
        "places" => Some(existing.places.len()),
        "actors" => Some(existing.actors.len()),
        "incidents" => Some(existing.incidents.len()),
        "persons" => Some(existing.persons.len()),
        "upr_reviews" => Some(existing.upr_reviews.len()),
        "mechanisms" => Some(existing.mechanisms.len()),
        "figures" => Some(existing.figures.len()),
        "links" => Some(existing.links.len()),
        _ => None,
    };
    validate(&merged, vocab)
        .into_iter()
        .filter_map(|p| {
            // Paths start with `list[index]`.
            let (list, rest) = p.path.split_once('[')?;
            let (index, tail) = rest.split_once(']')?;
            let index: usize = index.parse().ok()?;
            let base = offset(list)?;
            let local = index.checked_sub(base)?;
            let message = match p.message.find("(first at ") {
                Some(_) if tail.ends_with(".id") => {
                    "a record with this id is already in the database (or earlier in this file); give it a new id".to_owned()
                }
                _ => p.message,
            };
            Some(Problem { path: format!("{list}[{local}]{tail}"), message })
        })
        .collect()
}
