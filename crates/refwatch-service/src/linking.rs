//! Record linkage inside the protected core: which persons (or incidents)
//! describe the same individual (or event). Identities are opened and
//! compared here and nowhere else; what leaves is each field's comparison
//! level and weight, never a value. Reviewers' decisions are stored apart
//! from the records (which never change), audited, shown only to readers
//! of both records, and used as labels by the next run.

use std::collections::{HashMap, HashSet};

use refwatch_domain::{
    Dataset, FieldWeight, IncidentId, LinkDecision, LinkKind, LinkPair, LinkRun, LinkSuggestion,
    PartialDate, PersonId, PlaceId, Verdict,
};
use refwatch_linkage::{Blocking, Compare, Field, Label, Record, Settings, Value};
use refwatch_policy::{LinkOperation, decide_linkage};
use refwatch_storage::Store;

use crate::{Service, ServiceError, require};

/// Most suggestions one run keeps for review, the most probable first.
pub const MOST_SUGGESTIONS: usize = 20_000;

/// How to run the linkage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkOptions {
    /// Pairs at or above this probability are suggested for review.
    pub threshold: f64,
}

impl Default for LinkOptions {
    fn default() -> Self {
        Self { threshold: 0.5 }
    }
}

/// What a run found.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkRunReport {
    /// The run as stored.
    pub run: LinkRun,
    /// How many pairs were suggested for review (undecided and decided).
    pub suggested: usize,
    /// How many of them no one has decided on yet.
    pub undecided: usize,
}

/// One suggested pair as a reviewer sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewItem {
    /// The suggestion.
    pub suggestion: LinkSuggestion,
    /// The decision standing on the pair, if any.
    pub decision: Option<Verdict>,
}

/// The latest run of a kind and its suggestions the reader may see.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    /// The run.
    pub run: LinkRun,
    /// Its suggestions on records the reader may read, most probable
    /// first.
    pub items: Vec<ReviewItem>,
    /// Whether the run covered records the reader may not read: then its
    /// counts are of what the reader may read (records now readable,
    /// candidate pairs as the suggestions shown), not the run's own.
    pub limited: bool,
}

/// How many records of the kind `data` holds.
fn records_of(kind: LinkKind, data: &Dataset) -> usize {
    match kind {
        LinkKind::Person => data.persons.len(),
        LinkKind::Incident => data.incidents.len(),
    }
}

/// A run's counts as a reader may see them: when records of the kind exist
/// that the reader may not read, neither how many there are nor how many
/// pairs they made is told.
fn run_for_reader(mut run: LinkRun, readable: usize, all: usize, shown: usize) -> (LinkRun, bool) {
    if readable >= all {
        return (run, false);
    }
    run.records = readable as u64;
    run.candidate_pairs = shown as u64;
    (run, true)
}

/// Each place's parent, and the gazetteer entry its names stand for.
type Places = HashMap<PlaceId, (Option<PlaceId>, Option<usize>)>;

/// The places of a dataset, each with the gazetteer entry its Chinese,
/// Korean or English name stands for, if any: two records of one town
/// entered in two scripts (延吉市 and Yanji) are then one place.
fn places_of(places: &[refwatch_domain::Place]) -> Places {
    let g = refwatch_gazetteer::gazetteer();
    places
        .iter()
        .map(|p| {
            let entry = [
                p.name_zh.as_deref(),
                p.name_ko.as_deref(),
                Some(p.name_en.as_str()),
            ]
            .into_iter()
            .flatten()
            .find_map(|name| g.resolve(name));
            (p.id, (p.parent, entry))
        })
        .collect()
}

