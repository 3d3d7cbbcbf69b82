//! `detect` through its public contract: steady seasonal data stays silent over many
//! seeds, injected spikes and drops are found with their direction, floors keep tiny or
//! flat-history changes quiet, and short or empty inputs judge nothing.

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::test_series::{Noise, day, hour, seasonal_daily_cost, seasonal_hourly_cost};

const HISTORY_WEEKS: usize = 4;

fn bucket(start: DateTime<Utc>, cost: f64) -> Bucket {
    Bucket {
        start,
        cost: Decimal::from_f64_retain(cost.max(0.0))
            .unwrap_or_default()
            .round_dp(10),
    }
}

/// `history_days` then `window_days` of hourly seasonal costs with `noise` relative noise.
fn hourly_series(
    seed: u64,
    base: f64,
    noise: f64,
    history_days: usize,
    window_days: usize,
) -> (Vec<Bucket>, Vec<Bucket>) {
    let mut random = Noise::new(seed);
    let all: Vec<Bucket> = (0..(history_days + window_days) * 24)
        .map(|index| {
            let expected = seasonal_hourly_cost(hour(index), base);
            bucket(
                hour(index),
                expected * (1.0 + bounded(noise * random.normal())),
            )
        })
        .collect();
    let (history, window) = all.split_at(history_days * 24);
    (history.to_vec(), window.to_vec())
}

/// Noise within ±9 %: any two such costs differ by less than the detector's 20 % floor
/// ((1 + 0.09) / (1 - 0.09) < 1.2), so a steady series may never fire. Unbounded Gaussian
/// noise would, now and then, at its tails — a real spike, not a false alarm.
fn bounded(deviation: f64) -> f64 {
    deviation.clamp(-0.09, 0.09)
}

fn daily_series(
    seed: u64,
    base: f64,
    noise: f64,
    history_days: usize,
    window_days: usize,
) -> (Vec<Bucket>, Vec<Bucket>) {
    let mut random = Noise::new(seed);
    let all: Vec<Bucket> = (0..history_days + window_days)
        .map(|index| {
            let expected = seasonal_daily_cost(day(index), base);
            bucket(
                day(index),
                expected * (1.0 + bounded(noise * random.normal())),
            )
        })
        .collect();
    let (history, window) = all.split_at(history_days);
    (history.to_vec(), window.to_vec())
}

fn flat(from: usize, count: usize, cost: f64) -> Vec<Bucket> {
    (from..from + count)
        .map(|index| bucket(hour(index), cost))
        .collect()
}

#[test]
fn empty_or_short_inputs_judge_nothing() {
    let settings = AnomalySettings::default();
    let (history, window) = hourly_series(1, 2.0, 0.05, 13, 1);
    let mut spiked = window.clone();
    spiked[5].cost *= Decimal::from(10);
    assert!(detect(&[], &spiked, Granularity::Hourly, &settings).is_empty());
    assert!(detect(&history, &spiked, Granularity::Hourly, &settings).is_empty());
    assert!(detect(&history, &[], Granularity::Hourly, &settings).is_empty());
    let (history, _) = hourly_series(1, 2.0, 0.05, 14, 1);
    assert!(detect(&history, &[], Granularity::Daily, &settings).is_empty());
}

#[test]
fn two_weeks_of_hourly_history_are_enough_and_weekends_stay_quiet() {
    for seed in 0..20 {
        let (history, window) = hourly_series(seed, 2.0, 0.05, 14, 7);
        assert_eq!(
            detect(
                &history,
                &window,
                Granularity::Hourly,
                &AnomalySettings::default()
            ),
            Vec::new(),
            "seed {seed}"
        );
    }
}

#[test]
fn a_spike_and_a_drop_are_found_with_their_direction() {
    let (history, mut window) = hourly_series(3, 2.0, 0.05, 28, 2);
    window[10].cost *= Decimal::from(3);
    window[30].cost = Decimal::ZERO;
    let found = detect(
        &history,
        &window,
        Granularity::Hourly,
        &AnomalySettings::default(),
    );
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        (found[0].start, found[0].direction),
        (window[10].start, Direction::Spike)
    );
    assert_eq!(
        (found[1].start, found[1].direction),
        (window[30].start, Direction::Drop)
    );
    let expected = seasonal_hourly_cost(window[10].start, 2.0);
    assert!((to_f64(found[0].expected.amount()) - expected).abs() < 0.1 * expected);
    assert_eq!(found[0].actual, Money::from_decimal(window[10].cost));
    assert!(found.iter().all(|anomaly| anomaly.score >= 4.0));
}

#[test]
fn a_flat_zero_history_then_a_real_jump_is_a_spike() {
    let history = flat(0, 21 * 24, 0.0);
    let window = vec![bucket(hour(21 * 24), 5.0), bucket(hour(21 * 24 + 1), 0.01)];
    let found = detect(
        &history,
        &window,
        Granularity::Hourly,
        &AnomalySettings::default(),
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].direction, Direction::Spike);
    assert_eq!(found[0].expected, Money::ZERO);
    assert!(found[0].score.is_finite());
}

