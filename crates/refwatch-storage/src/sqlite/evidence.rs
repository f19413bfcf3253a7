//! Evidence records and chains of custody in SQLite.

use refwatch_domain::{
    Confidentiality, ContentHash, CustodyAction, CustodyEntry, Evidence, EvidenceId, Extraction,
    MediaKind, SealedIdentity, Timestamp,
};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{Reader, SqliteStore, Tx, append_audit_in, bump_data_version};
use crate::{AuditBatch, StoreError};

fn too_large(id: EvidenceId) -> StoreError {
    StoreError::TooLarge {
        row: id.to_string(),
    }
}

pub(super) async fn insert(
    store: &SqliteStore,
    evidence: &Evidence,
    provenance: &SealedIdentity,
    intake: &CustodyEntry,
    audit: &AuditBatch<'_>,
) -> Result<(), StoreError> {
    let mut tx = store.write().await?;
    let taken: Option<String> = sqlx::query_scalar("SELECT id FROM evidence WHERE hash = ?")
        .bind(evidence.hash.to_string())
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(example) = taken {
        return Err(StoreError::AlreadyExists { count: 1, example });
    }
    let source: Option<String> = sqlx::query_scalar("SELECT id FROM source WHERE id = ?")
        .bind(evidence.source.to_string())
        .fetch_optional(&mut *tx)
        .await?;
    if source.is_none() {
        return Err(StoreError::NotFound(evidence.source.to_string()));
    }
    let (extraction, chars, failure) = match &evidence.extraction {
        Extraction::Text { chars } => (
            "text",
            Some(i64::try_from(*chars).map_err(|_| too_large(evidence.id))?),
            None,
        ),
        Extraction::NotApplicable => ("none", None, None),
        Extraction::Failed(why) => ("failed", None, Some(why.as_str())),
    };
    sqlx::query(
        "INSERT INTO evidence (id, hash, size, media, source_id, received_via, received_at,
           confidentiality, language, extraction, text_chars, failure,
           provenance_version, provenance_nonce, provenance)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(evidence.id.to_string())
    .bind(evidence.hash.to_string())
    .bind(i64::try_from(evidence.size).map_err(|_| too_large(evidence.id))?)
    .bind(evidence.media.code())
    .bind(evidence.source.to_string())
    .bind(&evidence.received_via)
    .bind(evidence.received_at.0)
    .bind(evidence.confidentiality.code())
    .bind(evidence.language.as_deref())
    .bind(extraction)
    .bind(chars)
    .bind(failure)
    .bind(provenance.key_version)
    .bind(&provenance.nonce)
    .bind(&provenance.ciphertext)
    .execute(&mut *tx)
    .await?;
    append_in(&mut tx, std::slice::from_ref(intake)).await?;
    append_audit_in(&mut tx, audit).await?;
    bump_data_version(&mut tx, None).await?;
    tx.commit().await?;
    Ok(())
}

fn read(row: &SqliteRow) -> Result<Evidence, StoreError> {
    let r = Reader { table: "evidence" };
    let id: EvidenceId = r.parse(row, "id")?;
    let extraction = match r.str(row, "extraction")?.as_str() {
        "text" => Extraction::Text {
            chars: r
                .opt_int(row, "text_chars")?
                .ok_or_else(|| r.corrupt("text_chars", row))?,
        },
        "none" => Extraction::NotApplicable,
        "failed" => Extraction::Failed(r.opt_str(row, "failure")?.unwrap_or_default()),
        _ => return Err(r.corrupt("extraction", row)),
    };
    Ok(Evidence {
        id,
        hash: r.parse(row, "hash")?,
        size: r
            .opt_int(row, "size")?
            .ok_or_else(|| r.corrupt("size", row))?,
        media: MediaKind::from_code(&r.str(row, "media")?)
            .ok_or_else(|| r.corrupt("media", row))?,
        source: r.parse(row, "source_id")?,
        received_via: r.str(row, "received_via")?,
        received_at: Timestamp(
            row.try_get("received_at")
                .map_err(|_| r.corrupt("received_at", row))?,
        ),
        confidentiality: Confidentiality::from_code(&r.str(row, "confidentiality")?)
            .ok_or_else(|| r.corrupt("confidentiality", row))?,
        language: r.opt_str(row, "language")?,
        extraction,
    })
}

pub(super) async fn select(
    store: &SqliteStore,
    id: Option<EvidenceId>,
    hash: Option<ContentHash>,
) -> Result<Vec<Evidence>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, hash, size, media, source_id, received_via, received_at, confidentiality,
           language, extraction, text_chars, failure
         FROM evidence WHERE (? IS NULL OR id = ?) AND (? IS NULL OR hash = ?) ORDER BY id",
    )
    .bind(id.map(|i| i.to_string()))
    .bind(id.map(|i| i.to_string()))
    .bind(hash.map(|h| h.to_string()))
    .bind(hash.map(|h| h.to_string()))
    .fetch_all(&store.pool)
    .await?;
    rows.iter().map(read).collect()
}

