//! Pods and nodes as dimensions: the ids of a snapshot's pod and node descriptions
//! (`pods`, `nodes`), stored once per distinct description
//! ([`PodDescription::fingerprint`]), looked up through an in-process cache.
//!
//! Inside the append transaction, descriptions the cache does not know are inserted with
//! `INSERT … ON CONFLICT DO NOTHING` (another process may have stored them) and their ids
//! read back with one `SELECT` by fingerprint; the cache learns them only once the
//! transaction has committed, so it never holds an id that a rollback took away (rows are
//! never deleted, so a cached id stays valid). A late snapshot (one older than the
//! cluster's latest) moves its descriptions' `first_seen` back to its own time.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use anyhow::Context;
use kcost_domain::cluster::ClusterName;
use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::description::{NodeDescription, PodDescription};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use crate::batch::insert_rows;
use crate::rows::SnapshotKey;

/// `(tenant, cluster, namespace, pod, fingerprint)`: what `pods` is unique on.
type PodKey = (String, String, String, String, i64);
/// `(tenant, cluster, node, fingerprint)`: what `nodes` is unique on.
type NodeKey = (String, String, String, i64);

/// Entries per map before it is emptied (and refilled by the next appends' misses): a
/// bound on memory, far above the pods and nodes of a busy installation at one time.
const MAX_CACHED: usize = 1_000_000;

/// Ids of stored descriptions, shared by every clone of the store.
#[derive(Default)]
pub(crate) struct DimensionCache {
    pods: Mutex<HashMap<PodKey, i64>>,
    nodes: Mutex<HashMap<NodeKey, i64>>,
}

impl fmt::Debug for DimensionCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pods = self.pods.lock().map_or(0, |m| m.len());
        let nodes = self.nodes.lock().map_or(0, |m| m.len());
        f.debug_struct("DimensionCache")
            .field("pods", &pods)
            .field("nodes", &nodes)
            .finish()
    }
}

/// One snapshot's descriptions, their keys and ids (`None` until resolved).
#[derive(Debug)]
pub(crate) struct SnapshotDimensions {
    pods: Vec<(PodKey, PodDescription)>,
    nodes: Vec<(NodeKey, NodeDescription)>,
    pod_ids: Vec<Option<i64>>,
    node_ids: Vec<Option<i64>>,
    /// Indexes resolved in the database, for the cache after commit.
    new_pods: Vec<usize>,
    new_nodes: Vec<usize>,
}

impl SnapshotDimensions {
    /// The snapshot's descriptions, with the ids the cache already knows.
    pub fn of(key: &SnapshotKey, priced: &PricedSnapshot, cache: &DimensionCache) -> Self {
        let snapshot = priced.snapshot();
        let cluster: &ClusterName = snapshot.cluster();
        let pods: Vec<(PodKey, PodDescription)> = snapshot
            .pods()
            .iter()
            .map(|pod| {
                let description = PodDescription::of(cluster, pod);
                let pod_key = (
                    key.tenant.clone(),
                    key.cluster.clone(),
                    description.namespace.clone(),
                    description.name.clone(),
                    description.fingerprint(),
                );
                (pod_key, description)
            })
            .collect();
        let nodes: Vec<(NodeKey, NodeDescription)> = snapshot
            .nodes()
            .iter()
            .map(|node| {
                let description = NodeDescription::of(cluster, node);
                let node_key = (
                    key.tenant.clone(),
                    key.cluster.clone(),
                    description.name.clone(),
                    description.fingerprint(),
                );
                (node_key, description)
            })
            .collect();
        let pod_ids = {
            let cached = cache.pods.lock().unwrap_or_else(PoisonError::into_inner);
            pods.iter().map(|(k, _)| cached.get(k).copied()).collect()
        };
        let node_ids = {
            let cached = cache.nodes.lock().unwrap_or_else(PoisonError::into_inner);
            nodes.iter().map(|(k, _)| cached.get(k).copied()).collect()
        };
        Self {
            pods,
            nodes,
            pod_ids,
            node_ids,
            new_pods: Vec::new(),
            new_nodes: Vec::new(),
        }
    }

