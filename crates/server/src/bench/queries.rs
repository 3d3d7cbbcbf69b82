//! Query latency per cost endpoint and window. Each request ends its window a second
//! earlier than the one before, so no two are the same and the query cache cannot answer:
//! the figures are the store's (the worst case a dashboard sees on a refresh).

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

/// `count` timings of `endpoint` over windows of `days` days ending near `now`.
pub async fn latencies(
    target: &Target,
    endpoint: &str,
    days: i64,
    now: DateTime<Utc>,
    count: usize,
    deadline: Instant,
) -> anyhow::Result<Vec<Duration>> {
    let mut timings = Vec::with_capacity(count);
    for i in 0..count {
        if Instant::now() > deadline {
            break;
        }
        let end = now - chrono::Duration::seconds(i as i64);
        let start = end - chrono::Duration::days(days);
        let url = format!(
            "{}{endpoint}?start_time={}&end_time={}",
            target.base,
            start.to_rfc3339_opts(SecondsFormat::Secs, true),
            end.to_rfc3339_opts(SecondsFormat::Secs, true)
        );
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
                "{endpoint} answered {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
    }
    Ok(timings)
}
