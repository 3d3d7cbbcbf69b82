//! Opening a connection pool and migrating the relational schema.

use std::time::Duration;

use kcost_migrations::{MigratorTrait, RelationalMigrator};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

use crate::db_error::is_unavailable;

/// The database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// Unreachable, refused, or timed out: worth retrying later.
    #[error("the database is unavailable")]
    Unavailable(#[source] DbErr),
    /// Anything else (a malformed URL, an unsupported scheme, bad credentials…).
    #[error("cannot open the database")]
    Other(#[source] DbErr),
}

impl ConnectError {
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

/// Opens a pool on `url` (`postgres://…` or `sqlite:…`).
///
/// `connect_timeout` bounds both establishing a connection and waiting for a free one
/// from the pool, so a dead database turns into `Unavailable` quickly instead of hanging
/// a request. Statement logging is off: statements may carry key hashes.
pub async fn connect(
    url: &str,
    max_connections: u32,
    connect_timeout: Duration,
) -> Result<DatabaseConnection, ConnectError> {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(max_connections.max(1))
        .connect_timeout(connect_timeout)
        .acquire_timeout(connect_timeout)
        .sqlx_logging(false);
    Database::connect(options).await.map_err(|error| {
        if is_unavailable(&error) {
            ConnectError::Unavailable(error)
        } else {
            ConnectError::Other(error)
        }
    })
}

/// Migrating the relational schema failed.
#[derive(Debug, thiserror::Error)]
#[error("relational schema migration failed")]
pub struct MigrateError(#[source] pub DbErr);

/// Applies every pending relational migration (idempotent).
pub async fn migrate(db: &DatabaseConnection) -> Result<(), MigrateError> {
    RelationalMigrator::up(db, None).await.map_err(MigrateError)
}
