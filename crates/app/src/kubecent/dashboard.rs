//! The Kubecent dashboard's own pages (its `/api/*` calls) for one tenant, from what kcost
//! stores: the Overview's allocations, assets, idle and efficiency over a window, and the
//! Monitor page's pods and nodes over the last hour. Each whole answer is cached per tenant
//! like the other Kubecent answers (invalidated by every ingest).
//!
//! Where the store has no figure, none is invented (also in docs/api.md):
//! - **Node usage** is its pods' usage (as the agent measured it) against the node's
//!   capacity, both as resource-time over the hour, so a node sampled for part of the hour
//!   is judged on that part. Node conditions (`Ready`) are not sent by agents.
//! - **Pod status** is the pod's phase as the agent sent it; without one, a pod placed on a
//!   node is `Running` (the agent measured it there) and one without a node `Pending`. A pod
//!   seen with several phases in the window reports the latest in the pod lifecycle
//!   (phases only move forward: `Pending`, `Running`, then `Succeeded` or `Failed`).
//! - **Logs**: kcost collects no container logs; [`KubecentQueries::recent_logs`] is empty.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kcost_domain::allocation::sums::{ResourceSeconds, WindowSums};
use kcost_domain::api_key::{AuthenticatedKey, Scope};
use kcost_domain::assets::NodeWindowSums;
use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::{
    CostBreakdown, CostFilter, CostGrouping, CostKey, CostQuery, CostRow, ResourceHours,
};
use kcost_domain::description::PodDescription;
use kcost_domain::money::Money;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{KubecentQueries, cache_key};
use crate::costs::QueryError;

/// The Monitor page's window: the last hour, in whole minutes (OpenCost's `60m` ends at
/// the start of the next minute), so one cached answer serves a minute of polling.
pub const MONITORING_WINDOW: &str = "60m";

/// One namespace's cost and resource-time over the window (idle is never a namespace's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamespaceSpend {
    pub name: String,
    pub cost: CostBreakdown,
    pub usage: ResourceHours,
    pub pod_count: u64,
}

impl NamespaceSpend {
    /// How much of what the namespace requested it used, 0–100 (see [`UsageEfficiency`]).
    pub fn efficiency(&self) -> UsageEfficiency {
        UsageEfficiency::of(&self.cost, &self.usage)
    }
}

/// One cluster's cost over the window, idle included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterSpend {
    pub cluster: ClusterName,
    pub cost: CostBreakdown,
}

impl ClusterSpend {
    /// Idle as a percentage of everything the cluster cost; 0 without cost.
    pub fn idle_percent(&self) -> Decimal {
        percent(self.cost.idle.amount(), self.cost.total().amount())
    }
}

/// The Overview page's data: the rows of `/v1/costs/namespaces` and `/v1/costs/clusters`
/// over one window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub window: TimeWindow,
    /// Most expensive first.
    pub namespaces: Vec<NamespaceSpend>,
    pub clusters: Vec<ClusterSpend>,
}

impl Overview {
    pub fn from_rows(window: TimeWindow, namespaces: Vec<CostRow>, clusters: Vec<CostRow>) -> Self {
        Self {
            window,
            namespaces: namespaces
                .into_iter()
                .filter_map(|row| match row.key {
                    CostKey::Namespace(name) => Some(NamespaceSpend {
                        name,
                        cost: row.cost,
                        usage: row.usage,
                        pod_count: row.pod_count,
                    }),
                    _ => None,
                })
                .collect(),
            clusters: clusters
                .into_iter()
                .filter_map(|row| match row.key {
                    CostKey::Cluster(cluster) => Some(ClusterSpend {
                        cluster,
                        cost: row.cost,
                    }),
                    _ => None,
                })
                .collect(),
        }
    }

    /// Σ namespaces: what was allocated to pods, direct costs included, idle not.
    pub fn allocated_total(&self) -> Money {
        self.namespaces.iter().map(|n| n.cost.total()).sum()
    }

