//! A snapshot's node samples as parameter arrays, one per `node_samples` column, for the
//! statement that finishes an append (`append::FINISH`): a few dozen rows, bound with the
//! snapshot row and the watermark in one round trip instead of a COPY of their own.
//! Pure; no I/O.

use kcost_domain::cost_engine::PricedSnapshot;
use rust_decimal::Decimal;

use crate::rows::big;

/// The columns of a snapshot's node samples, in snapshot order; the tenant, cluster, time
/// and duration are the snapshot row's.
#[derive(Debug, Default)]
pub(crate) struct NodeColumns {
    pub node_id: Vec<i64>,
    pub node: Vec<String>,
    pub instance_type: Vec<Option<String>>,
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

impl NodeColumns {
    /// Every node sample of `priced`; `ids` are the nodes' dimension ids.
    pub fn of(priced: &PricedSnapshot, ids: &[i64]) -> anyhow::Result<Self> {
        let mut columns = Self::default();
        for ((sample, cost), id) in priced
            .snapshot()
            .nodes()
            .iter()
            .zip(priced.nodes())
            .zip(ids)
        {
            columns.node_id.push(*id);
            columns.node.push(sample.name.clone());
            columns.instance_type.push(sample.instance_type.clone());
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
