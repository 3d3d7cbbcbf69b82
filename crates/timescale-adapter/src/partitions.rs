//! Day partitions of the sample tables: created ahead of need, dropped whole by retention.
//!
//! Natively partitioned tables (`pod_samples`, `node_samples`, `container_samples`) have one partition per UTC
//! day named `<table>_pYYYYMMDD`, created by the migration's
//! `kcost_ensure_sample_partitions(from, to)` (today..+7 at start, and the snapshot's day
//! on append if missing). Retention drops the partitions whose day ends at or before the
//! cutoff and deletes the rollup (hourly, namespace, idle, daily) and snapshot rows before
//! it in one transaction. Pod and node descriptions stay (small, and samples may still
//! refer to them).
//!
//! On TimescaleDB hypertables the same retention is one `drop_chunks` call per table, and
//! chunk creation is automatic. The migration also installs a 400-day retention policy
//! (a background job dropping old chunks); [`align_retention_policy`] resets its horizon
//! to the configured retention so the job never drops what the configuration keeps. These
//! two are the only TimescaleDB-specific SQL in this crate.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use kcost_ports::MetricsStoreError;
use sqlx::{AssertSqlSafe, PgPool, Row};

use crate::error::db;

/// Tables partitioned by day (or hypertables).
const SAMPLE_TABLES: [&str; 3] = ["pod_samples", "node_samples", "container_samples"];

/// What a retention run removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionReport {
    /// Data strictly before this instant (00:00 UTC of the cutoff day) was removed.
    pub cutoff: DateTime<Utc>,
    /// Partitions (or TimescaleDB chunks) dropped, by name.
    pub dropped: Vec<String>,
    /// Rollup rows (pod hourly and daily, namespace hourly and daily, idle, presence spans)
    /// deleted.
    pub deleted_rollup_rows: u64,
    /// Snapshot rows deleted.
    pub deleted_snapshots: u64,
}

/// How the sample tables are partitioned, as found in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageLayout {
    /// Declarative `PARTITION BY RANGE (ts)` with day partitions.
    NativePartitions,
    /// TimescaleDB hypertables.
    Hypertables,
}

/// Reads the layout the migration chose.
pub(crate) async fn layout(pool: &PgPool) -> Result<StorageLayout, MetricsStoreError> {
    let native: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table
                        WHERE partrelid = to_regclass('pod_samples'))",
    )
    .fetch_one(pool)
    .await
    .map_err(db("partitions: detect layout"))?;
    Ok(if native {
        StorageLayout::NativePartitions
    } else {
        StorageLayout::Hypertables
    })
}

