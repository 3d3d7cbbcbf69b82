//! kcost's domain: the vocabulary and rules of Kubernetes cost accounting, with no I/O.
//!
//! - [`tenant`], [`cluster`]: who owns data and where it comes from.
//! - [`api_key`]: key format, scopes, peppered hashing and the authorization rules.
//! - [`snapshot`], [`owner`]: what agents send, validated, with pod owners inferred from
//!   Kubernetes' naming when not sent (the wire format itself is the agent contract
//!   crate's).
//! - [`description`]: pods and nodes as dimensions (what describes them apart from figures).
//! - [`window`]: time ranges as OpenCost parses them.
//! - [`money`], [`quantity`]: exact money and resource quantities.
//! - [`catalog`], [`pricing`], [`cost_engine`]: node prices and the OpenCost-aligned
//!   allocation of node cost to pods and idle.
//! - [`costs`], [`recommendation`], [`opencost`]: the shapes queries, advice and imports use;
//!   [`resource_change`]: advice as a `kubectl` command and a strategic-merge patch.
//! - [`pre_priced`], [`opencost_mapping`]: costs priced elsewhere (OpenCost) checked and
//!   mapped into priced snapshots.
//! - [`budget`], [`alert`]: what a tenant means to spend, and what it is told when spend
//!   goes wrong.
//! - [`retention`]: how far back samples are kept.
//! - [`duration_text`]: durations as people write them (`30s`, `1h30m`, `7d`).
//!
//! Nothing here may depend on a framework, a database driver or an async runtime; Cargo
//! enforces it (see docs/architecture.md).

pub mod alert;
pub mod allocation;
pub mod api_key;
pub mod assets;
pub mod budget;
pub mod catalog;
pub mod cluster;
pub mod cost_engine;
pub mod costs;
pub mod description;
pub mod duration_text;
pub mod kubernetes_names;
pub mod money;
pub mod opencost;
pub mod opencost_mapping;
pub mod owner;
pub mod pre_priced;
pub mod pricing;
pub mod quantity;
pub mod recommendation;
pub mod resource_change;
pub mod retention;
pub mod sample_limits;
pub mod snapshot;
pub mod tenant;
pub mod window;
#[cfg(test)]
mod window_fuzz;
