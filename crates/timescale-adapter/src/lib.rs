//! Time-series adapter implementing `kcost_ports::MetricsStore` on PostgreSQL: day-partitioned
//! pod and node samples, hourly and daily rollups built in the background, and the cost
//! queries. When the TimescaleDB extension was enabled at migration time the sample tables
//! are hypertables (compression, retention policies) instead; this crate works on both.
//!
//! - [`PgMetricsStore`]: the store (`store`), built from a sea-orm `DatabaseConnection` or a
//!   sqlx `PgPool`; the schema comes from `kcost_migrations::TimeseriesMigrator`.
//! - `dims`: pods and nodes as dimensions, one row per distinct description, ids cached.
//! - `append`: append-only — narrow samples by COPY (`sample_copy`, `copy_text`), then the
//!   snapshot row (the idempotency key), node samples (`node_rows`) and the rollup
//!   watermark in one statement; no rollup on the ingest path.
//! - `rollups`: `roll_up`, building hourly and daily rollups of closed hours (and hours a
//!   late snapshot reopened) in the background; `hour_sums`: the per-pod hourly sums this
//!   process kept while appending, written instead of summing the samples when complete.
//! - `costs`, `utilization`, `usage`: queries summing rollups for a window's rolled-up
//!   whole hours and raw samples for the rest (`scope`); namespace and cluster breakdowns
//!   read the namespace rollup and count pods from the daily rollup (`namespace_costs`).
//! - `window_sums`: per pod description and per node, a window's sums (the allocation API).
//! - `descriptions`: the stored pod descriptions.
//! - `result_row`: result rows as `kcost_store_support`'s decoders (shared with SQLite)
//!   read them.
//! - `partitions`: day partitions created ahead of need, and retention dropping them whole.
//!
//! Money is NUMERIC in the database, summed there as NUMERIC and read as `rust_decimal`.

mod append;
mod container_sums;
mod container_usage;
mod copy_binary;
mod copy_text;
mod costs;
mod descriptions;
mod dims;
mod error;
mod hour_sums;
mod hourly;
mod namespace_costs;
mod node_assets;
mod node_rows;
mod partitions;
mod result_row;
mod rollups;
mod rows;
mod sample_copy;
mod scope;
mod store;
mod usage;
mod utilization;
mod window_sums;

pub use partitions::{RetentionReport, StorageLayout};
pub use store::PgMetricsStore;
