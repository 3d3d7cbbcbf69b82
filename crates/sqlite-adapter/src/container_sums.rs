//! `container_sums`: per container of every multi-container pod description, its
//! resource-seconds over a window, from the raw container samples (containers are not
//! rolled up; only questions about containers read them). Each container sample takes its
//! pod sample's duration; the sums are taken in Rust as decimals (a month of byte-seconds
//! overflows SQLite's 64-bit INTEGER).

use std::collections::BTreeMap;

use kcost_domain::allocation::sums::{ContainerWindowSums, ResourceSeconds};
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::MetricsStoreError;
use rust_decimal::Decimal;
use sea_orm::{DatabaseConnection, QueryResult};

use crate::descriptions::description;
use crate::error::{db, unexpected};
use crate::scope::window_rows;

const SELECT: &str = "
SELECT p.pod_id, p.cluster, p.namespace, p.pod, p.node, p.owner_kind, p.owner_name,
       p.owner_inferred, p.labels, p.phase, p.qos_class, p.containers,
       json_extract(p.containers, '$[' || c.container || ']') AS container_name,
       c.cpu_usage_m, c.cpu_request_m, c.mem_usage_b, c.mem_request_b, s.duration_seconds
FROM container_samples c
JOIN pod_samples s ON s.tenant_id = c.tenant_id AND s.ts = c.ts AND s.pod_id = c.pod_id
JOIN pods p ON p.tenant_id = c.tenant_id AND p.pod_id = c.pod_id
WHERE c.tenant_id = ?1 AND c.ts >= ?2 AND c.ts < ?3 AND json_array_length(p.containers) > 1
ORDER BY p.pod_id, c.container";

pub(crate) async fn container_sums(
    conn: &DatabaseConnection,
    tenant: TenantId,
    window: &TimeWindow,
) -> Result<Vec<ContainerWindowSums>, MetricsStoreError> {
    let rows = window_rows(conn, SELECT, tenant, window)
        .await
        .map_err(db("container_sums"))?;
    let mut sums: BTreeMap<(i64, String), ContainerWindowSums> = BTreeMap::new();
    for row in &rows {
        add(&mut sums, row).map_err(unexpected("container_sums: decode"))?;
    }
    Ok(sums.into_values().collect())
}

fn add(
    sums: &mut BTreeMap<(i64, String), ContainerWindowSums>,
    row: &QueryResult,
) -> anyhow::Result<()> {
    let Some(container) = row.try_get_by::<Option<String>, _>("container_name")? else {
        return Ok(());
    };
    let pod_id: i64 = row.try_get_by("pod_id")?;
    let seconds = Decimal::from(row.try_get_by::<i64, _>("duration_seconds")?);
    let figure = |column: &str| -> anyhow::Result<Decimal> {
        Ok(Decimal::from(row.try_get_by::<i64, _>(column)?) * seconds)
    };
    let (cpu_usage, cpu_request) = (figure("cpu_usage_m")?, figure("cpu_request_m")?);
    let (mem_usage, mem_request) = (figure("mem_usage_b")?, figure("mem_request_b")?);
    let entry = match sums.entry((pod_id, container.clone())) {
        std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::btree_map::Entry::Vacant(e) => e.insert(ContainerWindowSums {
            pod: description(row)?,
            container,
            resources: ResourceSeconds::default(),
        }),
    };
    entry.resources += ResourceSeconds {
        cpu_usage_mcs: cpu_usage,
        cpu_request_mcs: cpu_request,
        cpu_alloc_mcs: cpu_usage.max(cpu_request),
        mem_usage_bs: mem_usage,
        mem_request_bs: mem_request,
        mem_alloc_bs: mem_usage.max(mem_request),
        seconds,
    };
    Ok(())
}
