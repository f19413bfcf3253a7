//! The protected core: every read and write of records goes through
//! [`Service`], which asks the policy (`refwatch-policy`), seals and opens
//! identities with the keys (`refwatch-keys`) and appends to the audit log
//! (`refwatch-audit`) in the same transaction as each change.
//!
//! The command line uses it now; the web application and API will too.
//! Nothing outside this crate reads records from the store directly.

#![deny(missing_docs)]

mod accounts;
mod as_of;
mod bundle;
mod evidence;
pub mod guard;
mod history;
mod linking;
mod public;
mod search;
mod snapshot;
mod visibility;

use std::sync::Arc;

use refwatch_audit::{AuditEvent, Finding};
use refwatch_domain::{
    Clock, Confidentiality, Dataset, Person, PersonId, PersonIdentity, Problem, Vocabularies,
    validate_addition,
};
use refwatch_keys::{KekSource, KeyError, Keyring, UnlockedKeys};
use refwatch_policy::{
    AdminOperation, Decision, Operation, Principal, decide, decide_admin, read_ceiling,
};
use refwatch_storage::{AuditBatch, Store, StoreError};

pub use accounts::{NewAccount, SessionHolder, SignInError, SignedIn, TotpEnrolment};
pub use bundle::BundleMade;
pub use evidence::{
    DEFAULT_MAX_BYTES, EvidenceSetup, EvidenceView, Intake, IntakeOutcome, Provenance,
    VerifyFinding, VerifyProblem,
};
pub use history::{FieldChange, Record, VersionView};
pub use linking::{LinkOptions, LinkRunReport, MOST_SUGGESTIONS, Review, ReviewItem};
pub use public::{PublicExport, PublicTable, people_tables};
pub use refwatch_storage::{RecordKind, VersionAction};
pub use search::{IndexStats, SearchRequest};
pub use visibility::readable_by;

/// Who is acting, as the policy and the audit log see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// What the policy decides on.
    pub principal: Principal,
    /// How the audit log names them: `operator`, `user:<id>`, `public`.
    pub label: String,
}

impl Caller {
    /// The console operator: whoever holds the data directory and the key.
    pub fn operator() -> Self {
        Self {
            principal: Principal::Account(refwatch_policy::Role::Administrator),
            label: "operator".into(),
        }
    }

    /// The unauthenticated public.
    pub fn public() -> Self {
        Self {
            principal: Principal::Public,
            label: "public".into(),
        }
    }
}

/// What went wrong in the protected core.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The policy refused.
    #[error("not allowed: your role may not {0}")]
    Denied(&'static str),
    /// The operation needs the key, and none was given.
    #[error("this needs the data directory's key: pass --key-file PATH or set REFWATCH_PASSPHRASE")]
    NeedsKey,
    /// The data directory has no keyring yet.
    #[error("this data directory has no keys yet; run `refwatch init` first")]
    NoKeyring,
    /// Keys could not be used.
    #[error(transparent)]
    Keys(#[from] KeyError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A request about users is wrong (unknown user, bad username, weak password...).
    #[error("{0}")]
    User(String),
    /// Signing in failed.
    #[error(transparent)]
    SignIn(#[from] SignInError),
    /// Incoming records break rules; nothing was written.
    #[error("{} problem(s) in the records; nothing was written", .0.len())]
    Invalid(Vec<Problem>),
    /// The search engine failed, or the query has no word.
    #[error(transparent)]
    Search(#[from] refwatch_search::SearchError),
    /// No record of this kind with this id that the caller may read
    /// (records above their level are answered the same way).
    #[error("no {0} with this id that you may read")]
    NotFound(&'static str),
    /// A stored evidence file is missing or no longer matches its hash.
    #[error(
        "evidence {0} is missing or no longer matches its hash; run `refwatch evidence verify` and restore it from a backup"
    )]
    Damaged(refwatch_domain::EvidenceId),
    /// The evidence store failed.
    #[error(transparent)]
    EvidenceStore(#[from] refwatch_evidence::EvidenceStoreError),
    /// A file is larger than the configured limit; nothing was stored.
    #[error(
        "the file is {size} bytes, more than the limit of {limit} bytes; nothing was stored (raise the limit with --max-mib if it must be kept)"
    )]
    TooLarge {
        /// The file's size.
        size: u64,
        /// The limit.
        limit: u64,
    },
}

/// What an import added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportSummary {
    /// Records added (of every kind).
    pub records: usize,
    /// Identities sealed.
    pub identities: usize,
}