    /// Σ clusters: everything, idle included.
    pub fn clusters_total(&self) -> Money {
        self.clusters.iter().map(|c| c.cost.total()).sum()
    }

    pub fn idle_total(&self) -> Money {
        self.clusters.iter().map(|c| c.cost.idle).sum()
    }

    /// Idle as a percentage of everything the clusters cost; 0 without cost.
    pub fn idle_percent(&self) -> Decimal {
        percent(self.idle_total().amount(), self.clusters_total().amount())
    }

    /// The clusters as assets: per cluster its nodes (compute and idle), then its disks,
    /// network and load balancers when they cost anything. They add up to
    /// [`Overview::clusters_total`] exactly.
    pub fn assets(&self) -> Vec<Asset> {
        let mut assets = Vec::new();
        for ClusterSpend { cluster, cost } in &self.clusters {
            let mut add = |kind, cost: CostBreakdown| {
                if kind == AssetKind::Node || cost.total() != Money::ZERO {
                    assets.push(Asset {
                        cluster: cluster.clone(),
                        kind,
                        cost,
                    });
                }
            };
            let none = CostBreakdown::default();
            add(
                AssetKind::Node,
                CostBreakdown {
                    cpu: cost.cpu,
                    memory: cost.memory,
                    idle: cost.idle,
                    ..none
                },
            );
            add(
                AssetKind::Disk,
                CostBreakdown {
                    storage: cost.storage,
                    ..none
                },
            );
            add(
                AssetKind::Network,
                CostBreakdown {
                    network: cost.network,
                    ..none
                },
            );
            add(
                AssetKind::LoadBalancer,
                CostBreakdown {
                    load_balancer: cost.load_balancer,
                    ..none
                },
            );
        }
        assets
    }

    /// Usage against requests over every namespace, and how much of the nodes' compute
    /// cost was allocated rather than idle.
    pub fn efficiency(&self) -> Efficiency {
        let mut cost = CostBreakdown::default();
        let mut usage = ResourceHours::default();
        for namespace in &self.namespaces {
            cost.cpu += namespace.cost.cpu;
            cost.memory += namespace.cost.memory;
            usage.cpu_usage_core_hours += namespace.usage.cpu_usage_core_hours;
            usage.cpu_request_core_hours += namespace.usage.cpu_request_core_hours;
            usage.memory_usage_gib_hours += namespace.usage.memory_usage_gib_hours;
            usage.memory_request_gib_hours += namespace.usage.memory_request_gib_hours;
        }
        let usage_efficiency = UsageEfficiency::of(&cost, &usage);
        let allocated: Money = self.clusters.iter().map(|c| c.cost.allocated()).sum();
        let node_cost = allocated + self.idle_total();
        Efficiency {
            grade: (cost.allocated() != Money::ZERO).then(|| Grade::of(usage_efficiency.overall)),
            usage: usage_efficiency,
            cost_percent: percent(allocated.amount(), node_cost.amount()),
        }
    }
}

/// What an asset is (the Overview groups its bar chart by it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetKind {
    Node,
    Disk,
    Network,
    LoadBalancer,
}

impl AssetKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Node => "node",
            Self::Disk => "disk",
            Self::Network => "network",
            Self::LoadBalancer => "loadbalancer",
        }
    }
}

/// One cluster's spend on one kind of asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    pub cluster: ClusterName,
    pub kind: AssetKind,
    pub cost: CostBreakdown,
}

/// Usage over request as percentages, 0–100: as OpenCost, a resource used without a
/// request counts as fully efficient when it was charged for; usage beyond the request
/// counts as 100 (the dashboard draws 0–100). `overall` weighs CPU and memory by cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsageEfficiency {
    pub cpu: Decimal,
    pub memory: Decimal,
    pub overall: Decimal,
}

