//! Result rows decoded into domain values the same way by both stores: which columns a
//! query must select (`k_cluster`, `cpu_cost`, …) and what each becomes is decided here
//! once. A store supplies only how one value is encoded in its dialect ([`ResultRow`]):
//! SQLite keeps money as INTEGER units, decimals as TEXT and instants as unix seconds,
//! PostgreSQL NUMERIC and timestamptz.

use std::fmt;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use kcost_domain::cluster::{ClusterName, ClusterNameError};
use kcost_domain::costs::{CostBreakdown, CostGrouping, CostKey, CostRow, UsagePoint};
use kcost_domain::money::Money;
use kcost_domain::pricing::ResourceRates;
use kcost_domain::quantity::{Bytes, Millicores};
use kcost_domain::snapshot::ResourceFigures;

use crate::costs::resource_hours;
use crate::usage::{PodUsageSample, owner_from_columns};
use crate::utilization::UtilizationSums;

/// One row of a store's query result, read by column name in the store's encoding.
pub trait ResultRow {
    /// The store's own decode error; the shared decoders' [`DecodeError`]s convert into it.
    type Error: From<DecodeError>;

    /// A text column (`None`: NULL).
    fn text(&self, column: &str) -> Result<Option<String>, Self::Error>;

    /// An integer column: a quantity, a count or a sum of either (`None`: NULL).
    fn integer(&self, column: &str) -> Result<Option<i64>, Self::Error>;

    /// A stored decimal, such as a rate.
    fn decimal(&self, column: &str) -> Result<Decimal, Self::Error>;

    /// An amount of money or a sum of amounts (NULL, a sum over no rows: zero).
    fn money(&self, column: &str) -> Result<Money, Self::Error>;

    /// A sum of resource-seconds, as the store's SQL sums them exactly (NULL: zero).
    fn resource_seconds(&self, column: &str) -> Result<Decimal, Self::Error>;

    /// An instant (`None`: NULL).
    fn instant(&self, column: &str) -> Result<Option<DateTime<Utc>>, Self::Error>;

    /// A sample's duration in whole seconds.
    fn seconds(&self, column: &str) -> Result<u32, Self::Error>;
}

/// Why a shared decoder rejected a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// A column that must hold a value is NULL.
    Null(String),
    /// A quantity or count column holds a negative number.
    Negative { column: String, value: i64 },
    /// A stored cluster name is not a valid one.
    ClusterName(ClusterNameError),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null(column) => write!(f, "{column} is NULL"),
            Self::Negative { column, value } => {
                write!(f, "{column}: stored value {value} is negative")
            }
            Self::ClusterName(_) => f.write_str("stored cluster name is invalid"),
        }
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::ClusterName(error) => Some(error),
            Self::Null(_) | Self::Negative { .. } => None,
        }
    }
}

fn required<T>(value: Option<T>, column: &str) -> Result<T, DecodeError> {
    value.ok_or_else(|| DecodeError::Null(column.to_owned()))
}

fn text<R: ResultRow>(row: &R, column: &str) -> Result<String, R::Error> {
    Ok(required(row.text(column)?, column)?)
}

fn cluster<R: ResultRow>(row: &R, column: &str) -> Result<ClusterName, R::Error> {
    Ok(ClusterName::new(text(row, column)?).map_err(DecodeError::ClusterName)?)
}

fn non_negative(value: i64, column: &str) -> Result<u64, DecodeError> {
    u64::try_from(value).map_err(|_| DecodeError::Negative {
        column: column.to_owned(),
        value,
    })
}

/// A quantity or count that must be there.
fn unsigned<R: ResultRow>(row: &R, column: &str) -> Result<u64, R::Error> {
    Ok(non_negative(
        required(row.integer(column)?, column)?,
        column,
    )?)
}

/// A sum of quantities or counts (NULL, a sum over no rows: zero).
fn unsigned_sum<R: ResultRow>(row: &R, column: &str) -> Result<u64, R::Error> {
    Ok(non_negative(
        row.integer(column)?.unwrap_or_default(),
        column,
    )?)
}

fn optional_unsigned<R: ResultRow>(row: &R, column: &str) -> Result<Option<u64>, R::Error> {
    Ok(row
        .integer(column)?
        .map(|value| non_negative(value, column))
        .transpose()?)
}

/// The key of a cost query's row from its key columns `k_cluster`, `k_namespace`, `k_pod`
/// (text) and `k_bucket` (an instant), each NULL where the grouping has none.
pub fn cost_key<R: ResultRow>(grouping: CostGrouping, row: &R) -> Result<CostKey, R::Error> {
    Ok(match grouping {
        CostGrouping::Cluster => CostKey::Cluster(cluster(row, "k_cluster")?),
        CostGrouping::Namespace => CostKey::Namespace(text(row, "k_namespace")?),
        CostGrouping::Pod => CostKey::Pod {
            cluster: cluster(row, "k_cluster")?,
            namespace: text(row, "k_namespace")?,
            pod: text(row, "k_pod")?,
        },
        CostGrouping::Time(_) => CostKey::Time(required(row.instant("k_bucket")?, "k_bucket")?),
    })
}

