//! OpenCost import: for one configured source {tenant, cluster, OpenCost}, fetch the last
//! completed hours, map each into a priced snapshot (`kcost_domain::opencost_mapping`) and
//! append it, so OpenCost-fed clusters answer every kcost endpoint from kcost's own store.
//!
//! - **Which hours**: whole steps (1 h) ending at the last completed step boundary; starting
//!   after the cluster's latest stored snapshot, but never more than `backfill_hours` back
//!   (so a long outage is back-filled up to that limit, and a first run imports that much
//!   history).
//! - **Idempotent**: the store is keyed on (tenant, cluster, step start); an hour imported
//!   twice is `Duplicate` and changes nothing. [`OpenCostImport::import_window`] re-imports
//!   an explicit window on demand.
//! - **Failures**: an unreachable OpenCost, a refused request or an unusable hour is
//!   recorded in the source's [`ImportStatus`] and retried on the next run; a store failure
//!   stops the run before later hours, so no hour is skipped over. Nothing here blocks a
//!   request: the server runs each source on its own background task.

mod status;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use chrono::{DateTime, Duration, DurationRound, Utc};
use kcost_domain::cluster::ClusterName;
use kcost_domain::opencost::AllocationQuery;
use kcost_domain::opencost_mapping::snapshot_from_allocations;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::{AppendOutcome, Clock, MetricsStore, OpenCostError, OpenCostSource};

pub use status::{ImportStatus, OpenCostConnection, overall_connection};

use crate::query_cache::QueryCache;
use status::StatusCell;

/// OpenCost's step for imports: one allocation set per hour.
pub const IMPORT_STEP_SECONDS: u32 = 3600;

/// How a source is imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSettings {
    /// OpenCost `aggregate`: `["namespace", "pod"]` (default) or
    /// `["cluster", "node", "namespace", "pod"]` for per-node placement.
    pub aggregate: Vec<String>,
    /// Most hours fetched back from now in one run (default 48).
    pub backfill_hours: u32,
}

impl Default for ImportSettings {
    fn default() -> Self {
        Self {
            aggregate: vec!["namespace".to_owned(), "pod".to_owned()],
            backfill_hours: 48,
        }
    }
}

