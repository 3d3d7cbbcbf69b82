//! What kcost's recommender answers: per resource the current and recommended request and
//! why, the limits to set with them, a confidence, and a one-paragraph reason; or why it
//! has nothing to say yet.

use kcost_domain::recommendation::Resource;
use rust_decimal::Decimal;

use crate::history::Requests;

/// Advice for one resource, in millicores (CPU) or bytes (memory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceAdvice {
    pub resource: Resource,
    /// The request in force at the latest sample.
    pub current: u64,
    pub recommended: u64,
    /// Why this value, in a sentence a developer can check against their dashboards.
    pub reason: String,
}

impl ResourceAdvice {
    /// The recommendation raises the request (risk), rather than lowering it (savings).
    pub fn is_increase(&self) -> bool {
        self.recommended > self.current
    }
}

/// Limits to set together with the recommended requests.
///
/// CPU: no limit. CPU is compressible: a pod above its request only borrows idle cycles,
/// while a limit throttles it even on an idle node, which is where latency incidents come
/// from. Memory: limit = request. Memory is not compressible: a pod above its request can
/// only be stopped by the kernel, and with limit = request that happens to the pod that
/// overran rather than to a neighbour evicted under node pressure; it is also exactly what
/// the evaluation's OOM proxy measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitsPolicy {
    /// `None`: remove the CPU limit.
    pub cpu_limit_millicores: Option<u64>,
    pub memory_limit_bytes: u64,
}

/// A recommendation for a pod or workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advice {
    pub cpu: ResourceAdvice,
    pub memory: ResourceAdvice,
    pub limits: LimitsPolicy,
    /// In [0, 1], two decimals (`kcost_domain::recommendation::Confidence::new` accepts it).
    pub confidence: Decimal,
    /// Caveats that apply to both resources (thin history, frequent restarts).
    pub caveats: Vec<String>,
    /// The two resources' reasons and the caveats, joined.
    pub reason: String,
}

impl Advice {
    pub fn requests(&self) -> Requests {
        Requests {
            cpu_millicores: self.cpu.recommended,
            memory_bytes: self.memory.recommended,
        }
    }

    pub fn resource(&self, resource: Resource) -> &ResourceAdvice {
        match resource {
            Resource::Cpu => &self.cpu,
            Resource::Memory => &self.memory,
        }
    }
}

/// Why there is no advice.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NoAdvice {
    #[error("no usage samples in the lookback window")]
    NoSamples,
    #[error(
        "only {covered_hours} h of usage history (at least {required_hours} h are needed for advice that will not flap)"
    )]
    TooLittleHistory {
        covered_hours: u64,
        required_hours: u64,
    },
}
