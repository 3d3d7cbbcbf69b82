//! The seed's storage, timed beside kcost in the same bench run on the same PostgreSQL:
//! bare `COPY` of the sustained run's pod rows into the seed's own `pod_metrics` table
//! (its schema, no index but the time one a hypertable gets), one COPY per snapshot from as
//! many connections as kcost had senders, then the seed's namespace-cost SQL over them.
//! Ratios between the two survive a noisy machine; absolute figures do not.

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tokio::task::JoinSet;

use super::cpu::CpuSpent;
use super::stats::Percentiles;
use super::workload;

/// What the baseline measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Baseline {
    pub rows: u64,
    pub connections: usize,
    pub copy_elapsed: Duration,
    /// CPU spent while the COPYs ran (PostgreSQL and this client).
    pub copy_cpu: CpuSpent,
    /// The seed's `CostByNamespace` SQL over the whole range, 5 runs.
    pub baseline_namespace_sql: Option<Percentiles>,
}

/// Seed 1's `pod_metrics` (`docker/timescale-init.sql`), under a per-run name.
fn create_table(table: &str) -> String {
    format!(
        "CREATE TABLE {table} (
            time timestamptz NOT NULL,
            tenant_id bigint NOT NULL,
            cluster_name text,
            namespace text,
            pod_name text,
            node_name text,
            cpu_millicores bigint,
            memory_bytes bigint,
            cpu_request_millicores bigint,
            memory_request_bytes bigint,
            cpu_limit_millicores bigint,
            memory_limit_bytes bigint
        );
        CREATE INDEX ON {table} (time DESC)"
    )
}

/// Seed 1's namespace query (`services/cost_service.go`, `CostByNamespace`).
fn baseline_namespace_sql(table: &str) -> String {
    format!(
        "SELECT namespace, SUM(cpu_request_millicores) AS total_cpu_request,
                SUM(memory_request_bytes) AS total_memory_request,
                AVG(cpu_millicores) AS avg_cpu_usage, AVG(memory_bytes) AS avg_memory_usage,
                COUNT(DISTINCT pod_name) AS pod_count
         FROM {table}
         WHERE tenant_id = $1 AND time >= $2 AND time <= $3 AND pod_name != '__aggregate__'
         GROUP BY namespace ORDER BY total_cpu_request DESC"
    )
}

/// One snapshot's rows in COPY text form (names are generated: nothing to escape).
fn copy_rows(cluster: &str, at: DateTime<Utc>, pods: usize) -> Vec<u8> {
    let payload = workload::snapshot(cluster, at, pods);
    let time = at.format("%Y-%m-%d %H:%M:%S+00");
    let mut out = String::with_capacity(pods * 160);
    let or_null = |v: Option<i64>| v.map_or("\\N".to_owned(), |v| v.to_string());
    for pod in payload.pod_metrics.unwrap_or_default() {
        let f = &pod.figures;
        out.push_str(&format!(
            "{time}\t1\t{cluster}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            pod.namespace,
            pod.pod_name,
            pod.node_name,
            f.cpu_usage_millicores,
            f.memory_usage_bytes,
            f.cpu_request_millicores,
            f.memory_request_bytes,
            or_null(f.cpu_limit_millicores),
            or_null(f.memory_limit_bytes)
        ));
    }
    out.into_bytes()
}

/// Times the baseline on `url` for `clusters` × `times` snapshots of `pods` pods.
pub async fn measure(
    url: &str,
    run_id: &str,
    clusters: usize,
    times: &[DateTime<Utc>],
    pods: usize,
) -> anyhow::Result<Baseline> {
    super::target::ensure_loopback(url)?;
    let table = format!("baseline_pod_metrics_{run_id}");
    let mut admin = PgConnection::connect(url)
        .await
        .context("connecting to the baseline database")?;
    sqlx::raw_sql(AssertSqlSafe(create_table(&table)))
        .execute(&mut admin)
        .await?;
    // Encoded before the clock starts, as kcost's bodies are.
    let batches: Vec<Vec<Vec<u8>>> = (0..clusters)
        .map(|c| {
            let cluster = format!("seed-{run_id}-{c}");
            times
                .iter()
                .map(|at| copy_rows(&cluster, *at, pods))
                .collect()
        })
        .collect();
    let rows = (clusters * times.len() * pods) as u64;
    let statement = format!(
        "COPY {table} (time, tenant_id, cluster_name, namespace, pod_name, node_name,
                       cpu_millicores, memory_bytes, cpu_request_millicores,
                       memory_request_bytes, cpu_limit_millicores, memory_limit_bytes)
         FROM STDIN"
    );
    let cpu_before = super::cpu::read(None);
    let started = Instant::now();
    let mut senders = JoinSet::new();
    for batch in batches {
        let url = url.to_owned();
        let statement = statement.clone();
        senders.spawn(async move {
            let mut conn = PgConnection::connect(&url).await?;
            for data in batch {
                let mut copy = conn.copy_in_raw(&statement).await?;
                copy.send(data).await?;
                copy.finish().await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = senders.join_next().await {
        done??;
    }
    let copy_elapsed = started.elapsed();
    let copy_cpu = CpuSpent::between(cpu_before, super::cpu::read(None));

    let (first, last) = (times.first().copied(), times.last().copied());
    let mut timings = Vec::new();
    if let (Some(first), Some(last)) = (first, last) {
        let sql = baseline_namespace_sql(&table);
        for _ in 0..5 {
            let started = Instant::now();
            sqlx::query(AssertSqlSafe(sql.clone()))
                .bind(1_i64)
                .bind(first)
                .bind(last)
                .fetch_all(&mut admin)
                .await?;
            timings.push(started.elapsed());
        }
    }
    sqlx::raw_sql(AssertSqlSafe(format!("DROP TABLE {table}")))
        .execute(&mut admin)
        .await?;
    Ok(Baseline {
        rows,
        connections: clusters,
        copy_elapsed,
        copy_cpu,
        baseline_namespace_sql: Percentiles::of(&timings),
    })
}
