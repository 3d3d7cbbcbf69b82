//! Translation of sea-orm/sqlx errors into the port's error contract: pool, connection,
//! I/O and lock-contention failures (busy timeout expired) are `Unavailable` — the caller
//! may retry later; everything else is `Unexpected`. Both carry context naming the
//! operation.

use kcost_ports::MetricsStoreError;
use sea_orm::{DbErr, RuntimeErr, sqlx};

/// Primary SQLite result codes that mean "cannot serve now", not "this statement is wrong":
/// SQLITE_BUSY (5, the busy timeout expired), SQLITE_LOCKED (6), SQLITE_IOERR (10),
/// SQLITE_FULL (13, disk full) and SQLITE_CANTOPEN (14).
const UNAVAILABLE_PRIMARY_CODES: [i64; 5] = [5, 6, 10, 13, 14];

/// Maps a database error raised during `operation`.
pub(crate) fn db(operation: &'static str) -> impl FnOnce(DbErr) -> MetricsStoreError {
    move |error| {
        let unavailable = is_unavailable(&error);
        let error = anyhow::Error::new(error).context(format!("metrics store: {operation}"));
        if unavailable {
            MetricsStoreError::Unavailable(error)
        } else {
            MetricsStoreError::Unexpected(error)
        }
    }
}

/// A non-database failure (undecodable value, out-of-range quantity) during `operation`.
pub(crate) fn unexpected(
    operation: &'static str,
) -> impl FnOnce(anyhow::Error) -> MetricsStoreError {
    move |error| MetricsStoreError::Unexpected(error.context(format!("metrics store: {operation}")))
}

/// A failure during `operation` that may be a database error somewhere in its chain (a
/// database step wrapped with context): `Unavailable` when that error is, else
/// `Unexpected`.
pub(crate) fn chained(operation: &'static str) -> impl FnOnce(anyhow::Error) -> MetricsStoreError {
    move |error| {
        let unavailable = error
            .chain()
            .filter_map(|cause| cause.downcast_ref::<DbErr>())
            .any(is_unavailable);
        let error = error.context(format!("metrics store: {operation}"));
        if unavailable {
            MetricsStoreError::Unavailable(error)
        } else {
            MetricsStoreError::Unexpected(error)
        }
    }
}

/// Whether `error` says the database cannot be used right now.
pub(crate) fn is_unavailable(error: &DbErr) -> bool {
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            is_unavailable_sqlx(e)
        }
        _ => false,
    }
}

fn is_unavailable_sqlx(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_)
        | sqlx::Error::BeginFailed => true,
        sqlx::Error::Database(db) => db
            .code()
            .and_then(|code| code.parse::<i64>().ok())
            .is_some_and(|code| UNAVAILABLE_PRIMARY_CODES.contains(&(code & 0xff))),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::ConnAcquireErr;

    #[test]
    fn pool_failures_are_unavailable() {
        let closed = db("ping")(DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed));
        assert!(matches!(closed, MetricsStoreError::Unavailable(_)));
        let timed_out = db("ping")(DbErr::Query(RuntimeErr::SqlxError(
            sqlx::Error::PoolTimedOut.into(),
        )));
        assert!(matches!(timed_out, MetricsStoreError::Unavailable(_)));
    }

    #[test]
    fn other_failures_are_unexpected_with_context() {
        let error = db("costs")(DbErr::Custom("boom".into()));
        let MetricsStoreError::Unexpected(inner) = error else {
            panic!("expected Unexpected");
        };
        assert_eq!(inner.to_string(), "metrics store: costs");
    }
}
