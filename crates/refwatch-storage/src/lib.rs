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

use refwatch_domain::Dataset;

pub use sqlite::SqliteStore;

/// What went wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened, read or written.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
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
    /// A number too large for the database.
    #[error("a count in record {row} is too large to store")]
    TooLarge {
        /// The record's id.
        row: String,
    },
}

/// The storage API.
pub trait Store {
    /// Whether the store holds no records at all.
    fn is_empty(&self) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Inserts every record of `data` in one transaction: all or nothing.
    /// Fails with [`StoreError::AlreadyExists`] if any id is already stored.
    fn insert_dataset(&self, data: &Dataset)
    -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Reads every record, each list sorted by id.
    fn load_dataset(&self) -> impl Future<Output = Result<Dataset, StoreError>> + Send;

    /// Checks the database's own integrity (pages, indexes, foreign keys) and
    /// returns a sentence per problem; empty when all is well.
    fn integrity_problems(&self) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;
}

#[cfg(test)]
mod tests;
