//! `pod_descriptions`: the tenant's stored pod descriptions (`pods`), filtered by cluster
//! and namespace, ordered by cluster, namespace, name and first seen (SQLite's default
//! collation is byte order). Labels and container names are stored as JSON.

use std::collections::BTreeMap;

use anyhow::Context;
use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::CostFilter;
use kcost_domain::description::{PodDescription, StoredPod};
use kcost_domain::tenant::TenantId;
use kcost_ports::MetricsStoreError;
use kcost_store_support::owner_from_columns;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, QueryResult, Statement, Value};

use crate::encoding::instant;
use crate::error::{db, unexpected};

pub(crate) async fn pod_descriptions(
    conn: &DatabaseConnection,
    tenant: TenantId,
    filter: &CostFilter,
) -> Result<Vec<StoredPod>, MetricsStoreError> {
    let mut sql = String::from(
        "SELECT cluster, namespace, pod, node, owner_kind, owner_name, owner_inferred, labels,
                phase, qos_class, containers, first_seen
         FROM pods WHERE tenant_id = ?",
    );
    let mut values: Vec<Value> = vec![tenant.as_uuid().hyphenated().to_string().into()];
    if let Some(cluster) = &filter.cluster {
        sql.push_str(" AND cluster = ?");
        values.push(cluster.as_str().into());
    }
    if let Some(namespace) = &filter.namespace {
        sql.push_str(" AND namespace = ?");
        values.push(namespace.clone().into());
    }
    sql.push_str(" ORDER BY cluster, namespace, pod, first_seen, pod_id");
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            sql,
            values,
        ))
        .await
        .map_err(db("pod_descriptions"))?;
    rows.iter()
        .map(decode)
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(unexpected("pod_descriptions: decode"))
}

fn decode(row: &QueryResult) -> anyhow::Result<StoredPod> {
    Ok(StoredPod {
        description: description(row)?,
        first_seen: instant(row.try_get_by("first_seen")?)?,
    })
}

/// A pod description from a row selecting `pods`' description columns by name.
pub(crate) fn description(row: &QueryResult) -> anyhow::Result<PodDescription> {
    let labels: String = row.try_get_by("labels")?;
    let containers: String = row.try_get_by("containers")?;
    Ok(PodDescription {
        cluster: ClusterName::new(row.try_get_by::<String, _>("cluster")?)?,
        namespace: row.try_get_by("namespace")?,
        name: row.try_get_by("pod")?,
        node: row.try_get_by("node")?,
        owner: owner_from_columns(row.try_get_by("owner_kind")?, row.try_get_by("owner_name")?),
        owner_inferred: row.try_get_by::<i64, _>("owner_inferred")? != 0,
        labels: serde_json::from_str::<BTreeMap<String, String>>(&labels)
            .context("stored labels")?,
        phase: row.try_get_by("phase")?,
        qos_class: row.try_get_by("qos_class")?,
        containers: serde_json::from_str(&containers).context("stored container names")?,
    })
}
