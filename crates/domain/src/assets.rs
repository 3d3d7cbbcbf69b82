//! Nodes as OpenCost assets: what each node cost over a window and the capacity it
//! offered (the `/assets` answer the OpenCost UI reads).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::cluster::ClusterName;
use crate::money::Money;
use crate::quantity::{MILLICORE_SECONDS_PER_CORE_HOUR, SECONDS_PER_HOUR};

/// One node's sums over a window: its cost, capacity-time and the time its samples cover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeWindowSums {
    pub cluster: ClusterName,
    pub node: String,
    /// The latest instance type the node reported in the window.
    pub instance_type: Option<String>,
    pub cpu_cost: Money,
    pub ram_cost: Money,
    /// The parts of `cpu_cost` and `ram_cost` no pod was allocated.
    pub idle_cpu: Money,
    pub idle_ram: Money,
    /// Σ CPU capacity · seconds, in millicore-seconds.
    pub cpu_capacity_mcs: Decimal,
    /// Σ memory capacity · seconds, in byte-seconds.
    pub ram_capacity_bs: Decimal,
    pub seconds: Decimal,
    /// The first sample's time and the last sample's end.
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl NodeWindowSums {
    pub fn total_cost(&self) -> Money {
        self.cpu_cost + self.ram_cost
    }

    pub fn hours(&self) -> Decimal {
        self.seconds / SECONDS_PER_HOUR
    }

    pub fn cpu_core_hours(&self) -> Decimal {
        self.cpu_capacity_mcs / MILLICORE_SECONDS_PER_CORE_HOUR
    }

    pub fn ram_byte_hours(&self) -> Decimal {
        self.ram_capacity_bs / SECONDS_PER_HOUR
    }

    /// Average cores over the time sampled.
    pub fn cpu_cores(&self) -> Decimal {
        self.per_hour(self.cpu_core_hours())
    }

    pub fn ram_bytes(&self) -> Decimal {
        self.per_hour(self.ram_byte_hours())
    }

    /// The share of CPU cost no pod was allocated (0 to 1; 0 without cost).
    pub fn cpu_idle_share(&self) -> Decimal {
        share(self.idle_cpu, self.cpu_cost)
    }

    pub fn ram_idle_share(&self) -> Decimal {
        share(self.idle_ram, self.ram_cost)
    }

    fn per_hour(&self, amount: Decimal) -> Decimal {
        crate::quantity::per_hour(amount, self.seconds)
    }
}

fn share(part: Money, whole: Money) -> Decimal {
    if whole.amount() <= Decimal::ZERO {
        Decimal::ZERO
    } else {
        part.amount() / whole.amount()
    }
}