/// A place as its path from the broadest down, for comparing through the
/// hierarchy (Yanji is in Yanbian in Jilin): from the nearest place up
/// the hierarchy that the gazetteer knows, its path there, then the ids
/// of the places below it; with none known, the ids all the way up.
fn place_path(places: &Places, place: PlaceId) -> Vec<String> {
    let mut below = vec![place.to_string()];
    let mut at = place;
    loop {
        if let Some((_, Some(entry))) = places.get(&at) {
            below.pop();
            let g = refwatch_gazetteer::gazetteer();
            let mut path: Vec<String> = g.path(*entry).into_iter().map(str::to_owned).collect();
            path.extend(below.into_iter().rev());
            return path;
        }
        // A cycle cannot be stored (validation refuses it), but stop anyway.
        match places.get(&at) {
            Some((Some(parent), _)) if below.len() <= 16 => {
                below.push(parent.to_string());
                at = *parent;
            }
            _ => break,
        }
    }
    below.reverse();
    below
}

fn place_value(places: &Places, place: Option<PlaceId>) -> Value {
    place.map_or(Value::Missing, |p| Value::Place(place_path(places, p)))
}

fn text_value(text: Option<&str>) -> Value {
    text.map_or(Value::Missing, |t| Value::Text(t.to_owned()))
}

fn person_fields() -> Vec<Field> {
    let field = |name: &str, compare: Compare, term_frequency: bool| Field {
        name: name.into(),
        compare,
        term_frequency,
    };
    vec![
        field("name", Compare::Name, true),
        field("birth_year", Compare::Year { tolerance: 1 }, false),
        field("sex", Compare::Exact, true),
        field("origin", Compare::Place, false),
        field("first_event", Compare::Day { tolerance: 31 }, false),
        field("event_place", Compare::Place, false),
    ]
}

fn incident_fields() -> Vec<Field> {
    let field = |name: &str, compare: Compare| Field {
        name: name.into(),
        compare,
        term_frequency: false,
    };
    vec![
        field("kind", Compare::Exact),
        field("date", Compare::Day { tolerance: 14 }),
        field("place", Compare::Place),
        field("victims", Compare::Count),
        field("actor", Compare::Exact),
    ]
}

