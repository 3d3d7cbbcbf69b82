//! The rollup upserts of one append, each one `INSERT … SELECT … ON CONFLICT DO UPDATE`:
//! per-pod costs from the pod samples just copied; namespace costs, pod presence and node
//! idle from the in-memory snapshot (`rollup_columns`) as UNNEST arrays.

use kcost_domain::cost_engine::PricedSnapshot;
use kcost_ports::MetricsStoreError;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::{db, unexpected};
use crate::presence::{PresenceBit, UPSERT_PRESENCE};
use crate::rollup_columns::{NamespaceRollupColumns, NodeRollupColumns, PodRollupColumns};
use crate::rows::SnapshotRow;

/// Built from the pod samples just copied (`$1` tenant, `$2` cluster, `$3` ts, `$4` hour):
/// sending the same 5,000 rows again as UNNEST arrays measured no faster (45–100 ms
/// against 37–97 ms, both dominated by the 5,000 conflicting-row updates).
const UPSERT_POD_ROLLUP: &str = "
INSERT INTO pod_costs_hourly AS r (tenant_id, hour, cluster, namespace, pod, node, cpu_cost,
                                   ram_cost, cpu_usage_mcs, cpu_request_mcs, mem_usage_bs,
                                   mem_request_bs, max_cpu_usage_m, max_mem_usage_b,
                                   sample_count, sample_seconds, storage_cost, network_cost,
                                   load_balancer_cost)
SELECT tenant_id, $4, cluster, namespace, pod, COALESCE(node, ''), cpu_cost, ram_cost,
       cpu_usage_m::numeric * duration_seconds, cpu_request_m::numeric * duration_seconds,
       mem_usage_b::numeric * duration_seconds, mem_request_b::numeric * duration_seconds,
       cpu_usage_m, mem_usage_b, 1, duration_seconds, storage_cost, network_cost,
       load_balancer_cost
FROM pod_samples
WHERE tenant_id = $1 AND cluster = $2 AND ts = $3
ON CONFLICT (tenant_id, hour, cluster, namespace, pod, node) DO UPDATE SET
    cpu_cost           = r.cpu_cost + EXCLUDED.cpu_cost,
    ram_cost           = r.ram_cost + EXCLUDED.ram_cost,
    cpu_usage_mcs      = r.cpu_usage_mcs + EXCLUDED.cpu_usage_mcs,
    cpu_request_mcs    = r.cpu_request_mcs + EXCLUDED.cpu_request_mcs,
    mem_usage_bs       = r.mem_usage_bs + EXCLUDED.mem_usage_bs,
    mem_request_bs     = r.mem_request_bs + EXCLUDED.mem_request_bs,
    max_cpu_usage_m    = GREATEST(r.max_cpu_usage_m, EXCLUDED.max_cpu_usage_m),
    max_mem_usage_b    = GREATEST(r.max_mem_usage_b, EXCLUDED.max_mem_usage_b),
    sample_count       = r.sample_count + EXCLUDED.sample_count,
    sample_seconds     = r.sample_seconds + EXCLUDED.sample_seconds,
    storage_cost       = r.storage_cost + EXCLUDED.storage_cost,
    network_cost       = r.network_cost + EXCLUDED.network_cost,
    load_balancer_cost = r.load_balancer_cost + EXCLUDED.load_balancer_cost";

/// `$1` tenant, `$2` cluster, `$3` hour, then the columns.
const UPSERT_IDLE_ROLLUP: &str = "
INSERT INTO node_idle_hourly AS r (tenant_id, hour, cluster, node, cpu_cost, ram_cost, idle_cpu,
                                   idle_ram, overcommit_cpu, overcommit_ram, sample_count)
SELECT $1, $3, $2, u.*, 1
FROM UNNEST($4::text[], $5::numeric[], $6::numeric[], $7::numeric[], $8::numeric[],
            $9::numeric[], $10::numeric[]) AS u
ON CONFLICT (tenant_id, hour, cluster, node) DO UPDATE SET
    cpu_cost       = r.cpu_cost + EXCLUDED.cpu_cost,
    ram_cost       = r.ram_cost + EXCLUDED.ram_cost,
    idle_cpu       = r.idle_cpu + EXCLUDED.idle_cpu,
    idle_ram       = r.idle_ram + EXCLUDED.idle_ram,
    overcommit_cpu = r.overcommit_cpu + EXCLUDED.overcommit_cpu,
    overcommit_ram = r.overcommit_ram + EXCLUDED.overcommit_ram,
    sample_count   = r.sample_count + EXCLUDED.sample_count";

/// `$1` tenant, `$2` cluster, `$3` hour, then the columns.
const UPSERT_NAMESPACE_ROLLUP: &str = "
INSERT INTO namespace_costs_hourly AS r (tenant_id, hour, cluster, namespace, cpu_cost,
                                         ram_cost, cpu_usage_mcs, cpu_request_mcs,
                                         mem_usage_bs, mem_request_bs, sample_count,
                                         storage_cost, network_cost, load_balancer_cost)
