//! First time-series migration: creates every time-series table, choosing the layout by
//! backend (PostgreSQL native partitions, TimescaleDB hypertables, or SQLite tables).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use super::{postgres, sqlite, timescale};

#[derive(Debug)]
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000001_create_timeseries"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                let hypertables = timescale::is_enabled(db).await?;
                postgres::create(db, !hypertables).await?;
                if hypertables {
                    timescale::convert(db).await?;
                }
                Ok(())
            }
            DbBackend::Sqlite => sqlite::create(db).await,
            other => Err(DbErr::Migration(format!(
                "time-series tables are not supported on {other:?}"
            ))),
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => postgres::drop(db).await,
            DbBackend::Sqlite => sqlite::drop(db).await,
            other => Err(DbErr::Migration(format!(
                "time-series tables are not supported on {other:?}"
            ))),
        }
    }
}
