//! Query parameters and bodies of the Kubecent dashboard's own calls (`/api/*`), with the
//! camelCase keys its pages read. Money the pages format with `.toFixed` is a JSON number
//! ([`Usd`], exact); node usage is a percent string (`"65%"`), also used as a CSS width.

use chrono::{DateTime, Utc};
use kcost_app::kubecent::SavingsReport;
use kcost_app::kubecent::dashboard::{
    Asset, ClusterSpend, LogLine, MonitoredNode, MonitoredPod, Monitoring, NamespaceSpend, Overview,
};
use kcost_app::kubecent::savings::{Priority, SavingsItem};
use kcost_domain::costs::CostBreakdown;
use kcost_domain::money::Money;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::query::WindowExpr;
use super::{Usd, number};

/// The only currency kcost prices in.
pub const CURRENCY: &str = "USD";
/// Most recommendations `/api/savings` lists (its totals and `summary` cover all).
pub const MAX_LISTED_SAVINGS: usize = 100;
/// Months in the year the Savings page shows ("Annual Savings Potential").
const MONTHS_PER_YEAR: i64 = 12;
/// Bytes per GiB and MiB.
const GIB: i64 = 1 << 30;
const MIB: i64 = 1 << 20;

/// `GET /api/{allocations,assets,idle,efficiency}`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardWindowParams {
    /// OpenCost window; default `7d` (the dashboard sends none).
    #[param(value_type = Option<WindowExpr>)]
    pub window: Option<String>,
}

/// `GET /api/monitoring/pods`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonitoringPodParams {
    /// Only this namespace (a DNS label, else 422); absent = every namespace.
    #[param(pattern = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    pub namespace: Option<String>,
}

/// `GET /api/monitoring/logs`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogParams {
    /// Only this namespace (a DNS label, else 422).
    #[param(pattern = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    pub namespace: Option<String>,
    /// Most lines, 1–1000 (default 100; outside → 422).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// How far back, 1–604800 seconds (default 3600; outside → 422).
    #[param(minimum = 1, maximum = 604800)]
    pub since_seconds: Option<i64>,
}

/// A cost split as the dashboard reads it (`costs.total` required).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DashboardCostsDto {
    pub cpu: Usd,
    pub memory: Usd,
    pub storage: Usd,
    pub network: Usd,
    pub load_balancer: Usd,
    /// Unallocated node cost: on `node` assets only.
    pub idle: Usd,
    /// The sum of the parts, exactly.
    pub total: Usd,
}

impl From<&CostBreakdown> for DashboardCostsDto {
    fn from(cost: &CostBreakdown) -> Self {
        Self {
            cpu: Usd::from(cost.cpu),
            memory: Usd::from(cost.memory),
            storage: Usd::from(cost.storage),
            network: Usd::from(cost.network),
            load_balancer: Usd::from(cost.load_balancer),
            idle: Usd::from(cost.idle),
            total: Usd::from(cost.total()),
        }
    }
}

/// One namespace in `/api/allocations`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceAllocationDto {
    pub name: String,
    pub namespace: String,
    /// Always `namespace`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub costs: DashboardCostsDto,
    /// CPU and memory used ÷ requested, weighted by cost, 0–100 (usage beyond the request
    /// counts as 100).
    pub efficiency: f64,
    pub pod_count: u64,
}

impl From<&NamespaceSpend> for NamespaceAllocationDto {
    fn from(namespace: &NamespaceSpend) -> Self {
        Self {
            name: namespace.name.clone(),
            namespace: namespace.name.clone(),
            kind: "namespace",
            costs: DashboardCostsDto::from(&namespace.cost),
            efficiency: number(namespace.efficiency().overall, 2),
            pod_count: namespace.pod_count,
        }
    }
}

/// What one of the Overview's endpoints (`/api/allocations`, `/api/assets`, `/api/idle`,
/// `/api/efficiency`) answers: a view of the same [`Overview`] over the window as asked.
pub trait OverviewAnswer {
    fn new(overview: &Overview, window: String) -> Self;
}

/// `GET /api/allocations`: the namespaces of `/v1/costs/namespaces`, most expensive first.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AllocationsResponse {
    /// Σ `costs.total` (idle is under `/api/idle`).
    pub total_cost: Usd,
    #[schema(example = "USD")]
    pub currency: &'static str,
    pub window: String,
    pub allocations: Vec<NamespaceAllocationDto>,
}

impl OverviewAnswer for AllocationsResponse {
    fn new(overview: &Overview, window: String) -> Self {
        Self {
            total_cost: Usd::from(overview.allocated_total()),
            currency: CURRENCY,
            window,
            allocations: overview.namespaces.iter().map(Into::into).collect(),
        }
    }
}

