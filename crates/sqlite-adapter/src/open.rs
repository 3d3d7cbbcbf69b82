//! Opening the SQLite file: created if missing, and every pooled connection configured with
//! the same pragmas (WAL journal, `synchronous=NORMAL`, foreign keys, a busy timeout).
//!
//! WAL lets readers (cost queries) run while one writer (ingest) commits; `NORMAL` is the
//! durable-enough setting for WAL (a power loss may drop the last commits, never corrupt).
//! Writers wait up to the busy timeout for the write lock instead of failing at once.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, Statement};

/// How long a connection waits for a lock held by another connection before failing with
/// SQLITE_BUSY (which the store reports as `Unavailable`).
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Pooled connections: WAL allows concurrent readers; writes serialize on the file lock.
pub const MAX_CONNECTIONS: u32 = 4;

/// Why [`open`] failed.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot open SQLite database")]
    Connect(#[source] DbErr),
    #[error("invalid SQLite URL")]
    Url(#[source] sea_orm::sqlx::Error),
    #[error("cannot create the directory for the SQLite file {0}")]
    CreateDir(String, #[source] std::io::Error),
    /// The file is on a filesystem where SQLite cannot use WAL (e.g. some network mounts).
    #[error("SQLite refused WAL journal mode (journal_mode is {0:?})")]
    NotWal(String),
}

/// Opens (creating it and its directory if missing) the SQLite database at `url`
/// (`sqlite://path/to/kcost.db`; `?mode=rwc` is implied), with WAL, `synchronous=NORMAL`, `foreign_keys=ON` and [`BUSY_TIMEOUT`] on every pooled
/// connection. In-memory databases (`sqlite::memory:`) are accepted and keep their
/// `memory` journal.
pub async fn open(url: &str) -> Result<DatabaseConnection, OpenError> {
    create_parent_dir(url)?;
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(MAX_CONNECTIONS)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(BUSY_TIMEOUT)
        });
    let db = Database::connect(options)
        .await
        .map_err(OpenError::Connect)?;
    let mode = journal_mode(&db).await.map_err(OpenError::Connect)?;
    if mode != "wal" && mode != "memory" {
        return Err(OpenError::NotWal(mode));
    }
    Ok(db)
}

/// Zero setup: `sqlite://data/kcost.db` works on a fresh machine without `data/`.
fn create_parent_dir(url: &str) -> Result<(), OpenError> {
    let options = SqliteConnectOptions::from_str(url).map_err(OpenError::Url)?;
    let file = options.get_filename();
    let in_memory = file.starts_with("file:") || file == Path::new(":memory:");
    match file.parent() {
        Some(dir) if !in_memory && !dir.as_os_str().is_empty() && !dir.exists() => {
            std::fs::create_dir_all(dir)
                .map_err(|e| OpenError::CreateDir(file.display().to_string(), e))
        }
        _ => Ok(()),
    }
}

/// The journal mode of one pooled connection (`wal` after [`open`]).
pub async fn journal_mode(db: &DatabaseConnection) -> Result<String, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "PRAGMA journal_mode",
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("PRAGMA journal_mode returned no row".into()))?;
    Ok(row.try_get_by_index::<String>(0)?.to_ascii_lowercase())
}
