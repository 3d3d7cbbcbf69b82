//! Translation of sea-orm/sqlx errors into the port's error contract: what the shared
//! classifier (`kcost_sql_errors`: pool, connection, I/O, lock contention, a full disk)
//! calls unavailable is `Unavailable` — the caller may retry later; everything else is
//! `Unexpected`. Both carry context naming the operation.

use kcost_ports::MetricsStoreError;
use kcost_sql_errors::db_err_is_unavailable as is_unavailable;
use sea_orm::DbErr;

/// Maps a database error raised during `operation`.
pub(crate) fn db(operation: &'static str) -> impl FnOnce(DbErr) -> MetricsStoreError {
    move |error| failed(operation, is_unavailable(&error), anyhow::Error::new(error))
}

/// A non-database failure (undecodable value, out-of-range quantity) during `operation`.
pub(crate) fn unexpected(
    operation: &'static str,
) -> impl FnOnce(anyhow::Error) -> MetricsStoreError {
    move |error| failed(operation, false, error)
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
        failed(operation, unavailable, error)
    }
}

/// `error`, with context naming `operation`, as the port's error of its kind.
fn failed(operation: &'static str, unavailable: bool, error: anyhow::Error) -> MetricsStoreError {
    let error = error.context(format!("metrics store: {operation}"));
    if unavailable {
        MetricsStoreError::Unavailable(error)
    } else {
        MetricsStoreError::Unexpected(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnAcquireErr, RuntimeErr, sqlx};

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
