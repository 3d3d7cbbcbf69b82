//! `append`: one priced snapshot, appended — never an UPDATE of earlier rows.
//!
//! 0. Pod and node ids from the dimension cache (`dims`), storing new descriptions first,
//!    outside the transaction (idempotent rows).
//! 1. Pod and container samples, each streamed with one `COPY … FROM STDIN`
//!    (`sample_copy`).
//! 2. One statement ([`FINISH`]) for the rest, so the append waits for one round trip
//!    where it waited for five:
//!    - `INSERT … ON CONFLICT DO NOTHING` into `snapshots`: no row means the
//!      (tenant, cluster, ts) key is already stored — the transaction rolls back (the
//!      samples copied with it) and the append reports `Duplicate`;
//!    - only if it inserted: the node samples (`node_rows`), and the cluster's
//!      `rollup_state` row — created at the snapshot's hour for a new cluster, lowered to
//!      it for a late snapshot (an hour already rolled up is rebuilt by the next
//!      `roll_up`). The upsert locks the row until commit; a rollup stretch checks under
//!      the same lock that no snapshot of its hours committed while it was built
//!      (`rollups`). Last, so the row is held only for the commit.
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
use crate::node_rows::NodeColumns;
use crate::rows::SnapshotRow;
use crate::sample_copy::{COPY_CONTAINERS, COPY_PODS, container_rows, copy_in, pod_rows};

/// The snapshot row, then (only if it was new) its node samples and the lowered watermark;
/// answers how many snapshot rows it inserted (0 or 1). `$1`–`$10` the snapshot row, `$11`
/// its hour, `$12`– the node columns.
const FINISH: &str = "
WITH new_snapshot AS (
    INSERT INTO snapshots (tenant_id, cluster, ts, duration_seconds, duration_basis, pod_count,
                           node_count, node_cost, idle, off_node_pod_cost)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    ON CONFLICT DO NOTHING
    RETURNING 1
), nodes_written AS (
    INSERT INTO node_samples (tenant_id, cluster, ts, duration_seconds, node_id, node,
                              instance_type, cpu_capacity_m, mem_capacity_b,
                              cpu_allocatable_m, mem_allocatable_b, hourly_price,
                              price_source, cpu_rate, ram_rate, cpu_cost, ram_cost, idle_cpu,
                              idle_ram, overcommit_cpu, overcommit_ram)
    SELECT $1, $2, $3, $4, n.*
    FROM UNNEST($12::int8[], $13::text[], $14::text[], $15::int8[], $16::int8[], $17::int8[],
                $18::int8[], $19::numeric[], $20::text[], $21::numeric[], $22::numeric[],
                $23::numeric[], $24::numeric[], $25::numeric[], $26::numeric[],
                $27::numeric[], $28::numeric[]) AS n
    WHERE EXISTS (SELECT FROM new_snapshot)
), watermark_lowered AS (
    INSERT INTO rollup_state AS r (tenant_id, cluster, rolled_until)
    SELECT $1, $2, $11 WHERE EXISTS (SELECT FROM new_snapshot)
    ON CONFLICT (tenant_id, cluster) DO UPDATE SET rolled_until = EXCLUDED.rolled_until
    WHERE r.rolled_until > EXCLUDED.rolled_until
)
SELECT count(*) FROM new_snapshot";

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
    let nodes =
        NodeColumns::of(priced, &ids.nodes).map_err(|e| unexpected("append: node samples", e))?;

    let mut tx = pool.begin().await.map_err(db("append: begin"))?;
    for (statement, data, what) in [
        (COPY_PODS, pods, "append: copy pod samples"),
        (
            COPY_CONTAINERS,
            containers,
            "append: copy container samples",
        ),
    ] {
        if !data.is_empty() {
            copy_in(&mut tx, statement, data, what).await?;
        }
    }
    let inserted: i64 = sqlx::query_scalar(FINISH)
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
        .bind(row.hour)
        .bind(&nodes.node_id)
        .bind(&nodes.node)
        .bind(&nodes.instance_type)
        .bind(&nodes.cpu_capacity_m)
        .bind(&nodes.mem_capacity_b)
        .bind(&nodes.cpu_allocatable_m)
        .bind(&nodes.mem_allocatable_b)
        .bind(&nodes.hourly_price)
        .bind(&nodes.price_source)
        .bind(&nodes.cpu_rate)
        .bind(&nodes.ram_rate)
        .bind(&nodes.cpu_cost)
        .bind(&nodes.ram_cost)
        .bind(&nodes.idle_cpu)
        .bind(&nodes.idle_ram)
        .bind(&nodes.overcommit_cpu)
        .bind(&nodes.overcommit_ram)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("append: snapshot, node samples and watermark"))?;
    if inserted == 0 {
        tx.rollback().await.map_err(db("append: rollback"))?;
        return Ok(AppendOutcome::Duplicate);
    }
    tx.commit().await.map_err(db("append: commit"))?;
    sums.add(tenant, row.hour, row.duration_seconds, priced, &ids.pods);
    Ok(AppendOutcome::Stored)
}
