//! Time-series adapter implementing `kcost_ports::MetricsStore` on PostgreSQL: partitioned
//! pod and node samples, hourly rollups written in the ingest transaction, and the cost
//! queries. When the TimescaleDB extension is present it uses hypertables, compression and
//! retention policies on the same tables.
//!
//! Filled by the storage issue; until then this crate only reserves its place in the
//! dependency graph.