/// The result of verifying the audit log.
#[derive(Debug, Clone)]
pub struct AuditReport {
    /// Entries present.
    pub entries: usize,
    /// The last seal, to write down elsewhere and compare later.
    pub head: String,
    /// What is wrong; empty when the log is intact.
    pub findings: Vec<Finding>,
}

/// The protected core over a store. Its `Debug` shows who acts, never keys.
pub struct Service<S: Store> {
    store: S,
    /// Shared so that a server can act for many callers with one unlock.
    keys: Option<Arc<UnlockedKeys>>,
    clock: Arc<dyn Clock>,
    actor: Caller,
    /// Read copies of the records, shared by every caller of this core.
    snapshots: Arc<snapshot::Snapshots>,
    /// Where evidence files are kept and how their text is read.
    evidence: Option<Arc<EvidenceSetup>>,
}

impl<S: Store> std::fmt::Debug for Service<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Service({:?}, keys {})",
            self.actor,
            if self.keys.is_some() {
                "unlocked"
            } else {
                "locked"
            }
        )
    }
}

/// The keys for changing them: only while nobody else shares them.
fn keys_mut(keys: &mut Option<Arc<UnlockedKeys>>) -> Result<&mut UnlockedKeys, ServiceError> {
    let shared = keys.as_mut().ok_or(ServiceError::NeedsKey)?;
    Arc::get_mut(shared).ok_or(ServiceError::User(
        "the keys are in use elsewhere (is a server running?); stop it and try again".into(),
    ))
}

fn require(decision: Decision, what: &'static str) -> Result<(), ServiceError> {
    if decision.allowed() {
        Ok(())
    } else {
        Err(ServiceError::Denied(what))
    }
}

impl<S: Store> Service<S> {
    /// Creates the keyring of a new data directory under `source`. Fails if
    /// one exists. Returns a service acting as the operator.
    pub async fn create_keys(
        store: S,
        source: &KekSource,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, ServiceError> {
        if store.keyring().await?.is_some() {
            return Self::open(store, Some(source), clock, Caller::operator()).await;
        }
        let (ring, keys) = Keyring::create(source)?;
        let service = Self {
            store,
            keys: Some(Arc::new(keys)),
            clock,
            actor: Caller::operator(),
            snapshots: Arc::default(),
            evidence: None,
        };
        let event = service.event(
            "keys_create",
            None,
            None,
            if ring.passphrase_kdf.is_some() {
                "passphrase"
            } else {
                "key file"
            },
        );
        service
            .store
            .save_keyring(&ring, &service.batch(vec![event])?)
            .await?;
        Ok(service)
    }

    /// Opens the core for `actor`; with a key source, the keys are unlocked
    /// first, and a wrong key fails here, before anything is read or written.
    pub async fn open(
        store: S,
        source: Option<&KekSource>,
        clock: Arc<dyn Clock>,
        actor: Caller,
    ) -> Result<Self, ServiceError> {
        let keys = match source {
            None => None,
            Some(source) => {
                let ring = store.keyring().await?.ok_or(ServiceError::NoKeyring)?;
                Some(Arc::new(ring.unlock(source)?))
            }
        };
        let service = Self {
            store,
            keys,
            clock,
            actor,
            snapshots: Arc::default(),
            evidence: None,
        };
        if service.keys.is_some() {
            // Older databases held these words in the clear.
            service.seal_cited_words_in_clear().await?;
            service.keep_audit_anchor().await?;
        }
        Ok(service)
    }

    /// Who is acting.
    pub fn actor(&self) -> &Caller {
        &self.actor
    }

    /// Closes the store.
    pub fn into_store(self) -> S {
        self.store
    }

    /// The same core acting for another caller, sharing the unlocked keys.
    pub fn for_caller(&self, caller: Caller) -> Self
    where
        S: Clone,
    {
        Self {
            store: self.store.clone(),
            keys: self.keys.clone(),
            clock: self.clock.clone(),
            actor: caller,
            snapshots: self.snapshots.clone(),
            evidence: self.evidence.clone(),
        }
    }

    fn keys(&self) -> Result<&UnlockedKeys, ServiceError> {
        self.keys.as_deref().ok_or(ServiceError::NeedsKey)
    }

    fn event(
        &self,
        action: &str,
        kind: Option<&str>,
        id: Option<String>,
        detail: &str,
    ) -> AuditEvent {
        AuditEvent {
            at: self.clock.now(),
            actor: self.actor.label.clone(),
            action: action.to_owned(),
            target_kind: kind.map(str::to_owned),
            target_id: id,
            detail: detail.to_owned(),
        }
    }

    fn batch(&self, events: Vec<AuditEvent>) -> Result<AuditBatch<'_>, ServiceError> {
        let keys = self.keys()?;
        Ok(AuditBatch {
            sealer: keys,
            events,
        })
    }
}

