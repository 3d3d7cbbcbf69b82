//! The forecast for under a week of history: a flat line at the median day.
//!
//! With fewer than seven days there is no weekly season to learn and too little to tell a
//! trend from noise, so the median (which one odd day cannot drag) is the honest guess.
//! The interval is the days' spread around it, at least [`MIN_RELATIVE_SD`] of it (one or
//! two days have no spread to measure), widened like a random walk's, √h, because the
//! level of a group this young can still move anywhere.

use super::PointForecast;
use crate::stats::{median, root_mean_square};

/// Smallest error standard deviation, as a fraction of the forecast.
const MIN_RELATIVE_SD: f64 = 0.25;

pub(super) fn forecast(history: &[f64], horizon: usize) -> PointForecast {
    let level = median(history).unwrap_or(0.0);
    let deviations: Vec<f64> = history.iter().map(|cost| cost - level).collect();
    let spread = root_mean_square(&deviations).unwrap_or(0.0);
    let one_day_sd = spread.max(MIN_RELATIVE_SD * level.abs());
    PointForecast {
        cost: vec![level; horizon],
        error_sd: (1..=horizon)
            .map(|ahead| one_day_sd * (ahead as f64).sqrt())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_history_forecasts_zero_with_no_spread() {
        let point = forecast(&[], 3);
        assert_eq!(point.cost, vec![0.0; 3]);
        assert_eq!(point.error_sd, vec![0.0; 3]);
    }

    #[test]
    fn the_median_ignores_one_odd_day() {
        let point = forecast(&[10.0, 11.0, 500.0, 10.0, 12.0], 2);
        assert_eq!(point.cost, vec![11.0, 11.0]);
        assert!(point.error_sd[1] > point.error_sd[0]);
    }

    #[test]
    fn one_day_still_has_an_interval() {
        let point = forecast(&[8.0], 1);
        assert_eq!(point.error_sd, vec![2.0]);
    }
}
