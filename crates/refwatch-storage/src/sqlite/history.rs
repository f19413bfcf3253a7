//! Records edited one at a time, and the versions kept of them, in SQLite.

use refwatch_domain::{Confidentiality, Dataset, EvidenceId, IncidentId, Person, Timestamp};
use sqlx::Row;

use super::{
    Reader, SqliteStore, Tx, append_audit_in, bump_data_version, delete_incident_rows,
    existing_ids, insert_directory, insert_figure, insert_incidents, insert_mechanism,
    insert_person_links, text,
};
use crate::{AuditBatch, RecordChange, RecordKind, RecordVersion, StoreError, VersionAction};

/// What still refers to a record of each kind, so that it cannot be
/// archived while they do (one id parameter, used as often as needed).
fn referrers(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::Source => &[
            "SELECT 1 FROM citation WHERE source_id = ?1 OR via_source_id = ?1",
            "SELECT 1 FROM evidence WHERE source_id = ?1",
        ],
        RecordKind::Place => &[
            "SELECT 1 FROM place WHERE parent_id = ?1",
            "SELECT 1 FROM incident_place WHERE place_id = ?1",
            "SELECT 1 FROM person WHERE origin_place_id = ?1",
            "SELECT 1 FROM person_status WHERE place_id = ?1",
            "SELECT 1 FROM figure WHERE place_id = ?1",
        ],
        RecordKind::Actor => &[
            "SELECT 1 FROM actor WHERE parent_id = ?1",
            "SELECT 1 FROM incident_actor WHERE actor_id = ?1",
        ],
        RecordKind::Person => {
            &["SELECT 1 FROM evidence_link WHERE kind = 'person' AND record_id = ?1"]
        }
        // Nothing refers to these.
        RecordKind::Mechanism | RecordKind::Figure => &[],
        RecordKind::Incident => &[
            "SELECT 1 FROM evidence_link WHERE kind = 'incident' AND record_id = ?1",
            "SELECT 1 FROM person_incident WHERE incident_id = ?1",
            "SELECT 1 FROM person_status WHERE incident_id = ?1",
            "SELECT 1 FROM mechanism_incident WHERE incident_id = ?1",
            "SELECT 1 FROM incident_link WHERE a = ?1 OR b = ?1",
        ],
    }
}

/// Takes one record's rows out; false when it is not stored.
async fn remove(tx: &mut Tx<'_>, kind: RecordKind, id: &str) -> Result<bool, StoreError> {
    let sql = match kind {
        RecordKind::Source => "DELETE FROM source WHERE id = ?",
        RecordKind::Place => "DELETE FROM place WHERE id = ?",
        RecordKind::Actor => "DELETE FROM actor WHERE id = ?",
        RecordKind::Incident => return delete_incident_rows(tx, id).await,
        // Kept, with its identity, and marked archived.
        RecordKind::Person => "UPDATE person SET archived = 1 WHERE id = ? AND archived = 0",
        RecordKind::Mechanism | RecordKind::Figure => {
            return delete_citable(tx, kind, id).await;
        }
    };
    let done = sqlx::query(sql).bind(id).execute(&mut **tx).await?;
    Ok(done.rows_affected() == 1)
}

/// Whether `data` puts back a record of this kind and id.
fn puts_back(data: &refwatch_domain::Dataset, kind: RecordKind, id: &str) -> bool {
    match kind {
        RecordKind::Source => data.sources.iter().any(|r| r.id.to_string() == id),
        RecordKind::Place => data.places.iter().any(|r| r.id.to_string() == id),
        RecordKind::Actor => data.actors.iter().any(|r| r.id.to_string() == id),
        RecordKind::Incident => data.incidents.iter().any(|r| r.id.to_string() == id),
        RecordKind::Person => data.persons.iter().any(|r| r.id.to_string() == id),
        RecordKind::Mechanism => data.mechanisms.iter().any(|r| r.id.to_string() == id),
        RecordKind::Figure => data.figures.iter().any(|r| r.id.to_string() == id),
    }
}

