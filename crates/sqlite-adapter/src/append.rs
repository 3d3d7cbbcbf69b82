//! `append`: one priced snapshot in one transaction (`BEGIN IMMEDIATE`, so the write lock
//! is taken — or waited for up to the busy timeout — before anything is read). Appends
//! only; rollups are `rollup`'s, off the ingest path.
//!
//! 1. `INSERT … ON CONFLICT DO NOTHING` into `snapshots` — zero rows means the
//!    (tenant, cluster, ts) key is already stored: roll back, report `Duplicate`.
//! 2. The ids of the pods' and nodes' descriptions (`dimensions`: cached, or inserted and
//!    read back).
//! 3. Narrow pod samples, node samples and container samples as multi-row INSERTs
//!    (`batch`), never one statement per row.
//! 4. The cluster's rollup watermark (`rollup_state.rolled_until`) lowered to the
//!    snapshot's hour if it was past it (a late snapshot: its hour is rebuilt by the next
//!    rollup run), or set to it for a new cluster.
//!
//! After the commit the dimension cache learns the ids read in step 2.

use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::tenant::TenantId;
use kcost_ports::{AppendOutcome, MetricsStoreError};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait,
};

use crate::batch::insert_rows;
use crate::dimensions::{DimensionCache, SnapshotDimensions};
use crate::error::{chained, db, unexpected};
use crate::rows::{
    CONTAINER_SAMPLE_COLUMNS, CONTAINER_SAMPLE_WIDTH, NODE_SAMPLE_COLUMNS, NODE_SAMPLE_WIDTH,
    POD_SAMPLE_COLUMNS, POD_SAMPLE_WIDTH, SNAPSHOT_COLUMNS, SnapshotKey, container_sample_rows,
    node_sample_rows, pod_sample_rows, snapshot_row,
};

/// Whether the cluster already has a snapshot later than this one.
const LATER_SNAPSHOT: &str = "SELECT EXISTS (SELECT 1 FROM snapshots \
    WHERE tenant_id = ?1 AND cluster = ?2 AND ts > ?3) AS late";

/// A new cluster starts at its first snapshot's hour; a late snapshot lowers the mark.
const LOWER_WATERMARK: &str = "INSERT INTO rollup_state (tenant_id, cluster, rolled_until) \
    VALUES (?1, ?2, ?3) ON CONFLICT (tenant_id, cluster) \
    DO UPDATE SET rolled_until = min(rolled_until, excluded.rolled_until)";

/// Writes `priced` for `tenant` in one transaction (see the module docs).
pub(crate) async fn append(
    conn: &DatabaseConnection,
    cache: &DimensionCache,
    tenant: TenantId,
    priced: &PricedSnapshot,
) -> Result<AppendOutcome, MetricsStoreError> {
    let key = SnapshotKey::new(tenant, priced);
    let snapshot = snapshot_row(&key, priced).map_err(unexpected("append: snapshot row"))?;
    let mut dimensions = SnapshotDimensions::of(&key, priced, cache);

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

    let late = txn
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            LATER_SNAPSHOT,
            [
                key.tenant.clone().into(),
                key.cluster.clone().into(),
                key.ts.into(),
            ],
        ))
        .await
        .map_err(db("append: later snapshot"))?
        .map(|row| row.try_get_by::<bool, _>("late"))
        .transpose()
        .map_err(db("append: later snapshot"))?
        .unwrap_or(false);
    dimensions
        .resolve(&txn, &key, late)
        .await
        .map_err(chained("append: descriptions"))?;
    let pod_ids = dimensions
        .pod_ids()
        .map_err(unexpected("append: descriptions"))?;
    let node_ids = dimensions
        .node_ids()
        .map_err(unexpected("append: descriptions"))?;
    let pods =
        pod_sample_rows(&key, priced, &pod_ids).map_err(unexpected("append: pod samples"))?;
    let containers = container_sample_rows(&key, priced, &pod_ids)
        .map_err(unexpected("append: container samples"))?;
    let nodes =
        node_sample_rows(&key, priced, &node_ids).map_err(unexpected("append: node samples"))?;

    let head = format!("INSERT INTO pod_samples ({POD_SAMPLE_COLUMNS})");
    insert_rows(&txn, &head, "", POD_SAMPLE_WIDTH, pods)
        .await
        .map_err(db("append: insert pod samples"))?;
    let head = format!("INSERT INTO container_samples ({CONTAINER_SAMPLE_COLUMNS})");
    insert_rows(&txn, &head, "", CONTAINER_SAMPLE_WIDTH, containers)
        .await
        .map_err(db("append: insert container samples"))?;
    let head = format!("INSERT INTO node_samples ({NODE_SAMPLE_COLUMNS})");
    insert_rows(&txn, &head, "", NODE_SAMPLE_WIDTH, nodes)
        .await
        .map_err(db("append: insert node samples"))?;

    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        LOWER_WATERMARK,
        [key.tenant.into(), key.cluster.into(), key.hour.into()],
    ))
    .await
    .map_err(db("append: rollup watermark"))?;

    txn.commit().await.map_err(db("append: commit"))?;
    dimensions.remember(cache);
    Ok(AppendOutcome::Stored)
}
