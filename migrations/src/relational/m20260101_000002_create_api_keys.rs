//! Creates `api_keys`: salted, peppered hashes of API keys (never secrets), one tenant each.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20260101_000001_create_tenants::Tenants;

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
        manager
            .create_table(
                Table::create()
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
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_api_keys_tenant")
                            .from(ApiKeys::Table, ApiKeys::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(TENANT_INDEX)
                    .table(ApiKeys::Table)
                    .col(ApiKeys::TenantId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApiKeys::Table).to_owned())
            .await
    }
}
