//! FinOps analytics: pure functions from a group's cost series to a daily forecast with
//! prediction intervals ([`forecast`]) and to the buckets whose cost departs from that
//! group's own seasonal history ([`anomaly`]). No I/O, no async: the app reads the series
//! from the stores and hands them in; docs/finops.md ("Forecasts and anomalies") explains
//! the methods and why they were chosen.
//!
//! Costs cross the boundary as exact decimals and come back as [`kcost_domain::money::Money`];
//! inside, the statistics run in `f64`, whose 15–16 significant digits are far finer than
//! any forecast's error.

pub mod anomaly;
pub mod forecast;
mod numeric;
mod stats;

#[cfg(test)]
pub(crate) mod test_series;

pub use anomaly::{
    AnomalousBucket, AnomalySettings, Bucket, Direction, Granularity, detect, since_first_cost,
};
pub use forecast::{DailyForecast, Forecast, ForecastMethod, forecast_daily};
