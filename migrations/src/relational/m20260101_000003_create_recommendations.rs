//! Creates `recommendations`: right-sizing advice per target and resource, with its
//! open → applied | dismissed lifecycle.

use sea_orm_migration::{prelude::*, schema::*};

use super::columns::{MONEY_PRECISION, exact_decimal};
use super::tables;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Recommendations {
    Table,
    Id,
    TenantId,
    Cluster,
    Namespace,
    WorkloadKind,
    WorkloadName,
    Pod,
    Container,
    Resource,
    CurrentValue,
    RecommendedValue,
    MonthlySavings,
    Confidence,
    Reason,
    Status,
    CreatedAt,
    UpdatedAt,
    ClosedBy,
    CloseReason,
}

/// Serves the list endpoint (`WHERE tenant_id = ? AND status = ?`).
const TENANT_STATUS_INDEX: &str = "idx_recommendations_tenant_status";
/// Serves the regeneration lookup of the latest recommendation for a target and resource.
const TARGET_INDEX: &str = "idx_recommendations_target";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let table =
            Table::create()
                .table(Recommendations::Table)
                .col(pk_uuid(Recommendations::Id))
                .col(uuid(Recommendations::TenantId))
                .col(text(Recommendations::Cluster))
                .col(text(Recommendations::Namespace))
                .col(text_null(Recommendations::WorkloadKind))
                .col(text_null(Recommendations::WorkloadName))
                .col(text_null(Recommendations::Pod))
                .col(text_null(Recommendations::Container))
                .col(
                    text(Recommendations::Resource)
                        .check(Expr::col(Recommendations::Resource).is_in(["cpu", "memory"])),
                )
                .col(big_integer(Recommendations::CurrentValue))
                .col(big_integer(Recommendations::RecommendedValue))
                .col(exact_decimal(
                    backend,
                    Recommendations::MonthlySavings,
                    Some(MONEY_PRECISION),
                ))
                .col(exact_decimal(backend, Recommendations::Confidence, None))
                .col(text(Recommendations::Reason))
                .col(text(Recommendations::Status).check(
                    Expr::col(Recommendations::Status).is_in(["open", "applied", "dismissed"]),
                ))
                .col(timestamp_with_time_zone(Recommendations::CreatedAt))
                .col(timestamp_with_time_zone(Recommendations::UpdatedAt))
                .col(text_null(Recommendations::ClosedBy))
                .col(text_null(Recommendations::CloseReason))
                .foreign_key(&mut tables::tenant_foreign_key(
                    "fk_recommendations_tenant",
                    Recommendations::Table,
                    Recommendations::TenantId,
                ))
                .to_owned();
        let by_tenant_status = Index::create()
            .name(TENANT_STATUS_INDEX)
            .table(Recommendations::Table)
            .col(Recommendations::TenantId)
            .col(Recommendations::Status)
            .to_owned();
        let by_target = Index::create()
            .name(TARGET_INDEX)
            .table(Recommendations::Table)
            .col(Recommendations::TenantId)
            .col(Recommendations::Cluster)
            .col(Recommendations::Namespace)
            .col(Recommendations::WorkloadKind)
            .col(Recommendations::WorkloadName)
            .col(Recommendations::Pod)
            .col(Recommendations::Container)
            .col(Recommendations::Resource)
            .to_owned();
        tables::create(manager, table, [by_tenant_status, by_target]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        tables::drop(manager, Recommendations::Table).await
    }
}
