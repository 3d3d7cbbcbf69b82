//! The Holt–Winters model's own properties: weekly series reproduced, straight lines
//! continued but damped, errors that grow with the horizon.

use super::*;

const WEEK_SHAPE: [f64; 7] = [10.0, 11.0, 12.0, 11.0, 10.0, 4.0, 3.0];

fn weekly(weeks: usize) -> Vec<f64> {
    (0..weeks * SEASON)
        .map(|day| WEEK_SHAPE[day % SEASON])
        .collect()
}

#[test]
fn a_weekly_series_has_no_one_step_error() {
    let history = weekly(4);
    let initial = initial::initial_state(&history, true).unwrap();
    assert!(initial.trend.abs() < 1e-12);
    let parameters = Parameters {
        alpha: 0.5,
        beta: 0.1,
        gamma: 0.2,
        phi: 0.9,
    };
    let run = run(&history, &initial, parameters);
    assert!(run.errors.iter().all(|error| error.abs() < 1e-9));
}

#[test]
fn a_weekly_series_is_reproduced_with_zero_spread() {
    let point = forecast(&weekly(5), 14);
    for (ahead, cost) in point.cost.iter().enumerate() {
        assert!((cost - WEEK_SHAPE[ahead % SEASON]).abs() < 1e-9);
    }
    assert!(point.error_sd.iter().all(|sd| *sd < 1e-9));
}

#[test]
fn a_straight_line_keeps_rising_but_slower_than_linearly() {
    let history: Vec<f64> = (0..35).map(|day| 100.0 + 2.0 * day as f64).collect();
    let point = forecast(&history, 30);
    assert!(point.cost[0] > 168.0 && point.cost[0] < 172.0);
    assert!(point.cost.windows(2).all(|pair| pair[1] >= pair[0] - 1e-9));
    assert!(point.cost[29] < 100.0 + 2.0 * 64.0 + 1e-6);
}

#[test]
fn the_error_grows_with_the_horizon() {
    let history: Vec<f64> = (0..42)
        .map(|day| WEEK_SHAPE[day % SEASON] + if day % 3 == 0 { 1.0 } else { -0.5 })
        .collect();
    let point = forecast(&history, 30);
    assert!(point.error_sd[0] > 0.0);
    assert!(point.error_sd.windows(2).all(|pair| pair[1] >= pair[0]));
}
