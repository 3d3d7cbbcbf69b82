//! [`SeaOrmAlertRepository`]: alerts on PostgreSQL or SQLite. The unique index on
//! (tenant, budget, kind, threshold, period start) makes recording idempotent, and a
//! delivery outcome is written only over the attempt it follows, so two replicas never
//! both record one alert or both count one attempt.

use anyhow::anyhow;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kcost_domain::alert::{Alert, AlertId, AlertKind, Delivery, DeliveryState};
use kcost_domain::budget::{BudgetId, BudgetPeriod};
use kcost_domain::money::Money;
use kcost_domain::tenant::TenantId;
use kcost_ports::{AlertFilter, AlertPage, AlertRepository, AlertRepositoryError, Page};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::db_error::{DbFailure, port_error};
use crate::entities::alert::{self, Column};
use crate::exact_decimal::ExactDecimal;
use crate::timestamps::to_micros;

/// Stores alerts through sea-orm; backend-portable.
#[derive(Debug, Clone)]
pub struct SeaOrmAlertRepository {
    db: DatabaseConnection,
}

impl SeaOrmAlertRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn count(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

fn to_row(alert: &Alert) -> alert::ActiveModel {
    alert::ActiveModel {
        id: Set(*alert.id.as_uuid()),
        tenant_id: Set(*alert.tenant_id.as_uuid()),
        budget_id: Set(*alert.budget_id.as_uuid()),
        budget_name: Set(alert.budget_name.clone()),
        kind: Set(alert.kind.as_str().to_owned()),
        threshold_percent: Set(count(alert.threshold_percent)),
        period: Set(alert.period.as_str().to_owned()),
        period_start: Set(to_micros(alert.period_start)),
        spend: Set(ExactDecimal(alert.spend.amount())),
        amount: Set(ExactDecimal(alert.amount.amount())),
        forecast: Set(alert.forecast.map(|f| ExactDecimal(f.amount()))),
        message: Set(alert.message.clone()),
        created_at: Set(to_micros(alert.created_at)),
        state: Set(alert.delivery.state.as_str().to_owned()),
        attempts: Set(count(alert.delivery.attempts)),
        last_error: Set(alert.delivery.last_error.clone()),
        last_attempt_at: Set(alert.delivery.last_attempt_at.map(to_micros)),
        next_attempt_at: Set(alert.delivery.next_attempt_at.map(to_micros)),
    }
}

/// Reads a stored row back; a row that fails validation is corrupt, hence `Unexpected`.
fn to_domain(row: alert::Model) -> Result<Alert, AlertRepositoryError> {
    let id = row.id;
    let corrupt = |what: &str| anyhow!("stored alert {id} has an invalid {what}");
    let unsigned = |value: i32, what: &str| u32::try_from(value).map_err(|_| corrupt(what));
    Ok(Alert {
        id: AlertId::from_uuid(row.id),
        tenant_id: TenantId::from_uuid(row.tenant_id),
        budget_id: BudgetId::from_uuid(row.budget_id),
        budget_name: row.budget_name,
        kind: AlertKind::parse(&row.kind).ok_or_else(|| corrupt("kind"))?,
        threshold_percent: unsigned(row.threshold_percent, "threshold")?,
        period: row
            .period
            .parse::<BudgetPeriod>()
            .map_err(|_| corrupt("period"))?,
        period_start: row.period_start,
        spend: Money::from_decimal(row.spend.0),
        amount: Money::from_decimal(row.amount.0),
        forecast: row.forecast.map(|f| Money::from_decimal(f.0)),
        message: row.message,
        created_at: row.created_at,
        delivery: Delivery {
            state: DeliveryState::parse(&row.state).ok_or_else(|| corrupt("state"))?,
            attempts: unsigned(row.attempts, "attempt count")?,
            last_error: row.last_error,
            last_attempt_at: row.last_attempt_at,
            next_attempt_at: row.next_attempt_at,
        },
    })
}

/// Maps a failed statement of `operation` to `Unavailable` or `Unexpected`.
fn failed(operation: &'static str) -> impl FnOnce(DbErr) -> AlertRepositoryError {
    move |error| port_error(operation, error)
}

#[async_trait]
impl AlertRepository for SeaOrmAlertRepository {
    #[tracing::instrument(skip(self, alert), fields(budget = %alert.budget_id, kind = alert.kind.as_str()), err)]
    async fn record(&self, alert: &Alert) -> Result<bool, AlertRepositoryError> {
        let once = OnConflict::columns([
            Column::TenantId,
            Column::BudgetId,
            Column::Kind,
            Column::ThresholdPercent,
            Column::PeriodStart,
        ])
        .do_nothing()
        .to_owned();
        match alert::Entity::insert(to_row(alert))
            .on_conflict(once)
            .exec_without_returning(&self.db)
            .await
        {
            Ok(inserted) => Ok(inserted > 0),
            Err(DbErr::RecordNotInserted) => Ok(false),
            Err(error) => match DbFailure::classify(error) {
                // The budget was deleted while it was being evaluated.
                DbFailure::ForeignKeyViolation(_) => Ok(false),
                other => Err(other.into_port_error("recording an alert")),
            },
        }
    }

    #[tracing::instrument(skip(self), err)]
    async fn list(
        &self,
        tenant: TenantId,
        filter: &AlertFilter,
        page: Page,
    ) -> Result<AlertPage, AlertRepositoryError> {
        const OPERATION: &str = "listing alerts";
        let mut condition = Condition::all().add(Column::TenantId.eq(*tenant.as_uuid()));
        if let Some(budget) = filter.budget {
            condition = condition.add(Column::BudgetId.eq(*budget.as_uuid()));
        }
        let matching = alert::Entity::find().filter(condition);
        let total = matching
            .clone()
            .count(&self.db)
            .await
            .map_err(failed(OPERATION))?;
        let items = matching
            .order_by_desc(Column::CreatedAt)
            .order_by_asc(Column::Id)
            .limit(u64::from(page.limit()))
            .offset(page.offset())
            .all(&self.db)
            .await
            .map_err(failed(OPERATION))?
            .into_iter()
            .map(to_domain)
            .collect::<Result<_, _>>()?;
        Ok(AlertPage { items, total })
    }

    #[tracing::instrument(skip(self), err)]
    async fn due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Alert>, AlertRepositoryError> {
        alert::Entity::find()
            .filter(Column::State.eq(DeliveryState::Pending.as_str()))
            .filter(Column::NextAttemptAt.lte(to_micros(now)))
            .order_by_asc(Column::NextAttemptAt)
            .order_by_asc(Column::Id)
            .limit(u64::from(limit))
            .all(&self.db)
            .await
            .map_err(failed("listing alerts due for delivery"))?
            .into_iter()
            .map(to_domain)
            .collect()
    }

    #[tracing::instrument(skip(self), err)]
    async fn claim(
        &self,
        id: AlertId,
        due_at: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, AlertRepositoryError> {
        let result = alert::Entity::update_many()
            .col_expr(Column::NextAttemptAt, Some(to_micros(lease_until)).into())
            .filter(Column::Id.eq(*id.as_uuid()))
            .filter(Column::State.eq(DeliveryState::Pending.as_str()))
            .filter(Column::NextAttemptAt.eq(to_micros(due_at)))
            .exec(&self.db)
            .await
            .map_err(failed("claiming an alert for delivery"))?;
        Ok(result.rows_affected > 0)
    }

    #[tracing::instrument(skip(self, delivery), err)]
    async fn save_delivery(
        &self,
        id: AlertId,
        attempts_before: u32,
        delivery: &Delivery,
    ) -> Result<bool, AlertRepositoryError> {
        const OPERATION: &str = "recording a delivery attempt";
        let result = alert::Entity::update_many()
            .col_expr(Column::State, delivery.state.as_str().into())
            .col_expr(Column::Attempts, count(delivery.attempts).into())
            .col_expr(Column::LastError, delivery.last_error.clone().into())
            .col_expr(
                Column::LastAttemptAt,
                delivery.last_attempt_at.map(to_micros).into(),
            )
            .col_expr(
                Column::NextAttemptAt,
                delivery.next_attempt_at.map(to_micros).into(),
            )
            .filter(Column::Id.eq(*id.as_uuid()))
            .filter(Column::Attempts.eq(count(attempts_before)))
            .exec(&self.db)
            .await
            .map_err(failed(OPERATION))?;
        if result.rows_affected > 0 {
            return Ok(true);
        }
        let exists = alert::Entity::find_by_id(*id.as_uuid())
            .count(&self.db)
            .await
            .map_err(failed(OPERATION))?;
        if exists == 0 {
            return Err(AlertRepositoryError::NotFound);
        }
        Ok(false)
    }
}
