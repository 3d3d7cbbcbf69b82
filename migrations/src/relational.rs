//! The relational schema: tenants, API keys, recommendations, tenant price overrides, the
//! installation's own write-once settings (`kcost_instance`), budgets and their alerts.
//!
//! Written with sea-query's schema builder so the very same migrations run on PostgreSQL
//! and on SQLite (the embedded default). Where the two engines differ in a way that matters
//! (exact decimals), [`columns`] picks the column type per backend; `tables` holds what
//! every migration does alike (create with indexes, drop, the tenant foreign key).

use sea_orm_migration::prelude::*;

pub mod columns;
mod m20260101_000001_create_tenants;
mod m20260101_000002_create_api_keys;
mod m20260101_000003_create_recommendations;
mod m20260101_000004_create_tenant_price_overrides;
mod m20261123_000001_create_kcost_instance;
mod m20261209_000001_create_budgets_and_alerts;
mod tables;

/// Tracking table of [`RelationalMigrator`]; distinct from the time-series migrator's so
/// both can share one database.
pub const RELATIONAL_MIGRATIONS_TABLE: &str = "kcost_relational_migrations";

/// Migrates the relational store.
#[derive(Debug, Clone, Copy, Default)]
pub struct RelationalMigrator;

#[async_trait::async_trait]
impl MigratorTrait for RelationalMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260101_000001_create_tenants::Migration),
            Box::new(m20260101_000002_create_api_keys::Migration),
            Box::new(m20260101_000003_create_recommendations::Migration),
            Box::new(m20260101_000004_create_tenant_price_overrides::Migration),
            Box::new(m20261123_000001_create_kcost_instance::Migration),
            Box::new(m20261209_000001_create_budgets_and_alerts::Migration),
        ]
    }

    fn migration_table_name() -> DynIden {
        RELATIONAL_MIGRATIONS_TABLE.into_iden()
    }
}
