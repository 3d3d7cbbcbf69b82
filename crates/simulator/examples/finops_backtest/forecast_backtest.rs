//! Rolling-origin backtest of `forecast_daily`: for every group and every origin day
//! with at least a week of history, forecast the next `horizon` days from the days before
//! the origin and score them against what the simulation then cost. The naive baselines
//! are scored on exactly the same origins: the last day repeated, and last week repeated
//! (the seasonal naive). Results are split by the method kcost chose at that origin, since
//! that follows the history's length.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use kcost_analytics::forecast::forecast_daily;
use rust_decimal::Decimal;

use crate::metrics::ErrorTally;

pub const KCOST: &str = "kcost";
pub const LAST_VALUE: &str = "last value";
pub const LAST_WEEK: &str = "last week (seasonal naive)";

/// Tallies by (kcost's method at the origin, forecaster).
pub type Tallies = BTreeMap<(&'static str, &'static str), ErrorTally>;

/// `daily`: each group's cost per day from `start_date`.
pub fn backtest(
    daily: &BTreeMap<String, Vec<Decimal>>,
    start_date: NaiveDate,
    horizon: usize,
) -> Tallies {
    let mut tallies = Tallies::new();
    for days in daily.values() {
        for origin in 7..=days.len().saturating_sub(horizon) {
            let (history, future) = (&days[..origin], &days[origin..origin + horizon]);
            let Some(first_date) = start_date.checked_add_days(Days::new(origin as u64)) else {
                continue;
            };
            let forecast = forecast_daily(history, first_date, horizon as u32);
            let regime = forecast.method.name();
            let predicted: Vec<Decimal> =
                forecast.days.iter().map(|day| day.cost.amount()).collect();
            let interval: Vec<(Decimal, Decimal)> = forecast
                .days
                .iter()
                .map(|day| (day.lower.amount(), day.upper.amount()))
                .collect();
            tallies
                .entry((regime, KCOST))
                .or_default()
                .add(&predicted, future, Some(&interval));
            let last = history[origin - 1];
            tallies.entry((regime, LAST_VALUE)).or_default().add(
                &vec![last; horizon],
                future,
                None,
            );
            let last_week = &history[origin - 7..];
            let seasonal: Vec<Decimal> = (0..horizon).map(|ahead| last_week[ahead % 7]).collect();
            tallies
                .entry((regime, LAST_WEEK))
                .or_default()
                .add(&seasonal, future, None);
        }
    }
    tallies
}
