//! Records edited one at a time (created, changed, archived, restored),
//! each change keeping the record's new version, and the history read back
//! as field-by-field differences.
//!
//! A version's body is the record in the dataset file format, so that an
//! archived record can be restored exactly and a history can be exported.
//! Places, actors, mechanism records and figures are public; sources,
//! incidents and persons carry their own level, and each version is shown
//! only to a member allowed at its level, screened for names as the records
//! themselves are. A person's version holds only what does not identify
//! them: their identity and cited words stay sealed, never versioned.
//!
//! Links between evidence files and incidents or persons are made here too
//! (`link_evidence`): rows of their own, audited, never a change to either.

use std::collections::BTreeMap;
use std::sync::Arc;

use refwatch_domain::{
    Actor, Citation, CitationId, Confidentiality, Dataset, Incident, IncidentId, Mechanism, Person,
    PersonId, PersonIdentity, PersonIncident, Place, Problem, ReportedFigure, SealedIdentity,
    Source, Term, Timestamp, Vocabularies, validate_addition,
};
use refwatch_policy::{Operation, decide};
use refwatch_storage::{RecordChange, RecordKind, RecordVersion, Store, StoreError, VersionAction};
use serde_json::Value;

use crate::{Service, ServiceError, require};

/// One record of a kind whose versions are kept.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A source.
    Source(Source),
    /// A place.
    Place(Place),
    /// An actor.
    Actor(Actor),
    /// An incident.
    Incident(Incident),
    /// What does not identify a person at risk (never their identity, nor
    /// the words of their citations).
    Person(Person),
    /// A UN mechanism record.
    Mechanism(Mechanism),
    /// A reported figure.
    Figure(ReportedFigure),
}

impl Record {
    /// Its kind.
    pub fn kind(&self) -> RecordKind {
        match self {
            Self::Source(_) => RecordKind::Source,
            Self::Place(_) => RecordKind::Place,
            Self::Actor(_) => RecordKind::Actor,
            Self::Incident(_) => RecordKind::Incident,
            Self::Person(_) => RecordKind::Person,
            Self::Mechanism(_) => RecordKind::Mechanism,
            Self::Figure(_) => RecordKind::Figure,
        }
    }

    /// Its id, as text.
    pub fn id(&self) -> String {
        match self {
            Self::Source(r) => r.id.to_string(),
            Self::Place(r) => r.id.to_string(),
            Self::Actor(r) => r.id.to_string(),
            Self::Incident(r) => r.id.to_string(),
            Self::Person(r) => r.id.to_string(),
            Self::Mechanism(r) => r.id.to_string(),
            Self::Figure(r) => r.id.to_string(),
        }
    }

    /// Its level (places and actors are public).
    pub fn level(&self) -> Confidentiality {
        match self {
            Self::Source(r) => r.confidentiality,
            Self::Incident(r) => r.confidentiality,
            Self::Person(r) => r.confidentiality,
            Self::Place(_) | Self::Actor(_) | Self::Mechanism(_) | Self::Figure(_) => {
                Confidentiality::Public
            }
        }
    }

    /// A dataset holding only this record.
    pub fn dataset(&self) -> Dataset {
        let mut data = Dataset::default();
        match self {
            Self::Source(r) => data.sources.push(r.clone()),
            Self::Place(r) => data.places.push(r.clone()),
            Self::Actor(r) => data.actors.push(r.clone()),
            Self::Incident(r) => data.incidents.push(Arc::new(r.clone())),
            Self::Person(r) => {
                // Whatever identifies them stays sealed, out of every copy.
                let mut p = r.clone();
                p.identity = None;
                for c in &mut p.citations {
                    (c.quote, c.locator, c.note) = (String::new(), String::new(), None);
                }
                data.persons.push(Arc::new(p));
            }
            Self::Mechanism(r) => data.mechanisms.push(r.clone()),
            Self::Figure(r) => data.figures.push(r.clone()),
        }
        data
    }

