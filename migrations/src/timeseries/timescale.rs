//! The only TimescaleDB-specific SQL in kcost, used when (and only when) the `timescaledb`
//! extension is enabled in the time-series database at migration time.
//!
//! kcost never runs `CREATE EXTENSION` itself (it needs `shared_preload_libraries` and
//! usually a superuser): an operator who wants TimescaleDB enables it before the first
//! migration. Then the sample tables are created unpartitioned and converted here into
//! hypertables with one-day chunks (the same granularity as the native partitions),
//! compressed after 7 days (segmented by tenant and cluster) and dropped after 400 days
//! (the longest query window; the adapter's configurable retention may drop earlier).
//! Rollups and snapshots stay plain tables on both paths. Without the extension, none of
//! this runs and native day partitions are used instead (see `postgres`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{DbBackend, Statement};

/// Hypertables managed by this module.
pub const HYPERTABLES: [&str; 2] = ["pod_samples", "node_samples"];

/// Whether the `timescaledb` extension is installed in the current database.
pub async fn is_enabled(db: &SchemaManagerConnection<'_>) -> Result<bool, DbErr> {
    let probe = Statement::from_string(
        DbBackend::Postgres,
        "SELECT 1 AS present FROM pg_extension WHERE extname = 'timescaledb'",
    );
    Ok(db.query_one_raw(probe).await?.is_some())
}

/// Converts the freshly created sample tables into hypertables with compression and a
/// retention policy.
pub async fn convert(db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    for table in HYPERTABLES {
        for sql in [
            format!(
                "SELECT create_hypertable('{table}', 'ts', \
                 chunk_time_interval => INTERVAL '1 day', if_not_exists => TRUE)"
            ),
            format!(
                "ALTER TABLE {table} SET (timescaledb.compress, \
                 timescaledb.compress_segmentby = 'tenant_id, cluster', \
                 timescaledb.compress_orderby = 'ts')"
            ),
            format!(
                "SELECT add_compression_policy('{table}', INTERVAL '7 days', \
                 if_not_exists => TRUE)"
            ),
            format!(
                "SELECT add_retention_policy('{table}', INTERVAL '400 days', \
                 if_not_exists => TRUE)"
            ),
        ] {
            db.execute_unprepared(&sql).await?;
        }
    }
    Ok(())
}
