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

/// What a sustained-ingest run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct ThroughputRun {
    pub pod_samples: u64,
    pub elapsed: Duration,
    /// Pod-samples/s in each tenth of the run (by samples acknowledged, in order).
    pub tenths: Vec<f64>,
}

/// Sustained ingest: `clusters` senders, each posting its `bodies` in order.
pub async fn throughput(
    target: &Target,
    bodies_per_cluster: Vec<Vec<Vec<u8>>>,
    pods_per_snapshot: usize,
) -> anyhow::Result<ThroughputRun> {
    let started = Instant::now();
    let mut senders = JoinSet::new();
    for bodies in bodies_per_cluster {
        let target = target.clone();
        senders.spawn(async move {
            let mut acknowledged = Vec::with_capacity(bodies.len());
            for body in bodies {
                post_snapshot(&target, body).await?;
                acknowledged.push(started.elapsed());
            }
            anyhow::Ok(acknowledged)
        });
    }
    let mut acknowledged = Vec::new();
    while let Some(done) = senders.join_next().await {
        acknowledged.extend(done??);
    }
    acknowledged.sort();
    let snapshots = acknowledged.len() as u64;
    Ok(ThroughputRun {
        pod_samples: snapshots * pods_per_snapshot as u64,
        elapsed: started.elapsed(),
        tenths: tenths(&acknowledged, pods_per_snapshot as f64),
    })
}

/// Rates per tenth of the acknowledgements (sorted times since the start), each tenth from
/// the previous tenth's last acknowledgement to its own.
pub fn tenths(acknowledged: &[Duration], samples_each: f64) -> Vec<f64> {
    let n = acknowledged.len();
    if n < 10 {
        return Vec::new();
    }
    let mut rates = Vec::with_capacity(10);
    let mut from_index = 0;
    let mut from_time = Duration::ZERO;
    for tenth in 1..=10 {
        let to_index = n * tenth / 10;
        let to_time = acknowledged[to_index - 1];
        let count = (to_index - from_index) as f64 * samples_each;
        rates.push(count / (to_time - from_time).as_secs_f64().max(1e-9));
        from_index = to_index;
        from_time = to_time;
    }
    rates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenths_split_the_acknowledgements_evenly() {
        // 20 snapshots of 100 samples: one every 100 ms, then one every 200 ms.
        let mut times = Vec::new();
        let mut t = Duration::ZERO;
        for i in 0..20 {
            t += Duration::from_millis(if i < 10 { 100 } else { 200 });
            times.push(t);
        }
        let rates = tenths(&times, 100.0);
        assert_eq!(rates.len(), 10);
        assert!((rates[0] - 1000.0).abs() < 1e-6, "{rates:?}");
        assert!((rates[9] - 500.0).abs() < 1e-6, "{rates:?}");
        assert!(tenths(&times[..5], 100.0).is_empty());
    }
}
