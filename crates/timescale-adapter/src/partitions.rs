//! Day partitions of the sample tables: created ahead of need, dropped whole by retention.
//!
//! Natively partitioned tables (`pod_samples`, `node_samples`) have one partition per UTC
//! day named `<table>_pYYYYMMDD`, created by the migration's
//! `kcost_ensure_sample_partitions(from, to)` (today..+7 at start, and the snapshot's day
//! on append if missing). Retention drops the partitions whose day ends at or before the
//! cutoff and deletes the rollup and snapshot rows before it, in one transaction.
//!
//! On TimescaleDB hypertables the same retention is one `drop_chunks` call per table —
//! the only TimescaleDB function this crate calls; chunk creation is automatic there.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use kcost_ports::MetricsStoreError;
use sqlx::{AssertSqlSafe, PgPool, Row};

use crate::error::db;

/// Tables partitioned by day (or hypertables).
const SAMPLE_TABLES: [&str; 2] = ["pod_samples", "node_samples"];

/// What a retention run removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionReport {
    /// Data strictly before this instant (00:00 UTC of the cutoff day) was removed.
    pub cutoff: DateTime<Utc>,
    /// Partitions (or TimescaleDB chunks) dropped, by name.
    pub dropped: Vec<String>,
    /// Rollup rows (pod and idle) deleted.
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
                 WHERE p.oid IN (to_regclass('pod_samples'), to_regclass('node_samples'))
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
    ] {
        deleted_rollup_rows += sqlx::query(sql)
            .bind(cutoff_ts)
            .execute(&mut *tx)
            .await
            .map_err(db("retention: delete rollups"))?
            .rows_affected();
    }
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
