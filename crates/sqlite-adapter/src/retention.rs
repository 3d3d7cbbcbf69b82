//! Retention: deletes samples (pod, container, node), rollups (hourly, daily) and snapshot
//! rows older than a cutoff; pod and node descriptions stay (samples may refer to them
//! again, and they are small). SQLite has no partitions to drop; the `(tenant_id, ts)`
//! indexes and the rollups' `(tenant_id, hour|day, …)` keys keep the deletes range-bounded.
//! The cutoff is rounded down to its hour so an hour is either kept whole (rollup and raw
//! samples) or deleted whole; a day the cutoff cuts loses its daily rollup rows, which are
//! rebuilt from its remaining hours where the day was rolled up.

use chrono::{DateTime, Utc};
use kcost_ports::MetricsStoreError;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait,
};

use crate::encoding::{hour_start, instant, unix_seconds};
use crate::error::{chained, db, unexpected};
use crate::rollup::rebuild_day;

/// What a retention run removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionReport {
    /// Data strictly before this instant (the requested cutoff rounded down to its hour)
    /// was removed.
    pub cutoff: DateTime<Utc>,
    /// Raw pod, container and node sample rows deleted.
    pub deleted_samples: u64,
    /// Rollup rows deleted: hourly (pod and idle), and daily for days wholly before the
    /// cutoff.
    pub deleted_rollup_rows: u64,
    /// Snapshot rows deleted.
    pub deleted_snapshots: u64,
}

const DELETE_SAMPLES: [&str; 3] = [
    "DELETE FROM pod_samples WHERE ts < ?1",
    "DELETE FROM container_samples WHERE ts < ?1",
    "DELETE FROM node_samples WHERE ts < ?1",
];
const DELETE_ROLLUPS: [&str; 3] = [
    "DELETE FROM pod_costs_hourly WHERE hour < ?1",
    "DELETE FROM node_idle_hourly WHERE hour < ?1",
    "DELETE FROM pod_costs_daily WHERE day + 86400 <= ?1",
];
const DELETE_SNAPSHOTS: &str = "DELETE FROM snapshots WHERE ts < ?1";

/// Daily rows of the day the cutoff cuts (`?1` is inside the day, not its start).
const DELETE_CUT_DAY: &str = "DELETE FROM pod_costs_daily WHERE day < ?1";

/// Clusters whose daily rollup of the cut day (`?2`) is built: rolled up past its end.
const ROLLED_UP_CUT_DAY: &str = "SELECT tenant_id, cluster FROM rollup_state \
    WHERE rolled_until >= ?2 + 86400 AND ?1 > ?2";

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

    // The day the cutoff cuts: its daily rows counted hours now gone.
    let day = cutoff - cutoff.rem_euclid(86_400);
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        DELETE_CUT_DAY,
        [cutoff.into()],
    ))
    .await
    .map_err(db("retention: delete cut day"))?;
    let clusters = txn
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            ROLLED_UP_CUT_DAY,
            [cutoff.into(), day.into()],
        ))
        .await
        .map_err(db("retention: cut day"))?;
    for row in clusters {
        let tenant: String = row
            .try_get_by("tenant_id")
            .map_err(db("retention: cut day"))?;
        let cluster: String = row
            .try_get_by("cluster")
            .map_err(db("retention: cut day"))?;
        rebuild_day(&txn, &tenant, &cluster, day)
            .await
            .map_err(chained("retention: rebuild cut day"))?;
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