pub(super) async fn provenance(
    store: &SqliteStore,
    id: EvidenceId,
) -> Result<Option<SealedIdentity>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT id, provenance_version, provenance_nonce, provenance FROM evidence WHERE id = ?",
    )
    .bind(id.to_string())
    .fetch_optional(&store.pool)
    .await?
    else {
        return Ok(None);
    };
    let r = Reader { table: "evidence" };
    Ok(Some(SealedIdentity {
        key_version: u32::try_from(
            r.opt_int(&row, "provenance_version")?
                .ok_or_else(|| r.corrupt("provenance_version", &row))?,
        )
        .map_err(|_| r.corrupt("provenance_version", &row))?,
        nonce: row
            .try_get("provenance_nonce")
            .map_err(|_| r.corrupt("provenance_nonce", &row))?,
        ciphertext: row
            .try_get("provenance")
            .map_err(|_| r.corrupt("provenance", &row))?,
    }))
}

async fn append_in(tx: &mut Tx<'_>, entries: &[CustodyEntry]) -> Result<(), StoreError> {
    for entry in entries {
        let id = entry.evidence.to_string();
        let exists: Option<String> = sqlx::query_scalar("SELECT id FROM evidence WHERE id = ?")
            .bind(&id)
            .fetch_optional(&mut **tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound(id));
        }
        sqlx::query(
            "INSERT INTO custody (evidence_id, seq, at, actor, action, hash, note)
             VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM custody WHERE evidence_id = ?), ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&id)
        .bind(entry.at.0)
        .bind(&entry.actor)
        .bind(entry.action.code())
        .bind(entry.hash.map(|h| h.to_string()))
        .bind(&entry.note)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub(super) async fn append_custody(
    store: &SqliteStore,
    entries: &[CustodyEntry],
    audit: &AuditBatch<'_>,
) -> Result<(), StoreError> {
    let mut tx = store.write().await?;
    append_in(&mut tx, entries).await?;
    append_audit_in(&mut tx, audit).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn custody(
    store: &SqliteStore,
    id: EvidenceId,
) -> Result<Vec<CustodyEntry>, StoreError> {
    let rows = sqlx::query(
        "SELECT evidence_id AS id, at, actor, action, hash, note FROM custody
         WHERE evidence_id = ? ORDER BY seq",
    )
    .bind(id.to_string())
    .fetch_all(&store.pool)
    .await?;
    let r = Reader { table: "custody" };
    rows.iter()
        .map(|row| {
            Ok(CustodyEntry {
                evidence: id,
                at: Timestamp(row.try_get("at").map_err(|_| r.corrupt("at", row))?),
                actor: r.str(row, "actor")?,
                action: CustodyAction::from_code(&r.str(row, "action")?)
                    .ok_or_else(|| r.corrupt("action", row))?,
                hash: r.opt_parse(row, "hash")?,
                note: r.str(row, "note")?,
            })
        })
        .collect()
}

pub(super) async fn sealed_secret(
    store: &SqliteStore,
    name: &str,
) -> Result<Option<SealedIdentity>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT name AS id, key_version, nonce, ciphertext FROM sealed_secret WHERE name = ?",
    )
    .bind(name)
    .fetch_optional(&store.pool)
    .await?
    else {
        return Ok(None);
    };
    let r = Reader {
        table: "sealed_secret",
    };
    Ok(Some(SealedIdentity {
        key_version: u32::try_from(
            r.opt_int(&row, "key_version")?
                .ok_or_else(|| r.corrupt("key_version", &row))?,
        )
        .map_err(|_| r.corrupt("key_version", &row))?,
        nonce: row.try_get("nonce").map_err(|_| r.corrupt("nonce", &row))?,
        ciphertext: row
            .try_get("ciphertext")
            .map_err(|_| r.corrupt("ciphertext", &row))?,
    }))
}

pub(super) async fn insert_sealed_secret(
    store: &SqliteStore,
    name: &str,
    sealed: &SealedIdentity,
    audit: &AuditBatch<'_>,
) -> Result<(), StoreError> {
    let mut tx = store.write().await?;
    let taken: Option<String> = sqlx::query_scalar("SELECT name FROM sealed_secret WHERE name = ?")
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(example) = taken {
        return Err(StoreError::AlreadyExists { count: 1, example });
    }
    sqlx::query(
        "INSERT INTO sealed_secret (name, key_version, nonce, ciphertext) VALUES (?, ?, ?, ?)",
    )
    .bind(name)
    .bind(sealed.key_version)
    .bind(&sealed.nonce)
    .bind(&sealed.ciphertext)
    .execute(&mut *tx)
    .await?;
    append_audit_in(&mut tx, audit).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn replace_sealed(
    store: &SqliteStore,
    provenances: &[(EvidenceId, SealedIdentity)],
    secrets: &[(String, SealedIdentity)],
    audit: &AuditBatch<'_>,
) -> Result<(), StoreError> {
    let mut tx = store.write().await?;
    for (id, sealed) in provenances {
        let done = sqlx::query(
            "UPDATE evidence SET provenance_version = ?, provenance_nonce = ?, provenance = ? WHERE id = ?",
        )
        .bind(sealed.key_version)
        .bind(&sealed.nonce)
        .bind(&sealed.ciphertext)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(id.to_string()));
        }
    }
    for (name, sealed) in secrets {
        sqlx::query(
            "UPDATE sealed_secret SET key_version = ?, nonce = ?, ciphertext = ? WHERE name = ?",
        )
        .bind(sealed.key_version)
        .bind(&sealed.nonce)
        .bind(&sealed.ciphertext)
        .bind(name)
        .execute(&mut *tx)
        .await?;
    }
    append_audit_in(&mut tx, audit).await?;
    tx.commit().await?;
    Ok(())
}
