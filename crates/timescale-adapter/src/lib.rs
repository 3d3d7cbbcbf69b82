//! Time-series adapter implementing `kcost_ports::MetricsStore` on PostgreSQL: day-partitioned
//! pod and node samples, hourly rollups written in the ingest transaction, and the cost
//! queries. When the TimescaleDB extension was enabled at migration time the sample tables
//! are hypertables (compression, retention policies) instead; this crate works on both.
//!
//! - [`PgMetricsStore`]: the store (`store`), built from a sea-orm `DatabaseConnection` or a
//!   sqlx `PgPool`; the schema comes from `kcost_migrations::TimeseriesMigrator`.
//! - `append`: one transaction per snapshot — snapshot row (the idempotency key), samples
//!   as UNNEST array batches, rollup upserts.
//! - `costs`, `utilization`, `usage`: queries summing hourly rollups for a window's whole
//!   hours and raw samples only for its partial edge hours (`scope`).
//! - `partitions`: day partitions created ahead of need, and retention dropping them whole.
//!
//! Money is NUMERIC in the database, summed there as NUMERIC and read as `rust_decimal`.

mod append;
mod costs;
mod error;
mod partitions;
mod rows;
mod scope;
mod store;
mod usage;
mod utilization;

pub use partitions::{RetentionReport, StorageLayout};
pub use store::PgMetricsStore;
