//! Ingest under load: latency of one snapshot at a time per snapshot size, and sustained
//! throughput with several clusters sending at once. Bodies are encoded before the clock
//! starts, so the figures are the server's (and the loopback's), not the client's JSON.

use std::time::{Duration, Instant};

use anyhow::bail;
use chrono::{DateTime, Utc};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use tokio::task::JoinSet;

use super::Target;
use super::workload::snapshot_body;

/// Sample times `count` × 10 min apart, oldest first, ending `offset` × 10 min before `now`.
pub fn sample_times(now: DateTime<Utc>, count: usize, offset: usize) -> Vec<DateTime<Utc>> {
    (0..count)
        .rev()
        .map(|back| now - chrono::Duration::seconds(600 * (back + offset) as i64))
        .collect()
}

/// Posts one body; the time from sending to the server's answer (after its commit).
pub async fn post_snapshot(target: &Target, body: Vec<u8>) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let response = target
        .http
        .post(target.ingest_url())
        .header(AUTHORIZATION, target.authorization.clone())
        .header(CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .map_err(reqwest::Error::without_url)?;
    let status = response.status();
    let answer = response
        .bytes()
        .await
        .map_err(reqwest::Error::without_url)?;
    let elapsed = started.elapsed();
    if status.as_u16() == 429 {
        bail!(
            "429 rate limited: run the server with KCOST_SERVER__RATE_LIMIT_PER_MINUTE=0 for a load test"
        );
    }
    if !status.is_success() {
        bail!(
            "ingest answered {status}: {}",
            String::from_utf8_lossy(&answer)
        );
    }
    Ok(elapsed)
}

/// Latencies of `times.len()` snapshots of `pods` pods for `cluster`, one at a time.
pub async fn latencies(
    target: &Target,
    cluster: &str,
    pods: usize,
    times: &[DateTime<Utc>],
    deadline: Instant,
) -> anyhow::Result<Vec<Duration>> {
    let mut timings = Vec::with_capacity(times.len());
    for at in times {
        if Instant::now() > deadline {
            break;
        }
        let body = snapshot_body(cluster, *at, pods)?;
        timings.push(post_snapshot(target, body).await?);
    }
    Ok(timings)
}

/// Sustained ingest: `clusters` senders, each posting its `bodies` in order. Returns
/// (pod samples sent, wall time).
pub async fn throughput(
    target: &Target,
    bodies_per_cluster: Vec<Vec<Vec<u8>>>,
    pods_per_snapshot: usize,
) -> anyhow::Result<(u64, Duration)> {
    let started = Instant::now();
    let mut senders = JoinSet::new();
    let mut snapshots = 0;
    for bodies in bodies_per_cluster {
        snapshots += bodies.len() as u64;
        let target = target.clone();
        senders.spawn(async move {
            for body in bodies {
                post_snapshot(&target, body).await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = senders.join_next().await {
        done??;
    }
    Ok((snapshots * pods_per_snapshot as u64, started.elapsed()))
}
