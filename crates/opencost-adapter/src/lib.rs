//! OpenCost HTTP client implementing `kcost_ports::OpenCostSource`: `/allocation/compute`,
//! `/allocation` and `/healthz` with timeouts, bounded retries and jittered backoff.
//!
//! Filled by the OpenCost issue; until then this crate only reserves its place in the
//! dependency graph.
