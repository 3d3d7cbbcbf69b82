//! Query latency per cost endpoint and window. Each request ends its window a second
//! earlier than the one before, so no two are the same and the query cache cannot answer:
//! the figures are the store's (the worst case a dashboard sees on a refresh).
//!
//! The allocation API's team question (`aggregate=label:team`) is timed three ways: cut
//! windows as above; whole-hour windows (each an hour earlier than the one before, as
//! OpenCost's `30d`-style windows are aligned) read from rollups with nothing cached; and
//! the same question asked again, answered from the query cache (what a dashboard's second
//! look costs).

use std::time::{Duration, Instant};

use anyhow::bail;
use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::header::AUTHORIZATION;

use super::Target;

/// The cost endpoints measured.
pub const ENDPOINTS: [&str; 5] = [
    "/v1/costs/namespaces",
    "/v1/costs/clusters",
    "/v1/costs/pods",
    "/v1/costs/utilization",
    "/v1/costs/trends",
];

/// The windows measured, in days.
pub const WINDOW_DAYS: [i64; 3] = [1, 7, 30];

/// How the allocation question's windows are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllocationWindows {
    /// Ending a second earlier each time (edges from raw samples, nothing cached).
    Cut,
    /// Ending on whole hours, an hour earlier each time (rollups only, nothing cached).
    WholeHours,
    /// The same whole-hour window every time (from the query cache after the first).
    Repeated,
}

impl AllocationWindows {
    pub const ALL: [Self; 3] = [Self::Cut, Self::WholeHours, Self::Repeated];

    /// The row label in the report.
    pub fn label(self) -> &'static str {
        match self {
            Self::Cut => "/v1/allocation?aggregate=label:team (cut windows)",
            Self::WholeHours => "/v1/allocation?aggregate=label:team (whole hours)",
            Self::Repeated => "/v1/allocation?aggregate=label:team (asked again: cached)",
        }
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `count` timings of `endpoint` over windows of `days` days ending near `now`.
pub async fn latencies(
    target: &Target,
    endpoint: &str,
    days: i64,
    now: DateTime<Utc>,
    count: usize,
    deadline: Instant,
) -> anyhow::Result<Vec<Duration>> {
    let urls = (0..count).map(|i| {
        let end = now - chrono::Duration::seconds(i as i64);
        let start = end - chrono::Duration::days(days);
        format!(
            "{}{endpoint}?start_time={}&end_time={}",
            target.base,
            rfc3339(start),
            rfc3339(end)
        )
    });
    timed(target, endpoint, urls, deadline).await
}

/// `count` timings of the team question over `days`-day windows chosen as `windows` says.
pub async fn allocation_latencies(
    target: &Target,
    windows: AllocationWindows,
    days: i64,
    now: DateTime<Utc>,
    count: usize,
    deadline: Instant,
) -> anyhow::Result<Vec<Duration>> {
    let hour = now - chrono::Duration::seconds(now.timestamp().rem_euclid(3600));
    let urls = (0..count).map(|i| {
        let end = match windows {
            AllocationWindows::Cut => now - chrono::Duration::seconds(i as i64),
            AllocationWindows::WholeHours => hour - chrono::Duration::hours(i as i64),
            AllocationWindows::Repeated => hour,
        };
        let start = end - chrono::Duration::days(days);
        format!(
            "{}/v1/allocation?window={},{}&aggregate=label:team&accumulate=true",
            target.base,
            rfc3339(start),
            rfc3339(end)
        )
    });
    timed(target, windows.label(), urls, deadline).await
}

/// Times a GET of each of `urls`, stopping at `deadline`.
async fn timed(
    target: &Target,
    what: &str,
    urls: impl Iterator<Item = String>,
    deadline: Instant,
) -> anyhow::Result<Vec<Duration>> {
    let mut timings = Vec::new();
    for url in urls {
        if Instant::now() > deadline {
            break;
        }
        let started = Instant::now();
        let response = target
            .http
            .get(&url)
            .header(AUTHORIZATION, target.authorization.clone())
            .send()
            .await
            .map_err(reqwest::Error::without_url)?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(reqwest::Error::without_url)?;
        timings.push(started.elapsed());
        if !status.is_success() {
            bail!(
                "{what} answered {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
    }
    Ok(timings)
}
