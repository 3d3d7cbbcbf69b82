//! `migrate`: the time-series schema on a connection from [`crate::open`] (feature
//! `migrate`), for `kcost migrate` and tests.

use kcost_migrations::{MigratorTrait, TimeseriesMigrator};
use sea_orm::{DatabaseConnection, DbErr};

/// Applies every pending time-series migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    TimeseriesMigrator::up(db, None).await
}
