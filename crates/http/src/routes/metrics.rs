//! `GET /metrics`: Prometheus text format. Unauthenticated like the probes; expose it on
//! an internal network only.

use std::fmt::Write as _;

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
        .body(render(&state))
}

/// The HTTP layer's metrics, then the query cache's invalidation and warming counters.
/// Seed 2's "expired" has no counter of its own: an entry that outlived its TTL is gone
/// from Redis (or the in-process cache) and its lookup is counted as a miss.
fn render(state: &AppState) -> String {
    let mut out = state.metrics.render(state.query_cache.stats());
    let counters = [
        (
            "kcost_query_cache_invalidations_total",
            "Tenant cache invalidations (one per stored snapshot): every cached answer of the tenant became unreachable.",
            state.query_cache.invalidations(),
        ),
        (
            "kcost_query_cache_refreshes_total",
            "Answers recomputed and stored ahead of requests by cache warming.",
            state.query_cache.refreshes(),
        ),
    ];
    for (name, help, value) in counters {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
        );
    }
    out.push_str(&crate::opencost_metrics::render(
        &state.health.opencost_statuses(),
    ));
    out
}
