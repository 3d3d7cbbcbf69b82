//! Fifth time-series migration: pods and nodes as dimensions, append-only narrow samples,
//! container samples, daily rollups and the rollup watermark; existing data is moved, not
//! lost. The backends' SQL lives in `postgres_dimensions` and `sqlite_dimensions`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use super::{postgres_dimensions, sqlite_dimensions};

#[derive(Debug)]
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000001_pod_dimensions"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => postgres_dimensions::up(db).await,
            DbBackend::Sqlite => sqlite_dimensions::up(db).await,
            other => Err(DbErr::Migration(format!(
                "time-series tables are not supported on {other:?}"
            ))),
        }
    }

    /// Lossy on PostgreSQL (the new tables go; the narrow samples stay for the earlier
    /// migrations' `down` to drop); refused on SQLite. Restore a backup taken before the
    /// migration to get the old rows back.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DbBackend::Postgres => postgres_dimensions::down(manager.get_connection()).await,
            _ => Err(DbErr::Migration(
                "m20261206_000001_pod_dimensions cannot be reverted on SQLite: restore a \
                 backup taken before it instead"
                    .into(),
            )),
        }
    }
}
