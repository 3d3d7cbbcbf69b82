//! Upkeep of the time-series store that the `MetricsStore` port does not cover: day
//! partitions created ahead of need (PostgreSQL) and retention (both backends).

use kcost_sqlite_adapter::SqliteMetricsStore;
use kcost_timescale_adapter::PgMetricsStore;

/// The concrete metrics store, for its maintenance operations.
#[derive(Debug, Clone)]
pub enum MetricsMaintenance {
    Postgres(PgMetricsStore),
    Sqlite(SqliteMetricsStore),
}

impl MetricsMaintenance {
    /// Creates today's and the coming days' partitions (PostgreSQL; SQLite has none).
    pub async fn ensure_upcoming_partitions(&self) -> anyhow::Result<()> {
        match self {
            Self::Postgres(store) => {
                let created = store.ensure_upcoming_partitions().await?;
                if created > 0 {
                    tracing::info!(created, "created day partitions");
                }
            }
            Self::Sqlite(_) => {}
        }
        Ok(())
    }

    /// Removes data older than `retention_days` days (0 keeps everything).
    pub async fn apply_retention(&self, retention_days: u32) -> anyhow::Result<()> {
        if retention_days == 0 {
            return Ok(());
        }
        match self {
            Self::Postgres(store) => {
                let report = store.drop_expired_partitions(retention_days).await?;
                tracing::info!(?report, retention_days, "retention applied");
            }
            Self::Sqlite(store) => {
                let report = store.delete_expired(retention_days).await?;
                tracing::info!(?report, retention_days, "retention applied");
            }
        }
        Ok(())
    }
}
