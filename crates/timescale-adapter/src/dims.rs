//! Pods and nodes as dimensions: each distinct description (`kcost_domain::description`)
//! stored once in `pods` / `nodes`, and the integer id samples refer to it by.
//!
//! Ids are remembered in process ([`DimensionCache`], keyed by tenant and fingerprint —
//! the fingerprint covers cluster, namespace and name), so a steady cluster's snapshot
//! resolves every pod without a query. Misses are inserted in one statement
//! (`ON CONFLICT DO NOTHING`: replicas and concurrent appends may race) and then read
//! back. Dimension rows are written outside the append transaction: they are idempotent,
//! and one left behind by a failed or duplicate append is harmless.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use kcost_domain::cluster::ClusterName;
use kcost_domain::description::{NodeDescription, PodDescription};
use kcost_domain::snapshot::Snapshot;
use kcost_ports::MetricsStoreError;
use sqlx::{PgPool, Row};
use uuid::Uuid;

use crate::error::{db, unexpected};

/// Entries kept before the cache starts over (a few hundred bytes each).
const CACHE_CAPACITY: usize = 500_000;

/// Ids of descriptions this process has stored or read.
#[derive(Debug, Default)]
pub(crate) struct DimensionCache {
    pods: Mutex<HashMap<(Uuid, i64), i64>>,
    nodes: Mutex<HashMap<(Uuid, i64), i64>>,
}

/// The ids of one snapshot's pods and nodes, in snapshot order.
#[derive(Debug)]
pub(crate) struct SnapshotIds {
    pub pods: Vec<i64>,
    pub nodes: Vec<i64>,
}

const INSERT_PODS: &str = "
INSERT INTO pods AS p (tenant_id, cluster, first_seen, namespace, pod, node, owner_kind,
                       owner_name, owner_inferred, labels, phase, qos_class, containers,
                       fingerprint)
SELECT $1, $2, $3, u.namespace, u.pod, u.node, u.owner_kind, u.owner_name, u.owner_inferred,
       u.labels::jsonb, u.phase, u.qos_class, u.containers::jsonb, u.fingerprint
FROM UNNEST($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bool[],
            $10::text[], $11::text[], $12::text[], $13::text[], $14::int8[])
     AS u(namespace, pod, node, owner_kind, owner_name, owner_inferred, labels, phase,
          qos_class, containers, fingerprint)
ON CONFLICT (tenant_id, cluster, namespace, pod, fingerprint) DO UPDATE
    SET first_seen = EXCLUDED.first_seen WHERE p.first_seen > EXCLUDED.first_seen";

const SELECT_PODS: &str = "
SELECT fingerprint, pod_id FROM pods
WHERE tenant_id = $1 AND cluster = $2 AND fingerprint = ANY($3)";

const INSERT_NODES: &str = "
INSERT INTO nodes AS n (tenant_id, cluster, first_seen, node, instance_type, labels,
                        fingerprint)
SELECT $1, $2, $3, u.node, u.instance_type, u.labels::jsonb, u.fingerprint
FROM UNNEST($4::text[], $5::text[], $6::text[], $7::int8[])
     AS u(node, instance_type, labels, fingerprint)
ON CONFLICT (tenant_id, cluster, node, fingerprint) DO UPDATE
    SET first_seen = EXCLUDED.first_seen WHERE n.first_seen > EXCLUDED.first_seen";

const SELECT_NODES: &str = "
SELECT fingerprint, node_id FROM nodes
WHERE tenant_id = $1 AND cluster = $2 AND fingerprint = ANY($3)";

impl DimensionCache {
    /// The ids of every pod and node of `snapshot`, storing new descriptions.
    pub async fn resolve(
        &self,
        pool: &PgPool,
        tenant: Uuid,
        snapshot: &Snapshot,
    ) -> Result<SnapshotIds, MetricsStoreError> {
        let cluster = snapshot.cluster();
        let ts = snapshot.timestamp();
        // Fingerprints from the samples; descriptions are built only for pods not seen yet.
        let pod_prints: Vec<i64> = snapshot
            .pods()
            .iter()
            .map(|pod| PodDescription::fingerprint_of(cluster, pod))
            .collect();
        let missing: Vec<usize> = self.missing(&self.pods, tenant, &pod_prints);
        if !missing.is_empty() {
            let pods: Vec<PodDescription> = missing
                .iter()
                .map(|&i| PodDescription::of(cluster, &snapshot.pods()[i]))
                .collect();
            let prints: Vec<i64> = missing.iter().map(|&i| pod_prints[i]).collect();
            let found = store_pods(pool, tenant, cluster, ts, &pods, &prints).await?;
            self.remember(&self.pods, tenant, found);
        }
        let nodes: Vec<NodeDescription> = snapshot
            .nodes()
            .iter()
            .map(|node| NodeDescription::of(cluster, node))
            .collect();
        let node_prints: Vec<i64> = nodes.iter().map(NodeDescription::fingerprint).collect();
        let missing: Vec<usize> = self.missing(&self.nodes, tenant, &node_prints);
        if !missing.is_empty() {
            let found =
                store_nodes(pool, tenant, cluster, ts, &nodes, &node_prints, &missing).await?;
            self.remember(&self.nodes, tenant, found);
        }
        Ok(SnapshotIds {
            pods: self.lookup(&self.pods, tenant, &pod_prints)?,
            nodes: self.lookup(&self.nodes, tenant, &node_prints)?,
        })
    }

