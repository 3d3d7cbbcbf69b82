//! The embedded default backend: every store port (relational and metrics) on one SQLite
//! file through sea-orm, in WAL mode, with the same semantics as the PostgreSQL adapters.
//!
//! Relational ports run on the same file through `kcost-postgres-adapter`'s backend-portable
//! sea-orm repositories; this crate holds what SQLite needs of its own:
//! - [`open`]: creates the file (and its directory) if missing; WAL, `synchronous=NORMAL`,
//!   foreign keys and a busy timeout on every pooled connection.
//! - [`SqliteMetricsStore`]: `kcost_ports::MetricsStore` on the schema of
//!   `kcost_migrations::TimeseriesMigrator` (`store`; see its `sqlite_dimensions` for the
//!   tables), one module per operation:
//!   - `append` appends only, in one transaction: the snapshot row as idempotency key, the
//!     ids of the pods' and nodes' descriptions (`dimensions`: stored once per distinct
//!     description, cached in process), narrow pod, container and node samples as
//!     multi-row INSERTs, and the cluster's rollup watermark lowered when the snapshot is
//!     late;
//!   - `rollup` builds the hourly and daily rollups of closed hours off the ingest path
//!     (`roll_up`, which the server runs periodically), moving each cluster's watermark;
//!   - `costs`, `utilization`, `usage` answer from hourly rollups for a window's whole
//!     hours before the tenant's watermark and from raw samples for the rest (`scope`), so
//!     answers are the same whether or not a rollup run has happened;
//!   - `window_sums` sums a window per pod description and per node (the allocation API);
//!   - `descriptions` lists stored pod descriptions; `retention` deletes old rows;
//!   - `result_row` hands result rows to `kcost_store_support`'s decoders, shared with
//!     the PostgreSQL store.
//! - `migrate` (feature `migrate`): runs the time-series migrations.
//!
//! Semantics are pinned by the shared contract suites (`kcost_ports::contract::{metrics,
//! detail, rollup}`, run in `tests/sqlite/ports_contract.rs`).
//!
//! Money is stored as INTEGER 10⁻¹⁰ units and summed by SQLite; rates and resource-second
//! sums are TEXT decimals summed with `rust_decimal` (`encoding`). The answers match the
//! PostgreSQL store (`kcost-timescale-adapter`) to the last digit.

mod append;
mod batch;
mod container_sums;
mod container_usage;
mod costs;
mod descriptions;
mod dimensions;
mod encoding;
mod error;
#[cfg(feature = "migrate")]
mod migrate;
mod node_assets;
mod open;
mod result_row;
mod retention;
mod rollup;
mod rows;
mod scope;
mod store;
mod usage;
mod utilization;
mod window_sums;

#[cfg(feature = "migrate")]
pub use migrate::migrate;
pub use open::{BUSY_TIMEOUT, MAX_CONNECTIONS, OpenError, journal_mode, open};
pub use retention::RetentionReport;
pub use store::SqliteMetricsStore;