SELECT $1, $3, $2, u.*
FROM UNNEST($4::text[], $5::numeric[], $6::numeric[], $7::numeric[], $8::numeric[],
            $9::numeric[], $10::numeric[], $11::int[], $12::numeric[], $13::numeric[],
            $14::numeric[]) AS u
ON CONFLICT (tenant_id, hour, cluster, namespace) DO UPDATE SET
    cpu_cost           = r.cpu_cost + EXCLUDED.cpu_cost,
    ram_cost           = r.ram_cost + EXCLUDED.ram_cost,
    cpu_usage_mcs      = r.cpu_usage_mcs + EXCLUDED.cpu_usage_mcs,
    cpu_request_mcs    = r.cpu_request_mcs + EXCLUDED.cpu_request_mcs,
    mem_usage_bs       = r.mem_usage_bs + EXCLUDED.mem_usage_bs,
    mem_request_bs     = r.mem_request_bs + EXCLUDED.mem_request_bs,
    sample_count       = r.sample_count + EXCLUDED.sample_count,
    storage_cost       = r.storage_cost + EXCLUDED.storage_cost,
    network_cost       = r.network_cost + EXCLUDED.network_cost,
    load_balancer_cost = r.load_balancer_cost + EXCLUDED.load_balancer_cost";

/// Upserts every rollup of `priced` (the caller's transaction).
pub(crate) async fn upsert_all(
    conn: &mut PgConnection,
    tenant: Uuid,
    priced: &PricedSnapshot,
    row: &SnapshotRow<'_>,
) -> Result<(), MetricsStoreError> {
    let pods = PodRollupColumns::new(priced).map_err(|e| unexpected("append: pod rollups", e))?;
    if !pods.pod.is_empty() {
        upsert_pods(conn, tenant, row).await?;
        let namespaces = NamespaceRollupColumns::new(&pods, row.duration_seconds)
            .map_err(|e| unexpected("append: namespace rollups", e))?;
        upsert_namespaces(conn, tenant, row, &namespaces).await?;
        upsert_presence(conn, tenant, row, &pods).await?;
    }
    if !priced.nodes().is_empty() {
        upsert_nodes(conn, tenant, row, &NodeRollupColumns::new(priced)).await?;
    }
    Ok(())
}

async fn upsert_pods(
    conn: &mut PgConnection,
    tenant: Uuid,
    row: &SnapshotRow<'_>,
) -> Result<(), MetricsStoreError> {
    sqlx::query(UPSERT_POD_ROLLUP)
        .bind(tenant)
        .bind(row.cluster)
        .bind(row.ts)
        .bind(row.hour)
        .execute(conn)
        .await
        .map(drop)
        .map_err(db("append: upsert pod rollups"))
}

async fn upsert_namespaces(
    conn: &mut PgConnection,
    tenant: Uuid,
    row: &SnapshotRow<'_>,
    c: &NamespaceRollupColumns<'_>,
) -> Result<(), MetricsStoreError> {
    sqlx::query(UPSERT_NAMESPACE_ROLLUP)
        .bind(tenant)
        .bind(row.cluster)
        .bind(row.hour)
        .bind(&c.namespace)
        .bind(&c.cpu_cost)
        .bind(&c.ram_cost)
        .bind(&c.cpu_usage_mcs)
        .bind(&c.cpu_request_mcs)
        .bind(&c.mem_usage_bs)
        .bind(&c.mem_request_bs)
        .bind(&c.sample_count)
        .bind(&c.storage_cost)
        .bind(&c.network_cost)
        .bind(&c.load_balancer_cost)
        .execute(conn)
        .await
        .map(drop)
        .map_err(db("append: upsert namespace rollups"))
}

async fn upsert_presence(
    conn: &mut PgConnection,
    tenant: Uuid,
    row: &SnapshotRow<'_>,
    pods: &PodRollupColumns<'_>,
) -> Result<(), MetricsStoreError> {
    let bit = PresenceBit::of(row.hour).map_err(|e| unexpected("append: presence bit", e))?;
    sqlx::query(UPSERT_PRESENCE)
        .bind(tenant)
        .bind(row.cluster)
        .bind(bit.month)
        .bind(bit.index)
        .bind(bit.literal())
        .bind(&pods.namespace)
        .bind(&pods.pod)
        // Unnamed, so planned for these arrays each time: the cached generic plan of this
        // anti-join took ~400 ms instead of ~4 ms.
        .persistent(false)
        .execute(conn)
        .await
        .map(drop)
        .map_err(db("append: upsert pod presence"))
}

async fn upsert_nodes(
    conn: &mut PgConnection,
    tenant: Uuid,
    row: &SnapshotRow<'_>,
    c: &NodeRollupColumns<'_>,
) -> Result<(), MetricsStoreError> {
    sqlx::query(UPSERT_IDLE_ROLLUP)
        .bind(tenant)
        .bind(row.cluster)
        .bind(row.hour)
        .bind(&c.node)
        .bind(&c.cpu_cost)
        .bind(&c.ram_cost)
        .bind(&c.idle_cpu)
        .bind(&c.idle_ram)
        .bind(&c.overcommit_cpu)
        .bind(&c.overcommit_ram)
        .execute(conn)
        .await
        .map(drop)
        .map_err(db("append: upsert idle rollups"))
}