/// Every record of a dataset as (kind, id, level), for policy and audit.
fn records(data: &Dataset) -> Vec<(&'static str, String, Confidentiality)> {
    let public = Confidentiality::Public;
    let mut out = Vec::new();
    out.extend(
        data.sources
            .iter()
            .map(|r| ("source", r.id.to_string(), r.confidentiality)),
    );
    out.extend(
        data.places
            .iter()
            .map(|r| ("place", r.id.to_string(), public)),
    );
    out.extend(
        data.actors
            .iter()
            .map(|r| ("actor", r.id.to_string(), public)),
    );
    out.extend(
        data.incidents
            .iter()
            .map(|r| ("incident", r.id.to_string(), r.confidentiality)),
    );
    out.extend(
        data.persons
            .iter()
            .map(|r| ("person", r.id.to_string(), r.confidentiality)),
    );
    out.extend(
        data.upr_reviews
            .iter()
            .map(|r| ("upr_review", r.id.to_string(), public)),
    );
    out.extend(
        data.mechanisms
            .iter()
            .map(|r| ("mechanism", r.id.to_string(), public)),
    );
    out.extend(
        data.figures
            .iter()
            .map(|r| ("figure", r.id.to_string(), public)),
    );
    out
}

impl<S: Store> Service<S> {
    /// Adds records: each must be the actor's to create at its level, and
    /// valid against what is stored. Identities are sealed; the records,
    /// the sealed identities and one audit entry per record are written in
    /// one transaction. On any problem nothing is written.
    pub async fn import(&self, incoming: &Dataset) -> Result<ImportSummary, ServiceError> {
        if !incoming.history.is_empty() {
            // Versions say who changed what: only a full export's reader
            // (an administrator restoring one) may bring them in.
            require(
                decide(
                    self.actor.principal,
                    Operation::ExportFull,
                    Confidentiality::Confidential,
                ),
                "import the history of records (administrators restore it from a full export)",
            )?;
        }
        for (_, _, level) in records(incoming) {
            require(
                decide(self.actor.principal, Operation::Create, level),
                "create records at this confidentiality level",
            )?;
        }
        let keys = self.keys()?;
        let existing = self.snapshots.all(&self.store).await?;
        // Only what the incoming records refer to: the check costs what is
        // added, not what is stored.
        let context = refwatch_domain::context_for(&existing, incoming);
        let problems = validate_addition(&context, incoming, &Vocabularies::builtin());
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        // The words of a citation on a person may name them: they are
        // sealed with the identity, and the rows keep only the sources (a
        // copy is made only when some person has citations).
        let stored = if incoming.persons.iter().any(|p| !p.citations.is_empty()) {
            let mut copy = incoming.clone();
            copy.persons
                .iter_mut()
                .for_each(|p| Arc::make_mut(p).seal_cited_words());
            std::borrow::Cow::Owned(copy)
        } else {
            std::borrow::Cow::Borrowed(incoming)
        };
        let mut identities = Vec::new();
        for p in &stored.persons {
            if let Some(identity) = &p.identity {
                identities.push((p.id, keys.seal_identity(p.id, identity)?));
            }
        }
        let mut events = vec![self.event(
            "import",
            None,
            None,
            &format!(
                "{} records, {} sealed identities",
                incoming.record_count(),
                identities.len()
            ),
        )];
        events.extend(
            records(incoming)
                .into_iter()
                .map(|(kind, id, _)| self.event("create", Some(kind), Some(id), "")),
        );
        events.extend(self.imported_links(incoming)?);
        self.store
            .insert_dataset(&stored, &identities, &self.batch(events)?)
            .await?;
        Ok(ImportSummary {
            records: incoming.record_count(),
            identities: identities.len(),
        })
    }