impl<S: Store> Service<S> {
    /// Runs the linkage over every person (comparing identities, which
    /// needs the key) or every incident, with the decisions so far as
    /// labels, and keeps the pairs at or above the threshold for review,
    /// replacing the previous run's. Audited.
    pub async fn run_linkage(
        &self,
        kind: LinkKind,
        options: LinkOptions,
    ) -> Result<LinkRunReport, ServiceError> {
        require(
            decide_linkage(self.actor.principal, LinkOperation::Run),
            "run the linkage",
        )?;
        if !(0.0..=1.0).contains(&options.threshold) {
            return Err(ServiceError::User(
                "the threshold is a probability between 0 and 1".into(),
            ));
        }
        let data = self.snapshots.all(&self.store).await?;
        let places = places_of(&data.places);
        let (records, settings) = match kind {
            LinkKind::Person => {
                let keys = self.keys()?;
                let sealed: HashMap<PersonId, _> =
                    self.store.sealed_identities().await?.into_iter().collect();
                let mut records = Vec::with_capacity(data.persons.len());
                for p in &data.persons {
                    let identity = match sealed.get(&p.id) {
                        Some(s) => Some(keys.open_identity(p.id, s)?),
                        None => None,
                    };
                    let names: Vec<String> = identity
                        .iter()
                        .flat_map(|i| [&i.name_hangul, &i.name_romanized, &i.name_chinese])
                        .flatten()
                        .cloned()
                        .collect();
                    let birth_year = p.birth_year.or_else(|| {
                        identity
                            .as_ref()
                            .and_then(|i| i.birth_date.as_deref())
                            .and_then(|d| d.trim().parse::<PartialDate>().ok())
                            .map(|d| d.get_year())
                    });
                    let first = p.timeline.iter().min_by_key(|e| e.date.start());
                    let event_place = p.timeline.iter().find_map(|e| e.place);
                    records.push(Record {
                        id: p.id.to_string(),
                        list: 0,
                        values: vec![
                            if names.is_empty() {
                                Value::Missing
                            } else {
                                Value::Names(names)
                            },
                            birth_year.map_or(Value::Missing, Value::Year),
                            text_value(p.sex.as_ref().map(|t| t.code())),
                            place_value(&places, p.origin_place),
                            first.map_or(Value::Missing, |e| {
                                Value::Day(e.date.start().first_day_number() as i32)
                            }),
                            place_value(&places, event_place),
                        ],
                    });
                }
                let blocking = vec![
                    Blocking::NameReading(0),
                    Blocking::NameSound(0, vec![1]),
                    Blocking::Same(vec![1, 2, 3]),
                ];
                (records, Settings::new(person_fields(), blocking))
            }
            LinkKind::Incident => {
                let records = data
                    .incidents
                    .iter()
                    .map(|i| Record {
                        id: i.id.to_string(),
                        list: 0,
                        values: vec![
                            Value::Text(i.kind.code().to_owned()),
                            Value::Day(i.date.start().first_day_number() as i32),
                            place_value(&places, i.places.first().map(|l| l.place)),
                            Value::Count {
                                low: i.victims.low,
                                high: i.victims.high,
                            },
                            text_value(i.actors.first().map(|a| a.actor.to_string()).as_deref()),
                        ],
                    })
                    .collect();
                let blocking = vec![
                    Blocking::Near {
                        field: 1,
                        within: 14,
                        also: vec![0],
                    },
                    Blocking::Same(vec![0, 2]),
                ];
                (records, Settings::new(incident_fields(), blocking))
            }
        };
        let settings = Settings {
            threshold: options.threshold,
            labels: data
                .links
                .iter()
                .filter(|l| l.pair.kind() == kind)
                .map(|l| {
                    let (a, b) = l.pair.ids();
                    Label {
                        a,
                        b,
                        same: l.verdict == Verdict::Same,
                    }
                })
                .collect(),
            ..settings
        };
        let linkage = refwatch_linkage::link(&records, &settings)
            .map_err(|e| ServiceError::User(format!("linkage could not run: {e}")))?;
        let decided: HashSet<LinkPair> = data.links.iter().map(|l| l.pair).collect();
        let suggestions: Vec<LinkSuggestion> = linkage
            .pairs
            .iter()
            .filter(|p| p.probability >= options.threshold || p.label.is_some())
            .filter_map(|p| {
                let pair = LinkPair::parse(kind, &records[p.a].id, &records[p.b].id)?;
                Some(LinkSuggestion {
                    pair,
                    probability: p.probability,
                    explanation: settings
                        .fields
                        .iter()
                        .zip(&p.levels)
                        .zip(&p.field_weights)
                        .map(|((f, level), weight)| FieldWeight {
                            field: f.name.clone(),
                            level: level.map(|l| f.compare.level_name(l).to_owned()),
                            weight: *weight,
                        })
                        .collect(),
                })
            })
            .take(MOST_SUGGESTIONS)
            .collect();
        let mut diagnostics = linkage.diagnostics;
        if linkage
            .pairs
            .iter()
            .filter(|p| p.probability >= options.threshold)
            .count()
            > MOST_SUGGESTIONS
        {
            diagnostics.push(format!(
                "more pairs reached the threshold than the {MOST_SUGGESTIONS} kept for review; raise the threshold"
            ));
        }
        let run = LinkRun {
            kind,
            ran_at: self.clock.now(),
            records: records.len() as u64,
            candidate_pairs: linkage.candidates as u64,
            threshold: options.threshold,
            diagnostics,
        };
        let event = self.event(
            "link_run",
            Some(kind.code()),
            None,
            &format!(
                "{} records, {} candidate pairs, {} suggested",
                run.records,
                run.candidate_pairs,
                suggestions.len()
            ),
        );
        self.store
            .save_link_run(&run, &suggestions, &self.batch(vec![event])?)
            .await?;
        // The runner is told only of what they may read.
        let view = self.readable().await?;
        let readable = Readable::of(&view);
        let shown: Vec<&LinkSuggestion> = suggestions
            .iter()
            .filter(|s| readable.has(s.pair))
            .collect();
        let (mut run, limited) = run_for_reader(
            run,
            records_of(kind, &view),
            records_of(kind, &data),
            shown.len(),
        );
        if limited {
            run.diagnostics = vec![
                "the run covered records you may not read; counts are of those you may".into(),
            ];
        }
        Ok(LinkRunReport {
            run,
            suggested: shown.len(),
            undecided: shown.iter().filter(|s| !decided.contains(&s.pair)).count(),
        })
    }

