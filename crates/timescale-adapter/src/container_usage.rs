//! `container_usage_series`: every raw container sample of a pod description with two or
//! more containers in the window, with its pod sample's time, duration and rates and its
//! pod's identity and owner, grouped into one series per container (decoded and grouped by
//! `kcost_store_support`). The recommender's input for multi-container pods.

use kcost_domain::costs::{ContainerUsageSeries, CostFilter};
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::MetricsStoreError;
use kcost_store_support::{container_usage_sample, group_container_samples};
use sqlx::{AssertSqlSafe, PgPool};

use crate::error::unexpected;
use crate::hourly;
use crate::result_row::Columns;
use crate::scope::Scope;

/// The samples as `USAGE_SAMPLE_COLUMNS` plus `container`, in a derived table so the
/// scope's unqualified filters (`cluster = $4`, …) apply to it.
fn select_sql(filters: &str) -> String {
    format!(
        "SELECT * FROM (
            SELECT p.cluster, p.namespace, p.pod, c.ts, s.duration_seconds, p.owner_kind,
                   p.owner_name, c.cpu_usage_m, c.cpu_request_m, c.cpu_limit_m,
                   c.mem_usage_b, c.mem_request_b, c.mem_limit_b, s.cpu_rate, s.ram_rate,
                   p.containers ->> c.container::int AS container
            FROM container_samples c
            JOIN pod_samples s ON s.tenant_id = c.tenant_id AND s.ts = c.ts
                              AND s.pod_id = c.pod_id
            JOIN pods p ON p.tenant_id = c.tenant_id AND p.pod_id = c.pod_id
            WHERE c.tenant_id = $1 AND c.ts >= $2 AND c.ts < $3
              AND s.tenant_id = $1 AND s.ts >= $2 AND s.ts < $3
              AND jsonb_array_length(p.containers) > 1
        ) AS samples WHERE container IS NOT NULL{filters}"
    )
}

pub(crate) async fn container_usage_series(
    pool: &PgPool,
    tenant: TenantId,
    window: &TimeWindow,
    filter: &CostFilter,
) -> Result<Vec<ContainerUsageSeries>, MetricsStoreError> {
    let scope = Scope::new(tenant, window, filter, None);
    let sql = select_sql(&scope.filter_sql(4, true));
    let query = sqlx::query(AssertSqlSafe(sql))
        .bind(scope.tenant)
        .bind(scope.split.start)
        .bind(scope.split.end);
    let rows = hourly::fetch_all(
        pool,
        scope.bind_filters(query, true),
        "container_usage_series",
    )
    .await?;
    let samples = rows
        .iter()
        .filter_map(|row| container_usage_sample(&Columns(row)).transpose())
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(|e| unexpected("container_usage_series: decode", e))?;
    Ok(group_container_samples(samples))
}
