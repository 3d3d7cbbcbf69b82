//! Query parameters and bodies of OpenCost's allocation API (`/allocation`,
//! `/allocation/compute`, `/allocation/summary`, `/allocation/summary/topline`, also under
//! `/model` and `/v1`), in OpenCost's names (camelCase) and envelope
//! (`{"code":200,"status":"success","data":…}`).
//!
//! Money fields are exact decimals ([`Usd`]); other figures are unrounded numbers (OpenCost
//! rounds to five places). Fields kcost has no data for (GPU, network, load balancer
//! and PV details, adjustments) are 0, as OpenCost writes them without a source.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kcost_domain::allocation::allocation::Allocation;
use kcost_domain::allocation::compute::AllocationSet;
use serde::{Deserialize, Serialize, Serializer};
use utoipa::{IntoParams, ToSchema};

use super::query::WindowExpr;
use super::{Usd, unrounded};

/// Parameters of every allocation route (OpenCost's names).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct AllocationParams {
    /// `24h`, `7d`, `today`, `yesterday`, `week`, `lastweek`, `month`, `lastmonth`,
    /// `<RFC3339>,<RFC3339>` or `<unix>,<unix>`. Required.
    #[param(value_type = WindowExpr, required = true)]
    pub window: Option<String>,
    /// Comma-separated properties to group by, joined with `/` in the names: `cluster`,
    /// `node`, `namespace`, `controllerKind`, `controller`, `deployment`, `statefulset`,
    /// `daemonset`, `job`, `pod`, `container`, `label:<key>`, `annotation:<key>`.
    /// Blank: one allocation per pod.
    pub aggregate: Option<String>,
    /// Length of each set: `1h`, `1d`, `90m`, … Default: the whole window (or a day when
    /// accumulating by a period).
    #[param(pattern = "^([0-9]{1,6}[smhdw])?$")]
    pub step: Option<String>,
    /// `true`/`all` (one set), `false` (one per step), or a period: `hour`, `day`, `week`,
    /// `month`, `quarter`.
    #[param(
        pattern = "^(1|t|T|true|TRUE|True|0|f|F|false|FALSE|False|all|hour|day|week|month|quarter)?$"
    )]
    pub accumulate: Option<String>,
    /// OpenCost's older spelling of a period for `accumulate`.
    #[param(pattern = "^(all|hour|day|week|month|quarter)?$")]
    pub accumulate_by: Option<String>,
    /// Add an `__idle__` allocation (default false).
    #[param(pattern = "^(1|t|T|true|TRUE|True|0|f|F|false|FALSE|False)?$")]
    pub include_idle: Option<String>,
    /// Idle per node rather than per cluster (for sharing).
    #[param(pattern = "^(1|t|T|true|TRUE|True|0|f|F|false|FALSE|False)?$")]
    pub idle_by_node: Option<String>,
    /// Spread idle over the allocations by cost instead of listing it (`true`, or
    /// OpenCost's `weighted`).
    #[param(pattern = "^(1|t|T|true|TRUE|True|0|f|F|false|FALSE|False|weighted)?$")]
    pub share_idle: Option<String>,
    /// Comma-separated namespaces whose cost is spread over the others.
    pub share_namespaces: Option<String>,
    /// Comma-separated `key:value` labels whose pods' cost is spread over the others.
    pub share_labels: Option<String>,
    /// A monthly overhead in USD (730 hours) spread over the allocations.
    #[param(pattern = "^([0-9]{1,9}(\\.[0-9]{1,10})?)?$")]
    pub share_cost: Option<String>,
    /// `weighted` (by cost, default) or `even`.
    #[param(pattern = "^(weighted|even)?$")]
    pub share_split: Option<String>,
    /// OpenCost's filter language, e.g. `namespace:"a","b"+label[team]:"web"`.
    pub filter: Option<String>,
    /// Older filters (`filterClusters`, `filterNodes`, `filterNamespaces`,
    /// `filterControllerKinds`, `filterControllers` (`kind:name` or `name`), `filterPods`,
    /// `filterContainers`, `filterLabels` (`key:value`), `filterAnnotations`,
    /// `filterServices`): comma-separated values each, a trailing `*` matching a prefix.
    /// The patterns document a safe subset.
    pub filter_clusters: Option<String>,
    pub filter_nodes: Option<String>,
    pub filter_namespaces: Option<String>,
    pub filter_controller_kinds: Option<String>,
    pub filter_controllers: Option<String>,
    pub filter_pods: Option<String>,
    pub filter_containers: Option<String>,
    pub filter_labels: Option<String>,
    pub filter_annotations: Option<String>,
    pub filter_services: Option<String>,
    /// Summary only: rows to skip in each set, after sorting.
    #[param(pattern = "^([0-9]{1,9})?$")]
    pub offset: Option<String>,
    /// Summary only: most rows per set.
    #[param(pattern = "^([0-9]{1,9})?$")]
    pub limit: Option<String>,
    /// Summary only: `totalCost` (default), `cpuCost`, `ramCost`, `name`, … any summary
    /// field.
    #[param(
        pattern = "^(name|totalCost|cpuCost|ramCost|pvCost|networkCost|loadBalancerCost|sharedCost|totalEfficiency)?$"
    )]
    pub sort_by: Option<String>,
    /// Summary only: `desc` (default) or `asc`.
    #[param(pattern = "^(asc|desc)?$")]
    pub sort_by_order: Option<String>,
}

