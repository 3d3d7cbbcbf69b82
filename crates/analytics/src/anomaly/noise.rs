//! How far a bucket may stray from its expected cost before it counts: the scale a
//! deviation is divided by to make the score.
//!
//! A bucket's own peers are few (three to eight), and the median absolute deviation of a
//! handful of values is often far below the real noise by chance, which would make steady
//! data fire. So the scale is also at least the group's typical relative error, measured
//! over its whole history: each history bucket against the median of its own earlier
//! peers, exactly as the detector would have judged it then, 1.4826 × the median of those
//! relative errors. Relative, because cost noise grows with cost (busy hours wobble more
//! in money than quiet ones).

use super::seasonal_peers::SeasonalIndex;
use super::{AnomalySettings, Granularity};
use crate::numeric::to_f64;
use crate::stats::{MAD_TO_SIGMA, median};

/// Smallest scale, so a score is always finite.
const SMALLEST_SCALE: f64 = 1e-12;
/// Smallest threshold used, so the floors stay finite whatever the settings say.
const SMALLEST_THRESHOLD: f64 = 1e-6;

/// The settings' minimum deviations as scales: a deviation of exactly a minimum scores
/// exactly the threshold.
#[derive(Debug, Clone, Copy)]
pub(super) struct Floors {
    pub threshold: f64,
    absolute: f64,
    relative: f64,
    /// A minimum absolute deviation per bucket, for telling a cost from nothing.
    min_absolute_deviation: f64,
}

impl Floors {
    pub(super) fn new(granularity: Granularity, settings: &AnomalySettings) -> Self {
        let threshold = settings.threshold.max(SMALLEST_THRESHOLD);
        let min_absolute_deviation = to_f64(settings.min_absolute_deviation_per_hour).max(0.0)
            * f64::from(granularity.hours());
        Self {
            threshold,
            absolute: min_absolute_deviation / threshold,
            relative: settings.min_relative_deviation.max(0.0) / threshold,
            min_absolute_deviation,
        }
    }

    /// The largest of the peers' spread, the group's typical relative error and the floors.
    pub(super) fn scale(&self, expected: f64, peer_spread: f64, relative_noise: f64) -> f64 {
        let magnitude = expected.abs();
        peer_spread
            .max(relative_noise * magnitude)
            .max(self.relative * magnitude)
            .max(self.absolute)
            .max(SMALLEST_SCALE)
    }
}

/// 1.4826 × the median of |actual − expected| / expected over the history buckets that
/// had enough earlier peers, leaving out buckets expected to cost less than the minimum
/// absolute deviation (their ratios say nothing). Zero when none qualify.
pub(super) fn typical_relative_error(
    history: &[super::Bucket],
    peers: &SeasonalIndex,
    floors: &Floors,
    settings: &AnomalySettings,
) -> f64 {
    let ratios: Vec<f64> = history
        .iter()
        .enumerate()
        .filter_map(|(position, bucket)| {
            let earlier = peers.peer_costs(bucket.start, position, settings)?;
            let expected = median(&earlier)?;
            let actual = peers.cost(position)?;
            (expected.abs() > floors.min_absolute_deviation.max(SMALLEST_SCALE))
                .then(|| (actual - expected).abs() / expected.abs())
        })
        .collect();
    median(&ratios).map_or(0.0, |typical| MAD_TO_SIGMA * typical)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floors_score_a_minimum_deviation_at_the_threshold() {
        let settings = AnomalySettings::default();
        let floors = Floors::new(Granularity::Daily, &settings);
        // Flat zero history: only the absolute floor, 0.05 × 24 = 1.20 per day.
        assert!((1.2 / floors.scale(0.0, 0.0, 0.0) - settings.threshold).abs() < 1e-9);
        // Flat 100 history: the relative floor, 20 % of 100.
        assert!((20.0 / floors.scale(100.0, 0.0, 0.0) - settings.threshold).abs() < 1e-9);
        // Noisy peers widen it.
        assert_eq!(floors.scale(100.0, 30.0, 0.0), 30.0);
        assert!((floors.scale(100.0, 1.0, 0.1) - 10.0).abs() < 1e-9);
    }

    #[test]
    fn a_zero_threshold_still_gives_a_finite_scale() {
        let settings = AnomalySettings {
            threshold: 0.0,
            min_absolute_deviation_per_hour: rust_decimal::Decimal::ZERO,
            min_relative_deviation: 0.0,
            ..AnomalySettings::default()
        };
        let floors = Floors::new(Granularity::Hourly, &settings);
        assert!(floors.scale(0.0, 0.0, 0.0) > 0.0);
    }
}