/// Takes out a mechanism record or a figure with its citations (the
/// mechanism's themes, mandate holders, incidents and implementation
/// notes go with it).
async fn delete_citable(tx: &mut Tx<'_>, kind: RecordKind, id: &str) -> Result<bool, StoreError> {
    if kind == RecordKind::Mechanism {
        let notes: Vec<String> =
            sqlx::query_scalar("SELECT id FROM mechanism_implementation WHERE mechanism_id = ?")
                .bind(id)
                .fetch_all(&mut **tx)
                .await?;
        sqlx::query("DELETE FROM mechanism_implementation WHERE mechanism_id = ?")
            .bind(id)
            .execute(&mut **tx)
            .await?;
        for note in &notes {
            for sql in [
                "DELETE FROM citation WHERE subject_id = ?",
                "DELETE FROM citable WHERE id = ?",
            ] {
                sqlx::query(sql).bind(note).execute(&mut **tx).await?;
            }
        }
    }
    let table = match kind {
        RecordKind::Mechanism => "DELETE FROM mechanism WHERE id = ?",
        _ => "DELETE FROM figure WHERE id = ?",
    };
    sqlx::query("DELETE FROM citation WHERE subject_id = ?")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let done = sqlx::query(table).bind(id).execute(&mut **tx).await?;
    sqlx::query("DELETE FROM citable WHERE id = ?")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces what does not identify a stored person: attributes, status
/// timeline, incidents and citations. Their sealed identity stays; their
/// citations become those given, each kept in its place, corrected, added
/// after the others or removed (their words, if any, are sealed with the
/// identity by the caller).
async fn replace_person(tx: &mut Tx<'_>, p: &Person) -> Result<(), StoreError> {
    let id = p.id.to_string();
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT id FROM citation WHERE subject_id = ? ORDER BY position")
            .bind(&id)
            .fetch_all(&mut **tx)
            .await?;
    for gone in stored
        .iter()
        .filter(|s| !p.citations.iter().any(|c| c.id.to_string() == **s))
    {
        sqlx::query("DELETE FROM citation WHERE id = ?")
            .bind(gone)
            .execute(&mut **tx)
            .await?;
    }
    let mut next: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(position) + 1, 0) FROM citation WHERE subject_id = ?",
    )
    .bind(&id)
    .fetch_one(&mut **tx)
    .await?;
    for c in &p.citations {
        if stored.contains(&c.id.to_string()) {
            sqlx::query(
                "UPDATE citation SET source_id = ?, via_source_id = ?, locator = ?, quote = ?, note = ?
                 WHERE id = ?",
            )
            .bind(c.source.to_string())
            .bind(text(&c.via))
            .bind(&c.locator)
            .bind(&c.quote)
            .bind(&c.note)
            .bind(c.id.to_string())
            .execute(&mut **tx)
            .await?;
        } else {
            super::insert_citation_at(tx, &id, usize::try_from(next).unwrap_or(0), c).await?;
            next += 1;
        }
    }
    sqlx::query(
        "UPDATE person SET sex = ?, birth_year = ?, age_group = ?, origin_place_id = ?, category = ?,
         consent_public = ?, consent_scope = ?, consent_date = ?, consent_recorded_by = ?,
         confidentiality = ? WHERE id = ?",
    )
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
    .bind(&id)
    .execute(&mut **tx)
    .await?;
    for sql in [
        "DELETE FROM person_status WHERE person_id = ?",
        "DELETE FROM person_incident WHERE person_id = ?",
    ] {
        sqlx::query(sql).bind(&id).execute(&mut **tx).await?;
    }
    insert_person_links(tx, p).await
}

