//! Storage for refwatch records.
//!
//! [`Store`] is the API everything else uses; no SQL lives outside this
//! crate. [`SqliteStore`] implements it on embedded SQLite (WAL, foreign
//! keys on, versioned migrations); a PostgreSQL implementation can be added
//! behind the same trait. Every multi-record change runs in one transaction.
//! Errors name tables, columns and record ids, never field values, so that
//! no identity can leak through an error message.

#![deny(missing_docs)]

mod sqlite;

use std::future::Future;

use refwatch_accounts::{Account, Session};
use refwatch_audit::{AuditAnchor, AuditEntry, AuditEvent, Expect, Sealer};
use refwatch_domain::{
    AccountId, Citation, ContentHash, CustodyEntry, Dataset, Evidence, EvidenceId, Incident,
    IncidentId, LinkKind, LinkPair, LinkRun, LinkSuggestion, PersonId, SealedIdentity, Timestamp,
    Verdict,
};
use refwatch_keys::Keyring;

pub use refwatch_domain::{RecordKind, RecordVersion, VersionAction};
pub use sqlite::SqliteStore;

/// What went wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened, read or written.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// Another process holds the database's write lock for longer than the
    /// store waits (10 seconds).
    #[error("another refwatch is writing to this database; try again in a moment")]
    Busy,
    /// The disk (or the file system's quota) is full.
    #[error("the disk is full: free some space, then try again (nothing was changed)")]
    DiskFull,
    /// The schema could not be brought up to date.
    #[error("could not update the database schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value cannot be read back; the database was changed outside refwatch or is damaged.
    #[error("damaged value in table {table}, column {column}, row {row}: run `refwatch check`")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// The column.
        column: &'static str,
        /// The row's id (an opaque record id, never a field value).
        row: String,
    },
    /// Records to be inserted already exist.
    #[error("{count} record(s) already exist in the database, for example {example}")]
    AlreadyExists {
        /// How many.
        count: usize,
        /// One of their ids.
        example: String,
    },
    /// The record is not stored.
    #[error("record {0} does not exist")]
    NotFound(String),
    /// The record cannot be deleted while others refer to it.
    #[error("record {0} is still linked from other records; remove those links first")]
    StillLinked(String),
    /// A number too large for the database.
    #[error("a count in record {row} is too large to store")]
    TooLarge {
        /// The record's id.
        row: String,
    },
}

/// SQLite's extended code for a shared-memory file that could not grow.
const SQLITE_IOERR_SHMSIZE: u32 = 10 | (19 << 8);

impl From<sqlx::Error> for StoreError {
    /// Names the causes a person can act on (busy, disk full) in words;
    /// other errors keep SQLite's message, said once.
    fn from(e: sqlx::Error) -> Self {
        let code = e
            .as_database_error()
            .and_then(|d| d.code())
            .and_then(|c| c.parse::<u32>().ok());
        // SQLITE_IOERR_SHMSIZE: the shared-memory file could not grow,
        // which SQLite documents as "probably because of disk full".
        if code == Some(SQLITE_IOERR_SHMSIZE) {
            return StoreError::DiskFull;
        }
        match code.map(|c| c & 0xff) {
            // SQLITE_BUSY, SQLITE_LOCKED
            Some(5 | 6) => StoreError::Busy,
            // SQLITE_FULL
            Some(13) => StoreError::DiskFull,
            _ => StoreError::Database(e),
        }
    }
}

/// Audit events to append in the same transaction as a change, with the
/// sealer that seals them. Every change to records carries one.
pub struct AuditBatch<'a> {
    /// Seals the entries (the audit key).
    pub sealer: &'a dyn Sealer,
    /// What happened.
    pub events: Vec<AuditEvent>,
}

