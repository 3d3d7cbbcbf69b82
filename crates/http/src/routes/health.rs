//! `GET /v1/health` (component status), `GET /livez` (the process answers) and
//! `GET /readyz` (required stores reachable). None of them needs a key.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

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
    let report = state.health.check().await;
    let status = if report.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
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
    if state.health.check().await.is_ready() {
        HttpResponse::Ok().json(ProbeResponse { status: "ready" })
    } else {
        HttpResponse::ServiceUnavailable().json(ProbeResponse {
            status: "not_ready",
        })
    }
}
