//! OpenCost allocations as kcost understands them: the subset of OpenCost's allocation
//! model that the importer maps into samples. The wire format (envelope, nullable numbers)
//! belongs to the OpenCost adapter; this is the clean shape behind the port.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::window::TimeWindow;

/// How the importer asks OpenCost for allocations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationQuery {
    pub window: TimeWindow,
    /// OpenCost `aggregate` properties, e.g. `["namespace", "pod"]`.
    pub aggregate: Vec<String>,
    /// Step in seconds (`step=1h` → 3600); one allocation set per step.
    pub step_seconds: u32,
    pub include_idle: bool,
}

/// Where an allocation ran, as far as OpenCost's properties say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationProperties {
    pub cluster: Option<String>,
    pub node: Option<String>,
    pub namespace: Option<String>,
    pub pod: Option<String>,
    pub controller_kind: Option<String>,
    pub controller: Option<String>,
    pub container: Option<String>,
    /// The cloud provider's id of the node (e.g. an EC2 instance id).
    pub provider_id: Option<String>,
    /// Pod labels, when OpenCost kept them (it drops those not shared by every member of
    /// an aggregate).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// One allocation: averages of requests and usage, and costs as OpenCost priced them.
///
/// Quantities OpenCost left out or could not compute (NaN, infinite) are zero. Each cost
/// includes OpenCost's adjustment for that resource (`cpuCostAdjustment`, …), as OpenCost's
/// own totals do, so the parts add up to `total_cost` up to OpenCost's rounding of each
/// number. `start`/`end` is the part of the step the allocation actually ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    /// OpenCost's key, e.g. `kube-system` or `__idle__`.
    pub name: String,
    pub properties: AllocationProperties,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Minutes the allocation ran inside its step, as OpenCost counted them.
    #[serde(default)]
    pub minutes: Decimal,
    pub cpu_core_request_average: Decimal,
    pub cpu_core_usage_average: Decimal,
    /// Zero when no limit was set or OpenCost does not report limits (before 2024).
    #[serde(default)]
    pub cpu_core_limit_average: Decimal,
    /// Core-hours OpenCost billed: max(request, usage) integrated over the run.
    #[serde(default)]
    pub cpu_core_hours: Decimal,
    pub ram_byte_request_average: Decimal,
    pub ram_byte_usage_average: Decimal,
    /// Zero when no limit was set or OpenCost does not report limits (before 2024).
    #[serde(default)]
    pub ram_byte_limit_average: Decimal,
    /// Byte-hours OpenCost billed: max(request, usage) integrated over the run.
    #[serde(default)]
    pub ram_byte_hours: Decimal,
    #[serde(default)]
    pub gpu_hours: Decimal,
    #[serde(default)]
    pub pv_byte_hours: Decimal,
    pub cpu_cost: Decimal,
    pub ram_cost: Decimal,
    pub gpu_cost: Decimal,
    pub pv_cost: Decimal,
    pub network_cost: Decimal,
    pub load_balancer_cost: Decimal,
    pub shared_cost: Decimal,
    pub external_cost: Decimal,
    pub total_cost: Decimal,
}

impl Allocation {
    /// OpenCost's name for the idle row; with `splitIdle` it is a suffix (`cluster-one/__idle__`).
    pub const IDLE: &'static str = "__idle__";
    /// OpenCost's name for what lacks an aggregated property, e.g. `kube-system/__unallocated__`
    /// for pod-less costs when aggregating by namespace and pod.
    pub const UNALLOCATED: &'static str = "__unallocated__";

    /// An allocation of nothing over `[start, end)`: every quantity and cost zero.
    pub fn zero(name: impl Into<String>, start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Self {
            name: name.into(),
            properties: AllocationProperties::default(),
            start,
            end,
            minutes: Decimal::ZERO,
            cpu_core_request_average: Decimal::ZERO,
            cpu_core_usage_average: Decimal::ZERO,
            cpu_core_limit_average: Decimal::ZERO,
            cpu_core_hours: Decimal::ZERO,
            ram_byte_request_average: Decimal::ZERO,
            ram_byte_usage_average: Decimal::ZERO,
            ram_byte_limit_average: Decimal::ZERO,
            ram_byte_hours: Decimal::ZERO,
            gpu_hours: Decimal::ZERO,
            pv_byte_hours: Decimal::ZERO,
            cpu_cost: Decimal::ZERO,
            ram_cost: Decimal::ZERO,
            gpu_cost: Decimal::ZERO,
            pv_cost: Decimal::ZERO,
            network_cost: Decimal::ZERO,
            load_balancer_cost: Decimal::ZERO,
            shared_cost: Decimal::ZERO,
            external_cost: Decimal::ZERO,
            total_cost: Decimal::ZERO,
        }
    }

    /// What the cost parts add up to: each resource's cost, shared and external costs
    /// (saturating). OpenCost's own `total_cost` may differ by its rounding of each part.
    pub fn cost_of_parts(&self) -> Decimal {
        [
            self.cpu_cost,
            self.ram_cost,
            self.gpu_cost,
            self.pv_cost,
            self.network_cost,
            self.load_balancer_cost,
            self.shared_cost,
            self.external_cost,
        ]
        .into_iter()
        .fold(Decimal::ZERO, Decimal::saturating_add)
    }

    /// Whether this is an idle row. Matches OpenCost's own test (`IsIdle`: the name
    /// contains `__idle__`), so split idle rows count too.
    pub fn is_idle(&self) -> bool {
        self.name.contains(Self::IDLE)
    }

    /// Whether this row collects costs lacking an aggregated property (OpenCost's
    /// `IsUnallocated`: the name contains `__unallocated__`).
    pub fn is_unallocated(&self) -> bool {
        self.name.contains(Self::UNALLOCATED)
    }
}

/// All allocations of one step. `start`/`end` is the step's window, which OpenCost sends
/// with every allocation; a step without allocations has an empty `allocations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationSet {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub allocations: Vec<Allocation>,
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn named(name: &str) -> Allocation {
        let start = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2024, 5, 1, 1, 0, 0).unwrap();
        Allocation::zero(name, start, end)
    }

    #[test]
    fn idle_rows_are_recognized_whole_or_split() {
        assert!(named("__idle__").is_idle());
        assert!(named("cluster-one/__idle__").is_idle());
        assert!(!named("kube-system").is_idle());
    }

    #[test]
    fn unallocated_rows_are_recognized_whole_or_prefixed() {
        assert!(named("__unallocated__").is_unallocated());
        assert!(named("kube-system/__unallocated__").is_unallocated());
        assert!(!named("__idle__").is_unallocated());
    }

    #[test]
    fn zero_allocation_costs_nothing() {
        let allocation = named("opencost");
        assert_eq!(allocation.total_cost, Decimal::ZERO);
        assert_eq!(allocation.properties, AllocationProperties::default());
    }

    #[test]
    fn the_cost_of_parts_adds_every_part_and_saturates() {
        let mut allocation = named("web");
        allocation.cpu_cost = Decimal::new(150, 2);
        allocation.ram_cost = Decimal::ONE;
        allocation.shared_cost = Decimal::new(25, 2);
        allocation.external_cost = Decimal::TWO;
        allocation.total_cost = Decimal::ONE_HUNDRED;
        assert_eq!(allocation.cost_of_parts(), Decimal::new(475, 2));
        allocation.gpu_cost = Decimal::MAX;
        assert_eq!(allocation.cost_of_parts(), Decimal::MAX);
    }
}
