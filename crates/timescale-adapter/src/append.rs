//! `append`: one priced snapshot in one transaction.
//!
//! 1. `INSERT … ON CONFLICT DO NOTHING` into `snapshots` — zero rows means the
//!    (tenant, cluster, ts) key is already stored: roll back, report `Duplicate`.
//! 2. Pod samples in batches of [`POD_BATCH`] rows, node samples in one batch, each an
//!    `INSERT … SELECT … FROM UNNEST($n::type[], …)`: one statement per batch, never one per row.
//! 3. Rollups upserted from the rows just written (`ON CONFLICT … DO UPDATE SET x = x +
//!    EXCLUDED.x`), so samples and rollups cannot disagree.
//!
//! The day partition must exist beforehand (`partitions::ensure_day`, outside the
//! transaction, so its lock is not held for the whole ingest).

use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::tenant::TenantId;
use kcost_ports::{AppendOutcome, MetricsStoreError};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::error::{db, unexpected};
use crate::rows::{NodeColumns, PodColumns, SnapshotRow};

/// Pod samples per INSERT statement.
pub(crate) const POD_BATCH: usize = 10_000;

const INSERT_SNAPSHOT: &str = "
INSERT INTO snapshots (tenant_id, cluster, ts, duration_seconds, duration_basis, pod_count,
                       node_count, node_cost, idle, off_node_pod_cost)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT DO NOTHING";

const INSERT_PODS: &str = "
INSERT INTO pod_samples (tenant_id, cluster, ts, duration_seconds, namespace, pod, node,
                         placement, owner_kind, owner_name, cpu_usage_m, cpu_request_m,
                         cpu_limit_m, mem_usage_b, mem_request_b, mem_limit_b, cpu_cost,
                         ram_cost, cpu_rate, ram_rate)
SELECT $1, $2, $3, $4, u.*
FROM UNNEST($5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
            $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[],
            $16::bigint[], $17::numeric[], $18::numeric[], $19::numeric[], $20::numeric[]) AS u";

const INSERT_NODES: &str = "
INSERT INTO node_samples (tenant_id, cluster, ts, duration_seconds, node, instance_type,
                          cpu_capacity_m, mem_capacity_b, cpu_allocatable_m, mem_allocatable_b,
                          hourly_price, price_source, cpu_rate, ram_rate, cpu_cost, ram_cost,
                          idle_cpu, idle_ram, overcommit_cpu, overcommit_ram)
SELECT $1, $2, $3, $4, u.*
FROM UNNEST($5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[],
            $11::numeric[], $12::text[], $13::numeric[], $14::numeric[], $15::numeric[],
            $16::numeric[], $17::numeric[], $18::numeric[], $19::numeric[], $20::numeric[]) AS u";

const UPSERT_POD_ROLLUP: &str = "
INSERT INTO pod_costs_hourly AS r (tenant_id, hour, cluster, namespace, pod, node, cpu_cost,
                                   ram_cost, cpu_usage_mcs, cpu_request_mcs, mem_usage_bs,
                                   mem_request_bs, max_cpu_usage_m, max_mem_usage_b,
                                   sample_count, sample_seconds)
SELECT tenant_id, $4, cluster, namespace, pod, COALESCE(node, ''), cpu_cost, ram_cost,
       cpu_usage_m::numeric * duration_seconds, cpu_request_m::numeric * duration_seconds,
       mem_usage_b::numeric * duration_seconds, mem_request_b::numeric * duration_seconds,
       cpu_usage_m, mem_usage_b, 1, duration_seconds
FROM pod_samples
WHERE tenant_id = $1 AND cluster = $2 AND ts = $3
ON CONFLICT (tenant_id, hour, cluster, namespace, pod, node) DO UPDATE SET
    cpu_cost        = r.cpu_cost + EXCLUDED.cpu_cost,
    ram_cost        = r.ram_cost + EXCLUDED.ram_cost,
    cpu_usage_mcs   = r.cpu_usage_mcs + EXCLUDED.cpu_usage_mcs,
    cpu_request_mcs = r.cpu_request_mcs + EXCLUDED.cpu_request_mcs,
    mem_usage_bs    = r.mem_usage_bs + EXCLUDED.mem_usage_bs,
    mem_request_bs  = r.mem_request_bs + EXCLUDED.mem_request_bs,
    max_cpu_usage_m = GREATEST(r.max_cpu_usage_m, EXCLUDED.max_cpu_usage_m),
    max_mem_usage_b = GREATEST(r.max_mem_usage_b, EXCLUDED.max_mem_usage_b),
    sample_count    = r.sample_count + EXCLUDED.sample_count,
    sample_seconds  = r.sample_seconds + EXCLUDED.sample_seconds";