    /// The record of this kind in `data`, if it holds one.
    pub(crate) fn from_dataset(kind: RecordKind, mut data: Dataset) -> Option<Self> {
        Some(match kind {
            RecordKind::Source => Self::Source(data.sources.pop()?),
            RecordKind::Place => Self::Place(data.places.pop()?),
            RecordKind::Actor => Self::Actor(data.actors.pop()?),
            RecordKind::Incident => Self::Incident(Arc::unwrap_or_clone(data.incidents.pop()?)),
            RecordKind::Person => Self::Person(Arc::unwrap_or_clone(data.persons.pop()?)),
            RecordKind::Mechanism => Self::Mechanism(data.mechanisms.pop()?),
            RecordKind::Figure => Self::Figure(data.figures.pop()?),
        })
    }

    /// The stored record of this kind and id in `data` (whose lists are
    /// sorted by id): the id read as its type, then a binary search.
    pub fn find(data: &Dataset, kind: RecordKind, id: &str) -> Option<Self> {
        fn by_id<T: Clone, K: Ord + std::str::FromStr>(
            list: &[T],
            id: &str,
            key: impl FnMut(&T) -> K,
        ) -> Option<T> {
            let id: K = id.parse().ok()?;
            list.binary_search_by_key(&id, key)
                .ok()
                .map(|at| list[at].clone())
        }
        Some(match kind {
            RecordKind::Source => Self::Source(by_id(&data.sources, id, |r| r.id)?),
            RecordKind::Place => Self::Place(by_id(&data.places, id, |r| r.id)?),
            RecordKind::Actor => Self::Actor(by_id(&data.actors, id, |r| r.id)?),
            RecordKind::Incident => {
                Self::Incident(Arc::unwrap_or_clone(by_id(&data.incidents, id, |r| r.id)?))
            }
            RecordKind::Person => {
                Self::Person(Arc::unwrap_or_clone(by_id(&data.persons, id, |r| r.id)?))
            }
            RecordKind::Mechanism => Self::Mechanism(by_id(&data.mechanisms, id, |r| r.id)?),
            RecordKind::Figure => Self::Figure(by_id(&data.figures, id, |r| r.id)?),
        })
    }

    /// The record in the dataset file format.
    fn body(&self) -> String {
        refwatch_interchange::to_json(&self.dataset())
    }

    /// The path prefix validation gives this record in a one-record dataset.
    fn path(&self) -> &'static str {
        match self {
            Self::Source(_) => "sources[0]",
            Self::Place(_) => "places[0]",
            Self::Actor(_) => "actors[0]",
            Self::Incident(_) => "incidents[0]",
            Self::Person(_) => "persons[0]",
            Self::Mechanism(_) => "mechanisms[0]",
            Self::Figure(_) => "figures[0]",
        }
    }
}

/// What changed in one field between a version and the one before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The field, as the file format names it (`title`, `citations[0].quote`).
    pub field: String,
    /// Its value before (none when it was empty or absent).
    pub before: Option<String>,
    /// Its value after.
    pub after: Option<String>,
}

/// One version of a record as a reader may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionView {
    /// Its number, from 1.
    pub number: u32,
    /// When it was made.
    pub at: Timestamp,
    /// Who made it: an account's username, or as the audit log names them
    /// (`operator`).
    pub actor: String,
    /// How.
    pub action: VersionAction,
    /// Why, when a reason was given.
    pub reason: Option<String>,
    /// The record's level in this version.
    pub confidentiality: Confidentiality,
    /// Every field of the record in this version.
    pub fields: Vec<(String, String)>,
    /// What changed from the version before it (every field for the first).
    pub changes: Vec<FieldChange>,
}

/// Every scalar of a JSON value as (path, text), in order.
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, v, out);
            }
        }
        Value::Array(list) => {
            for (n, v) in list.iter().enumerate() {
                flatten(&format!("{prefix}[{n}]"), v, out);
            }
        }
        Value::String(s) => out.push((prefix.to_owned(), s.clone())),
        other => out.push((prefix.to_owned(), other.to_string())),
    }
}