    /// The latest run of a kind and the suggestions on records the reader
    /// may read (none on a record above their ceiling: not even its count
    /// shows), with the decision standing on each.
    pub async fn link_review(&self, kind: LinkKind) -> Result<Option<Review>, ServiceError> {
        require(
            decide_linkage(self.actor.principal, LinkOperation::Review),
            "review suggested links",
        )?;
        let Some((run, suggestions)) = self.store.link_run(kind).await? else {
            return Ok(None);
        };
        let data = self.readable().await?;
        let readable = Readable::of(&data);
        let decisions: HashMap<LinkPair, Verdict> =
            data.links.iter().map(|l| (l.pair, l.verdict)).collect();
        let items: Vec<ReviewItem> = suggestions
            .into_iter()
            .filter(|s| readable.has(s.pair))
            .map(|s| ReviewItem {
                decision: decisions.get(&s.pair).copied(),
                suggestion: s,
            })
            .collect();
        let all = self.snapshots.all(&self.store).await?;
        let (mut run, limited) = run_for_reader(
            run,
            records_of(kind, &data),
            records_of(kind, &all),
            items.len(),
        );
        if limited {
            run.diagnostics.clear();
        }
        Ok(Some(Review {
            run,
            items,
            limited,
        }))
    }

    /// Decides on a pair (`Some`) or takes the decision back (`None`).
    /// Both records must be readable by the actor. Audited; the records
    /// are not changed.
    pub async fn decide_link(
        &self,
        pair: LinkPair,
        verdict: Option<Verdict>,
    ) -> Result<(), ServiceError> {
        require(
            decide_linkage(self.actor.principal, LinkOperation::Decide),
            "decide on links",
        )?;
        let data = self.readable().await?;
        if !Readable::of(&data).has(pair) {
            return Err(ServiceError::User(
                "no such pair of records: check both ids (and that you may read both records)"
                    .into(),
            ));
        }
        let event = self.link_event(pair, verdict);
        self.store
            .record_links(&[(pair, verdict)], &self.batch(vec![event])?)
            .await?;
        Ok(())
    }

    /// Takes a record out of its group: every decision that it is the same
    /// as another record becomes "different", so the next run does not
    /// join them again. Returns the pairs changed. Audited.
    pub async fn split_link(
        &self,
        kind: LinkKind,
        record: &str,
    ) -> Result<Vec<LinkPair>, ServiceError> {
        require(
            decide_linkage(self.actor.principal, LinkOperation::Decide),
            "decide on links",
        )?;
        let data = self.readable().await?;
        let readable = Readable::of(&data);
        let known = match kind {
            LinkKind::Person => record
                .parse::<PersonId>()
                .is_ok_and(|id| readable.persons.contains(&id)),
            LinkKind::Incident => record
                .parse::<IncidentId>()
                .is_ok_and(|id| readable.incidents.contains(&id)),
        };
        if !known {
            return Err(ServiceError::User(format!(
                "no {} with this id that you may read",
                kind.code()
            )));
        }
        let touching: Vec<LinkPair> = data
            .links
            .iter()
            .filter(|l| l.verdict == Verdict::Same && l.pair.kind() == kind)
            .map(|l| l.pair)
            .filter(|p| {
                let (a, b) = p.ids();
                a == record || b == record
            })
            .collect();
        if touching.is_empty() {
            return Ok(Vec::new());
        }
        let events = touching
            .iter()
            .map(|p| self.link_event(*p, Some(Verdict::Different)))
            .collect();
        let changes: Vec<(LinkPair, Option<Verdict>)> = touching
            .iter()
            .map(|p| (*p, Some(Verdict::Different)))
            .collect();
        self.store
            .record_links(&changes, &self.batch(events)?)
            .await?;
        Ok(touching)
    }