    /// The records the actor may read, without identities: a copy shared
    /// with other callers under the same ceiling, current as of this call,
    /// each list sorted by id (so that it can be searched by id).
    ///
    /// For a reader who may not identify people, the text of every record
    /// is screened for the names of persons who have not consented to public
    /// advocacy, each replaced by [`guard::MASK`] (without the keys it cannot
    /// be, and publishing commands ask for them).
    pub async fn readable(&self) -> Result<Arc<Dataset>, ServiceError> {
        self.readable_under(read_ceiling(self.actor.principal), !self.may_identify())
            .await
    }

    /// The records readable under `ceiling`, screened when `screened`.
    pub(crate) async fn readable_under(
        &self,
        ceiling: Confidentiality,
        screened: bool,
    ) -> Result<Arc<Dataset>, ServiceError> {
        // A copy replaced while its guard was being fetched is read again:
        // the copies kept are made for the current one only.
        for attempt in 0..3 {
            let all = self.snapshots.all(&self.store).await?;
            let guard = if screened {
                self.guard_for(&all).await?
            } else {
                None
            };
            let last = attempt == 2;
            if let Some(view) = self
                .snapshots
                .readable(all, ceiling, guard.as_deref(), last)
                .await
            {
                return Ok(view);
            }
        }
        Err(ServiceError::Store(StoreError::Busy))
    }

    /// Whether the actor may read the identity of some person they may read.
    pub(crate) fn may_identify(&self) -> bool {
        let ceiling = read_ceiling(self.actor.principal);
        Confidentiality::ALL.into_iter().any(|level| {
            level <= ceiling
                && decide(self.actor.principal, Operation::ReadIdentity, level).allowed()
        })
    }

    /// The records the actor may read, without identities, as a copy of
    /// their own.
    pub async fn dataset(&self) -> Result<Dataset, ServiceError> {
        Ok((*self.readable().await?).clone())
    }

    /// The id of a spreadsheet row of a person, keyed (see
    /// `UnlockedKeys::row_name`): the same row gets the same id, and the id
    /// reveals nothing without the key.
    pub fn sheet_row_id(&self, parts: &[&str]) -> Result<String, ServiceError> {
        Ok(format!("key:sheet-p-{}", self.keys()?.row_name(parts)))
    }

    /// Everything, identities opened: administrators only, with the key.
    /// The export and every identity opened are audited.
    pub async fn export_full(&self) -> Result<Dataset, ServiceError> {
        require(
            decide(
                self.actor.principal,
                Operation::ExportFull,
                Confidentiality::Confidential,
            ),
            "export everything",
        )?;
        let keys = self.keys()?;
        let mut data = self.store.load_dataset().await?;
        let sealed: std::collections::HashMap<PersonId, _> =
            self.store.sealed_identities().await?.into_iter().collect();
        for p in &mut data.persons {
            if let Some(s) = sealed.get(&p.id) {
                let p = Arc::make_mut(p);
                p.identity = Some(keys.open_identity(p.id, s)?);
                p.open_cited_words();
            }
        }
        data.history = self.store.all_record_versions().await?;
        let event = self.event(
            "export_full",
            None,
            None,
            &format!(
                "{} records, {} identities",
                data.record_count(),
                sealed.len()
            ),
        );
        self.store.append_audit(&self.batch(vec![event])?).await?;
        data.sort();
        Ok(data)
    }

    /// One person's identity, if the actor may read it; every read is audited.
    pub async fn person_identity(
        &self,
        person: PersonId,
    ) -> Result<Option<PersonIdentity>, ServiceError> {
        let data = self.snapshots.all(&self.store).await?;
        let Some(p) = data.persons.iter().find(|p| p.id == person) else {
            return Ok(None);
        };
        require(
            decide(
                self.actor.principal,
                Operation::ReadIdentity,
                p.confidentiality,
            ),
            "read this person's identity",
        )?;
        let keys = self.keys()?;
        let Some(sealed) = self.store.sealed_identity(person).await? else {
            return Ok(None);
        };
        let identity = keys.open_identity(person, &sealed)?;
        let event = self.event(
            "read_identity",
            Some("person"),
            Some(person.to_string()),
            "",
        );
        self.store.append_audit(&self.batch(vec![event])?).await?;
        Ok(Some(identity))
    }

