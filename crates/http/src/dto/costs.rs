//! Query parameters and bodies of `GET /v1/costs/*`.
//!
//! Field names follow seed 1 (`namespace`, `cluster_name`, `pod_count`,
//! `avg_cpu_usage_millicores`, `estimated_cost_usd`, …) with the cost breakdown added.
//! Averages are over the window's elapsed part (up to now), so a `today` window at noon
//! averages over twelve hours, not twenty-four; they are exact time-weighted averages
//! (core-hours ÷ hours), where the seed averaged raw samples.

use chrono::{DateTime, TimeDelta, Utc};
use kcost_domain::costs::{CostBreakdown, CostRow, PodUtilization, ResourceHours, TrendInterval};
use kcost_domain::window::TimeWindow;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::query::{ClusterFilter, WindowBound, WindowExpr};
use super::{Usd, number};

mod lists;

pub use lists::{
    ClusterCostDto, ClusterCostsResponse, CostList, CostListRow, NamespaceCostDto,
    NamespaceCostsResponse, PodCostDto, PodCostsResponse,
};

/// Bytes per GiB.
const GIB: i64 = 1 << 30;

/// Time range and filters of every cost query.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CostParams {
    /// Window start, RFC3339 (e.g. `2026-11-01T00:00:00Z`). Without `end_time`: until now.
    #[param(value_type = Option<WindowBound>)]
    pub start_time: Option<String>,
    /// Window end, RFC3339 (exclusive). Needs `start_time`.
    #[param(value_type = Option<WindowBound>)]
    pub end_time: Option<String>,
    /// Instead of start/end: `24h`, `7d`, `today`, `yesterday`, `week`, `lastweek`,
    /// `month`, `lastmonth`, or `start,end`. Default: the last 24 hours.
    #[param(value_type = Option<WindowExpr>)]
    pub window: Option<String>,
    /// Only this cluster.
    #[param(value_type = Option<ClusterFilter>)]
    pub cluster: Option<String>,
    /// Only this namespace.
    pub namespace: Option<String>,
}

/// The bucket size of `GET /v1/costs/trends`, asked beside its [`CostParams`].
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IntervalParams {
    /// `hourly`, `daily` (default) or `weekly`.
    #[param(pattern = "^(|hourly|daily|weekly)$")]
    pub interval: Option<String>,
}

/// Usage and requests over the window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct ResourceUsageDto {
    /// Time-averaged CPU in use (sum over pods), millicores.
    pub avg_cpu_usage_millicores: f64,
    /// Time-averaged memory in use (sum over pods), bytes.
    pub avg_memory_usage_bytes: f64,
    /// Time-averaged CPU requested (sum over pods), millicores.
    pub total_cpu_request_millicores: f64,
    /// Time-averaged memory requested (sum over pods), bytes.
    pub total_memory_request_bytes: f64,
    pub cpu_usage_core_hours: f64,
    pub cpu_request_core_hours: f64,
    pub memory_usage_gib_hours: f64,
    pub memory_request_gib_hours: f64,
}

impl ResourceUsageDto {
    /// `hours` is the elapsed length the averages are taken over (`None`: nothing elapsed).
    pub fn new(usage: &ResourceHours, hours: Option<Decimal>) -> Self {
        let average = |amount: Decimal, unit: i64| {
            hours
                .and_then(|hours| amount.checked_mul(Decimal::from(unit))?.checked_div(hours))
                .unwrap_or_default()
        };
        Self {
            avg_cpu_usage_millicores: number(average(usage.cpu_usage_core_hours, 1000), 2),
            avg_memory_usage_bytes: number(average(usage.memory_usage_gib_hours, GIB), 0),
            total_cpu_request_millicores: number(average(usage.cpu_request_core_hours, 1000), 2),
            total_memory_request_bytes: number(average(usage.memory_request_gib_hours, GIB), 0),
            cpu_usage_core_hours: number(usage.cpu_usage_core_hours, 4),
            cpu_request_core_hours: number(usage.cpu_request_core_hours, 4),
            memory_usage_gib_hours: number(usage.memory_usage_gib_hours, 4),
            memory_request_gib_hours: number(usage.memory_request_gib_hours, 4),
        }
    }
}

