//! The embedded SQLite implementation of [`Store`].

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use refwatch_domain::*;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool, Transaction};

use refwatch_accounts::{Account, Lockout, Session};
use refwatch_audit::{AuditAnchor, AuditEntry, AuditEvent, Expect};
use refwatch_keys::{KdfParams, KeyPurpose, Keyring, WrappedKey};
use refwatch_policy::Role;

use crate::{AuditBatch, RecordChange, RecordKind, RecordVersion, Revoke, Store, StoreError};

mod evidence;
mod history;

/// A refwatch database in one SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens the database at `path`, creating it if it does not exist, and
    /// brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .foreign_keys(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            // Overwrite deleted content, so that re-sealed or removed data
            // does not linger in free pages of the file.
            .pragma("secure_delete", "ON")
            // 32 MiB of page cache a connection (SQLite's default is 2):
            // a large import otherwise spills pages mid-transaction.
            .pragma("cache_size", "-32768");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .after_release(|conn, _| {
                Box::pin(async move {
                    use sqlx::Connection as _;
                    if !conn.is_in_transaction() {
                        return Ok(true);
                    }
                    // A dropped transaction's ROLLBACK is queued before
                    // this statement. A connection still inside a
                    // transaction once it has run (its ROLLBACK failed, as
                    // when the disk filled at COMMIT and SQLite had rolled
                    // back already) is closed, not handed to the next
                    // writer, which could never begin again.
                    let _ = sqlx::query("SELECT 1").execute(&mut *conn).await;
                    Ok(!conn.is_in_transaction())
                })
            })
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    /// Closes every connection, checkpointing the write-ahead log.
    pub async fn close(self) {
        self.pool.close().await;
    }
}

type Tx<'a> = Transaction<'a, Sqlite>;

impl SqliteStore {
    /// Starts a write transaction that holds SQLite's write lock from the
    /// start, so that reading the audit log's last entry and appending the
    /// next one cannot interleave with another writer.
    async fn write(&self) -> Result<Tx<'static>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }
}

/// How many versions the change journal keeps.
const JOURNAL_KEPT: i64 = 1000;

/// At most this many incidents are journalled one by one; a change to more
/// is journalled as a change to anything.
const JOURNAL_INCIDENTS: usize = 64;

/// The incidents of `data` when they are all it holds.
fn only_incidents(data: &Dataset) -> Option<Vec<IncidentId>> {
    let others = data.record_count() - data.incidents.len();
    (others == 0 && data.links.is_empty()).then(|| data.incidents.iter().map(|i| i.id).collect())
}