    /// Databases from before the copy of the audit anchor was kept with the
    /// keyring get one: an entry saying so, whose append writes the copy.
    async fn keep_audit_anchor(&self) -> Result<(), ServiceError> {
        let expect = self.store.audit_expect().await?;
        let (present, _) = self.store.audit_count().await?;
        if expect.keyring && expect.kept.is_none() && present > 0 {
            let event = self.event(
                "audit_anchor_kept",
                None,
                None,
                "copy kept with the keyring",
            );
            self.store.append_audit(&self.batch(vec![event])?).await?;
        }
        Ok(())
    }

    /// Verifies the audit log with the audit key: administrators only. An
    /// empty or shortened log fails whenever the database holds records,
    /// accounts or keys.
    pub async fn verify_audit(&self) -> Result<AuditReport, ServiceError> {
        require(
            decide_admin(self.actor.principal, AdminOperation::ReadAudit),
            "read the audit log",
        )?;
        let keys = self.keys()?;
        let (entries, anchor) = self.store.audit_log().await?;
        let expect = self.store.audit_expect().await?;
        let findings = refwatch_audit::verify(&entries, anchor.as_ref(), &expect, keys);
        Ok(AuditReport {
            entries: entries.len(),
            head: refwatch_audit::head(&entries),
            findings,
        })
    }

    /// The audit log's entries: administrators only. Needs no key.
    pub async fn audit_entries(&self) -> Result<Vec<refwatch_audit::AuditEntry>, ServiceError> {
        require(
            decide_admin(self.actor.principal, AdminOperation::ReadAudit),
            "read the audit log",
        )?;
        Ok(self.store.audit_log().await?.0)
    }

    /// Re-wraps the keys under a new key-encryption key; records are not touched.
    pub async fn rotate_kek(&self, new_source: &KekSource) -> Result<(), ServiceError> {
        require(
            decide_admin(self.actor.principal, AdminOperation::ManageKeys),
            "manage keys",
        )?;
        let keys = self.keys()?;
        let ring = self
            .store
            .keyring()
            .await?
            .ok_or(ServiceError::NoKeyring)?
            .rewrap(keys, new_source)?;
        let kind = if ring.passphrase_kdf.is_some() {
            "passphrase"
        } else {
            "key file"
        };
        let event = self.event(
            "keys_rotate",
            None,
            None,
            &format!("key-encryption key replaced ({kind})"),
        );
        self.store
            .save_keyring(&ring, &self.batch(vec![event])?)
            .await?;
        Ok(())
    }

