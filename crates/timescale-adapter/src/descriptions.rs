//! `pod_descriptions`: the stored pod dimension rows, decoded back into domain values.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::CostFilter;
use kcost_domain::description::{PodDescription, StoredPod};
use kcost_domain::snapshot::Owner;
use kcost_domain::tenant::TenantId;
use kcost_ports::MetricsStoreError;
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, PgPool, Row};

use crate::error::{db, unexpected};

/// The `pods` columns a description is decoded from, in the order [`description`] reads
/// them (labels and containers as JSON text, by position).
pub(crate) const DESCRIPTION_COLUMNS: &str = "p.cluster, p.namespace, p.pod, p.node, \
    p.owner_kind, p.owner_name, p.owner_inferred, p.labels::text, p.phase, p.qos_class, \
    p.containers::text";

fn select_sql() -> String {
    format!(
        "SELECT {DESCRIPTION_COLUMNS}, p.first_seen FROM pods p

WHERE tenant_id = $1 AND ($2::text IS NULL OR cluster = $2)
  AND ($3::text IS NULL OR namespace = $3)
ORDER BY cluster, namespace, pod, first_seen, pod_id"
    )
}

pub(crate) async fn pod_descriptions(
    pool: &PgPool,
    tenant: TenantId,
    filter: &CostFilter,
) -> Result<Vec<StoredPod>, MetricsStoreError> {
    let rows = sqlx::query(AssertSqlSafe(select_sql()))
        .bind(tenant.as_uuid())
        .bind(filter.cluster.as_ref().map(ClusterName::as_str))
        .bind(filter.namespace.as_deref())
        .fetch_all(pool)
        .await
        .map_err(db("pod_descriptions"))?;
    rows.iter()
        .map(decode)
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(|e| unexpected("pod_descriptions: decode", e))
}

fn decode(row: &PgRow) -> anyhow::Result<StoredPod> {
    Ok(StoredPod {
        description: description(row)?,
        first_seen: row.try_get::<DateTime<Utc>, _>("first_seen")?,
    })
}

/// A pod description from a row that selects [`DESCRIPTION_COLUMNS`] first.
pub(crate) fn description(row: &PgRow) -> anyhow::Result<PodDescription> {
    let owner = match (
        row.try_get::<Option<String>, _>("owner_kind")?,
        row.try_get::<Option<String>, _>("owner_name")?,
    ) {
        (Some(kind), Some(name)) => Some(Owner { kind, name }),
        _ => None,
    };
    let labels: BTreeMap<String, String> = serde_json::from_str(&row.try_get::<String, _>(7)?)?;
    let containers: Vec<String> = serde_json::from_str(&row.try_get::<String, _>(10)?)?;
    Ok(PodDescription {
        cluster: ClusterName::new(row.try_get::<String, _>("cluster")?)?,
        namespace: row.try_get("namespace")?,
        name: row.try_get("pod")?,
        node: row.try_get("node")?,
        owner,
        owner_inferred: row.try_get("owner_inferred")?,
        labels,
        phase: row.try_get("phase")?,
        qos_class: row.try_get("qos_class")?,
        containers,
    })
}
