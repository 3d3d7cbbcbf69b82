//! Right-sizing: pure functions from a pod's or workload's usage series (CPU and memory,
//! with requests and limits) to recommended requests, a limits policy, a confidence and a
//! human reason, with the monthly savings at the rates the pods ran at. No I/O, no async:
//! the app feeds it series read through the metrics-store port.
//!
//! - [`right_size`]: kcost's algorithm and its risk profiles (see docs/recommender.md).
//! - [`vpa`], [`krr`], [`p95_when_underused`]: faithful re-implementations of the anchors it is
//!   measured against.
//! - [`evaluation`]: the closed-loop trace replay, the metrics M1–M4, the frontier sweep's
//!   dominance check and its SVG (`examples/evaluate.rs`).
//! - [`workload`], [`savings`]: replicas grouped per workload; advice turned into money.

pub mod advice;
pub mod evaluation;
pub mod histogram;
pub mod history;
pub mod krr;
pub mod p95_when_underused;
pub mod right_size;
pub mod savings;
pub mod stats;
pub mod vpa;
pub mod workload;

#[cfg(test)]
pub(crate) mod test_series;

pub use advice::{Advice, LimitsPolicy, NoAdvice, ResourceAdvice};
pub use history::{History, OomEvent, Recommender, Requests};
pub use right_size::{KcostRecommender, Policy, RiskProfile};
pub use workload::{WorkloadUsage, group_by_workload};
