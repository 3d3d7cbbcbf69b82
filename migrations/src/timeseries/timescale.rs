//! The only TimescaleDB-specific SQL in kcost's migrations, used when (and only when) the
//! `timescaledb` extension is enabled in the time-series database at migration time.
//!
//! kcost never runs `CREATE EXTENSION` itself (it needs `shared_preload_libraries` and
//! usually a superuser): an operator who wants TimescaleDB enables it before the first
//! migration. Then the sample tables are created unpartitioned and converted here into
//! hypertables with one-day chunks (the same granularity as the native partitions) and
//! the same indexes as the native layout (no extra default `ts` index: every query filters
//! by tenant first). With the Timescale (community) license they are also compressed
//! after 7 days (segmented by tenant and cluster) and dropped after 400 days by a retention
//! policy; the adapter's own retention run re-aligns that policy with the configured
//! retention (`PgMetricsStore::drop_expired_partitions`). Under the Apache-only license
//! (some managed services) compression and policies do not exist: hypertables only, and
//! retention is the adapter's `drop_chunks` run alone.
//!
//! Rollups and snapshots stay plain tables on both paths. Without the extension, none of
//! this runs and native day partitions are used instead (see `postgres`). Every statement
//! is idempotent (`if_not_exists`), so [`convert`] can be re-run. Tested against real
//! TimescaleDB in PGlite (`tools/pglite-timescale`, `docs/timescaledb.md`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{DbBackend, Statement};

/// Hypertables managed by this module (`container_samples` from the fifth migration on).
pub const HYPERTABLES: [&str; 3] = ["pod_samples", "node_samples", "container_samples"];

/// Whether the `timescaledb` extension is installed in the current database.
pub async fn is_enabled(db: &SchemaManagerConnection<'_>) -> Result<bool, DbErr> {
    let probe = Statement::from_string(
        DbBackend::Postgres,
        "SELECT 1 AS present FROM pg_extension WHERE extname = 'timescaledb'",
    );
    Ok(db.query_one_raw(probe).await?.is_some())
}

/// Whether compression and job policies are available: not under `timescaledb.license =
/// 'apache'`, which only has hypertables and `drop_chunks`.
async fn has_community_features(db: &SchemaManagerConnection<'_>) -> Result<bool, DbErr> {
    let probe = Statement::from_string(
        DbBackend::Postgres,
        "SELECT 1 AS apache WHERE current_setting('timescaledb.license', true) = 'apache'",
    );
    Ok(db.query_one_raw(probe).await?.is_none())
}

/// Converts the freshly created sample tables into hypertables, with compression and a
/// retention policy where the license has them.
///
/// Re-runnable over whichever schema version exists: tables not there yet are skipped, and
/// compression is segmented by tenant and cluster where the table has a `cluster` column
/// (node samples; pod samples before they became narrow), by tenant otherwise.
pub async fn convert(db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    for table in HYPERTABLES {
        let probe = |sql: String| Statement::from_string(DbBackend::Postgres, sql);
        let exists = db
            .query_one_raw(probe(format!(
                "SELECT 1 AS present WHERE to_regclass('{table}') IS NOT NULL"
            )))
            .await?
            .is_some();
        if !exists {
            continue;
        }
        let has_cluster = db
            .query_one_raw(probe(format!(
                "SELECT 1 AS present FROM pg_attribute
                 WHERE attrelid = to_regclass('{table}') AND attname = 'cluster'
                   AND NOT attisdropped"
            )))
            .await?
            .is_some();
        let segment_by = if has_cluster {
            "tenant_id, cluster"
        } else {
            "tenant_id"
        };
        convert_tables(db, &[table], segment_by).await?;
    }
    Ok(())
}

/// Converts `tables` (freshly created, with a `ts` column) into hypertables compressed
/// segment by `segment_by`, with the policies where the license has them.
pub async fn convert_tables(
    db: &SchemaManagerConnection<'_>,
    tables: &[&str],
    segment_by: &str,
) -> Result<(), DbErr> {
    let policies = has_community_features(db).await?;
    for table in tables {
        let mut statements = vec![format!(
            "SELECT create_hypertable('{table}', 'ts', \
             chunk_time_interval => INTERVAL '1 day', if_not_exists => TRUE, \
             create_default_indexes => FALSE)"
        )];
        if policies {
            statements.extend([
                format!(
                    "ALTER TABLE {table} SET (timescaledb.compress, \
                     timescaledb.compress_segmentby = '{segment_by}', \
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
            ]);
        }
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
    }
    Ok(())
}
