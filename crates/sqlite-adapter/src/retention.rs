//! Retention: deletes samples, rollups and snapshot rows older than a cutoff. SQLite has no
//! partitions to drop; the `(tenant_id, ts)` indexes and the rollups' `(tenant_id, hour, …)`
//! keys keep the deletes range-bounded. The cutoff is rounded down to its hour so an hour is
//! either kept whole (rollup and raw samples) or deleted whole.

use chrono::{DateTime, Utc};
use kcost_ports::MetricsStoreError;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait,
};

use crate::encoding::{hour_start, instant, unix_seconds};
use crate::error::{db, unexpected};

/// What a retention run removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionReport {
    /// Data strictly before this instant (the requested cutoff rounded down to its hour)
    /// was removed.
    pub cutoff: DateTime<Utc>,
    /// Raw pod and node sample rows deleted.
    pub deleted_samples: u64,
    /// Rollup rows (pod and idle) deleted.
    pub deleted_rollup_rows: u64,
    /// Snapshot rows deleted.
    pub deleted_snapshots: u64,
}

const DELETE_SAMPLES: [&str; 2] = [
    "DELETE FROM pod_samples WHERE ts < ?1",
    "DELETE FROM node_samples WHERE ts < ?1",
];
const DELETE_ROLLUPS: [&str; 2] = [
    "DELETE FROM pod_costs_hourly WHERE hour < ?1",
    "DELETE FROM node_idle_hourly WHERE hour < ?1",
];
const DELETE_SNAPSHOTS: &str = "DELETE FROM snapshots WHERE ts < ?1";

/// Deletes every tenant's data before `cutoff` (rounded down to the hour), in one
/// transaction.
pub(crate) async fn delete_older_than(
    conn: &DatabaseConnection,
    cutoff: DateTime<Utc>,
) -> Result<RetentionReport, MetricsStoreError> {
    let cutoff = hour_start(unix_seconds(cutoff));
    let txn = conn
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await
        .map_err(db("retention: begin"))?;
    let mut deleted = [0_u64; 3];
    let groups: [(&[&str], &'static str); 3] = [
        (&DELETE_SAMPLES, "retention: delete samples"),
        (&DELETE_ROLLUPS, "retention: delete rollups"),
        (&[DELETE_SNAPSHOTS], "retention: delete snapshots"),
    ];
    for (count, (statements, operation)) in deleted.iter_mut().zip(groups) {
        for sql in statements {
            *count += txn
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    *sql,
                    [cutoff.into()],
                ))
                .await
                .map_err(db(operation))?
                .rows_affected();
        }
    }
    txn.commit().await.map_err(db("retention: commit"))?;
    let [deleted_samples, deleted_rollup_rows, deleted_snapshots] = deleted;
    Ok(RetentionReport {
        cutoff: instant(cutoff).map_err(unexpected("retention: cutoff"))?,
        deleted_samples,
        deleted_rollup_rows,
        deleted_snapshots,
    })
}
