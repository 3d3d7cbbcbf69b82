//! `kcost bench`: a bounded load test of a running server on this machine — ingest
//! latency per snapshot size, sustained ingest throughput (by tenth of the run, beside bare
//! COPY of the same rows and the seed's SQL when given a database), query latency per cost
//! endpoint and window, and the server's RSS — reported as markdown.

pub mod baseline;
pub mod cpu;
pub mod ingest;
pub mod queries;
pub mod report;
pub mod rss;
pub mod stats;
pub mod target;
pub mod workload;

use std::time::{Duration, Instant};

use chrono::Utc;
use reqwest::header::HeaderValue;

use report::{BenchResults, Throughput, ThroughputCpu};
use stats::Percentiles;

/// How much load to apply; every count is an upper bound, and `max_duration` bounds it all.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchPlan {
    /// Snapshot sizes (pods) for the latency runs.
    pub sizes: Vec<usize>,
    /// Snapshots per size.
    pub samples: usize,
    /// Sustained ingest: clusters sending at once, snapshots each, pods per snapshot.
    pub throughput_clusters: usize,
    pub throughput_snapshots: usize,
    pub throughput_pods: usize,
    /// Requests per endpoint and window.
    pub queries: usize,
    pub max_duration: Duration,
    /// Longest to wait after the sustained load for PostgreSQL to go quiet (the server's
    /// rollups catching up) before the baseline and the queries; zero: no wait.
    pub settle_limit: Duration,
    /// A PostgreSQL database to time the seed's storage on beside kcost's, in the same run
    /// (`baseline`): bare COPY of the same rows into the seed's `pod_metrics` table and the
    /// seed's namespace SQL over them.
    pub baseline_database_url: Option<String>,
    /// Names the bench's clusters apart from other runs'.
    pub run_id: String,
}

/// The server under test and how to call it.
#[derive(Debug, Clone)]
pub struct Target {
    pub http: reqwest::Client,
    pub base: String,
    /// `ApiKey …`, marked sensitive.
    pub authorization: HeaderValue,
}

impl Target {
    pub fn ingest_url(&self) -> String {
        format!("{}/v1/ingest", self.base)
    }
}

/// Runs the plan against `target`; `server_pid` adds the server's RSS.
pub async fn run(
    target: &Target,
    plan: &BenchPlan,
    server_pid: Option<u32>,
) -> anyhow::Result<BenchResults> {
    let started = Instant::now();
    let deadline = started + plan.max_duration;
    let now = Utc::now();
    let mut results = BenchResults {
        url: target.base.clone(),
        rss_before: server_pid.and_then(rss::read),
        ..BenchResults::default()
    };

    // Each size has a cluster of its own; its samples end an hour before the throughput
    // run's so the two never share a timestamp.
    for &pods in &plan.sizes {
        let cluster = format!("bench-{}-{pods}p", plan.run_id);
        let times = ingest::sample_times(now, plan.samples, 6);
        let timings = ingest::latencies(target, &cluster, pods, &times, deadline).await?;
        results.ingest.push((pods, Percentiles::of(&timings)));
    }

    if plan.throughput_snapshots > 0 && Instant::now() < deadline {
        let bodies = (0..plan.throughput_clusters.max(1))
            .map(|c| {
                let cluster = format!("bench-{}-load-{c}", plan.run_id);
                ingest::sample_times(now, plan.throughput_snapshots, 0)
                    .into_iter()
                    .map(|at| workload::snapshot_body(&cluster, at, plan.throughput_pods))
                    .collect::<serde_json::Result<Vec<_>>>()
            })
            .collect::<serde_json::Result<Vec<_>>>()?;
        let before = cpu::read(server_pid);
        let run = ingest::throughput(target, bodies, plan.throughput_pods).await?;
        let during = cpu::read(server_pid);
        // Before the baseline, so the server's catch-up does not slow bare COPY down.
        let settled_after = cpu::settle(
            server_pid,
            plan.settle_limit
                .min(deadline.saturating_duration_since(Instant::now())),
        )
        .await;
        let cpu = ThroughputCpu {
            during: cpu::CpuSpent::between(before, during),
            after: cpu::CpuSpent::between(during, cpu::read(server_pid)),
            settled_after,
        };
        let baseline = match &plan.baseline_database_url {
            Some(url) => Some(
                baseline::measure(
                    url,
                    &plan.run_id,
                    plan.throughput_clusters.max(1),
                    &ingest::sample_times(now, plan.throughput_snapshots, 0),
                    plan.throughput_pods,
                )
                .await?,
            ),
            None => None,
        };
        results.throughput = Some(Throughput {
            senders: plan.throughput_clusters.max(1),
            snapshots: plan.throughput_clusters.max(1) * plan.throughput_snapshots,
            pods_per_snapshot: plan.throughput_pods,
            pod_samples: run.pod_samples,
            elapsed: run.elapsed,
            tenths: run.tenths,
            // Without the server's pid its share would read as zero: no accounting.
            cpu: server_pid.is_some().then_some(cpu),
            baseline,
        });
    }

    for endpoint in queries::ENDPOINTS {
        for days in queries::WINDOW_DAYS {
            let timings =
                queries::latencies(target, endpoint, days, now, plan.queries, deadline).await?;
            results
                .queries
                .push((endpoint.to_owned(), days, Percentiles::of(&timings)));
        }
    }

    for windows in queries::AllocationWindows::ALL {
        for days in queries::WINDOW_DAYS {
            let timings =
                queries::allocation_latencies(target, windows, days, now, plan.queries, deadline)
                    .await?;
            results
                .queries
                .push((windows.label().to_owned(), days, Percentiles::of(&timings)));
        }
    }

    results.cut_short = Instant::now() > deadline;
    results.rss_after = server_pid.and_then(rss::read);
    results.elapsed = started.elapsed();
    Ok(results)
}
