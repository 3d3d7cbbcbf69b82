//! `usage_series`: every raw pod sample in the window (with its pod's identity and owner
//! from `pod_samples_named`), grouped into one series per pod (ordered by cluster,
//! namespace, pod), oldest point first, with the rates and owner of the pod's latest
//! sample (decoded and grouped by `kcost_store_support`). The recommender's input.

use kcost_domain::costs::{CostFilter, PodUsageSeries};
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::MetricsStoreError;
use kcost_store_support::{group_usage_samples, usage_sample, usage_samples_sql};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::error::{db, unexpected};
use crate::result_row::Columns;
use crate::scope::{Scope, WINDOW_RANGE};

pub(crate) async fn usage_series(
    conn: &DatabaseConnection,
    tenant: TenantId,
    window: &TimeWindow,
    filter: &CostFilter,
) -> Result<Vec<PodUsageSeries>, MetricsStoreError> {
    // Raw samples only: no rollup watermark.
    let scope = Scope::new(tenant, window, filter, None);
    let sql = usage_samples_sql(&format!("{WINDOW_RANGE}{}", scope.filter_sql(true)));
    let rows = conn
        .query_all_raw(scope.statement(sql, true))
        .await
        .map_err(db("usage_series"))?;
    let samples = rows
        .iter()
        .map(|row| usage_sample(&Columns(row)))
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(unexpected("usage_series: decode"))?;
    Ok(group_usage_samples(samples))
}
