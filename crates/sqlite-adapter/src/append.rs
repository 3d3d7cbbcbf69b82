//! `append`: one priced snapshot in one transaction (`BEGIN IMMEDIATE`, so the write lock
//! is taken — or waited for up to the busy timeout — before anything is read).
//!
//! 1. `INSERT … ON CONFLICT DO NOTHING` into `snapshots` — zero rows means the
//!    (tenant, cluster, ts) key is already stored: roll back, report `Duplicate`.
//! 2. Pod and node samples as multi-row INSERTs (`batch`), never one statement per row.
//! 3. Hourly rollups upserted (`rollup`).

use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::tenant::TenantId;
use kcost_ports::{AppendOutcome, MetricsStoreError};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait,
};

use crate::batch::insert_rows;
use crate::error::{db, unexpected};
use crate::rollup::{
    NODE_ROLLUP_COLUMNS, NODE_ROLLUP_CONFLICT, NODE_ROLLUP_WIDTH, POD_ROLLUP_COLUMNS,
    POD_ROLLUP_CONFLICT, POD_ROLLUP_WIDTH, merged_pod_rollups, node_rollups, stored_pod_rollups,
};
use crate::rows::{
    NODE_SAMPLE_COLUMNS, POD_SAMPLE_COLUMNS, SNAPSHOT_COLUMNS, SnapshotKey, node_sample_rows,
    pod_sample_rows, snapshot_row,
};

/// Values per row of `pod_samples` and `node_samples` inserts.
const POD_SAMPLE_WIDTH: usize = 23;
const NODE_SAMPLE_WIDTH: usize = 20;

/// Writes `priced` for `tenant` in one transaction (see the module docs).
pub(crate) async fn append(
    conn: &DatabaseConnection,
    tenant: TenantId,
    priced: &PricedSnapshot,
) -> Result<AppendOutcome, MetricsStoreError> {
    let key = SnapshotKey::new(tenant, priced);
    let snapshot = snapshot_row(&key, priced).map_err(unexpected("append: snapshot row"))?;
    let pods = pod_sample_rows(&key, priced).map_err(unexpected("append: pod samples"))?;
    let nodes = node_sample_rows(&key, priced).map_err(unexpected("append: node samples"))?;
    let node_hours = node_rollups(&key, priced).map_err(unexpected("append: node rollups"))?;

    let txn = conn
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await
        .map_err(db("append: begin"))?;
    let inserted = txn
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            format!(
                "INSERT INTO snapshots ({SNAPSHOT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT DO NOTHING"
            ),
            snapshot,
        ))
        .await
        .map_err(db("append: insert snapshot"))?
        .rows_affected();
    if inserted == 0 {
        txn.rollback().await.map_err(db("append: rollback"))?;
        return Ok(AppendOutcome::Duplicate);
    }

    let head = format!("INSERT INTO pod_samples ({POD_SAMPLE_COLUMNS})");
    insert_rows(&txn, &head, "", POD_SAMPLE_WIDTH, pods)
        .await
        .map_err(db("append: insert pod samples"))?;
    let head = format!("INSERT INTO node_samples ({NODE_SAMPLE_COLUMNS})");
    insert_rows(&txn, &head, "", NODE_SAMPLE_WIDTH, nodes)
        .await
        .map_err(db("append: insert node samples"))?;

    let stored = stored_pod_rollups(&txn, &key)
        .await
        .map_err(db("append: read pod rollups"))?;
    let pod_hours = merged_pod_rollups(&key, priced, &stored)
        .map_err(unexpected("append: merge pod rollups"))?;
    let head = format!("INSERT INTO pod_costs_hourly ({POD_ROLLUP_COLUMNS})");
    insert_rows(
        &txn,
        &head,
        POD_ROLLUP_CONFLICT,
        POD_ROLLUP_WIDTH,
        pod_hours,
    )
    .await
    .map_err(db("append: upsert pod rollups"))?;
    let head = format!("INSERT INTO node_idle_hourly ({NODE_ROLLUP_COLUMNS})");
    insert_rows(
        &txn,
        &head,
        NODE_ROLLUP_CONFLICT,
        NODE_ROLLUP_WIDTH,
        node_hours,
    )
    .await
    .map_err(db("append: upsert node rollups"))?;

    txn.commit().await.map_err(db("append: commit"))?;
    Ok(AppendOutcome::Stored)
}
