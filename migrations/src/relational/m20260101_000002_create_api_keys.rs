//! Creates `api_keys`: salted, peppered hashes of API keys (never secrets), one tenant each.

use sea_orm_migration::{prelude::*, schema::*};

use super::tables;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    KeyId,
    TenantId,
    Name,
    Salt,
    SecretHash,
    /// JSON array of scope names, e.g. `["costs:read","metrics:write"]`.
    Scopes,
    Cluster,
    Revoked,
    ExpiresAt,
    CreatedAt,
    LastUsedAt,
}

const TENANT_INDEX: &str = "idx_api_keys_tenant_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(ApiKeys::Table)
            .col(pk_uuid(ApiKeys::KeyId))
            .col(uuid(ApiKeys::TenantId))
            .col(text_null(ApiKeys::Name))
            .col(text(ApiKeys::Salt))
            .col(text(ApiKeys::SecretHash))
            .col(text(ApiKeys::Scopes))
            .col(text_null(ApiKeys::Cluster))
            .col(boolean(ApiKeys::Revoked).default(false))
            .col(timestamp_with_time_zone_null(ApiKeys::ExpiresAt))
            .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
            .col(timestamp_with_time_zone_null(ApiKeys::LastUsedAt))
            .foreign_key(&mut tables::tenant_foreign_key(
                "fk_api_keys_tenant",
                ApiKeys::Table,
                ApiKeys::TenantId,
            ))
            .to_owned();
        let by_tenant = Index::create()
            .name(TENANT_INDEX)
            .table(ApiKeys::Table)
            .col(ApiKeys::TenantId)
            .to_owned();
        tables::create(manager, table, [by_tenant]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        tables::drop(manager, ApiKeys::Table).await
    }
}
