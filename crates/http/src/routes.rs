//! Route registration: every endpoint, the JSON error handlers for query strings and
//! paths, a JSON 405 with `Allow` for a known path asked with another method, and a JSON
//! 404 for unknown paths.

#[macro_use]
mod documented;

pub mod admin;
pub mod allocation;
pub mod budgets;
pub mod costs;
pub mod dashboard;
pub mod export;
pub mod finops;
pub mod health;
pub mod ingest;
pub mod kubecent;
pub mod metrics;
pub mod opencost_ui;
pub mod prices;
mod query;
pub mod recommendations;

use actix_web::http::{Method, header};
use actix_web::{HttpResponse, Resource, Route, web};

use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::openapi::swagger_ui;

/// Registers every route. See the crate docs for the middleware to wrap around it.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::QueryConfig::default().error_handler(|error, _| {
        ApiError::bad_request(ErrorCode::InvalidQuery, error.to_string()).into()
    }))
    .app_data(web::PathConfig::default().error_handler(|error, _| {
        ApiError::bad_request(ErrorCode::InvalidPath, error.to_string()).into()
    }));
    for (path, routes) in endpoints() {
        cfg.service(endpoint(path, routes));
    }
    // Documentation.
    cfg.route("/docs", web::get().to(docs_redirect))
        .service(swagger_ui())
        .default_service(web::to(unknown_route));
}

