//! Bodies of `/v1/health`, `/livez` and `/readyz`.

use kcost_app::health::{ComponentStatus, HealthReport};
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
