//! `forecast_daily` through its public contract: the method per history length, dates,
//! bounds ordered and never negative, and weekly series reproduced.

use std::str::FromStr;

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::test_series::Noise;

const WEEK_SHAPE: [&str; 7] = [
    "120.5",
    "130.25",
    "131",
    "129.75",
    "118.0000000001",
    "60.4",
    "55",
];

fn first_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default()
}

fn weekly(days: usize) -> Vec<Decimal> {
    (0..days)
        .map(|day| Decimal::from_str(WEEK_SHAPE[day % 7]).unwrap())
        .collect()
}

fn assert_well_formed(forecast: &Forecast, horizon: u32) {
    assert_eq!(forecast.days.len(), horizon as usize);
    for (ahead, day) in forecast.days.iter().enumerate() {
        assert_eq!(
            Some(day.date),
            first_date().checked_add_days(Days::new(ahead as u64))
        );
        assert!(!day.lower.is_negative());
        assert!(day.lower <= day.cost && day.cost <= day.upper);
    }
}

#[test]
fn the_method_follows_the_history_length() {
    assert_eq!(method_for(0), ForecastMethod::Flat);
    assert_eq!(method_for(6), ForecastMethod::Flat);
    assert_eq!(method_for(7), ForecastMethod::SeasonalNaiveWeekly);
    assert_eq!(method_for(20), ForecastMethod::SeasonalNaiveWeekly);
    assert_eq!(method_for(21), ForecastMethod::HoltWintersWeekly);
}

#[test]
fn no_history_forecasts_zero() {
    let forecast = forecast_daily(&[], first_date(), 7);
    assert_eq!(forecast.method, ForecastMethod::Flat);
    assert_well_formed(&forecast, 7);
    assert!(forecast.days.iter().all(|day| day.upper.is_zero()));
    assert_eq!(forecast.total_cost(), Money::ZERO);
}

#[test]
fn a_zero_horizon_is_empty() {
    let forecast = forecast_daily(&weekly(30), first_date(), 0);
    assert!(forecast.days.is_empty());
}

#[test]
fn a_weekly_series_is_reproduced_by_both_seasonal_methods() {
    for (days, method) in [
        (14, ForecastMethod::SeasonalNaiveWeekly),
        (63, ForecastMethod::HoltWintersWeekly),
    ] {
        let forecast = forecast_daily(&weekly(days), first_date(), 30);
        assert_eq!(forecast.method, method);
        assert_well_formed(&forecast, 30);
        for (ahead, day) in forecast.days.iter().enumerate() {
            let expected = Decimal::from_str(WEEK_SHAPE[(days + ahead) % 7]).unwrap();
            assert!((day.cost.amount() - expected).abs() < Decimal::new(1, 6));
        }
    }
}

#[test]
fn leading_zero_days_do_not_count_as_history() {
    let mut history = vec![Decimal::ZERO; 30];
    history.extend(weekly(10));
    let forecast = forecast_daily(&history, first_date(), 7);
    assert_eq!(forecast.method, ForecastMethod::SeasonalNaiveWeekly);
    let expected = Decimal::from_str(WEEK_SHAPE[10 % 7]).unwrap();
    assert_eq!(forecast.days[0].cost.amount(), expected);
}

#[test]
fn a_falling_series_never_forecasts_below_zero() {
    let history: Vec<Decimal> = (0..40).map(|day| Decimal::from(400 - 10 * day)).collect();
    let forecast = forecast_daily(&history, first_date(), 60);
    assert_well_formed(&forecast, 60);
}

#[test]
fn the_horizon_is_cut_at_the_last_date() {
    let last = NaiveDate::MAX;
    let forecast = forecast_daily(&weekly(3), last, 5);
    assert_eq!(forecast.days.len(), 1);
}

#[test]
fn noisy_weekly_costs_are_forecast_within_their_noise() {
    let mut noise = Noise::new(7);
    let history: Vec<Decimal> = (0..70)
        .map(|day| {
            let base = if day % 7 >= 5 { 60.0 } else { 100.0 };
            Decimal::from_f64_retain(base + 3.0 * noise.normal())
                .unwrap_or_default()
                .round_dp(4)
        })
        .collect();
    let forecast = forecast_daily(&history, first_date(), 14);
    assert_eq!(forecast.method, ForecastMethod::HoltWintersWeekly);
    for (ahead, day) in forecast.days.iter().enumerate() {
        let expected = if (70 + ahead) % 7 >= 5 { 60.0 } else { 100.0 };
        let cost = to_f64(day.cost.amount());
        assert!((cost - expected).abs() < 6.0, "day {ahead}: {cost}");
        assert!(to_f64(day.lower.amount()) < expected && to_f64(day.upper.amount()) > expected);
    }
}

#[test]
fn the_method_names_are_the_wire_names() {
    for method in [
        ForecastMethod::HoltWintersWeekly,
        ForecastMethod::SeasonalNaiveWeekly,
        ForecastMethod::Flat,
    ] {
        assert_eq!(
            serde_json::to_value(method).unwrap(),
            serde_json::Value::from(method.name())
        );
    }
}

fn arbitrary_cost() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(Decimal::ZERO),
        (0i64..10_000_000_000_000).prop_map(|units| Decimal::new(units, 10)),
        (0i64..1_000_000_000).prop_map(|units| Decimal::new(units, 2)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn bounds_are_ordered_and_never_negative(
        history in prop::collection::vec(arbitrary_cost(), 0..120),
        horizon in 0u32..45,
    ) {
        let forecast = forecast_daily(&history, first_date(), horizon);
        prop_assert_eq!(forecast.days.len(), horizon as usize);
        prop_assert_eq!(forecast.method, method_for(usable_history(&history).len()));
        for (ahead, day) in forecast.days.iter().enumerate() {
            prop_assert_eq!(Some(day.date), first_date().checked_add_days(Days::new(ahead as u64)));
            prop_assert!(!day.lower.is_negative());
            prop_assert!(day.lower <= day.cost && day.cost <= day.upper);
        }
    }

    #[test]
    fn any_weekly_pattern_is_reproduced(
        shape in prop::collection::vec(0i64..100_000_000, 7),
        days in 7usize..100,
    ) {
        prop_assume!(shape[0] != 0);
        let history: Vec<Decimal> = (0..days).map(|day| Decimal::new(shape[day % 7], 4)).collect();
        let forecast = forecast_daily(&history, first_date(), 30);
        for (ahead, day) in forecast.days.iter().enumerate() {
            let expected = Decimal::new(shape[(days + ahead) % 7], 4);
            prop_assert!((day.cost.amount() - expected).abs() < Decimal::new(1, 6));
            prop_assert!(day.lower <= day.cost && day.cost <= day.upper);
        }
    }
}