/// What pods cost, from `cpu_cost`, `ram_cost`, `storage_cost`, `network_cost` and
/// `load_balancer_cost`; pods have no idle.
pub fn pod_costs<R: ResultRow>(row: &R) -> Result<CostBreakdown, R::Error> {
    Ok(CostBreakdown {
        cpu: row.money("cpu_cost")?,
        memory: row.money("ram_cost")?,
        idle: Money::ZERO,
        storage: row.money("storage_cost")?,
        network: row.money("network_cost")?,
        load_balancer: row.money("load_balancer_cost")?,
    })
}

/// One allocation row of a cost query: its key ([`cost_key`]), its costs ([`pod_costs`]),
/// the resource-second sums `cpu_usage_mcs`, `cpu_request_mcs`, `mem_usage_bs` and
/// `mem_request_bs` as resource-hours, and the distinct counts `pod_count` and
/// `namespace_count`.
pub fn allocation_row<R: ResultRow>(grouping: CostGrouping, row: &R) -> Result<CostRow, R::Error> {
    Ok(CostRow {
        key: cost_key(grouping, row)?,
        cost: pod_costs(row)?,
        usage: resource_hours(
            row.resource_seconds("cpu_usage_mcs")?,
            row.resource_seconds("cpu_request_mcs")?,
            row.resource_seconds("mem_usage_bs")?,
            row.resource_seconds("mem_request_bs")?,
        ),
        pod_count: unsigned(row, "pod_count")?,
        namespace_count: unsigned(row, "namespace_count")?,
    })
}

/// One idle sum of a cost query: its key ([`cost_key`]) and `idle`.
pub fn idle_row<R: ResultRow>(
    grouping: CostGrouping,
    row: &R,
) -> Result<(CostKey, Money), R::Error> {
    Ok((cost_key(grouping, row)?, row.money("idle")?))
}

/// One pod's utilization sums: `cluster`, `namespace`, `pod`, `cost`, the resource-second
/// sums `cpu_usage_mcs`, `cpu_request_mcs`, `mem_usage_bs` and `mem_request_bs`, the
/// maxima `max_cpu_usage_m` and `max_mem_usage_b`, and the `samples` and `seconds` summed.
pub fn utilization_sums<R: ResultRow>(row: &R) -> Result<UtilizationSums, R::Error> {
    Ok(UtilizationSums {
        cluster: cluster(row, "cluster")?,
        namespace: text(row, "namespace")?,
        pod: text(row, "pod")?,
        cost: row.money("cost")?,
        cpu_usage_mcs: row.resource_seconds("cpu_usage_mcs")?,
        cpu_request_mcs: row.resource_seconds("cpu_request_mcs")?,
        mem_usage_bs: row.resource_seconds("mem_usage_bs")?,
        mem_request_bs: row.resource_seconds("mem_request_bs")?,
        max_cpu_usage_millicores: unsigned_sum(row, "max_cpu_usage_m")?,
        max_memory_usage_bytes: unsigned_sum(row, "max_mem_usage_b")?,
        samples: unsigned_sum(row, "samples")?,
        seconds: unsigned_sum(row, "seconds")?,
    })
}

/// The columns of `pod_samples_named` that [`usage_sample`] reads, for a SELECT list.
pub const USAGE_SAMPLE_COLUMNS: &str = "cluster, namespace, pod, ts, duration_seconds, \
    owner_kind, owner_name, cpu_usage_m, cpu_request_m, cpu_limit_m, mem_usage_b, \
    mem_request_b, mem_limit_b, cpu_rate, ram_rate";

/// The raw pod samples matching `condition` (on `pod_samples_named`, in the store's
/// parameters), with the [`USAGE_SAMPLE_COLUMNS`], in the order `group_usage_samples`
/// needs: by cluster, namespace, pod and time.
pub fn usage_samples_sql(condition: &str) -> String {
    format!(
        "SELECT {USAGE_SAMPLE_COLUMNS} FROM pod_samples_named WHERE {condition}
         ORDER BY cluster, namespace, pod, ts"
    )
}

/// One raw pod sample from the [`USAGE_SAMPLE_COLUMNS`].
pub fn usage_sample<R: ResultRow>(row: &R) -> Result<PodUsageSample, R::Error> {
    let figures = ResourceFigures {
        cpu_usage: Millicores::new(unsigned(row, "cpu_usage_m")?),
        memory_usage: Bytes::new(unsigned(row, "mem_usage_b")?),
        cpu_request: Millicores::new(unsigned(row, "cpu_request_m")?),
        memory_request: Bytes::new(unsigned(row, "mem_request_b")?),
        cpu_limit: optional_unsigned(row, "cpu_limit_m")?.map(Millicores::new),
        memory_limit: optional_unsigned(row, "mem_limit_b")?.map(Bytes::new),
    };
    Ok(PodUsageSample {
        cluster: cluster(row, "cluster")?,
        namespace: text(row, "namespace")?,
        pod: text(row, "pod")?,
        owner: owner_from_columns(row.text("owner_kind")?, row.text("owner_name")?),
        rates: ResourceRates {
            cpu_core_hourly: row.decimal("cpu_rate")?,
            ram_gib_hourly: row.decimal("ram_rate")?,
        },
        point: UsagePoint {
            at: required(row.instant("ts")?, "ts")?,
            seconds: row.seconds("duration_seconds")?,
            figures,
        },
    })
}

#[cfg(test)]
#[path = "result_row_tests.rs"]
mod tests;
