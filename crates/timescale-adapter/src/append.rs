//! `append`: one priced snapshot in one transaction.
//!
//! 1. `INSERT … ON CONFLICT DO NOTHING` into `snapshots` — zero rows means the
//!    (tenant, cluster, ts) key is already stored: roll back, report `Duplicate`.
//! 2. Pod samples, then node samples, each streamed with one `COPY … FROM STDIN`
//!    (`sample_copy`): never one statement per row, no parameter arrays to unpack.
//! 3. Rollups (per pod, per namespace, pod presence, node idle) upserted from the same
//!    in-memory snapshot (`rollups`): `ON CONFLICT … DO UPDATE SET x = x + EXCLUDED.x`.
//!    Samples and rollups come from one `PricedSnapshot` in one transaction, so they
//!    cannot disagree; the contract tests compare them to the last digit.
//!
//! The day partition must exist beforehand (`partitions::ensure_day`, outside the
//! transaction, so its lock is not held for the whole ingest).

use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::tenant::TenantId;
use kcost_ports::{AppendOutcome, MetricsStoreError};
use sqlx::PgPool;

use crate::error::{db, unexpected};
use crate::rollups;
use crate::rows::SnapshotRow;
use crate::sample_copy::{COPY_NODES, COPY_PODS, copy_in, node_rows, pod_rows};

const INSERT_SNAPSHOT: &str = "
INSERT INTO snapshots (tenant_id, cluster, ts, duration_seconds, duration_basis, pod_count,
                       node_count, node_cost, idle, off_node_pod_cost)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT DO NOTHING";

/// Writes `priced` for `tenant` in one transaction (see the module docs).
pub(crate) async fn append(
    pool: &PgPool,
    tenant: TenantId,
    priced: &PricedSnapshot,
    row: &SnapshotRow<'_>,
) -> Result<AppendOutcome, MetricsStoreError> {
    let tenant = *tenant.as_uuid();
    // Encoded before the transaction opens, so it is not held open for CPU work.
    let pods = pod_rows(tenant, priced, row).map_err(|e| unexpected("append: pod samples", e))?;
    let nodes =
        node_rows(tenant, priced, row).map_err(|e| unexpected("append: node samples", e))?;

    let mut tx = pool.begin().await.map_err(db("append: begin"))?;
    let inserted = sqlx::query(INSERT_SNAPSHOT)
        .bind(tenant)
        .bind(row.cluster)
        .bind(row.ts)
        .bind(row.duration_seconds)
        .bind(row.duration_basis)
        .bind(row.pod_count)
        .bind(row.node_count)
        .bind(row.node_cost)
        .bind(row.idle)
        .bind(row.off_node_pod_cost)
        .execute(&mut *tx)
        .await
        .map_err(db("append: insert snapshot"))?
        .rows_affected();
    if inserted == 0 {
        tx.rollback().await.map_err(db("append: rollback"))?;
        return Ok(AppendOutcome::Duplicate);
    }
    if !pods.is_empty() {
        copy_in(&mut tx, COPY_PODS, pods, "append: copy pod samples").await?;
    }
    if !nodes.is_empty() {
        copy_in(&mut tx, COPY_NODES, nodes, "append: copy node samples").await?;
    }
    rollups::upsert_all(&mut tx, tenant, priced, row).await?;
    tx.commit().await.map_err(db("append: commit"))?;
    Ok(AppendOutcome::Stored)
}