/// A change to edited records, written in one transaction.
#[derive(Debug, Clone, Copy)]
pub struct RecordChange<'a> {
    /// Records taken out (to be replaced by their new version in `insert`,
    /// or archived): refused if one is not stored, and, when it is not put
    /// back, if others still refer to it. A person is never taken out: one
    /// removed and put back has what does not identify them replaced (their
    /// sealed identity and citations stay as they are).
    pub remove: &'a [(RecordKind, String)],
    /// Records put in: refused if one is stored and not removed.
    pub insert: &'a Dataset,
    /// The versions to keep, numbered by the store in this order.
    pub versions: &'a [RecordVersion],
    /// Persons' identities sealed anew (a person put back with a citation
    /// it did not have: its words are sealed here, the row keeps none).
    pub sealed: &'a [(PersonId, SealedIdentity)],
}

/// Which sessions of an account to revoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoke<'a> {
    /// The one with this token hash (signing out).
    One(&'a str),
    /// Every one but this token hash (the holder changed the password).
    AllBut(&'a str),
    /// Every one (reset, role change, disabling).
    All,
}

/// The storage API.
pub trait Store {
    /// Whether the store holds no records at all.
    fn is_empty(&self) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Applies a change to edited records, their kept versions and the
    /// audit entries in one transaction: all or nothing.
    fn change_records(
        &self,
        change: RecordChange<'_>,
        audit: &AuditBatch<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Links (`linked`) or unlinks a piece of evidence and an incident or
    /// person, with the audit entries, in one transaction. Fails with
    /// [`StoreError::NotFound`] when the evidence or the record is not
    /// stored.
    fn set_evidence_link(
        &self,
        evidence: EvidenceId,
        kind: RecordKind,
        record: &str,
        linked: bool,
        audit: &AuditBatch<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The evidence linked to a record, or (with `None`) every link, as
    /// (evidence, kind, record id).
    fn evidence_links(
        &self,
        record: Option<(RecordKind, &str)>,
    ) -> impl Future<Output = Result<Vec<(EvidenceId, RecordKind, String)>, StoreError>> + Send;

    /// The kept versions of a record, oldest first.
    fn record_versions(
        &self,
        kind: RecordKind,
        id: &str,
    ) -> impl Future<Output = Result<Vec<RecordVersion>, StoreError>> + Send;

    /// When each record edited one at a time first came in (see
    /// migration 0013), by kind and id; records stored before that was
    /// kept have none.
    fn recorded_times(
        &self,
    ) -> impl Future<Output = Result<Vec<(RecordKind, String, Timestamp)>, StoreError>> + Send;

    /// Every kept version of every record, by kind, id and number (for a
    /// full export).
    fn all_record_versions(
        &self,
    ) -> impl Future<Output = Result<Vec<RecordVersion>, StoreError>> + Send;

    /// Inserts every record of `data` (and the versions kept in its
    /// `history`, numbered as given), the persons' sealed identities and
    /// the audit entries, in one transaction: all or nothing. Fails with
    /// [`StoreError::AlreadyExists`] if any id is already stored. The
    /// plaintext `identity` of persons is never read: only `identities`,
    /// already sealed, is stored.
    fn insert_dataset(
        &self,
        data: &Dataset,
        identities: &[(PersonId, SealedIdentity)],
        audit: &AuditBatch<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// One person's sealed identity, if recorded.
    fn sealed_identity(
        &self,
        person: PersonId,
    ) -> impl Future<Output = Result<Option<SealedIdentity>, StoreError>> + Send;

    /// Every sealed identity, by person id.
    fn sealed_identities(
        &self,
    ) -> impl Future<Output = Result<Vec<(PersonId, SealedIdentity)>, StoreError>> + Send;

    /// Up to `limit` sealed identities whose key version is below `version`.
    fn identities_sealed_before(
        &self,
        version: u32,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(PersonId, SealedIdentity)>, StoreError>> + Send;

    /// Replaces sealed identities (after re-sealing), with audit entries, in one transaction.
    fn replace_sealed_identities(
        &self,
        items: &[(PersonId, SealedIdentity)],
        audit: &AuditBatch<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The citations on persons whose words (locator, quote or note) are
    /// stored in the clear, as databases written before those words were
    /// sealed with the identity hold them, by person.
    fn person_citations_in_clear(
        &self,
    ) -> impl Future<Output = Result<Vec<(PersonId, Vec<Citation>)>, StoreError>> + Send;

    /// Stores the persons' identities (now holding their citations' words)
    /// and empties those words in the citation rows, with audit entries, in
    /// one transaction.
    fn seal_person_citations(
        &self,
        items: &[(PersonId, SealedIdentity)],
        audit: &AuditBatch<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Appends audit entries on their own (reads, exports, sign-ins).
    fn append_audit(
        &self,
        audit: &AuditBatch<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The audit log in stored order, and its anchor.
    fn audit_log(
        &self,
    ) -> impl Future<Output = Result<(Vec<AuditEntry>, Option<AuditAnchor>), StoreError>> + Send;

    /// How many entries the log holds, and its anchor (without reading the
    /// entries).
    fn audit_count(
        &self,
    ) -> impl Future<Output = Result<(u64, Option<AuditAnchor>), StoreError>> + Send;

    /// What the rest of the database says the log must hold: the copy of
    /// the anchor kept with the keyring, whether a keyring exists, whether
    /// any record or account does.
    fn audit_expect(&self) -> impl Future<Output = Result<Expect, StoreError>> + Send;

    /// Up to `limit` audit entries about records of `target_kind`, newest
    /// first, from before position `before` (from the end when `None`).
    /// For views of recent activity; verification reads the whole log.
    fn audit_tail(
        &self,
        target_kind: &str,
        before: Option<u64>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<AuditEntry>, StoreError>> + Send;

    /// The keyring, if keys were set up.
    fn keyring(&self) -> impl Future<Output = Result<Option<Keyring>, StoreError>> + Send;

    /// Adds an account. Fails with [`StoreError::AlreadyExists`] if the username is taken.
    fn insert_account(
        &self,
        account: &Account,
        audit: &AuditBatch<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Every account, by username.
    fn accounts(&self) -> impl Future<Output = Result<Vec<Account>, StoreError>> + Send;

    /// Saves an account's changed fields (role, password, lockout, second factor...).
    fn update_account(
        &self,
        account: &Account,
        audit: &AuditBatch<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Replaces an account's recovery codes (stored hashed).
    fn set_recovery_codes(
        &self,
        account: AccountId,
        code_hashes: &[String],
        audit: &AuditBatch<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Marks an unused recovery code used; whether there was one.
    fn use_recovery_code(
        &self,
        account: AccountId,
        code_hash: &str,
        now: Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Starts a session.
    fn insert_session(
        &self,
        session: &Session,
        audit: &AuditBatch<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A session by its token's hash.
    fn session(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<Session>, StoreError>> + Send;

    /// Revokes sessions of the account: one, all but one, or all.
    fn revoke_sessions(
        &self,
        account: AccountId,
        which: Revoke<'_>,
        now: Timestamp,
        audit: &AuditBatch<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Records that the TOTP code of time step `step` was used, unless that
    /// step or a later one already was; whether it was recorded. One
    /// statement, so that concurrent sign-ins cannot both use one code.
    fn claim_totp_step(
        &self,
        account: AccountId,
        step: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Replaces the keyring, with audit entries, in one transaction.
    fn save_keyring(
        &self,
        ring: &Keyring,
        audit: &AuditBatch<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The records' version: raised by every change to records (not by
    /// audit entries, accounts or keys), so that a copy of the records read
    /// at version v is current while this still answers v.
    fn data_version(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// What changed since `version`: the data version now and the incidents
    /// changed, when every change since then changed incidents only and is
    /// still journalled; `None` when anything else may have changed, and a
    /// copy read at `version` must be read again whole.
    fn incidents_changed_since(
        &self,
        version: u64,
    ) -> impl Future<Output = Result<Option<(u64, Vec<IncidentId>)>, StoreError>> + Send;

    /// The incidents with these ids, sorted by id; an id without an incident
    /// (deleted) is left out.
    fn incidents_by_id(
        &self,
        ids: &[IncidentId],
    ) -> impl Future<Output = Result<Vec<Incident>, StoreError>> + Send;

    /// Records reviewers' decisions on pairs (`Some`: the verdict now
    /// standing; `None`: the decision taken back), with audit entries, in
    /// one transaction. Raises the data version: statistics change with
    /// the groups. Fails with [`StoreError::NotFound`] if a record is not
    /// stored.
    fn record_links(
        &self,
        changes: &[(LinkPair, Option<Verdict>)],
        audit: &AuditBatch<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Replaces the suggestions of `run.kind` with a new run's, with audit
    /// entries, in one transaction.
    fn save_link_run(
        &self,
        run: &LinkRun,
        suggestions: &[LinkSuggestion],
        audit: &AuditBatch<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The latest run of a kind and its suggestions, most probable first.
    fn link_run(
        &self,
        kind: LinkKind,
    ) -> impl Future<Output = Result<Option<(LinkRun, Vec<LinkSuggestion>)>, StoreError>> + Send;

    /// Adds a piece of evidence with its sealed provenance, its first
    /// custody entry and audit entries, in one transaction. Raises the data
    /// version. Fails with [`StoreError::AlreadyExists`] if its hash is
    /// stored already and [`StoreError::NotFound`] if its source is not.
    fn insert_evidence(
        &self,
        evidence: &Evidence,
        provenance: &SealedIdentity,
        intake: &CustodyEntry,
        audit: &AuditBatch<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Every piece of evidence, by id.
    fn evidence_list(&self) -> impl Future<Output = Result<Vec<Evidence>, StoreError>> + Send;

    /// One piece of evidence.
    fn evidence(
        &self,
        id: EvidenceId,
    ) -> impl Future<Output = Result<Option<Evidence>, StoreError>> + Send;

    /// The evidence holding exactly these bytes, if any.
    fn evidence_by_hash(
        &self,
        hash: ContentHash,
    ) -> impl Future<Output = Result<Option<Evidence>, StoreError>> + Send;

    /// A piece of evidence's sealed provenance (who handed it over, its
    /// original name).
    fn evidence_provenance(
        &self,
        id: EvidenceId,
    ) -> impl Future<Output = Result<Option<SealedIdentity>, StoreError>> + Send;

    /// Appends custody entries (their order kept) with audit entries, in
    /// one transaction.
    fn append_custody(
        &self,
        entries: &[CustodyEntry],
        audit: &AuditBatch<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A file's chain of custody, oldest first.
    fn custody(
        &self,
        id: EvidenceId,
    ) -> impl Future<Output = Result<Vec<CustodyEntry>, StoreError>> + Send;

    /// A sealed secret of the organisation, by name.
    fn sealed_secret(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<SealedIdentity>, StoreError>> + Send;

    /// Stores a sealed secret under a name that holds none yet, with audit
    /// entries, in one transaction; fails with
    /// [`StoreError::AlreadyExists`] if the name is taken.
    fn insert_sealed_secret(
        &self,
        name: &str,
        sealed: &SealedIdentity,
        audit: &AuditBatch<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Replaces sealed provenances of evidence and sealed secrets (after
    /// re-sealing them with a new data key), with audit entries, in one
    /// transaction.
    fn replace_sealed(
        &self,
        provenances: &[(EvidenceId, SealedIdentity)],
        secrets: &[(String, SealedIdentity)],
        audit: &AuditBatch<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The names of every sealed secret.
    fn sealed_secret_names(&self) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;

    /// Reads every record, each list sorted by id.
    fn load_dataset(&self) -> impl Future<Output = Result<Dataset, StoreError>> + Send;

    /// Checks the database's own integrity (pages, indexes, foreign keys) and
    /// returns a sentence per problem; empty when all is well.
    fn integrity_problems(&self) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;
}

#[cfg(test)]
mod tests;
