//! The anomaly detector's knobs, with defaults tuned on the simulator's data and on noisy
//! synthetic seasons (see docs/finops.md).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How sure and how large a departure must be before it is reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnomalySettings {
    /// A bucket is anomalous when its score reaches this many robust standard deviations.
    pub threshold: f64,
    /// Departures smaller than this, in currency per hour of bucket (×24 for daily
    /// buckets), never fire: a jump from nothing to a few cents is not worth an alert.
    pub min_absolute_deviation_per_hour: Decimal,
    /// Departures smaller than this fraction of the expected cost never fire.
    pub min_relative_deviation: f64,
    /// Less history than this (from its first bucket to its last) judges nothing: two
    /// weeks give every weekday, and both weekend days twice.
    pub min_history_days: u32,
    /// Fewest same-season history buckets a window bucket is compared against.
    pub min_peers: usize,
    /// Most same-season history buckets used, the most recent: a lasting change becomes
    /// the new normal once it fills half of them.
    pub max_peers: usize,
}

impl Default for AnomalySettings {
    fn default() -> Self {
        Self {
            threshold: 4.0,
            min_absolute_deviation_per_hour: Decimal::new(5, 2),
            min_relative_deviation: 0.2,
            min_history_days: 14,
            min_peers: 3,
            max_peers: 8,
        }
    }
}