/// The fields of a one-record dataset, the record's own paths (without
/// `sources[0].`), leaving out its id.
fn fields_of(data: &Dataset) -> Vec<(String, String)> {
    let value: Value =
        serde_json::from_str(&refwatch_interchange::to_json(data)).unwrap_or(Value::Null);
    let mut out = Vec::new();
    if let Value::Object(map) = value {
        for (kind, list) in map {
            if let Value::Array(list) = list
                && let Some(record) = list.first()
            {
                let _ = kind;
                flatten("", record, &mut out);
            }
        }
    }
    out.retain(|(k, _)| k != "id");
    out
}

/// The differences between two lists of fields.
fn differences(before: &[(String, String)], after: &[(String, String)]) -> Vec<FieldChange> {
    let old: BTreeMap<&str, &str> = before
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let new: BTreeMap<&str, &str> = after
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut keys: Vec<&str> = after.iter().map(|(k, _)| k.as_str()).collect();
    keys.extend(
        before
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| !new.contains_key(k)),
    );
    keys.into_iter()
        .filter(|k| old.get(k) != new.get(k))
        .map(|k| FieldChange {
            field: k.to_owned(),
            before: old.get(k).map(|v| (*v).to_owned()),
            after: new.get(k).map(|v| (*v).to_owned()),
        })
        .collect()
}

/// A record's problems as the forms show them: paths from the record.
fn own_paths(record: &Record, problems: Vec<Problem>) -> Vec<Problem> {
    let prefix = record.path();
    problems
        .into_iter()
        .map(|p| Problem {
            path: match p.path.strip_prefix(prefix) {
                Some(rest) => rest.trim_start_matches('.').to_owned(),
                None => p.path,
            },
            message: p.message,
        })
        .collect()
}

/// `new` with what a change never takes from its sender: a person's
/// identity and citations stay as stored (they are sealed).
fn with_sealed_parts(new: &Record, stored: &Record) -> Record {
    match (new, stored) {
        (Record::Person(p), Record::Person(old)) => Record::Person(Person {
            identity: None,
            citations: old.citations.clone(),
            ..p.clone()
        }),
        _ => new.clone(),
    }
}

/// A problem when a place or actor would lie within itself.
fn cycle(data: &Dataset, record: &Record) -> Option<Problem> {
    let (start, message) = match record {
        Record::Place(p) => (
            p.parent.map(|id| id.to_string()),
            "a place cannot lie within itself or within a place inside it; choose another",
        ),
        Record::Actor(a) => (
            a.parent.map(|id| id.to_string()),
            "a body cannot belong to itself or to one of its own parts; choose another",
        ),
        _ => return None,
    };
    let me = record.id();
    let mut at = start;
    for _ in 0..=data.places.len().max(data.actors.len()) {
        let here = at?;
        if here == me {
            return Some(Problem {
                path: "parent".into(),
                message: message.into(),
            });
        }
        at = match record {
            Record::Place(_) => data
                .places
                .iter()
                .find(|p| p.id.to_string() == here)
                .and_then(|p| p.parent.map(|id| id.to_string())),
            _ => data
                .actors
                .iter()
                .find(|a| a.id.to_string() == here)
                .and_then(|a| a.parent.map(|id| id.to_string())),
        };
    }
    None
}

impl<S: Store> Service<S> {
    /// The current record of this kind and id, as the caller may read it
    /// (screened for names as every record they read is).
    pub async fn record(&self, kind: RecordKind, id: &str) -> Result<Record, ServiceError> {
        let readable = self.readable().await?;
        Record::find(&readable, kind, id).ok_or(ServiceError::NotFound(kind.code()))
    }

