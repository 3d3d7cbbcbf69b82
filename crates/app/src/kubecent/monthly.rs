//! Cost per calendar month (UTC) within a window: the window is cut at month boundaries and
//! each piece is asked of the store on its own, so counts are distinct within the month.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use kcost_domain::costs::{CostFilter, CostGrouping, CostKey, CostQuery};
use kcost_domain::money::Money;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::MetricsStore;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::costs::QueryError;

const SECONDS_PER_DAY: i64 = 24 * 60 * 60;

/// One calendar month's part of the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthCost {
    /// `YYYY-MM`.
    pub month: String,
    /// The part of the window inside this month.
    pub window: TimeWindow,
    /// Allocated plus idle: what the clusters cost.
    pub cost: Money,
    /// `cost` per elapsed day of the part (up to now); zero if none has elapsed.
    pub daily_average: Money,
    /// Distinct namespace names seen in the part.
    pub namespaces: u64,
    /// Distinct pods seen in the part (per cluster, summed over clusters).
    pub pods: u64,
}

/// `/cost/monthly`: months oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyCosts {
    pub window: TimeWindow,
    pub months: Vec<MonthCost>,
}

impl MonthlyCosts {
    /// Σ of the months' costs.
    pub fn total(&self) -> Money {
        self.months.iter().map(|month| month.cost).sum()
    }
}

pub(super) async fn compute(
    metrics: &dyn MetricsStore,
    tenant: TenantId,
    window: TimeWindow,
    now: DateTime<Utc>,
) -> Result<MonthlyCosts, QueryError> {
    let mut months = Vec::new();
    for part in month_parts(window)? {
        let query = |grouping| CostQuery {
            window: part,
            grouping,
            filter: CostFilter::default(),
        };
        let clusters = metrics.costs(tenant, &query(CostGrouping::Cluster)).await?;
        let namespaces = metrics
            .costs(tenant, &query(CostGrouping::Namespace))
            .await?;
        let cost: Money = clusters.iter().map(|row| row.cost.total()).sum();
        months.push(MonthCost {
            month: part.start().format("%Y-%m").to_string(),
            window: part,
            cost,
            daily_average: daily_average(cost, part, now),
            namespaces: namespaces
                .iter()
                .filter(|row| matches!(row.key, CostKey::Namespace(_)))
                .count() as u64,
            pods: clusters.iter().map(|row| row.pod_count).sum(),
        });
    }
    Ok(MonthlyCosts { window, months })
}

/// `window` cut at the first instant of every month it spans.
pub(super) fn month_parts(window: TimeWindow) -> Result<Vec<TimeWindow>, QueryError> {
    let mut parts = Vec::new();
    let mut start = window.start();
    while start < window.end() {
        let end = first_of_next_month(start)
            .ok_or_else(|| QueryError::unexpected(anyhow::anyhow!("date out of range")))?
            .min(window.end());
        parts.push(TimeWindow::new(start, end).map_err(|e| QueryError::unexpected(e.into()))?);
        start = end;
    }
    Ok(parts)
}

fn first_of_next_month(t: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let (year, month) = match t.month() {
        12 => (t.year() + 1, 1),
        month => (t.year(), month + 1),
    };
    Some(
        NaiveDate::from_ymd_opt(year, month, 1)?
            .and_hms_opt(0, 0, 0)?
            .and_utc(),
    )
}

fn daily_average(cost: Money, part: TimeWindow, now: DateTime<Utc>) -> Money {
    let elapsed = (part.end().min(now) - part.start()).num_seconds();
    if elapsed <= 0 {
        return Money::ZERO;
    }
    Money::from_decimal(cost.amount() * Decimal::from(SECONDS_PER_DAY) / Decimal::from(elapsed))
}
