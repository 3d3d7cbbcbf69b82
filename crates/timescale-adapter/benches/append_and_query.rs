//! Storage benchmark on PostgreSQL: appends 5,000-pod snapshots, loads 30 days of 2,000 pods
//! at 10-minute samples (8.64 M pod samples), then times the 30-day namespace breakdown.
//!
//! Run (figures go to docs/benchmarks.md):
//!   cargo bench -p kcost-timescale-adapter --bench append_and_query
//! Environment: `KCOST_TEST_DATABASE_URL` (server to create a throw-away database on;
//! `postgres://postgres@localhost/postgres?host=/var/run/postgresql` for the Unix socket),
//! `KCOST_BENCH_DAYS` (default 30), `KCOST_BENCH_PODS` (default 2000).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use kcost_domain::catalog::Catalog;
use kcost_domain::cost_engine::{DurationBasis, PricedSnapshot, SampleDuration, price_snapshot};
use kcost_domain::costs::{CostFilter, CostGrouping, CostQuery};
use kcost_domain::pricing::{PriceBook, ResourceRates};
use kcost_domain::quantity::{Bytes, Millicores};
use kcost_domain::snapshot::{
    NodeSample, PodSample, ResourceFigures, Snapshot, SnapshotParts, SnapshotRules,
};
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_migrations::{MigratorTrait, TimeseriesMigrator};
use kcost_ports::MetricsStore;
use kcost_timescale_adapter::PgMetricsStore;
use sea_orm::Database;
use sqlx::{AssertSqlSafe, PgPool};

const PODS_PER_NODE: usize = 25;
const NAMESPACES: usize = 20;
const GIB: u64 = 1 << 30;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Deterministic pseudo-random numbers (no RNG dependency; same data every run).
fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x
}

fn snapshot(cluster: &str, pods: usize, at: DateTime<Utc>) -> Snapshot {
    let node_count = pods.div_ceil(PODS_PER_NODE);
    let nodes = (0..node_count)
        .map(|i| NodeSample {
            name: format!("node-{i}"),
            instance_type: Some("m5.4xlarge".into()),
            cpu_capacity: Millicores::new(16_000),
            memory_capacity: Bytes::new(64 * GIB),
            cpu_allocatable: Millicores::new(15_800),
            memory_allocatable: Bytes::new(62 * GIB),
            hourly_cost: None,
            labels: Default::default(),
        })
        .collect();
    let tick = at.timestamp() as u64;
    let pods = (0..pods)
        .map(|i| {
            let noise = mix(tick ^ (i as u64).wrapping_mul(0x9e37_79b9));
            PodSample {
                name: format!("app-{i}"),
                namespace: format!("ns-{}", i % NAMESPACES),
                node: Some(format!("node-{}", i / PODS_PER_NODE)),
                figures: ResourceFigures {
                    cpu_usage: Millicores::new(50 + noise % 700),
                    memory_usage: Bytes::new(GIB / 4 + (noise >> 16) % (2 * GIB)),
                    cpu_request: Millicores::new(250 + (i as u64 % 4) * 125),
                    memory_request: Bytes::new(GIB / 2 + (i as u64 % 3) * GIB / 2),
                    cpu_limit: None,
                    memory_limit: None,
                },
                owner: None,
                labels: BTreeMap::new(),
                owner_inferred: false,
                phase: None,
                qos_class: None,
                containers: Vec::new(),
            }
        })
        .collect();
    let parts = SnapshotParts {
        cluster: cluster.into(),
        timestamp: at,
        interval_seconds: Some(600),
        pods,
        nodes,
    };
    Snapshot::new(parts, at, &SnapshotRules::default()).expect("valid synthetic snapshot")
}

fn price(snapshot: Snapshot, catalog: &Catalog) -> PricedSnapshot {
    let book = PriceBook::new(&[], catalog, ResourceRates::opencost_defaults());
    price_snapshot(
        snapshot,
        &book,
        SampleDuration {
            seconds: 600,
            basis: DurationBasis::Declared,
        },
    )
}