/// OpenCost's envelope (documented per route by the `*ResponseDoc` schemas).
#[derive(Debug, Serialize)]
pub struct Envelope<T> {
    /// Always 200.
    pub code: u16,
    /// Always `success`.
    pub status: &'static str,
    pub data: T,
}

impl<T> Envelope<T> {
    pub fn success(data: T) -> Self {
        Self {
            code: 200,
            status: "success",
            data,
        }
    }
}

/// A time range.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[schema(as = OpenCostWindow)]
pub struct WindowDto {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// What an allocation is about; only what all its members share is present.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OpenCostProperties)]
pub struct PropertiesDto {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controller: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controller_kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// One allocation in OpenCost's field names and order.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OpenCostAllocation)]
pub struct AllocationDto {
    pub name: String,
    pub properties: PropertiesDto,
    pub window: WindowDto,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Minutes the allocation ran (a group: its longest-running member per step).
    pub minutes: f64,
    pub cpu_cores: f64,
    pub cpu_core_request_average: f64,
    pub cpu_core_usage_average: f64,
    /// Allocated core-hours, `Σ max(request, usage)`: what CPU cost was charged for.
    pub cpu_core_hours: f64,
    pub cpu_cost: Usd,
    pub cpu_cost_adjustment: f64,
    /// The part of `cpuCost` that is shared idle.
    pub cpu_cost_idle: Usd,
    pub cpu_efficiency: f64,
    pub gpu_count: f64,
    pub gpu_request_average: f64,
    pub gpu_usage_average: f64,
    pub gpu_hours: f64,
    pub gpu_cost: Usd,
    pub gpu_cost_adjustment: f64,
    pub gpu_cost_idle: Usd,
    pub gpu_efficiency: f64,
    pub network_transfer_bytes: f64,
    pub network_receive_bytes: f64,
    pub network_cost: Usd,
    pub network_cross_zone_cost: Usd,
    pub network_cross_region_cost: Usd,
    pub network_internet_cost: Usd,
    pub network_cost_adjustment: f64,
    pub load_balancer_cost: Usd,
    pub load_balancer_cost_adjustment: f64,
    pub pv_bytes: f64,
    pub pv_byte_hours: f64,
    pub pv_cost: Usd,
    /// Always null: kcost has no per-volume data.
    #[schema(value_type = Option<Object>)]
    pub pvs: Option<()>,
    pub pv_cost_adjustment: f64,
    pub ram_bytes: f64,
    pub ram_byte_request_average: f64,
    pub ram_byte_usage_average: f64,
    /// Allocated byte-hours, `Σ max(request, usage)`.
    pub ram_byte_hours: f64,
    pub ram_cost: Usd,
    pub ram_cost_adjustment: f64,
    pub ram_cost_idle: Usd,
    pub ram_efficiency: f64,
    pub external_cost: Usd,
    pub shared_cost: Usd,
    pub total_cost: Usd,
    pub total_efficiency: f64,
    #[schema(value_type = Object)]
    pub proportional_asset_resource_costs: BTreeMap<String, ()>,
    #[schema(value_type = Option<Object>)]
    pub lb_allocations: Option<()>,
    #[schema(value_type = Object)]
    pub shared_cost_breakdown: BTreeMap<String, ()>,
}

fn properties(allocation: &Allocation) -> PropertiesDto {
    let p = &allocation.properties;
    let text = |s: &String| (!s.is_empty()).then(|| s.clone());
    PropertiesDto {
        cluster: text(&p.cluster),
        node: p.node.clone(),
        container: p.container.clone(),
        controller: p.controller.clone(),
        controller_kind: p.controller_kind.clone(),
        namespace: text(&p.namespace),
        pod: text(&p.pod),
        labels: p.labels.clone(),
    }
}

impl AllocationDto {
    pub fn of(allocation: &Allocation, window: WindowDto) -> Self {
        let a = allocation;
        Self {
            name: a.name.clone(),
            properties: properties(a),
            window,
            start: a.start,
            end: a.end,
            minutes: unrounded(a.minutes()),
            cpu_cores: unrounded(a.cpu_cores()),
            cpu_core_request_average: unrounded(a.cpu_core_request_average()),
            cpu_core_usage_average: unrounded(a.cpu_core_usage_average()),
            cpu_core_hours: unrounded(a.cpu_core_hours()),
            cpu_cost: a.cost.cpu.into(),
            cpu_cost_adjustment: 0.0,
            cpu_cost_idle: a.cost.cpu_idle.into(),
            cpu_efficiency: unrounded(a.cpu_efficiency()),
            gpu_count: 0.0,
            gpu_request_average: 0.0,
            gpu_usage_average: 0.0,
            gpu_hours: 0.0,
            gpu_cost: Usd::default(),
            gpu_cost_adjustment: 0.0,
            gpu_cost_idle: Usd::default(),
            gpu_efficiency: 0.0,
            network_transfer_bytes: 0.0,
            network_receive_bytes: 0.0,
            network_cost: a.cost.network.into(),
            network_cross_zone_cost: Usd::default(),
            network_cross_region_cost: Usd::default(),
            network_internet_cost: Usd::default(),
            network_cost_adjustment: 0.0,
            load_balancer_cost: a.cost.load_balancer.into(),
            load_balancer_cost_adjustment: 0.0,
            pv_bytes: 0.0,
            pv_byte_hours: 0.0,
            pv_cost: a.cost.pv.into(),
            pvs: None,
            pv_cost_adjustment: 0.0,
            ram_bytes: unrounded(a.ram_bytes()),
            ram_byte_request_average: unrounded(a.ram_byte_request_average()),
            ram_byte_usage_average: unrounded(a.ram_byte_usage_average()),
            ram_byte_hours: unrounded(a.ram_byte_hours()),
            ram_cost: a.cost.ram.into(),
            ram_cost_adjustment: 0.0,
            ram_cost_idle: a.cost.ram_idle.into(),
            ram_efficiency: unrounded(a.ram_efficiency()),
            external_cost: Usd::default(),
            shared_cost: a.cost.shared.into(),
            total_cost: a.total_cost().into(),
            total_efficiency: unrounded(a.total_efficiency()),
            proportional_asset_resource_costs: BTreeMap::new(),
            lb_allocations: None,
            shared_cost_breakdown: BTreeMap::new(),
        }
    }
}

/// A JSON object keeping its entries' order (a sorted summary stays sorted on the wire).
#[derive(Debug, Clone)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<T: Serialize> Serialize for Ordered<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// One set per step or period: allocation name → allocation.
pub type AllocationSetDto = Ordered<AllocationDto>;

pub fn allocation_set(set: &AllocationSet) -> AllocationSetDto {
    let window = WindowDto {
        start: set.start,
        end: set.end,
    };
    Ordered(
        set.allocations
            .iter()
            .map(|a| (a.name.clone(), AllocationDto::of(a, window)))
            .collect(),
    )
}

/// One allocation of a summary: the costs and averages, without the details.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OpenCostSummaryAllocation)]
pub struct SummaryAllocationDto {
    pub name: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub cpu_core_request_average: f64,
    pub cpu_core_usage_average: f64,
    pub cpu_cost: Usd,
    pub cpu_cost_idle: Usd,
    pub gpu_request_average: f64,
    pub gpu_usage_average: f64,
    pub gpu_cost: Usd,
    pub gpu_cost_idle: Usd,
    pub network_cost: Usd,
    pub load_balancer_cost: Usd,
    pub pv_cost: Usd,
    pub ram_byte_request_average: f64,
    pub ram_byte_usage_average: f64,
    pub ram_cost: Usd,
    pub ram_cost_idle: Usd,
    pub shared_cost: Usd,
    pub external_cost: Usd,
    pub total_cost: Usd,
    pub total_efficiency: f64,
}

impl SummaryAllocationDto {
    pub fn of(a: &Allocation) -> Self {
        Self {
            name: a.name.clone(),
            start: a.start,
            end: a.end,
            cpu_core_request_average: unrounded(a.cpu_core_request_average()),
            cpu_core_usage_average: unrounded(a.cpu_core_usage_average()),
            cpu_cost: a.cost.cpu.into(),
            cpu_cost_idle: a.cost.cpu_idle.into(),
            gpu_request_average: 0.0,
            gpu_usage_average: 0.0,
            gpu_cost: Usd::default(),
            gpu_cost_idle: Usd::default(),
            network_cost: a.cost.network.into(),
            load_balancer_cost: a.cost.load_balancer.into(),
            pv_cost: a.cost.pv.into(),
            ram_byte_request_average: unrounded(a.ram_byte_request_average()),
            ram_byte_usage_average: unrounded(a.ram_byte_usage_average()),
            ram_cost: a.cost.ram.into(),
            ram_cost_idle: a.cost.ram_idle.into(),
            shared_cost: a.cost.shared.into(),
            external_cost: Usd::default(),
            total_cost: a.total_cost().into(),
            total_efficiency: unrounded(a.total_efficiency()),
        }
    }
}

/// One summary set.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = OpenCostSummarySet)]
pub struct SummarySetDto {
    #[schema(value_type = BTreeMap<String, SummaryAllocationDto>)]
    pub allocations: Ordered<SummaryAllocationDto>,
    pub window: WindowDto,
}

/// `/allocation/summary`'s data.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = OpenCostSummary)]
pub struct SummaryDto {
    /// Length of each set in nanoseconds (OpenCost writes Go's `time.Duration`).
    pub step: i64,
    pub sets: Vec<SummarySetDto>,
    pub window: WindowDto,
}

/// `/allocation/summary/topline`'s data: the totals of every allocation the same query
/// answers, at the top level and in Kubecost's `combined.allocations.total` form.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OpenCostTopline)]
pub struct ToplineDto {
    /// Allocations summed (over every set).
    pub num_results: usize,
    pub cpu_cost: Usd,
    pub ram_cost: Usd,
    pub gpu_cost: Usd,
    pub pv_cost: Usd,
    pub network_cost: Usd,
    pub load_balancer_cost: Usd,
    pub shared_cost: Usd,
    pub external_cost: Usd,
    pub total_cost: Usd,
    pub total_efficiency: f64,
    pub combined: SummarySetDto,
}

/// The response bodies, for the OpenAPI document.
#[derive(Debug, ToSchema)]
#[schema(as = OpenCostAllocationResponse)]
pub struct AllocationResponseDoc {
    pub code: u16,
    pub status: String,
    pub data: Vec<BTreeMap<String, AllocationDto>>,
}

#[derive(Debug, ToSchema)]
#[schema(as = OpenCostAllocationSummaryResponse)]
pub struct SummaryResponseDoc {
    pub code: u16,
    pub status: String,
    pub data: SummaryDto,
}

#[derive(Debug, ToSchema)]
#[schema(as = OpenCostAllocationToplineResponse)]
pub struct ToplineResponseDoc {
    pub code: u16,
    pub status: String,
    pub data: ToplineDto,
}