/// One configured source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportTarget {
    pub tenant: TenantId,
    /// The tenant's name, for status reports.
    pub tenant_name: String,
    /// The cluster the imported data is stored under.
    pub cluster: ClusterName,
}

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub stored: u32,
    pub duplicate: u32,
    /// Steps OpenCost sent without any allocation (nothing to store).
    pub empty: u32,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Source(#[from] OpenCostError),
    #[error("metrics store: {0}")]
    Store(#[from] kcost_ports::MetricsStoreError),
    #[error("hour starting {hour}: {reason}")]
    Mapping { hour: DateTime<Utc>, reason: String },
    #[error("import window: {0}")]
    Window(String),
}

/// The import use case for one source.
pub struct OpenCostImport {
    target: ImportTarget,
    source: Arc<dyn OpenCostSource>,
    metrics: Arc<dyn MetricsStore>,
    clock: Arc<dyn Clock>,
    query_cache: Arc<QueryCache>,
    settings: ImportSettings,
    status: StatusCell,
}

impl std::fmt::Debug for OpenCostImport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenCostImport")
            .field("target", &self.target)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl OpenCostImport {
    pub fn new(
        target: ImportTarget,
        source: Arc<dyn OpenCostSource>,
        metrics: Arc<dyn MetricsStore>,
        clock: Arc<dyn Clock>,
        query_cache: Arc<QueryCache>,
        settings: ImportSettings,
    ) -> Self {
        let status = StatusCell::new(target.tenant_name.clone(), target.cluster.to_string());
        Self {
            target,
            source,
            metrics,
            clock,
            query_cache,
            settings,
            status,
        }
    }

    pub fn target(&self) -> &ImportTarget {
        &self.target
    }

    pub fn status(&self) -> ImportStatus {
        self.status.get()
    }

    /// One scheduled run: imports the hours missing since the latest stored one (see the
    /// module docs) and records the outcome in the status. With nothing to import, probes
    /// OpenCost's health so the status stays current.
    pub async fn run(&self) -> Result<ImportReport, ImportError> {
        let now = self.clock.now();
        let result = match self.pending_window(now).await {
            Ok(Some(window)) => self.import_window(window).await,
            Ok(None) => self
                .source
                .health()
                .await
                .map(|()| ImportReport::default())
                .map_err(ImportError::from),
            Err(error) => Err(error),
        };
        self.record(now, &result);
        result
    }

    /// Fetches and stores every step of `window` (whole hours), oldest first; stops at the
    /// first store or mapping failure so no later hour overtakes a missing one.
    pub async fn import_window(&self, window: TimeWindow) -> Result<ImportReport, ImportError> {
        let query = AllocationQuery {
            window,
            aggregate: self.settings.aggregate.clone(),
            step_seconds: IMPORT_STEP_SECONDS,
            include_idle: true,
        };
        let sets = self.source.allocations(&query).await?;
        let now = self.clock.now();
        let mut report = ImportReport::default();
        let mut latest = None;
        for set in sets.iter().filter(|set| set.end <= window.end()) {
            if set.allocations.is_empty() {
                report.empty += 1;
                continue;
            }
            let priced = snapshot_from_allocations(set, self.target.cluster.as_str(), now)
                .map_err(|error| ImportError::Mapping {
                    hour: set.start,
                    reason: error.to_string(),
                })?;
            match self.metrics.append(self.target.tenant, &priced).await {
                Ok(AppendOutcome::Stored) => report.stored += 1,
                Ok(AppendOutcome::Duplicate) => report.duplicate += 1,
                Err(error) => {
                    self.invalidate_if_stored(&report).await;
                    self.count(&report, latest);
                    return Err(error.into());
                }
            }
            latest = Some(set.start);
        }
        self.invalidate_if_stored(&report).await;
        self.count(&report, latest);
        Ok(report)
    }

    /// The whole hours to ask for now, or `None` when the latest completed hour is stored.
    async fn pending_window(&self, now: DateTime<Utc>) -> Result<Option<TimeWindow>, ImportError> {
        let step = Duration::seconds(i64::from(IMPORT_STEP_SECONDS));
        let end = now
            .duration_trunc(step)
            .map_err(|e| ImportError::Window(e.to_string()))?;
        let earliest =
            end - step * i32::try_from(self.settings.backfill_hours.max(1)).unwrap_or(i32::MAX);
        let latest = self
            .metrics
            .previous_snapshot_time(self.target.tenant, &self.target.cluster, end)
            .await?;
        self.status.update(|s| {
            s.latest_hour = latest.or(s.latest_hour);
        });
        let after_latest = latest
            .map(|t| t.duration_trunc(step).map(|hour| hour + step))
            .transpose()
            .map_err(|e| ImportError::Window(e.to_string()))?;
        let start = after_latest.map_or(earliest, |t| t.max(earliest));
        if start >= end {
            return Ok(None);
        }
        TimeWindow::new(start, end)
            .map(Some)
            .map_err(|e| ImportError::Window(e.to_string()))
    }

    async fn invalidate_if_stored(&self, report: &ImportReport) {
        if report.stored > 0 {
            self.query_cache.invalidate(self.target.tenant).await;
        }
    }

    fn count(&self, report: &ImportReport, latest: Option<DateTime<Utc>>) {
        self.status.update(|s| {
            s.latest_hour = s.latest_hour.max(latest);
            s.hours_imported += u64::from(report.stored);
            s.hours_duplicate += u64::from(report.duplicate);
        });
    }

    fn record(&self, at: DateTime<Utc>, result: &Result<ImportReport, ImportError>) {
        let target = &self.target;
        match result {
            Ok(report) => tracing::info!(
                tenant = %target.tenant_name, cluster = %target.cluster,
                stored = report.stored, duplicate = report.duplicate, empty = report.empty,
                "opencost import run finished"
            ),
            Err(error) => tracing::warn!(
                tenant = %target.tenant_name, cluster = %target.cluster, error = %error,
                "opencost import run failed"
            ),
        }
        self.status.update(|s| {
            s.last_attempt = Some(at);
            s.connection = match result {
                Err(ImportError::Source(OpenCostError::Unreachable(_))) => {
                    OpenCostConnection::Unreachable
                }
                Err(ImportError::Store(_)) | Err(ImportError::Window(_)) => s.connection,
                _ => OpenCostConnection::Connected,
            };
            match result {
                Ok(_) => {
                    s.last_success = Some(at);
                    s.last_error = None;
                }
                Err(error) => {
                    s.failures += 1;
                    s.last_error = Some(error.to_string());
                }
            }
        });
    }
}

/// Every configured source's import, for health and metrics readers.
#[derive(Debug, Default)]
pub struct OpenCostImports {
    imports: Vec<Arc<OpenCostImport>>,
}

impl OpenCostImports {
    pub fn new(imports: Vec<Arc<OpenCostImport>>) -> Self {
        Self { imports }
    }

    pub fn imports(&self) -> &[Arc<OpenCostImport>] {
        &self.imports
    }

    pub fn statuses(&self) -> Vec<ImportStatus> {
        self.imports.iter().map(|import| import.status()).collect()
    }

    /// Kubecent's `opencost` word, see [`overall_connection`].
    pub fn connection(&self) -> &'static str {
        overall_connection(&self.statuses())
    }
}
