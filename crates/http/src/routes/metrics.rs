//! `GET /metrics`: Prometheus text format. Unauthenticated like the probes; expose it on
//! an internal network only.

use actix_web::{HttpResponse, web};

use crate::state::AppState;

/// Request counts and latencies by route and status, ingest volume, query-cache counters.
#[utoipa::path(
    get, path = "/metrics", tag = "health",
    responses((status = 200, description = "Prometheus text exposition format", content_type = "text/plain; version=0.0.4", body = String))
)]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(state.query_cache.stats()))
}
