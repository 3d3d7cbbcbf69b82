//! `usage_series`: every raw pod sample in the window, grouped into one series per pod
//! (ordered by cluster, namespace, pod), oldest point first, with the rates and owner of
//! the pod's latest sample (decoded and grouped by `kcost_store_support`). The
//! recommender's input.

use kcost_domain::costs::{CostFilter, PodUsageSeries};
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::MetricsStoreError;
use kcost_store_support::{group_usage_samples, usage_sample, usage_samples_sql};
use sqlx::{AssertSqlSafe, PgPool};

use crate::error::unexpected;
use crate::hourly;
use crate::result_row::Columns;
use crate::scope::Scope;

pub(crate) async fn usage_series(
    pool: &PgPool,
    tenant: TenantId,
    window: &TimeWindow,
    filter: &CostFilter,
) -> Result<Vec<PodUsageSeries>, MetricsStoreError> {
    let scope = Scope::new(tenant, window, filter, None);
    let window = "tenant_id = $1 AND ts >= $2 AND ts < $3";
    let sql = usage_samples_sql(&format!("{window}{}", scope.filter_sql(4, true)));
    let query = sqlx::query(AssertSqlSafe(sql))
        .bind(scope.tenant)
        .bind(scope.split.start)
        .bind(scope.split.end);
    let rows = hourly::fetch_all(pool, scope.bind_filters(query, true), "usage_series").await?;
    let samples = rows
        .iter()
        .map(|row| usage_sample(&Columns(row)))
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(|e| unexpected("usage_series: decode", e))?;
    Ok(group_usage_samples(samples))
}
