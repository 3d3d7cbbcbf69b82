//! The list answers of `GET /v1/costs/{namespaces,clusters,pods}`: one row per namespace,
//! cluster or pod of the window, each with its usage and cost. The three answers differ
//! only in their rows, so one generic handler serves them ([`CostList`]).

use chrono::{DateTime, Utc};
use kcost_domain::costs::{CostGrouping, CostKey, CostRow};
use kcost_domain::window::TimeWindow;
use serde::Serialize;
use utoipa::ToSchema;

use super::{CostBreakdownDto, ResourceUsageDto};

/// A row of a cost list, made from a row of its grouping.
pub trait CostListRow: Sized {
    /// The grouping the rows are asked in.
    const GROUPING: CostGrouping;

    /// `row` as listed; `None` for a row of another grouping.
    fn of(row: &CostRow, usage: ResourceUsageDto, cost: CostBreakdownDto) -> Option<Self>;
}

/// A cost list answer: the window and its rows.
pub trait CostList {
    type Row: CostListRow;

    fn new(window: &TimeWindow, costs: Vec<Self::Row>) -> Self;
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NamespaceCostDto {
    pub namespace: String,
    pub pod_count: u64,
    #[serde(flatten)]
    pub usage: ResourceUsageDto,
    #[serde(flatten)]
    pub cost: CostBreakdownDto,
}

impl CostListRow for NamespaceCostDto {
    const GROUPING: CostGrouping = CostGrouping::Namespace;

    fn of(row: &CostRow, usage: ResourceUsageDto, cost: CostBreakdownDto) -> Option<Self> {
        match &row.key {
            CostKey::Namespace(namespace) => Some(Self {
                namespace: namespace.clone(),
                pod_count: row.pod_count,
                usage,
                cost,
            }),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClusterCostDto {
    pub cluster_name: String,
    pub pod_count: u64,
    pub namespace_count: u64,
    #[serde(flatten)]
    pub usage: ResourceUsageDto,
    #[serde(flatten)]
    pub cost: CostBreakdownDto,
}

impl CostListRow for ClusterCostDto {
    const GROUPING: CostGrouping = CostGrouping::Cluster;

    fn of(row: &CostRow, usage: ResourceUsageDto, cost: CostBreakdownDto) -> Option<Self> {
        match &row.key {
            CostKey::Cluster(cluster) => Some(Self {
                cluster_name: cluster.as_str().to_owned(),
                pod_count: row.pod_count,
                namespace_count: row.namespace_count,
                usage,
                cost,
            }),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PodCostDto {
    pub cluster_name: String,
    pub namespace: String,
    pub pod_name: String,
    #[serde(flatten)]
    pub usage: ResourceUsageDto,
    #[serde(flatten)]
    pub cost: CostBreakdownDto,
}

impl CostListRow for PodCostDto {
    const GROUPING: CostGrouping = CostGrouping::Pod;

    fn of(row: &CostRow, usage: ResourceUsageDto, cost: CostBreakdownDto) -> Option<Self> {
        match &row.key {
            CostKey::Pod {
                cluster,
                namespace,
                pod,
            } => Some(Self {
                cluster_name: cluster.as_str().to_owned(),
                namespace: namespace.clone(),
                pod_name: pod.clone(),
                usage,
                cost,
            }),
            _ => None,
        }
    }
}

/// Declares the answers, each its own schema (the document names them), all of one shape.
macro_rules! cost_lists {
    ($($(#[doc = $doc:literal])* $name:ident of $row:ty;)*) => {$(
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Serialize, ToSchema)]
        pub struct $name {
            pub start_time: DateTime<Utc>,
            pub end_time: DateTime<Utc>,
            pub costs: Vec<$row>,
        }

        impl CostList for $name {
            type Row = $row;

            fn new(window: &TimeWindow, costs: Vec<$row>) -> Self {
                Self {
                    start_time: window.start(),
                    end_time: window.end(),
                    costs,
                }
            }
        }
    )*};
}

cost_lists! {
    /// `GET /v1/costs/namespaces`, ordered by cost, largest first.
    NamespaceCostsResponse of NamespaceCostDto;
    /// `GET /v1/costs/clusters`, ordered by cost, largest first.
    ClusterCostsResponse of ClusterCostDto;
    /// `GET /v1/costs/pods`, ordered by cost, largest first.
    PodCostsResponse of PodCostDto;
}
