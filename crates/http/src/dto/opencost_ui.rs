//! What the OpenCost UI reads besides allocations: `/assets` (kcost's nodes and their
//! costs) and the cloud-cost, custom-cost and autocomplete routes. kcost has no cloud
//! bill or custom-cost source, so those answer the valid empty shapes OpenCost gives when
//! such a source is enabled but has no data: the UI then shows kcost's allocations and
//! "no cloud cost integrations", never an error.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kcost_domain::assets::NodeWindowSums;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::allocation::WindowDto;
use super::query::WindowExpr;
use super::{Usd, unrounded};

/// Parameters of `/assets` and the cloud- and custom-cost routes. Only `window` is read;
/// the others (sent by the UI) are accepted and ignored, as OpenCost does for assets.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct UiParams {
    /// `24h`, `7d`, `today`, `week`, `lastweek`, `month`, `<start>,<end>`, … Required
    /// except on `/cloudCost/status`.
    #[param(value_type = WindowExpr)]
    pub window: Option<String>,
    /// Ignored (no source to aggregate).
    pub aggregate: Option<String>,
    /// Ignored.
    pub accumulate: Option<String>,
    /// Ignored.
    pub filter: Option<String>,
    /// Ignored.
    pub step: Option<String>,
    /// Ignored.
    pub include_idle: Option<String>,
    /// Ignored.
    pub cost_metric: Option<String>,
    /// Ignored.
    pub cost_type: Option<String>,
    /// Ignored.
    pub limit: Option<String>,
    /// Ignored.
    pub offset: Option<String>,
    /// Ignored.
    pub sort_by: Option<String>,
    /// Ignored.
    pub sort_by_order: Option<String>,
    /// Ignored.
    pub sort_direction: Option<String>,
}

/// `/cloudCost/status` reads no parameters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoParams {}

/// Parameters of `/{allocation,assets,cloudCost}/autocomplete`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AutocompleteParams {
    /// The window to look in (required).
    #[param(value_type = WindowExpr)]
    pub window: Option<String>,
    /// The property whose values to list: for allocations `cluster`, `node`,
    /// `namespace`, `controllerKind`, `controllerName`, `pod`, `container`,
    /// `label:<key>`; for assets `type`, `cluster`, `category`, `name`.
    pub field: Option<String>,
    /// Only values containing this text.
    pub search: Option<String>,
    /// Most values (default 100, at most 10,000).
    #[param(pattern = "^([0-9]{1,4}|10000)?$")]
    pub limit: Option<String>,
    /// Ignored.
    pub filter: Option<String>,
}

/// `{"code":200,"data":…}`: the envelope of OpenCost's cloud-cost, custom-cost and
/// autocomplete routes (no `status`).
#[derive(Debug, Serialize)]
pub struct DataEnvelope<T> {
    pub code: u16,
    pub data: T,
}

impl<T> DataEnvelope<T> {
    pub fn ok(data: T) -> Self {
        Self { code: 200, data }
    }
}

/// OpenCost's CPU or RAM breakdown: shares of the node's capacity.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[schema(as = OpenCostBreakdown)]
pub struct BreakdownDto {
    /// The share of the resource's cost no pod was allocated.
    pub idle: f64,
    pub other: f64,
    pub system: f64,
    /// The allocated share (1 − idle).
    pub user: f64,
}

/// OpenCost's asset properties.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OpenCostAssetProperties)]
pub struct AssetPropertiesDto {
    pub category: &'static str,
    pub service: &'static str,
    pub cluster: String,
    pub name: String,
}

/// A node as an OpenCost asset.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OpenCostNodeAsset)]
pub struct NodeAssetDto {
    /// Always `Node`.
    #[serde(rename = "type")]
    pub asset_type: &'static str,
    pub properties: AssetPropertiesDto,
    #[schema(value_type = Object)]
    pub labels: BTreeMap<String, String>,
    pub window: WindowDto,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub minutes: f64,
    pub node_type: String,
    pub cpu_cores: f64,
    pub ram_bytes: f64,
    pub cpu_core_hours: f64,
    pub ram_byte_hours: f64,
    #[serde(rename = "GPUHours")]
    pub gpu_hours: f64,
    pub cpu_breakdown: BreakdownDto,
    pub ram_breakdown: BreakdownDto,
    pub preemptible: f64,
    pub discount: f64,
    pub cpu_cost: Usd,
    pub gpu_cost: Usd,
    pub gpu_count: f64,
    pub ram_cost: Usd,
    pub adjustment: f64,
    pub total_cost: Usd,
}