    /// Forgets every id (retention may have deleted their rows).
    pub fn clear(&self) {
        lock(&self.pods).clear();
        lock(&self.nodes).clear();
    }

    fn missing(
        &self,
        map: &Mutex<HashMap<(Uuid, i64), i64>>,
        tenant: Uuid,
        prints: &[i64],
    ) -> Vec<usize> {
        let map = lock(map);
        (0..prints.len())
            .filter(|&i| !map.contains_key(&(tenant, prints[i])))
            .collect()
    }

    fn remember(
        &self,
        map: &Mutex<HashMap<(Uuid, i64), i64>>,
        tenant: Uuid,
        found: Vec<(i64, i64)>,
    ) {
        let mut map = lock(map);
        if map.len() + found.len() > CACHE_CAPACITY {
            map.clear();
        }
        map.extend(found.into_iter().map(|(print, id)| ((tenant, print), id)));
    }

    fn lookup(
        &self,
        map: &Mutex<HashMap<(Uuid, i64), i64>>,
        tenant: Uuid,
        prints: &[i64],
    ) -> Result<Vec<i64>, MetricsStoreError> {
        let map = lock(map);
        prints
            .iter()
            .map(|print| {
                map.get(&(tenant, *print)).copied().ok_or_else(|| {
                    unexpected(
                        "append: dimension id",
                        anyhow::anyhow!("description {print} was stored but not found"),
                    )
                })
            })
            .collect()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, MetricsStoreError> {
    serde_json::to_string(value).map_err(|e| unexpected("append: description json", e.into()))
}

/// Inserts `pods` (with their fingerprints `prints`) and returns (fingerprint, id) of each.
async fn store_pods(
    pool: &PgPool,
    tenant: Uuid,
    cluster: &ClusterName,
    ts: DateTime<Utc>,
    pods: &[PodDescription],
    prints: &[i64],
) -> Result<Vec<(i64, i64)>, MetricsStoreError> {
    let texts = |f: fn(&PodDescription) -> Option<String>| -> Vec<Option<String>> {
        pods.iter().map(f).collect()
    };
    let labels = pods
        .iter()
        .map(|p| json(&p.labels))
        .collect::<Result<Vec<_>, _>>()?;
    let containers = pods
        .iter()
        .map(|p| json(&p.containers))
        .collect::<Result<Vec<_>, _>>()?;
    sqlx::query(INSERT_PODS)
        .bind(tenant)
        .bind(cluster.as_str())
        .bind(ts)
        .bind(texts(|p| Some(p.namespace.clone())))
        .bind(texts(|p| Some(p.name.clone())))
        .bind(texts(|p| p.node.clone()))
        .bind(texts(|p| p.owner.as_ref().map(|o| o.kind.clone())))
        .bind(texts(|p| p.owner.as_ref().map(|o| o.name.clone())))
        .bind(pods.iter().map(|p| p.owner_inferred).collect::<Vec<_>>())
        .bind(labels)
        .bind(texts(|p| p.phase.clone()))
        .bind(texts(|p| p.qos_class.clone()))
        .bind(containers)
        .bind(prints)
        .execute(pool)
        .await
        .map_err(db("append: store pod descriptions"))?;
    read_ids(pool, SELECT_PODS, tenant, cluster, prints).await
}

async fn store_nodes(
    pool: &PgPool,
    tenant: Uuid,
    cluster: &ClusterName,
    ts: DateTime<Utc>,
    nodes: &[NodeDescription],
    prints: &[i64],
    missing: &[usize],
) -> Result<Vec<(i64, i64)>, MetricsStoreError> {
    let chosen: Vec<&NodeDescription> = missing.iter().map(|&i| &nodes[i]).collect();
    let labels = chosen
        .iter()
        .map(|n| json(&n.labels))
        .collect::<Result<Vec<_>, _>>()?;
    let fingerprints: Vec<i64> = missing.iter().map(|&i| prints[i]).collect();
    sqlx::query(INSERT_NODES)
        .bind(tenant)
        .bind(cluster.as_str())
        .bind(ts)
        .bind(chosen.iter().map(|n| n.name.clone()).collect::<Vec<_>>())
        .bind(
            chosen
                .iter()
                .map(|n| n.instance_type.clone())
                .collect::<Vec<_>>(),
        )
        .bind(labels)
        .bind(&fingerprints)
        .execute(pool)
        .await
        .map_err(db("append: store node descriptions"))?;
    read_ids(pool, SELECT_NODES, tenant, cluster, &fingerprints).await
}

async fn read_ids(
    pool: &PgPool,
    sql: &'static str,
    tenant: Uuid,
    cluster: &ClusterName,
    fingerprints: &[i64],
) -> Result<Vec<(i64, i64)>, MetricsStoreError> {
    let rows = sqlx::query(sql)
        .bind(tenant)
        .bind(cluster.as_str())
        .bind(fingerprints)
        .fetch_all(pool)
        .await
        .map_err(db("append: read description ids"))?;
    rows.iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(db("append: decode description ids"))
}
