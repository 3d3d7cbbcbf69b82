//! The vocabulary of cost questions: how costs are grouped and filtered, and the rows a
//! store answers with. Stores sum; they never price (pricing happened at ingest).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::cluster::ClusterName;
use crate::money::Money;
use crate::pricing::ResourceRates;
use crate::snapshot::{Owner, ResourceFigures};
use crate::window::TimeWindow;

/// "Monthly" in every projection: 730 hours, as OpenCost and the cloud providers use.
pub const HOURS_PER_MONTH: u32 = 730;

/// Bucket size of a cost trend (`interval` in the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrendInterval {
    Hourly,
    Daily,
    /// Weeks start on Monday 00:00 UTC (ISO 8601).
    Weekly,
}

impl TrendInterval {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Hourly => "hourly",
            Self::Daily => "daily",
            Self::Weekly => "weekly",
        }
    }
}

impl fmt::Display for TrendInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("interval must be one of hourly, daily, weekly (got {0:?})")]
pub struct TrendIntervalError(pub String);

impl FromStr for TrendInterval {
    type Err = TrendIntervalError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "hourly" | "hour" => Ok(Self::Hourly),
            "daily" | "day" => Ok(Self::Daily),
            "weekly" | "week" => Ok(Self::Weekly),
            _ => Err(TrendIntervalError(s.to_owned())),
        }
    }
}

/// What cost rows are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostGrouping {
    Cluster,
    /// Namespaces across the tenant's clusters (one row per namespace name), unless the
    /// filter names a cluster.
    Namespace,
    Pod,
    Time(TrendInterval),
}

/// Optional narrowing of a cost query. Always within one tenant: the tenant is a separate,
/// mandatory argument of every store call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CostFilter {
    pub cluster: Option<ClusterName>,
    pub namespace: Option<String>,
}

/// A cost question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostQuery {
    pub window: TimeWindow,
    pub grouping: CostGrouping,
    pub filter: CostFilter,
}

/// The group a row stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostKey {
    Cluster(ClusterName),
    Namespace(String),
    Pod {
        cluster: ClusterName,
        namespace: String,
        pod: String,
    },
    /// The start of the bucket.
    Time(DateTime<Utc>),
}

/// Cost split by resource. `idle` is the unallocated part of node cost; it is only
/// non-zero for cluster and time groupings (idle belongs to nodes, not to namespaces).
/// `storage`, `network` and `load_balancer` are pods' direct costs (see
/// [`DirectCosts`](crate::cost_engine::DirectCosts)): zero for agent-fed data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostBreakdown {
    pub cpu: Money,
    pub memory: Money,
    pub idle: Money,
    #[serde(default)]
    pub storage: Money,
    #[serde(default)]
    pub network: Money,
    #[serde(default)]
    pub load_balancer: Money,
}

impl CostBreakdown {
    /// Allocated compute cost (CPU + memory): the part taken from node cost, without idle
    /// and without direct costs.
    pub fn allocated(&self) -> Money {
        self.cpu + self.memory
    }

    /// Storage + network + load balancer: costs charged to pods directly.
    pub fn direct(&self) -> Money {
        self.storage + self.network + self.load_balancer
    }

    /// Allocated plus direct plus idle: everything.
    pub fn total(&self) -> Money {
        self.allocated() + self.direct() + self.idle
    }
}

/// Resource-time sums: what was used and requested over the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceHours {
    pub cpu_usage_core_hours: Decimal,
    pub cpu_request_core_hours: Decimal,
    pub memory_usage_gib_hours: Decimal,
    pub memory_request_gib_hours: Decimal,
}

/// One row of a cost answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostRow {
    pub key: CostKey,
    pub cost: CostBreakdown,
    pub usage: ResourceHours,
    /// Distinct pods seen in the group over the window.
    pub pod_count: u64,
    /// Distinct namespaces seen in the group over the window.
    pub namespace_count: u64,
}

