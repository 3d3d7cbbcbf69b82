//! Translation of sqlx errors into the port's error contract: what the shared classifier
//! (`kcost_sql_errors`: connection, pool and server-availability failures) calls
//! unavailable is `Unavailable` (retryable); everything else is `Unexpected`. Both carry
//! context naming the operation.

use kcost_ports::MetricsStoreError;
use kcost_sql_errors::sqlx_is_unavailable as is_unavailable;

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
