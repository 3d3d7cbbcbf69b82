//! `usage_series`: every raw pod sample in the window (with its pod's identity and owner
//! from `pod_samples_named`), grouped into one series per pod (ordered by cluster,
//! namespace, pod), oldest point first, with the rates and owner of the pod's latest
//! sample (grouped by `kcost_store_support`). The recommender's input.

use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::{CostFilter, PodUsageSeries, UsagePoint};
use kcost_domain::pricing::ResourceRates;
use kcost_domain::quantity::{Bytes, Millicores};
use kcost_domain::snapshot::ResourceFigures;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::MetricsStoreError;
use kcost_store_support::{PodUsageSample, group_usage_samples, owner_from_columns};
use sea_orm::{ConnectionTrait, DatabaseConnection, QueryResult};

use crate::encoding::{decimal, instant, unsigned};
use crate::error::{db, unexpected};
use crate::scope::{Scope, WINDOW_RANGE};

pub(crate) async fn usage_series(
    conn: &DatabaseConnection,
    tenant: TenantId,
    window: &TimeWindow,
    filter: &CostFilter,
) -> Result<Vec<PodUsageSeries>, MetricsStoreError> {
    // Raw samples only: no rollup watermark.
    let scope = Scope::new(tenant, window, filter, None);
    let sql = format!(
        "SELECT cluster, namespace, pod, ts, duration_seconds, owner_kind, owner_name,
                cpu_usage_m, cpu_request_m, cpu_limit_m, mem_usage_b, mem_request_b,
                mem_limit_b, cpu_rate, ram_rate
         FROM pod_samples_named
         WHERE {WINDOW_RANGE}{}
         ORDER BY cluster, namespace, pod, ts",
        scope.filter_sql(true)
    );
    let rows = conn
        .query_all_raw(scope.statement(sql, true))
        .await
        .map_err(db("usage_series"))?;
    let samples = rows
        .iter()
        .map(sample)
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(unexpected("usage_series: decode"))?;
    Ok(group_usage_samples(samples))
}

fn sample(row: &QueryResult) -> anyhow::Result<PodUsageSample> {
    Ok(PodUsageSample {
        cluster: ClusterName::new(row.try_get_by::<String, _>("cluster")?)?,
        namespace: row.try_get_by("namespace")?,
        pod: row.try_get_by("pod")?,
        owner: owner_from_columns(row.try_get_by("owner_kind")?, row.try_get_by("owner_name")?),
        rates: ResourceRates {
            cpu_core_hourly: decimal(&row.try_get_by::<String, _>("cpu_rate")?)?,
            ram_gib_hourly: decimal(&row.try_get_by::<String, _>("ram_rate")?)?,
        },
        point: point(row)?,
    })
}

fn point(row: &QueryResult) -> anyhow::Result<UsagePoint> {
    let quantity =
        |column: &str| -> anyhow::Result<u64> { unsigned(row.try_get_by::<i64, _>(column)?) };
    let optional = |column: &str| -> anyhow::Result<Option<u64>> {
        row.try_get_by::<Option<i64>, _>(column)?
            .map(unsigned)
            .transpose()
    };
    Ok(UsagePoint {
        at: instant(row.try_get_by::<i64, _>("ts")?)?,
        seconds: u32::try_from(row.try_get_by::<i64, _>("duration_seconds")?)?,
        figures: ResourceFigures {
            cpu_usage: Millicores::new(quantity("cpu_usage_m")?),
            memory_usage: Bytes::new(quantity("mem_usage_b")?),
            cpu_request: Millicores::new(quantity("cpu_request_m")?),
            memory_request: Bytes::new(quantity("mem_request_b")?),
            cpu_limit: optional("cpu_limit_m")?.map(Millicores::new),
            memory_limit: optional("mem_limit_b")?.map(Bytes::new),
        },
    })
}