/// A pod's usage against its requests over a window (the `utilization` endpoint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodUtilization {
    pub cluster: ClusterName,
    pub namespace: String,
    pub pod: String,
    /// Time-weighted averages in millicores and bytes.
    pub avg_cpu_usage_millicores: Decimal,
    pub avg_cpu_request_millicores: Decimal,
    pub max_cpu_usage_millicores: u64,
    pub avg_memory_usage_bytes: Decimal,
    pub avg_memory_request_bytes: Decimal,
    pub max_memory_usage_bytes: u64,
    pub cost: Money,
    pub samples: u64,
}

impl PodUtilization {
    /// Average CPU usage as a percentage of the average request; `None` without requests.
    pub fn cpu_utilization_percent(&self) -> Option<Decimal> {
        percent(
            self.avg_cpu_usage_millicores,
            self.avg_cpu_request_millicores,
        )
    }

    /// Average memory usage as a percentage of the average request; `None` without requests.
    pub fn memory_utilization_percent(&self) -> Option<Decimal> {
        percent(self.avg_memory_usage_bytes, self.avg_memory_request_bytes)
    }
}

fn percent(part: Decimal, whole: Decimal) -> Option<Decimal> {
    (whole > Decimal::ZERO).then(|| (part * Decimal::ONE_HUNDRED / whole).round_dp(2))
}

/// One sample of a pod's usage, for the recommender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsagePoint {
    pub at: DateTime<Utc>,
    pub seconds: u32,
    pub figures: ResourceFigures,
}

/// A pod's usage history with the rates it was priced at (the latest sample's), so advice
/// can be turned into money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodUsageSeries {
    pub cluster: ClusterName,
    pub namespace: String,
    pub pod: String,
    pub owner: Option<Owner>,
    pub rates: ResourceRates,
    pub points: Vec<UsagePoint>,
}

/// One container's usage history: `usage` is its pod's series (identity, owner, the rates
/// of the pod's latest sample) whose points carry the container's own figures, each held
/// for its pod sample's duration. Rates are per unit of resource, so a container's change
/// priced at them is its share of the pod's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerUsageSeries {
    pub container: String,
    pub usage: PodUsageSeries,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trend_intervals_parse_the_v1_apis_words() {
        assert_eq!("hourly".parse::<TrendInterval>(), Ok(TrendInterval::Hourly));
        assert_eq!("Daily".parse::<TrendInterval>(), Ok(TrendInterval::Daily));
        assert_eq!("weekly".parse::<TrendInterval>(), Ok(TrendInterval::Weekly));
        let err = "monthly".parse::<TrendInterval>().unwrap_err();
        assert!(err.to_string().contains("hourly, daily, weekly"));
    }

    #[test]
    fn breakdown_totals() {
        let m = |c| Money::from_decimal(Decimal::new(c, 2));
        let b = CostBreakdown {
            cpu: m(150),
            memory: m(50),
            idle: m(25),
            ..CostBreakdown::default()
        };
        assert_eq!(b.allocated(), m(200));
        assert_eq!(b.total(), m(225));
        let with_direct = CostBreakdown {
            storage: m(7),
            network: m(2),
            load_balancer: m(1),
            ..b
        };
        assert_eq!(with_direct.allocated(), m(200));
        assert_eq!(with_direct.direct(), m(10));
        assert_eq!(with_direct.total(), m(235));
    }

    #[test]
    fn utilization_percentages() {
        let u = PodUtilization {
            cluster: ClusterName::new("c").unwrap(),
            namespace: "n".into(),
            pod: "p".into(),
            avg_cpu_usage_millicores: Decimal::from(50),
            avg_cpu_request_millicores: Decimal::from(200),
            max_cpu_usage_millicores: 90,
            avg_memory_usage_bytes: Decimal::from(10),
            avg_memory_request_bytes: Decimal::ZERO,
            max_memory_usage_bytes: 10,
            cost: Money::ZERO,
            samples: 3,
        };
        assert_eq!(u.cpu_utilization_percent(), Some(Decimal::from(25)));
        assert_eq!(u.memory_utilization_percent(), None);
    }
}
