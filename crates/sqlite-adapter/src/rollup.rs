//! `roll_up`: the hourly and daily rollups, built off the ingest path.
//!
//! `rollup_state.rolled_until` is, per (tenant, cluster), the hour before which every
//! rollup of the cluster is built; appends lower it when a snapshot lands before it. A
//! run moves each cluster's mark up to its closed hours (`closed_until`: its latest
//! snapshot's hour, or the clock less the grace), [`ROLLUP_BATCH_HOURS`] at a time, each
//! batch `[a, b)` in one `BEGIN IMMEDIATE` transaction that re-reads the mark, deletes the
//! cluster's `pod_costs_hourly` and `node_idle_hourly` rows of `[a, b)`, inserts them
//! again from the raw samples, rebuilds `pod_costs_daily` of every day ending in `(a, b]`
//! from the hourly rows, and sets the mark to `b`. Rebuilding is idempotent, and a crash
//! leaves the mark where the last committed batch put it.
//!
//! Money sums are INTEGER sums in SQL; resource-second sums are TEXT decimals (SQLite would
//! sum them as floating point), summed exactly in SQL in two INTEGER parts
//! (`encoding::exact_sum_sql`) and joined back into decimal text there.

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use kcost_ports::{MetricsStoreError, RollupReport};
use kcost_store_support::{ROLLUP_BATCH_HOURS, ROLLUP_GRACE_SECONDS, closed_until, floor_hour};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait, Value,
};

use crate::encoding::{
    ALLOCATED_SECONDS, RESOURCE_SECONDS, allocated_second_sums_sql, instant, joined_digits_sql,
    resource_second_sums_sql, unix_seconds,
};
use crate::error::{chained, db, unexpected};
use crate::scope::SAMPLE_HOUR;

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// Columns of `pod_costs_hourly` (with `{period}` = `hour`) and `pod_costs_daily` (`day`),
/// in insert order.
fn pod_rollup_columns(period: &str) -> String {
    format!(
        "tenant_id, {period}, pod_id, cluster, namespace, pod, node, cpu_cost, ram_cost, \
         storage_cost, network_cost, load_balancer_cost, cpu_usage_mcs, cpu_request_mcs, \
         mem_usage_bs, mem_request_bs, cpu_alloc_mcs, mem_alloc_bs, max_cpu_usage_m, max_mem_usage_b, sample_count, \
         sample_seconds"
    )
}

