//! Translation of sqlx errors into the port's error contract: connection, pool and
//! server-availability failures are `Unavailable` (retryable); everything else is
//! `Unexpected`. Both carry context naming the operation.

use kcost_ports::MetricsStoreError;

/// Maps a sqlx error raised during `operation`.
pub(crate) fn db(operation: &'static str) -> impl FnOnce(sqlx::Error) -> MetricsStoreError {
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

/// A non-database failure (bad data, out-of-range values) during `operation`.
pub(crate) fn unexpected(operation: &'static str, error: anyhow::Error) -> MetricsStoreError {
    MetricsStoreError::Unexpected(error.context(format!("metrics store: {operation}")))
}

fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::BeginFailed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // 08: connection exception; 57P01-03: shutdown / cannot connect now;
            // 53300: too many connections.
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53300")
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_and_io_failures_are_unavailable() {
        let closed = db("ping")(sqlx::Error::PoolClosed);
        assert!(matches!(closed, MetricsStoreError::Unavailable(_)));
        let io = db("ping")(sqlx::Error::Io(
            std::io::ErrorKind::ConnectionRefused.into(),
        ));
        assert!(matches!(io, MetricsStoreError::Unavailable(_)));
    }

    #[test]
    fn other_failures_are_unexpected_with_context() {
        let error = db("costs")(sqlx::Error::RowNotFound);
        assert!(matches!(error, MetricsStoreError::Unexpected(_)));
        let MetricsStoreError::Unexpected(inner) = error else {
            unreachable!()
        };
        assert_eq!(inner.to_string(), "metrics store: costs");
    }
}
