//! The shared decoders over a row held in memory: which columns they read, NULL sums as
//! zero, and the rows they reject.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::*;
use crate::test_values::{at, cluster, money};
use kcost_domain::costs::TrendInterval;
use kcost_domain::snapshot::Owner;

/// A column's value as the test row holds it.
#[derive(Debug, Clone)]
enum Value {
    Text(&'static str),
    Integer(i64),
    Decimal(Decimal),
    Money(Money),
    Instant(DateTime<Utc>),
    Null,
}

/// A row by column name; a column it does not hold is an error, as in a store.
#[derive(Debug, Default)]
struct Row(BTreeMap<&'static str, Value>);

impl Row {
    fn with(mut self, column: &'static str, value: Value) -> Self {
        self.0.insert(column, value);
        self
    }
}

#[derive(Debug, PartialEq)]
enum Failure {
    Decode(DecodeError),
    Column(String),
}

impl From<DecodeError> for Failure {
    fn from(error: DecodeError) -> Self {
        Self::Decode(error)
    }
}

impl Row {
    fn get(&self, column: &str) -> Result<&Value, Failure> {
        self.0
            .get(column)
            .ok_or_else(|| Failure::Column(column.to_owned()))
    }

    fn wrong(column: &str) -> Failure {
        Failure::Column(format!("{column} has another type"))
    }
}

impl ResultRow for Row {
    type Error = Failure;

    fn text(&self, column: &str) -> Result<Option<String>, Failure> {
        match self.get(column)? {
            Value::Text(text) => Ok(Some((*text).to_owned())),
            Value::Null => Ok(None),
            _ => Err(Self::wrong(column)),
        }
    }

    fn integer(&self, column: &str) -> Result<Option<i64>, Failure> {
        match self.get(column)? {
            Value::Integer(value) => Ok(Some(*value)),
            Value::Null => Ok(None),
            _ => Err(Self::wrong(column)),
        }
    }

    fn decimal(&self, column: &str) -> Result<Decimal, Failure> {
        match self.get(column)? {
            Value::Decimal(value) => Ok(*value),
            _ => Err(Self::wrong(column)),
        }
    }

    fn money(&self, column: &str) -> Result<Money, Failure> {
        match self.get(column)? {
            Value::Money(value) => Ok(*value),
            Value::Null => Ok(Money::ZERO),
            _ => Err(Self::wrong(column)),
        }
    }

    fn resource_seconds(&self, column: &str) -> Result<Decimal, Failure> {
        match self.get(column)? {
            Value::Decimal(value) => Ok(*value),
            Value::Null => Ok(Decimal::ZERO),
            _ => Err(Self::wrong(column)),
        }
    }

    fn instant(&self, column: &str) -> Result<Option<DateTime<Utc>>, Failure> {
        match self.get(column)? {
            Value::Instant(value) => Ok(Some(*value)),
            Value::Null => Ok(None),
            _ => Err(Self::wrong(column)),
        }
    }

    fn seconds(&self, column: &str) -> Result<u32, Failure> {
        match self.get(column)? {
            Value::Integer(value) => u32::try_from(*value).map_err(|_| Self::wrong(column)),
            _ => Err(Self::wrong(column)),
        }
    }
}

/// A row with every key column, as the pod grouping selects them.
fn keyed() -> Row {
    Row::default()
        .with("k_cluster", Value::Text("prod"))
        .with("k_namespace", Value::Text("web"))
        .with("k_pod", Value::Text("api"))
        .with("k_bucket", Value::Instant(at(9, 0)))
}

#[test]
fn each_grouping_reads_its_key_columns() {
    let cases = [
        (CostGrouping::Cluster, CostKey::Cluster(cluster("prod"))),
        (CostGrouping::Namespace, CostKey::Namespace("web".into())),
        (
            CostGrouping::Pod,
            CostKey::Pod {
                cluster: cluster("prod"),
                namespace: "web".into(),
                pod: "api".into(),
            },
        ),
        (
            CostGrouping::Time(TrendInterval::Daily),
            CostKey::Time(at(9, 0)),
        ),
    ];
    for (grouping, key) in cases {
        assert_eq!(cost_key(grouping, &keyed()), Ok(key), "{grouping:?}");
    }
}

#[test]
fn a_null_or_invalid_key_is_rejected() {
    let null = keyed().with("k_namespace", Value::Null);
    assert_eq!(
        cost_key(CostGrouping::Namespace, &null),
        Err(Failure::Decode(DecodeError::Null("k_namespace".into())))
    );
    let invalid = keyed().with("k_cluster", Value::Text(" "));
    assert!(matches!(
        cost_key(CostGrouping::Cluster, &invalid),
        Err(Failure::Decode(DecodeError::ClusterName(_)))
    ));
}

fn allocation() -> Row {
    let mut row = keyed()
        .with("cpu_cost", Value::Money(money(300)))
        .with("ram_cost", Value::Money(money(200)))
        .with("storage_cost", Value::Money(money(5)))
        .with("network_cost", Value::Null)
        .with("load_balancer_cost", Value::Money(money(1)))
        .with("pod_count", Value::Integer(3))
        .with("namespace_count", Value::Integer(1))
        .with("idle", Value::Money(money(40)));
    for column in ["cpu_usage_mcs", "cpu_request_mcs"] {
        row = row.with(column, Value::Decimal(Decimal::from(3_600_000)));
    }
    for column in ["mem_usage_bs", "mem_request_bs"] {
        row = row.with(column, Value::Null);
    }
    row
}

#[test]
fn allocation_rows_carry_pod_costs_hours_and_counts() {
    let row = allocation_row(CostGrouping::Cluster, &allocation()).unwrap();
    assert_eq!(row.key, CostKey::Cluster(cluster("prod")));
    assert_eq!(
        row.cost,
        CostBreakdown {
            cpu: money(300),
            memory: money(200),
            idle: Money::ZERO,
            storage: money(5),
            network: Money::ZERO,
            load_balancer: money(1),
        }
    );
    assert_eq!(row.usage.cpu_usage_core_hours, Decimal::ONE);
    assert_eq!(row.usage.memory_request_gib_hours, Decimal::ZERO);
    assert_eq!((row.pod_count, row.namespace_count), (3, 1));
    assert_eq!(
        idle_row(CostGrouping::Cluster, &allocation()),
        Ok((CostKey::Cluster(cluster("prod")), money(40)))
    );
}

#[test]
fn a_negative_count_is_rejected() {
    let row = allocation().with("pod_count", Value::Integer(-1));
    assert_eq!(
        allocation_row(CostGrouping::Pod, &row),
        Err(Failure::Decode(DecodeError::Negative {
            column: "pod_count".into(),
            value: -1
        }))
    );
}

#[test]
fn utilization_sums_read_null_sums_as_zero() {
    let mut row = Row::default()
        .with("cluster", Value::Text("prod"))
        .with("namespace", Value::Text("web"))
        .with("pod", Value::Text("api"))
        .with("cost", Value::Money(money(7)))
        .with("max_cpu_usage_m", Value::Integer(400))
        .with("samples", Value::Integer(2))
        .with("seconds", Value::Integer(1200));
    for column in [
        "cpu_usage_mcs",
        "cpu_request_mcs",
        "mem_usage_bs",
        "mem_request_bs",
        "max_mem_usage_b",
    ] {
        row = row.with(column, Value::Null);
    }
    let sums = utilization_sums(&row).unwrap();
    assert_eq!((sums.pod.as_str(), sums.cost), ("api", money(7)));
    assert_eq!(sums.cpu_usage_mcs, Decimal::ZERO);
    assert_eq!(
        (sums.max_cpu_usage_millicores, sums.max_memory_usage_bytes),
        (400, 0)
    );
    assert_eq!((sums.samples, sums.seconds), (2, 1200));
}

#[test]
fn usage_samples_read_every_listed_column() {
    let mut row = Row::default()
        .with("ts", Value::Instant(at(9, 10)))
        .with("duration_seconds", Value::Integer(600))
        .with("owner_kind", Value::Text("Deployment"))
        .with("owner_name", Value::Text("api"))
        .with("cpu_limit_m", Value::Null)
        .with("mem_limit_b", Value::Integer(1 << 30))
        .with("cpu_rate", Value::Decimal(Decimal::new(3, 2)))
        .with("ram_rate", Value::Decimal(Decimal::new(4, 3)));
    for (column, value) in [("cluster", "prod"), ("namespace", "web"), ("pod", "api-0")] {
        row = row.with(column, Value::Text(value));
    }
    for (column, value) in [
        ("cpu_usage_m", 120),
        ("cpu_request_m", 250),
        ("mem_usage_b", 7),
        ("mem_request_b", 8),
    ] {
        row = row.with(column, Value::Integer(value));
    }
    // The row holds exactly the listed columns, and a column it does not hold fails.
    let mut listed: Vec<&str> = USAGE_SAMPLE_COLUMNS.split(", ").collect();
    listed.sort_unstable();
    assert_eq!(listed, row.0.keys().copied().collect::<Vec<_>>());
    let sample = usage_sample(&row).unwrap();
    assert_eq!(sample.cluster, cluster("prod"));
    assert_eq!(
        sample.owner,
        Some(Owner {
            kind: "Deployment".into(),
            name: "api".into()
        })
    );
    assert_eq!(sample.rates.ram_gib_hourly, Decimal::new(4, 3));
    assert_eq!((sample.point.at, sample.point.seconds), (at(9, 10), 600));
    let figures = sample.point.figures;
    assert_eq!(figures.cpu_request, Millicores::new(250));
    assert_eq!(figures.cpu_limit, None);
    assert_eq!(figures.memory_limit, Some(Bytes::new(1 << 30)));
}
