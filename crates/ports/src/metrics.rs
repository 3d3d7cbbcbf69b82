//! Metrics store port: priced snapshots in, cost sums out.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kcost_domain::allocation::sums::{ContainerWindowSums, WindowSums};
use kcost_domain::assets::NodeWindowSums;
use kcost_domain::cluster::ClusterName;
use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::costs::{
    ContainerUsageSeries, CostFilter, CostQuery, CostRow, PodUsageSeries, PodUtilization,
};
use kcost_domain::description::StoredPod;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;

/// What an append did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppendOutcome {
    /// The snapshot was written (samples, snapshot row and rollups, in one transaction).
    Stored,
    /// A snapshot for the same (tenant, cluster, timestamp) was already stored; nothing
    /// changed.
    Duplicate,
}

/// What a rollup run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RollupReport {
    /// (cluster, hour) pairs whose hourly rollup was built or rebuilt.
    pub hours: u64,
    /// (cluster, day) pairs whose daily rollup was built or rebuilt.
    pub days: u64,
    /// Of `hours`, those whose per-pod sums were kept in memory as their snapshots were
    /// appended, instead of summed again from the raw samples (0 on a backend that keeps
    /// none).
    pub hours_from_memory: u64,
}

/// Errors of the port: `Unavailable` when the store cannot be reached or is
/// overloaded (the caller may retry later: ingest answers 503 with `Retry-After`, and the
/// agent retries), else `Unexpected`.
pub type MetricsStoreError = crate::BackendFailure;

/// Time-series store of priced samples.
///
/// Contract: every call is scoped to one tenant and never sees another tenant's rows.
/// `append` is atomic (all of a snapshot or nothing) and idempotent on (tenant, cluster,
/// timestamp): a second append of the same key returns `Duplicate` and changes nothing.
/// Sums are exact: money is summed as decimals at the cost scale, never as floats; a window
/// counts samples whose timestamp t satisfies start ≤ t < end. Connection failures are
/// `Unavailable`; anything else is `Unexpected`.
///
/// `append` only appends: samples, and a pod's or node's description when it is new or
/// changed. Rollups are built by [`MetricsStore::roll_up`], off the ingest path; every
/// query answers the same whether or not the rollups of its hours exist yet (it reads raw
/// samples for hours not rolled up), so a crash between ingest and a rollup run loses
/// nothing.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait MetricsStore: Send + Sync {
    async fn append(
        &self,
        tenant: TenantId,
        snapshot: &PricedSnapshot,
    ) -> Result<AppendOutcome, MetricsStoreError>;

    /// The timestamp of the cluster's latest snapshot strictly before `before`
    /// (used for the gap-to-previous duration rule).
    async fn previous_snapshot_time(
        &self,
        tenant: TenantId,
        cluster: &ClusterName,
        before: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, MetricsStoreError>;

    /// Cost rows grouped as the query says, ordered by total cost descending (time
    /// buckets: by bucket start ascending).
    async fn costs(
        &self,
        tenant: TenantId,
        query: &CostQuery,
    ) -> Result<Vec<CostRow>, MetricsStoreError>;

    /// Per pod description its costs and resource-seconds over `window`, and per node its
    /// idle cost: the allocation API's input. Same window rule, exact sums and rollup
    /// fallback as [`MetricsStore::costs`]; pods and nodes without samples in the window
    /// are absent.
    async fn window_sums(
        &self,
        tenant: TenantId,
        window: &TimeWindow,
    ) -> Result<WindowSums, MetricsStoreError>;

    /// Per container of every pod description with two or more containers, its
    /// resource-seconds over `window` (usage, request and allocation, each sample weighted
    /// by its pod sample's duration), from raw container samples. Same window rule as
    /// [`MetricsStore::costs`]; `containers` of [`WindowSums`] is left empty by
    /// [`MetricsStore::window_sums`] and filled from this when a question needs it.
    async fn container_sums(
        &self,
        tenant: TenantId,
        window: &TimeWindow,
    ) -> Result<Vec<ContainerWindowSums>, MetricsStoreError>;

    /// Per node its cost, capacity-time and sampled time over `window` (from its raw
    /// samples; nodes are few), ordered by cluster and node. Same window rule as
    /// [`MetricsStore::costs`]; nodes without samples in the window are absent.
    async fn node_assets(
        &self,
        tenant: TenantId,
        window: &TimeWindow,
    ) -> Result<Vec<NodeWindowSums>, MetricsStoreError>;

    /// Per-pod usage against requests over the window.
    async fn utilization(
        &self,
        tenant: TenantId,
        window: &TimeWindow,
        filter: &CostFilter,
    ) -> Result<Vec<PodUtilization>, MetricsStoreError>;

    /// Per-pod usage series over the window, oldest point first (the recommender's input).
    async fn usage_series(
        &self,
        tenant: TenantId,
        window: &TimeWindow,
        filter: &CostFilter,
    ) -> Result<Vec<PodUsageSeries>, MetricsStoreError>;

    /// Per container of every pod description with two or more containers, its usage
    /// series over the window from the raw container samples (written when agents send
    /// `containers`): one series per (cluster, namespace, pod, container name), ordered by
    /// those (as Rust orders strings), oldest point first. Each point has the container's
    /// figures and its pod sample's timestamp and duration; owner and rates are those of
    /// the pod's latest sample in the window. Same window rule as [`MetricsStore::costs`]
    /// and filters as [`MetricsStore::usage_series`]; pods with one container (or none
    /// sent) are absent. Errors: `Unavailable` when the store cannot answer now, else
    /// `Unexpected` (a row that does not decode among them).
    async fn container_usage_series(
        &self,
        tenant: TenantId,
        window: &TimeWindow,
        filter: &CostFilter,
    ) -> Result<Vec<ContainerUsageSeries>, MetricsStoreError>;

    /// Builds the hourly and daily rollups of every period that has closed at `now` (an hour
    /// closes when its cluster has sent a later snapshot, or `now` is past its end plus a
    /// grace period), and rebuilds periods a late snapshot landed in. Idempotent and safe to
    /// run concurrently with appends, with itself, and again after a crash.
    async fn roll_up(&self, now: DateTime<Utc>) -> Result<RollupReport, MetricsStoreError>;

    /// Every stored description of the tenant's pods matching `filter` (one per distinct
    /// description: a pod relabelled or rescheduled has several), ordered by cluster,
    /// namespace, name and first seen.
    async fn pod_descriptions(
        &self,
        tenant: TenantId,
        filter: &CostFilter,
    ) -> Result<Vec<StoredPod>, MetricsStoreError>;

    /// Cheap reachability check for health endpoints.
    async fn ping(&self) -> Result<(), MetricsStoreError>;
}
