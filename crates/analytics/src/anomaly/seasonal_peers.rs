//! A bucket's seasonal peers: the history buckets it should cost about the same as.
//!
//! Seasons are tried from the finest to the coarsest, and the first with enough peers wins:
//! - hourly: the same hour of the week; the same hour on the same kind of day (weekday or
//!   weekend); the same hour of the day;
//! - daily: the same day of the week; the same kind of day; any day.
//!
//! The kind-of-day step matters for young histories: with under three weeks the hour of
//! the week has too few peers, and comparing a Saturday with a Tuesday would flag every
//! quiet weekend as a drop. Hourly has no "any hour" step: a night hour against the day's
//! would be noise, not a season.

use chrono::{DateTime, Datelike, Timelike, Utc, Weekday};

use super::{AnomalySettings, Bucket, Granularity};
use crate::numeric::to_f64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Season {
    HourOfWeek,
    HourOfDayByKindOfDay,
    HourOfDay,
    DayOfWeek,
    KindOfDay,
    AnyDay,
}

impl Season {
    fn finest_first(granularity: Granularity) -> &'static [Season] {
        match granularity {
            Granularity::Hourly => &[
                Self::HourOfWeek,
                Self::HourOfDayByKindOfDay,
                Self::HourOfDay,
            ],
            Granularity::Daily => &[Self::DayOfWeek, Self::KindOfDay, Self::AnyDay],
        }
    }

    /// Number of distinct keys.
    fn keys(self) -> usize {
        match self {
            Self::HourOfWeek => 7 * 24,
            Self::HourOfDayByKindOfDay => 2 * 24,
            Self::HourOfDay => 24,
            Self::DayOfWeek => 7,
            Self::KindOfDay => 2,
            Self::AnyDay => 1,
        }
    }

    fn key(self, at: DateTime<Utc>) -> usize {
        let weekday = at.weekday().num_days_from_monday() as usize;
        let weekend = usize::from(matches!(at.weekday(), Weekday::Sat | Weekday::Sun));
        let hour = at.hour() as usize;
        match self {
            Self::HourOfWeek => weekday * 24 + hour,
            Self::HourOfDayByKindOfDay => weekend * 24 + hour,
            Self::HourOfDay => hour,
            Self::DayOfWeek => weekday,
            Self::KindOfDay => weekend,
            Self::AnyDay => 0,
        }
    }
}

/// For each season and key, the positions of the history buckets with that key, oldest first.
#[derive(Debug)]
pub(super) struct SeasonalIndex {
    costs: Vec<f64>,
    seasons: Vec<(Season, Vec<Vec<usize>>)>,
}

impl SeasonalIndex {
    /// `history` sorted oldest first.
    pub(super) fn new(history: &[Bucket], granularity: Granularity) -> Self {
        let seasons = Season::finest_first(granularity)
            .iter()
            .map(|season| {
                let mut positions = vec![Vec::new(); season.keys()];
                for (position, bucket) in history.iter().enumerate() {
                    if let Some(list) = positions.get_mut(season.key(bucket.start)) {
                        list.push(position);
                    }
                }
                (*season, positions)
            })
            .collect();
        Self {
            costs: history.iter().map(|bucket| to_f64(bucket.cost)).collect(),
            seasons,
        }
    }

    pub(super) fn cost(&self, position: usize) -> Option<f64> {
        self.costs.get(position).copied()
    }

    /// The costs of the (at most `max_peers`) most recent peers of a bucket starting
    /// `at`, among the history positions before `before`, at the finest season with at
    /// least `min_peers` of them; `None` when no season has enough.
    pub(super) fn peer_costs(
        &self,
        at: DateTime<Utc>,
        before: usize,
        settings: &AnomalySettings,
    ) -> Option<Vec<f64>> {
        let wanted = settings.min_peers.max(1);
        self.seasons.iter().find_map(|(season, positions)| {
            let same_key = positions.get(season.key(at))?;
            let earlier = same_key.partition_point(|position| *position < before);
            (earlier >= wanted).then(|| {
                same_key[earlier.saturating_sub(settings.max_peers.max(wanted))..earlier]
                    .iter()
                    .filter_map(|position| self.cost(*position))
                    .collect()
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use rust_decimal::Decimal;

    use super::*;
    use crate::test_series::{day, hour};

    fn hourly(hours: usize) -> Vec<Bucket> {
        (0..hours)
            .map(|index| Bucket {
                start: hour(index),
                cost: Decimal::from(index as u64),
            })
            .collect()
    }

    #[test]
    fn three_weeks_compare_the_same_hour_of_the_week() {
        let history = hourly(21 * 24);
        let index = SeasonalIndex::new(&history, Granularity::Hourly);
        let at = hour(21 * 24 + 10);
        let peers = index
            .peer_costs(at, history.len(), &AnomalySettings::default())
            .unwrap();
        assert_eq!(peers, vec![10.0, 178.0, 346.0]);
    }

    #[test]
    fn two_weeks_compare_saturdays_with_weekend_hours() {
        let history = hourly(14 * 24);
        let index = SeasonalIndex::new(&history, Granularity::Hourly);
        let saturday_noon = hour(14 * 24 + 5 * 24 + 12);
        let peers = index
            .peer_costs(saturday_noon, history.len(), &AnomalySettings::default())
            .unwrap();
        // Both Saturdays and both Sundays at noon.
        assert_eq!(peers, vec![132.0, 156.0, 300.0, 324.0]);
    }

    #[test]
    fn only_the_most_recent_peers_count() {
        let history: Vec<Bucket> = (0..70)
            .map(|index| Bucket {
                start: day(index),
                cost: Decimal::from(index as u64),
            })
            .collect();
        let index = SeasonalIndex::new(&history, Granularity::Daily);
        let settings = AnomalySettings::default();
        let peers = index.peer_costs(day(70), history.len(), &settings).unwrap();
        assert_eq!(peers, vec![14.0, 21.0, 28.0, 35.0, 42.0, 49.0, 56.0, 63.0]);
        // Before position 10 there are two Mondays: too few, so any weekday (kind of day).
        let early = index.peer_costs(day(70), 10, &settings).unwrap();
        assert_eq!(early, vec![0.0, 1.0, 2.0, 3.0, 4.0, 7.0, 8.0, 9.0]);
    }

    #[test]
    fn no_season_with_enough_peers_judges_nothing() {
        let history = hourly(30);
        let index = SeasonalIndex::new(&history, Granularity::Hourly);
        assert!(
            index
                .peer_costs(
                    hour(30) + Duration::hours(1),
                    history.len(),
                    &AnomalySettings::default()
                )
                .is_none()
        );
    }
}