/// Cost split by resource, in exact USD.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct CostBreakdownDto {
    /// CPU allocated to pods (max of request and usage).
    pub cpu_cost_usd: Usd,
    /// Memory allocated to pods (max of request and usage).
    pub memory_cost_usd: Usd,
    /// Node capacity nobody was allocated; on cluster and trend rows only (idle belongs to
    /// nodes, not namespaces or pods), 0 elsewhere.
    pub idle_cost_usd: Usd,
    /// Persistent volumes, as OpenCost priced them; 0 for agent-fed clusters.
    pub storage_cost_usd: Usd,
    /// Network egress, as OpenCost priced it; 0 for agent-fed clusters.
    pub network_cost_usd: Usd,
    /// Load balancers, as OpenCost priced them; 0 for agent-fed clusters.
    pub load_balancer_cost_usd: Usd,
    /// `cpu_cost_usd + memory_cost_usd + idle_cost_usd + storage_cost_usd +
    /// network_cost_usd + load_balancer_cost_usd`, exactly.
    pub estimated_cost_usd: Usd,
}

impl From<&CostBreakdown> for CostBreakdownDto {
    fn from(cost: &CostBreakdown) -> Self {
        Self {
            cpu_cost_usd: Usd::from(cost.cpu),
            memory_cost_usd: Usd::from(cost.memory),
            idle_cost_usd: Usd::from(cost.idle),
            storage_cost_usd: Usd::from(cost.storage),
            network_cost_usd: Usd::from(cost.network),
            load_balancer_cost_usd: Usd::from(cost.load_balancer),
            estimated_cost_usd: Usd::from(cost.total()),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrendPointDto {
    /// Start of the bucket.
    pub time: DateTime<Utc>,
    pub pod_count: u64,
    #[serde(flatten)]
    pub usage: ResourceUsageDto,
    #[serde(flatten)]
    pub cost: CostBreakdownDto,
}

/// `GET /v1/costs/trends`, oldest bucket first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrendsResponse {
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    /// `hourly`, `daily` or `weekly`.
    pub interval: String,
    pub trends: Vec<TrendPointDto>,
}

/// One pod's usage against its requests.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UtilizationDto {
    pub cluster_name: String,
    pub namespace: String,
    pub pod_name: String,
    pub avg_cpu_usage_millicores: f64,
    pub avg_cpu_request_millicores: f64,
    pub max_cpu_usage_millicores: u64,
    pub avg_memory_usage_bytes: f64,
    pub avg_memory_request_bytes: f64,
    pub max_memory_usage_bytes: u64,
    /// Average usage ÷ average request × 100; `null` when nothing is requested (the seed
    /// reported 0, which reads as "idle" rather than "unbounded").
    pub cpu_utilization_percent: Option<f64>,
    pub memory_utilization_percent: Option<f64>,
    pub cost_usd: Usd,
    pub samples: u64,
}

impl From<&PodUtilization> for UtilizationDto {
    fn from(pod: &PodUtilization) -> Self {
        Self {
            cluster_name: pod.cluster.as_str().to_owned(),
            namespace: pod.namespace.clone(),
            pod_name: pod.pod.clone(),
            avg_cpu_usage_millicores: number(pod.avg_cpu_usage_millicores, 2),
            avg_cpu_request_millicores: number(pod.avg_cpu_request_millicores, 2),
            max_cpu_usage_millicores: pod.max_cpu_usage_millicores,
            avg_memory_usage_bytes: number(pod.avg_memory_usage_bytes, 0),
            avg_memory_request_bytes: number(pod.avg_memory_request_bytes, 0),
            max_memory_usage_bytes: pod.max_memory_usage_bytes,
            cpu_utilization_percent: pod.cpu_utilization_percent().map(|p| number(p, 2)),
            memory_utilization_percent: pod.memory_utilization_percent().map(|p| number(p, 2)),
            cost_usd: Usd::from(pod.cost),
            samples: pod.samples,
        }
    }
}

/// `GET /v1/costs/utilization`, as in seed 1: pods under `metrics`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UtilizationResponse {
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    pub metrics: Vec<UtilizationDto>,
}