#[test]
fn a_flat_history_tolerates_small_relative_changes() {
    let history = flat(0, 21 * 24, 10.0);
    let window = vec![
        bucket(hour(21 * 24), 10.0),
        bucket(hour(21 * 24 + 1), 11.5),
        bucket(hour(21 * 24 + 2), 8.5),
        bucket(hour(21 * 24 + 3), 13.0),
        bucket(hour(21 * 24 + 4), 6.0),
    ];
    let found = detect(
        &history,
        &window,
        Granularity::Hourly,
        &AnomalySettings::default(),
    );
    let directions: Vec<_> = found
        .iter()
        .map(|anomaly| (anomaly.start, anomaly.direction))
        .collect();
    assert_eq!(
        directions,
        vec![
            (window[3].start, Direction::Spike),
            (window[4].start, Direction::Drop)
        ]
    );
}

#[test]
fn cheap_groups_do_not_fire_on_cents() {
    // A group costing a cent an hour that triples: real in relative terms, not in money.
    let (history, mut window) = hourly_series(4, 0.01, 0.05, 28, 1);
    window[12].cost *= Decimal::from(3);
    assert!(
        detect(
            &history,
            &window,
            Granularity::Hourly,
            &AnomalySettings::default()
        )
        .is_empty()
    );
}

#[test]
fn a_daily_spike_is_found_and_a_weekend_is_not() {
    let (history, mut window) = daily_series(5, 300.0, 0.04, 35, 7);
    window[2].cost *= Decimal::new(16, 1);
    let found = detect(
        &history,
        &window,
        Granularity::Daily,
        &AnomalySettings::default(),
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].start, found[0].direction),
        (window[2].start, Direction::Spike)
    );
}

#[test]
fn history_starts_at_the_first_cost() {
    let mut history = flat(0, 3, 0.0);
    history.extend(flat(3, 2, 4.0));
    history.push(bucket(hour(5), 0.0));
    let kept = since_first_cost(&history);
    assert_eq!(kept.len(), 3);
    assert_eq!(kept[0].start, hour(3));
    assert!(since_first_cost(&flat(0, 4, 0.0)).is_empty());
}

#[test]
fn the_wire_names_are_lowercase() {
    assert_eq!(serde_json::to_value(Direction::Spike).unwrap(), "spike");
    assert_eq!(serde_json::to_value(Direction::Drop).unwrap(), "drop");
    assert_eq!(serde_json::to_value(Granularity::Hourly).unwrap(), "hourly");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn steady_seasonal_hourly_costs_never_fire(
        seed in any::<u64>(),
        base in 0.2f64..50.0,
        noise in 0.0f64..0.06,
        history_days in 14usize..(7 * HISTORY_WEEKS + 14),
    ) {
        let (history, window) = hourly_series(seed, base, noise, history_days, 7);
        let found = detect(&history, &window, Granularity::Hourly, &AnomalySettings::default());
        prop_assert!(found.is_empty(), "{:?}", found);
    }

    #[test]
    fn steady_seasonal_daily_costs_never_fire(
        seed in any::<u64>(),
        base in 5.0f64..5000.0,
        noise in 0.0f64..0.06,
        history_days in 14usize..70,
    ) {
        let (history, window) = daily_series(seed, base, noise, history_days, 14);
        let found = detect(&history, &window, Granularity::Daily, &AnomalySettings::default());
        prop_assert!(found.is_empty(), "{:?}", found);
    }

    #[test]
    fn injected_spikes_and_drops_are_found_with_their_direction(
        seed in any::<u64>(),
        base in 1.0f64..50.0,
        at in 0usize..48,
        spike in any::<bool>(),
        factor in 2.0f64..10.0,
    ) {
        let (history, mut window) = hourly_series(seed, base, 0.04, 7 * HISTORY_WEEKS, 2);
        let original = to_f64(window[at].cost);
        let changed = if spike { original * factor } else { original / factor };
        window[at] = bucket(window[at].start, changed);
        let found = detect(&history, &window, Granularity::Hourly, &AnomalySettings::default());
        let direction = if spike { Direction::Spike } else { Direction::Drop };
        prop_assert_eq!(found.len(), 1, "{:?}", found);
        prop_assert_eq!((found[0].start, found[0].direction), (window[at].start, direction));
        prop_assert!(found[0].score >= AnomalySettings::default().threshold);
    }

    #[test]
    fn arbitrary_series_never_panic_and_scores_are_finite(
        costs in prop::collection::vec(0i64..1_000_000_000, 0..600),
        window_len in 0usize..50,
    ) {
        let buckets: Vec<Bucket> = costs
            .iter()
            .enumerate()
            .map(|(index, units)| Bucket { start: hour(index), cost: Decimal::new(*units, 4) })
            .collect();
        let split = buckets.len().saturating_sub(window_len);
        let (history, window) = buckets.split_at(split);
        for granularity in [Granularity::Hourly, Granularity::Daily] {
            for anomaly in detect(history, window, granularity, &AnomalySettings::default()) {
                prop_assert!(anomaly.score.is_finite() && anomaly.score >= 4.0);
                prop_assert!(!anomaly.expected.is_negative());
            }
        }
    }
}