pub(super) async fn change(
    store: &SqliteStore,
    change: RecordChange<'_>,
    audit: &AuditBatch<'_>,
) -> Result<(), StoreError> {
    let mut tx = store.write().await?;
    // A record replaced keeps the links to it: foreign keys are checked at
    // commit, when it is back.
    sqlx::query("PRAGMA defer_foreign_keys = ON")
        .execute(&mut *tx)
        .await?;
    for (kind, id) in change.remove {
        if !puts_back(change.insert, *kind, id) {
            for &sql in referrers(*kind) {
                if sqlx::query(sql)
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .is_some()
                {
                    return Err(StoreError::StillLinked(id.clone()));
                }
            }
        }
        let found = if *kind == RecordKind::Person && puts_back(change.insert, *kind, id) {
            sqlx::query("SELECT 1 FROM person WHERE id = ? AND archived = 0")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .is_some()
        } else {
            remove(&mut tx, *kind, id).await?
        };
        if !found {
            return Err(StoreError::NotFound(id.clone()));
        }
    }
    for (person, sealed) in change.sealed {
        super::upsert_identity(&mut tx, *person, sealed).await?;
    }
    for p in &change.insert.persons {
        if !change
            .remove
            .iter()
            .any(|(kind, id)| *kind == RecordKind::Person && *id == p.id.to_string())
        {
            // Persons are created by import, with their sealed identity;
            // an archived one is brought back.
            let back = sqlx::query("UPDATE person SET archived = 0 WHERE id = ? AND archived = 1")
                .bind(p.id.to_string())
                .execute(&mut *tx)
                .await?;
            if back.rows_affected() != 1 {
                return Err(StoreError::NotFound(p.id.to_string()));
            }
        }
        replace_person(&mut tx, p).await?;
    }
    let persons = Dataset {
        persons: Vec::new(),
        ..change.insert.clone()
    };
    let change = RecordChange {
        insert: &persons,
        ..change
    };
    let clashes = existing_ids(&mut tx, change.insert).await?;
    if let Some(first) = clashes.first() {
        return Err(StoreError::AlreadyExists {
            count: clashes.len(),
            example: first.clone(),
        });
    }
    insert_directory(&mut tx, change.insert).await?;
    insert_incidents(&mut tx, &change.insert.incidents).await?;
    for m in &change.insert.mechanisms {
        insert_mechanism(&mut tx, m).await?;
    }
    for f in &change.insert.figures {
        insert_figure(&mut tx, f).await?;
    }
    mark_recorded(&mut tx, change.insert, audit).await?;
    for v in change.versions {
        let last: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(number), 0) FROM record_version WHERE kind = ? AND id = ?",
        )
        .bind(v.kind.code())
        .bind(&v.id)
        .fetch_one(&mut *tx)
        .await?;
        insert_version(&mut tx, v, last + 1).await?;
    }
    append_audit_in(&mut tx, audit).await?;
    let only_incidents = change
        .remove
        .iter()
        .all(|(kind, _)| *kind == RecordKind::Incident)
        && change.insert.sources.is_empty()
        && change.insert.places.is_empty()
        && change.insert.actors.is_empty()
        && change.insert.persons.is_empty()
        && change.insert.mechanisms.is_empty()
        && change.insert.figures.is_empty();
    let incidents: Vec<IncidentId> = change
        .remove
        .iter()
        .filter_map(|(_, id)| id.parse().ok())
        .chain(change.insert.incidents.iter().map(|i| i.id))
        .collect();
    bump_data_version(&mut tx, only_incidents.then_some(&incidents[..])).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn versions(
    store: &SqliteStore,
    one: Option<(RecordKind, &str)>,
) -> Result<Vec<RecordVersion>, StoreError> {
    const COLUMNS: &str = "SELECT kind, id, number, at, actor, action, reason, confidentiality, body FROM record_version";
    let rows = match one {
        Some((kind, id)) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{COLUMNS} WHERE kind = ? AND id = ? ORDER BY number"
            )))
            .bind(kind.code())
            .bind(id)
            .fetch_all(&store.pool)
            .await?
        }
        None => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{COLUMNS} ORDER BY kind, id, number"
            )))
            .fetch_all(&store.pool)
            .await?
        }
    };
    let r = Reader {
        table: "record_version",
    };
    rows.iter()
        .map(|row| {
            Ok(RecordVersion {
                kind: RecordKind::from_code(&r.str(row, "kind")?)
                    .ok_or_else(|| r.corrupt("kind", row))?,
                id: r.str(row, "id")?,
                number: u32::try_from(r.int(row, "number")?)
                    .map_err(|_| r.corrupt("number", row))?,
                at: Timestamp(row.try_get("at").map_err(|_| r.corrupt("at", row))?),
                actor: r.str(row, "actor")?,
                action: VersionAction::from_code(&r.str(row, "action")?)
                    .ok_or_else(|| r.corrupt("action", row))?,
                reason: r.opt_str(row, "reason")?,
                confidentiality: Confidentiality::from_code(&r.str(row, "confidentiality")?)
                    .ok_or_else(|| r.corrupt("confidentiality", row))?,
                body: r.str(row, "body")?,
            })
        })
        .collect()
}

/// Writes versions as they were kept elsewhere (a full export read back),
/// numbered as given.
pub(super) async fn insert_kept(tx: &mut Tx<'_>, kept: &[RecordVersion]) -> Result<(), StoreError> {
    for v in kept {
        let taken =
            sqlx::query("SELECT 1 FROM record_version WHERE kind = ? AND id = ? AND number = ?")
                .bind(v.kind.code())
                .bind(&v.id)
                .bind(i64::from(v.number))
                .fetch_optional(&mut **tx)
                .await?;
        if taken.is_some() {
            return Err(StoreError::AlreadyExists {
                count: 1,
                example: format!("version {} of {} {}", v.number, v.kind.code(), v.id),
            });
        }
        insert_version(tx, v, i64::from(v.number)).await?;
    }
    Ok(())
}