/// One cluster's spend on one kind of asset.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssetDto {
    /// `<cluster>/<type>`.
    pub name: String,
    /// `node` (CPU, memory and idle of the nodes), `disk`, `network` or `loadbalancer`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub cluster: String,
    pub costs: DashboardCostsDto,
}

impl From<&Asset> for AssetDto {
    fn from(asset: &Asset) -> Self {
        Self {
            name: format!("{}/{}", asset.cluster.as_str(), asset.kind.as_str()),
            kind: asset.kind.as_str(),
            cluster: asset.cluster.as_str().to_owned(),
            costs: DashboardCostsDto::from(&asset.cost),
        }
    }
}

/// `GET /api/assets`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssetsResponse {
    /// Σ `costs.total`: what the clusters cost, idle included (`/v1/costs/clusters`).
    pub total_cost: Usd,
    pub currency: &'static str,
    pub window: String,
    pub assets: Vec<AssetDto>,
}

impl OverviewAnswer for AssetsResponse {
    fn new(overview: &Overview, window: String) -> Self {
        Self {
            total_cost: Usd::from(overview.clusters_total()),
            currency: CURRENCY,
            window,
            assets: overview.assets().iter().map(Into::into).collect(),
        }
    }
}

/// One cluster's idle.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterIdleDto {
    pub cluster: String,
    pub idle_cost: Usd,
    pub total_cost: Usd,
    pub idle_percentage: f64,
}

impl From<&ClusterSpend> for ClusterIdleDto {
    fn from(cluster: &ClusterSpend) -> Self {
        Self {
            cluster: cluster.cluster.as_str().to_owned(),
            idle_cost: Usd::from(cluster.cost.idle),
            total_cost: Usd::from(cluster.cost.total()),
            idle_percentage: number(cluster.idle_percent(), 2),
        }
    }
}

/// `GET /api/idle`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IdleResponse {
    /// Node cost nobody was allocated.
    pub total_idle_cost: Usd,
    /// `totalIdleCost` ÷ everything the clusters cost × 100.
    pub idle_percentage: f64,
    pub currency: &'static str,
    pub window: String,
    /// Per cluster (idle belongs to nodes, not to namespaces).
    pub clusters: Vec<ClusterIdleDto>,
}

impl OverviewAnswer for IdleResponse {
    fn new(overview: &Overview, window: String) -> Self {
        Self {
            total_idle_cost: Usd::from(overview.idle_total()),
            idle_percentage: number(overview.idle_percent(), 2),
            currency: CURRENCY,
            window,
            clusters: overview.clusters.iter().map(Into::into).collect(),
        }
    }
}

/// `GET /api/efficiency`: scores 0–100.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EfficiencyResponse {
    /// CPU and memory efficiency weighted by their cost.
    pub overall_score: f64,
    /// CPU used ÷ requested over every namespace (capped at 100).
    pub cpu_efficiency: f64,
    pub memory_efficiency: f64,
    /// Always 0: kcost measures no storage usage.
    pub storage_efficiency: f64,
    /// Allocated ÷ (allocated + idle) of the nodes' compute cost.
    pub cost_efficiency: f64,
    /// `A` from 90, `B` from 80, `C` from 70, `D` from 60, else `F`; `N/A` without cost.
    #[schema(example = "B")]
    pub grade: &'static str,
    pub window: String,
}

impl OverviewAnswer for EfficiencyResponse {
    fn new(overview: &Overview, window: String) -> Self {
        let efficiency = overview.efficiency();
        Self {
            overall_score: number(efficiency.usage.overall, 2),
            cpu_efficiency: number(efficiency.usage.cpu, 2),
            memory_efficiency: number(efficiency.usage.memory, 2),
            storage_efficiency: 0.0,
            cost_efficiency: number(efficiency.cost_percent, 2),
            grade: efficiency.grade.map_or("N/A", |grade| grade.as_str()),
            window,
        }
    }
}

/// One saving, as the Savings page reads it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DashboardSavingDto {
    /// The kcost recommendation (apply or dismiss it under `/v1/recommendations/{id}`).
    pub id: String,
    /// Always `rightsizing`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `cpu` or `memory`.
    pub resource_type: String,
    /// `high`, `medium` or `low`.
    pub severity: &'static str,
    pub title: String,
    pub description: String,
    /// The Kubernetes object, e.g. `deployment/api`.
    pub resource_name: String,
    pub namespace: String,
    /// Per year (12 × monthly): the page labels it "annual savings".
    pub savings: Usd,
    pub monthly_savings: Usd,
    /// A `kubectl` command applying the change.
    pub action: String,
}