impl UsageEfficiency {
    pub fn of(cost: &CostBreakdown, usage: &ResourceHours) -> Self {
        let cpu = used_percent(
            usage.cpu_usage_core_hours,
            usage.cpu_request_core_hours,
            cost.cpu,
        );
        let memory = used_percent(
            usage.memory_usage_gib_hours,
            usage.memory_request_gib_hours,
            cost.memory,
        );
        let (cpu_cost, memory_cost) = (cost.cpu.amount(), cost.memory.amount());
        let weighted = cpu
            .checked_mul(cpu_cost)
            .zip(memory.checked_mul(memory_cost))
            .and_then(|(cpu, memory)| cpu.checked_add(memory));
        let overall = weighted
            .zip(cpu_cost.checked_add(memory_cost))
            .and_then(|(weighted, cost)| weighted.checked_div(cost))
            .unwrap_or_default()
            .round_dp(2);
        Self {
            cpu,
            memory,
            overall,
        }
    }
}

/// The Overview's efficiency card and chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Efficiency {
    pub usage: UsageEfficiency,
    /// Allocated ÷ (allocated + idle) of the nodes' compute cost, 0–100.
    pub cost_percent: Decimal,
    /// `None` without any compute cost in the window.
    pub grade: Option<Grade>,
}

/// Kubecent's letter for an efficiency score: A from 90, B from 80, C from 70, D from 60.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grade {
    A,
    B,
    C,
    D,
    F,
}

impl Grade {
    pub fn of(score: Decimal) -> Self {
        match score {
            s if s >= Decimal::from(90) => Self::A,
            s if s >= Decimal::from(80) => Self::B,
            s if s >= Decimal::from(70) => Self::C,
            s if s >= Decimal::from(60) => Self::D,
            _ => Self::F,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::B => "B",
            Self::C => "C",
            Self::D => "D",
            Self::F => "F",
        }
    }
}

/// A pod seen in the monitoring window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitoredPod {
    pub cluster: ClusterName,
    pub namespace: String,
    pub name: String,
    pub node: Option<String>,
    /// `Running`, `Pending`, `Succeeded`, `Failed`, … (see the module docs).
    pub status: String,
    /// Averages over the time the pod was sampled.
    pub avg_cpu_usage_millicores: Decimal,
    pub avg_memory_usage_bytes: Decimal,
}

/// A node sampled in the monitoring window: its pods' usage against its capacity, as
/// resource-time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitoredNode {
    pub cluster: ClusterName,
    pub name: String,
    pub instance_type: Option<String>,
    /// The time the node was sampled in the window: what its figures average over.
    pub seconds: Decimal,
    /// Σ usage · seconds of the pods on it, millicore-seconds.
    pub cpu_used_mcs: Decimal,
    pub cpu_capacity_mcs: Decimal,
    /// Byte-seconds.
    pub memory_used_bs: Decimal,
    pub memory_capacity_bs: Decimal,
}

impl MonitoredNode {
    /// CPU used ÷ capacity, 0–100 (0 without capacity).
    pub fn cpu_percent(&self) -> Decimal {
        percent(self.cpu_used_mcs, self.cpu_capacity_mcs).min(Decimal::ONE_HUNDRED)
    }

    pub fn memory_percent(&self) -> Decimal {
        percent(self.memory_used_bs, self.memory_capacity_bs).min(Decimal::ONE_HUNDRED)
    }

    /// Average cores in use while the node was sampled.
    pub fn cpu_used_cores(&self) -> Decimal {
        self.average(self.cpu_used_mcs) / Decimal::ONE_THOUSAND
    }

    pub fn cpu_capacity_cores(&self) -> Decimal {
        self.average(self.cpu_capacity_mcs) / Decimal::ONE_THOUSAND
    }

    pub fn memory_used_bytes(&self) -> Decimal {
        self.average(self.memory_used_bs)
    }

