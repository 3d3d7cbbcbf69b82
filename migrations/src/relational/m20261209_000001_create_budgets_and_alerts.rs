//! Creates `budgets` (what a tenant means to spend per period on a scope of its pods) and
//! `alerts` (what a budget told its owner, once per budget, kind, threshold and period —
//! a unique index, so replicas evaluating at once cannot send one twice — and how its
//! delivery went).

use sea_orm_migration::{prelude::*, schema::*};

use super::columns::{MONEY_PRECISION, exact_decimal, nullable_exact_decimal};
use super::tables;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Budgets {
    Table,
    Id,
    TenantId,
    Name,
    Amount,
    Period,
    ScopeCluster,
    ScopeNamespace,
    ScopeLabels,
    Thresholds,
    WebhookUrl,
    ForecastAlerts,
    AnomalyAlerts,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Alerts {
    Table,
    Id,
    TenantId,
    BudgetId,
    BudgetName,
    Kind,
    ThresholdPercent,
    Period,
    PeriodStart,
    Spend,
    Amount,
    Forecast,
    Message,
    CreatedAt,
    State,
    Attempts,
    LastError,
    LastAttemptAt,
    NextAttemptAt,
}

const PERIODS: [&str; 3] = ["daily", "weekly", "monthly"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let budgets = Table::create()
            .table(Budgets::Table)
            .col(pk_uuid(Budgets::Id))
            .col(uuid(Budgets::TenantId))
            .col(text(Budgets::Name))
            .col(exact_decimal(
                backend,
                Budgets::Amount,
                Some(MONEY_PRECISION),
            ))
            .col(text(Budgets::Period).check(Expr::col(Budgets::Period).is_in(PERIODS)))
            .col(text_null(Budgets::ScopeCluster))
            .col(text_null(Budgets::ScopeNamespace))
            // A JSON object of label → value.
            .col(text(Budgets::ScopeLabels))
            // A JSON array of whole percentages, ascending.
            .col(text(Budgets::Thresholds))
            .col(text_null(Budgets::WebhookUrl))
            .col(boolean(Budgets::ForecastAlerts))
            .col(boolean(Budgets::AnomalyAlerts))
            .col(timestamp_with_time_zone(Budgets::CreatedAt))
            .col(timestamp_with_time_zone(Budgets::UpdatedAt))
            .foreign_key(&mut tables::tenant_foreign_key(
                "fk_budgets_tenant",
                Budgets::Table,
                Budgets::TenantId,
            ))
            .to_owned();
        let budgets_by_tenant = Index::create()
            .name("idx_budgets_tenant")
            .table(Budgets::Table)
            .col(Budgets::TenantId)
            .col(Budgets::CreatedAt)
            .to_owned();
        tables::create(manager, budgets, [budgets_by_tenant]).await?;

        let alerts = Table::create()
            .table(Alerts::Table)
            .col(pk_uuid(Alerts::Id))
            .col(uuid(Alerts::TenantId))
            .col(uuid(Alerts::BudgetId))
            .col(text(Alerts::BudgetName))
            .col(
                text(Alerts::Kind)
                    .check(Expr::col(Alerts::Kind).is_in(["budget", "forecast", "anomaly"])),
            )
            .col(integer(Alerts::ThresholdPercent))
            .col(text(Alerts::Period).check(Expr::col(Alerts::Period).is_in(PERIODS)))
            .col(timestamp_with_time_zone(Alerts::PeriodStart))
            .col(exact_decimal(backend, Alerts::Spend, Some(MONEY_PRECISION)))
            .col(exact_decimal(
                backend,
                Alerts::Amount,
                Some(MONEY_PRECISION),
            ))
            .col(nullable_exact_decimal(
                backend,
                Alerts::Forecast,
                MONEY_PRECISION,
            ))
            .col(text(Alerts::Message))
            .col(timestamp_with_time_zone(Alerts::CreatedAt))
            .col(text(Alerts::State).check(Expr::col(Alerts::State).is_in([
                "pending",
                "delivered",
                "failed",
                "recorded",
            ])))
            .col(integer(Alerts::Attempts))
            .col(text_null(Alerts::LastError))
            .col(timestamp_with_time_zone_null(Alerts::LastAttemptAt))
            .col(timestamp_with_time_zone_null(Alerts::NextAttemptAt))
            .foreign_key(&mut tables::tenant_foreign_key(
                "fk_alerts_tenant",
                Alerts::Table,
                Alerts::TenantId,
            ))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_alerts_budget")
                    .from(Alerts::Table, Alerts::BudgetId)
                    .to(Budgets::Table, Budgets::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned();
        let once_per_period = Index::create()
            .name("idx_alerts_once")
            .table(Alerts::Table)
            .col(Alerts::TenantId)
            .col(Alerts::BudgetId)
            .col(Alerts::Kind)
            .col(Alerts::ThresholdPercent)
            .col(Alerts::PeriodStart)
            .unique()
            .to_owned();
        let newest_first = Index::create()
            .name("idx_alerts_tenant_created")
            .table(Alerts::Table)
            .col(Alerts::TenantId)
            .col(Alerts::CreatedAt)
            .to_owned();
        let due = Index::create()
            .name("idx_alerts_due")
            .table(Alerts::Table)
            .col(Alerts::State)
            .col(Alerts::NextAttemptAt)
            .to_owned();
        tables::create(manager, alerts, [once_per_period, newest_first, due]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        tables::drop(manager, Alerts::Table).await?;
        tables::drop(manager, Budgets::Table).await
    }
}