async fn insert_version(tx: &mut Tx<'_>, v: &RecordVersion, number: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO record_version (kind, id, number, at, actor, action, reason, confidentiality, body)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(v.kind.code())
    .bind(&v.id)
    .bind(number)
    .bind(v.at.0)
    .bind(&v.actor)
    .bind(v.action.code())
    .bind(&v.reason)
    .bind(v.confidentiality.code())
    .bind(&v.body)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn set_evidence_link(
    store: &SqliteStore,
    evidence: EvidenceId,
    kind: RecordKind,
    record: &str,
    linked: bool,
    audit: &AuditBatch<'_>,
) -> Result<(), StoreError> {
    let exists = match kind {
        RecordKind::Incident => "SELECT 1 FROM incident WHERE id = ?",
        RecordKind::Person => "SELECT 1 FROM person WHERE id = ? AND archived = 0",
        _ => return Err(StoreError::NotFound(record.to_owned())),
    };
    let mut tx = store.write().await?;
    for (sql, id) in [
        (exists, record.to_owned()),
        ("SELECT 1 FROM evidence WHERE id = ?", evidence.to_string()),
    ] {
        if sqlx::query(sql)
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?
            .is_none()
        {
            return Err(StoreError::NotFound(id));
        }
    }
    let sql = if linked {
        "INSERT OR IGNORE INTO evidence_link (evidence_id, kind, record_id) VALUES (?, ?, ?)"
    } else {
        "DELETE FROM evidence_link WHERE evidence_id = ? AND kind = ? AND record_id = ?"
    };
    sqlx::query(sql)
        .bind(evidence.to_string())
        .bind(kind.code())
        .bind(record)
        .execute(&mut *tx)
        .await?;
    append_audit_in(&mut tx, audit).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn evidence_links(
    store: &SqliteStore,
    record: Option<(RecordKind, &str)>,
) -> Result<Vec<(EvidenceId, RecordKind, String)>, StoreError> {
    let rows = match record {
        Some((kind, id)) => {
            sqlx::query(
                "SELECT evidence_id, kind, record_id FROM evidence_link WHERE kind = ? AND record_id = ?
                 ORDER BY evidence_id",
            )
            .bind(kind.code())
            .bind(id)
            .fetch_all(&store.pool)
            .await?
        }
        None => {
            sqlx::query(
                "SELECT evidence_id, kind, record_id FROM evidence_link ORDER BY kind, record_id, evidence_id",
            )
            .fetch_all(&store.pool)
            .await?
        }
    };
    let r = Reader {
        table: "evidence_link",
    };
    rows.iter()
        .map(|row| {
            Ok((
                r.parse(row, "evidence_id")?,
                RecordKind::from_code(&r.str(row, "kind")?)
                    .ok_or_else(|| r.corrupt("kind", row))?,
                r.str(row, "record_id")?,
            ))
        })
        .collect()
}

/// Notes when each record of `data` first came in (the time of the audit
/// entries written with it); a record put back keeps its first time.
pub(super) async fn mark_recorded(
    tx: &mut Tx<'_>,
    data: &refwatch_domain::Dataset,
    audit: &AuditBatch<'_>,
) -> Result<(), StoreError> {
    let Some(at) = audit.events.first().map(|e| e.at.0) else {
        return Ok(());
    };
    let ids = data
        .sources
        .iter()
        .map(|r| (RecordKind::Source, r.id.to_string()))
        .chain(
            data.places
                .iter()
                .map(|r| (RecordKind::Place, r.id.to_string())),
        )
        .chain(
            data.actors
                .iter()
                .map(|r| (RecordKind::Actor, r.id.to_string())),
        )
        .chain(
            data.incidents
                .iter()
                .map(|r| (RecordKind::Incident, r.id.to_string())),
        )
        .chain(
            data.persons
                .iter()
                .map(|r| (RecordKind::Person, r.id.to_string())),
        )
        .chain(
            data.mechanisms
                .iter()
                .map(|r| (RecordKind::Mechanism, r.id.to_string())),
        )
        .chain(
            data.figures
                .iter()
                .map(|r| (RecordKind::Figure, r.id.to_string())),
        )
        .collect::<Vec<_>>();
    // In batches, as a large import's incidents are.
    for part in ids.chunks(300) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT OR IGNORE INTO record_recorded (kind, id, at) ",
        );
        q.push_values(part, |mut b, (kind, id)| {
            b.push_bind(kind.code()).push_bind(id.clone()).push_bind(at);
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

pub(super) async fn recorded_times(
    store: &SqliteStore,
) -> Result<Vec<(RecordKind, String, refwatch_domain::Timestamp)>, StoreError> {
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT kind, id, at FROM record_recorded ORDER BY kind, id")
            .fetch_all(&store.pool)
            .await?;
    rows.into_iter()
        .map(|(kind, id, at)| {
            let kind = RecordKind::from_code(&kind).ok_or_else(|| StoreError::Corrupt {
                table: "record_recorded",
                column: "kind",
                row: id.clone(),
            })?;
            Ok((kind, id, refwatch_domain::Timestamp(at)))
        })
        .collect()
}