    /// Re-seals every identity under a new data key, in batches, each batch
    /// one transaction. Resumable: if stopped, running it again finishes the
    /// work with the same new key instead of starting another.
    /// `progress(done, remaining)` is called after each batch.
    pub async fn rotate_data_key(
        &mut self,
        source: &KekSource,
        batch_size: u32,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<usize, ServiceError> {
        require(
            decide_admin(self.actor.principal, AdminOperation::ManageKeys),
            "manage keys",
        )?;
        let mut ring = self.store.keyring().await?.ok_or(ServiceError::NoKeyring)?;
        let keys = keys_mut(&mut self.keys)?;
        let mut target = keys.current_version();
        let stale = self.store.identities_sealed_before(target, 1).await?;
        let resuming = !stale.is_empty()
            && ring
                .keys
                .iter()
                .filter(|w| w.purpose == refwatch_keys::KeyPurpose::Data)
                .count()
                > 1;
        if !resuming {
            ring = ring.add_data_key(keys, source)?;
            target = keys.current_version();
            let event = AuditEvent {
                at: self.clock.now(),
                actor: self.actor.label.clone(),
                action: "keys_add_data_key".into(),
                target_kind: None,
                target_id: None,
                detail: format!("data key version {target}"),
            };
            self.store
                .save_keyring(
                    &ring,
                    &AuditBatch {
                        sealer: &*keys,
                        events: vec![event],
                    },
                )
                .await?;
        }
        let keys = self.keys()?;
        let total = self
            .store
            .sealed_identities()
            .await?
            .iter()
            .filter(|(_, s)| s.key_version < target)
            .count();
        let mut done = 0;
        loop {
            let stale = self
                .store
                .identities_sealed_before(target, batch_size)
                .await?;
            if stale.is_empty() {
                break;
            }
            let mut resealed = Vec::with_capacity(stale.len());
            for (person, sealed) in &stale {
                let identity = keys.open_identity(*person, sealed)?;
                resealed.push((*person, keys.seal_identity(*person, &identity)?));
            }
            done += resealed.len();
            let event = self.event(
                "keys_reseal",
                None,
                None,
                &format!(
                    "{} identities re-sealed with data key {target}",
                    resealed.len()
                ),
            );
            self.store
                .replace_sealed_identities(&resealed, &self.batch(vec![event])?)
                .await?;
            progress(done, total - done);
        }
        // Evidence files, their provenance, the organisation's sealed
        // secrets and TOTP seeds are sealed with data keys too: re-seal
        // them before the old keys go.
        self.reseal_evidence().await?;
        self.reseal_totp().await?;
        let keys = keys_mut(&mut self.keys)?;
        let ring = ring.retire_data_keys_before(keys, target);
        let event = AuditEvent {
            at: self.clock.now(),
            actor: self.actor.label.clone(),
            action: "keys_retire".into(),
            target_kind: None,
            target_id: None,
            detail: format!("data keys before version {target} retired"),
        };
        self.store
            .save_keyring(
                &ring,
                &AuditBatch {
                    sealer: &*keys,
                    events: vec![event],
                },
            )
            .await?;
        Ok(done)
    }
}

/// What `check` found.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// Records checked.
    pub records: usize,
    /// Problems of the database file itself (pages, indexes, foreign keys).
    pub integrity: Vec<String>,
    /// A record that could not be read at all.
    pub unreadable: Option<String>,
    /// Records that break the rules.
    pub invalid: Vec<Problem>,
    /// The audit log's verification, when the key was given.
    pub audit: Option<AuditReport>,
    /// Without the key: what the counts alone show (a wiped or shortened log).
    pub audit_counts: Vec<refwatch_audit::Finding>,
    /// Text that names a person who has not consented: withheld from
    /// readers who may not identify people wherever it is shown, and listed
    /// for editors (not a problem of the database: a quote may name someone).
    pub leaks: Vec<guard::Leak>,
    /// Citations on persons whose sealed words could not be checked
    /// (without the key, or a seal that does not open).
    pub sealed_unchecked: usize,
}

impl CheckReport {
    /// Whether anything is wrong.
    pub fn is_clean(&self) -> bool {
        self.integrity.is_empty()
            && self.unreadable.is_none()
            && self.invalid.is_empty()
            && self.audit.as_ref().is_none_or(|a| a.findings.is_empty())
            && self.audit_counts.is_empty()
    }
}

impl<S: Store> Service<S> {
    /// Checks the database, every record and (with the key) the audit log:
    /// administrators only.
    pub async fn check(&self) -> Result<CheckReport, ServiceError> {
        require(
            decide_admin(self.actor.principal, AdminOperation::ReadAudit),
            "check the database",
        )?;
        let mut report = CheckReport {
            integrity: self.store.integrity_problems().await?,
            ..CheckReport::default()
        };
        match self.store.load_dataset().await {
            Ok(mut data) => {
                report.records = data.record_count();
                report.sealed_unchecked = self.open_cited_for_check(&mut data).await?;
                report.invalid = refwatch_domain::validate(&data, &Vocabularies::builtin());
            }
            Err(e) => report.unreadable = Some(e.to_string()),
        }
        if self.keys.is_some() {
            if report.unreadable.is_none() {
                report.leaks = self.leaks().await?;
            }
            report.audit = Some(self.verify_audit().await?);
        } else {
            let (present, anchor) = self.store.audit_count().await?;
            let expect = self.store.audit_expect().await?;
            report.audit_counts = refwatch_audit::verify_counts(present, anchor.as_ref(), &expect);
        }
        Ok(report)
    }
}

impl<S: Store> Service<S> {
    /// Puts the sealed words back into the persons' citations so that the
    /// rules can check them (the words stay in this copy, never leave
    /// `check`); returns how many citations could not be opened, which are
    /// given stand-in words so that they are not reported as empty.
    async fn open_cited_for_check(&self, data: &mut Dataset) -> Result<usize, ServiceError> {
        let sealed: std::collections::HashMap<PersonId, _> = match self.keys {
            Some(_) => self.store.sealed_identities().await?.into_iter().collect(),
            None => std::collections::HashMap::new(),
        };
        let mut unchecked = 0;
        for p in &mut data.persons {
            let p = Arc::make_mut(p);
            let opened = self
                .keys
                .as_deref()
                .zip(sealed.get(&p.id))
                .and_then(|(keys, s)| keys.open_identity(p.id, s).ok());
            if let Some(mut identity) = opened {
                identity.give_back_cited_words(&mut p.citations);
            }
            for c in &mut p.citations {
                if Person::cited_words_sealed(c) {
                    unchecked += 1;
                    c.locator = "(sealed)".into();
                    c.quote = "(sealed)".into();
                }
            }
        }
        Ok(unchecked)
    }