/// Every endpoint: its path and, per method, the route. `configure` registers exactly
/// these, and [`route_table`] lists them (the OpenAPI test checks the document against it).
fn endpoints() -> Vec<(&'static str, Vec<(Method, Route)>)> {
    vec![
        // Probes and metrics.
        (
            "/v1/health",
            vec![(Method::GET, web::get().to(health::health))],
        ),
        ("/livez", vec![(Method::GET, web::get().to(health::livez))]),
        (
            "/readyz",
            vec![(Method::GET, web::get().to(health::readyz))],
        ),
        (
            "/metrics",
            vec![(Method::GET, web::get().to(metrics::metrics))],
        ),
        // Ingest.
        (
            "/v1/ingest",
            vec![(Method::POST, web::post().to(ingest::ingest))],
        ),
        // Costs.
        (
            "/v1/costs/namespaces",
            vec![(Method::GET, web::get().to(costs::namespaces))],
        ),
        (
            "/v1/costs/clusters",
            vec![(Method::GET, web::get().to(costs::clusters))],
        ),
        (
            "/v1/costs/forecast",
            vec![(Method::GET, web::get().to(finops::forecast))],
        ),
        (
            "/v1/anomalies",
            vec![(Method::GET, web::get().to(finops::anomalies))],
        ),
        (
            "/v1/costs/pods",
            vec![(Method::GET, web::get().to(costs::pods))],
        ),
        (
            "/v1/costs/trends",
            vec![(Method::GET, web::get().to(costs::trends))],
        ),
        (
            "/v1/costs/utilization",
            vec![(Method::GET, web::get().to(costs::utilization))],
        ),
        // Billing export.
        (
            "/v1/export/focus",
            vec![(Method::GET, web::get().to(export::focus))],
        ),
    ]
    .into_iter()
    // OpenCost's allocation API, bare, under /model and under /v1.
    .chain(
        allocation::paths::routes()
            .into_iter()
            .chain(opencost_ui::paths::routes())
            .map(|(path, route)| (path, vec![(Method::GET, route)])),
    )
    .chain(vec![
        // Recommendations.
        // Budgets and alerts.
        (
            "/v1/budgets",
            vec![
                (Method::GET, web::get().to(budgets::list)),
                (Method::POST, web::post().to(budgets::create)),
            ],
        ),
        (
            "/v1/budgets/{id}",
            vec![
                (Method::GET, web::get().to(budgets::get)),
                (Method::PUT, web::put().to(budgets::replace)),
                (Method::DELETE, web::delete().to(budgets::delete)),
            ],
        ),
        (
            "/v1/alerts",
            vec![(Method::GET, web::get().to(budgets::alerts))],
        ),
        (
            "/v1/recommendations",
            vec![(Method::GET, web::get().to(recommendations::list))],
        ),
        (
            "/v1/recommendations/generate",
            vec![(Method::POST, web::post().to(recommendations::generate))],
        ),
        (
            "/v1/recommendations/{id}/apply",
            vec![(Method::POST, web::post().to(recommendations::apply))],
        ),
        (
            "/v1/recommendations/{id}/dismiss",
            vec![(Method::POST, web::post().to(recommendations::dismiss))],
        ),
    ])
    .chain(vec![
        // The Kubecent dashboard's own calls.
        (
            "/api/allocations",
            vec![(Method::GET, web::get().to(dashboard::allocations))],
        ),
        (
            "/api/assets",
            vec![(Method::GET, web::get().to(dashboard::assets))],
        ),
        (
            "/api/idle",
            vec![(Method::GET, web::get().to(dashboard::idle))],
        ),
        (
            "/api/efficiency",
            vec![(Method::GET, web::get().to(dashboard::efficiency))],
        ),
        (
            "/api/savings",
            vec![(Method::GET, web::get().to(dashboard::savings))],
        ),
        (
            "/api/v1/grafana/health",
            vec![(Method::GET, web::get().to(dashboard::grafana_health))],
        ),
        (
            "/api/monitoring/cluster/stats",
            vec![(Method::GET, web::get().to(dashboard::cluster_stats))],
        ),
        (
            "/api/monitoring/pods",
            vec![(Method::GET, web::get().to(dashboard::pods))],
        ),
        (
            "/api/monitoring/nodes",
            vec![(Method::GET, web::get().to(dashboard::nodes))],
        ),
        (
            "/api/monitoring/logs",
            vec![(Method::GET, web::get().to(dashboard::logs))],
        ),
    ])
    .chain(vec![
        // Kubecent-compatible (seed 2).
        (
            "/api/v1/health",
            vec![(Method::GET, web::get().to(kubecent::health))],
        ),
        (
            "/api/v1/cost/namespaces",
            vec![(Method::GET, web::get().to(kubecent::namespaces))],
        ),
        (
            "/api/v1/cost/pods",
            vec![(Method::GET, web::get().to(kubecent::pods))],
        ),
        (
            "/api/v1/cost/monthly",
            vec![(Method::GET, web::get().to(kubecent::monthly))],
        ),
        (
            "/api/v1/savings/recommendations",
            vec![(Method::GET, web::get().to(kubecent::savings))],
        ),
        // Admin.
        (
            "/v1/admin/tenants",
            vec![
                (Method::GET, web::get().to(admin::list_tenants)),
                (Method::POST, web::post().to(admin::create_tenant)),
            ],
        ),
        (
            "/v1/admin/api_keys",
            vec![
                (Method::GET, web::get().to(admin::list_api_keys)),
                (Method::POST, web::post().to(admin::create_api_key)),
            ],
        ),
        (
            "/v1/admin/api_keys/{key_id}/revoke",
            vec![(Method::POST, web::post().to(admin::revoke_api_key))],
        ),
        (
            "/v1/admin/tenants/{tenant_id}/prices",
            vec![(Method::GET, web::get().to(prices::list_prices))],
        ),
        (
            "/v1/admin/tenants/{tenant_id}/prices/{instance_type}",
            vec![
                (Method::PUT, web::put().to(prices::put_price)),
                (Method::DELETE, web::delete().to(prices::delete_price)),
            ],
        ),
    ])
    .collect()
}

/// The (path, method) of every endpoint, in the order registered.
pub fn route_table() -> Vec<(&'static str, Method)> {
    endpoints()
        .into_iter()
        .flat_map(|(path, routes)| routes.into_iter().map(move |(method, _)| (path, method)))
        .collect()
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

/// One path and its methods; any other method is a 405 naming them in `Allow` (a known
/// path asked with the wrong method is not "no such endpoint").
fn endpoint(path: &str, methods: Vec<(Method, Route)>) -> Resource {
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