/// `INSERT INTO {table}` of `grouped`'s rows, a query selecting the rollup columns with
/// each resource-second sum as two INTEGER parts (`<column>_hi`, `<column>_lo`: see
/// `encoding::exact_sum_sql`), joined here into the stored decimal text. The whole rollup
/// stays inside SQLite: nothing is read into the server and written back.
fn insert_pod_rollups_sql(table: &str, period: &str, grouped: &str) -> String {
    let seconds = RESOURCE_SECONDS
        .iter()
        .chain(&ALLOCATED_SECONDS)
        .map(|c| {
            format!(
                "{} AS {c}",
                joined_digits_sql(&format!("{c}_hi"), &format!("{c}_lo"))
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO {table} ({columns})
         SELECT ?1, period, pod_id, cluster, namespace, pod, node, cpu_cost, ram_cost,
                storage_cost, network_cost, load_balancer_cost, {seconds}, max_cpu_usage_m,
                max_mem_usage_b, sample_count, sample_seconds
         FROM ({grouped}) AS grouped",
        columns = pod_rollup_columns(period)
    )
}

/// One hourly row per (pod description, hour) of a cluster's samples in `[?3, ?4)`.
fn pod_hours_from_samples() -> String {
    let seconds = [
        ("cpu_usage_mcs", "cpu_usage_m"),
        ("cpu_request_mcs", "cpu_request_m"),
        ("mem_usage_bs", "mem_usage_b"),
        ("mem_request_bs", "mem_request_b"),
        ("cpu_alloc_mcs", "MAX(cpu_usage_m, cpu_request_m)"),
        ("mem_alloc_bs", "MAX(mem_usage_b, mem_request_b)"),
    ]
    .map(|(sum, figure)| {
        format!(
            "SUM({figure} * duration_seconds / 1000000000) AS {sum}_hi, \
             SUM({figure} * duration_seconds % 1000000000) AS {sum}_lo"
        )
    })
    .join(", ");
    insert_pod_rollups_sql(
        "pod_costs_hourly",
        "hour",
        &format!(
            "SELECT pod_id, {SAMPLE_HOUR} AS period, cluster, namespace, pod,
                    COALESCE(node, '') AS node, SUM(cpu_cost) AS cpu_cost,
                    SUM(ram_cost) AS ram_cost, SUM(storage_cost) AS storage_cost,
                    SUM(network_cost) AS network_cost,
                    SUM(load_balancer_cost) AS load_balancer_cost, {seconds},
                    MAX(cpu_usage_m) AS max_cpu_usage_m, MAX(mem_usage_b) AS max_mem_usage_b,
                    COUNT(*) AS sample_count, SUM(duration_seconds) AS sample_seconds
             FROM pod_samples_named
             WHERE tenant_id = ?1 AND cluster = ?2 AND ts >= ?3 AND ts < ?4
             GROUP BY pod_id, period"
        ),
    )
}

/// One daily row per pod description of a cluster's hourly rows of the day starting at ?3.
fn pod_day_from_hours() -> String {
    let seconds = format!(
        "{}, {}",
        resource_second_sums_sql(),
        allocated_second_sums_sql()
    );
    insert_pod_rollups_sql(
        "pod_costs_daily",
        "day",
        &format!(
            "SELECT pod_id, ?3 AS period, cluster, namespace, pod, node,
                    SUM(cpu_cost) AS cpu_cost, SUM(ram_cost) AS ram_cost,
                    SUM(storage_cost) AS storage_cost, SUM(network_cost) AS network_cost,
                    SUM(load_balancer_cost) AS load_balancer_cost, {seconds},
                    MAX(max_cpu_usage_m) AS max_cpu_usage_m,
                    MAX(max_mem_usage_b) AS max_mem_usage_b,
                    SUM(sample_count) AS sample_count, SUM(sample_seconds) AS sample_seconds
             FROM pod_costs_hourly
             WHERE tenant_id = ?1 AND cluster = ?2 AND hour >= ?3 AND hour < ?3 + 86400
             GROUP BY pod_id"
        ),
    )
}

/// `node_idle_hourly` of a cluster's node samples in `[?3, ?4)`: all INTEGER, summed by
/// SQLite.
const NODE_HOURS_FROM_SAMPLES: &str = "INSERT INTO node_idle_hourly (tenant_id, hour, cluster,
        node, cpu_cost, ram_cost, idle_cpu, idle_ram, overcommit_cpu, overcommit_ram,
        sample_count)
    SELECT tenant_id, {SAMPLE_HOUR}, cluster, node, SUM(cpu_cost), SUM(ram_cost),
        SUM(idle_cpu), SUM(idle_ram), SUM(overcommit_cpu), SUM(overcommit_ram), COUNT(*)
    FROM node_samples
    WHERE tenant_id = ?1 AND cluster = ?2 AND ts >= ?3 AND ts < ?4
    GROUP BY 2, node";

const DELETE_HOURS: [&str; 2] = [
    "DELETE FROM pod_costs_hourly
     WHERE tenant_id = ?1 AND hour >= ?3 AND hour < ?4 AND cluster = ?2",
    "DELETE FROM node_idle_hourly
     WHERE tenant_id = ?1 AND hour >= ?3 AND hour < ?4 AND cluster = ?2",
];

/// Every cluster's watermark and latest snapshot.
const CLUSTERS: &str = "SELECT r.tenant_id, r.cluster, r.rolled_until,
        (SELECT max(s.ts) FROM snapshots s
         WHERE s.tenant_id = r.tenant_id AND s.cluster = r.cluster) AS latest
    FROM rollup_state r ORDER BY r.tenant_id, r.cluster";

/// Builds every closed period's rollups (see the module docs). Clusters with nothing to
/// roll up are passed over without taking the write lock.
pub(crate) async fn roll_up(
    conn: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<RollupReport, MetricsStoreError> {
    let clusters = conn
        .query_all_raw(Statement::from_string(DbBackend::Sqlite, CLUSTERS))
        .await
        .map_err(db("roll_up: clusters"))?;
    let mut report = RollupReport::default();
    for row in clusters {
        let tenant: String = row
            .try_get_by("tenant_id")
            .map_err(db("roll_up: clusters"))?;
        let cluster: String = row.try_get_by("cluster").map_err(db("roll_up: clusters"))?;
        let rolled_until: i64 = row
            .try_get_by("rolled_until")
            .map_err(db("roll_up: clusters"))?;
        let latest: Option<i64> = row.try_get_by("latest").map_err(db("roll_up: clusters"))?;
        if rolled_until >= closed(latest, now)? {
            continue;
        }
        while let Some((hours, days)) = roll_up_batch(conn, &tenant, &cluster, now).await? {
            report.hours += hours;
            report.days += days;
        }
    }
    Ok(report)
}

/// The end of a cluster's closed hours (unix seconds), from its latest snapshot (`None`:
/// none left, the clock alone closes hours).
fn closed(latest: Option<i64>, now: DateTime<Utc>) -> Result<i64, MetricsStoreError> {
    let closed = match latest {
        Some(latest) => closed_until(instant(latest).map_err(unexpected("roll_up: latest"))?, now),
        None => floor_hour(now - Duration::seconds(ROLLUP_GRACE_SECONDS)),
    };
    Ok(unix_seconds(closed))
}

/// One batch of one cluster in one transaction: `Some((hours, days))` rebuilt, or `None`
/// when its closed hours are all rolled up.
async fn roll_up_batch(
    conn: &DatabaseConnection,
    tenant: &str,
    cluster: &str,
    now: DateTime<Utc>,
) -> Result<Option<(u64, u64)>, MetricsStoreError> {
    let txn = conn
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await
        .map_err(db("roll_up: begin"))?;
    let state = txn
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "SELECT rolled_until, (SELECT max(ts) FROM snapshots
                                   WHERE tenant_id = ?1 AND cluster = ?2) AS latest
             FROM rollup_state WHERE tenant_id = ?1 AND cluster = ?2",
            [tenant.into(), cluster.into()],
        ))
        .await
        .map_err(db("roll_up: watermark"))?;
    let Some(state) = state else {
        txn.rollback().await.map_err(db("roll_up: rollback"))?;
        return Ok(None);
    };
    let from: i64 = state
        .try_get_by("rolled_until")
        .map_err(db("roll_up: watermark"))?;
    let latest: Option<i64> = state
        .try_get_by("latest")
        .map_err(db("roll_up: watermark"))?;
    let closed = match latest {
        Some(latest) => closed_until(instant(latest).map_err(unexpected("roll_up: latest"))?, now),
        None => floor_hour(now - Duration::seconds(ROLLUP_GRACE_SECONDS)),
    };
    let closed = unix_seconds(closed);
    if from >= closed {
        txn.rollback().await.map_err(db("roll_up: rollback"))?;
        return Ok(None);
    }
    let to = closed.min(from + ROLLUP_BATCH_HOURS * HOUR);

    rebuild_hours(&txn, tenant, cluster, from, to)
        .await
        .map_err(chained("roll_up: hourly"))?;
    // Days ending in (from, to]: their last hour is now rolled up.
    let mut days = 0;
    let mut day = from - from.rem_euclid(DAY);
    while day + DAY <= to {
        rebuild_day(&txn, tenant, cluster, day)
            .await
            .map_err(chained("roll_up: daily"))?;
        days += 1;
        day += DAY;
    }
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "UPDATE rollup_state SET rolled_until = ?3 WHERE tenant_id = ?1 AND cluster = ?2",
        [tenant.into(), cluster.into(), to.into()],
    ))
    .await
    .map_err(db("roll_up: watermark"))?;
    txn.commit().await.map_err(db("roll_up: commit"))?;
    let hours = u64::try_from((to - from) / HOUR).unwrap_or_default();
    Ok(Some((hours, days)))
}

