//! A priced snapshot laid out as the database wants it: one row for `snapshots` and
//! column arrays (one `Vec` per column) for the UNNEST batch inserts. Pure; no I/O.

use std::ops::Range;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Timelike, Utc};
use kcost_domain::cost_engine::{DurationBasis, Placement, PricedSnapshot};
use rust_decimal::Decimal;

/// The `snapshots` row.
#[derive(Debug)]
pub(crate) struct SnapshotRow<'a> {
    pub cluster: &'a str,
    pub ts: DateTime<Utc>,
    /// `ts` truncated to the hour: the rollup key.
    pub hour: DateTime<Utc>,
    /// The UTC day of `ts`: the partition the samples land in.
    pub day: NaiveDate,
    pub duration_seconds: i32,
    pub duration_basis: &'static str,
    pub pod_count: i32,
    pub node_count: i32,
    pub node_cost: Decimal,
    pub idle: Decimal,
    pub off_node_pod_cost: Decimal,
}

impl<'a> SnapshotRow<'a> {
    pub fn new(priced: &'a PricedSnapshot) -> anyhow::Result<Self> {
        let snapshot = priced.snapshot();
        let ts = snapshot.timestamp();
        let totals = priced.totals();
        Ok(Self {
            cluster: snapshot.cluster().as_str(),
            ts,
            hour: hour_of(ts)?,
            day: ts.date_naive(),
            duration_seconds: i32::try_from(priced.duration().seconds)
                .context("sample duration out of range")?,
            duration_basis: basis(priced.duration().basis),
            pod_count: i32::try_from(snapshot.pods().len()).context("too many pods")?,
            node_count: i32::try_from(snapshot.nodes().len()).context("too many nodes")?,
            node_cost: totals.node_cost.amount(),
            idle: totals.idle.amount(),
            off_node_pod_cost: totals.off_node_pod_cost.amount(),
        })
    }
}

/// `t` truncated to the start of its UTC hour.
pub(crate) fn hour_of(t: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
    t.with_nanosecond(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_minute(0))
        .context("timestamp cannot be truncated to the hour")
}

/// Pod sample columns for the pods in one index range of the snapshot.
#[derive(Debug, Default)]
pub(crate) struct PodColumns<'a> {
    pub namespace: Vec<&'a str>,
    pub pod: Vec<&'a str>,
    pub node: Vec<Option<&'a str>>,
    pub placement: Vec<&'static str>,
    pub owner_kind: Vec<Option<&'a str>>,
    pub owner_name: Vec<Option<&'a str>>,
    pub cpu_usage_m: Vec<i64>,
    pub cpu_request_m: Vec<i64>,
    pub cpu_limit_m: Vec<Option<i64>>,
    pub mem_usage_b: Vec<i64>,
    pub mem_request_b: Vec<i64>,
    pub mem_limit_b: Vec<Option<i64>>,
    pub cpu_cost: Vec<Decimal>,
    pub ram_cost: Vec<Decimal>,
    pub cpu_rate: Vec<Decimal>,
    pub ram_rate: Vec<Decimal>,
}

impl<'a> PodColumns<'a> {
    pub fn new(priced: &'a PricedSnapshot, range: Range<usize>) -> anyhow::Result<Self> {
        let samples = &priced.snapshot().pods()[range.clone()];
        let costs = &priced.pods()[range];
        let mut columns = Self::default();
        for (sample, cost) in samples.iter().zip(costs) {
            let figures = &sample.figures;
            columns.namespace.push(&sample.namespace);
            columns.pod.push(&sample.name);
            columns.node.push(sample.node.as_deref());
            columns.placement.push(placement(cost.placement));
            columns
                .owner_kind
                .push(sample.owner.as_ref().map(|o| o.kind.as_str()));
            columns
                .owner_name
                .push(sample.owner.as_ref().map(|o| o.name.as_str()));
            columns.cpu_usage_m.push(big(figures.cpu_usage.get())?);
            columns.cpu_request_m.push(big(figures.cpu_request.get())?);
            columns
                .cpu_limit_m
                .push(figures.cpu_limit.map(|l| big(l.get())).transpose()?);
            columns.mem_usage_b.push(big(figures.memory_usage.get())?);
            columns
                .mem_request_b
                .push(big(figures.memory_request.get())?);
            columns
                .mem_limit_b
                .push(figures.memory_limit.map(|l| big(l.get())).transpose()?);
            columns.cpu_cost.push(cost.cpu_cost.amount());
            columns.ram_cost.push(cost.ram_cost.amount());
            columns.cpu_rate.push(cost.rates.cpu_core_hourly);
            columns.ram_rate.push(cost.rates.ram_gib_hourly);
        }
        Ok(columns)
    }
}