    pub fn memory_capacity_bytes(&self) -> Decimal {
        self.average(self.memory_capacity_bs)
    }

    fn average(&self, amount: Decimal) -> Decimal {
        amount.checked_div(self.seconds).unwrap_or_default()
    }
}

/// The Monitor page's data over [`MONITORING_WINDOW`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Monitoring {
    pub window: TimeWindow,
    /// By cluster, namespace and name.
    pub pods: Vec<MonitoredPod>,
    /// By cluster and name.
    pub nodes: Vec<MonitoredNode>,
}

/// The Monitor page's cards: pods, and the nodes' usage against their capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClusterStats {
    pub active_pods: usize,
    pub total_pods: usize,
    pub nodes: usize,
    pub cpu_used_cores: Decimal,
    pub cpu_capacity_cores: Decimal,
    pub memory_used_bytes: Decimal,
    pub memory_capacity_bytes: Decimal,
}

impl Monitoring {
    /// From the window's pod sums and node sums (`MetricsStore::node_assets`).
    pub fn from_sums(window: TimeWindow, sums: &WindowSums, nodes: &[NodeWindowSums]) -> Self {
        let mut pods: BTreeMap<(ClusterName, String, String), (&PodDescription, ResourceSeconds)> =
            BTreeMap::new();
        let mut used: BTreeMap<(&ClusterName, &str), ResourceSeconds> = BTreeMap::new();
        for sum in &sums.pods {
            let pod = &sum.pod;
            let key = (pod.cluster.clone(), pod.namespace.clone(), pod.name.clone());
            let entry = pods.entry(key).or_insert((pod, ResourceSeconds::default()));
            entry.1 += sum.resources;
            if lifecycle_rank(&status_of(pod)) > lifecycle_rank(&status_of(entry.0)) {
                entry.0 = pod;
            }
            if let Some(node) = &pod.node {
                *used.entry((&pod.cluster, node)).or_default() += sum.resources;
            }
        }
        let nodes = nodes
            .iter()
            .map(|node| {
                let used = used
                    .get(&(&node.cluster, node.node.as_str()))
                    .copied()
                    .unwrap_or_default();
                MonitoredNode {
                    cluster: node.cluster.clone(),
                    name: node.node.clone(),
                    instance_type: node.instance_type.clone(),
                    seconds: node.seconds,
                    cpu_used_mcs: used.cpu_usage_mcs,
                    cpu_capacity_mcs: node.cpu_capacity_mcs,
                    memory_used_bs: used.mem_usage_bs,
                    memory_capacity_bs: node.ram_capacity_bs,
                }
            })
            .collect();
        let pods = pods
            .into_iter()
            .map(|((cluster, namespace, name), (pod, resources))| {
                let average = |amount: Decimal| {
                    amount
                        .checked_div(resources.seconds)
                        .unwrap_or_default()
                        .round_dp(0)
                };
                MonitoredPod {
                    cluster,
                    namespace,
                    name,
                    node: pod.node.clone(),
                    status: status_of(pod),
                    avg_cpu_usage_millicores: average(resources.cpu_usage_mcs),
                    avg_memory_usage_bytes: average(resources.mem_usage_bs),
                }
            })
            .collect();
        Self {
            window,
            pods,
            nodes,
        }
    }

    /// The pods of `namespace`, or every pod.
    pub fn pods_in<'a>(
        &'a self,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = &'a MonitoredPod> {
        self.pods
            .iter()
            .filter(move |pod| namespace.is_none_or(|namespace| pod.namespace == namespace))
    }

    pub fn cluster_stats(&self) -> ClusterStats {
        let sum = |figure: fn(&MonitoredNode) -> Decimal| -> Decimal {
            self.nodes.iter().map(figure).sum()
        };
        ClusterStats {
            active_pods: self.pods.iter().filter(|p| p.status == RUNNING).count(),
            total_pods: self.pods.len(),
            nodes: self.nodes.len(),
            cpu_used_cores: sum(MonitoredNode::cpu_used_cores),
            cpu_capacity_cores: sum(MonitoredNode::cpu_capacity_cores),
            memory_used_bytes: sum(MonitoredNode::memory_used_bytes),
            memory_capacity_bytes: sum(MonitoredNode::memory_capacity_bytes),
        }
    }
}

