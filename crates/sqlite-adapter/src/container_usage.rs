//! `container_usage_series`: every raw container sample of a pod description with two or
//! more containers in the window, with its pod sample's time, duration and rates and its
//! pod's identity and owner, grouped into one series per container (decoded and grouped by
//! `kcost_store_support`). The recommender's input for multi-container pods.

use kcost_domain::costs::{ContainerUsageSeries, CostFilter};
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::MetricsStoreError;
use kcost_store_support::{container_usage_sample, group_container_samples};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::error::{db, unexpected};
use crate::result_row::Columns;
use crate::scope::Scope;

/// The samples as `USAGE_SAMPLE_COLUMNS` plus `container`, in a derived table so the
/// scope's unqualified filters (`cluster = ?8`, `namespace = ?9`) apply to it.
fn select_sql(filters: &str) -> String {
    format!(
        "SELECT * FROM (
            SELECT p.cluster, p.namespace, p.pod, c.ts, s.duration_seconds, p.owner_kind,
                   p.owner_name, c.cpu_usage_m, c.cpu_request_m, c.cpu_limit_m,
                   c.mem_usage_b, c.mem_request_b, c.mem_limit_b, s.cpu_rate, s.ram_rate,
                   json_extract(p.containers, '$[' || c.container || ']') AS container
            FROM container_samples c
            JOIN pod_samples s ON s.tenant_id = c.tenant_id AND s.ts = c.ts
                              AND s.pod_id = c.pod_id
            JOIN pods p ON p.tenant_id = c.tenant_id AND p.pod_id = c.pod_id
            WHERE c.tenant_id = ?1 AND c.ts >= ?2 AND c.ts < ?5
              AND json_array_length(p.containers) > 1
        ) WHERE container IS NOT NULL{filters}"
    )
}

pub(crate) async fn container_usage_series(
    conn: &DatabaseConnection,
    tenant: TenantId,
    window: &TimeWindow,
    filter: &CostFilter,
) -> Result<Vec<ContainerUsageSeries>, MetricsStoreError> {
    // Raw samples only: containers are not rolled up.
    let scope = Scope::new(tenant, window, filter, None);
    let sql = select_sql(&scope.filter_sql(true));
    let rows = conn
        .query_all_raw(scope.statement(sql, true))
        .await
        .map_err(db("container_usage_series"))?;
    let samples = rows
        .iter()
        .filter_map(|row| container_usage_sample(&Columns(row)).transpose())
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(unexpected("container_usage_series: decode"))?;
    Ok(group_container_samples(samples))
}
