//! Cost anomalies: each bucket of a group's window judged against that group's own
//! history, with seasonality by hour of day and day of week and robust statistics.
//!
//! For a window bucket, `seasonal_peers` finds the history buckets of the same season
//! (same hour of the week when there are enough weeks, else the same hour on the same kind
//! of day, …); the expected cost is their median. How far the actual cost may stray is the
//! largest of (`noise`):
//! - the peers' own spread, 1.4826 × their median absolute deviation;
//! - the group's typical relative error, measured on its history the same way;
//! - floors from [`AnomalySettings`]: a minimum absolute and a minimum relative deviation,
//!   so a cent's wobble or a perfectly flat history never fires.
//!
//! The score is the deviation in units of that scale; a bucket is anomalous when the score
//! reaches the threshold. Because the floors are divided by the threshold, a score at the
//! threshold always means a deviation at least as large as both minimum deviations.

mod noise;
mod seasonal_peers;
mod settings;
#[cfg(test)]
mod tests;

use chrono::{DateTime, TimeDelta, Utc};
use kcost_domain::money::Money;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::numeric::{to_f64, to_money};
use crate::stats::{MAD_TO_SIGMA, median, median_absolute_deviation};
pub use settings::AnomalySettings;

/// The length of the buckets a series is cut into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Hourly,
    Daily,
}

impl Granularity {
    pub fn bucket_length(&self) -> TimeDelta {
        match self {
            Self::Hourly => TimeDelta::hours(1),
            Self::Daily => TimeDelta::days(1),
        }
    }

    /// Hours in one bucket (scales the per-hour minimum deviation).
    pub fn hours(&self) -> u32 {
        match self {
            Self::Hourly => 1,
            Self::Daily => 24,
        }
    }
}

/// Which way a bucket departs from what was expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Spike,
    Drop,
}

/// One bucket of a group's cost series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub start: DateTime<Utc>,
    pub cost: Decimal,
}

/// A window bucket whose cost departs from its seasonal history.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AnomalousBucket {
    pub start: DateTime<Utc>,
    /// The median of the bucket's seasonal peers.
    pub expected: Money,
    pub actual: Money,
    pub direction: Direction,
    /// |actual − expected| in units of the noise scale; at least the settings' threshold.
    pub score: f64,
}

/// The window's anomalous buckets, oldest first.
///
/// `history` (before the window) and `window` buckets of one group, each oldest first, at
/// `granularity`. Empty when the group is steady or the history is too short to judge
/// (shorter than [`AnomalySettings::min_history_days`]); a window bucket with too few
/// seasonal peers in the history is not judged either.
pub fn detect(
    history: &[Bucket],
    window: &[Bucket],
    granularity: Granularity,
    settings: &AnomalySettings,
) -> Vec<AnomalousBucket> {
    let mut history = history.to_vec();
    history.sort_by_key(|bucket| bucket.start);
    if !long_enough(&history, granularity, settings) {
        return Vec::new();
    }
    let peers = seasonal_peers::SeasonalIndex::new(&history, granularity);
    let floors = noise::Floors::new(granularity, settings);
    let relative_noise = noise::typical_relative_error(&history, &peers, &floors, settings);
    window
        .iter()
        .filter_map(|bucket| {
            let costs = peers.peer_costs(bucket.start, history.len(), settings)?;
            judge(bucket, &costs, relative_noise, &floors)
        })
        .collect()
}

/// `history` from the group's first cost on. Buckets before a group first cost anything
/// are before it existed, not times it cost nothing: callers whose series start before the
/// group did trim them, or a steady group would be judged against zeros. ([`detect`]
/// itself judges what it is given: a history of real zeros, then a jump, is a spike.)
pub fn since_first_cost(history: &[Bucket]) -> &[Bucket] {
    let first = history
        .iter()
        .position(|bucket| !bucket.cost.is_zero())
        .unwrap_or(history.len());
    &history[first..]
}

fn long_enough(history: &[Bucket], granularity: Granularity, settings: &AnomalySettings) -> bool {
    match (history.first(), history.last()) {
        (Some(first), Some(last)) => {
            last.start + granularity.bucket_length() - first.start
                >= TimeDelta::days(i64::from(settings.min_history_days))
        }
        _ => false,
    }
}

fn judge(
    bucket: &Bucket,
    peer_costs: &[f64],
    relative_noise: f64,
    floors: &noise::Floors,
) -> Option<AnomalousBucket> {
    let expected = median(peer_costs)?;
    let actual = to_f64(bucket.cost);
    let spread = MAD_TO_SIGMA * median_absolute_deviation(peer_costs, expected)?;
    let scale = floors.scale(expected, spread, relative_noise);
    let score = (actual - expected).abs() / scale;
    (score >= floors.threshold).then(|| AnomalousBucket {
        start: bucket.start,
        expected: to_money(expected),
        actual: Money::from_decimal(bucket.cost),
        direction: if actual > expected {
            Direction::Spike
        } else {
            Direction::Drop
        },
        score,
    })
}