/// One line of a pod's log (the Logs page's row). kcost collects none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub at: DateTime<Utc>,
    pub namespace: String,
    pub pod: String,
    pub level: String,
    pub message: String,
}

impl KubecentQueries {
    /// The Overview's data over `window` (needs `costs:read`).
    #[tracing::instrument(name = "kubecent_overview", skip_all, fields(tenant = %key.tenant_id))]
    pub async fn overview(
        &self,
        key: &AuthenticatedKey,
        window: TimeWindow,
    ) -> Result<Overview, QueryError> {
        key.require(Scope::CostsRead)?;
        let tenant = key.tenant_id;
        let query = cache_key("dashboard_overview", &window, &());
        self.cache
            .get_or_compute(tenant, &query, || self.compute_overview(tenant, window))
            .await
    }

    /// The Monitor page's data over the last hour (needs `costs:read`).
    #[tracing::instrument(name = "kubecent_monitoring", skip_all, fields(tenant = %key.tenant_id))]
    pub async fn monitoring(&self, key: &AuthenticatedKey) -> Result<Monitoring, QueryError> {
        key.require(Scope::CostsRead)?;
        let window = TimeWindow::parse(MONITORING_WINDOW, self.clock.now())
            .map_err(|e| QueryError::unexpected(e.into()))?;
        let tenant = key.tenant_id;
        let query = cache_key("dashboard_monitoring", &window, &());
        self.cache
            .get_or_compute(tenant, &query, || async {
                let sums = self.metrics.window_sums(tenant, &window).await?;
                let nodes = self.metrics.node_assets(tenant, &window).await?;
                Ok(Monitoring::from_sums(window, &sums, &nodes))
            })
            .await
    }

    /// Recent log lines of the tenant's pods (needs `costs:read`): always none, since
    /// agents send figures, not logs.
    pub fn recent_logs(&self, key: &AuthenticatedKey) -> Result<Vec<LogLine>, QueryError> {
        key.require(Scope::CostsRead)?;
        Ok(Vec::new())
    }

    async fn compute_overview(
        &self,
        tenant: TenantId,
        window: TimeWindow,
    ) -> Result<Overview, QueryError> {
        let rows = |grouping| CostQuery {
            window,
            grouping,
            filter: CostFilter::default(),
        };
        let namespaces = self
            .metrics
            .costs(tenant, &rows(CostGrouping::Namespace))
            .await?;
        let clusters = self
            .metrics
            .costs(tenant, &rows(CostGrouping::Cluster))
            .await?;
        Ok(Overview::from_rows(window, namespaces, clusters))
    }
}

const RUNNING: &str = "Running";

/// The pod's phase, or what its placement says (see the module docs).
fn status_of(pod: &PodDescription) -> String {
    match (pod.phase.as_deref().map(str::trim), &pod.node) {
        (Some(phase), _) if !phase.is_empty() => phase.to_owned(),
        (_, Some(_)) => RUNNING.to_owned(),
        (_, None) => "Pending".to_owned(),
    }
}

/// How far along the pod lifecycle a status is (unknown phases sit before `Running`).
fn lifecycle_rank(status: &str) -> u8 {
    match status {
        "Pending" => 0,
        RUNNING => 2,
        "Succeeded" | "Failed" => 3,
        _ => 1,
    }
}

