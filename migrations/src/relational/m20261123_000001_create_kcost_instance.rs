//! Creates `kcost_instance`: write-once named values of this installation (a generated
//! API-key pepper, the generated admin token's hash), so restarts and replicas agree.

use sea_orm_migration::{prelude::*, schema::*};

use super::tables;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum KcostInstance {
    Table,
    Name,
    Value,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(KcostInstance::Table)
            .col(text(KcostInstance::Name).primary_key())
            .col(text(KcostInstance::Value))
            .col(timestamp_with_time_zone(KcostInstance::CreatedAt))
            .to_owned();
        tables::create(manager, table, []).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        tables::drop(manager, KcostInstance::Table).await
    }
}
