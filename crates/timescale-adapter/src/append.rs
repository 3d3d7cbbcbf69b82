//! `append`: one priced snapshot, appended — never an UPDATE of earlier rows.
//!
//! 0. Pod and node ids from the dimension cache (`dims`), storing new descriptions first,
//!    outside the transaction (idempotent rows).
//! 1. `INSERT … ON CONFLICT DO NOTHING` into `snapshots` — zero rows means the
//!    (tenant, cluster, ts) key is already stored: roll back, report `Duplicate`.
//! 2. Pod, container and node samples, each streamed with one `COPY … FROM STDIN`
//!    (`sample_copy`).
//! 3. Last, the cluster's `rollup_state` row: created at the snapshot's hour for a new
//!    cluster, lowered to it for a late snapshot (an hour already rolled up is rebuilt by
//!    the next `roll_up`). The upsert locks the row until commit; a rollup stretch checks
//!    under the same lock that no snapshot of its hours committed while it was built
//!    (`rollups`), so this must follow the snapshot row. Last, so the row is held only
//!    for the commit.
//!
//! No rollup is written here: `rollup::roll_up` builds them when the hour closes. After
//! the commit, the snapshot's pods are added to its hour's sums in memory (`hour_sums`),
//! which that build uses when they are complete. The day partition must exist beforehand
//! (`partitions::ensure_day`, outside the transaction).

use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::tenant::TenantId;
use kcost_ports::{AppendOutcome, MetricsStoreError};
use sqlx::PgPool;

use crate::dims::DimensionCache;
use crate::error::{db, unexpected};
use crate::hour_sums::HourSums;
use crate::rows::SnapshotRow;
use crate::sample_copy::{
    COPY_CONTAINERS, COPY_NODES, COPY_PODS, container_rows, copy_in, node_rows, pod_rows,
};

const INSERT_SNAPSHOT: &str = "
INSERT INTO snapshots (tenant_id, cluster, ts, duration_seconds, duration_basis, pod_count,
                       node_count, node_cost, idle, off_node_pod_cost)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT DO NOTHING";

/// `$1` tenant, `$2` cluster, `$3` the snapshot's hour.
const LOWER_WATERMARK: &str = "
INSERT INTO rollup_state AS r (tenant_id, cluster, rolled_until) VALUES ($1, $2, $3)
ON CONFLICT (tenant_id, cluster) DO UPDATE SET rolled_until = EXCLUDED.rolled_until
WHERE r.rolled_until > EXCLUDED.rolled_until";

/// Writes `priced` for `tenant` (see the module docs).
pub(crate) async fn append(
    pool: &PgPool,
    dims: &DimensionCache,
    sums: &HourSums,
    tenant: TenantId,
    priced: &PricedSnapshot,
    row: &SnapshotRow<'_>,
) -> Result<AppendOutcome, MetricsStoreError> {
    let tenant = *tenant.as_uuid();
    let ids = dims.resolve(pool, tenant, priced.snapshot()).await?;
    // Encoded before the transaction opens, so it is not held open for CPU work.
    let pods = pod_rows(tenant, priced, row, &ids.pods)
        .map_err(|e| unexpected("append: pod samples", e))?;
    let containers = container_rows(tenant, priced, row, &ids.pods)
        .map_err(|e| unexpected("append: container samples", e))?;
    let nodes = node_rows(tenant, priced, row, &ids.nodes)
        .map_err(|e| unexpected("append: node samples", e))?;

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
    for (statement, data, what) in [
        (COPY_PODS, pods, "append: copy pod samples"),
        (
            COPY_CONTAINERS,
            containers,
            "append: copy container samples",
        ),
        (COPY_NODES, nodes, "append: copy node samples"),
    ] {
        if !data.is_empty() {
            copy_in(&mut tx, statement, data, what).await?;
        }
    }
    sqlx::query(LOWER_WATERMARK)
        .bind(tenant)
        .bind(row.cluster)
        .bind(row.hour)
        .execute(&mut *tx)
        .await
        .map_err(db("append: rollup watermark"))?;
    tx.commit().await.map_err(db("append: commit"))?;
    sums.add(tenant, row.hour, row.duration_seconds, priced, &ids.pods);
    Ok(AppendOutcome::Stored)
}