    /// Stores the descriptions the cache did not know and reads their ids, inside the
    /// append transaction `txn`; a late snapshot also moves `first_seen` back.
    pub async fn resolve<C: ConnectionTrait>(
        &mut self,
        txn: &C,
        key: &SnapshotKey,
        late: bool,
    ) -> anyhow::Result<()> {
        self.new_pods = missing(&self.pod_ids);
        if !self.new_pods.is_empty() {
            let rows = self
                .new_pods
                .iter()
                .map(|&i| pod_row(key, &self.pods[i].1, self.pods[i].0.4))
                .collect::<anyhow::Result<Vec<_>>>()?;
            insert_rows(
                txn,
                &format!("INSERT INTO pods ({POD_COLUMNS})"),
                "ON CONFLICT DO NOTHING",
                POD_WIDTH,
                rows,
            )
            .await
            .context("insert pods")?;
            let fingerprints = self.new_pods.iter().map(|&i| self.pods[i].0.4).collect();
            let stored = stored_ids(
                txn,
                key,
                "pods",
                "pod_id",
                &["namespace", "pod"],
                fingerprints,
            )
            .await
            .context("read pod ids")?;
            for &i in &self.new_pods {
                let (pod_key, _) = &self.pods[i];
                let name = vec![pod_key.2.clone(), pod_key.3.clone()];
                let id = stored
                    .get(&(name, pod_key.4))
                    .with_context(|| format!("no stored description of pod {}", pod_key.3))?;
                self.pod_ids[i] = Some(*id);
            }
        }

        self.new_nodes = missing(&self.node_ids);
        if !self.new_nodes.is_empty() {
            let rows = self
                .new_nodes
                .iter()
                .map(|&i| node_row(key, &self.nodes[i].1, self.nodes[i].0.3))
                .collect::<anyhow::Result<Vec<_>>>()?;
            insert_rows(
                txn,
                &format!("INSERT INTO nodes ({NODE_COLUMNS})"),
                "ON CONFLICT DO NOTHING",
                NODE_WIDTH,
                rows,
            )
            .await
            .context("insert nodes")?;
            let fingerprints = self.new_nodes.iter().map(|&i| self.nodes[i].0.3).collect();
            let stored = stored_ids(txn, key, "nodes", "node_id", &["node"], fingerprints)
                .await
                .context("read node ids")?;
            for &i in &self.new_nodes {
                let (node_key, _) = &self.nodes[i];
                let id = stored
                    .get(&(vec![node_key.2.clone()], node_key.3))
                    .with_context(|| format!("no stored description of node {}", node_key.2))?;
                self.node_ids[i] = Some(*id);
            }
        }

        if late {
            for (table, column, ids) in [
                ("pods", "pod_id", self.pod_ids()?),
                ("nodes", "node_id", self.node_ids()?),
            ] {
                move_first_seen_back(txn, key.ts, table, column, ids)
                    .await
                    .with_context(|| format!("first_seen of {table}"))?;
            }
        }
        Ok(())
    }

    /// The pods' ids, in snapshot order (after [`Self::resolve`]).
    pub fn pod_ids(&self) -> anyhow::Result<Vec<i64>> {
        self.pod_ids
            .iter()
            .map(|id| id.context("pod description not resolved"))
            .collect()
    }

    /// The nodes' ids, in snapshot order (after [`Self::resolve`]).
    pub fn node_ids(&self) -> anyhow::Result<Vec<i64>> {
        self.node_ids
            .iter()
            .map(|id| id.context("node description not resolved"))
            .collect()
    }

    /// Teaches `cache` the ids resolved in the database; call once the transaction has
    /// committed.
    pub fn remember(&self, cache: &DimensionCache) {
        if !self.new_pods.is_empty() {
            let mut cached = cache.pods.lock().unwrap_or_else(PoisonError::into_inner);
            if cached.len() + self.new_pods.len() > MAX_CACHED {
                cached.clear();
            }
            for &i in &self.new_pods {
                if let Some(id) = self.pod_ids[i] {
                    cached.insert(self.pods[i].0.clone(), id);
                }
            }
        }
        if !self.new_nodes.is_empty() {
            let mut cached = cache.nodes.lock().unwrap_or_else(PoisonError::into_inner);
            if cached.len() + self.new_nodes.len() > MAX_CACHED {
                cached.clear();
            }
            for &i in &self.new_nodes {
                if let Some(id) = self.node_ids[i] {
                    cached.insert(self.nodes[i].0.clone(), id);
                }
            }
        }
    }
}

