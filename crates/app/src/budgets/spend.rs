//! What a budget's scope has cost: in a window (the period so far), per day before a
//! given day (the history forecasts and anomaly checks read), and forecast to the
//! period's end. Read through the allocation use case, so the numbers are those of
//! `/allocation` for the same filter, to the last digit.

use std::sync::Arc;

use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};
use kcost_analytics::forecast::forecast_daily;
use kcost_domain::allocation::query::{Accumulate, AggregateBy, AllocationQuery, Sharing};
use kcost_domain::budget::{BudgetScope, BudgetSpec};
use kcost_domain::money::Money;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::BackendFailure;
use rust_decimal::Decimal;

use crate::allocations::{AllocationQueries, AllocationRequest};
use crate::costs::QueryError;

/// Days of history a forecast and an anomaly check read: four weeks, so each weekday is
/// seen four times.
pub const HISTORY_DAYS: u64 = 28;

/// Reads what budget scopes cost.
#[derive(Debug, Clone)]
pub struct ScopeSpend {
    allocations: Arc<AllocationQueries>,
}

/// A budget's period as it stands at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodSpend {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Spend from the period's start to now.
    pub spend: Money,
}

impl ScopeSpend {
    pub fn new(allocations: Arc<AllocationQueries>) -> Self {
        Self { allocations }
    }

    /// The spend of `spec`'s period containing `now`, up to `now`.
    pub async fn period(
        &self,
        tenant: TenantId,
        spec: &BudgetSpec,
        now: DateTime<Utc>,
    ) -> Result<PeriodSpend, QueryError> {
        let (start, end) = spec.period.bounds(now);
        let spend = match TimeWindow::new(start, now) {
            Ok(window) => self.cost(tenant, &spec.scope, window).await?,
            // The period began this very instant.
            Err(_) => Money::ZERO,
        };
        Ok(PeriodSpend { start, end, spend })
    }

    /// The scope's cost on each of the [`HISTORY_DAYS`] whole UTC days before `day`,
    /// oldest first.
    pub async fn daily_history(
        &self,
        tenant: TenantId,
        scope: &BudgetScope,
        day: NaiveDate,
    ) -> Result<Vec<Money>, QueryError> {
        let end = midnight(day);
        let start = midnight(day - Days::new(HISTORY_DAYS));
        let window = TimeWindow::new(start, end).map_err(unexpected)?;
        let request = AllocationRequest {
            window,
            step: Some(TimeDelta::days(1)),
            accumulate: Accumulate::None,
            query: scope_query(scope),
        };
        let sets = self
            .allocations
            .tenant_allocations(tenant, &request)
            .await?;
        Ok(sets.iter().map(|set| set.total_cost()).collect())
    }

    /// The spend expected by the end of the period: what was spent so far, plus the
    /// forecast of the rest of today (pro rata) and of each later day of the period.
    /// With no history yet (a new tenant or scope), the period so far is extrapolated at
    /// its own rate.
    pub fn forecast_at_end(period: &PeriodSpend, history: &[Money], now: DateTime<Utc>) -> Money {
        // No day of history with a cost: the scope is new (the forecast would drop the
        // empty days before it existed and have nothing left).
        if history.iter().all(|day| day.is_zero()) {
            return run_rate(period, now);
        }
        let history: Vec<Decimal> = history.iter().map(|m| m.amount()).collect();
        let today = now.date_naive();
        let days_left = (period.end.date_naive() - today).num_days().max(0);
        let Ok(horizon) = u32::try_from(days_left) else {
            return period.spend;
        };
        let forecast = forecast_daily(&history, today, horizon);
        let today_left = fraction_of_day_left(now);
        let rest: Decimal = forecast
            .days
            .iter()
            .enumerate()
            .map(|(i, day)| {
                if i == 0 {
                    day.cost.amount() * today_left
                } else {
                    day.cost.amount()
                }
            })
            .sum();
        period.spend + Money::from_decimal(rest)
    }

    /// The scope's cost over `window`.
    async fn cost(
        &self,
        tenant: TenantId,
        scope: &BudgetScope,
        window: TimeWindow,
    ) -> Result<Money, QueryError> {
        let request = AllocationRequest {
            window,
            step: None,
            accumulate: Accumulate::All,
            query: scope_query(scope),
        };
        let sets = self
            .allocations
            .tenant_allocations(tenant, &request)
            .await?;
        Ok(sets.iter().map(|set| set.total_cost()).sum())
    }
}

/// The allocation question a scope asks: its pods (and, for whole clusters, their idle),
/// grouped by cluster (the smallest answer that still holds all the money).
fn scope_query(scope: &BudgetScope) -> AllocationQuery {
    AllocationQuery {
        aggregate: vec![AggregateBy::Cluster],
        filter: scope.filter(),
        sharing: Sharing {
            include_idle: scope.includes_idle(),
            ..Sharing::default()
        },
    }
}

/// The period's spend so far extrapolated to its whole length.
fn run_rate(period: &PeriodSpend, now: DateTime<Utc>) -> Money {
    let elapsed = (now - period.start).num_seconds();
    let total = (period.end - period.start).num_seconds();
    if elapsed <= 0 || total <= 0 {
        return period.spend;
    }
    Money::from_decimal(period.spend.amount() * Decimal::from(total) / Decimal::from(elapsed))
}

fn fraction_of_day_left(now: DateTime<Utc>) -> Decimal {
    let next = midnight(now.date_naive() + Days::new(1));
    Decimal::from((next - now).num_seconds()) / Decimal::from(86_400)
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

fn unexpected(error: impl std::error::Error + Send + Sync + 'static) -> QueryError {
    QueryError::Failed(BackendFailure::Unexpected(anyhow::Error::new(error)))
}
