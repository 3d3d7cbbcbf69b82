//! OpenCost allocations as kcost understands them: the subset of OpenCost's allocation
//! model that the importer maps into samples. The wire format (envelope, nullable numbers)
//! belongs to the OpenCost adapter; this is the clean shape behind the port.

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
}

/// One allocation: averages of requests and usage, and costs as OpenCost priced them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    /// OpenCost's key, e.g. `kube-system` or `__idle__`.
    pub name: String,
    pub properties: AllocationProperties,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub cpu_core_request_average: Decimal,
    pub cpu_core_usage_average: Decimal,
    pub ram_byte_request_average: Decimal,
    pub ram_byte_usage_average: Decimal,
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
    /// OpenCost's name for the idle row.
    pub const IDLE: &'static str = "__idle__";

    pub fn is_idle(&self) -> bool {
        self.name == Self::IDLE
    }
}

/// All allocations of one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationSet {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub allocations: Vec<Allocation>,
}
