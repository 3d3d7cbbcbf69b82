//! The forecast for one to three weeks of history: the last week's mean level plus each
//! weekday's mean deviation over the last one or two full weeks (with one week, exactly
//! the seasonal naive: last week again).
//!
//! Cluster costs repeat weekly (working days against weekends, batch jobs on a schedule),
//! so a week is the shortest history that carries the season; two weeks average out some
//! of its noise, while the level comes from the last week alone so that growth is not
//! lagged by half a week. The error standard deviation is that of the week-on-week
//! differences `y[t] − y[t−7]`, or the week's own spread when there is only one week; it
//! grows with √(weeks ahead), as the seasonal naive's error does.
use super::PointForecast;
use crate::stats::{mean, root_mean_square};

const WEEK: usize = 7;
/// Most weeks averaged.
const MAX_WEEKS: usize = 2;

pub(super) fn forecast(history: &[f64], horizon: usize) -> PointForecast {
    let weeks = (history.len() / WEEK).clamp(1, MAX_WEEKS);
    let Some(recent) = history.get(history.len().saturating_sub(weeks * WEEK)..) else {
        return PointForecast {
            cost: vec![0.0; horizon],
            error_sd: vec![0.0; horizon],
        };
    };
    let overall = mean(recent).unwrap_or(0.0);
    let last_week = mean(&recent[recent.len().saturating_sub(WEEK)..]).unwrap_or(0.0);
    let weekday_means: Vec<f64> = (0..WEEK)
        .map(|position| {
            let same_weekday: Vec<f64> = recent
                .iter()
                .skip(position)
                .step_by(WEEK)
                .copied()
                .collect();
            mean(&same_weekday).unwrap_or(0.0) - overall + last_week
        })
        .collect();
    let one_step_sd = one_step_error_sd(history, recent);
    PointForecast {
        cost: (0..horizon)
            .map(|ahead| weekday_means[ahead % WEEK])
            .collect(),
        error_sd: (0..horizon)
            .map(|ahead| one_step_sd * (((ahead / WEEK) + 1) as f64).sqrt())
            .collect(),
    }
}

/// RMS of the week-on-week differences; the spread of the last week around its mean when
/// there are fewer than two differences.
fn one_step_error_sd(history: &[f64], recent: &[f64]) -> f64 {
    let differences: Vec<f64> = history
        .iter()
        .skip(WEEK)
        .zip(history)
        .map(|(now, week_before)| now - week_before)
        .collect();
    if differences.len() >= 2 {
        return root_mean_square(&differences).unwrap_or(0.0);
    }
    let center = mean(recent).unwrap_or(0.0);
    let deviations: Vec<f64> = recent.iter().map(|cost| cost - center).collect();
    root_mean_square(&deviations).unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEEK_SHAPE: [f64; 7] = [10.0, 11.0, 12.0, 11.0, 10.0, 4.0, 3.0];

    #[test]
    fn one_week_repeats() {
        let point = forecast(&WEEK_SHAPE, 9);
        assert_eq!(point.cost[..7], WEEK_SHAPE);
        assert_eq!(point.cost[7..], WEEK_SHAPE[..2]);
    }

    #[test]
    fn the_forecast_continues_the_weekday_after_the_last_day() {
        // Ten days: the last full weeks start on day 3 of the shape.
        let history: Vec<f64> = (0..10).map(|day| WEEK_SHAPE[day % 7]).collect();
        let point = forecast(&history, 1);
        assert_eq!(point.cost, vec![WEEK_SHAPE[3]]);
        assert_eq!(point.error_sd, vec![0.0]);
    }

    #[test]
    fn two_weeks_average_the_shape_at_the_last_weeks_level() {
        let mut history = WEEK_SHAPE.to_vec();
        history.extend(WEEK_SHAPE.iter().enumerate().map(|(day, cost)| {
            // One week later: 2 more, and Monday 1 more than that (noise).
            cost + 2.0 + if day == 0 { 1.0 } else { 0.0 }
        }));
        let point = forecast(&history, 8);
        let last_week_level = 1.0 / 7.0;
        assert!(
            (point.cost[1] - (WEEK_SHAPE[1] + 2.0 + last_week_level - 0.5 / 7.0)).abs() < 1e-12
        );
        assert!(
            (point.cost[0] - (WEEK_SHAPE[0] + 2.5 + last_week_level - 0.5 / 7.0)).abs() < 1e-12
        );
    }

    #[test]
    fn the_error_grows_by_week() {
        let mut history = WEEK_SHAPE.to_vec();
        history.extend(WEEK_SHAPE.iter().map(|cost| cost + 2.0));
        let point = forecast(&history, 8);
        assert!((point.cost[0] - (WEEK_SHAPE[0] + 2.0)).abs() < 1e-12);
        assert_eq!(point.error_sd[0], 2.0);
        assert_eq!(point.error_sd[6], 2.0);
        assert!((point.error_sd[7] - 2.0 * 2f64.sqrt()).abs() < 1e-12);
    }
}
