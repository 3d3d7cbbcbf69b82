//! The cost engine: prices one snapshot the way OpenCost allocates cost.
//!
//! For each sample of `seconds`:
//! - a node costs `price · hours`, split into a CPU part (`cpu_rate · cores · hours`) and a
//!   RAM part (the rest);
//! - a pod on a known node is allocated `max(request, usage)` of each resource and costs
//!   `allocated · node rate · hours`;
//! - idle per node and resource is what the node costs minus what its pods were allocated;
//! - when pods on a node were allocated more than it costs (bursting above requests), the
//!   node is over-committed: its cost is apportioned to its pods in proportion to their
//!   allocations, idle is zero and the excess is reported as `overcommit`;
//! - pods with no node (pending) or on a node absent from the snapshot are priced at the
//!   cluster's average rates (capacity-weighted; the default rates when no node is known)
//!   and reported as off-node cost, since no node in the snapshot pays for them.
//!
//! Every amount is rounded once to [`COST_SCALE`](crate::money::COST_SCALE) and only added
//! after that, so per snapshot exactly: Σ on-node pod compute (CPU + RAM) costs + Σ idle =
//! Σ node costs.
//!
//! A pod may also carry [`DirectCosts`] (storage, network, load balancer) priced elsewhere
//! (OpenCost). They are charged to the pod directly, are not part of any node's cost nor of
//! its idle, and are reported beside the invariant ([`CostTotals::direct`]). The engine
//! itself never prices them: agent-fed pods have none.
//!
//! One concern per submodule, everything re-exported here:
//! - `duration`: how long a snapshot stands for ([`sample_duration`], [`DurationRules`]).
//! - `allocate`: the rules above ([`price_snapshot`]).
//! - `priced`: what pricing yields ([`PricedSnapshot`], [`PodCost`], [`NodeCost`],
//!   [`CostTotals`]).
//! - `direct`: costs charged to a pod directly ([`DirectCosts`]).
//! - `placement`: where each pod runs (`PodPlacements`).

mod allocate;
mod direct;
mod duration;
mod placement;
mod priced;

pub(crate) use allocate::average_rates;
pub use allocate::price_snapshot;
pub use direct::DirectCosts;
pub use duration::{DurationBasis, DurationRules, SampleDuration, sample_duration};
pub(crate) use placement::PodPlacements;
pub use priced::{CostTotals, NodeCost, Placement, PodCost, PricedSnapshot};
