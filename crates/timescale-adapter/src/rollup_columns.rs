//! The namespace and node rollup rows of one snapshot, computed in memory as column arrays
//! for the UNNEST upserts. One snapshot lies in one hour, so each rollup key appears at
//! most once per snapshot. Pure; no I/O.
//!
//! Costs are `Money` amounts, already at the stored scale (10 places), so sums here equal
//! the sums PostgreSQL would compute over the stored samples, digit for digit.

use std::collections::BTreeMap;

use anyhow::Context;
use kcost_domain::cost_engine::PricedSnapshot;
use rust_decimal::Decimal;

use crate::rows::big;

/// Each pod's key and figures: the input of the namespace sums and of pod presence.
#[derive(Debug, Default)]
pub(crate) struct PodRollupColumns<'a> {
    pub namespace: Vec<&'a str>,
    pub pod: Vec<&'a str>,
    pub cpu_cost: Vec<Decimal>,
    pub ram_cost: Vec<Decimal>,
    pub storage_cost: Vec<Decimal>,
    pub network_cost: Vec<Decimal>,
    pub load_balancer_cost: Vec<Decimal>,
    pub cpu_usage_m: Vec<i64>,
    pub cpu_request_m: Vec<i64>,
    pub mem_usage_b: Vec<i64>,
    pub mem_request_b: Vec<i64>,
}

impl<'a> PodRollupColumns<'a> {
    pub fn new(priced: &'a PricedSnapshot) -> anyhow::Result<Self> {
        let mut columns = Self::default();
        for (sample, cost) in priced.snapshot().pods().iter().zip(priced.pods()) {
            let figures = &sample.figures;
            columns.namespace.push(&sample.namespace);
            columns.pod.push(&sample.name);
            columns.cpu_cost.push(cost.cpu_cost.amount());
            columns.ram_cost.push(cost.ram_cost.amount());
            columns.storage_cost.push(cost.direct.storage.amount());
            columns.network_cost.push(cost.direct.network.amount());
            columns
                .load_balancer_cost
                .push(cost.direct.load_balancer.amount());
            columns.cpu_usage_m.push(big(figures.cpu_usage.get())?);
            columns.cpu_request_m.push(big(figures.cpu_request.get())?);
            columns.mem_usage_b.push(big(figures.memory_usage.get())?);
            columns
                .mem_request_b
                .push(big(figures.memory_request.get())?);
        }
        Ok(columns)
    }
}

/// One `node_idle_hourly` row per node.
#[derive(Debug, Default)]
pub(crate) struct NodeRollupColumns<'a> {
    pub node: Vec<&'a str>,
    pub cpu_cost: Vec<Decimal>,
    pub ram_cost: Vec<Decimal>,
    pub idle_cpu: Vec<Decimal>,
    pub idle_ram: Vec<Decimal>,
    pub overcommit_cpu: Vec<Decimal>,
    pub overcommit_ram: Vec<Decimal>,
}

impl<'a> NodeRollupColumns<'a> {
    pub fn new(priced: &'a PricedSnapshot) -> Self {
        let mut columns = Self::default();
        for (sample, cost) in priced.snapshot().nodes().iter().zip(priced.nodes()) {
            columns.node.push(&sample.name);
            columns.cpu_cost.push(cost.cpu_cost.amount());
            columns.ram_cost.push(cost.ram_cost.amount());
            columns.idle_cpu.push(cost.idle_cpu.amount());
            columns.idle_ram.push(cost.idle_ram.amount());
            columns.overcommit_cpu.push(cost.overcommit_cpu.amount());
            columns.overcommit_ram.push(cost.overcommit_ram.amount());
        }
        columns
    }
}

/// One `namespace_costs_hourly` row per namespace: the pod rows summed.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct NamespaceRollupColumns<'a> {
    pub namespace: Vec<&'a str>,
    pub cpu_cost: Vec<Decimal>,
    pub ram_cost: Vec<Decimal>,
    pub storage_cost: Vec<Decimal>,
    pub network_cost: Vec<Decimal>,
    pub load_balancer_cost: Vec<Decimal>,
    pub cpu_usage_mcs: Vec<Decimal>,
    pub cpu_request_mcs: Vec<Decimal>,
    pub mem_usage_bs: Vec<Decimal>,
    pub mem_request_bs: Vec<Decimal>,
    pub sample_count: Vec<i32>,
}

#[derive(Debug, Default)]
struct NamespaceSums {
    cpu_cost: Decimal,
    ram_cost: Decimal,
    storage_cost: Decimal,
    network_cost: Decimal,
    load_balancer_cost: Decimal,
    cpu_usage_mcs: Decimal,
    cpu_request_mcs: Decimal,
    mem_usage_bs: Decimal,
    mem_request_bs: Decimal,
    sample_count: i32,
}

