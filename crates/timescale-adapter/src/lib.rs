//! Time-series adapter implementing `kcost_ports::MetricsStore` on PostgreSQL: day-partitioned
//! pod and node samples, hourly rollups written in the ingest transaction, and the cost
//! queries. When the TimescaleDB extension was enabled at migration time the sample tables
//! are hypertables (compression, retention policies) instead; this crate works on both.
//!
//! - [`PgMetricsStore`]: the store (`store`), built from a sea-orm `DatabaseConnection` or a
//!   sqlx `PgPool`; the schema comes from `kcost_migrations::TimeseriesMigrator`.
//! - `append`: one transaction per snapshot — snapshot row (the idempotency key), samples
//!   by COPY (`sample_copy`, `copy_text`), rollups upserted from the in-memory snapshot
//!   (`rollups`, `rollup_columns`, `presence`).
//! - `costs`, `utilization`, `usage`: queries summing hourly rollups for a window's whole
//!   hours and raw samples only for its partial edge hours (`scope`); namespace and
//!   cluster breakdowns read the namespace rollup and pod presence instead of the per-pod
//!   rollup (`namespace_costs`).
//! - `partitions`: day partitions created ahead of need, and retention dropping them whole.
//!
//! Money is NUMERIC in the database, summed there as NUMERIC and read as `rust_decimal`.

mod append;
mod copy_text;
mod costs;
mod error;
mod namespace_costs;
mod partitions;
mod presence;
mod rollup_columns;
mod rollups;
mod rows;
mod sample_copy;
mod scope;
mod store;
mod usage;
mod utilization;

pub use partitions::{RetentionReport, StorageLayout};
pub use store::PgMetricsStore;
