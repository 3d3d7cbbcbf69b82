//! One answer, shared by the PostgreSQL, TimescaleDB and SQLite adapters, to "did the
//! database fail to serve, or did the statement fail?". The first is every port's
//! `Unavailable` (503 with `Retry-After`: the caller retries); the second `Unexpected`
//! (500, logged). Before, each adapter had its own copy, and they had drifted: SQLite's
//! full disk or I/O errors were unavailable in the metrics store but unexpected in the
//! relational repositories.
//!
//! Unavailable: no connection (pool closed, timed out or exhausted; I/O or TLS failures;
//! a crashed SQLite worker); PostgreSQL SQLSTATE class 08 (connection exception), 57P01–03
//! (shutdown, cannot connect now) and 53300 (too many connections); SQLite's primary result
//! codes BUSY (5, the busy timeout expired), LOCKED (6), IOERR (10), FULL (13) and
//! CANTOPEN (14).

use sea_orm::sqlx::postgres::PgDatabaseError;
use sea_orm::sqlx::sqlite::SqliteError;
use sea_orm::{DbErr, RuntimeErr, sqlx};

/// SQLite primary result codes that mean "cannot serve now", not "this statement is wrong".
const SQLITE_UNAVAILABLE: [i64; 5] = [5, 6, 10, 13, 14];

/// Whether a sea-orm error says the database cannot serve right now.
pub fn db_err_is_unavailable(error: &DbErr) -> bool {
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            sqlx_is_unavailable(e)
        }
        _ => false,
    }
}

/// Whether an sqlx error says the database cannot serve right now.
pub fn sqlx_is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::BeginFailed => true,
        sqlx::Error::Database(db) => {
            let Some(code) = db.code() else {
                return false;
            };
            if db.try_downcast_ref::<PgDatabaseError>().is_some() {
                postgres_sqlstate_is_unavailable(&code)
            } else if db.try_downcast_ref::<SqliteError>().is_some() {
                sqlite_code_is_unavailable(&code)
            } else {
                false
            }
        }
        _ => false,
    }
}

/// SQLSTATE class 08, shutdowns in progress, too many connections.
fn postgres_sqlstate_is_unavailable(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}

/// An SQLite result code (primary or extended: the primary code is its low byte).
fn sqlite_code_is_unavailable(code: &str) -> bool {
    code.parse::<i64>()
        .is_ok_and(|code| SQLITE_UNAVAILABLE.contains(&(code & 0xff)))
}

#[cfg(test)]
mod tests {
    use sea_orm::ConnAcquireErr;

    use super::*;

    #[test]
    fn connection_sqlstates_are_unavailable_and_statement_errors_are_not() {
        for code in ["08006", "08001", "57P01", "57P03", "53300"] {
            assert!(postgres_sqlstate_is_unavailable(code), "{code}");
        }
        for code in ["23505", "22003", "42P01", "40001"] {
            assert!(!postgres_sqlstate_is_unavailable(code), "{code}");
        }
    }

    #[test]
    fn sqlite_busy_locked_io_full_and_cantopen_are_unavailable_with_extended_codes() {
        // SQLITE_BUSY_SNAPSHOT 517, SQLITE_IOERR_WRITE 778, SQLITE_FULL 13.
        for code in ["5", "517", "6", "10", "778", "13", "14"] {
            assert!(sqlite_code_is_unavailable(code), "{code}");
        }
        // SQLITE_CONSTRAINT_UNIQUE 2067, SQLITE_ERROR 1, SQLITE_TOOBIG 18.
        for code in ["2067", "1", "18", "not a code"] {
            assert!(!sqlite_code_is_unavailable(code), "{code}");
        }
    }

    #[test]
    fn pool_and_io_failures_are_unavailable_through_sea_orm_too() {
        assert!(db_err_is_unavailable(&DbErr::ConnectionAcquire(
            ConnAcquireErr::ConnectionClosed
        )));
        let timed_out = DbErr::Query(RuntimeErr::SqlxError(sqlx::Error::PoolTimedOut.into()));
        assert!(db_err_is_unavailable(&timed_out));
        let io = sqlx::Error::Io(std::io::ErrorKind::ConnectionReset.into());
        assert!(sqlx_is_unavailable(&io));
        assert!(!db_err_is_unavailable(&DbErr::RecordNotFound("x".into())));
        assert!(!sqlx_is_unavailable(&sqlx::Error::RowNotFound));
    }
}
