//! The data directory: where the database lives.

use std::path::{Path, PathBuf};

use anyhow::Context;
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

/// Creates the data directory if needed and opens (or creates) its database.
pub(crate) async fn create(dir: &Path) -> anyhow::Result<SqliteStore> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    SqliteStore::open(&db_path(dir))
        .await
        .with_context(|| format!("cannot open the database in {}", dir.display()))
}

/// Opens the database of an existing data directory.
pub(crate) async fn open(dir: &Path) -> anyhow::Result<SqliteStore> {
    if !exists(dir) {
        anyhow::bail!(
            "{} holds no refwatch database; run `refwatch init` (or `refwatch demo`) first, or pass --data-dir",
            dir.display()
        );
    }
    create(dir).await
}
