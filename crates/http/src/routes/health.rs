//! `GET /v1/health` (component status), `GET /livez` (the process answers) and
//! `GET /readyz` (required stores reachable). None of them needs a key.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use kcost_app::health::HealthReport;

use crate::dto::health::{HealthResponse, ProbeResponse};
use crate::state::AppState;

/// Component status; 503 while a required component (database, time-series store) is down.
#[utoipa::path(
    get, path = "/v1/health", tag = "health",
    responses(
        (status = 200, description = "Every required component is up", body = HealthResponse),
        (status = 503, description = "A required component is down", body = HealthResponse),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    let (status, report) = checked(&state).await;
    let body = HealthResponse::from(report).with_opencost(state.health.opencost_statuses());
    HttpResponse::build(status).json(body)
}

/// Liveness: 200 as long as the process serves HTTP. Checks nothing else, so a database
/// outage does not get the pod restarted.
#[utoipa::path(
    get, path = "/livez", tag = "health",
    responses((status = 200, description = "Alive", body = ProbeResponse))
)]
pub async fn livez() -> HttpResponse {
    HttpResponse::Ok().json(ProbeResponse { status: "ok" })
}

/// Readiness: 200 when the required stores answer, else 503 (take the replica out of
/// the load balancer).
#[utoipa::path(
    get, path = "/readyz", tag = "health",
    responses(
        (status = 200, description = "Ready", body = ProbeResponse),
        (status = 503, description = "A required store is down", body = ProbeResponse),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let (status, _) = checked(&state).await;
    let readiness = if status.is_success() {
        "ready"
    } else {
        "not_ready"
    };
    HttpResponse::build(status).json(ProbeResponse { status: readiness })
}

/// The components' state, and the status answering it on every health route: 503 while a
/// required store is down (the replica cannot serve).
pub(crate) async fn checked(state: &AppState) -> (StatusCode, HealthReport) {
    let report = state.health.check().await;
    let status = if report.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, report)
}
