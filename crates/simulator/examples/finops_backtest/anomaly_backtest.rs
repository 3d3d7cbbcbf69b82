//! The anomaly detector on the simulated costs: how often it fires on the steady
//! simulation (every alarm is a false one: nothing abnormal was simulated), and how often
//! it finds a bucket whose cost was multiplied by a factor, with the right direction.
//!
//! Each group is judged one day at a time, from its fifteenth day on: the window is that
//! day (24 hourly buckets, or one daily bucket) and the history everything before it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kcost_analytics::anomaly::{AnomalySettings, Bucket, Direction, Granularity, detect};
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

/// The first day judged: two weeks of history, the detector's default minimum.
const FIRST_DAY: usize = 14;

#[derive(Debug, Default, Clone, Copy)]
pub struct AlarmTally {
    pub buckets: usize,
    pub alarms: usize,
    pub windows: usize,
    pub windows_with_alarms: usize,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct DetectionTally {
    pub injected: usize,
    pub found: usize,
    /// Injections whose change clears both of the detector's minimum deviations.
    pub injected_above_floors: usize,
    pub found_above_floors: usize,
    /// Alarms elsewhere in the windows that had an injection.
    pub other_alarms: usize,
}

fn buckets(costs: &[Decimal], start: DateTime<Utc>, granularity: Granularity) -> Vec<Bucket> {
    costs
        .iter()
        .enumerate()
        .map(|(index, cost)| Bucket {
            start: start + granularity.bucket_length() * index as i32,
            cost: *cost,
        })
        .collect()
}

fn per_day(granularity: Granularity) -> usize {
    match granularity {
        Granularity::Hourly => 24,
        Granularity::Daily => 1,
    }
}

/// Alarms on the unmodified series.
pub fn false_alarms(
    series: &BTreeMap<String, Vec<Decimal>>,
    start: DateTime<Utc>,
    granularity: Granularity,
) -> AlarmTally {
    let settings = AnomalySettings::default();
    let step = per_day(granularity);
    let mut tally = AlarmTally::default();
    for costs in series.values() {
        let all = buckets(costs, start, granularity);
        for day in FIRST_DAY..all.len() / step {
            let (history, rest) = all.split_at(day * step);
            let window = &rest[..step];
            let alarms = detect(history, window, granularity, &settings).len();
            tally.buckets += window.len();
            tally.alarms += alarms;
            tally.windows += 1;
            tally.windows_with_alarms += usize::from(alarms > 0);
        }
    }
    tally
}

/// One bucket a day multiplied by `factor` (at an hour that varies by group and day).
pub fn detection(
    series: &BTreeMap<String, Vec<Decimal>>,
    start: DateTime<Utc>,
    granularity: Granularity,
    factor: f64,
) -> DetectionTally {
    let settings = AnomalySettings::default();
    let step = per_day(granularity);
    let minimum = settings
        .min_absolute_deviation_per_hour
        .to_f64()
        .unwrap_or(0.0)
        * f64::from(granularity.hours());
    let direction = if factor > 1.0 {
        Direction::Spike
    } else {
        Direction::Drop
    };
    let factor_decimal = Decimal::from_f64(factor).unwrap_or(Decimal::ONE);
    let mut tally = DetectionTally::default();
    for (group_index, costs) in series.values().enumerate() {
        let all = buckets(costs, start, granularity);
        for day in FIRST_DAY..all.len() / step {
            let (history, rest) = all.split_at(day * step);
            let mut window = rest[..step].to_vec();
            let at = (group_index * 7 + day * 13) % step;
            let original = window[at].cost.to_f64().unwrap_or(0.0);
            window[at].cost *= factor_decimal;
            let change = (factor - 1.0).abs() * original;
            let above_floors =
                change >= minimum && (factor - 1.0).abs() >= settings.min_relative_deviation;
            let alarms = detect(history, &window, granularity, &settings);
            let found = alarms
                .iter()
                .any(|alarm| alarm.start == window[at].start && alarm.direction == direction);
            tally.injected += 1;
            tally.found += usize::from(found);
            tally.injected_above_floors += usize::from(above_floors);
            tally.found_above_floors += usize::from(found && above_floors);
            tally.other_alarms += alarms
                .iter()
                .filter(|alarm| alarm.start != window[at].start)
                .count();
        }
    }
    tally
}