fn breakdown(idle: Decimal) -> BreakdownDto {
    let idle = unrounded(idle);
    BreakdownDto {
        idle,
        other: 0.0,
        system: 0.0,
        user: 1.0 - idle,
    }
}

impl NodeAssetDto {
    /// OpenCost's key of a node asset:
    /// `provider/account/project/category/cluster/type/service/providerID/name`.
    pub fn key(node: &NodeWindowSums) -> String {
        format!(
            "__undefined__/__undefined__/__undefined__/Compute/{}/Node/Kubernetes/__undefined__/{}",
            node.cluster, node.node
        )
    }

    pub fn of(node: &NodeWindowSums, window: WindowDto) -> Self {
        Self {
            asset_type: "Node",
            properties: AssetPropertiesDto {
                category: "Compute",
                service: "Kubernetes",
                cluster: node.cluster.as_str().to_owned(),
                name: node.node.clone(),
            },
            labels: BTreeMap::new(),
            window,
            start: node.start,
            end: node.end,
            minutes: unrounded(node.seconds / Decimal::from(60)),
            node_type: node.instance_type.clone().unwrap_or_default(),
            cpu_cores: unrounded(node.cpu_cores()),
            ram_bytes: unrounded(node.ram_bytes()),
            cpu_core_hours: unrounded(node.cpu_core_hours()),
            ram_byte_hours: unrounded(node.ram_byte_hours()),
            gpu_hours: 0.0,
            cpu_breakdown: breakdown(node.cpu_idle_share()),
            ram_breakdown: breakdown(node.ram_idle_share()),
            preemptible: 0.0,
            discount: 0.0,
            cpu_cost: node.cpu_cost.into(),
            gpu_cost: Usd::default(),
            gpu_count: 0.0,
            ram_cost: node.ram_cost.into(),
            adjustment: 0.0,
            total_cost: node.total_cost().into(),
        }
    }
}

/// One day of `/cloudCost`: no cloud costs.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OpenCostCloudCostSet)]
pub struct CloudCostSetDto {
    #[schema(value_type = Object)]
    pub cloud_costs: BTreeMap<String, ()>,
    pub window: WindowDto,
    pub aggregation_properties: Vec<&'static str>,
}

/// `/cloudCost`'s data: one empty set per day.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = OpenCostCloudCostRange)]
pub struct CloudCostRangeDto {
    pub sets: Vec<CloudCostSetDto>,
    pub window: WindowDto,
}

/// `/customCost/total`'s data with no custom costs.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OpenCostCustomCostTotal)]
pub struct CustomCostTotalDto {
    pub window: WindowDto,
    pub total_cost: f64,
    pub total_cost_type: &'static str,
    #[schema(value_type = Vec<Object>)]
    pub custom_costs: Vec<()>,
}

/// `/customCost/timeseries`'s data: one empty total per day.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = OpenCostCustomCostTimeseries)]
pub struct CustomCostTimeseriesDto {
    pub window: WindowDto,
    pub timeseries: Vec<CustomCostTotalDto>,
}

/// Autocomplete's data: `{"data": [values]}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = OpenCostAutocomplete)]
pub struct AutocompleteDto {
    pub data: Vec<String>,
}

/// Response bodies for the OpenAPI document.
#[derive(Debug, ToSchema)]
#[schema(as = OpenCostAssetsResponse)]
pub struct AssetsResponseDoc {
    pub code: u16,
    pub status: String,
    pub data: BTreeMap<String, NodeAssetDto>,
}

#[derive(Debug, ToSchema)]
#[schema(as = OpenCostCloudCostResponse)]
pub struct CloudCostResponseDoc {
    pub code: u16,
    pub data: CloudCostRangeDto,
}

#[derive(Debug, ToSchema)]
#[schema(as = OpenCostCloudCostViewResponse)]
pub struct CloudCostViewResponseDoc {
    pub code: u16,
    /// `[]` (graph, status) or null (table, totals): no cloud costs.
    #[schema(value_type = Option<Vec<Object>>)]
    pub data: Option<Vec<()>>,
}

#[derive(Debug, ToSchema)]
#[schema(as = OpenCostCustomCostTotalResponse)]
pub struct CustomCostTotalResponseDoc {
    pub code: u16,
    pub data: CustomCostTotalDto,
}

#[derive(Debug, ToSchema)]
#[schema(as = OpenCostCustomCostTimeseriesResponse)]
pub struct CustomCostTimeseriesResponseDoc {
    pub code: u16,
    pub data: CustomCostTimeseriesDto,
}

#[derive(Debug, ToSchema)]
#[schema(as = OpenCostAutocompleteResponse)]
pub struct AutocompleteResponseDoc {
    pub code: u16,
    pub data: AutocompleteDto,
}