/// `used ÷ requested` in percent, capped at 100; without a request, 100 when something
/// was used and charged for, else 0.
fn used_percent(used: Decimal, requested: Decimal, charged: Money) -> Decimal {
    if requested > Decimal::ZERO {
        percent(used, requested).min(Decimal::ONE_HUNDRED)
    } else if used > Decimal::ZERO && charged > Money::ZERO {
        Decimal::ONE_HUNDRED
    } else {
        Decimal::ZERO
    }
}

/// `part ÷ whole × 100`, 2 places; 0 when `whole` is not positive.
fn percent(part: Decimal, whole: Decimal) -> Decimal {
    if whole <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    part.checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|scaled| scaled.checked_div(whole))
        .unwrap_or_default()
        .round_dp(2)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::TimeZone;
    use kcost_domain::allocation::sums::PodWindowSums;

    use super::*;

    fn dollars(amount: i64) -> Money {
        Money::from_decimal(Decimal::from(amount))
    }

    fn window() -> TimeWindow {
        let start = Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap();
        TimeWindow::new(start, start + chrono::Duration::hours(1)).unwrap()
    }

    fn cluster() -> ClusterName {
        ClusterName::new("prod").unwrap()
    }

    fn pod(name: &str, node: Option<&str>, phase: Option<&str>) -> PodDescription {
        PodDescription {
            cluster: cluster(),
            namespace: "web".into(),
            name: name.into(),
            node: node.map(Into::into),
            owner: None,
            owner_inferred: false,
            labels: BTreeMap::new(),
            phase: phase.map(Into::into),
            qos_class: None,
            containers: Vec::new(),
        }
    }

    /// A pod that used `usage` of `alloc` millicores for an hour, at $1 per core-hour.
    fn sums(pod: PodDescription, usage: i64, alloc: i64) -> PodWindowSums {
        PodWindowSums {
            pod,
            cost: CostBreakdown {
                cpu: Money::from_decimal(Decimal::new(alloc, 3)),
                ..CostBreakdown::default()
            },
            resources: ResourceSeconds {
                cpu_usage_mcs: Decimal::from(usage * 3600),
                cpu_alloc_mcs: Decimal::from(alloc * 3600),
                seconds: Decimal::from(3600),
                ..ResourceSeconds::default()
            },
        }
    }

    /// A node of `cores` sampled for the whole hour.
    fn node(name: &str, cores: i64) -> NodeWindowSums {
        NodeWindowSums {
            cluster: cluster(),
            node: name.into(),
            instance_type: Some("m5.large".into()),
            cpu_cost: dollars(cores),
            ram_cost: Money::ZERO,
            idle_cpu: Money::ZERO,
            idle_ram: Money::ZERO,
            cpu_capacity_mcs: Decimal::from(cores * 1000 * 3600),
            ram_capacity_bs: Decimal::ZERO,
            seconds: Decimal::from(3600),
            start: window().start(),
            end: window().end(),
        }
    }

    #[test]
    fn nodes_carry_their_pods_usage_against_their_capacity() {
        let sums = WindowSums {
            pods: vec![
                sums(pod("a", Some("n1"), None), 250, 500),
                sums(pod("b", Some("n1"), Some("Running")), 250, 500),
                sums(pod("c", None, None), 0, 100),
            ],
            nodes: Vec::new(),
            containers: Vec::new(),
        };
        let nodes = [node("n1", 2), node("empty", 4)];
        let monitoring = Monitoring::from_sums(window(), &sums, &nodes);
        let n1 = &monitoring.nodes[0];
        assert_eq!(n1.name, "n1");
        assert_eq!(n1.cpu_capacity_cores(), Decimal::from(2));
        assert_eq!(n1.cpu_used_cores(), Decimal::new(5, 1));
        assert_eq!(n1.cpu_percent(), Decimal::from(25));
        assert_eq!(n1.memory_percent(), Decimal::ZERO, "no memory capacity");
        assert_eq!(monitoring.nodes[1].cpu_percent(), Decimal::ZERO);

        let stats = monitoring.cluster_stats();
        assert_eq!(
            (stats.active_pods, stats.total_pods, stats.nodes),
            (2, 3, 2)
        );
        assert_eq!(stats.cpu_capacity_cores, Decimal::from(6));
        assert_eq!(stats.cpu_used_cores, Decimal::new(5, 1));
        let pending = monitoring.pods.iter().find(|p| p.name == "c").unwrap();
        assert_eq!(pending.status, "Pending");
        assert_eq!(monitoring.pods_in(Some("web")).count(), 3);
        assert_eq!(monitoring.pods_in(Some("other")).count(), 0);
    }

    #[test]
    fn a_pod_reports_its_latest_phase() {
        let sums = WindowSums {
            pods: vec![
                sums(pod("job", Some("n1"), Some("Succeeded")), 10, 100),
                sums(pod("job", Some("n1"), Some("Running")), 30, 100),
                sums(pod("job", None, Some("Pending")), 0, 100),
            ],
            nodes: Vec::new(),
            containers: Vec::new(),
        };
        let monitoring = Monitoring::from_sums(window(), &sums, &[]);
        assert_eq!(monitoring.pods.len(), 1);
        assert_eq!(monitoring.pods[0].status, "Succeeded");
        // Three hours of samples in total: usage averages over them.
        assert_eq!(
            monitoring.pods[0].avg_cpu_usage_millicores,
            Decimal::from(13)
        );
    }

    fn row(key: CostKey, cost: CostBreakdown, usage: ResourceHours) -> CostRow {
        CostRow {
            key,
            cost,
            usage,
            pod_count: 1,
            namespace_count: 1,
        }
    }

    #[test]
    fn overview_totals_assets_and_efficiency_agree() {
        let hours = |cpu_used: i64, cpu_requested: i64| ResourceHours {
            cpu_usage_core_hours: Decimal::from(cpu_used),
            cpu_request_core_hours: Decimal::from(cpu_requested),
            ..ResourceHours::default()
        };
        let compute = |cpu, memory| CostBreakdown {
            cpu: dollars(cpu),
            memory: dollars(memory),
            ..CostBreakdown::default()
        };
        let namespaces = vec![
            row(CostKey::Namespace("web".into()), compute(6, 0), hours(1, 2)),
            row(
                CostKey::Namespace("batch".into()),
                compute(2, 0),
                hours(5, 1),
            ),
        ];
        let clusters = vec![row(
            CostKey::Cluster(cluster()),
            CostBreakdown {
                idle: dollars(2),
                storage: dollars(1),
                ..compute(8, 0)
            },
            ResourceHours::default(),
        )];
        let overview = Overview::from_rows(window(), namespaces, clusters);
        assert_eq!(overview.allocated_total(), dollars(8));
        assert_eq!(overview.clusters_total(), dollars(11));
        assert_eq!(overview.idle_percent(), Decimal::new(1818, 2));
        let assets = overview.assets();
        let kinds: Vec<_> = assets.iter().map(|a| a.kind.as_str()).collect();
        assert_eq!(kinds, ["node", "disk"]);
        let assets_total: Money = assets.iter().map(|a| a.cost.total()).sum();
        assert_eq!(assets_total, overview.clusters_total());

        assert_eq!(overview.namespaces[0].efficiency().cpu, Decimal::from(50));
        assert_eq!(
            overview.namespaces[1].efficiency().cpu,
            Decimal::ONE_HUNDRED
        );
        let efficiency = overview.efficiency();
        assert_eq!(efficiency.usage.cpu, Decimal::ONE_HUNDRED);
        assert_eq!(efficiency.cost_percent, Decimal::from(80));
        assert_eq!(efficiency.grade, Some(Grade::A));
        let empty = Overview::from_rows(window(), Vec::new(), Vec::new());
        assert_eq!(empty.efficiency().grade, None);
        assert_eq!(empty.idle_percent(), Decimal::ZERO);
    }
}
