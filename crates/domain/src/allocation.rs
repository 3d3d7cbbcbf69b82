//! Allocation queries as OpenCost answers them: costs per pod, filtered by OpenCost's
//! filter language, aggregated by any combination of properties, with idle and shared
//! costs, per step and accumulated into periods.
//!
//! - [`properties`]: what an allocation is about (cluster, node, namespace, pod, owner,
//!   labels).
//! - [`filter`]: OpenCost's filter language and its older `filter*` parameters.
//! - [`query`]: the question (aggregate, filter, idle and sharing, accumulate).
//! - [`sums`]: what a metrics store answers for one window.
//! - [`allocation`]: one allocation and its derived figures.
//! - [`compute`]: one window's sums to an allocation set ([`containers`]: a pod's split
//!   into its containers'); [`accumulate`]: steps to periods.
//! - [`workloads`]: one window's cost per workload (controller, or unowned pod) and idle
//!   per cluster, the lines of a cost export.

pub mod accumulate;
#[allow(clippy::module_inception)]
pub mod allocation;
pub mod compute;
#[cfg(test)]
mod compute_tests;
pub mod containers;
pub mod filter;
pub mod properties;
pub mod query;
pub mod sums;
pub mod workloads;