/// The cluster's hourly rollups of `[from, to)`, rebuilt from its raw samples.
async fn rebuild_hours<C: ConnectionTrait>(
    txn: &C,
    tenant: &str,
    cluster: &str,
    from: i64,
    to: i64,
) -> anyhow::Result<()> {
    let values = || -> [Value; 4] { [tenant.into(), cluster.into(), from.into(), to.into()] };
    for sql in DELETE_HOURS {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            sql,
            values(),
        ))
        .await
        .context("delete hourly rollups")?;
    }
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        NODE_HOURS_FROM_SAMPLES.replace("{SAMPLE_HOUR}", SAMPLE_HOUR),
        values(),
    ))
    .await
    .context("insert node idle rollups")?;
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        pod_hours_from_samples(),
        values(),
    ))
    .await
    .context("insert pod hourly rollups")?;
    Ok(())
}

/// The cluster's daily rollup of the day starting at `day`, rebuilt from its hourly rows
/// (also used by retention for a day it cut).
pub(crate) async fn rebuild_day<C: ConnectionTrait>(
    txn: &C,
    tenant: &str,
    cluster: &str,
    day: i64,
) -> anyhow::Result<()> {
    let values = || -> [Value; 3] { [tenant.into(), cluster.into(), day.into()] };
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "DELETE FROM pod_costs_daily WHERE tenant_id = ?1 AND day = ?3 AND cluster = ?2",
        values(),
    ))
    .await
    .context("delete daily rollups")?;
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        pod_day_from_hours(),
        values(),
    ))
    .await
    .context("insert pod daily rollups")?;
    Ok(())
}
