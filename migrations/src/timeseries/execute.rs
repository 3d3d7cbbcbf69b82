//! Executing a time-series migration's statements, and skipping them where the
//! migration is PostgreSQL-only.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// Executes `statements` one after the other, stopping at the first error.
pub async fn all<S: AsRef<str>>(
    db: &impl ConnectionTrait,
    statements: impl IntoIterator<Item = S>,
) -> Result<(), DbErr> {
    // Collected before the first await: a generic iterator held across it fails rustc's
    // higher-ranked `Send` check on the callers' `async_trait` futures.
    let statements: Vec<String> = statements
        .into_iter()
        .map(|sql| sql.as_ref().to_owned())
        .collect();
    for sql in statements {
        db.execute_unprepared(&sql).await?;
    }
    Ok(())
}

/// [`all`] on PostgreSQL; nothing on SQLite, whose store answers from its per-pod rollups
/// and never reads the tables of the PostgreSQL-only migrations.
pub async fn on_postgres_only<S: AsRef<str>>(
    manager: &SchemaManager<'_>,
    statements: impl IntoIterator<Item = S>,
) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    all(manager.get_connection(), statements).await
}
