//! Query parameters and bodies of the Kubecent-compatible endpoints under `/api/v1`, with
//! exactly the keys of seed 2 (snake_case, no `_usd` suffix); money is the exact stored
//! decimal as a JSON number, as on every endpoint.

use kcost_app::kubecent::{
    MonthCost, MonthlyCosts, NamespaceCost, NamespaceCosts, PodCost, PodCosts, SavingsItem,
    SavingsReport,
};
use kcost_domain::costs::CostBreakdown;
use kcost_domain::money::Money;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::query::WindowExpr;
use super::{Usd, number};

/// `GET /api/v1/cost/namespaces`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NamespaceParams {
    /// OpenCost window: `7d` (default), `24h`, `today`, `week`, `month`, `lastmonth`,
    /// `start,end`, …
    #[param(value_type = Option<WindowExpr>)]
    pub window: Option<String>,
    /// `true`: share each cluster's idle cost among its namespaces by allocated cost.
    pub idle: Option<bool>,
    /// List only this many most expensive namespaces, 1–10,000; default all.
    /// `total` stays the whole window's total.
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<i64>,
}

/// `GET /api/v1/cost/pods`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PodParams {
    /// Only this namespace; absent or empty = every namespace.
    pub namespace: Option<String>,
    /// OpenCost window; default `7d`.
    #[param(value_type = Option<WindowExpr>)]
    pub window: Option<String>,
    /// List only this many most expensive pods, 1–10,000; default all. `total` stays
    /// the whole window's total.
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<i64>,
}

/// `GET /api/v1/cost/monthly`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthlyParams {
    /// OpenCost window; default `30d` (seed 2's 30-day aggregation).
    #[param(value_type = Option<WindowExpr>)]
    pub window: Option<String>,
}

/// `GET /api/v1/savings/recommendations`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SavingsParams {
    /// How many recommendations to list, 1–50; default 10.
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<i64>,
}

/// `GET /api/v1/health`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KubecentHealthResponse {
    /// `healthy`, `degraded` (cache down) or `unhealthy` (a required store down; 503).
    #[schema(example = "healthy")]
    pub status: &'static str,
    /// OpenCost import: `not_configured` (no OpenCost source; the only value until the
    /// importer ships), later `connected` or `unreachable`.
    #[schema(example = "not_configured")]
    pub opencost: &'static str,
    #[schema(example = "kcost")]
    pub service: &'static str,
}

/// One namespace.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KubecentNamespaceDto {
    pub name: String,
    /// Everything: `cpu_cost + memory_cost + storage_cost + idle_cost` plus network and
    /// load-balancer costs, which seed 2's shape has no key for.
    pub total_cost: Usd,
    pub cpu_cost: Usd,
    pub memory_cost: Usd,
    /// Persistent volumes, as OpenCost priced them; 0 for agent-fed clusters.
    pub storage_cost: Usd,
    /// The namespace's share of idle with `idle=true`, else 0.
    pub idle_cost: Usd,
    pub pod_count: u64,
}

impl From<&NamespaceCost> for KubecentNamespaceDto {
    fn from(namespace: &NamespaceCost) -> Self {
        let cost = Costs::from(&namespace.cost);
        Self {
            name: namespace.name.clone(),
            total_cost: cost.total,
            cpu_cost: cost.cpu,
            memory_cost: cost.memory,
            storage_cost: cost.storage,
            idle_cost: cost.idle,
            pod_count: namespace.pod_count,
        }
    }
}

/// `GET /api/v1/cost/namespaces`: most expensive first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KubecentNamespacesResponse {
    pub namespaces: Vec<KubecentNamespaceDto>,
    /// Σ `total_cost` over every namespace of the window, listed or not (`limit`).
    pub total: Usd,
    /// The window as asked (`7d` by default).
    pub window: String,
    pub item_count: usize,
}

impl KubecentNamespacesResponse {
    /// The first `limit` namespaces of `answer` (most expensive first), all by default.
    pub fn new(answer: &NamespaceCosts, window: String, limit: Option<usize>) -> Self {
        let total: Money = answer.namespaces.iter().map(|n| n.cost.total()).sum();
        let namespaces: Vec<KubecentNamespaceDto> = first(&answer.namespaces, limit);
        Self {
            item_count: namespaces.len(),
            namespaces,
            total: Usd::from(total),
            window,
        }
    }
}

/// The first `limit` rows (all without one), as DTOs.
fn first<'a, T, D: From<&'a T>>(rows: &'a [T], limit: Option<usize>) -> Vec<D> {
    rows.iter()
        .take(limit.unwrap_or(usize::MAX))
        .map(D::from)
        .collect()
}

/// One pod.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KubecentPodDto {
    pub name: String,
    pub namespace: String,
    pub cluster: String,
    /// Everything the pod cost, network and load balancer included (no keys of their own
    /// in seed 2's shape).
    pub total_cost: Usd,
    pub cpu_cost: Usd,
    pub memory_cost: Usd,
    /// Persistent volumes, as OpenCost priced them; 0 for agent-fed clusters.
    pub storage_cost: Usd,
    /// Always 0: idle belongs to nodes, not pods.
    pub idle_cost: Usd,
}