/// `url` with its database name replaced by `name`, query parameters (such as
/// `?host=/var/run/postgresql` for a Unix socket) kept.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let slash = base.rfind('/').unwrap_or(base.len());
    match query {
        Some(query) => format!("{}/{name}?{query}", &base[..slash]),
        None => format!("{}/{name}", &base[..slash]),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn summary(mut samples: Vec<Duration>) -> String {
    samples.sort();
    format!(
        "p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms (n={})",
        percentile(&samples, 0.5).as_secs_f64() * 1e3,
        percentile(&samples, 0.95).as_secs_f64() * 1e3,
        samples.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        samples.len()
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let admin_url = std::env::var("KCOST_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let days = env_or("KCOST_BENCH_DAYS", 30);
    let pods = env_or("KCOST_BENCH_PODS", 2000);
    let name = format!("kcost_bench_{}", uuid::Uuid::new_v4().simple());
    let admin = PgPool::connect(&admin_url).await?;
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&admin)
        .await?;
    let url = with_database(&admin_url, &name);
    let result = run(&url, days, pods).await;
    sqlx::query(AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .execute(&admin)
    .await?;
    result
}

async fn run(url: &str, days: usize, pods: usize) -> anyhow::Result<()> {
    let db = Database::connect(url).await?;
    TimeseriesMigrator::up(&db, None).await?;
    let store = PgMetricsStore::from_connection(&db)?;
    let catalog = Catalog::builtin()?;
    let tenant = TenantId::from_uuid(uuid::Uuid::from_u128(1));
    let start = Utc
        .with_ymd_and_hms(2026, 10, 1, 0, 0, 0)
        .single()
        .expect("valid");

    println!("| what | figure |\n|---|---|");

    // 1. 5,000-pod snapshots, append only and price + append.
    let mut append_only = Vec::new();
    let mut end_to_end = Vec::new();
    for i in 0..30 {
        let at = start + chrono::Duration::minutes(10 * i);
        let began = Instant::now();
        let priced = price(snapshot("bench-5k", 5000, at), &catalog);
        let appended = Instant::now();
        store.append(tenant, &priced).await?;
        append_only.push(appended.elapsed());
        end_to_end.push(began.elapsed());
    }
    let append_total: Duration = append_only.iter().sum();
    println!(
        "| 5,000-pod snapshot, append (one transaction) | {}; {:.0} pod-samples/s |",
        summary(append_only.clone()),
        150_000.0 / append_total.as_secs_f64()
    );
    println!(
        "| 5,000-pod snapshot, build + price + append | {} |",
        summary(end_to_end)
    );

    // 2. Load `days` of `pods` pods at 10-minute samples.
    let snapshots = days * 144;
    let began = Instant::now();
    for k in 0..snapshots {
        let at = start + chrono::Duration::minutes(10 * k as i64);
        store
            .append(tenant, &price(snapshot("bench-2k", pods, at), &catalog))
            .await?;
    }
    let elapsed = began.elapsed();
    let samples = snapshots * pods;
    println!(
        "| load {samples} pod samples ({snapshots} snapshots of {pods} pods) | {:.0} s, {:.0} pod-samples/s sustained (one connection, pricing included) |",
        elapsed.as_secs_f64(),
        samples as f64 / elapsed.as_secs_f64()
    );

    // 3. The 30-day namespace breakdown, warm.
    let window = TimeWindow::new(start, start + chrono::Duration::days(days as i64))?;
    for (label, grouping) in [
        ("namespace", CostGrouping::Namespace),
        ("cluster", CostGrouping::Cluster),
    ] {
        let query = CostQuery {
            window,
            grouping,
            filter: CostFilter::default(),
        };
        for _ in 0..3 {
            store.costs(tenant, &query).await?;
        }
        let mut timings = Vec::new();
        for _ in 0..20 {
            let began = Instant::now();
            let rows = store.costs(tenant, &query).await?;
            timings.push(began.elapsed());
            assert!(!rows.is_empty());
        }
        println!(
            "| {days}-day {label} breakdown over {samples} samples, warm | {} |",
            summary(timings)
        );
    }
    // A window with ragged edges exercises the raw-sample path at both ends.
    let ragged = TimeWindow::new(
        start + chrono::Duration::minutes(35),
        start + chrono::Duration::days(days as i64) - chrono::Duration::minutes(25),
    )?;
    let query = CostQuery {
        window: ragged,
        grouping: CostGrouping::Namespace,
        filter: CostFilter::default(),
    };
    let mut timings = Vec::new();
    for _ in 0..20 {
        let began = Instant::now();
        store.costs(tenant, &query).await?;
        timings.push(began.elapsed());
    }
    println!(
        "| same, window cutting its first and last hour | {} |",
        summary(timings)
    );
    db.close().await?;
    Ok(())
}