const UPSERT_IDLE_ROLLUP: &str = "
INSERT INTO node_idle_hourly AS r (tenant_id, hour, cluster, node, cpu_cost, ram_cost, idle_cpu,
                                   idle_ram, overcommit_cpu, overcommit_ram, sample_count)
SELECT tenant_id, $4, cluster, node, cpu_cost, ram_cost, idle_cpu, idle_ram, overcommit_cpu,
       overcommit_ram, 1
FROM node_samples
WHERE tenant_id = $1 AND cluster = $2 AND ts = $3
ON CONFLICT (tenant_id, hour, cluster, node) DO UPDATE SET
    cpu_cost       = r.cpu_cost + EXCLUDED.cpu_cost,
    ram_cost       = r.ram_cost + EXCLUDED.ram_cost,
    idle_cpu       = r.idle_cpu + EXCLUDED.idle_cpu,
    idle_ram       = r.idle_ram + EXCLUDED.idle_ram,
    overcommit_cpu = r.overcommit_cpu + EXCLUDED.overcommit_cpu,
    overcommit_ram = r.overcommit_ram + EXCLUDED.overcommit_ram,
    sample_count   = r.sample_count + EXCLUDED.sample_count";

/// Writes `priced` for `tenant` in one transaction (see the module docs).
pub(crate) async fn append(
    pool: &PgPool,
    tenant: TenantId,
    priced: &PricedSnapshot,
    row: &SnapshotRow<'_>,
) -> Result<AppendOutcome, MetricsStoreError> {
    let tenant = *tenant.as_uuid();
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
    insert_pods(&mut tx, tenant, priced, row).await?;
    insert_nodes(&mut tx, tenant, priced, row).await?;
    for (sql, what) in [
        (UPSERT_POD_ROLLUP, "append: upsert pod rollups"),
        (UPSERT_IDLE_ROLLUP, "append: upsert idle rollups"),
    ] {
        sqlx::query(sql)
            .bind(tenant)
            .bind(row.cluster)
            .bind(row.ts)
            .bind(row.hour)
            .execute(&mut *tx)
            .await
            .map_err(db(what))?;
    }
    tx.commit().await.map_err(db("append: commit"))?;
    Ok(AppendOutcome::Stored)
}

async fn insert_pods(
    conn: &mut PgConnection,
    tenant: Uuid,
    priced: &PricedSnapshot,
    row: &SnapshotRow<'_>,
) -> Result<(), MetricsStoreError> {
    let count = priced.pods().len();
    for start in (0..count).step_by(POD_BATCH) {
        let range = start..count.min(start + POD_BATCH);
        let c = PodColumns::new(priced, range).map_err(|e| unexpected("append: pod samples", e))?;
        sqlx::query(INSERT_PODS)
            .bind(tenant)
            .bind(row.cluster)
            .bind(row.ts)
            .bind(row.duration_seconds)
            .bind(&c.namespace)
            .bind(&c.pod)
            .bind(&c.node)
            .bind(&c.placement)
            .bind(&c.owner_kind)
            .bind(&c.owner_name)
            .bind(&c.cpu_usage_m)
            .bind(&c.cpu_request_m)
            .bind(&c.cpu_limit_m)
            .bind(&c.mem_usage_b)
            .bind(&c.mem_request_b)
            .bind(&c.mem_limit_b)
            .bind(&c.cpu_cost)
            .bind(&c.ram_cost)
            .bind(&c.cpu_rate)
            .bind(&c.ram_rate)
            .execute(&mut *conn)
            .await
            .map_err(db("append: insert pod samples"))?;
    }
    Ok(())
}

async fn insert_nodes(
    conn: &mut PgConnection,
    tenant: Uuid,
    priced: &PricedSnapshot,
    row: &SnapshotRow<'_>,
) -> Result<(), MetricsStoreError> {
    if priced.nodes().is_empty() {
        return Ok(());
    }
    let c = NodeColumns::new(priced).map_err(|e| unexpected("append: node samples", e))?;
    sqlx::query(INSERT_NODES)
        .bind(tenant)
        .bind(row.cluster)
        .bind(row.ts)
        .bind(row.duration_seconds)
        .bind(&c.node)
        .bind(&c.instance_type)
        .bind(&c.cpu_capacity_m)
        .bind(&c.mem_capacity_b)
        .bind(&c.cpu_allocatable_m)
        .bind(&c.mem_allocatable_b)
        .bind(&c.hourly_price)
        .bind(&c.price_source)
        .bind(&c.cpu_rate)
        .bind(&c.ram_rate)
        .bind(&c.cpu_cost)
        .bind(&c.ram_cost)
        .bind(&c.idle_cpu)
        .bind(&c.idle_ram)
        .bind(&c.overcommit_cpu)
        .bind(&c.overcommit_ram)
        .execute(&mut *conn)
        .await
        .map_err(db("append: insert node samples"))?;
    Ok(())
}
