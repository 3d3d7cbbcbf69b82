//! Classifies sea-orm errors into what the ports distinguish, the same way on PostgreSQL
//! and SQLite.

use kcost_ports::BackendFailure;
use sea_orm::{DbErr, SqlErr};

/// What a failed statement means to a repository.
#[derive(Debug)]
pub(crate) enum DbFailure {
    UniqueViolation(DbErr),
    ForeignKeyViolation(DbErr),
    /// The database cannot be reached or the pool is closed or exhausted.
    Unavailable(DbErr),
    Other(DbErr),
}

impl DbFailure {
    pub(crate) fn classify(error: DbErr) -> Self {
        match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Self::UniqueViolation(error),
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => Self::ForeignKeyViolation(error),
            _ if is_unavailable(&error) => Self::Unavailable(error),
            _ => Self::Other(error),
        }
    }

    /// The port error for a failure the caller has no specific variant for: `Unavailable`
    /// or `Unexpected`, with `operation` as context.
    pub(crate) fn into_port_error<E: From<BackendFailure>>(self, operation: &'static str) -> E {
        match self {
            Self::Unavailable(e) => {
                BackendFailure::Unavailable(anyhow::Error::new(e).context(operation)).into()
            }
            Self::UniqueViolation(e) | Self::ForeignKeyViolation(e) | Self::Other(e) => {
                BackendFailure::Unexpected(anyhow::Error::new(e).context(operation)).into()
            }
        }
    }
}

/// Maps any failed statement of `operation` to `Unavailable` or `Unexpected`.
pub(crate) fn port_error<E: From<BackendFailure>>(operation: &'static str, error: DbErr) -> E {
    DbFailure::classify(error).into_port_error(operation)
}

/// Whether `error` says the database cannot serve right now: the classifier every SQL
/// adapter shares.
pub(crate) use kcost_sql_errors::db_err_is_unavailable as is_unavailable;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_errors_are_unavailable_and_constraint_violations_their_own_kind() {
        assert!(is_unavailable(&DbErr::ConnectionAcquire(
            sea_orm::ConnAcquireErr::ConnectionClosed
        )));
        assert!(!is_unavailable(&DbErr::RecordNotFound("x".into())));
        let failure = DbFailure::classify(DbErr::RecordNotFound("x".into()));
        assert!(matches!(failure, DbFailure::Other(_)));
    }
}
