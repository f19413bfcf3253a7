//! The data directory: where the database lives, and opening the protected
//! core over it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use refwatch_domain::SystemClock;
use refwatch_keys::KekSource;
use refwatch_service::{Caller, Service};
use refwatch_storage::SqliteStore;

/// The database file's name inside the data directory.
const DB_FILE: &str = "refwatch.db";

fn db_path(dir: &Path) -> PathBuf {
    dir.join(DB_FILE)
}

/// Whether the data directory already has a database.
pub(crate) fn exists(dir: &Path) -> bool {
    db_path(dir).exists()
}

/// Creates the data directory if needed and opens (or creates) its
/// database. The directory and the database's files are made owner-only
/// (0700 and 0600), also when an older version left them open to others.
pub(crate) async fn create(dir: &Path) -> anyhow::Result<SqliteStore> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    owner_only(dir, 0o700)?;
    let store = SqliteStore::open(&db_path(dir))
        .await
        .with_context(|| format!("cannot open the database in {}", dir.display()))?;
    for suffix in ["", "-wal", "-shm"] {
        let file = dir.join(format!("{DB_FILE}{suffix}"));
        if file.exists() {
            owner_only(&file, 0o600)?;
        }
    }
    Ok(store)
}

/// Sets `path`'s permission bits to `mode` unless they are already no wider.
pub(crate) fn owner_only(path: &Path, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if meta.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("cannot make {} owner-only", path.display()))?;
    }
    Ok(())
}

/// Fails with what to do when the data directory has no database.
pub(crate) fn ensure_exists(dir: &Path) -> anyhow::Result<()> {
    if !exists(dir) {
        anyhow::bail!(
            "{} holds no refwatch database; run `refwatch init` (or `refwatch demo`) first, or pass --data-dir",
            dir.display()
        );
    }
    Ok(())
}

/// Opens the database of an existing data directory.
pub(crate) async fn open(dir: &Path) -> anyhow::Result<SqliteStore> {
    ensure_exists(dir)?;
    create(dir).await
}

/// Opens the protected core over an existing data directory, as the
/// console operator, unlocking the keys when a source is given.
pub(crate) async fn service(
    dir: &Path,
    key: Option<&KekSource>,
) -> anyhow::Result<Service<SqliteStore>> {
    let store = open(dir).await?;
    Ok(Service::open(store, key, Arc::new(SystemClock), Caller::operator()).await?)
}

/// The evidence store's folder inside the data directory.
const EVIDENCE_DIR: &str = "evidence";

/// The evidence store of a data directory and the isolated reader (this
/// program's hidden `extract-worker`, under the default limits).
fn evidence_setup(dir: &Path, max_bytes: u64) -> anyhow::Result<refwatch_service::EvidenceSetup> {
    let store = refwatch_evidence::EvidenceStore::local(&dir.join(EVIDENCE_DIR))?;
    let program = std::env::current_exe().context("cannot find the refwatch program itself")?;
    let reader = refwatch_extract::Isolated::new(
        program,
        vec!["extract-worker".into()],
        refwatch_extract::Limits::default(),
    );
    Ok(refwatch_service::EvidenceSetup {
        store,
        reader: Arc::new(reader),
        max_bytes,
    })
}

/// The protected core with the data directory's evidence store, keys
/// unlocked: for commands that touch evidence files, the search index (it
/// reads their texts), bundles, key rotation (it re-seals them) and the server.
pub(crate) async fn service_with_evidence(
    dir: &Path,
    key: &KekSource,
    max_bytes: u64,
) -> anyhow::Result<Service<SqliteStore>> {
    Ok(service(dir, Some(key))
        .await?
        .with_evidence(evidence_setup(dir, max_bytes)?))
}
