//! The agent contract: the JSON body of `POST /v1/ingest` exactly as agents send it.
//!
//! - [`payload`]: the wire types ([`AgentPayload`] and its pods, containers and nodes) and
//!   their decoding into the domain's [`SnapshotDraft`](kcost_domain::snapshot::SnapshotDraft),
//!   each unreadable field named by its JSON path;
//! - [`schema`]: what OpenAPI needs beyond the types themselves (names, labels, times), so
//!   kcost's document describes the ingest body from the very types the server decodes;
//! - [`fixtures`]: real payloads of the reference agent, for tests anywhere.
//!
//! Its own crate because the HTTP layer is not its only user: the agent simulator sends
//! it, the storage contract suites and the fuzzers build snapshots from it, and none of
//! them should depend on the web framework. The domain never sees the wire format.

pub mod fixtures;
pub mod payload;
pub mod schema;
mod wire_integer;

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod priced_tests;

pub use payload::{AgentPayload, WireContainer, WireFigures, WireNode, WirePod, WireTimestamp};
