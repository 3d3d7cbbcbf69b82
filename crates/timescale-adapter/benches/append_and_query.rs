//! Storage benchmark on PostgreSQL: appends 5,000-pod snapshots, loads 30 days of 2,000 pods
//! at 10-minute samples (8.64 M pod samples) with rollup runs in between, times bare COPY of
//! the same rows into seed 1's own `pod_metrics` table and its namespace SQL over them, then
//! times kcost's 30-day namespace and cluster breakdowns — all in one run on one database.
//!
//! Run (figures go to docs/benchmarks.md):
//!   cargo bench -p kcost-timescale-adapter --bench append_and_query
//! Environment: `KCOST_TEST_DATABASE_URL` (server to create a throw-away database on;
//! `postgres://postgres@localhost/postgres?host=/var/run/postgresql` for the Unix socket),
//! `KCOST_BENCH_DAYS` (default 30), `KCOST_BENCH_PODS` (default 2000), `KCOST_BENCH_KEEP`
//! (set: keep the database for inspection instead of dropping it).
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
    if std::env::var_os("KCOST_BENCH_KEEP").is_some() {
        println!("\nkept database {name}");
        return result;
    }
    sqlx::query(AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .execute(&admin)
    .await?;
    result
}

/// Seed 1's `pod_metrics` (its `docker/timescale-init.sql`; a plain table with the time
/// index a hypertable would have) and its `CostByNamespace` SQL.
const POD_METRICS_TABLE: &str = "CREATE TABLE pod_metrics (
    time timestamptz NOT NULL, tenant_id bigint NOT NULL, cluster_name text, namespace text,
    pod_name text, node_name text, cpu_millicores bigint, memory_bytes bigint,
    cpu_request_millicores bigint, memory_request_bytes bigint, cpu_limit_millicores bigint,
    memory_limit_bytes bigint);
CREATE INDEX ON pod_metrics (time DESC)";
const BASELINE_NAMESPACE_SQL: &str = "
SELECT namespace, SUM(cpu_request_millicores) AS total_cpu_request,
       SUM(memory_request_bytes) AS total_memory_request, AVG(cpu_millicores) AS avg_cpu_usage,
       AVG(memory_bytes) AS avg_memory_usage, COUNT(DISTINCT pod_name) AS pod_count
FROM pod_metrics
WHERE tenant_id = $1 AND time >= $2 AND time <= $3 AND pod_name != '__aggregate__'
GROUP BY namespace ORDER BY total_cpu_request DESC";

async fn load_baseline_table(
    pool: &PgPool,
    start: DateTime<Utc>,
    snapshots: usize,
    pods: usize,
) -> anyhow::Result<()> {
    sqlx::raw_sql(POD_METRICS_TABLE).execute(pool).await?;
    let mut conn = pool.acquire().await?;
    let mut copy_time = Duration::ZERO;
    for k in 0..snapshots {
        let at = start + chrono::Duration::minutes(10 * k as i64);
        let snap = snapshot("bench-2k", pods, at);
        let time = at.format("%Y-%m-%d %H:%M:%S+00");
        let mut data = String::with_capacity(pods * 160);
        for pod in snap.pods() {
            let f = &pod.figures;
            let limit = |v: Option<u64>| v.map_or("\\N".to_owned(), |v| v.to_string());
            data.push_str(&format!(
                "{time}\t1\tbench-2k\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                pod.namespace,
                pod.name,
                pod.node.as_deref().unwrap_or(""),
                f.cpu_usage.get(),
                f.memory_usage.get(),
                f.cpu_request.get(),
                f.memory_request.get(),
                limit(f.cpu_limit.map(|l| l.get())),
                limit(f.memory_limit.map(|l| l.get()))
            ));
        }
        let began = Instant::now();
        let mut copy = conn.copy_in_raw("COPY pod_metrics FROM STDIN").await?;
        copy.send(data.into_bytes()).await?;
        copy.finish().await?;
        copy_time += began.elapsed();
    }
    let rows = snapshots * pods;
    println!(
        "| seed baseline: bare COPY of the same {rows} rows into its `pod_metrics` (one COPY per snapshot) | {:.0} s, {:.0} rows/s |",
        copy_time.as_secs_f64(),
        rows as f64 / copy_time.as_secs_f64()
    );
    let end = start + chrono::Duration::minutes(10 * snapshots as i64);
    let mut timings = Vec::new();
    for _ in 0..5 {
        let began = Instant::now();
        sqlx::query(BASELINE_NAMESPACE_SQL)
            .bind(1_i64)
            .bind(start)
            .bind(end)
            .fetch_all(&mut *conn)
            .await?;
        timings.push(began.elapsed());
    }
    println!(
        "| seed baseline: its namespace SQL over those rows, warm | {} |",
        summary(timings)
    );
    Ok(())
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

    // 2. Load `days` of `pods` pods at 10-minute samples, with the rollup job's runs in
    //    between as the server's background task would (here: once per simulated day).
    let snapshots = days * 144;
    let began = Instant::now();
    let mut rollup_time = Duration::ZERO;
    let mut tenth_marks = Vec::with_capacity(10);
    for k in 0..snapshots {
        if k > 0 && (k * 10) % snapshots == 0 {
            tenth_marks.push(began.elapsed());
        }
        let at = start + chrono::Duration::minutes(10 * k as i64);
        store
            .append(tenant, &price(snapshot("bench-2k", pods, at), &catalog))
            .await?;
        if k % 144 == 143 {
            let rolled = Instant::now();
            store.roll_up(at).await?;
            rollup_time += rolled.elapsed();
        }
    }
    let elapsed = began.elapsed();
    tenth_marks.push(elapsed);
    let samples = snapshots * pods;
    let per_tenth = samples as f64 / 10.0;
    let mut previous = Duration::ZERO;
    let rates: Vec<String> = tenth_marks
        .iter()
        .map(|mark| {
            let rate = per_tenth / (*mark - previous).as_secs_f64().max(1e-9);
            previous = *mark;
            format!("{rate:.0}")
        })
        .collect();
    println!(
        "| load rate by tenth (pod-samples/s, rollup runs included) | {} |",
        rates.join(", ")
    );
    println!(
        "| load {samples} pod samples ({snapshots} snapshots of {pods} pods), rollups included | {:.0} s, {:.0} pod-samples/s sustained (one connection, pricing included); of which rollup runs {:.0} s |",
        elapsed.as_secs_f64(),
        samples as f64 / elapsed.as_secs_f64(),
        rollup_time.as_secs_f64()
    );
    let end = start + chrono::Duration::days(days as i64);
    let rolled = Instant::now();
    let report = store.roll_up(end + chrono::Duration::hours(1)).await?;
    println!(
        "| final rollup run ({} cluster-hours, {} cluster-days) | {:.1} s |",
        report.hours,
        report.days,
        rolled.elapsed().as_secs_f64()
    );

    // 2b. The seed's storage in the same database: bare COPY of the same rows into its own
    //     `pod_metrics` table, and its namespace SQL over them.
    load_baseline_table(store.pool(), start, snapshots, pods).await?;

    // 3. The 30-day namespace breakdown, warm.
    let window = TimeWindow::new(start, end)?;
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
