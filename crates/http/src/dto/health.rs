//! Bodies of `/v1/health`, `/livez` and `/readyz`.

use chrono::{DateTime, Utc};
use kcost_app::health::{ComponentStatus, HealthReport};
use kcost_app::opencost_import::ImportStatus;
use serde::Serialize;
use utoipa::ToSchema;

/// State of one component: `up`, `degraded` (optional component failing; requests still
/// succeed) or `down` (required component failing; requests needing it get 503).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ComponentStatusDto {
    Up,
    Degraded,
    Down,
}

impl From<ComponentStatus> for ComponentStatusDto {
    fn from(status: ComponentStatus) -> Self {
        match status {
            ComponentStatus::Up => Self::Up,
            ComponentStatus::Degraded => Self::Degraded,
            ComponentStatus::Down => Self::Down,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComponentsDto {
    /// Relational store (tenants, keys, recommendations, prices). Required.
    pub database: ComponentStatusDto,
    /// Time-series store (samples and rollups). Required.
    pub timeseries: ComponentStatusDto,
    /// Cache (Redis or in-process). Optional: kcost serves from the database without it.
    pub cache: ComponentStatusDto,
}

/// `GET /v1/health`: 200 while every required component is up, else 503.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HealthResponse {
    /// `healthy`, `degraded` (optional component down) or `unhealthy`.
    #[schema(example = "healthy")]
    pub status: &'static str,
    pub components: ComponentsDto,
    /// Server version.
    #[schema(example = "0.1.0")]
    pub version: &'static str,
    /// OpenCost import sources (`[[opencost.sources]]`); absent when none is configured.
    /// Informational: an unreachable OpenCost never makes kcost unhealthy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opencost: Option<Vec<OpenCostSourceDto>>,
}

/// One OpenCost source's import status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpenCostSourceDto {
    /// Tenant name the data is stored for.
    pub tenant: String,
    /// Cluster name the data is stored under.
    pub cluster: String,
    /// `unknown` (not asked yet), `connected` or `unreachable`.
    #[schema(example = "connected")]
    pub status: &'static str,
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    /// The last run's error; cleared by the next successful run.
    pub last_error: Option<String>,
    /// Start of the latest hour kcost holds for the cluster.
    pub latest_hour: Option<DateTime<Utc>>,
    /// Hours stored since start-up.
    pub hours_imported: u64,
    /// Hours sent again that were already stored (nothing changed).
    pub hours_duplicate: u64,
    /// Failed runs since start-up.
    pub failures: u64,
}

impl From<ImportStatus> for OpenCostSourceDto {
    fn from(status: ImportStatus) -> Self {
        Self {
            tenant: status.tenant,
            cluster: status.cluster,
            status: status.connection.as_str(),
            last_attempt: status.last_attempt,
            last_success: status.last_success,
            last_error: status.last_error,
            latest_hour: status.latest_hour,
            hours_imported: status.hours_imported,
            hours_duplicate: status.hours_duplicate,
            failures: status.failures,
        }
    }
}

impl HealthResponse {
    /// Adds the OpenCost section when any source is configured.
    pub fn with_opencost(mut self, statuses: Vec<ImportStatus>) -> Self {
        if !statuses.is_empty() {
            self.opencost = Some(statuses.into_iter().map(Into::into).collect());
        }
        self
    }
}

impl From<HealthReport> for HealthResponse {
    fn from(report: HealthReport) -> Self {
        let status = if !report.is_ready() {
            "unhealthy"
        } else if report.cache == ComponentStatus::Up {
            "healthy"
        } else {
            "degraded"
        };
        Self {
            status,
            components: ComponentsDto {
                database: report.database.into(),
                timeseries: report.timeseries.into(),
                cache: report.cache.into(),
            },
            version: env!("CARGO_PKG_VERSION"),
            opencost: None,
        }
    }
}

/// `/livez` and `/readyz`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProbeResponse {
    /// `ok` (livez), `ready` or `not_ready` (readyz).
    #[schema(example = "ok")]
    pub status: &'static str,
}
