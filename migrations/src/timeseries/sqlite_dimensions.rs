//! SQLite branch of `m20261206_000001_pod_dimensions` (being written: see the SQLite
//! adapter work).

use sea_orm_migration::prelude::*;

pub async fn up(_db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    Ok(())
}