/// Raises the records' version: every transaction that changes records
/// calls this before it commits, naming the incidents it changed when that
/// is all it changed (`None`: anything may have changed).
async fn bump_data_version(
    tx: &mut Tx<'_>,
    incidents: Option<&[IncidentId]>,
) -> Result<(), StoreError> {
    let version: i64 =
        sqlx::query("UPDATE data_version SET version = version + 1 WHERE id = 1 RETURNING version")
            .fetch_one(&mut **tx)
            .await?
            .try_get(0)?;
    match incidents {
        Some(ids) if !ids.is_empty() && ids.len() <= JOURNAL_INCIDENTS => {
            for id in ids {
                sqlx::query("INSERT INTO data_change (version, incident_id) VALUES (?, ?)")
                    .bind(version)
                    .bind(id.to_string())
                    .execute(&mut **tx)
                    .await?;
            }
        }
        _ => {
            sqlx::query("INSERT INTO data_change (version, incident_id) VALUES (?, NULL)")
                .bind(version)
                .execute(&mut **tx)
                .await?;
        }
    }
    sqlx::query("DELETE FROM data_change WHERE version <= ?")
        .bind(version - JOURNAL_KEPT)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The statements on decisions of one kind: (table, upsert, delete, read
/// all). Static texts, one table per kind so that foreign keys hold.
fn link_sql(kind: LinkKind) -> [&'static str; 4] {
    match kind {
        LinkKind::Incident => [
            "incident_link",
            "INSERT INTO incident_link (a, b, verdict) VALUES (?, ?, ?)
             ON CONFLICT (a, b) DO UPDATE SET verdict = excluded.verdict",
            "DELETE FROM incident_link WHERE a = ? AND b = ?",
            "SELECT a, b, verdict FROM incident_link ORDER BY a, b",
        ],
        LinkKind::Person => [
            "person_link",
            "INSERT INTO person_link (a, b, verdict) VALUES (?, ?, ?)
             ON CONFLICT (a, b) DO UPDATE SET verdict = excluded.verdict",
            "DELETE FROM person_link WHERE a = ? AND b = ?",
            "SELECT a, b, verdict FROM person_link ORDER BY a, b",
        ],
    }
}

/// Sets (or with `None` removes) the decision on one pair.
async fn set_link(
    tx: &mut Tx<'_>,
    pair: LinkPair,
    verdict: Option<Verdict>,
) -> Result<(), StoreError> {
    let [_, upsert, delete, _] = link_sql(pair.kind());
    let (a, b) = pair.ids();
    match verdict {
        Some(v) => {
            sqlx::query(upsert)
                .bind(&a)
                .bind(&b)
                .bind(v.code())
                .execute(&mut **tx)
                .await
                .map_err(|e| match e {
                    sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                        StoreError::NotFound(format!("{a} or {b}"))
                    }
                    e => e.into(),
                })?;
        }
        None => {
            sqlx::query(delete)
                .bind(&a)
                .bind(&b)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// Deletes an incident's rows, its reports and every citation of either.
/// Returns whether the incident existed.
async fn delete_incident_rows(tx: &mut Tx<'_>, id: &str) -> Result<bool, StoreError> {
    let reports: Vec<String> = sqlx::query("SELECT id FROM incident_report WHERE incident_id = ?")
        .bind(id)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    for subject in reports.iter().map(String::as_str).chain([id]) {
        sqlx::query("DELETE FROM citation WHERE subject_id = ?")
            .bind(subject)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("DELETE FROM incident_report WHERE incident_id = ?")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for r in &reports {
        sqlx::query("DELETE FROM citable WHERE id = ?")
            .bind(r)
            .execute(&mut **tx)
            .await?;
    }
    let done = sqlx::query("DELETE FROM incident WHERE id = ?")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM citable WHERE id = ?")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

async fn insert_sealed_identity(
    tx: &mut Tx<'_>,
    person: PersonId,
    sealed: &SealedIdentity,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO person_identity (person_id, key_version, nonce, ciphertext) VALUES (?, ?, ?, ?)")
        .bind(person.to_string())
        .bind(sealed.key_version)
        .bind(&sealed.nonce)
        .bind(&sealed.ciphertext)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn read_sealed_identity(row: &SqliteRow) -> Result<(PersonId, SealedIdentity), StoreError> {
    let r = Reader {
        table: "person_identity",
    };
    Ok((
        r.parse(row, "person_id")?,
        SealedIdentity {
            key_version: u32::try_from(r.int(row, "key_version")?)
                .map_err(|_| r.corrupt("key_version", row))?,
            nonce: row.try_get("nonce").map_err(|_| r.corrupt("nonce", row))?,
            ciphertext: row
                .try_get("ciphertext")
                .map_err(|_| r.corrupt("ciphertext", row))?,
        },
    ))
}

fn read_account(row: &SqliteRow) -> Result<Account, StoreError> {
    let r = Reader { table: "account" };
    let flag = |c: &'static str| -> Result<bool, StoreError> {
        row.try_get(c).map_err(|_| r.corrupt(c, row))
    };
    let time = |c: &'static str| -> Result<Option<i64>, StoreError> {
        row.try_get(c).map_err(|_| r.corrupt(c, row))
    };
    let totp = match r.opt_int(row, "totp_key_version")? {
        None => None,
        Some(version) => Some(SealedIdentity {
            key_version: u32::try_from(version).map_err(|_| r.corrupt("totp_key_version", row))?,
            nonce: row
                .try_get("totp_nonce")
                .map_err(|_| r.corrupt("totp_nonce", row))?,
            ciphertext: row
                .try_get("totp_ciphertext")
                .map_err(|_| r.corrupt("totp_ciphertext", row))?,
        }),
    };
    Ok(Account {
        id: r.parse(row, "id")?,
        username: r.str(row, "username")?,
        role: Role::from_code(&r.str(row, "role")?).ok_or_else(|| r.corrupt("role", row))?,
        password_hash: r.str(row, "password_hash")?,
        must_change: flag("must_change")?,
        disabled: flag("disabled")?,
        lockout: Lockout {
            failures: u32::try_from(r.int(row, "failed_sign_ins")?)
                .map_err(|_| r.corrupt("failed_sign_ins", row))?,
            until: time("locked_until")?.map(Timestamp),
        },
        totp,
        totp_last_step: time("totp_last_step")?,
        created_at: Timestamp(time("created_at")?.ok_or_else(|| r.corrupt("created_at", row))?),
    })
}

fn read_audit_entry(row: &SqliteRow) -> Result<AuditEntry, StoreError> {
    let r = Reader { table: "audit_log" };
    let at: i64 = row.try_get("at").map_err(|_| r.corrupt("at", row))?;
    Ok(AuditEntry {
        seq: r.int(row, "seq")?,
        event: AuditEvent {
            at: Timestamp(at),
            actor: r.str(row, "actor")?,
            action: r.str(row, "action")?,
            target_kind: r.opt_str(row, "target_kind")?,
            target_id: r.opt_str(row, "target_id")?,
            detail: r.str(row, "detail")?,
        },
        prev_seal: r.str(row, "prev_seal")?,
        seal: r.str(row, "seal")?,
    })
}

impl SqliteStore {
    async fn audit_anchor(&self) -> Result<Option<AuditAnchor>, StoreError> {
        sqlx::query("SELECT count, head, seal FROM audit_anchor WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?
            .map(|row| -> Result<AuditAnchor, StoreError> {
                let r = Reader {
                    table: "audit_anchor",
                };
                Ok(AuditAnchor {
                    count: r.int(&row, "count")?,
                    head: r.str(&row, "head")?,
                    seal: r.str(&row, "seal")?,
                })
            })
            .transpose()
    }
}

/// Appends sealed entries for `audit` inside `tx`, chained to the last
/// entry, and moves the anchor.
async fn append_audit_in(tx: &mut Tx<'_>, audit: &AuditBatch<'_>) -> Result<(), StoreError> {
    if audit.events.is_empty() {
        return Ok(());
    }
    let mut last = match sqlx::query("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?
    {
        Some(row) => Some(read_audit_entry(&row)?),
        None => None,
    };
    // Sealed one after another (each seal covers the one before), then
    // written in multi-row statements: one round trip per batch, not per
    // entry.
    let mut entries = Vec::with_capacity(audit.events.len());
    for event in &audit.events {
        let entry = refwatch_audit::seal_next(last.as_ref(), event.clone(), audit.sealer);
        entries.push((int(entry.seq, "audit")?, entry.clone()));
        last = Some(entry);
    }
    for chunk in entries.chunks(BATCH_ROWS) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO audit_log (seq, at, actor, action, target_kind, target_id, detail, prev_seal, seal) ",
        );
        q.push_values(chunk, |mut b, (seq, entry)| {
            b.push_bind(*seq)
                .push_bind(entry.event.at.0)
                .push_bind(entry.event.actor.clone())
                .push_bind(entry.event.action.clone())
                .push_bind(entry.event.target_kind.clone())
                .push_bind(entry.event.target_id.clone())
                .push_bind(entry.event.detail.clone())
                .push_bind(entry.prev_seal.clone())
                .push_bind(entry.seal.clone());
        });
        q.build().execute(&mut **tx).await?;
    }
    let anchor = refwatch_audit::seal_anchor(last.as_ref(), audit.sealer);
    sqlx::query("INSERT OR REPLACE INTO audit_anchor (id, count, head, seal) VALUES (1, ?, ?, ?)")
        .bind(int(anchor.count, "audit")?)
        .bind(&anchor.head)
        .bind(&anchor.seal)
        .execute(&mut **tx)
        .await?;
    // The copy kept with the keyring (none yet before keys are made).
    sqlx::query("UPDATE keyring SET audit_count = ?, audit_head = ?, audit_seal = ? WHERE id = 1")
        .bind(int(anchor.count, "audit")?)
        .bind(&anchor.head)
        .bind(&anchor.seal)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn int(n: u64, row: impl ToString) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::TooLarge {
        row: row.to_string(),
    })
}

fn opt_int(n: Option<u64>, row: impl ToString) -> Result<Option<i64>, StoreError> {
    n.map(|n| int(n, row)).transpose()
}

fn text<T: ToString>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(|t| t.to_string())
}

/// Rows written by one multi-row INSERT (SQLite binds at most 32,766
/// values in a statement; the widest row here binds 10).
const BATCH_ROWS: usize = 500;

/// Inserts the sources, places and actors of `data`.
async fn insert_directory(tx: &mut Tx<'_>, data: &Dataset) -> Result<(), StoreError> {
    for s in &data.sources {
        sqlx::query(
                "INSERT INTO source (id, kind, title, publisher, author, date, language, url, symbol, reliability, confidentiality, note)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(s.id.to_string())
            .bind(s.kind.code())
            .bind(&s.title)
            .bind(&s.publisher)
            .bind(&s.author)
            .bind(text(&s.date))
            .bind(&s.language)
            .bind(&s.url)
            .bind(&s.symbol)
            .bind(text(&s.reliability))
            .bind(s.confidentiality.code())
            .bind(&s.note)
            .execute(&mut **tx)
            .await?;
    }
    for p in &data.places {
        sqlx::query(
                "INSERT INTO place (id, kind, name_en, name_ko, name_zh, country, parent_id, lat, lon, coord_precision)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(p.id.to_string())
            .bind(p.kind.code())
            .bind(&p.name_en)
            .bind(&p.name_ko)
            .bind(&p.name_zh)
            .bind(&p.country)
            .bind(text(&p.parent))
            .bind(p.coordinates.map(|c| c.lat))
            .bind(p.coordinates.map(|c| c.lon))
            .bind(p.coordinates.map(|c| c.precision.code()))
            .execute(&mut **tx)
            .await?;
    }
    for a in &data.actors {
        sqlx::query("INSERT INTO actor (id, kind, name_en, name_ko, name_zh, parent_id) VALUES (?, ?, ?, ?, ?, ?)")
                .bind(a.id.to_string())
                .bind(a.kind.code())
                .bind(&a.name_en)
                .bind(&a.name_ko)
                .bind(&a.name_zh)
                .bind(text(&a.parent))
                .execute(&mut **tx)
                .await?;
    }
    Ok(())
}

/// Writes many incidents with multi-row statements, table by table and
/// batch by batch.
async fn insert_incidents(tx: &mut Tx<'_>, list: &[Arc<Incident>]) -> Result<(), StoreError> {
    for chunk in list.chunks(BATCH_ROWS) {
        insert_incident_rows(tx, chunk).await?;
        let places: Vec<(String, i64, String, &str)> = chunk
            .iter()
            .flat_map(|i| {
                i.places.iter().enumerate().map(move |(pos, l)| {
                    (
                        i.id.to_string(),
                        pos as i64,
                        l.place.to_string(),
                        l.role.code(),
                    )
                })
            })
            .collect();
        for part in places.chunks(BATCH_ROWS) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO incident_place (incident_id, position, place_id, role) ",
            );
            q.push_values(part, |mut b, (id, pos, place, role)| {
                b.push_bind(id.clone())
                    .push_bind(*pos)
                    .push_bind(place.clone())
                    .push_bind(*role);
            });
            q.build().execute(&mut **tx).await?;
        }
        for i in chunk {
            // Rarer parts, row by row as before.
            insert_incident_extras(tx, i).await?;
        }
        let citations: Vec<(String, &Citation, i64)> = chunk
            .iter()
            .flat_map(|i| {
                i.citations
                    .iter()
                    .enumerate()
                    .map(move |(pos, c)| (i.id.to_string(), c, pos as i64))
            })
            .collect();
        insert_citation_rows(tx, &citations).await?;
    }
    Ok(())
}

/// The `citable` and `incident` rows of a batch of incidents.
async fn insert_incident_rows(tx: &mut Tx<'_>, chunk: &[Arc<Incident>]) -> Result<(), StoreError> {
    let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO citable (id, kind) ");
    q.push_values(chunk, |mut b, i| {
        b.push_bind(i.id.to_string()).push_bind("incident");
    });
    q.build().execute(&mut **tx).await?;
    type Counts = (i64, Option<i64>, Option<i64>);
    let counts: Vec<Counts> = chunk
        .iter()
        .map(|i| {
            Ok((
                int(i.victims.low, i.id)?,
                opt_int(i.victims.best, i.id)?,
                opt_int(i.victims.high, i.id)?,
            ))
        })
        .collect::<Result<_, StoreError>>()?;
    let mut q = QueryBuilder::<Sqlite>::new(
        "INSERT INTO incident (id, kind, title, summary, date, victims_low, victims_best, victims_high, verification, confidentiality) ",
    );
    q.push_values(
        chunk.iter().zip(&counts),
        |mut b, (i, (low, best, high))| {
            b.push_bind(i.id.to_string())
                .push_bind(i.kind.code())
                .push_bind(i.title.clone())
                .push_bind(i.summary.clone())
                .push_bind(i.date.to_string())
                .push_bind(*low)
                .push_bind(*best)
                .push_bind(*high)
                .push_bind(i.verification.code())
                .push_bind(i.confidentiality.code());
        },
    );
    q.build().execute(&mut **tx).await?;
    Ok(())
}

/// Citation rows (subject, citation, position), in multi-row statements.
async fn insert_citation_rows(
    tx: &mut Tx<'_>,
    rows: &[(String, &Citation, i64)],
) -> Result<(), StoreError> {
    for part in rows.chunks(BATCH_ROWS) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO citation (id, subject_id, position, source_id, via_source_id, locator, quote, note) ",
        );
        q.push_values(part, |mut b, (subject, c, pos)| {
            b.push_bind(c.id.to_string())
                .push_bind(subject.clone())
                .push_bind(*pos)
                .push_bind(c.source.to_string())
                .push_bind(text(&c.via))
                .push_bind(c.locator.clone())
                .push_bind(c.quote.clone())
                .push_bind(c.note.clone());
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

async fn insert_citable(
    tx: &mut Tx<'_>,
    id: impl ToString,
    kind: &'static str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO citable (id, kind) VALUES (?, ?)")
        .bind(id.to_string())
        .bind(kind)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn insert_citations(
    tx: &mut Tx<'_>,
    subject: impl ToString,
    list: &[Citation],
) -> Result<(), StoreError> {
    let subject = subject.to_string();
    for (pos, c) in list.iter().enumerate() {
        insert_citation_at(tx, &subject, pos, c).await?;
    }
    Ok(())
}

/// One citation of `subject`, at `pos` in its list.
async fn insert_citation_at(
    tx: &mut Tx<'_>,
    subject: &str,
    pos: usize,
    c: &Citation,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO citation (id, subject_id, position, source_id, via_source_id, locator, quote, note)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(c.id.to_string())
    .bind(subject)
    .bind(pos as i64)
    .bind(c.source.to_string())
    .bind(text(&c.via))
    .bind(&c.locator)
    .bind(&c.quote)
    .bind(&c.note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Stores a person's sealed identity, replacing the one they had.
async fn upsert_identity(
    tx: &mut Tx<'_>,
    person: PersonId,
    sealed: &SealedIdentity,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO person_identity (person_id, key_version, nonce, ciphertext) VALUES (?, ?, ?, ?)
         ON CONFLICT (person_id) DO UPDATE SET key_version = excluded.key_version,
         nonce = excluded.nonce, ciphertext = excluded.ciphertext",
    )
    .bind(person.to_string())
    .bind(sealed.key_version)
    .bind(&sealed.nonce)
    .bind(&sealed.ciphertext)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An incident's actors, breakdown and reports (with their citations).
async fn insert_incident_extras(tx: &mut Tx<'_>, i: &Incident) -> Result<(), StoreError> {
    for (pos, l) in i.actors.iter().enumerate() {
        sqlx::query("INSERT INTO incident_actor (incident_id, position, actor_id, role) VALUES (?, ?, ?, ?)")
            .bind(i.id.to_string())
            .bind(pos as i64)
            .bind(l.actor.to_string())
            .bind(l.role.code())
            .execute(&mut **tx)
            .await?;
    }
    for (pos, b) in i.breakdown.iter().enumerate() {
        sqlx::query(
            "INSERT INTO incident_breakdown (incident_id, position, dimension, term, low, best, high) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(i.id.to_string())
        .bind(pos as i64)
        .bind(b.dimension.code())
        .bind(b.term.code())
        .bind(int(b.count.low, i.id)?)
        .bind(opt_int(b.count.best, i.id)?)
        .bind(opt_int(b.count.high, i.id)?)
        .execute(&mut **tx)
        .await?;
    }
    for (pos, r) in i.reports.iter().enumerate() {
        insert_citable(tx, r.id, "report").await?;
        sqlx::query(
            "INSERT INTO incident_report (id, incident_id, position, date, victims_low, victims_best, victims_high, summary)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(r.id.to_string())
        .bind(i.id.to_string())
        .bind(pos as i64)
        .bind(text(&r.date))
        .bind(opt_int(r.victims.map(|v| v.low), r.id)?)
        .bind(opt_int(r.victims.and_then(|v| v.best), r.id)?)
        .bind(opt_int(r.victims.and_then(|v| v.high), r.id)?)
        .bind(&r.summary)
        .execute(&mut **tx)
        .await?;
        insert_citations(tx, r.id, &r.citations).await?;
    }
    Ok(())
}

async fn insert_person(tx: &mut Tx<'_>, p: &Person) -> Result<(), StoreError> {
    insert_citable(tx, p.id, "person").await?;
    sqlx::query(
        "INSERT INTO person (id, sex, birth_year, age_group, origin_place_id, category, consent_public,
         consent_scope, consent_date, consent_recorded_by, confidentiality)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(p.id.to_string())
    .bind(text(&p.sex))
    .bind(p.birth_year)
    .bind(text(&p.age_group))
    .bind(text(&p.origin_place))
    .bind(text(&p.category))
    .bind(p.consent_public)
    .bind(p.consent.as_ref().map(|c| c.scope.to_string()))
    .bind(p.consent.as_ref().map(|c| c.date.to_string()))
    .bind(p.consent.as_ref().map(|c| c.recorded_by.clone()))
    .bind(p.confidentiality.code())
    .execute(&mut **tx)
    .await?;
    // The citations first: a step of the timeline may name one.
    insert_citations(tx, p.id, &p.citations).await?;
    insert_person_links(tx, p).await
}

/// A person's status timeline and incidents.
async fn insert_person_links(tx: &mut Tx<'_>, p: &Person) -> Result<(), StoreError> {
    for (pos, e) in p.timeline.iter().enumerate() {
        sqlx::query(
            "INSERT INTO person_status (person_id, position, date, status, place_id, incident_id, citation_id)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(p.id.to_string())
        .bind(pos as i64)
        .bind(e.date.to_string())
        .bind(e.status.code())
        .bind(text(&e.place))
        .bind(text(&e.incident))
        .bind(text(&e.citation))
        .execute(&mut **tx)
        .await?;
    }
    for (pos, l) in p.incidents.iter().enumerate() {
        sqlx::query("INSERT INTO person_incident (person_id, position, incident_id, role) VALUES (?, ?, ?, ?)")
            .bind(p.id.to_string())
            .bind(pos as i64)
            .bind(l.incident.to_string())
            .bind(l.role.code())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// A reported figure with its citations.
async fn insert_figure(tx: &mut Tx<'_>, f: &ReportedFigure) -> Result<(), StoreError> {
    insert_citable(tx, f.id, "figure").await?;
    sqlx::query(
            "INSERT INTO figure (id, indicator, period, place_id, value_low, value_best, value_high, unit)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(f.id.to_string())
        .bind(f.indicator.code())
        .bind(f.period.to_string())
        .bind(text(&f.place))
        .bind(int(f.value.low, f.id)?)
        .bind(opt_int(f.value.best, f.id)?)
        .bind(opt_int(f.value.high, f.id)?)
        .bind(&f.unit)
        .execute(&mut **tx)
        .await?;
    insert_citations(tx, f.id, &f.citations).await?;
    Ok(())
}

async fn insert_mechanism(tx: &mut Tx<'_>, m: &Mechanism) -> Result<(), StoreError> {
    insert_citable(tx, m.id, "mechanism").await?;
    let (mut review, mut paragraph, mut state, mut response, mut body) =
        (None, None, None, None, None);
    let (mut reply, mut vote, mut china_vote, mut holders) = (None, None, None, &[][..]);
    match &m.detail {
        MechanismDetail::UprRecommendation {
            review: r,
            paragraph: p,
            state: s,
            response: resp,
        } => {
            review = Some(r.to_string());
            paragraph = p.clone();
            state = Some(s.clone());
            response = resp.clone();
        }
        MechanismDetail::TreatyObservation {
            body: b,
            paragraph: p,
        } => {
            body = Some(b.code().to_owned());
            paragraph = p.clone();
        }
        MechanismDetail::Communication {
            mandate_holders,
            reply_received,
        } => {
            holders = mandate_holders;
            reply = *reply_received;
        }
        MechanismDetail::CoiRecommendation { paragraph: p } => paragraph = Some(p.clone()),
        MechanismDetail::Resolution {
            body: b,
            vote: v,
            china_vote: c,
        } => {
            body = Some(b.clone());
            vote = *v;
            china_vote = c.clone();
        }
    }
    sqlx::query(
        "INSERT INTO mechanism (id, kind, reference, date, text, review_id, paragraph, state, response, body,
                                reply_received, vote_yes, vote_no, vote_abstain, china_vote)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(m.id.to_string())
    .bind(m.detail.kind_code())
    .bind(&m.reference)
    .bind(m.date.to_string())
    .bind(&m.text)
    .bind(review)
    .bind(paragraph)
    .bind(state)
    .bind(response)
    .bind(body)
    .bind(reply)
    .bind(vote.map(|v| v.yes))
    .bind(vote.map(|v| v.no))
    .bind(vote.map(|v| v.abstain))
    .bind(china_vote)
    .execute(&mut **tx)
    .await?;
    for (pos, t) in m.themes.iter().enumerate() {
        sqlx::query("INSERT INTO mechanism_theme (mechanism_id, position, theme) VALUES (?, ?, ?)")
            .bind(m.id.to_string())
            .bind(pos as i64)
            .bind(t.code())
            .execute(&mut **tx)
            .await?;
    }
    for (pos, h) in holders.iter().enumerate() {
        sqlx::query("INSERT INTO mechanism_mandate_holder (mechanism_id, position, holder) VALUES (?, ?, ?)")
            .bind(m.id.to_string())
            .bind(pos as i64)
            .bind(h)
            .execute(&mut **tx)
            .await?;
    }
    for (pos, i) in m.incidents.iter().enumerate() {
        sqlx::query(
            "INSERT INTO mechanism_incident (mechanism_id, position, incident_id) VALUES (?, ?, ?)",
        )
        .bind(m.id.to_string())
        .bind(pos as i64)
        .bind(i.to_string())
        .execute(&mut **tx)
        .await?;
    }
    for (pos, n) in m.implementation.iter().enumerate() {
        insert_citable(tx, n.id, "implementation").await?;
        sqlx::query(
            "INSERT INTO mechanism_implementation (id, mechanism_id, position, date, status, summary)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(n.id.to_string())
        .bind(m.id.to_string())
        .bind(pos as i64)
        .bind(n.date.to_string())
        .bind(n.status.code())
        .bind(&n.summary)
        .execute(&mut **tx)
        .await?;
        insert_citations(tx, n.id, &n.citations).await?;
    }
    insert_citations(tx, m.id, &m.citations).await
}

/// A person's consent as stored: all three columns or none.
fn read_consent(r: &Reader, row: &SqliteRow) -> Result<Option<Consent>, StoreError> {
    let scope = r.opt_str(row, "consent_scope")?;
    let date = r.opt_parse::<DateValue>(row, "consent_date")?;
    let by = r.opt_str(row, "consent_recorded_by")?;
    match (scope, date, by) {
        (Some(scope), Some(date), Some(recorded_by)) => Ok(Some(Consent {
            scope: Term::new(scope),
            date,
            recorded_by,
        })),
        (None, None, None) => Ok(None),
        _ => Err(r.corrupt("consent_scope", row)),
    }
}

/// A mechanism record's implementation notes, with their citations.
fn implementation_notes(
    rows: Vec<SqliteRow>,
    cites: &mut HashMap<String, Vec<SqliteRow>>,
) -> Result<Vec<ImplementationNote>, StoreError> {
    let r = Reader {
        table: "mechanism_implementation",
    };
    rows.iter()
        .map(|row| {
            let id: ImplementationId = r.parse(row, "id")?;
            Ok(ImplementationNote {
                id,
                date: r.parse(row, "date")?,
                status: Term::new(r.str(row, "status")?),
                summary: r.str(row, "summary")?,
                citations: citations_of(cites, &id)?,
            })
        })
        .collect()
}

/// Above this many ids, [`existing_ids`] reads every stored id at once.
const POINT_LOOKUPS: usize = 2_000;

/// Ids of `data` that are already stored, looked up one by one in the
/// tables' indexes (a cost that grows with `data`, not with the database),
/// or for a large import in one pass.
async fn existing_ids(
    conn: &mut sqlx::SqliteConnection,
    data: &Dataset,
) -> Result<Vec<String>, StoreError> {
    let mut wanted: Vec<String> = Vec::new();
    wanted.extend(data.sources.iter().map(|r| r.id.to_string()));
    wanted.extend(data.places.iter().map(|r| r.id.to_string()));
    wanted.extend(data.actors.iter().map(|r| r.id.to_string()));
    wanted.extend(data.incidents.iter().map(|r| r.id.to_string()));
    wanted.extend(
        data.incidents
            .iter()
            .flat_map(|i| i.reports.iter().map(|r| r.id.to_string())),
    );
    wanted.extend(data.persons.iter().map(|r| r.id.to_string()));
    wanted.extend(data.upr_reviews.iter().map(|r| r.id.to_string()));
    wanted.extend(data.mechanisms.iter().map(|r| r.id.to_string()));
    wanted.extend(data.figures.iter().map(|r| r.id.to_string()));
    wanted.extend(data.citations().map(|c| c.id.to_string()));
    if wanted.len() > POINT_LOOKUPS {
        // A large import: one pass over the tables' ids costs less.
        let mut stored: std::collections::HashSet<String> = std::collections::HashSet::new();
        for sql in [
            "SELECT id FROM citable",
            "SELECT id FROM source",
            "SELECT id FROM place",
            "SELECT id FROM actor",
            "SELECT id FROM citation",
        ] {
            for row in sqlx::query(sql).fetch_all(&mut *conn).await? {
                stored.insert(row.try_get(0)?);
            }
        }
        return Ok(wanted
            .into_iter()
            .filter(|id| stored.contains(id))
            .collect());
    }
    let mut stored = Vec::new();
    for id in wanted {
        for sql in [
            "SELECT 1 FROM citable WHERE id = ?",
            "SELECT 1 FROM source WHERE id = ?",
            "SELECT 1 FROM place WHERE id = ?",
            "SELECT 1 FROM actor WHERE id = ?",
            "SELECT 1 FROM citation WHERE id = ?",
        ] {
            if sqlx::query(sql)
                .bind(&id)
                .fetch_optional(&mut *conn)
                .await?
                .is_some()
            {
                stored.push(id);
                break;
            }
        }
    }
    Ok(stored)
}

/// Reads typed values out of rows, turning unreadable ones into
/// [`StoreError::Corrupt`] that names the table, column and row id.
struct Reader {
    table: &'static str,
}

impl Reader {
    fn corrupt(&self, column: &'static str, row: &SqliteRow) -> StoreError {
        let id = row
            .try_get::<String, _>("id")
            .or_else(|_| row.try_get::<String, _>(0))
            .unwrap_or_else(|_| "?".to_owned());
        StoreError::Corrupt {
            table: self.table,
            column,
            row: id,
        }
    }

    fn str(&self, row: &SqliteRow, column: &'static str) -> Result<String, StoreError> {
        row.try_get::<String, _>(column)
            .map_err(|_| self.corrupt(column, row))
    }

    fn opt_str(&self, row: &SqliteRow, column: &'static str) -> Result<Option<String>, StoreError> {
        row.try_get::<Option<String>, _>(column)
            .map_err(|_| self.corrupt(column, row))
    }

    fn parse<T: FromStr>(&self, row: &SqliteRow, column: &'static str) -> Result<T, StoreError> {
        self.str(row, column)?
            .parse()
            .map_err(|_| self.corrupt(column, row))
    }

    fn opt_parse<T: FromStr>(
        &self,
        row: &SqliteRow,
        column: &'static str,
    ) -> Result<Option<T>, StoreError> {
        match self.opt_str(row, column)? {
            None => Ok(None),
            Some(s) => s.parse().map(Some).map_err(|_| self.corrupt(column, row)),
        }
    }

    fn opt_int(&self, row: &SqliteRow, column: &'static str) -> Result<Option<u64>, StoreError> {
        match row
            .try_get::<Option<i64>, _>(column)
            .map_err(|_| self.corrupt(column, row))?
        {
            None => Ok(None),
            Some(n) => u64::try_from(n)
                .map(Some)
                .map_err(|_| self.corrupt(column, row)),
        }
    }

    fn int(&self, row: &SqliteRow, column: &'static str) -> Result<u64, StoreError> {
        self.opt_int(row, column)?
            .ok_or_else(|| self.corrupt(column, row))
    }

    fn count(
        &self,
        row: &SqliteRow,
        low: &'static str,
        best: &'static str,
        high: &'static str,
    ) -> Result<Count, StoreError> {
        Ok(Count {
            low: self.int(row, low)?,
            best: self.opt_int(row, best)?,
            high: self.opt_int(row, high)?,
        })
    }

    fn confidentiality(&self, row: &SqliteRow) -> Result<Confidentiality, StoreError> {
        Confidentiality::from_code(&self.str(row, "confidentiality")?)
            .ok_or_else(|| self.corrupt("confidentiality", row))
    }
}

/// Child rows grouped by their parent's id, in position order.
/// Reads incidents (all, or those whose ids are in the JSON list `only`),
/// taking their citations from `cites`.
async fn read_incidents(
    pool: &SqlitePool,
    only: Option<&str>,
    cites: &mut HashMap<String, Vec<SqliteRow>>,
) -> Result<Vec<Incident>, StoreError> {
    let mut inc_places = children_of(
        pool,
        "SELECT incident_id, place_id, role FROM incident_place",
        "incident_id",
        only,
    )
    .await?;
    let mut inc_actors = children_of(
        pool,
        "SELECT incident_id, actor_id, role FROM incident_actor",
        "incident_id",
        only,
    )
    .await?;
    let mut inc_breakdown = children_of(
        pool,
        "SELECT incident_id, dimension, term, low, best, high FROM incident_breakdown",
        "incident_id",
        only,
    )
    .await?;
    let mut inc_reports = children_of(
        pool,
        "SELECT incident_id, id, date, victims_low, victims_best, victims_high, summary FROM incident_report",
        "incident_id",
        only,
    )
    .await?;
    let r = Reader { table: "incident" };
    let mut incidents = Vec::new();
    let sql = match only {
        None => "SELECT * FROM incident ORDER BY id",
        Some(_) => {
            "SELECT * FROM incident WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id"
        }
    };
    let mut query = sqlx::query(sql);
    if let Some(ids) = only {
        query = query.bind(ids);
    }
    for row in query.fetch_all(pool).await? {
        let id: IncidentId = r.parse(&row, "id")?;
        let rp = Reader {
            table: "incident_place",
        };
        let places = take(&mut inc_places, &id)
            .iter()
            .map(|c| {
                Ok(PlaceLink {
                    place: rp.parse(c, "place_id")?,
                    role: Term::new(rp.str(c, "role")?),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let ra = Reader {
            table: "incident_actor",
        };
        let actors = take(&mut inc_actors, &id)
            .iter()
            .map(|c| {
                Ok(ActorLink {
                    actor: ra.parse(c, "actor_id")?,
                    role: Term::new(ra.str(c, "role")?),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let rb = Reader {
            table: "incident_breakdown",
        };
        let breakdown = take(&mut inc_breakdown, &id)
            .iter()
            .map(|c| {
                Ok(BreakdownPart {
                    dimension: Dimension::from_code(&rb.str(c, "dimension")?)
                        .ok_or_else(|| rb.corrupt("dimension", c))?,
                    term: Term::new(rb.str(c, "term")?),
                    count: rb.count(c, "low", "best", "high")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let rr = Reader {
            table: "incident_report",
        };
        let mut reports = Vec::new();
        for c in take(&mut inc_reports, &id) {
            let rid: ReportId = rr.parse(&c, "id")?;
            let victims = match rr.opt_int(&c, "victims_low")? {
                Some(low) => Some(Count {
                    low,
                    best: rr.opt_int(&c, "victims_best")?,
                    high: rr.opt_int(&c, "victims_high")?,
                }),
                None => None,
            };
            reports.push(IncidentReport {
                id: rid,
                date: rr.opt_parse(&c, "date")?,
                victims,
                summary: rr.str(&c, "summary")?,
                citations: citations_of(cites, &rid)?,
            });
        }
        incidents.push(Incident {
            id,
            kind: Term::new(r.str(&row, "kind")?),
            title: r.str(&row, "title")?,
            summary: r.str(&row, "summary")?,
            date: r.parse(&row, "date")?,
            places,
            actors,
            victims: r.count(&row, "victims_low", "victims_best", "victims_high")?,
            breakdown,
            verification: Term::new(r.str(&row, "verification")?),
            confidentiality: r.confidentiality(&row)?,
            reports,
            citations: citations_of(cites, &id)?,
        });
    }
    Ok(incidents)
}

/// Rows of a child table grouped by their parent (the first column), in
/// their order; only those of the parents in the JSON list `only` if given.
async fn children_of(
    pool: &SqlitePool,
    select: &str,
    parent: &str,
    only: Option<&str>,
) -> Result<HashMap<String, Vec<SqliteRow>>, StoreError> {
    let sql = match only {
        None => format!("{select} ORDER BY {parent}, position"),
        Some(_) => format!(
            "{select} WHERE {parent} IN (SELECT value FROM json_each(?)) ORDER BY {parent}, position"
        ),
    };
    let mut map: HashMap<String, Vec<SqliteRow>> = HashMap::new();
    // Only the static texts above and `select`, a static text of the callers.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(ids) = only {
        query = query.bind(ids);
    }
    for row in query.fetch_all(pool).await? {
        let parent: String = row.try_get(0)?;
        map.entry(parent).or_default().push(row);
    }
    Ok(map)
}

async fn children(
    pool: &SqlitePool,
    sql: &'static str,
) -> Result<HashMap<String, Vec<SqliteRow>>, StoreError> {
    let mut map: HashMap<String, Vec<SqliteRow>> = HashMap::new();
    for row in sqlx::query(sql).fetch_all(pool).await? {
        let parent: String = row.try_get(0)?;
        map.entry(parent).or_default().push(row);
    }
    Ok(map)
}

fn take(map: &mut HashMap<String, Vec<SqliteRow>>, id: &impl ToString) -> Vec<SqliteRow> {
    map.remove(&id.to_string()).unwrap_or_default()
}

fn citations_of(
    map: &mut HashMap<String, Vec<SqliteRow>>,
    id: &impl ToString,
) -> Result<Vec<Citation>, StoreError> {
    let r = Reader { table: "citation" };
    take(map, id)
        .iter()
        .map(|row| {
            Ok(Citation {
                id: r.parse(row, "id")?,
                source: r.parse(row, "source_id")?,
                via: r.opt_parse(row, "via_source_id")?,
                locator: r.str(row, "locator")?,
                quote: r.str(row, "quote")?,
                note: r.opt_str(row, "note")?,
            })
        })
        .collect()
}

impl Store for SqliteStore {
    async fn is_empty(&self) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM citable) + (SELECT COUNT(*) FROM source)
                  + (SELECT COUNT(*) FROM place) + (SELECT COUNT(*) FROM actor)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>(0)? == 0)
    }

    async fn insert_dataset(
        &self,
        data: &Dataset,
        identities: &[(PersonId, SealedIdentity)],
        audit: &AuditBatch<'_>,
    ) -> Result<(), StoreError> {
        // Checked inside the write transaction: two imports of one file at
        // once end in one import and one clean refusal, not a constraint error.
        let mut tx = self.write().await?;
        let clashes = existing_ids(&mut tx, data).await?;
        if let Some(first) = clashes.first() {
            return Err(StoreError::AlreadyExists {
                count: clashes.len(),
                example: first.clone(),
            });
        }
        insert_directory(&mut tx, data).await?;
        insert_incidents(&mut tx, &data.incidents).await?;
        for p in &data.persons {
            insert_person(&mut tx, p).await?;
        }
        for r in &data.upr_reviews {
            insert_citable(&mut tx, r.id, "upr_review").await?;
            sqlx::query("INSERT INTO upr_review (id, cycle, date, symbol) VALUES (?, ?, ?, ?)")
                .bind(r.id.to_string())
                .bind(i64::from(r.cycle))
                .bind(r.date.to_string())
                .bind(&r.symbol)
                .execute(&mut *tx)
                .await?;
            insert_citations(&mut tx, r.id, &r.citations).await?;
        }
        for m in &data.mechanisms {
            insert_mechanism(&mut tx, m).await?;
        }
        for f in &data.figures {
            insert_figure(&mut tx, f).await?;
        }
        for (person, sealed) in identities {
            insert_sealed_identity(&mut tx, *person, sealed).await?;
        }
        for l in &data.links {
            set_link(&mut tx, l.pair, Some(l.verdict)).await?;
        }
        history::insert_kept(&mut tx, &data.history).await?;
        history::mark_recorded(&mut tx, data, audit).await?;
        append_audit_in(&mut tx, audit).await?;
        bump_data_version(&mut tx, only_incidents(data).as_deref()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn change_records(
        &self,
        change: RecordChange<'_>,
        audit: &AuditBatch<'_>,
    ) -> Result<(), StoreError> {
        history::change(self, change, audit).await
    }

    async fn recorded_times(&self) -> Result<Vec<(RecordKind, String, Timestamp)>, StoreError> {
        history::recorded_times(self).await
    }

    async fn record_versions(
        &self,
        kind: RecordKind,
        id: &str,
    ) -> Result<Vec<RecordVersion>, StoreError> {
        history::versions(self, Some((kind, id))).await
    }

    async fn all_record_versions(&self) -> Result<Vec<RecordVersion>, StoreError> {
        history::versions(self, None).await
    }

    async fn set_evidence_link(
        &self,
        evidence: EvidenceId,
        kind: RecordKind,
        record: &str,
        linked: bool,
        audit: &AuditBatch<'_>,
    ) -> Result<(), StoreError> {
        history::set_evidence_link(self, evidence, kind, record, linked, audit).await
    }

    async fn evidence_links(
        &self,
        record: Option<(RecordKind, &str)>,
    ) -> Result<Vec<(EvidenceId, RecordKind, String)>, StoreError> {
        history::evidence_links(self, record).await
    }

    async fn sealed_identity(
        &self,
        person: PersonId,
    ) -> Result<Option<SealedIdentity>, StoreError> {
        let row = sqlx::query("SELECT person_id, key_version, nonce, ciphertext FROM person_identity WHERE person_id = ?")
            .bind(person.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref()
            .map(read_sealed_identity)
            .transpose()
            .map(|found| found.map(|(_, sealed)| sealed))
    }

    async fn sealed_identities(&self) -> Result<Vec<(PersonId, SealedIdentity)>, StoreError> {
        let rows = sqlx::query("SELECT person_id, key_version, nonce, ciphertext FROM person_identity ORDER BY person_id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(read_sealed_identity).collect()
    }

    async fn identities_sealed_before(
        &self,
        version: u32,
        limit: u32,
    ) -> Result<Vec<(PersonId, SealedIdentity)>, StoreError> {
        let rows = sqlx::query(
            "SELECT person_id, key_version, nonce, ciphertext FROM person_identity WHERE key_version < ? ORDER BY person_id LIMIT ?",
        )
        .bind(version)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(read_sealed_identity).collect()
    }

    async fn replace_sealed_identities(
        &self,
        items: &[(PersonId, SealedIdentity)],
        audit: &AuditBatch<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        for (person, sealed) in items {
            sqlx::query("UPDATE person_identity SET key_version = ?, nonce = ?, ciphertext = ? WHERE person_id = ?")
                .bind(sealed.key_version)
                .bind(&sealed.nonce)
                .bind(&sealed.ciphertext)
                .bind(person.to_string())
                .execute(&mut *tx)
                .await?;
        }
        append_audit_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn person_citations_in_clear(
        &self,
    ) -> Result<Vec<(PersonId, Vec<Citation>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.* FROM citation c JOIN person p ON p.id = c.subject_id
             WHERE c.locator <> '' OR c.quote <> '' OR c.note IS NOT NULL
             ORDER BY c.subject_id, c.position",
        )
        .fetch_all(&self.pool)
        .await?;
        let r = Reader { table: "citation" };
        let mut by_subject: HashMap<String, Vec<SqliteRow>> = HashMap::new();
        for row in rows {
            by_subject
                .entry(r.str(&row, "subject_id")?)
                .or_default()
                .push(row);
        }
        let mut out = Vec::new();
        for subject in by_subject.keys().cloned().collect::<Vec<_>>() {
            let person = subject.parse().map_err(|_| StoreError::Corrupt {
                table: "citation",
                column: "subject_id",
                row: subject.clone(),
            })?;
            out.push((person, citations_of(&mut by_subject, &subject)?));
        }
        out.sort_by_key(|(p, _)| *p);
        Ok(out)
    }

    async fn seal_person_citations(
        &self,
        items: &[(PersonId, SealedIdentity)],
        audit: &AuditBatch<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        for (person, sealed) in items {
            upsert_identity(&mut tx, *person, sealed).await?;
            sqlx::query(
                "UPDATE citation SET locator = '', quote = '', note = NULL WHERE subject_id = ?",
            )
            .bind(person.to_string())
            .execute(&mut *tx)
            .await?;
        }
        bump_data_version(&mut tx, None).await?;
        append_audit_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn append_audit(&self, audit: &AuditBatch<'_>) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        append_audit_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn audit_log(&self) -> Result<(Vec<AuditEntry>, Option<AuditAnchor>), StoreError> {
        let rows = sqlx::query("SELECT * FROM audit_log ORDER BY rowid")
            .fetch_all(&self.pool)
            .await?;
        let entries = rows
            .iter()
            .map(read_audit_entry)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((entries, self.audit_anchor().await?))
    }

    async fn audit_count(&self) -> Result<(u64, Option<AuditAnchor>), StoreError> {
        let n: i64 = sqlx::query("SELECT count(*) FROM audit_log")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        Ok((n.max(0) as u64, self.audit_anchor().await?))
    }

    async fn audit_expect(&self) -> Result<Expect, StoreError> {
        let keyring =
            sqlx::query("SELECT audit_count, audit_head, audit_seal FROM keyring WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?;
        let kept = match &keyring {
            Some(row) => {
                let r = Reader { table: "keyring" };
                let count: Option<i64> = row
                    .try_get("audit_count")
                    .map_err(|_| r.corrupt("audit_count", row))?;
                match count {
                    Some(_) => Some(AuditAnchor {
                        count: r.int(row, "audit_count")?,
                        head: r.str(row, "audit_head")?,
                        seal: r.str(row, "audit_seal")?,
                    }),
                    None => None,
                }
            }
            None => None,
        };
        let holds_data: bool =
            sqlx::query("SELECT EXISTS (SELECT 1 FROM citable) OR EXISTS (SELECT 1 FROM account)")
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?;
        Ok(Expect {
            kept,
            keyring: keyring.is_some(),
            holds_data,
        })
    }

    async fn audit_tail(
        &self,
        target_kind: &str,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let before = before.map_or(i64::MAX, |b| i64::try_from(b).unwrap_or(i64::MAX));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        sqlx::query(
            "SELECT * FROM audit_log WHERE target_kind = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
        )
        .bind(target_kind)
        .bind(before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_audit_entry)
        .collect()
    }

    async fn keyring(&self) -> Result<Option<Keyring>, StoreError> {
        let Some(row) = sqlx::query("SELECT * FROM keyring WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let r = Reader { table: "keyring" };
        let passphrase_kdf = match r.str(&row, "kek_kind")?.as_str() {
            "key_file" => None,
            "passphrase" => {
                let salt: Vec<u8> = row
                    .try_get("kdf_salt")
                    .map_err(|_| r.corrupt("kdf_salt", &row))?;
                let param = |c: &'static str| -> Result<u32, StoreError> {
                    u32::try_from(r.int(&row, c)?).map_err(|_| r.corrupt(c, &row))
                };
                Some((
                    salt,
                    KdfParams {
                        memory_kib: param("kdf_memory_kib")?,
                        iterations: param("kdf_iterations")?,
                        parallelism: param("kdf_parallelism")?,
                    },
                ))
            }
            _ => return Err(r.corrupt("kek_kind", &row)),
        };
        let rw = Reader {
            table: "wrapped_key",
        };
        let mut keys = Vec::new();
        for row in sqlx::query(
            "SELECT purpose, version, nonce, ciphertext FROM wrapped_key ORDER BY purpose, version",
        )
        .fetch_all(&self.pool)
        .await?
        {
            keys.push(WrappedKey {
                purpose: KeyPurpose::from_code(&rw.str(&row, "purpose")?)
                    .ok_or_else(|| rw.corrupt("purpose", &row))?,
                version: u32::try_from(rw.int(&row, "version")?)
                    .map_err(|_| rw.corrupt("version", &row))?,
                nonce: row
                    .try_get("nonce")
                    .map_err(|_| rw.corrupt("nonce", &row))?,
                ciphertext: row
                    .try_get("ciphertext")
                    .map_err(|_| rw.corrupt("ciphertext", &row))?,
            });
        }
        keys.sort_by_key(|w| (w.purpose, w.version));
        Ok(Some(Keyring {
            passphrase_kdf,
            keys,
        }))
    }

    async fn insert_account(
        &self,
        account: &Account,
        audit: &AuditBatch<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let taken = sqlx::query("SELECT id FROM account WHERE username = ?")
            .bind(&account.username)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = taken {
            return Err(StoreError::AlreadyExists {
                count: 1,
                example: row.try_get(0)?,
            });
        }
        sqlx::query(
            "INSERT INTO account (id, username, role, password_hash, must_change, disabled, failed_sign_ins, locked_until,
                                  totp_key_version, totp_nonce, totp_ciphertext, totp_last_step, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(account.id.to_string())
        .bind(&account.username)
        .bind(account.role.code())
        .bind(&account.password_hash)
        .bind(account.must_change)
        .bind(account.disabled)
        .bind(account.lockout.failures)
        .bind(account.lockout.until.map(|t| t.0))
        .bind(account.totp.as_ref().map(|t| t.key_version))
        .bind(account.totp.as_ref().map(|t| t.nonce.clone()))
        .bind(account.totp.as_ref().map(|t| t.ciphertext.clone()))
        .bind(account.totp_last_step)
        .bind(account.created_at.0)
        .execute(&mut *tx)
        .await?;
        append_audit_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let rows = sqlx::query("SELECT * FROM account ORDER BY username")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(read_account).collect()
    }

    async fn update_account(
        &self,
        account: &Account,
        audit: &AuditBatch<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE account SET role = ?, password_hash = ?, must_change = ?, disabled = ?, failed_sign_ins = ?, locked_until = ?,
                                totp_key_version = ?, totp_nonce = ?, totp_ciphertext = ?,
                                totp_last_step = NULLIF(MAX(COALESCE(totp_last_step, -1), COALESCE(?, -1)), -1)
             WHERE id = ?",
        )
        .bind(account.role.code())
        .bind(&account.password_hash)
        .bind(account.must_change)
        .bind(account.disabled)
        .bind(account.lockout.failures)
        .bind(account.lockout.until.map(|t| t.0))
        .bind(account.totp.as_ref().map(|t| t.key_version))
        .bind(account.totp.as_ref().map(|t| t.nonce.clone()))
        .bind(account.totp.as_ref().map(|t| t.ciphertext.clone()))
        .bind(account.totp_last_step)
        .bind(account.id.to_string())
        .execute(&mut *tx)
        .await?;
        append_audit_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_recovery_codes(
        &self,
        account: AccountId,
        code_hashes: &[String],
        audit: &AuditBatch<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM recovery_code WHERE account_id = ?")
            .bind(account.to_string())
            .execute(&mut *tx)
            .await?;
        for hash in code_hashes {
            sqlx::query("INSERT INTO recovery_code (account_id, code_hash) VALUES (?, ?)")
                .bind(account.to_string())
                .bind(hash)
                .execute(&mut *tx)
                .await?;
        }
        append_audit_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn use_recovery_code(
        &self,
        account: AccountId,
        code_hash: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE recovery_code SET used_at = ? WHERE account_id = ? AND code_hash = ? AND used_at IS NULL")
            .bind(now.0)
            .bind(account.to_string())
            .bind(code_hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_session(
        &self,
        session: &Session,
        audit: &AuditBatch<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO session (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(&session.token_hash)
            .bind(session.account.to_string())
            .bind(session.created_at.0)
            .bind(session.expires_at.0)
            .execute(&mut *tx)
            .await?;
        append_audit_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        let Some(row) = sqlx::query("SELECT * FROM session WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let r = Reader { table: "session" };
        let time = |c: &'static str| -> Result<Option<i64>, StoreError> {
            row.try_get(c).map_err(|_| r.corrupt(c, &row))
        };
        Ok(Some(Session {
            token_hash: r.str(&row, "token_hash")?,
            account: r.parse(&row, "account_id")?,
            created_at: Timestamp(
                time("created_at")?.ok_or_else(|| r.corrupt("created_at", &row))?,
            ),
            expires_at: Timestamp(
                time("expires_at")?.ok_or_else(|| r.corrupt("expires_at", &row))?,
            ),
            revoked_at: time("revoked_at")?.map(Timestamp),
        }))
    }

    async fn revoke_sessions(
        &self,
        account: AccountId,
        which: Revoke<'_>,
        now: Timestamp,
        audit: &AuditBatch<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let query = match which {
            Revoke::One(hash) => sqlx::query("UPDATE session SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL AND token_hash = ?").bind(now.0).bind(account.to_string()).bind(hash),
            Revoke::AllBut(hash) => sqlx::query("UPDATE session SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL AND token_hash <> ?").bind(now.0).bind(account.to_string()).bind(hash),
            Revoke::All => sqlx::query("UPDATE session SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL").bind(now.0).bind(account.to_string()),
        };
        query.execute(&mut *tx).await?;
        append_audit_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn claim_totp_step(&self, account: AccountId, step: i64) -> Result<bool, StoreError> {
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE account SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
        )
        .bind(step)
        .bind(account.to_string())
        .bind(step)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn save_keyring(&self, ring: &Keyring, audit: &AuditBatch<'_>) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM wrapped_key")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM keyring").execute(&mut *tx).await?;
        let (kind, salt, params) = match &ring.passphrase_kdf {
            None => ("key_file", None, None),
            Some((salt, params)) => ("passphrase", Some(salt.clone()), Some(*params)),
        };
        sqlx::query(
            "INSERT INTO keyring (id, kek_kind, kdf_salt, kdf_memory_kib, kdf_iterations, kdf_parallelism) VALUES (1, ?, ?, ?, ?, ?)",
        )
        .bind(kind)
        .bind(salt)
        .bind(params.map(|p| p.memory_kib))
        .bind(params.map(|p| p.iterations))
        .bind(params.map(|p| p.parallelism))
        .execute(&mut *tx)
        .await?;
        for w in &ring.keys {
            sqlx::query(
                "INSERT INTO wrapped_key (purpose, version, nonce, ciphertext) VALUES (?, ?, ?, ?)",
            )
            .bind(w.purpose.code())
            .bind(w.version)
            .bind(&w.nonce)
            .bind(&w.ciphertext)
            .execute(&mut *tx)
            .await?;
        }
        append_audit_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn data_version(&self) -> Result<u64, StoreError> {
        let version: i64 = sqlx::query("SELECT version FROM data_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        u64::try_from(version).map_err(|_| StoreError::Corrupt {
            table: "data_version",
            column: "version",
            row: "1".into(),
        })
    }

    async fn incidents_changed_since(
        &self,
        version: u64,
    ) -> Result<Option<(u64, Vec<IncidentId>)>, StoreError> {
        // One read transaction: the version and its journal agree.
        let mut tx = self.pool.begin().await?;
        let now: i64 = sqlx::query("SELECT version FROM data_version WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        let since = i64::try_from(version).unwrap_or(i64::MAX);
        if now == since {
            return Ok(Some((version, Vec::new())));
        }
        if now < since || now - since > JOURNAL_KEPT {
            return Ok(None);
        }
        let rows = sqlx::query(
            "SELECT version, incident_id FROM data_change WHERE version > ? AND version <= ? ORDER BY version",
        )
        .bind(since)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let r = Reader {
            table: "data_change",
        };
        let mut versions = std::collections::BTreeSet::new();
        let mut ids = Vec::new();
        for row in &rows {
            versions.insert(r.int(row, "version")?);
            match r.opt_str(row, "incident_id")? {
                None => return Ok(None),
                Some(id) => {
                    ids.push(IncidentId::from_str(&id).map_err(|_| r.corrupt("incident_id", row))?)
                }
            }
        }
        // A version missing from the journal (older databases, or pruned)
        // may have changed anything.
        if i64::try_from(versions.len()).ok() != Some(now - since) {
            return Ok(None);
        }
        ids.sort();
        ids.dedup();
        let now = u64::try_from(now).map_err(|_| StoreError::Corrupt {
            table: "data_version",
            column: "version",
            row: "1".into(),
        })?;
        Ok(Some((now, ids)))
    }

    async fn incidents_by_id(&self, ids: &[IncidentId]) -> Result<Vec<Incident>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // A JSON list of the ids (UUIDs: nothing in them needs escaping).
        let only = format!(
            "[{}]",
            ids.iter()
                .map(|id| format!("\"{id}\""))
                .collect::<Vec<_>>()
                .join(",")
        );
        let mut cites: HashMap<String, Vec<SqliteRow>> = HashMap::new();
        for row in sqlx::query(
            "SELECT subject_id, id, source_id, via_source_id, locator, quote, note FROM citation
             WHERE subject_id IN (SELECT value FROM json_each(?1))
                OR subject_id IN (SELECT id FROM incident_report
                                  WHERE incident_id IN (SELECT value FROM json_each(?1)))
             ORDER BY subject_id, position",
        )
        .bind(&only)
        .fetch_all(&self.pool)
        .await?
        {
            let parent: String = row.try_get(0)?;
            cites.entry(parent).or_default().push(row);
        }
        read_incidents(&self.pool, Some(&only), &mut cites).await
    }

    async fn load_dataset(&self) -> Result<Dataset, StoreError> {
        let pool = &self.pool;
        let mut cites = children(
            pool,
            "SELECT subject_id, id, source_id, via_source_id, locator, quote, note FROM citation ORDER BY subject_id, position",
        )
        .await?;

        let r = Reader { table: "source" };
        let mut sources = Vec::new();
        for row in sqlx::query("SELECT * FROM source ORDER BY id")
            .fetch_all(pool)
            .await?
        {
            sources.push(Source {
                id: r.parse(&row, "id")?,
                kind: Term::new(r.str(&row, "kind")?),
                title: r.str(&row, "title")?,
                publisher: r.opt_str(&row, "publisher")?,
                author: r.opt_str(&row, "author")?,
                date: r.opt_parse(&row, "date")?,
                language: r.opt_str(&row, "language")?,
                url: r.opt_str(&row, "url")?,
                symbol: r.opt_str(&row, "symbol")?,
                reliability: r.opt_str(&row, "reliability")?.map(Term::new),
                confidentiality: r.confidentiality(&row)?,
                note: r.opt_str(&row, "note")?,
            });
        }

        let r = Reader { table: "place" };
        let mut places = Vec::new();
        for row in sqlx::query("SELECT * FROM place ORDER BY id")
            .fetch_all(pool)
            .await?
        {
            let lat: Option<f64> = row.try_get("lat").map_err(|_| r.corrupt("lat", &row))?;
            let lon: Option<f64> = row.try_get("lon").map_err(|_| r.corrupt("lon", &row))?;
            let precision = r.opt_str(&row, "coord_precision")?;
            let coordinates = match (lat, lon, precision) {
                (Some(lat), Some(lon), Some(p)) => Some(Coordinates {
                    lat,
                    lon,
                    precision: CoordPrecision::from_code(&p)
                        .ok_or_else(|| r.corrupt("coord_precision", &row))?,
                }),
                (None, None, None) => None,
                _ => return Err(r.corrupt("lat", &row)),
            };
            places.push(Place {
                id: r.parse(&row, "id")?,
                kind: Term::new(r.str(&row, "kind")?),
                name_en: r.str(&row, "name_en")?,
                name_ko: r.opt_str(&row, "name_ko")?,
                name_zh: r.opt_str(&row, "name_zh")?,
                country: r.opt_str(&row, "country")?,
                parent: r.opt_parse(&row, "parent_id")?,
                coordinates,
            });
        }

        let r = Reader { table: "actor" };
        let mut actors = Vec::new();
        for row in sqlx::query("SELECT * FROM actor ORDER BY id")
            .fetch_all(pool)
            .await?
        {
            actors.push(Actor {
                id: r.parse(&row, "id")?,
                kind: Term::new(r.str(&row, "kind")?),
                name_en: r.str(&row, "name_en")?,
                name_ko: r.opt_str(&row, "name_ko")?,
                name_zh: r.opt_str(&row, "name_zh")?,
                parent: r.opt_parse(&row, "parent_id")?,
            });
        }

        let incidents = read_incidents(pool, None, &mut cites).await?;

        let mut statuses =
            children(pool, "SELECT person_id, date, status, place_id, incident_id, citation_id FROM person_status ORDER BY person_id, position").await?;
        let mut links = children(
            pool,
            "SELECT person_id, incident_id, role FROM person_incident ORDER BY person_id, position",
        )
        .await?;
        let r = Reader { table: "person" };
        let mut persons = Vec::new();
        for row in sqlx::query("SELECT * FROM person WHERE archived = 0 ORDER BY id")
            .fetch_all(pool)
            .await?
        {
            let id: PersonId = r.parse(&row, "id")?;
            let rs = Reader {
                table: "person_status",
            };
            let timeline = take(&mut statuses, &id)
                .iter()
                .map(|c| {
                    Ok(StatusEvent {
                        date: rs.parse(c, "date")?,
                        status: Term::new(rs.str(c, "status")?),
                        place: rs.opt_parse(c, "place_id")?,
                        incident: rs.opt_parse(c, "incident_id")?,
                        citation: rs.opt_parse(c, "citation_id")?,
                    })
                })
                .collect::<Result<_, StoreError>>()?;
            let rl = Reader {
                table: "person_incident",
            };
            let incidents = take(&mut links, &id)
                .iter()
                .map(|c| {
                    Ok(PersonIncident {
                        incident: rl.parse(c, "incident_id")?,
                        role: Term::new(rl.str(c, "role")?),
                    })
                })
                .collect::<Result<_, StoreError>>()?;
            let birth_year: Option<i64> = row
                .try_get("birth_year")
                .map_err(|_| r.corrupt("birth_year", &row))?;
            persons.push(Person {
                id,
                identity: None,
                sex: r.opt_str(&row, "sex")?.map(Term::new),
                birth_year: birth_year
                    .map(|y| i32::try_from(y).map_err(|_| r.corrupt("birth_year", &row)))
                    .transpose()?,
                age_group: r.opt_str(&row, "age_group")?.map(Term::new),
                origin_place: r.opt_parse(&row, "origin_place_id")?,
                category: r.opt_str(&row, "category")?.map(Term::new),
                timeline,
                incidents,
                consent_public: row
                    .try_get("consent_public")
                    .map_err(|_| r.corrupt("consent_public", &row))?,
                consent: read_consent(&r, &row)?,
                confidentiality: r.confidentiality(&row)?,
                citations: citations_of(&mut cites, &id)?,
            });
        }

        let r = Reader {
            table: "upr_review",
        };
        let mut upr_reviews = Vec::new();
        for row in sqlx::query("SELECT * FROM upr_review ORDER BY id")
            .fetch_all(pool)
            .await?
        {
            let id: UprReviewId = r.parse(&row, "id")?;
            let cycle: i64 = row.try_get("cycle").map_err(|_| r.corrupt("cycle", &row))?;
            upr_reviews.push(UprReview {
                id,
                cycle: u8::try_from(cycle).map_err(|_| r.corrupt("cycle", &row))?,
                date: r.parse(&row, "date")?,
                symbol: r.opt_str(&row, "symbol")?,
                citations: citations_of(&mut cites, &id)?,
            });
        }

        let mut themes = children(
            pool,
            "SELECT mechanism_id, theme FROM mechanism_theme ORDER BY mechanism_id, position",
        )
        .await?;
        let mut holders =
            children(pool, "SELECT mechanism_id, holder FROM mechanism_mandate_holder ORDER BY mechanism_id, position").await?;
        let mut m_incidents =
            children(pool, "SELECT mechanism_id, incident_id FROM mechanism_incident ORDER BY mechanism_id, position").await?;
        let mut notes = children(
            pool,
            "SELECT mechanism_id, id, date, status, summary FROM mechanism_implementation ORDER BY mechanism_id, position",
        )
        .await?;
        let r = Reader { table: "mechanism" };
        let mut mechanisms = Vec::new();
        for row in sqlx::query("SELECT * FROM mechanism ORDER BY id")
            .fetch_all(pool)
            .await?
        {
            let id: MechanismId = r.parse(&row, "id")?;
            let paragraph = r.opt_str(&row, "paragraph")?;
            let detail = match r.str(&row, "kind")?.as_str() {
                "upr_recommendation" => MechanismDetail::UprRecommendation {
                    review: r.parse(&row, "review_id")?,
                    paragraph,
                    state: r.str(&row, "state")?,
                    response: r.opt_str(&row, "response")?,
                },
                "treaty_observation" => MechanismDetail::TreatyObservation {
                    body: Term::new(r.str(&row, "body")?),
                    paragraph,
                },
                "communication" => MechanismDetail::Communication {
                    mandate_holders: take(&mut holders, &id)
                        .iter()
                        .map(|c| {
                            Reader {
                                table: "mechanism_mandate_holder",
                            }
                            .str(c, "holder")
                        })
                        .collect::<Result<_, _>>()?,
                    reply_received: row
                        .try_get("reply_received")
                        .map_err(|_| r.corrupt("reply_received", &row))?,
                },
                "coi_recommendation" => MechanismDetail::CoiRecommendation {
                    paragraph: paragraph.ok_or_else(|| r.corrupt("paragraph", &row))?,
                },
                "resolution" => {
                    let yes: Option<u32> = row
                        .try_get("vote_yes")
                        .map_err(|_| r.corrupt("vote_yes", &row))?;
                    let no: Option<u32> = row
                        .try_get("vote_no")
                        .map_err(|_| r.corrupt("vote_no", &row))?;
                    let abstain: Option<u32> = row
                        .try_get("vote_abstain")
                        .map_err(|_| r.corrupt("vote_abstain", &row))?;
                    let vote = match (yes, no, abstain) {
                        (Some(yes), Some(no), Some(abstain)) => {
                            Some(VoteTally { yes, no, abstain })
                        }
                        (None, None, None) => None,
                        _ => return Err(r.corrupt("vote_yes", &row)),
                    };
                    MechanismDetail::Resolution {
                        body: r.str(&row, "body")?,
                        vote,
                        china_vote: r.opt_str(&row, "china_vote")?,
                    }
                }
                _ => return Err(r.corrupt("kind", &row)),
            };
            let rt = Reader {
                table: "mechanism_theme",
            };
            let rmi = Reader {
                table: "mechanism_incident",
            };
            mechanisms.push(Mechanism {
                id,
                detail,
                reference: r.opt_str(&row, "reference")?,
                date: r.parse(&row, "date")?,
                text: r.str(&row, "text")?,
                themes: take(&mut themes, &id)
                    .iter()
                    .map(|c| rt.str(c, "theme").map(Term::new))
                    .collect::<Result<_, _>>()?,
                incidents: take(&mut m_incidents, &id)
                    .iter()
                    .map(|c| rmi.parse(c, "incident_id"))
                    .collect::<Result<_, _>>()?,
                implementation: implementation_notes(take(&mut notes, &id), &mut cites)?,
                citations: citations_of(&mut cites, &id)?,
            });
        }

        let r = Reader { table: "figure" };
        let mut figures = Vec::new();
        for row in sqlx::query("SELECT * FROM figure ORDER BY id")
            .fetch_all(pool)
            .await?
        {
            let id: FigureId = r.parse(&row, "id")?;
            figures.push(ReportedFigure {
                id,
                indicator: Term::new(r.str(&row, "indicator")?),
                period: r.parse(&row, "period")?,
                place: r.opt_parse(&row, "place_id")?,
                value: r.count(&row, "value_low", "value_best", "value_high")?,
                unit: r.str(&row, "unit")?,
                citations: citations_of(&mut cites, &id)?,
            });
        }

        let mut links = Vec::new();
        for kind in LinkKind::ALL {
            let [table, _, _, read] = link_sql(kind);
            let r = Reader { table };
            for row in sqlx::query(read).fetch_all(pool).await? {
                let pair = LinkPair::parse(kind, &r.str(&row, "a")?, &r.str(&row, "b")?)
                    .ok_or_else(|| r.corrupt("a", &row))?;
                let verdict = Verdict::from_code(&r.str(&row, "verdict")?)
                    .ok_or_else(|| r.corrupt("verdict", &row))?;
                links.push(LinkDecision { pair, verdict });
            }
        }
        links.sort_by_key(|l| l.pair);

        Ok(Dataset {
            sources,
            places,
            actors,
            incidents: incidents.into_iter().map(Arc::new).collect(),
            persons: persons.into_iter().map(Arc::new).collect(),
            upr_reviews,
            mechanisms,
            figures,
            links,
            // Read on its own, for a full export (`record_versions_all`).
            history: Vec::new(),
        })
    }

    async fn record_links(
        &self,
        changes: &[(LinkPair, Option<Verdict>)],
        audit: &AuditBatch<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        for (pair, verdict) in changes {
            set_link(&mut tx, *pair, *verdict).await?;
        }
        append_audit_in(&mut tx, audit).await?;
        bump_data_version(&mut tx, None).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn save_link_run(
        &self,
        run: &LinkRun,
        suggestions: &[LinkSuggestion],
        audit: &AuditBatch<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let kind = run.kind.code();
        sqlx::query("DELETE FROM link_suggestion WHERE kind = ?")
            .bind(kind)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO link_run (kind, ran_at, records, candidate_pairs, threshold, diagnostics)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (kind) DO UPDATE SET ran_at = excluded.ran_at, records = excluded.records,
               candidate_pairs = excluded.candidate_pairs, threshold = excluded.threshold,
               diagnostics = excluded.diagnostics",
        )
        .bind(kind)
        .bind(run.ran_at.0)
        .bind(i64::try_from(run.records).unwrap_or(i64::MAX))
        .bind(i64::try_from(run.candidate_pairs).unwrap_or(i64::MAX))
        .bind(run.threshold)
        .bind(run.diagnostics.join("\n"))
        .execute(&mut *tx)
        .await?;
        for s in suggestions {
            let (a, b) = s.pair.ids();
            let explanation: Vec<String> = s
                .explanation
                .iter()
                .map(|f| {
                    format!(
                        "{}\t{}\t{}",
                        f.field,
                        f.level.as_deref().unwrap_or(""),
                        f.weight
                    )
                })
                .collect();
            sqlx::query(
                "INSERT INTO link_suggestion (kind, a, b, probability, explanation) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(kind)
            .bind(a)
            .bind(b)
            .bind(s.probability)
            .bind(explanation.join("\n"))
            .execute(&mut *tx)
            .await?;
        }
        append_audit_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_evidence(
        &self,
        evidence: &Evidence,
        provenance: &SealedIdentity,
        intake: &CustodyEntry,
        audit: &AuditBatch<'_>,
    ) -> Result<(), StoreError> {
        evidence::insert(self, evidence, provenance, intake, audit).await
    }

    async fn evidence_list(&self) -> Result<Vec<Evidence>, StoreError> {
        evidence::select(self, None, None).await
    }

    async fn evidence(&self, id: EvidenceId) -> Result<Option<Evidence>, StoreError> {
        Ok(evidence::select(self, Some(id), None).await?.pop())
    }

    async fn evidence_by_hash(&self, hash: ContentHash) -> Result<Option<Evidence>, StoreError> {
        Ok(evidence::select(self, None, Some(hash)).await?.pop())
    }

    async fn evidence_provenance(
        &self,
        id: EvidenceId,
    ) -> Result<Option<SealedIdentity>, StoreError> {
        evidence::provenance(self, id).await
    }

    async fn append_custody(
        &self,
        entries: &[CustodyEntry],
        audit: &AuditBatch<'_>,
    ) -> Result<(), StoreError> {
        evidence::append_custody(self, entries, audit).await
    }

    async fn custody(&self, id: EvidenceId) -> Result<Vec<CustodyEntry>, StoreError> {
        evidence::custody(self, id).await
    }

    async fn sealed_secret(&self, name: &str) -> Result<Option<SealedIdentity>, StoreError> {
        evidence::sealed_secret(self, name).await
    }

    async fn insert_sealed_secret(
        &self,
        name: &str,
        sealed: &SealedIdentity,
        audit: &AuditBatch<'_>,
    ) -> Result<(), StoreError> {
        evidence::insert_sealed_secret(self, name, sealed, audit).await
    }

    async fn replace_sealed(
        &self,
        provenances: &[(EvidenceId, SealedIdentity)],
        secrets: &[(String, SealedIdentity)],
        audit: &AuditBatch<'_>,
    ) -> Result<(), StoreError> {
        evidence::replace_sealed(self, provenances, secrets, audit).await
    }

    async fn sealed_secret_names(&self) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT name FROM sealed_secret ORDER BY name")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    async fn link_run(
        &self,
        kind: LinkKind,
    ) -> Result<Option<(LinkRun, Vec<LinkSuggestion>)>, StoreError> {
        let r = Reader { table: "link_run" };
        let Some(row) = sqlx::query("SELECT * FROM link_run WHERE kind = ?")
            .bind(kind.code())
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let number = |column: &'static str| -> Result<u64, StoreError> {
            row.try_get::<i64, _>(column)
                .ok()
                .and_then(|n| u64::try_from(n).ok())
                .ok_or_else(|| r.corrupt(column, &row))
        };
        let diagnostics = r.str(&row, "diagnostics")?;
        let run = LinkRun {
            kind,
            ran_at: Timestamp(
                row.try_get("ran_at")
                    .map_err(|_| r.corrupt("ran_at", &row))?,
            ),
            records: number("records")?,
            candidate_pairs: number("candidate_pairs")?,
            threshold: row
                .try_get("threshold")
                .map_err(|_| r.corrupt("threshold", &row))?,
            diagnostics: diagnostics
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
        };
        let r = Reader {
            table: "link_suggestion",
        };
        let mut suggestions = Vec::new();
        for row in sqlx::query(
            "SELECT a, b, probability, explanation FROM link_suggestion WHERE kind = ? ORDER BY probability DESC, a, b",
        )
        .bind(kind.code())
        .fetch_all(&self.pool)
        .await?
        {
            let pair = LinkPair::parse(kind, &r.str(&row, "a")?, &r.str(&row, "b")?)
                .ok_or_else(|| r.corrupt("a", &row))?;
            let mut explanation = Vec::new();
            for line in r.str(&row, "explanation")?.lines() {
                let mut parts = line.split('\t');
                let (Some(field), Some(level), Some(weight), None) =
                    (parts.next(), parts.next(), parts.next(), parts.next())
                else {
                    return Err(r.corrupt("explanation", &row));
                };
                explanation.push(FieldWeight {
                    field: field.to_owned(),
                    level: (!level.is_empty()).then(|| level.to_owned()),
                    weight: weight.parse().map_err(|_| r.corrupt("explanation", &row))?,
                });
            }
            suggestions.push(LinkSuggestion {
                pair,
                probability: row
                    .try_get("probability")
                    .map_err(|_| r.corrupt("probability", &row))?,
                explanation,
            });
        }
        Ok(Some((run, suggestions)))
    }

    async fn integrity_problems(&self) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        for row in sqlx::query("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await?
        {
            let line: String = row.try_get(0)?;
            if line != "ok" {
                problems.push(format!("SQLite integrity check: {line}"));
            }
        }
        for row in sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&self.pool)
            .await?
        {
            let table: String = row.try_get(0)?;
            let parent: String = row.try_get(2)?;
            problems.push(format!(
                "a row in table {table} refers to a missing row in table {parent}"
            ));
        }
        Ok(problems)
    }
}

#[cfg(test)]
impl SqliteStore {
    /// The pool, for tests that change the database behind the store's back.
    pub(crate) fn pool_for_tests(&self) -> SqlitePool {
        self.pool.clone()
    }
}