impl From<&PodCost> for KubecentPodDto {
    fn from(pod: &PodCost) -> Self {
        let cost = Costs::from(&pod.cost);
        Self {
            name: pod.name.clone(),
            namespace: pod.namespace.clone(),
            cluster: pod.cluster.as_str().to_owned(),
            total_cost: cost.total,
            cpu_cost: cost.cpu,
            memory_cost: cost.memory,
            storage_cost: cost.storage,
            idle_cost: cost.idle,
        }
    }
}

/// `GET /api/v1/cost/pods`: most expensive first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KubecentPodsResponse {
    pub pods: Vec<KubecentPodDto>,
    /// Σ `total_cost` over every pod of the window, listed or not (`limit`).
    pub total: Usd,
    pub window: String,
    /// The namespace filter, `null` for every namespace.
    pub namespace: Option<String>,
    /// How many pods are listed.
    pub item_count: usize,
}

impl KubecentPodsResponse {
    /// The first `limit` pods of `answer` (most expensive first), all by default.
    pub fn new(answer: &PodCosts, window: String, limit: Option<usize>) -> Self {
        let total: Money = answer.pods.iter().map(|p| p.cost.total()).sum();
        let pods: Vec<KubecentPodDto> = first(&answer.pods, limit);
        Self {
            item_count: pods.len(),
            pods,
            total: Usd::from(total),
            window,
            namespace: answer.namespace.clone(),
        }
    }
}

/// One calendar month (UTC) of the period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KubecentMonthDto {
    /// `YYYY-MM`.
    #[schema(example = "2026-11")]
    pub month: String,
    /// What the clusters cost in the part of the period inside this month, idle included.
    pub total_cost: Usd,
    /// `total_cost` per elapsed day of that part.
    pub daily_average: Usd,
    /// Distinct namespaces seen.
    pub namespaces: u64,
    /// Distinct pods seen.
    pub pods: u64,
}

impl From<&MonthCost> for KubecentMonthDto {
    fn from(month: &MonthCost) -> Self {
        Self {
            month: month.month.clone(),
            total_cost: Usd::from(month.cost),
            daily_average: Usd::from(month.daily_average),
            namespaces: month.namespaces,
            pods: month.pods,
        }
    }
}

/// `GET /api/v1/cost/monthly`: months oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KubecentMonthlyResponse {
    pub months: Vec<KubecentMonthDto>,
    pub total: Usd,
    /// The window aggregated: `30d` by default.
    pub period: String,
}

impl KubecentMonthlyResponse {
    pub fn new(answer: &MonthlyCosts, period: String) -> Self {
        Self {
            months: answer.months.iter().map(Into::into).collect(),
            total: Usd::from(answer.total()),
            period,
        }
    }
}

/// One saving.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KubecentSavingDto {
    /// The kcost recommendation id (apply or dismiss it under `/v1/recommendations`).
    pub id: String,
    /// `cpu_rightsizing` or `memory_rightsizing`.
    #[serde(rename = "type")]
    pub kind: String,
    pub namespace: String,
    /// The Kubernetes object, e.g. `deployment/api`.
    pub resource: String,
    /// Monthly cost of the current request of this resource.
    pub current_cost: Usd,
    /// Monthly saving of the change.
    pub estimated_savings: Usd,
    /// `high`, `medium` or `low`.
    pub priority: String,
    pub description: String,
    /// A `kubectl` command applying the change.
    pub action: String,
}

impl From<&SavingsItem> for KubecentSavingDto {
    fn from(item: &SavingsItem) -> Self {
        Self {
            id: item.id.to_string(),
            kind: item.kind.clone(),
            namespace: item.namespace.clone(),
            resource: item.resource.clone(),
            current_cost: Usd::from(item.current_cost),
            estimated_savings: Usd::from(item.estimated_savings),
            priority: item.priority.as_str().to_owned(),
            description: item.description.clone(),
            action: item.action.clone(),
        }
    }
}

/// `GET /api/v1/savings/recommendations`: largest saving first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KubecentSavingsResponse {
    pub recommendations: Vec<KubecentSavingDto>,
    /// Monthly, over every open saving, not only those listed.
    pub total_potential_savings: Usd,
    /// `total_potential_savings` as a percentage of the projected monthly cost.
    pub savings_percentage: f64,
}

impl From<&SavingsReport> for KubecentSavingsResponse {
    fn from(report: &SavingsReport) -> Self {
        Self {
            recommendations: report.recommendations.iter().map(Into::into).collect(),
            total_potential_savings: Usd::from(report.total_potential_savings),
            savings_percentage: number(report.savings_percentage, 2),
        }
    }
}

/// A breakdown in exact money.
struct Costs {
    cpu: Usd,
    memory: Usd,
    storage: Usd,
    idle: Usd,
    total: Usd,
}

impl From<&CostBreakdown> for Costs {
    fn from(cost: &CostBreakdown) -> Self {
        Self {
            cpu: Usd::from(cost.cpu),
            memory: Usd::from(cost.memory),
            storage: Usd::from(cost.storage),
            idle: Usd::from(cost.idle),
            total: Usd::from(cost.total()),
        }
    }
}
