//! The records as they stood at a past moment, so that statistics can be
//! asked "as of" a date: rebuilt from the versions kept of each record
//! edited one at a time and the time each record first came in.
//!
//! A record counts from when it first came in (its recorded time, or its
//! first kept version if earlier) in the state of its last version at or
//! before the moment; before its first edit, in the state kept as
//! imported; not at all while archived. A record with no version is as it
//! is now. Records stored before their times were kept (migration 0013)
//! are taken to have been there all along.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use refwatch_domain::{Dataset, Timestamp};
use refwatch_policy::read_ceiling;
use refwatch_storage::{RecordKind, RecordVersion, Store, VersionAction};

use crate::history::Record;
use crate::visibility::readable_by;
use crate::{Service, ServiceError};

/// What a record was at the moment asked: absent, or this record.
enum Then {
    Absent,
    Was(Box<Record>),
}

/// The state at `at` of the record whose versions (in order) and first
/// recorded time are given; `None` when it is as it is now.
fn then(versions: &[&RecordVersion], first: Option<Timestamp>, at: Timestamp) -> Option<Then> {
    let came_in = first
        .into_iter()
        .chain(versions.first().map(|v| v.at))
        .min();
    if came_in.is_some_and(|t| t > at) {
        return Some(Then::Absent);
    }
    let chosen = match versions.iter().rev().find(|v| v.at <= at) {
        Some(v) if v.action == VersionAction::Archive => return Some(Then::Absent),
        Some(v) => v,
        // Not edited yet at that moment: as imported, when that was kept.
        None => match versions.first() {
            Some(v) if v.action == VersionAction::Imported => v,
            Some(_) => return Some(Then::Absent),
            None => return None,
        },
    };
    let record = refwatch_interchange::parse(&chosen.body)
        .ok()
        .and_then(|data| Record::from_dataset(chosen.kind, data));
    // A version that does not read (none should) leaves the record as it is.
    record.map(|r| Then::Was(Box::new(r)))
}

/// `all` as it stood at `at`.
fn rebuilt(
    all: &Dataset,
    versions: &[RecordVersion],
    recorded: &[(RecordKind, String, Timestamp)],
    at: Timestamp,
) -> Dataset {
    let mut by_record: HashMap<(RecordKind, &str), Vec<&RecordVersion>> = HashMap::new();
    for v in versions {
        by_record
            .entry((v.kind, v.id.as_str()))
            .or_default()
            .push(v);
    }
    for list in by_record.values_mut() {
        list.sort_by_key(|v| v.number);
    }
    let first: HashMap<(RecordKind, &str), Timestamp> = recorded
        .iter()
        .map(|(kind, id, t)| ((*kind, id.as_str()), *t))
        .collect();
    let mut keys: HashSet<(RecordKind, &str)> = by_record.keys().copied().collect();
    keys.extend(first.keys().copied());
    let mut past = all.clone();
    let mut gone: HashSet<(RecordKind, String)> = HashSet::new();
    let mut back = Vec::new();
    for key in keys {
        let versions = by_record.get(&key).map_or(&[][..], Vec::as_slice);
        match then(versions, first.get(&key).copied(), at) {
            None => {}
            Some(Then::Absent) => {
                gone.insert((key.0, key.1.to_owned()));
            }
            Some(Then::Was(record)) => {
                gone.insert((key.0, key.1.to_owned()));
                back.push(*record);
            }
        }
    }
    let out = |kind: RecordKind, id: String| !gone.contains(&(kind, id));
    past.sources
        .retain(|r| out(RecordKind::Source, r.id.to_string()));
    past.places
        .retain(|r| out(RecordKind::Place, r.id.to_string()));
    past.actors
        .retain(|r| out(RecordKind::Actor, r.id.to_string()));
    past.incidents
        .retain(|r| out(RecordKind::Incident, r.id.to_string()));
    past.persons
        .retain(|r| out(RecordKind::Person, r.id.to_string()));
    past.mechanisms
        .retain(|r| out(RecordKind::Mechanism, r.id.to_string()));
    past.figures
        .retain(|r| out(RecordKind::Figure, r.id.to_string()));
    for record in back {
        match record {
            Record::Source(r) => past.sources.push(r),
            Record::Place(r) => past.places.push(r),
            Record::Actor(r) => past.actors.push(r),
            Record::Incident(r) => past.incidents.push(Arc::new(r)),
            Record::Person(r) => past.persons.push(Arc::new(r)),
            Record::Mechanism(r) => past.mechanisms.push(r),
            Record::Figure(r) => past.figures.push(r),
        }
    }
    // Lists stay sorted by id, as the stored copy's are.
    past.sort();
    past.history.clear();
    past
}

impl<S: Store> Service<S> {
    /// The records the caller may read as they stood at `at`, screened for
    /// names as the current ones are (by the current guard, which names at
    /// least everyone the past one did).
    pub async fn readable_as_of(&self, at: Timestamp) -> Result<Arc<Dataset>, ServiceError> {
        let all = self.snapshots.all(&self.store).await?;
        let versions = self.store.all_record_versions().await?;
        let recorded = self.store.recorded_times().await?;
        let past = rebuilt(&all, &versions, &recorded, at);
        let mut view = readable_by(past, read_ceiling(self.actor.principal));
        if !self.may_identify()
            && let Some(guard) = self.guard_for(&all).await?
        {
            crate::guard::screen_dataset(&mut view, &mut guard.screen(), None, None);
        }
        Ok(Arc::new(view))
    }
}
