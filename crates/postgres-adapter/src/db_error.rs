//! Classifies sea-orm errors into what the ports distinguish, the same way on PostgreSQL
//! and SQLite.

use kcost_ports::{
    ApiKeyRepositoryError, PriceRepositoryError, RecommendationRepositoryError,
    TenantRepositoryError,
};
use sea_orm::{DbErr, RuntimeErr, SqlErr, sqlx};

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
    pub(crate) fn into_port_error<E: PortError>(self, operation: &'static str) -> E {
        match self {
            Self::Unavailable(e) => E::unavailable(anyhow::Error::new(e).context(operation)),
            Self::UniqueViolation(e) | Self::ForeignKeyViolation(e) | Self::Other(e) => {
                E::unexpected(anyhow::Error::new(e).context(operation))
            }
        }
    }
}

/// Maps any failed statement of `operation` to `Unavailable` or `Unexpected`.
pub(crate) fn port_error<E: PortError>(operation: &'static str, error: DbErr) -> E {
    DbFailure::classify(error).into_port_error(operation)
}

/// The two variants every repository error has.
pub(crate) trait PortError {
    fn unavailable(source: anyhow::Error) -> Self;
    fn unexpected(source: anyhow::Error) -> Self;
}

macro_rules! impl_port_error {
    ($($error:ty),*) => {$(
        impl PortError for $error {
            fn unavailable(source: anyhow::Error) -> Self {
                Self::Unavailable(source)
            }
            fn unexpected(source: anyhow::Error) -> Self {
                Self::Unexpected(source)
            }
        }
    )*};
}

impl_port_error!(
    TenantRepositoryError,
    ApiKeyRepositoryError,
    PriceRepositoryError,
    RecommendationRepositoryError
);

/// Whether `error` says the database is unreachable rather than that a statement failed.
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
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::BeginFailed => true,
        sqlx::Error::Database(db) => {
            if db
                .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .is_some()
            {
                db.code().is_some_and(|code| is_unavailable_sqlstate(&code))
            } else if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                db.code().is_some_and(|code| is_sqlite_busy(&code))
            } else {
                false
            }
        }
        _ => false,
    }
}

/// SQLSTATE class 08 (connection exception), shutdowns in progress, too many connections.
fn is_unavailable_sqlstate(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}

/// `SQLITE_BUSY` and its extended codes: another writer held the lock past the busy
/// timeout, which is transient like an unreachable server.
fn is_sqlite_busy(code: &str) -> bool {
    const SQLITE_BUSY: i64 = 5;
    code.parse::<i64>()
        .is_ok_and(|code| code & 0xff == SQLITE_BUSY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_sqlstates_are_unavailable() {
        assert!(is_unavailable_sqlstate("08006"));
        assert!(is_unavailable_sqlstate("57P01"));
        assert!(!is_unavailable_sqlstate("23505"));
    }

    #[test]
    fn sqlite_busy_codes_are_recognised() {
        assert!(is_sqlite_busy("5"));
        assert!(is_sqlite_busy("517"));
        assert!(!is_sqlite_busy("2067"));
        assert!(!is_sqlite_busy("nope"));
    }

    #[test]
    fn pool_errors_are_unavailable() {
        assert!(is_unavailable(&DbErr::ConnectionAcquire(
            sea_orm::ConnAcquireErr::ConnectionClosed
        )));
        assert!(!is_unavailable(&DbErr::RecordNotFound("x".into())));
    }
}
