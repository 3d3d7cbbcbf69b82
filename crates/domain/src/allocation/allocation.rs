//! One allocation: what a pod, a workload, a team or idle capacity cost over a window,
//! and the resources behind it — OpenCost's `Allocation`, with the fields kcost has data
//! for. Derived figures (core-hours, averages, efficiencies) are methods, computed from
//! the exact sums only when asked.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::properties::AllocationProperties;
use super::sums::ResourceSeconds;
use crate::money::Money;
use crate::quantity::{MILLICORE_SECONDS_PER_CORE_HOUR, SECONDS_PER_HOUR};

/// Name of the allocation holding idle node cost (OpenCost's `IdleSuffix`).
pub const IDLE: &str = "__idle__";
/// Aggregation value of an allocation lacking the aggregated property.
pub const UNALLOCATED: &str = "__unallocated__";

/// Costs of an allocation, by kind. `cpu` and `ram` include any idle shared into them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationCost {
    pub cpu: Money,
    pub ram: Money,
    /// The parts of `cpu` and `ram` that are shared idle (already in them).
    pub cpu_idle: Money,
    pub ram_idle: Money,
    pub pv: Money,
    pub network: Money,
    pub load_balancer: Money,
    /// Cost of shared namespaces, labels and overhead spread onto this allocation.
    pub shared: Money,
}

impl AllocationCost {
    pub fn total(&self) -> Money {
        self.cpu + self.ram + self.pv + self.network + self.load_balancer + self.shared
    }
}

impl std::ops::AddAssign for AllocationCost {
    fn add_assign(&mut self, other: Self) {
        self.cpu += other.cpu;
        self.ram += other.ram;
        self.cpu_idle += other.cpu_idle;
        self.ram_idle += other.ram_idle;
        self.pv += other.pv;
        self.network += other.network;
        self.load_balancer += other.load_balancer;
        self.shared += other.shared;
    }
}

/// An allocation over `[start, end)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub name: String,
    /// The properties every member shares (a member's own, for a single pod).
    pub properties: AllocationProperties,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Seconds the allocation ran: a pod's sampled seconds; for a group within one window
    /// its longest-running member's; summed across accumulated windows.
    pub running_seconds: Decimal,
    pub cost: AllocationCost,
    pub resources: ResourceSeconds,
}

impl Allocation {
    /// An allocation named `name` over `[start, end)` with nothing in it.
    pub fn empty(name: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Self {
            name: name.to_owned(),
            properties: AllocationProperties::default(),
            start,
            end,
            running_seconds: Decimal::ZERO,
            cost: AllocationCost::default(),
            resources: ResourceSeconds::default(),
        }
    }

    pub fn total_cost(&self) -> Money {
        self.cost.total()
    }

    pub fn minutes(&self) -> Decimal {
        self.running_seconds / Decimal::from(60)
    }

    /// Core-hours allocated (`Σ max(request, usage)`), what CPU cost was charged for.
    pub fn cpu_core_hours(&self) -> Decimal {
        self.resources.cpu_alloc_mcs / MILLICORE_SECONDS_PER_CORE_HOUR
    }

    /// Byte-hours allocated (`Σ max(request, usage)`).
    pub fn ram_byte_hours(&self) -> Decimal {
        self.resources.mem_alloc_bs / SECONDS_PER_HOUR
    }

    /// Average allocated cores over the running time.
    pub fn cpu_cores(&self) -> Decimal {
        self.per_hour(self.cpu_core_hours())
    }

    pub fn cpu_core_request_average(&self) -> Decimal {
        self.per_hour(self.resources.cpu_request_mcs / MILLICORE_SECONDS_PER_CORE_HOUR)
    }

    pub fn cpu_core_usage_average(&self) -> Decimal {
        self.per_hour(self.resources.cpu_usage_mcs / MILLICORE_SECONDS_PER_CORE_HOUR)
    }

    pub fn ram_bytes(&self) -> Decimal {
        self.per_hour(self.ram_byte_hours())
    }

    pub fn ram_byte_request_average(&self) -> Decimal {
        self.per_hour(self.resources.mem_request_bs / SECONDS_PER_HOUR)
    }

    pub fn ram_byte_usage_average(&self) -> Decimal {
        self.per_hour(self.resources.mem_usage_bs / SECONDS_PER_HOUR)
    }

    /// Usage over request, as OpenCost: without a request, 1 when something was used and
    /// charged, else 0.
    pub fn cpu_efficiency(&self) -> Decimal {
        efficiency(
            self.resources.cpu_usage_mcs,
            self.resources.cpu_request_mcs,
            self.cost.cpu,
        )
    }

    pub fn ram_efficiency(&self) -> Decimal {
        efficiency(
            self.resources.mem_usage_bs,
            self.resources.mem_request_bs,
            self.cost.ram,
        )
    }

    /// CPU and RAM efficiency weighted by their costs (OpenCost's `TotalEfficiency`).
    pub fn total_efficiency(&self) -> Decimal {
        let (cpu, ram) = (self.cost.cpu.amount(), self.cost.ram.amount());
        if cpu + ram <= Decimal::ZERO {
            return Decimal::ZERO;
        }
        (self.cpu_efficiency() * cpu + self.ram_efficiency() * ram) / (cpu + ram)
    }

    fn per_hour(&self, amount: Decimal) -> Decimal {
        crate::quantity::per_hour(amount, self.running_seconds)
    }

    /// Adds a member of the same window (a group's pods): sums add, the running time is
    /// the longest, properties keep what both share.
    pub fn absorb(&mut self, other: &Allocation) {
        self.cost += other.cost;
        self.resources += other.resources;
        self.running_seconds = self.running_seconds.max(other.running_seconds);
        self.start = self.start.min(other.start);
        self.end = self.end.max(other.end);
        self.properties = self.properties.shared_with(&other.properties);
    }

    /// Adds the same allocation from a later window: sums and running times add.
    pub fn accumulate(&mut self, later: &Allocation) {
        let running = self.running_seconds + later.running_seconds;
        self.absorb(later);
        self.running_seconds = running;
    }
}

fn efficiency(usage: Decimal, request: Decimal, cost: Money) -> Decimal {
    if request > Decimal::ZERO {
        usage / request
    } else if usage > Decimal::ZERO && cost > Money::ZERO {
        Decimal::ONE
    } else {
        Decimal::ZERO
    }
}
