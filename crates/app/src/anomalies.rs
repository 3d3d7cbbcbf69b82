//! Cost anomalies per group: each group's hourly or daily cost in a window against its
//! own history before the window (`kcost-analytics`' seasonal robust detector; see
//! docs/finops.md), listing only the groups with anomalous buckets.

use std::sync::Arc;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use kcost_analytics::anomaly::{
    AnomalousBucket, AnomalySettings, Bucket, Direction, Granularity, detect, since_first_cost,
};
use kcost_domain::api_key::AuthenticatedKey;
use kcost_domain::money::Money;
use kcost_domain::window::TimeWindow;
use kcost_ports::Clock;

use crate::cost_series::{CostSeries, GroupBy};
use crate::costs::QueryError;

/// History read before the window: hourly buckets need two weeks of each hour of the day,
/// daily buckets four of each weekday.
const HOURLY_HISTORY_DAYS: i64 = 15;
const DAILY_HISTORY_DAYS: i64 = 28;
/// Longest window judged: a week of hours, or 90 days.
pub const MAX_HOURLY_WINDOW_DAYS: i64 = 7;
pub const MAX_DAILY_WINDOW_DAYS: i64 = 90;

/// Why an anomaly question was refused.
#[derive(Debug, thiserror::Error)]
pub enum AnomalyError {
    /// The window holds no whole bucket, or too many.
    #[error("{0}")]
    Window(String),
    #[error(transparent)]
    Query(#[from] QueryError),
}

/// One group with anomalous buckets.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupAnomaly {
    pub group: String,
    /// The anomalous buckets, oldest first.
    pub buckets: Vec<AnomalousBucket>,
}

impl GroupAnomaly {
    /// The most anomalous bucket (largest score).
    pub fn worst(&self) -> Option<&AnomalousBucket> {
        self.buckets
            .iter()
            .max_by(|a, b| a.score.abs().total_cmp(&b.score.abs()))
    }

    pub fn expected(&self) -> Money {
        self.buckets.iter().map(|b| b.expected).sum()
    }

    pub fn actual(&self) -> Money {
        self.buckets.iter().map(|b| b.actual).sum()
    }

    /// The worst bucket's direction.
    pub fn direction(&self) -> Direction {
        self.worst().map_or(Direction::Spike, |b| b.direction)
    }
}

/// What was judged: the window cut to whole buckets.
#[derive(Debug, Clone, PartialEq)]
pub struct AnomalyReport {
    pub window: TimeWindow,
    pub granularity: Granularity,
    pub anomalies: Vec<GroupAnomaly>,
}

/// The anomaly use case.
pub struct Anomalies {
    series: CostSeries,
    clock: Arc<dyn Clock>,
    settings: AnomalySettings,
}

impl std::fmt::Debug for Anomalies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Anomalies").finish_non_exhaustive()
    }
}

impl Anomalies {
    pub fn new(series: CostSeries, clock: Arc<dyn Clock>) -> Self {
        Self {
            series,
            clock,
            settings: AnomalySettings::default(),
        }
    }

    /// The groups anomalous in `window`, most anomalous first (needs `costs:read`).
    /// `granularity` defaults to hourly for windows of up to two days, else daily. The
    /// window is cut to whole buckets that have ended.
    #[tracing::instrument(skip_all, fields(tenant = %key.tenant_id))]
    pub async fn anomalies(
        &self,
        key: &AuthenticatedKey,
        group: &GroupBy,
        window: &TimeWindow,
        granularity: Option<Granularity>,
    ) -> Result<AnomalyReport, AnomalyError> {
        let granularity = granularity.unwrap_or(if window.duration() <= TimeDelta::days(2) {
            Granularity::Hourly
        } else {
            Granularity::Daily
        });
        let judged = whole_buckets(window, granularity, self.clock.now())?;
        let history_days = match granularity {
            Granularity::Hourly => HOURLY_HISTORY_DAYS,
            Granularity::Daily => DAILY_HISTORY_DAYS,
        };
        let read = TimeWindow::new(judged.start() - TimeDelta::days(history_days), judged.end())
            .map_err(|error| AnomalyError::Window(error.to_string()))?;
        let series = self
            .series
            .read(key, group, read, granularity.bucket_length())
            .await?;
        let split = series
            .starts
            .iter()
            .position(|start| *start >= judged.start())
            .unwrap_or(series.starts.len());
        let mut anomalies: Vec<GroupAnomaly> = series
            .groups
            .iter()
            .filter_map(|(group, costs)| {
                let buckets: Vec<Bucket> = series
                    .starts
                    .iter()
                    .zip(costs)
                    .map(|(start, cost)| Bucket {
                        start: *start,
                        cost: cost.amount(),
                    })
                    .collect();
                let (history, window) = buckets.split_at(split);
                let found = detect(
                    since_first_cost(history),
                    window,
                    granularity,
                    &self.settings,
                );
                (!found.is_empty()).then(|| GroupAnomaly {
                    group: group.clone(),
                    buckets: found,
                })
            })
            .collect();
        anomalies.sort_by(|a, b| {
            let score = |g: &GroupAnomaly| g.worst().map_or(0.0, |w| w.score.abs());
            score(b)
                .total_cmp(&score(a))
                .then_with(|| a.group.cmp(&b.group))
        });
        Ok(AnomalyReport {
            window: judged,
            granularity,
            anomalies,
        })
    }
}

/// `window` cut to the whole buckets in it that ended by `now`.
fn whole_buckets(
    window: &TimeWindow,
    granularity: Granularity,
    now: DateTime<Utc>,
) -> Result<TimeWindow, AnomalyError> {
    let bucket = granularity.bucket_length();
    let floor = |at: DateTime<Utc>| at.duration_trunc(bucket).unwrap_or(at);
    let mut start = floor(window.start());
    if start < window.start() {
        start += bucket;
    }
    let end = floor(window.end().min(now));
    let (name, longest) = match granularity {
        Granularity::Hourly => ("hour", MAX_HOURLY_WINDOW_DAYS),
        Granularity::Daily => ("day", MAX_DAILY_WINDOW_DAYS),
    };
    if end <= start {
        return Err(AnomalyError::Window(format!(
            "the window holds no whole {name} that has ended; widen it or use a finer granularity"
        )));
    }
    if end - start > TimeDelta::days(longest) {
        return Err(AnomalyError::Window(format!(
            "at {name}ly granularity the window may cover at most {longest} days"
        )));
    }
    TimeWindow::new(start, end).map_err(|error| AnomalyError::Window(error.to_string()))
}

#[cfg(test)]
mod tests;
