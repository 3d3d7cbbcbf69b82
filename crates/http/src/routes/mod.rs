//! Route registration: every endpoint, the JSON error handlers for query strings and
//! paths, and a JSON 404 for unknown paths.

pub mod admin;
pub mod costs;
pub mod health;
pub mod ingest;
pub mod kubecent;
pub mod metrics;
pub mod prices;
pub mod recommendations;

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::error::ApiError;
use crate::openapi::swagger_ui;

/// Registers every route. See the crate docs for the middleware to wrap around it.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::QueryConfig::default().error_handler(|error, _| {
        ApiError::bad_request("invalid_query", error.to_string()).into()
    }))
    .app_data(
        web::PathConfig::default().error_handler(|error, _| {
            ApiError::bad_request("invalid_path", error.to_string()).into()
        }),
    )
    // Probes and metrics.
    .route("/v1/health", web::get().to(health::health))
    .route("/livez", web::get().to(health::livez))
    .route("/readyz", web::get().to(health::readyz))
    .route("/metrics", web::get().to(metrics::metrics))
    // Agents.
    .route("/v1/ingest", web::post().to(ingest::ingest))
    // Costs.
    .route("/v1/costs/namespaces", web::get().to(costs::namespaces))
    .route("/v1/costs/clusters", web::get().to(costs::clusters))
    .route("/v1/costs/pods", web::get().to(costs::pods))
    .route("/v1/costs/trends", web::get().to(costs::trends))
    .route("/v1/costs/utilization", web::get().to(costs::utilization))
    // Recommendations.
    .route("/v1/recommendations", web::get().to(recommendations::list))
    .route(
        "/v1/recommendations/generate",
        web::post().to(recommendations::generate),
    )
    .route(
        "/v1/recommendations/{id}/apply",
        web::post().to(recommendations::apply),
    )
    .route(
        "/v1/recommendations/{id}/dismiss",
        web::post().to(recommendations::dismiss),
    )
    // Kubecent-compatible (seed 2).
    .route("/api/v1/health", web::get().to(kubecent::health))
    .route(
        "/api/v1/cost/namespaces",
        web::get().to(kubecent::namespaces),
    )
    .route("/api/v1/cost/pods", web::get().to(kubecent::pods))
    .route("/api/v1/cost/monthly", web::get().to(kubecent::monthly))
    .route(
        "/api/v1/savings/recommendations",
        web::get().to(kubecent::savings),
    )
    // Admin.
    .route("/v1/admin/tenants", web::post().to(admin::create_tenant))
    .route("/v1/admin/tenants", web::get().to(admin::list_tenants))
    .route("/v1/admin/api_keys", web::post().to(admin::create_api_key))
    .route("/v1/admin/api_keys", web::get().to(admin::list_api_keys))
    .route(
        "/v1/admin/api_keys/{key_id}/revoke",
        web::post().to(admin::revoke_api_key),
    )
    .route(
        "/v1/admin/tenants/{tenant_id}/prices",
        web::get().to(prices::list_prices),
    )
    .route(
        "/v1/admin/tenants/{tenant_id}/prices/{instance_type}",
        web::put().to(prices::put_price),
    )
    .route(
        "/v1/admin/tenants/{tenant_id}/prices/{instance_type}",
        web::delete().to(prices::delete_price),
    )
    // Documentation.
    .route("/docs", web::get().to(docs_redirect))
    .service(swagger_ui())
    .default_service(web::to(unknown_route));
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

async fn unknown_route() -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found("no such endpoint; see /openapi.json"))
}
