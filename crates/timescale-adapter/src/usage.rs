//! `usage_series`: every raw pod sample in the window, grouped into one series per pod
//! (ordered by cluster, namespace, pod), oldest point first, with the rates and owner of
//! the pod's latest sample (grouped by `kcost_store_support`). The recommender's
//! input.

use chrono::{DateTime, Utc};
use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::{CostFilter, PodUsageSeries, UsagePoint};
use kcost_domain::pricing::ResourceRates;
use kcost_domain::quantity::{Bytes, Millicores};
use kcost_domain::snapshot::ResourceFigures;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::MetricsStoreError;
use kcost_store_support::{PodUsageSample, group_usage_samples, owner_from_columns};
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, PgPool, Row};

use crate::error::unexpected;
use crate::hourly;
use crate::scope::Scope;

pub(crate) async fn usage_series(
    pool: &PgPool,
    tenant: TenantId,
    window: &TimeWindow,
    filter: &CostFilter,
) -> Result<Vec<PodUsageSeries>, MetricsStoreError> {
    let scope = Scope::new(tenant, window, filter, None);
    let sql = format!(
        "SELECT cluster, namespace, pod, ts, duration_seconds, owner_kind, owner_name,
                cpu_usage_m, cpu_request_m, cpu_limit_m, mem_usage_b, mem_request_b,
                mem_limit_b, cpu_rate, ram_rate
         FROM pod_samples_named
         WHERE tenant_id = $1 AND ts >= $2 AND ts < $3{}
         ORDER BY cluster, namespace, pod, ts",
        scope.filter_sql(4, true)
    );
    let query = sqlx::query(AssertSqlSafe(sql))
        .bind(scope.tenant)
        .bind(scope.start)
        .bind(scope.end);
    let rows = hourly::fetch_all(pool, scope.bind_filters(query, true), "usage_series").await?;
    let samples = rows
        .iter()
        .map(sample)
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(|e| unexpected("usage_series: decode", e))?;
    Ok(group_usage_samples(samples))
}

fn sample(row: &PgRow) -> anyhow::Result<PodUsageSample> {
    Ok(PodUsageSample {
        cluster: ClusterName::new(row.try_get::<String, _>("cluster")?)?,
        namespace: row.try_get("namespace")?,
        pod: row.try_get("pod")?,
        owner: owner_from_columns(row.try_get("owner_kind")?, row.try_get("owner_name")?),
        rates: ResourceRates {
            cpu_core_hourly: row.try_get("cpu_rate")?,
            ram_gib_hourly: row.try_get("ram_rate")?,
        },
        point: point(row)?,
    })
}

fn point(row: &PgRow) -> anyhow::Result<UsagePoint> {
    let quantity = |column: &str| -> anyhow::Result<u64> {
        Ok(u64::try_from(row.try_get::<i64, _>(column)?)?)
    };
    let optional = |column: &str| -> anyhow::Result<Option<u64>> {
        Ok(row
            .try_get::<Option<i64>, _>(column)?
            .map(u64::try_from)
            .transpose()?)
    };
    Ok(UsagePoint {
        at: row.try_get::<DateTime<Utc>, _>("ts")?,
        seconds: u32::try_from(row.try_get::<i32, _>("duration_seconds")?)?,
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
