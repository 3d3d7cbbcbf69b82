//! Creates `tenants`: the unit of isolation; names are unique.

use sea_orm_migration::{prelude::*, schema::*};

use super::tables;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Tenants {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(Tenants::Table)
            .col(pk_uuid(Tenants::Id))
            .col(text_uniq(Tenants::Name))
            .col(timestamp_with_time_zone(Tenants::CreatedAt))
            .to_owned();
        tables::create(manager, table, []).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        tables::drop(manager, Tenants::Table).await
    }
}