/// Hours of `[start, end)` that have elapsed by `now`; `None` if none have.
pub fn elapsed_hours(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<Decimal> {
    let seconds = (end.min(now) - start).num_seconds();
    (seconds > 0).then(|| Decimal::from(seconds) / Decimal::from(3600))
}

/// Length of one trend bucket.
pub fn bucket_length(interval: TrendInterval) -> TimeDelta {
    match interval {
        TrendInterval::Hourly => TimeDelta::hours(1),
        TrendInterval::Daily => TimeDelta::days(1),
        TrendInterval::Weekly => TimeDelta::weeks(1),
    }
}

/// The elapsed hours of a trend bucket starting at `bucket`, clipped to the window.
pub fn bucket_hours(
    bucket: DateTime<Utc>,
    interval: TrendInterval,
    window: &TimeWindow,
    now: DateTime<Utc>,
) -> Option<Decimal> {
    let end = (bucket + bucket_length(interval)).min(window.end());
    elapsed_hours(bucket.max(window.start()), end, now)
}

/// Shared by the cost row conversions: usage averaged over `hours`, and the breakdown.
pub fn usage_and_cost(
    row: &CostRow,
    hours: Option<Decimal>,
) -> (ResourceUsageDto, CostBreakdownDto) {
    (ResourceUsageDto::new(&row.usage, hours), (&row.cost).into())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use kcost_domain::money::Money;

    use super::*;

    #[test]
    fn averages_divide_by_the_elapsed_hours() {
        let usage = ResourceHours {
            cpu_usage_core_hours: Decimal::from(12),
            cpu_request_core_hours: Decimal::from(24),
            memory_usage_gib_hours: Decimal::from(6),
            memory_request_gib_hours: Decimal::ZERO,
        };
        let dto = ResourceUsageDto::new(&usage, Some(Decimal::from(24)));
        assert_eq!(dto.avg_cpu_usage_millicores, 500.0);
        assert_eq!(dto.total_cpu_request_millicores, 1000.0);
        assert_eq!(dto.avg_memory_usage_bytes, (GIB / 4) as f64);
        assert_eq!(
            ResourceUsageDto::new(&usage, None).avg_cpu_usage_millicores,
            0.0
        );
    }

    #[test]
    fn money_is_exact_and_the_total_is_the_sum_of_its_parts() {
        let cost = CostBreakdown {
            cpu: Money::from_decimal(Decimal::new(12_345, 4)),
            memory: Money::from_decimal(Decimal::new(5, 3)),
            idle: Money::from_decimal(Decimal::new(1, 10)),
            ..CostBreakdown::default()
        };
        let dto = serde_json::to_string(&CostBreakdownDto::from(&cost)).unwrap();
        assert_eq!(
            dto,
            r#"{"cpu_cost_usd":1.2345,"memory_cost_usd":0.005,"idle_cost_usd":0.0000000001,"storage_cost_usd":0.0,"network_cost_usd":0.0,"load_balancer_cost_usd":0.0,"estimated_cost_usd":1.2395000001}"#
        );
    }

    #[test]
    fn direct_costs_are_listed_and_in_the_estimate() {
        let cost = CostBreakdown {
            cpu: Money::from_decimal(Decimal::new(12_345, 4)),
            storage: Money::from_decimal(Decimal::new(2_004, 3)),
            network: Money::from_decimal(Decimal::new(3, 3)),
            load_balancer: Money::from_decimal(Decimal::new(5, 1)),
            ..CostBreakdown::default()
        };
        let dto = CostBreakdownDto::from(&cost);
        assert_eq!(dto.storage_cost_usd.amount(), Decimal::new(2_004, 3));
        assert_eq!(dto.network_cost_usd.amount(), Decimal::new(3, 3));
        assert_eq!(dto.load_balancer_cost_usd.amount(), Decimal::new(5, 1));
        // 1.2345 + 2.004 + 0.003 + 0.5
        assert_eq!(dto.estimated_cost_usd.amount(), Decimal::new(37_415, 4));
    }

    #[test]
    fn elapsed_hours_stop_at_now() {
        let start = Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap();
        let now = start + TimeDelta::hours(12);
        assert_eq!(
            elapsed_hours(start, start + TimeDelta::days(1), now),
            Some(Decimal::from(12))
        );
        assert_eq!(elapsed_hours(now, now + TimeDelta::hours(1), now), None);
    }
}