    /// The stored record of this kind and id, unscreened, if the caller may
    /// read it: what a change replaces.
    pub(crate) async fn stored_record(
        &self,
        kind: RecordKind,
        id: &str,
    ) -> Result<Record, ServiceError> {
        let all = self.snapshots.all(&self.store).await?;
        Record::find(&all, kind, id)
            .filter(|r| decide(self.actor.principal, Operation::Read, r.level()).allowed())
            .ok_or(ServiceError::NotFound(kind.code()))
    }

    /// Checks `record` against everything stored but `replacing`.
    async fn check_record(
        &self,
        record: &Record,
        replacing: Option<&Record>,
    ) -> Result<(), ServiceError> {
        self.check_incoming(record, record.dataset(), replacing)
            .await
    }

    /// Checks `incoming` (`record` as a dataset, words that are to be
    /// sealed included) against everything stored but `replacing`.
    async fn check_incoming(
        &self,
        record: &Record,
        mut incoming: Dataset,
        replacing: Option<&Record>,
    ) -> Result<(), ServiceError> {
        let all = self.snapshots.all(&self.store).await?;
        // A person's cited words are sealed with their identity: they were
        // checked when they came in and are not changed here.
        for p in &mut incoming.persons {
            for c in &mut Arc::make_mut(p).citations {
                if Person::cited_words_sealed(c) {
                    (c.quote, c.locator) = ("sealed".into(), "sealed".into());
                }
            }
        }
        let mut context = refwatch_domain::context_for(&all, &incoming);
        if let Some(old) = replacing {
            let id = old.id();
            context.sources.retain(|r| r.id.to_string() != id);
            context.places.retain(|r| r.id.to_string() != id);
            context.actors.retain(|r| r.id.to_string() != id);
            context.incidents.retain(|r| r.id.to_string() != id);
            context.persons.retain(|r| r.id.to_string() != id);
            context.mechanisms.retain(|r| r.id.to_string() != id);
            context.figures.retain(|r| r.id.to_string() != id);
        }
        let mut problems = validate_addition(&context, &incoming, &Vocabularies::builtin());
        problems.extend(cycle(&all, record));
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Invalid(own_paths(record, problems)))
        }
    }

    /// The version to keep for `record`.
    fn version(
        &self,
        record: &Record,
        action: VersionAction,
        reason: Option<&str>,
    ) -> RecordVersion {
        RecordVersion {
            kind: record.kind(),
            id: record.id(),
            number: 0,
            at: self.clock.now(),
            actor: self.actor.label.clone(),
            action,
            reason: reason.map(str::to_owned),
            confidentiality: record.level(),
            body: record.body(),
        }
    }

    /// The versions to keep when `old` is first changed: its imported state,
    /// when no version of it is kept yet.
    async fn first_version(&self, old: &Record) -> Result<Vec<RecordVersion>, ServiceError> {
        let kept = self.store.record_versions(old.kind(), &old.id()).await?;
        Ok(if kept.is_empty() {
            vec![self.version(old, VersionAction::Imported, None)]
        } else {
            Vec::new()
        })
    }

    async fn write_change(
        &self,
        remove: Option<&Record>,
        insert: Option<&Record>,
        versions: Vec<RecordVersion>,
        action: &str,
        subject: &Record,
    ) -> Result<(), ServiceError> {
        self.write_sealed_change(remove, insert, versions, action, subject, &[])
            .await
    }

    /// [`Self::write_change`], with persons' identities sealed anew.
    async fn write_sealed_change(
        &self,
        remove: Option<&Record>,
        insert: Option<&Record>,
        versions: Vec<RecordVersion>,
        action: &str,
        subject: &Record,
        sealed: &[(PersonId, SealedIdentity)],
    ) -> Result<(), ServiceError> {
        let removed: Vec<(RecordKind, String)> =
            remove.map(|r| (r.kind(), r.id())).into_iter().collect();
        let data = insert.map(Record::dataset).unwrap_or_default();
        let event = self.event(action, Some(subject.kind().code()), Some(subject.id()), "");
        self.store
            .change_records(
                RecordChange {
                    remove: &removed,
                    insert: &data,
                    versions: &versions,
                    sealed,
                },
                &self.batch(vec![event])?,
            )
            .await?;
        Ok(())
    }

    /// Creates a record: the caller must be allowed to create at its level;
    /// checked against what is stored; its first version kept; audited.
    pub async fn create_record(&self, record: &Record) -> Result<(), ServiceError> {
        require(
            decide(self.actor.principal, Operation::Create, record.level()),
            "create records at this confidentiality level",
        )?;
        if let Record::Person(p) = record {
            // A person's identity is sealed on the way in, as an import does.
            self.import(&Dataset {
                persons: vec![Arc::new(p.clone())],
                ..Dataset::default()
            })
            .await?;
            return Ok(());
        }
        self.check_record(record, None).await?;
        let version = self.version(record, VersionAction::Create, None);
        self.write_change(None, Some(record), vec![version], "create", record)
            .await
    }

    /// The stored version of `record` that the caller may change at both
    /// its old and its new level.
    async fn changeable(
        &self,
        kind: RecordKind,
        id: &str,
        new: Confidentiality,
    ) -> Result<Record, ServiceError> {
        let old = self.stored_record(kind, id).await?;
        for level in [old.level(), new] {
            require(
                decide(self.actor.principal, Operation::Update, level),
                "change records at this confidentiality level",
            )?;
        }
        Ok(old)
    }

    /// Replaces a record with a new version, keeping the old one: the
    /// caller must be allowed to change records at both levels; checked
    /// against everything else stored; audited.
    pub async fn update_record(&self, record: &Record) -> Result<(), ServiceError> {
        let old = self
            .changeable(record.kind(), &record.id(), record.level())
            .await?;
        let record = &with_sealed_parts(record, &old);
        self.check_record(record, Some(&old)).await?;
        let mut versions = self.first_version(&old).await?;
        versions.push(self.version(record, VersionAction::Update, None));
        self.write_change(Some(&old), Some(record), versions, "update", record)
            .await
    }

    /// Adds a citation to a person (a new source on the case, or the one
    /// behind a later step of their status timeline), as those who may
    /// change the person may: checked as any citation is, its words sealed
    /// with the person's identity as an import seals them, a new version
    /// kept, audited. Returns the citation's id.
    pub async fn cite_person(
        &self,
        person: PersonId,
        citation: &Citation,
    ) -> Result<CitationId, ServiceError> {
        let cited = Citation {
            id: CitationId::random(),
            ..citation.clone()
        };
        self.change_person_citation(person, cited.id, Some(&cited), "cite_person")
            .await?;
        Ok(cited.id)
    }

    /// Corrects a citation on a person (its source, locator, words or
    /// note), or with `None` removes it, as [`Service::cite_person`] adds
    /// one: the words sealed anew with the identity, a new version kept,
    /// audited. Removing the person's last citation, or one a step of
    /// their timeline stands on, is refused as any such record is.
    pub async fn correct_person_citation(
        &self,
        person: PersonId,
        citation: CitationId,
        corrected: Option<&Citation>,
    ) -> Result<(), ServiceError> {
        let corrected = corrected.map(|c| Citation {
            id: citation,
            ..c.clone()
        });
        self.change_person_citation(
            person,
            citation,
            corrected.as_ref(),
            "correct_person_citation",
        )
        .await
    }

    /// Puts `citation` (added or in place of the one with id `id`), or
    /// takes that one away, with its words sealed in the identity.
    async fn change_person_citation(
        &self,
        person: PersonId,
        id: CitationId,
        citation: Option<&Citation>,
        action: &str,
    ) -> Result<(), ServiceError> {
        let Record::Person(old) = self
            .stored_record(RecordKind::Person, &person.to_string())
            .await?
        else {
            return Err(ServiceError::NotFound("person"));
        };
        require(
            decide(self.actor.principal, Operation::Update, old.confidentiality),
            "change records at this confidentiality level",
        )?;
        let at = old.citations.iter().position(|c| c.id == id);
        let mut checked = old.clone();
        match (at, citation) {
            (Some(at), Some(c)) => checked.citations[at] = c.clone(),
            (Some(at), None) => {
                checked.citations.remove(at);
            }
            (None, Some(c)) if action == "cite_person" => checked.citations.push(c.clone()),
            (None, _) => return Err(ServiceError::NotFound("citation")),
        }
        let old = Record::Person(old);
        // Checked with the new words, which are about to be sealed.
        let incoming = Dataset {
            persons: vec![Arc::new(checked.clone())],
            ..Dataset::default()
        };
        self.check_incoming(&Record::Person(checked.clone()), incoming, Some(&old))
            .await?;
        let keys = self.keys()?;
        let mut identity = match self.store.sealed_identity(person).await? {
            Some(s) => keys.open_identity(person, &s)?,
            None => PersonIdentity::default(),
        };
        // The changed words go into the identity (the others are there
        // already), and removed ones leave it; the row keeps the source.
        identity.cited.retain(|t| t.citation != id);
        if let Some(at) = checked.citations.iter().position(|c| c.id == id) {
            identity.keep_cited_words(&mut checked.citations[at..=at]);
        }
        let sealed = keys.seal_identity(person, &identity)?;
        let new = Record::Person(checked);
        let mut versions = self.first_version(&old).await?;
        versions.push(self.version(&new, VersionAction::Update, None));
        self.write_sealed_change(
            Some(&old),
            Some(&new),
            versions,
            action,
            &new,
            &[(person, sealed)],
        )
        .await
    }

    /// Sets which persons an incident concerns, each with their role
    /// (vocabulary `person_role`), as the incident's form lists them: a
    /// person the caller may read whose link is added, changed or taken
    /// away gets a new version, checked as any change is; all of them are
    /// written in one change (all or none) with an audit entry each.
    /// Persons the caller may not read are left as they are. Returns how
    /// many persons changed.
    pub async fn link_persons(
        &self,
        incident: IncidentId,
        links: &[(PersonId, Term)],
    ) -> Result<usize, ServiceError> {
        let readable = self.readable().await?;
        if !readable.incidents.iter().any(|i| i.id == incident) {
            return Err(ServiceError::NotFound("incident"));
        }
        if links
            .iter()
            .any(|(id, _)| !readable.persons.iter().any(|p| p.id == *id))
        {
            return Err(ServiceError::NotFound("person"));
        }
        let mut changed: Vec<(Record, Record)> = Vec::new();
        let concerned = readable.persons.iter().filter(|p| {
            p.incidents.iter().any(|l| l.incident == incident)
                || links.iter().any(|(id, _)| *id == p.id)
        });
        for person in concerned {
            let Record::Person(old) = self
                .stored_record(RecordKind::Person, &person.id.to_string())
                .await?
            else {
                return Err(ServiceError::NotFound("person"));
            };
            let role = links.iter().find(|(id, _)| *id == old.id).map(|(_, r)| r);
            let mut new = old.clone();
            match (
                new.incidents.iter().position(|l| l.incident == incident),
                role,
            ) {
                (Some(at), Some(role)) => new.incidents[at].role = role.clone(),
                (Some(at), None) => {
                    new.incidents.remove(at);
                }
                (None, Some(role)) => new.incidents.push(PersonIncident {
                    incident,
                    role: role.clone(),
                }),
                (None, None) => {}
            }
            if new != old {
                changed.push((Record::Person(old), Record::Person(new)));
            }
        }
        self.write_persons(changed).await
    }

    /// Writes new versions of several persons in one change.
    async fn write_persons(&self, changed: Vec<(Record, Record)>) -> Result<usize, ServiceError> {
        let (mut removed, mut versions, mut events) = (Vec::new(), Vec::new(), Vec::new());
        let mut insert = Dataset::default();
        for (old, new) in &changed {
            require(
                decide(self.actor.principal, Operation::Update, old.level()),
                "change records at this confidentiality level",
            )?;
            self.check_record(new, Some(old)).await?;
            versions.extend(self.first_version(old).await?);
            versions.push(self.version(new, VersionAction::Update, None));
            removed.push((RecordKind::Person, old.id()));
            events.push(self.event(
                "update",
                Some(RecordKind::Person.code()),
                Some(old.id()),
                "",
            ));
            if let Record::Person(p) = new {
                insert.persons.push(Arc::new(p.clone()));
            }
        }
        if changed.is_empty() {
            return Ok(0);
        }
        self.store
            .change_records(
                RecordChange {
                    remove: &removed,
                    insert: &insert,
                    versions: &versions,
                    sealed: &[],
                },
                &self.batch(events)?,
            )
            .await?;
        Ok(changed.len())
    }

    /// Archives a record with a reason: it leaves the records (and so
    /// every count and publication) and stays in its history, from which it
    /// can be restored. Refused while other records refer to it.
    pub async fn archive_record(
        &self,
        kind: RecordKind,
        id: &str,
        reason: &str,
    ) -> Result<(), ServiceError> {
        // A person archived keeps their sealed identity where it is (it is
        // never written into a version) until a version is restored.
        let old = self.stored_record(kind, id).await?;
        // Archiving loses nothing and can be undone: it is a change, which
        // whoever may change the record may make.
        require(
            decide(self.actor.principal, Operation::Update, old.level()),
            "change records at this confidentiality level",
        )?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ServiceError::Invalid(vec![Problem {
                path: "reason".into(),
                message: "say why the record is archived".into(),
            }]));
        }
        let mut versions = self.first_version(&old).await?;
        versions.push(self.version(&old, VersionAction::Archive, Some(reason)));
        self.write_change(Some(&old), None, versions, "archive", &old)
            .await
    }

    /// Makes version `number` of a record current again: over the record
    /// if it is stored, or bringing it back if it was archived.
    pub async fn restore_version(
        &self,
        kind: RecordKind,
        id: &str,
        number: u32,
    ) -> Result<(), ServiceError> {
        let kept = self.store.record_versions(kind, id).await?;
        let chosen = kept
            .iter()
            .find(|v| v.number == number)
            .ok_or(ServiceError::NotFound("version"))?;
        let restored = refwatch_interchange::parse(&chosen.body)
            .ok()
            .and_then(|data| Record::from_dataset(kind, data))
            .ok_or_else(|| {
                ServiceError::Store(StoreError::Corrupt {
                    table: "record_version",
                    column: "body",
                    row: id.to_owned(),
                })
            })?;
        let archived = kept
            .last()
            .is_some_and(|v| v.action == VersionAction::Archive);
        let version = self.version(&restored, VersionAction::Restore, None);
        if archived {
            require(
                decide(self.actor.principal, Operation::Create, restored.level()),
                "create records at this confidentiality level",
            )?;
            self.check_record(&restored, None).await?;
            self.write_change(None, Some(&restored), vec![version], "restore", &restored)
                .await
        } else {
            let old = self.changeable(kind, id, restored.level()).await?;
            let restored = with_sealed_parts(&restored, &old);
            self.check_record(&restored, Some(&old)).await?;
            let mut versions = self.first_version(&old).await?;
            versions.push(version);
            self.write_change(Some(&old), Some(&restored), versions, "restore", &restored)
                .await
        }
    }

    /// The versions of a record the caller may read (signed in), oldest
    /// first, each with what changed from the one before; screened for names as the records
    /// are for a reader who may not identify people. An archived record's
    /// history can be read by whoever may read it at its last level.
    pub async fn history(
        &self,
        kind: RecordKind,
        id: &str,
    ) -> Result<Vec<VersionView>, ServiceError> {
        // Who changed what is the organisation's own business: not the public's.
        if self.actor.principal == refwatch_policy::Principal::Public {
            return Err(ServiceError::NotFound(kind.code()));
        }
        let kept = self.store.record_versions(kind, id).await?;
        let readable = |level| decide(self.actor.principal, Operation::Read, level).allowed();
        let current = self.stored_record(kind, id).await;
        match (&current, kept.last()) {
            (Ok(_), _) => {}
            (Err(_), Some(last))
                if last.action == VersionAction::Archive && readable(last.confidentiality) => {}
            (Err(_), _) => return Err(ServiceError::NotFound(kind.code())),
        }
        let screen = if self.may_identify() {
            None
        } else {
            self.guard().await?
        };
        // Members see who made each change by their username.
        let names: std::collections::HashMap<String, String> = self
            .store
            .accounts()
            .await?
            .into_iter()
            .map(|a| (format!("user:{}", a.id), a.username))
            .collect();
        let mut out = Vec::new();
        let mut previous: Vec<(String, String)> = Vec::new();
        // Versions the caller may not read are left out before comparing,
        // so that no difference shows what they held.
        // One screen for every version, so that what it has read is reused.
        let mut screen = screen.as_deref().map(refwatch_guard::Guard::screen);
        for v in kept.iter().filter(|v| readable(v.confidentiality)) {
            let mut data = refwatch_interchange::parse(&v.body).unwrap_or_default();
            let mut reason = v.reason.clone();
            if let Some(screen) = screen.as_mut() {
                crate::guard::screen_dataset(&mut data, screen, None, None);
                // Why a record was archived is free text too.
                if let Some(masked) = reason
                    .as_deref()
                    .and_then(|r| screen.redact(r, crate::guard::MASK))
                {
                    reason = Some(masked);
                }
            }
            let fields = fields_of(&data);
            let changes = differences(&previous, &fields);
            previous = fields.clone();
            out.push(VersionView {
                number: v.number,
                at: v.at,
                actor: names.get(&v.actor).unwrap_or(&v.actor).clone(),
                action: v.action,
                reason,
                confidentiality: v.confidentiality,
                fields,
                changes,
            });
        }
        Ok(out)
    }
}

