//! kcost's use cases: orchestration over the ports, with the rules from `kcost-domain`.
//!
//! - [`ingest`]: validate a snapshot, resolve node prices, price it, store it, invalidate
//!   the tenant's cached answers.
//! - [`costs`]: cost and utilization questions, cached per tenant with versioned keys.
//! - [`auth`]: API-key authentication (cache, then repository) and key administration.
//! - [`tenants`], [`prices`]: tenant and price-override administration.
//! - [`health`]: the state of the stores and the cache, for health endpoints.
//! - [`deadline`]: how long a use case waits on a store that does not answer.
//! - [`query_cache`]: the versioned, per-tenant response cache both of the above share.
//! - [`recommendations`]: right-sizing advice generated from usage history (upserted, one
//!   open per target and resource), listed, applied and dismissed.
//! - [`instance`]: the installation's pepper and admin token at start-up.
//! - [`key_usage`]: API-key last-use times, batched.
//! - [`schedule`]: when periodic jobs run (fixed or paced by whether they found work).
//! - [`opencost_import`]: OpenCost allocations imported hour by hour into the metrics
//!   store, per configured source, with a status for health and metrics.
//! - [`focus_export`]: a window's cost per workload and idle per cluster, one UTC day at a
//!   time, for the FOCUS billing export.
//! - [`kubecent`]: seed 2's Kubecent questions (namespaces with idle, pods, months, savings).
//! - [`budgets`]: budgets with their spend and forecast, evaluated for alerts after ingest
//!   and every minute; alerts delivered to webhooks with retries.
//! - [`cost_series`], [`forecasts`], [`anomalies`]: each group's daily or hourly cost, its
//!   forecast, and the buckets anomalous against its own history.
//! - [`settings`]: the configuration sections the use cases own (`[ingest]`, `[pricing]`,
//!   `[security]`, `[kubecent]`, `[allocation]`, `[opencost]`), each validated here.
//!
//! Every use case takes its ports as `Arc<dyn Port>` and is unit-tested with mockall mocks;
//! nothing here knows which database, cache or web framework is behind them.

pub mod allocations;
pub mod anomalies;
pub mod auth;
pub mod budgets;
pub mod cost_series;
pub mod costs;
pub mod deadline;
pub mod focus_export;
pub mod forecasts;
pub mod health;
pub mod ingest;
pub mod instance;
pub mod key_usage;
pub mod kubecent;
pub mod opencost_import;
pub mod prices;
pub mod query_cache;
pub mod recommendations;
pub mod schedule;
pub mod settings;
pub mod tenants;

/// The ports, re-exported for the HTTP layer (which names their error types and the clock)
/// so that it depends on the use cases only.
pub use kcost_ports as ports;
pub use kcost_ports::{Clock, SystemClock};

#[cfg(test)]
pub(crate) mod test_support;