impl From<&SavingsItem> for DashboardSavingDto {
    fn from(item: &SavingsItem) -> Self {
        let resource_type = item
            .kind
            .strip_suffix("_rightsizing")
            .unwrap_or(&item.kind)
            .to_owned();
        Self {
            id: item.id.to_string(),
            kind: "rightsizing",
            title: format!(
                "Right-size the {resource_type} request of {}",
                item.resource
            ),
            resource_type,
            severity: item.priority.as_str(),
            description: item.description.clone(),
            resource_name: item.resource.clone(),
            namespace: item.namespace.clone(),
            savings: annual(item.estimated_savings),
            monthly_savings: Usd::from(item.estimated_savings),
            action: item.action.clone(),
        }
    }
}

/// How many savings there are, by severity.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SavingsSummaryDto {
    pub total_recommendations: usize,
    pub high_priority: usize,
    pub medium_priority: usize,
    pub low_priority: usize,
}

/// `GET /api/savings`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DashboardSavingsResponse {
    /// Per year (12 × monthly) over every open saving: the Savings page shows it as
    /// "Annual Savings Potential" and divides it by 12 for the month.
    pub total_potential_savings: Usd,
    pub monthly_potential_savings: Usd,
    pub currency: &'static str,
    /// Largest first, at most 100.
    pub recommendations: Vec<DashboardSavingDto>,
    pub summary: SavingsSummaryDto,
}

impl From<&SavingsReport> for DashboardSavingsResponse {
    fn from(report: &SavingsReport) -> Self {
        let all = &report.recommendations;
        let count = |priority| all.iter().filter(|r| r.priority == priority).count();
        Self {
            total_potential_savings: annual(report.total_potential_savings),
            monthly_potential_savings: Usd::from(report.total_potential_savings),
            currency: CURRENCY,
            recommendations: all
                .iter()
                .take(MAX_LISTED_SAVINGS)
                .map(Into::into)
                .collect(),
            summary: SavingsSummaryDto {
                total_recommendations: all.len(),
                high_priority: count(Priority::High),
                medium_priority: count(Priority::Medium),
                low_priority: count(Priority::Low),
            },
        }
    }
}

/// `GET /api/v1/grafana/health`: kcost has no Grafana.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrafanaHealthResponse {
    /// Always `false`: the Monitor page then disables its dashboard links.
    pub connected: bool,
    #[schema(example = "not_configured")]
    pub status: &'static str,
    pub message: &'static str,
    /// Always `null`.
    pub url: Option<String>,
}

impl GrafanaHealthResponse {
    pub const fn not_configured() -> Self {
        Self {
            connected: false,
            status: "not_configured",
            message: "kcost has no Grafana integration; its own figures are on this page",
            url: None,
        }
    }
}

/// `GET /api/monitoring/cluster/stats`: the last hour.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterStatsResponse {
    /// Pods whose status is `Running`.
    pub active_pods: usize,
    /// Pods seen in the last hour.
    pub total_pods: usize,
    /// Cores in use on the nodes, averaged over the hour.
    pub cpu_usage: f64,
    /// Cores the nodes offer.
    pub cpu_capacity: f64,
    /// GiB in use on the nodes.
    pub memory_usage: f64,
    pub memory_capacity: f64,
    /// Always `n/a`: kcost measures no network throughput.
    #[serde(rename = "networkIO")]
    #[schema(example = "n/a")]
    pub network_io: &'static str,
    /// Nodes sampled in the last hour.
    pub nodes: usize,
    /// The end of the hour.
    pub timestamp: DateTime<Utc>,
}

impl From<&Monitoring> for ClusterStatsResponse {
    fn from(monitoring: &Monitoring) -> Self {
        let stats = monitoring.cluster_stats();
        let gib = |bytes: Decimal| number(bytes / Decimal::from(GIB), 2);
        Self {
            active_pods: stats.active_pods,
            total_pods: stats.total_pods,
            cpu_usage: number(stats.cpu_used_cores, 2),
            cpu_capacity: number(stats.cpu_capacity_cores, 2),
            memory_usage: gib(stats.memory_used_bytes),
            memory_capacity: gib(stats.memory_capacity_bytes),
            network_io: "n/a",
            nodes: stats.nodes,
            timestamp: monitoring.window.end(),
        }
    }
}

/// One pod of the last hour.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonitoredPodDto {
    pub name: String,
    pub namespace: String,
    pub cluster: String,
    /// `Running`, `Pending`, `Succeeded` or `Failed`: the phase the agent sent, else
    /// `Running` on a node and `Pending` without one.
    #[schema(example = "Running")]
    pub status: String,
    /// Average CPU in use, millicores.
    #[schema(example = "245m")]
    pub cpu: String,
    /// Average memory in use, MiB.
    #[schema(example = "512Mi")]
    pub memory: String,
    /// Always `unknown`: agents send no pod start times.
    #[schema(example = "unknown")]
    pub age: &'static str,
    /// Always 0: restart counts are not read back from the store.
    pub restarts: u32,
    /// `null` while pending.
    pub node: Option<String>,
}