/// Creates the missing day partitions `[from, to]`; returns how many were created.
pub(crate) async fn ensure(
    pool: &PgPool,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<u32, MetricsStoreError> {
    let created: i32 = sqlx::query_scalar("SELECT kcost_ensure_sample_partitions($1, $2)")
        .bind(from)
        .bind(to)
        .fetch_one(pool)
        .await
        .map_err(db("partitions: ensure"))?;
    Ok(u32::try_from(created).unwrap_or_default())
}

/// TimescaleDB: sets the `drop_after` of the sample hypertables' retention policies to
/// `days` where it differs (`alter_job`, schedule kept); returns how many policies changed.
/// Hypertables without a policy (Apache license, or removed by an operator) are left alone.
pub(crate) async fn align_retention_policy(
    pool: &PgPool,
    days: u32,
) -> Result<u64, MetricsStoreError> {
    let changed: i64 = sqlx::query_scalar(
        "SELECT count(*)
         FROM timescaledb_information.jobs AS j,
              LATERAL alter_job(j.job_id, config => jsonb_set(j.config, '{drop_after}',
                                to_jsonb(make_interval(days => $1)::text)))
         WHERE j.proc_name = 'policy_retention'
           AND format('%I.%I', j.hypertable_schema, j.hypertable_name)::regclass
               IN (to_regclass('pod_samples'), to_regclass('node_samples'),
                   to_regclass('container_samples'))
           AND (j.config->>'drop_after')::interval IS DISTINCT FROM make_interval(days => $1)",
    )
    .bind(i32::try_from(days).unwrap_or(i32::MAX))
    .fetch_one(pool)
    .await
    .map_err(db("retention: align policy"))?;
    Ok(u64::try_from(changed).unwrap_or_default())
}

/// Removes everything before 00:00 UTC of `cutoff`.
pub(crate) async fn drop_before(
    pool: &PgPool,
    layout: StorageLayout,
    cutoff: NaiveDate,
) -> Result<RetentionReport, MetricsStoreError> {
    let cutoff_ts = cutoff.and_time(NaiveTime::MIN).and_utc();
    let mut tx = pool.begin().await.map_err(db("retention: begin"))?;
    let mut dropped = Vec::new();
    match layout {
        StorageLayout::NativePartitions => {
            let rows = sqlx::query(
                "SELECT p.relname::text AS parent, c.relname::text AS name
                 FROM pg_inherits i
                 JOIN pg_class c ON c.oid = i.inhrelid
                 JOIN pg_class p ON p.oid = i.inhparent
                 WHERE p.oid IN (to_regclass('pod_samples'), to_regclass('node_samples'),
                                 to_regclass('container_samples'))
                 ORDER BY 2",
            )
            .fetch_all(&mut *tx)
            .await
            .map_err(db("retention: list partitions"))?;
            for row in rows {
                let parent: String = row.try_get("parent").map_err(db("retention: decode"))?;
                let name: String = row.try_get("name").map_err(db("retention: decode"))?;
                if partition_day(&parent, &name).is_some_and(|day| day < cutoff) {
                    // `name` is `<parent>_pYYYYMMDD`, checked by `partition_day`.
                    sqlx::query(AssertSqlSafe(format!("DROP TABLE \"{name}\"")))
                        .execute(&mut *tx)
                        .await
                        .map_err(db("retention: drop partition"))?;
                    dropped.push(name);
                }
            }
        }
        StorageLayout::Hypertables => {
            for table in SAMPLE_TABLES {
                let chunks: Vec<String> =
                    sqlx::query_scalar("SELECT drop_chunks($1::regclass, older_than => $2)::text")
                        .bind(table)
                        .bind(cutoff_ts)
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(db("retention: drop chunks"))?;
                dropped.extend(chunks);
            }
        }
    }
    let mut deleted_rollup_rows = 0;
    for sql in [
        "DELETE FROM pod_costs_hourly WHERE hour < $1",
        "DELETE FROM node_idle_hourly WHERE hour < $1",
        "DELETE FROM namespace_costs_hourly WHERE hour < $1",
        "DELETE FROM pod_costs_daily WHERE day < $1",
        "DELETE FROM namespace_costs_daily WHERE day < $1",
        "DELETE FROM pod_presence_spans WHERE span_end <= $1",
    ] {
        deleted_rollup_rows += sqlx::query(sql)
            .bind(cutoff_ts)
            .execute(&mut *tx)
            .await
            .map_err(db("retention: delete rollups"))?
            .rows_affected();
    }
    // A pod's presence before the horizon goes with its hourly rows.
    sqlx::query("UPDATE pod_presence_spans SET span_start = $1 WHERE span_start < $1")
        .bind(cutoff_ts)
        .execute(&mut *tx)
        .await
        .map_err(db("retention: clip presence spans"))?;
    let deleted_snapshots = sqlx::query("DELETE FROM snapshots WHERE ts < $1")
        .bind(cutoff_ts)
        .execute(&mut *tx)
        .await
        .map_err(db("retention: delete snapshots"))?
        .rows_affected();
    tx.commit().await.map_err(db("retention: commit"))?;
    Ok(RetentionReport {
        cutoff: cutoff_ts,
        dropped,
        deleted_rollup_rows,
        deleted_snapshots,
    })
}

/// The day of a partition named `<parent>_pYYYYMMDD`; `None` for any other name.
fn partition_day(parent: &str, name: &str) -> Option<NaiveDate> {
    let digits = name.strip_prefix(parent)?.strip_prefix("_p")?;
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(digits, "%Y%m%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_names_parse_to_their_day() {
        assert_eq!(
            partition_day("pod_samples", "pod_samples_p20261120"),
            NaiveDate::from_ymd_opt(2026, 11, 20)
        );
        assert_eq!(partition_day("pod_samples", "node_samples_p20261120"), None);
        assert_eq!(partition_day("pod_samples", "pod_samples_p2026112"), None);
        assert_eq!(partition_day("pod_samples", "pod_samples_default"), None);
        assert_eq!(partition_day("pod_samples", "pod_samples_p20261340"), None);
    }
}
