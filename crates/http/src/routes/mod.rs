//! Route registration: every endpoint, the JSON error handlers for query strings and
//! paths, a JSON 405 with `Allow` for a known path asked with another method, and a JSON
//! 404 for unknown paths.

pub mod admin;
pub mod costs;
pub mod health;
pub mod ingest;
pub mod kubecent;
pub mod metrics;
pub mod prices;
pub mod recommendations;

use actix_web::http::{Method, header};
use actix_web::{HttpResponse, Resource, Route, web};

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
    .service(endpoint(
        "/v1/health",
        [(Method::GET, web::get().to(health::health))],
    ))
    .service(endpoint(
        "/livez",
        [(Method::GET, web::get().to(health::livez))],
    ))
    .service(endpoint(
        "/readyz",
        [(Method::GET, web::get().to(health::readyz))],
    ))
    .service(endpoint(
        "/metrics",
        [(Method::GET, web::get().to(metrics::metrics))],
    ))
    // Ingest.
    .service(endpoint(
        "/v1/ingest",
        [(Method::POST, web::post().to(ingest::ingest))],
    ))
    // Costs.
    .service(endpoint(
        "/v1/costs/namespaces",
        [(Method::GET, web::get().to(costs::namespaces))],
    ))
    .service(endpoint(
        "/v1/costs/clusters",
        [(Method::GET, web::get().to(costs::clusters))],
    ))
    .service(endpoint(
        "/v1/costs/pods",
        [(Method::GET, web::get().to(costs::pods))],
    ))
    .service(endpoint(
        "/v1/costs/trends",
        [(Method::GET, web::get().to(costs::trends))],
    ))
    .service(endpoint(
        "/v1/costs/utilization",
        [(Method::GET, web::get().to(costs::utilization))],
    ))
    // Recommendations.
    .service(endpoint(
        "/v1/recommendations",
        [(Method::GET, web::get().to(recommendations::list))],
    ))
    .service(endpoint(
        "/v1/recommendations/generate",
        [(Method::POST, web::post().to(recommendations::generate))],
    ))
    .service(endpoint(
        "/v1/recommendations/{id}/apply",
        [(Method::POST, web::post().to(recommendations::apply))],
    ))
    .service(endpoint(
        "/v1/recommendations/{id}/dismiss",
        [(Method::POST, web::post().to(recommendations::dismiss))],
    ))
    // Kubecent-compatible (seed 2).
    .service(endpoint(
        "/api/v1/health",
        [(Method::GET, web::get().to(kubecent::health))],
    ))
    .service(endpoint(
        "/api/v1/cost/namespaces",
        [(Method::GET, web::get().to(kubecent::namespaces))],
    ))
    .service(endpoint(
        "/api/v1/cost/pods",
        [(Method::GET, web::get().to(kubecent::pods))],
    ))
    .service(endpoint(
        "/api/v1/cost/monthly",
        [(Method::GET, web::get().to(kubecent::monthly))],
    ))
    .service(endpoint(
        "/api/v1/savings/recommendations",
        [(Method::GET, web::get().to(kubecent::savings))],
    ))
    // Admin.
    .service(endpoint(
        "/v1/admin/tenants",
        [
            (Method::GET, web::get().to(admin::list_tenants)),
            (Method::POST, web::post().to(admin::create_tenant)),
        ],
    ))
    .service(endpoint(
        "/v1/admin/api_keys",
        [
            (Method::GET, web::get().to(admin::list_api_keys)),
            (Method::POST, web::post().to(admin::create_api_key)),
        ],
    ))
    .service(endpoint(
        "/v1/admin/api_keys/{key_id}/revoke",
        [(Method::POST, web::post().to(admin::revoke_api_key))],
    ))
    .service(endpoint(
        "/v1/admin/tenants/{tenant_id}/prices",
        [(Method::GET, web::get().to(prices::list_prices))],
    ))
    .service(endpoint(
        "/v1/admin/tenants/{tenant_id}/prices/{instance_type}",
        [
            (Method::PUT, web::put().to(prices::put_price)),
            (Method::DELETE, web::delete().to(prices::delete_price)),
        ],
    ))
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

/// One path and its methods; any other method is a 405 naming them in `Allow` (a known
/// path asked with the wrong method is not "no such endpoint").
fn endpoint<const N: usize>(path: &str, methods: [(Method, Route); N]) -> Resource {
    let allow = methods
        .iter()
        .map(|(method, _)| method.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut resource = web::resource(path);
    for (_, route) in methods {
        resource = resource.route(route);
    }
    resource.default_service(web::to(move || {
        let allow = allow.clone();
        async move {
            let mut response = HttpResponse::MethodNotAllowed();
            response.insert_header((header::ALLOW, allow.clone()));
            ApiError::method_not_allowed(&allow).respond_with(response)
        }
    }))
}

async fn unknown_route() -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found("no such endpoint; see /openapi.json"))
}
