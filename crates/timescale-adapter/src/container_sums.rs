//! `container_sums`: per container of every multi-container pod description, its
//! resource-seconds over a window, from the raw container samples (containers are not
//! rolled up; only questions about containers read them). Each container sample takes its
//! pod sample's duration.

use kcost_domain::allocation::sums::ContainerWindowSums;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::MetricsStoreError;
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, PgPool, Row};

use crate::descriptions::{DESCRIPTION_COLUMNS, description};
use crate::error::unexpected;
use crate::hourly;
use crate::window_sums::resource_seconds;

fn select_sql() -> String {
    format!(
        "WITH sums AS (
            SELECT c.pod_id, c.container,
                   SUM(c.cpu_usage_m * s.duration_seconds) AS cpu_usage_mcs,
                   SUM(c.cpu_request_m * s.duration_seconds) AS cpu_request_mcs,
                   SUM(GREATEST(c.cpu_usage_m, c.cpu_request_m) * s.duration_seconds)
                       AS cpu_alloc_mcs,
                   SUM(c.mem_usage_b * s.duration_seconds) AS mem_usage_bs,
                   SUM(c.mem_request_b * s.duration_seconds) AS mem_request_bs,
                   SUM(GREATEST(c.mem_usage_b, c.mem_request_b) * s.duration_seconds)
                       AS mem_alloc_bs,
                   SUM(s.duration_seconds)::numeric AS seconds
            FROM container_samples c
            JOIN pod_samples s ON s.tenant_id = c.tenant_id AND s.ts = c.ts
                              AND s.pod_id = c.pod_id
            WHERE c.tenant_id = $1 AND c.ts >= $2 AND c.ts < $3
              AND s.tenant_id = $1 AND s.ts >= $2 AND s.ts < $3
            GROUP BY c.pod_id, c.container
        )
        SELECT {DESCRIPTION_COLUMNS}, p.containers ->> x.container::int AS container_name, x.*
        FROM sums x JOIN pods p ON p.tenant_id = $1 AND p.pod_id = x.pod_id
        WHERE jsonb_array_length(p.containers) > 1"
    )
}

pub(crate) async fn container_sums(
    pool: &PgPool,
    tenant: TenantId,
    window: &TimeWindow,
) -> Result<Vec<ContainerWindowSums>, MetricsStoreError> {
    let statement = sqlx::query(AssertSqlSafe(select_sql()))
        .bind(tenant.as_uuid())
        .bind(window.start())
        .bind(window.end());
    let rows = hourly::fetch_all(pool, statement, "container_sums").await?;
    rows.iter()
        .filter_map(|row| decode(row).transpose())
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(|e| unexpected("container_sums: decode", e))
}

/// `None` for a sample whose index names no container (never written by `append`).
fn decode(row: &PgRow) -> anyhow::Result<Option<ContainerWindowSums>> {
    let Some(container) = row.try_get::<Option<String>, _>("container_name")? else {
        return Ok(None);
    };
    Ok(Some(ContainerWindowSums {
        pod: description(row)?,
        container,
        resources: resource_seconds(row, "seconds")?,
    }))
}
