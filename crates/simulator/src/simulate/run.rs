//! Drives simulated clusters against a server: a back-fill (every sample time of a
//! period, as fast as the server takes them, a bounded number in flight) or real time
//! (one snapshot per cluster every interval, like agents in the field).
//!
//! Each cluster's snapshots are sent in time order, one at a time: the server derives a
//! sample's duration from the gap to the cluster's previous snapshot, so out-of-order
//! arrival would misstate durations. Concurrency is across clusters.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use kcost_domain::catalog::Catalog;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::agent_client::{AgentClient, Delivery};
use super::blueprint;
use super::cluster::ClusterSim;
use super::progress::Progress;

/// The clusters for a run: `count` of them, shaped by `seed`, priced from the built-in catalog.
pub fn build_clusters(count: usize, seed: u64) -> anyhow::Result<Vec<ClusterSim>> {
    let catalog = Catalog::builtin()?;
    blueprint::clusters(count, seed)
        .into_iter()
        .map(|blueprint| Ok(ClusterSim::new(blueprint, &catalog, seed)?))
        .collect()
}

/// What a finished back-fill did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackfillReport {
    pub snapshots: u64,
    pub pod_samples: u64,
    pub duplicates: u64,
    pub retries: u64,
    pub elapsed: Duration,
}

/// Sends every cluster's snapshot at every time in `times` (oldest first), at most
/// `concurrency` requests in flight, counting into `progress`. Stops at the first
/// snapshot the server refuses or that cannot be delivered within the retry policy.
pub async fn backfill(
    client: AgentClient,
    clusters: Vec<ClusterSim>,
    times: Arc<[DateTime<Utc>]>,
    concurrency: usize,
    progress: Arc<Progress>,
) -> anyhow::Result<BackfillReport> {
    let started = Instant::now();
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for mut cluster in clusters {
        let (client, times, permits, progress) = (
            client.clone(),
            Arc::clone(&times),
            Arc::clone(&permits),
            Arc::clone(&progress),
        );
        tasks.spawn(async move {
            for at in times.iter() {
                let payload = cluster.step(*at);
                let pods = payload.pod_metrics.as_ref().map_or(0, Vec::len) as u64;
                let _permit = permits.acquire().await?;
                let delivered = client.push(&payload).await.map_err(|e| {
                    anyhow::anyhow!("{} at {}: {e}", cluster.name(), at.to_rfc3339())
                })?;
                progress
                    .retries
                    .fetch_add(u64::from(delivered.retries), Ordering::Relaxed);
                if delivered.delivery == Delivery::Duplicate {
                    progress.duplicates.fetch_add(1, Ordering::Relaxed);
                }
                progress.pods.fetch_add(pods, Ordering::Relaxed);
                progress.sent.fetch_add(1, Ordering::Relaxed);
            }
            anyhow::Ok(())
        });
    }
    while let Some(finished) = tasks.join_next().await {
        // Dropping the set on error aborts the other clusters.
        finished??;
    }
    Ok(BackfillReport {
        snapshots: progress.sent(),
        pod_samples: progress.pods(),
        duplicates: progress.duplicates(),
        retries: progress.retries(),
        elapsed: started.elapsed(),
    })
}

/// One real-time round: every cluster's snapshot at `at`, sent concurrently. Returns
/// how many pods were reported in total.
pub async fn send_round(
    client: &AgentClient,
    clusters: &mut [ClusterSim],
    at: DateTime<Utc>,
) -> anyhow::Result<u64> {
    let mut tasks = JoinSet::new();
    let mut pods = 0;
    for cluster in clusters.iter_mut() {
        let payload = cluster.step(at);
        pods += payload.pod_metrics.as_ref().map_or(0, Vec::len) as u64;
        let (client, name) = (client.clone(), cluster.name().to_owned());
        tasks.spawn(async move {
            client
                .push(&payload)
                .await
                .map_err(|e| anyhow::anyhow!("{name}: {e}"))
        });
    }
    while let Some(finished) = tasks.join_next().await {
        finished??;
    }
    Ok(pods)
}