/// Columns of `pods` written by ingest, in insert order.
const POD_COLUMNS: &str = "tenant_id, cluster, namespace, pod, node, owner_kind, owner_name, \
    owner_inferred, labels, phase, qos_class, containers, fingerprint, first_seen";
const POD_WIDTH: usize = 14;

/// Columns of `nodes` written by ingest, in insert order.
const NODE_COLUMNS: &str =
    "tenant_id, cluster, node, instance_type, labels, fingerprint, first_seen";
const NODE_WIDTH: usize = 7;

fn missing(ids: &[Option<i64>]) -> Vec<usize> {
    ids.iter()
        .enumerate()
        .filter_map(|(i, id)| id.is_none().then_some(i))
        .collect()
}

fn pod_row(
    key: &SnapshotKey,
    pod: &PodDescription,
    fingerprint: i64,
) -> anyhow::Result<Vec<Value>> {
    Ok(vec![
        key.tenant.clone().into(),
        key.cluster.clone().into(),
        pod.namespace.clone().into(),
        pod.name.clone().into(),
        pod.node.clone().into(),
        pod.owner.as_ref().map(|o| o.kind.clone()).into(),
        pod.owner.as_ref().map(|o| o.name.clone()).into(),
        i64::from(pod.owner_inferred).into(),
        serde_json::to_string(&pod.labels)?.into(),
        pod.phase.clone().into(),
        pod.qos_class.clone().into(),
        serde_json::to_string(&pod.containers)?.into(),
        fingerprint.into(),
        key.ts.into(),
    ])
}

fn node_row(
    key: &SnapshotKey,
    node: &NodeDescription,
    fingerprint: i64,
) -> anyhow::Result<Vec<Value>> {
    Ok(vec![
        key.tenant.clone().into(),
        key.cluster.clone().into(),
        node.name.clone().into(),
        node.instance_type.clone().into(),
        serde_json::to_string(&node.labels)?.into(),
        fingerprint.into(),
        key.ts.into(),
    ])
}

/// `(names, fingerprint) → id` of the cluster's stored descriptions in `table` with these
/// fingerprints; `names` are the identity columns besides tenant and cluster.
async fn stored_ids<C: ConnectionTrait>(
    txn: &C,
    key: &SnapshotKey,
    table: &str,
    id: &str,
    names: &[&str],
    fingerprints: Vec<i64>,
) -> anyhow::Result<HashMap<(Vec<String>, i64), i64>> {
    let mut stored = HashMap::with_capacity(fingerprints.len());
    // One JSON array parameter instead of one `?` per fingerprint: the statement text (and
    // its cached compiled form) is the same whatever the count.
    let values: Vec<Value> = vec![
        key.tenant.clone().into(),
        key.cluster.clone().into(),
        serde_json::to_string(&fingerprints)?.into(),
    ];
    let rows = txn
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            format!(
                "SELECT {id}, fingerprint, {} FROM {table} \
                 WHERE tenant_id = ? AND cluster = ? \
                   AND fingerprint IN (SELECT value FROM json_each(?))",
                names.join(", ")
            ),
            values,
        ))
        .await?;
    for row in rows {
        let stored_id: i64 = row.try_get_by_index(0)?;
        let fingerprint: i64 = row.try_get_by_index(1)?;
        let name = (0..names.len())
            .map(|i| row.try_get_by_index::<String>(i + 2))
            .collect::<Result<Vec<_>, _>>()?;
        stored.insert((name, fingerprint), stored_id);
    }
    Ok(stored)
}

/// `first_seen = ts` for the rows among `ids` first seen after `ts`.
async fn move_first_seen_back<C: ConnectionTrait>(
    txn: &C,
    ts: i64,
    table: &str,
    column: &str,
    ids: Vec<i64>,
) -> anyhow::Result<()> {
    // One JSON array parameter, as in `stored_ids`.
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        format!(
            "UPDATE {table} SET first_seen = ? WHERE first_seen > ? \
             AND {column} IN (SELECT value FROM json_each(?))"
        ),
        [ts.into(), ts.into(), serde_json::to_string(&ids)?.into()],
    ))
    .await?;
    Ok(())
}