    /// The audit entry of a decision: the pair's ids, never a value.
    fn link_event(&self, pair: LinkPair, verdict: Option<Verdict>) -> refwatch_audit::AuditEvent {
        let (a, b) = pair.ids();
        self.event(
            match verdict {
                Some(Verdict::Same) => "link_same",
                Some(Verdict::Different) => "link_different",
                None => "link_undo",
            },
            Some(pair.kind().code()),
            Some(a),
            &format!("with {b}"),
        )
    }

    /// Whether the actor may decide on the links an import brings, and the
    /// audit entries for them.
    pub(crate) fn imported_links(
        &self,
        incoming: &Dataset,
    ) -> Result<Vec<refwatch_audit::AuditEvent>, ServiceError> {
        if incoming.links.is_empty() {
            return Ok(Vec::new());
        }
        require(
            decide_linkage(self.actor.principal, LinkOperation::Decide),
            "decide on links",
        )?;
        Ok(incoming
            .links
            .iter()
            .map(|l: &LinkDecision| self.link_event(l.pair, Some(l.verdict)))
            .collect())
    }
}

/// The ids of the records a reader may read.
struct Readable {
    persons: HashSet<PersonId>,
    incidents: HashSet<IncidentId>,
}

impl Readable {
    fn of(data: &Dataset) -> Self {
        Self {
            persons: data.persons.iter().map(|p| p.id).collect(),
            incidents: data.incidents.iter().map(|i| i.id).collect(),
        }
    }

    fn has(&self, pair: LinkPair) -> bool {
        match pair {
            LinkPair::Persons(a, b) => self.persons.contains(&a) && self.persons.contains(&b),
            LinkPair::Incidents(a, b) => self.incidents.contains(&a) && self.incidents.contains(&b),
        }
    }
}

#[cfg(test)]
mod place_tests {
    use super::*;
    use refwatch_domain::{Place, Term};

    fn place(en: &str, zh: Option<&str>, parent: Option<PlaceId>) -> Place {
        Place {
            id: PlaceId::random(),
            kind: Term::new("city"),
            name_en: en.into(),
            name_ko: None,
            name_zh: zh.map(str::to_owned),
            country: None,
            parent,
            coordinates: None,
        }
    }

    /// Two records of one town in two scripts are one place, a village
    /// the gazetteer does not know lies within its known town, and places
    /// it does not know at all keep their ids.
    #[test]
    fn places_in_two_scripts_are_one_place_by_the_gazetteer() {
        let yanji = place("Yanji City", None, None);
        let yanji_zh = place("Yanji (as the notice writes it)", Some("延吉市"), None);
        let village = place("Hamlet 3", None, Some(yanji.id));
        let unknown = place("Nowhere", None, None);
        let places = places_of(&[
            yanji.clone(),
            yanji_zh.clone(),
            village.clone(),
            unknown.clone(),
        ]);
        let path = |p: &Place| place_path(&places, p.id);
        assert_eq!(path(&yanji), ["cn", "jilin", "yanbian", "yanji"]);
        assert_eq!(path(&yanji_zh), path(&yanji));
        assert_eq!(
            path(&village),
            ["cn", "jilin", "yanbian", "yanji", &village.id.to_string()]
        );
        assert_eq!(path(&unknown), [unknown.id.to_string()]);
    }
}
