//! What a metrics store answers for one allocation window: per pod description its cost
//! and resource-seconds, and per node its idle cost. The allocation rules
//! ([`super::compute`]) build OpenCost allocations from these.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::cluster::ClusterName;
use crate::costs::CostBreakdown;
use crate::description::PodDescription;
use crate::money::Money;

/// Resource-time of one pod over a window: millicore-seconds and byte-seconds of usage,
/// request and allocation (`Σ max(request, usage) · seconds`, what the pod was priced
/// for), and the seconds its samples cover.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceSeconds {
    pub cpu_usage_mcs: Decimal,
    pub cpu_request_mcs: Decimal,
    pub cpu_alloc_mcs: Decimal,
    pub mem_usage_bs: Decimal,
    pub mem_request_bs: Decimal,
    pub mem_alloc_bs: Decimal,
    pub seconds: Decimal,
}

impl std::ops::AddAssign for ResourceSeconds {
    fn add_assign(&mut self, other: Self) {
        self.cpu_usage_mcs += other.cpu_usage_mcs;
        self.cpu_request_mcs += other.cpu_request_mcs;
        self.cpu_alloc_mcs += other.cpu_alloc_mcs;
        self.mem_usage_bs += other.mem_usage_bs;
        self.mem_request_bs += other.mem_request_bs;
        self.mem_alloc_bs += other.mem_alloc_bs;
        self.seconds += other.seconds;
    }
}

/// One pod description's sums over the window (a pod relabelled or rescheduled within
/// the window has one entry per description).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodWindowSums {
    pub pod: PodDescription,
    /// CPU, memory and direct costs; `idle` is always zero here.
    pub cost: CostBreakdown,
    pub resources: ResourceSeconds,
}

/// One node's idle cost over the window: what the node cost minus what its pods were
/// allocated, per resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeIdleSums {
    pub cluster: ClusterName,
    pub node: String,
    pub idle_cpu: Money,
    pub idle_ram: Money,
}

/// One container's resource-seconds over the window, for pods with several containers
/// (their containers are sampled one by one; a lone container's figures are its pod's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerWindowSums {
    pub pod: PodDescription,
    pub container: String,
    pub resources: ResourceSeconds,
}

/// Everything one window of an allocation query reads. `containers` is filled only for
/// questions about containers (it is read from raw samples).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowSums {
    pub pods: Vec<PodWindowSums>,
    pub nodes: Vec<NodeIdleSums>,
    #[serde(default)]
    pub containers: Vec<ContainerWindowSums>,
}