impl<S: Store> Service<S> {
    /// Links (or, with `linked` false, unlinks) a piece of evidence the
    /// caller may read and an incident or person they may change; audited
    /// by ids.
    pub async fn link_evidence(
        &self,
        evidence: refwatch_domain::EvidenceId,
        kind: RecordKind,
        record: &str,
        linked: bool,
    ) -> Result<(), ServiceError> {
        if !matches!(kind, RecordKind::Incident | RecordKind::Person) {
            return Err(ServiceError::Invalid(vec![Problem {
                path: String::new(),
                message: "evidence is linked to incidents and persons".into(),
            }]));
        }
        self.readable_evidence(evidence).await?;
        let target = self.stored_record(kind, record).await?;
        require(
            decide(self.actor.principal, Operation::Update, target.level()),
            "change records at this confidentiality level",
        )?;
        let action = if linked {
            "link_evidence"
        } else {
            "unlink_evidence"
        };
        let event = self.event(
            action,
            Some(kind.code()),
            Some(record.to_owned()),
            &format!("evidence {evidence}"),
        );
        self.store
            .set_evidence_link(evidence, kind, record, linked, &self.batch(vec![event])?)
            .await?;
        Ok(())
    }

    /// The evidence linked to a record the caller may read, as far as they
    /// may read each piece.
    pub async fn linked_evidence(
        &self,
        kind: RecordKind,
        record: &str,
    ) -> Result<Vec<refwatch_domain::Evidence>, ServiceError> {
        self.stored_record(kind, record).await?;
        let mut out = Vec::new();
        for (id, _, _) in self.store.evidence_links(Some((kind, record))).await? {
            if let Ok(e) = self.readable_evidence(id).await {
                out.push(e);
            }
        }
        Ok(out)
    }
}
