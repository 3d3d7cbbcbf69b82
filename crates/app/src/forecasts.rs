//! Cost forecasts per group: each group's daily cost over the last [`HISTORY_DAYS`] whole
//! days, handed to `kcost-analytics`' forecast (see docs/finops.md for the method), for
//! the `horizon` days from today.

use std::sync::Arc;

use chrono::{Days, NaiveDate, NaiveTime, TimeDelta};
use kcost_analytics::forecast::{Forecast, forecast_daily};
use kcost_domain::api_key::AuthenticatedKey;
use kcost_domain::window::TimeWindow;
use kcost_ports::{BackendFailure, Clock};
use rust_decimal::Decimal;

use crate::cost_series::{CostSeries, GroupBy};
use crate::costs::QueryError;

/// Days of history a forecast reads: four weeks, each weekday four times.
pub const HISTORY_DAYS: u64 = 28;
/// Horizons offered.
pub const HORIZONS: [u32; 2] = [7, 30];

/// One group's forecast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupForecast {
    pub group: String,
    pub forecast: Forecast,
}

/// The forecast use case.
pub struct Forecasts {
    series: CostSeries,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Forecasts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forecasts").finish_non_exhaustive()
    }
}

impl Forecasts {
    pub fn new(series: CostSeries, clock: Arc<dyn Clock>) -> Self {
        Self { series, clock }
    }

    /// Every group's forecast for `horizon_days` from today (UTC), largest total first
    /// (needs `costs:read`).
    #[tracing::instrument(skip_all, fields(tenant = %key.tenant_id, horizon_days))]
    pub async fn forecast(
        &self,
        key: &AuthenticatedKey,
        group: &GroupBy,
        horizon_days: u32,
    ) -> Result<(NaiveDate, Vec<GroupForecast>), QueryError> {
        let today = self.clock.now().date_naive();
        let midnight = |day: NaiveDate| day.and_time(NaiveTime::MIN).and_utc();
        let first = today - Days::new(HISTORY_DAYS);
        let window = TimeWindow::new(midnight(first), midnight(today)).map_err(|error| {
            QueryError::Failed(BackendFailure::Unexpected(anyhow::Error::new(error)))
        })?;
        let series = self
            .series
            .read(key, group, window, TimeDelta::days(1))
            .await?;
        let mut forecasts: Vec<GroupForecast> = series
            .groups
            .into_iter()
            .map(|(group, daily)| {
                let history: Vec<Decimal> = daily.iter().map(|m| m.amount()).collect();
                GroupForecast {
                    group,
                    forecast: forecast_daily(&history, today, horizon_days),
                }
            })
            .collect();
        forecasts.sort_by(|a, b| {
            b.forecast
                .total_cost()
                .cmp(&a.forecast.total_cost())
                .then_with(|| a.group.cmp(&b.group))
        });
        Ok((today, forecasts))
    }
}