    /// Seals the words of citations on persons that a database written
    /// before they were sealed holds in the clear: each person's words go
    /// into their sealed identity and the rows keep only the sources, in
    /// one audited transaction. Returns how many persons were sealed.
    pub async fn seal_cited_words_in_clear(&self) -> Result<usize, ServiceError> {
        let clear = self.store.person_citations_in_clear().await?;
        if clear.is_empty() {
            return Ok(0);
        }
        let keys = self.keys()?;
        let mut sealed = Vec::new();
        let mut events = Vec::new();
        for (id, mut citations) in clear {
            let mut identity = match self.store.sealed_identity(id).await? {
                Some(s) => keys.open_identity(id, &s)?,
                None => PersonIdentity::default(),
            };
            identity.keep_cited_words(&mut citations);
            sealed.push((id, keys.seal_identity(id, &identity)?));
            events.push(self.event("seal_cited_words", Some("person"), Some(id.to_string()), ""));
        }
        self.store
            .seal_person_citations(&sealed, &self.batch(events)?)
            .await?;
        Ok(sealed.len())
    }

    /// Replaces an incident with a new version, keeping the old one (see
    /// [`Service::update_record`]).
    pub async fn update_incident(
        &self,
        incident: &refwatch_domain::Incident,
    ) -> Result<(), ServiceError> {
        self.update_record(&Record::Incident(incident.clone()))
            .await
    }

    /// Deletes an incident, as administrators may: it is archived (see
    /// [`Service::archive_record`]), so that even this can be undone.
    pub async fn delete_incident(
        &self,
        id: refwatch_domain::IncidentId,
        reason: &str,
    ) -> Result<(), ServiceError> {
        let level = self
            .stored_record(RecordKind::Incident, &id.to_string())
            .await?
            .level();
        require(
            decide(self.actor.principal, Operation::Delete, level),
            "delete records",
        )?;
        self.archive_record(RecordKind::Incident, &id.to_string(), reason)
            .await
    }
}

#[cfg(test)]
mod accounts_tests;
#[cfg(test)]
mod history_tests;
#[cfg(test)]
mod linking_tests;
#[cfg(test)]
mod protection_tests;
#[cfg(test)]
mod public_tests;
#[cfg(test)]
mod search_tests;
#[cfg(test)]
mod tests;

/// A recent change to a record the caller may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentChange {
    /// When.
    pub at: refwatch_domain::Timestamp,
    /// `create`, `update` or `delete`.
    pub action: String,
    /// The incident.
    pub incident: refwatch_domain::IncidentId,
}

impl<S: Store> Service<S> {
    /// The latest changes to incidents the caller may read, newest first.
    /// Derived from the audit log, but showing only record ids and actions,
    /// never who made them (that is the administrators' audit page).
    pub async fn recent_changes(&self, limit: usize) -> Result<Vec<RecentChange>, ServiceError> {
        /// Entries read per step, and the most read in all: a busy log
        /// of records the caller may not read ends the search, not the page.
        const STEP: usize = 200;
        const MOST: usize = 5_000;
        let readable = self.readable().await?;
        let mut out = Vec::new();
        let (mut before, mut read) = (None, 0);
        while out.len() < limit && read < MOST {
            let entries = self.store.audit_tail("incident", before, STEP).await?;
            let Some(last) = entries.last() else { break };
            before = Some(last.seq);
            read += entries.len();
            out.extend(
                entries
                    .iter()
                    .filter(|e| matches!(e.event.action.as_str(), "create" | "update"))
                    .filter_map(|e| {
                        let incident = e.event.target_id.as_deref()?.parse().ok()?;
                        let known = readable
                            .incidents
                            .binary_search_by_key(&incident, |i| i.id)
                            .is_ok();
                        known.then(|| RecentChange {
                            at: e.event.at,
                            action: e.event.action.clone(),
                            incident,
                        })
                    }),
            );
        }
        out.truncate(limit);
        Ok(out)
    }
}
