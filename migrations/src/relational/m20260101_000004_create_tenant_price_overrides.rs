//! Creates `tenant_price_overrides`: a tenant's own hourly price per instance type
//! (one per tenant and instance type, enforced by the primary key).

use sea_orm_migration::{prelude::*, schema::*};

use super::columns::{MONEY_PRECISION, exact_decimal};
use super::tables;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TenantPriceOverrides {
    Table,
    TenantId,
    InstanceType,
    HourlyCost,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let table = Table::create()
            .table(TenantPriceOverrides::Table)
            .col(uuid(TenantPriceOverrides::TenantId))
            .col(text(TenantPriceOverrides::InstanceType))
            .col(exact_decimal(
                backend,
                TenantPriceOverrides::HourlyCost,
                Some(MONEY_PRECISION),
            ))
            .col(timestamp_with_time_zone(TenantPriceOverrides::UpdatedAt))
            .primary_key(
                Index::create()
                    .name("pk_tenant_price_overrides")
                    .col(TenantPriceOverrides::TenantId)
                    .col(TenantPriceOverrides::InstanceType),
            )
            .foreign_key(&mut tables::tenant_foreign_key(
                "fk_tenant_price_overrides_tenant",
                TenantPriceOverrides::Table,
                TenantPriceOverrides::TenantId,
            ))
            .to_owned();
        tables::create(manager, table, []).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        tables::drop(manager, TenantPriceOverrides::Table).await
    }
}
