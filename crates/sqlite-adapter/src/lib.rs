//! The embedded default backend: every store port (relational and metrics) on one SQLite
//! file through sea-orm, in WAL mode, with the same semantics as the PostgreSQL adapters.
//!
//! Filled by the storage issue; until then this crate only reserves its place in the
//! dependency graph.
