//! Daily cost forecasts with prediction intervals for one group (a namespace, a cluster,
//! a label value), from its history of one cost per UTC day.
//!
//! The method follows the history's length (see [`method_for`]):
//! - three weeks or more: additive Holt–Winters with a damped trend and a weekly season
//!   (`holt_winters`), its smoothing parameters fitted to the history;
//! - one to three weeks: the weekly seasonal mean (`seasonal_naive`);
//! - under a week: a flat line at the median (`flat`).
//!
//! Leading zero days are dropped first: they are days before the group existed, and would
//! otherwise teach the season and the trend a ramp that will not repeat. Intervals come
//! from each method's one-step in-sample errors, widened with the horizon as that method's
//! error compounds; see docs/finops.md for the rationale and the backtest.

mod flat;
mod holt_winters;
mod seasonal_naive;
#[cfg(test)]
mod tests;

use chrono::{Days, NaiveDate};
use kcost_domain::money::Money;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::numeric::{to_f64, to_money};

/// Nominal coverage of [`DailyForecast::lower`]..=[`DailyForecast::upper`].
pub const INTERVAL_LEVEL: f64 = 0.95;
/// The standard normal quantile for [`INTERVAL_LEVEL`] (two-sided).
const INTERVAL_Z: f64 = 1.959_964;

/// Fewest days (after leading zeros) for Holt–Winters: two weeks to initialise the
/// level, trend and season, and at least one more to fit the smoothing parameters on.
pub const HOLT_WINTERS_MIN_DAYS: usize = 21;
/// Fewest days for the weekly seasonal mean: one full week.
pub const SEASONAL_NAIVE_MIN_DAYS: usize = 7;
/// Days of history used at most: older days barely weigh in once the parameters are
/// fitted, and bounding them bounds the fitting's cost per group.
pub const MAX_HISTORY_DAYS: usize = 182;
/// Longest horizon answered; longer requests are cut to it.
pub const MAX_HORIZON_DAYS: u32 = 731;

/// One forecast day: the expected cost and its prediction interval, never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DailyForecast {
    pub date: NaiveDate,
    pub cost: Money,
    pub lower: Money,
    pub upper: Money,
}

/// How a forecast was made, chosen from the history's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ForecastMethod {
    /// Additive Holt–Winters, damped trend, weekly season, parameters fitted.
    HoltWintersWeekly,
    /// Each weekday's mean over the last one or two weeks.
    SeasonalNaiveWeekly,
    /// The median of the (under a week of) history, or zero without history.
    Flat,
}

impl ForecastMethod {
    /// The method's wire name, as serialized.
    pub fn name(&self) -> &'static str {
        match self {
            Self::HoltWintersWeekly => "holt_winters_weekly",
            Self::SeasonalNaiveWeekly => "seasonal_naive_weekly",
            Self::Flat => "flat",
        }
    }
}

/// A group's forecast: one entry per day of the horizon, from the first forecast date on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Forecast {
    pub method: ForecastMethod,
    pub days: Vec<DailyForecast>,
}

impl Forecast {
    /// Σ of the daily expected costs (e.g. the spend still to come in a budget period).
    pub fn total_cost(&self) -> Money {
        self.days.iter().map(|day| day.cost).sum()
    }
}

/// The method [`forecast_daily`] uses for `history_days` days (counted after leading zeros).
pub fn method_for(history_days: usize) -> ForecastMethod {
    if history_days >= HOLT_WINTERS_MIN_DAYS {
        ForecastMethod::HoltWintersWeekly
    } else if history_days >= SEASONAL_NAIVE_MIN_DAYS {
        ForecastMethod::SeasonalNaiveWeekly
    } else {
        ForecastMethod::Flat
    }
}

/// What every method produces: the point forecast and the standard deviation of its
/// error, per day ahead.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PointForecast {
    pub cost: Vec<f64>,
    pub error_sd: Vec<f64>,
}

/// Forecasts `horizon_days` days from `first_date` on.
///
/// `history`: one cost per UTC day, oldest first, consecutive, the last being the day
/// before `first_date`. Chooses the method from the history's length; never negative
/// costs; `lower <= cost <= upper`. The horizon is cut to [`MAX_HORIZON_DAYS`] and to the
/// last representable date.
pub fn forecast_daily(history: &[Decimal], first_date: NaiveDate, horizon_days: u32) -> Forecast {
    let series = usable_history(history);
    let method = method_for(series.len());
    let horizon = horizon_days.min(MAX_HORIZON_DAYS) as usize;
    let point = match method {
        ForecastMethod::HoltWintersWeekly => holt_winters::forecast(&series, horizon),
        ForecastMethod::SeasonalNaiveWeekly => seasonal_naive::forecast(&series, horizon),
        ForecastMethod::Flat => flat::forecast(&series, horizon),
    };
    let days = point
        .cost
        .iter()
        .zip(&point.error_sd)
        .enumerate()
        .map_while(|(ahead, (cost, sd))| {
            let date = first_date.checked_add_days(Days::new(ahead as u64))?;
            Some(daily(date, *cost, *sd))
        })
        .collect();
    Forecast { method, days }
}

/// The last [`MAX_HISTORY_DAYS`] days, as `f64`, without the zero days before the group's
/// first cost.
fn usable_history(history: &[Decimal]) -> Vec<f64> {
    let recent = &history[history.len().saturating_sub(MAX_HISTORY_DAYS)..];
    let first_cost = recent
        .iter()
        .position(|cost| !cost.is_zero())
        .unwrap_or(recent.len());
    recent[first_cost..].iter().copied().map(to_f64).collect()
}

/// One day's figures: the interval is symmetric around the point before both are floored
/// at zero (a cost is never negative), and the rounding to money cannot reorder them.
fn daily(date: NaiveDate, cost: f64, error_sd: f64) -> DailyForecast {
    let half_width = INTERVAL_Z * error_sd.max(0.0);
    let point = to_money(cost.max(0.0));
    let lower = to_money((cost - half_width).max(0.0)).min(point);
    let upper = to_money((cost + half_width).max(0.0)).max(point);
    DailyForecast {
        date,
        cost: point,
        lower,
        upper,
    }
}