impl<'a> NamespaceRollupColumns<'a> {
    /// Sums `pods` per namespace; resource-seconds are quantity × `duration_seconds`.
    pub fn new(pods: &PodRollupColumns<'a>, duration_seconds: i32) -> anyhow::Result<Self> {
        let seconds = Decimal::from(duration_seconds);
        let times = |quantity: i64| {
            Decimal::from(quantity)
                .checked_mul(seconds)
                .context("resource-seconds overflow")
        };
        let add = |sum: &mut Decimal, value: Decimal| -> anyhow::Result<()> {
            *sum = sum.checked_add(value).context("namespace sum overflow")?;
            Ok(())
        };
        let mut by_namespace: BTreeMap<&'a str, NamespaceSums> = BTreeMap::new();
        for i in 0..pods.namespace.len() {
            let sums = by_namespace.entry(pods.namespace[i]).or_default();
            add(&mut sums.cpu_cost, pods.cpu_cost[i])?;
            add(&mut sums.ram_cost, pods.ram_cost[i])?;
            add(&mut sums.storage_cost, pods.storage_cost[i])?;
            add(&mut sums.network_cost, pods.network_cost[i])?;
            add(&mut sums.load_balancer_cost, pods.load_balancer_cost[i])?;
            add(&mut sums.cpu_usage_mcs, times(pods.cpu_usage_m[i])?)?;
            add(&mut sums.cpu_request_mcs, times(pods.cpu_request_m[i])?)?;
            add(&mut sums.mem_usage_bs, times(pods.mem_usage_b[i])?)?;
            add(&mut sums.mem_request_bs, times(pods.mem_request_b[i])?)?;
            sums.sample_count = sums
                .sample_count
                .checked_add(1)
                .context("too many samples")?;
        }
        let mut columns = Self::default();
        for (namespace, sums) in by_namespace {
            columns.namespace.push(namespace);
            columns.cpu_cost.push(sums.cpu_cost);
            columns.ram_cost.push(sums.ram_cost);
            columns.storage_cost.push(sums.storage_cost);
            columns.network_cost.push(sums.network_cost);
            columns.load_balancer_cost.push(sums.load_balancer_cost);
            columns.cpu_usage_mcs.push(sums.cpu_usage_mcs);
            columns.cpu_request_mcs.push(sums.cpu_request_mcs);
            columns.mem_usage_bs.push(sums.mem_usage_bs);
            columns.mem_request_bs.push(sums.mem_request_bs);
            columns.sample_count.push(sums.sample_count);
        }
        Ok(columns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pods() -> PodRollupColumns<'static> {
        PodRollupColumns {
            namespace: vec!["web", "db", "web"],
            pod: vec!["a", "b", "c"],
            cpu_cost: vec![Decimal::new(1, 10), Decimal::new(5, 1), Decimal::new(2, 10)],
            ram_cost: vec![Decimal::ONE, Decimal::TWO, Decimal::new(3, 0)],
            storage_cost: vec![Decimal::new(7, 10), Decimal::ZERO, Decimal::new(1, 10)],
            network_cost: vec![Decimal::ZERO, Decimal::new(4, 2), Decimal::ZERO],
            load_balancer_cost: vec![Decimal::ONE, Decimal::ZERO, Decimal::ONE],
            cpu_usage_m: vec![100, 200, 300],
            cpu_request_m: vec![1, 2, 3],
            mem_usage_b: vec![i64::MAX, 0, i64::MAX],
            mem_request_b: vec![10, 20, 30],
        }
    }

    #[test]
    fn namespaces_sum_their_pods_exactly() {
        let sums = NamespaceRollupColumns::new(&pods(), 600).unwrap();
        let max_times_600 = Decimal::from(i64::MAX) * Decimal::from(600);
        assert_eq!(
            sums,
            NamespaceRollupColumns {
                namespace: vec!["db", "web"],
                cpu_cost: vec![Decimal::new(5, 1), Decimal::new(3, 10)],
                ram_cost: vec![Decimal::TWO, Decimal::new(4, 0)],
                storage_cost: vec![Decimal::ZERO, Decimal::new(8, 10)],
                network_cost: vec![Decimal::new(4, 2), Decimal::ZERO],
                load_balancer_cost: vec![Decimal::ZERO, Decimal::TWO],
                cpu_usage_mcs: vec![Decimal::from(120_000), Decimal::from(240_000)],
                cpu_request_mcs: vec![Decimal::from(1_200), Decimal::from(2_400)],
                mem_usage_bs: vec![Decimal::ZERO, max_times_600 + max_times_600],
                mem_request_bs: vec![Decimal::from(12_000), Decimal::from(24_000)],
                sample_count: vec![1, 2],
            }
        );
    }

    #[test]
    fn no_pods_no_namespaces() {
        let empty = NamespaceRollupColumns::new(&PodRollupColumns::default(), 600).unwrap();
        assert!(empty.namespace.is_empty());
    }
}
