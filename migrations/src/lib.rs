//! kcost's schema migrations (sea-orm-migration), run at server start (when
//! `database.run_migrations` is set) and by `kcost migrate`.
//!
//! Two migrators, because the time-series store may live in its own database
//! (`timescale.url`):
//! - [`RelationalMigrator`]: tenants, API keys, recommendations, price overrides;
//! - [`TimeseriesMigrator`]: snapshots, pod and node samples, hourly rollups.
//!
//! Each keeps its own tracking table, so both can run against one database.

pub mod relational;
pub mod timeseries;

pub use relational::RelationalMigrator;
pub use sea_orm_migration::MigratorTrait;
pub use timeseries::TimeseriesMigrator;
