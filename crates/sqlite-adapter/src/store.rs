//! [`SqliteMetricsStore`]: the `MetricsStore` port on the SQLite time-series schema,
//! delegating to one module per operation, plus retention. Holds the pool and the
//! in-process cache of pod and node description ids (`dimensions`).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveTime, Utc};
use kcost_domain::allocation::sums::WindowSums;
use kcost_domain::cluster::ClusterName;
use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::costs::{
    ContainerUsageSeries, CostFilter, CostQuery, CostRow, PodUsageSeries, PodUtilization,
};
use kcost_domain::description::StoredPod;
use kcost_domain::retention::retention_cutoff;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::{AppendOutcome, MetricsStore, MetricsStoreError, RollupReport};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::dimensions::DimensionCache;
use crate::encoding::{bound_seconds, instant};
use crate::error::{db, unexpected};
use crate::retention::{self, RetentionReport};
use crate::{
    append, container_sums, container_usage, costs, descriptions, node_assets, rollup, usage,
    utilization, window_sums,
};

/// The metrics store on SQLite (schema: `kcost_migrations::TimeseriesMigrator`; connection:
/// [`crate::open`]). Cheap to clone: clones share the pool and the description-id cache.
#[derive(Debug, Clone)]
pub struct SqliteMetricsStore {
    db: DatabaseConnection,
    dimensions: Arc<DimensionCache>,
}

impl SqliteMetricsStore {
    /// Wraps a connection, which must be SQLite.
    pub fn new(db: DatabaseConnection) -> Result<Self, MetricsStoreError> {
        match db.get_database_backend() {
            DbBackend::Sqlite => Ok(Self {
                db,
                dimensions: Arc::default(),
            }),
            other => Err(MetricsStoreError::Unexpected(anyhow::anyhow!(
                "the SQLite metrics store needs a SQLite connection, got {other:?}"
            ))),
        }
    }

    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Retention: deletes every tenant's samples, rollups and snapshot rows before `cutoff`
    /// (rounded down to its hour).
    #[tracing::instrument(skip(self), err)]
    pub async fn delete_older_than(
        &self,
        cutoff: DateTime<Utc>,
    ) -> Result<RetentionReport, MetricsStoreError> {
        retention::delete_older_than(&self.db, cutoff).await
    }

    /// Retention by age, with the PostgreSQL store's cutoff: 00:00 UTC, `retention_days`
    /// days before today.
    pub async fn delete_expired(
        &self,
        retention_days: u32,
    ) -> Result<RetentionReport, MetricsStoreError> {
        let day = retention_cutoff(Utc::now().date_naive(), retention_days);
        self.delete_older_than(day.and_time(NaiveTime::MIN).and_utc())
            .await
    }
}

#[async_trait]
impl MetricsStore for SqliteMetricsStore {
    #[tracing::instrument(skip(self, snapshot), fields(tenant = %tenant, cluster = %snapshot.snapshot().cluster()), err)]
    async fn append(
        &self,
        tenant: TenantId,
        snapshot: &PricedSnapshot,
    ) -> Result<AppendOutcome, MetricsStoreError> {
        append::append(&self.db, &self.dimensions, tenant, snapshot).await
    }

    #[tracing::instrument(skip(self), fields(tenant = %tenant, cluster = %cluster), err)]
    async fn previous_snapshot_time(
        &self,
        tenant: TenantId,
        cluster: &ClusterName,
        before: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, MetricsStoreError> {
        let row = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "SELECT max(ts) AS ts FROM snapshots \
                 WHERE tenant_id = ?1 AND cluster = ?2 AND ts < ?3",
                [
                    tenant.as_uuid().hyphenated().to_string().into(),
                    cluster.as_str().into(),
                    bound_seconds(before).into(),
                ],
            ))
            .await
            .map_err(db("previous_snapshot_time"))?;
        let seconds = match row {
            Some(row) => row
                .try_get_by::<Option<i64>, _>("ts")
                .map_err(db("previous_snapshot_time: decode"))?,
            None => None,
        };
        seconds
            .map(instant)
            .transpose()
            .map_err(unexpected("previous_snapshot_time: decode"))
    }

    #[tracing::instrument(skip(self), fields(tenant = %tenant, cluster = ?query.filter.cluster), err)]
    async fn costs(
        &self,
        tenant: TenantId,
        query: &CostQuery,
    ) -> Result<Vec<CostRow>, MetricsStoreError> {
        costs::costs(&self.db, tenant, query).await
    }

    #[tracing::instrument(skip(self), fields(tenant = %tenant), err)]
    async fn container_sums(
        &self,
        tenant: TenantId,
        window: &TimeWindow,
    ) -> Result<Vec<kcost_domain::allocation::sums::ContainerWindowSums>, MetricsStoreError> {
        container_sums::container_sums(&self.db, tenant, window).await
    }

    #[tracing::instrument(skip(self), fields(tenant = %tenant), err)]
    async fn node_assets(
        &self,
        tenant: TenantId,
        window: &TimeWindow,
    ) -> Result<Vec<kcost_domain::assets::NodeWindowSums>, MetricsStoreError> {
        node_assets::node_assets(&self.db, tenant, window).await
    }

    #[tracing::instrument(skip(self), fields(tenant = %tenant), err)]
    async fn window_sums(
        &self,
        tenant: TenantId,
        window: &TimeWindow,
    ) -> Result<WindowSums, MetricsStoreError> {
        window_sums::window_sums(&self.db, tenant, window).await
    }

    #[tracing::instrument(skip(self), fields(tenant = %tenant, cluster = ?filter.cluster), err)]
    async fn utilization(
        &self,
        tenant: TenantId,
        window: &TimeWindow,
        filter: &CostFilter,
    ) -> Result<Vec<PodUtilization>, MetricsStoreError> {
        utilization::utilization(&self.db, tenant, window, filter).await
    }

    #[tracing::instrument(skip(self), fields(tenant = %tenant, cluster = ?filter.cluster), err)]
    async fn usage_series(
        &self,
        tenant: TenantId,
        window: &TimeWindow,
        filter: &CostFilter,
    ) -> Result<Vec<PodUsageSeries>, MetricsStoreError> {
        usage::usage_series(&self.db, tenant, window, filter).await
    }

    #[tracing::instrument(skip(self), fields(tenant = %tenant, cluster = ?filter.cluster), err)]
    async fn container_usage_series(
        &self,
        tenant: TenantId,
        window: &TimeWindow,
        filter: &CostFilter,
    ) -> Result<Vec<ContainerUsageSeries>, MetricsStoreError> {
        container_usage::container_usage_series(&self.db, tenant, window, filter).await
    }

    #[tracing::instrument(skip(self), err)]
    async fn roll_up(&self, now: DateTime<Utc>) -> Result<RollupReport, MetricsStoreError> {
        rollup::roll_up(&self.db, now).await
    }

    #[tracing::instrument(skip(self), fields(tenant = %tenant, cluster = ?filter.cluster), err)]
    async fn pod_descriptions(
        &self,
        tenant: TenantId,
        filter: &CostFilter,
    ) -> Result<Vec<StoredPod>, MetricsStoreError> {
        descriptions::pod_descriptions(&self.db, tenant, filter).await
    }

    #[tracing::instrument(skip(self), err)]
    async fn ping(&self) -> Result<(), MetricsStoreError> {
        self.db
            .execute_unprepared("SELECT 1")
            .await
            .map(drop)
            .map_err(db("ping"))
    }
}