impl From<&MonitoredPod> for MonitoredPodDto {
    fn from(pod: &MonitoredPod) -> Self {
        let mebibytes = (pod.avg_memory_usage_bytes / Decimal::from(MIB)).round();
        Self {
            name: pod.name.clone(),
            namespace: pod.namespace.clone(),
            cluster: pod.cluster.as_str().to_owned(),
            status: pod.status.clone(),
            cpu: format!("{}m", pod.avg_cpu_usage_millicores.round()),
            memory: format!("{mebibytes}Mi"),
            age: "unknown",
            restarts: 0,
            node: pod.node.clone(),
        }
    }
}

/// `GET /api/monitoring/pods`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonitoredPodsResponse {
    pub pods: Vec<MonitoredPodDto>,
    pub count: usize,
}

impl MonitoredPodsResponse {
    pub fn new(monitoring: &Monitoring, namespace: Option<&str>) -> Self {
        let pods: Vec<MonitoredPodDto> = monitoring.pods_in(namespace).map(Into::into).collect();
        Self {
            count: pods.len(),
            pods,
        }
    }
}

/// One node sampled in the last hour.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonitoredNodeDto {
    pub name: String,
    pub cluster: String,
    /// Always `Unknown`: agents send no node conditions.
    #[schema(example = "Unknown")]
    pub status: &'static str,
    /// CPU its pods used ÷ its capacity over the hour, whole percent.
    #[schema(example = "65%")]
    pub cpu: String,
    #[schema(example = "72%")]
    pub memory: String,
    /// Average capacity while sampled.
    #[schema(example = "2 cores")]
    pub cpu_capacity: String,
    #[schema(example = "8192Mi")]
    pub memory_capacity: String,
    /// As the agent reported it; absent when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "m5.large")]
    pub instance_type: Option<String>,
}

impl From<&MonitoredNode> for MonitoredNodeDto {
    fn from(node: &MonitoredNode) -> Self {
        let cores = node.cpu_capacity_cores().round_dp(2).normalize();
        let mebibytes = (node.memory_capacity_bytes() / Decimal::from(MIB)).round();
        Self {
            name: node.name.clone(),
            cluster: node.cluster.as_str().to_owned(),
            status: "Unknown",
            cpu: format!("{}%", node.cpu_percent().round()),
            memory: format!("{}%", node.memory_percent().round()),
            cpu_capacity: format!("{cores} cores"),
            memory_capacity: format!("{mebibytes}Mi"),
            instance_type: node.instance_type.clone(),
        }
    }
}

/// `GET /api/monitoring/nodes`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonitoredNodesResponse {
    pub nodes: Vec<MonitoredNodeDto>,
    pub count: usize,
}

impl From<&Monitoring> for MonitoredNodesResponse {
    fn from(monitoring: &Monitoring) -> Self {
        Self {
            nodes: monitoring.nodes.iter().map(Into::into).collect(),
            count: monitoring.nodes.len(),
        }
    }
}

/// One log line.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LogEntryDto {
    pub timestamp: DateTime<Utc>,
    pub namespace: String,
    pub pod: String,
    pub message: String,
    /// `ERROR`, `WARNING`, `INFO` or `DEBUG`.
    pub level: String,
}

impl From<&LogLine> for LogEntryDto {
    fn from(line: &LogLine) -> Self {
        Self {
            timestamp: line.at,
            namespace: line.namespace.clone(),
            pod: line.pod.clone(),
            message: line.message.clone(),
            level: line.level.clone(),
        }
    }
}

/// `GET /api/monitoring/logs`: always empty, kcost collects no logs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LogsResponse {
    pub logs: Vec<LogEntryDto>,
    pub count: usize,
    pub since_seconds: i64,
}

impl LogsResponse {
    pub fn new(lines: &[LogLine], limit: usize, since_seconds: i64) -> Self {
        let logs: Vec<LogEntryDto> = lines.iter().take(limit).map(Into::into).collect();
        Self {
            count: logs.len(),
            logs,
            since_seconds,
        }
    }
}

/// 12 × a monthly amount (saturating: no real amount comes near `Decimal::MAX`).
fn annual(monthly: Money) -> Usd {
    let amount = monthly
        .amount()
        .checked_mul(Decimal::from(MONTHS_PER_YEAR))
        .unwrap_or(Decimal::MAX);
    Usd::from(Money::from_decimal(amount))
}