/// Node sample columns for every node of the snapshot.
#[derive(Debug, Default)]
pub(crate) struct NodeColumns<'a> {
    pub node: Vec<&'a str>,
    pub instance_type: Vec<Option<&'a str>>,
    pub cpu_capacity_m: Vec<i64>,
    pub mem_capacity_b: Vec<i64>,
    pub cpu_allocatable_m: Vec<i64>,
    pub mem_allocatable_b: Vec<i64>,
    pub hourly_price: Vec<Decimal>,
    pub price_source: Vec<&'static str>,
    pub cpu_rate: Vec<Decimal>,
    pub ram_rate: Vec<Decimal>,
    pub cpu_cost: Vec<Decimal>,
    pub ram_cost: Vec<Decimal>,
    pub idle_cpu: Vec<Decimal>,
    pub idle_ram: Vec<Decimal>,
    pub overcommit_cpu: Vec<Decimal>,
    pub overcommit_ram: Vec<Decimal>,
}

impl<'a> NodeColumns<'a> {
    pub fn new(priced: &'a PricedSnapshot) -> anyhow::Result<Self> {
        let mut columns = Self::default();
        for (sample, cost) in priced.snapshot().nodes().iter().zip(priced.nodes()) {
            columns.node.push(&sample.name);
            columns.instance_type.push(sample.instance_type.as_deref());
            columns.cpu_capacity_m.push(big(sample.cpu_capacity.get())?);
            columns
                .mem_capacity_b
                .push(big(sample.memory_capacity.get())?);
            columns
                .cpu_allocatable_m
                .push(big(sample.cpu_allocatable.get())?);
            columns
                .mem_allocatable_b
                .push(big(sample.memory_allocatable.get())?);
            columns.hourly_price.push(cost.price.hourly);
            columns.price_source.push(cost.price.source.as_str());
            columns.cpu_rate.push(cost.price.rates.cpu_core_hourly);
            columns.ram_rate.push(cost.price.rates.ram_gib_hourly);
            columns.cpu_cost.push(cost.cpu_cost.amount());
            columns.ram_cost.push(cost.ram_cost.amount());
            columns.idle_cpu.push(cost.idle_cpu.amount());
            columns.idle_ram.push(cost.idle_ram.amount());
            columns.overcommit_cpu.push(cost.overcommit_cpu.amount());
            columns.overcommit_ram.push(cost.overcommit_ram.amount());
        }
        Ok(columns)
    }
}

/// A resource quantity as a PostgreSQL `bigint`.
fn big(value: u64) -> anyhow::Result<i64> {
    i64::try_from(value).with_context(|| format!("quantity {value} exceeds the bigint range"))
}

fn placement(placement: Placement) -> &'static str {
    match placement {
        Placement::OnNode => "on_node",
        Placement::Pending => "pending",
        Placement::UnknownNode => "unknown_node",
    }
}

fn basis(basis: DurationBasis) -> &'static str {
    match basis {
        DurationBasis::Declared => "declared",
        DurationBasis::GapToPrevious => "gap_to_previous",
        DurationBasis::Default => "default",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn hours_truncate_minutes_seconds_and_fractions() {
        let t = Utc.with_ymd_and_hms(2026, 11, 20, 9, 59, 59).unwrap()
            + chrono::Duration::milliseconds(999);
        assert_eq!(
            hour_of(t).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap()
        );
    }

    #[test]
    fn quantities_beyond_bigint_are_refused() {
        assert_eq!(big(42).unwrap(), 42);
        assert!(big(u64::MAX).is_err());
    }
}
