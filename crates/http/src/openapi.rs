//! The OpenAPI 3 document, generated from the handlers' `#[utoipa::path]` attributes and
//! the DTOs' schemas, served at `/openapi.json` with Swagger UI (vendored assets) at `/docs`.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::routes;

/// The API description.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "kcost",
        description = "Multi-tenant Kubernetes cost API: agents push snapshots, frontends ask \
                       what namespaces, clusters and pods cost, and get right-sizing advice. \
                       Errors share one shape: `{\"error\", \"code\", \"request_id\"}`."
    ),
    paths(
        routes::health::health,
        routes::health::livez,
        routes::health::readyz,
        routes::metrics::metrics,
        routes::ingest::ingest,
        routes::costs::namespaces,
        routes::costs::clusters,
        routes::costs::pods,
        routes::costs::trends,
        routes::costs::utilization,
        routes::export::focus,
        routes::allocation::paths::allocation,
        routes::allocation::paths::allocation_compute,
        routes::allocation::paths::summary,
        routes::allocation::paths::topline,
        routes::allocation::paths::model_allocation,
        routes::allocation::paths::model_allocation_compute,
        routes::allocation::paths::model_summary,
        routes::allocation::paths::model_topline,
        routes::allocation::paths::v1_allocation,
        routes::allocation::paths::v1_allocation_compute,
        routes::allocation::paths::v1_summary,
        routes::allocation::paths::v1_topline,
        routes::opencost_ui::paths::assets,
        routes::opencost_ui::paths::cloud_cost,
        routes::opencost_ui::paths::cloud_cost_table,
        routes::opencost_ui::paths::cloud_cost_totals,
        routes::opencost_ui::paths::cloud_cost_graph,
        routes::opencost_ui::paths::cloud_cost_status,
        routes::opencost_ui::paths::custom_cost_total,
        routes::opencost_ui::paths::custom_cost_timeseries,
        routes::opencost_ui::paths::allocation_autocomplete,
        routes::opencost_ui::paths::assets_autocomplete,
        routes::opencost_ui::paths::cloud_cost_autocomplete,
        routes::opencost_ui::paths::model_assets,
        routes::opencost_ui::paths::model_cloud_cost,
        routes::opencost_ui::paths::model_cloud_cost_table,
        routes::opencost_ui::paths::model_cloud_cost_totals,
        routes::opencost_ui::paths::model_cloud_cost_graph,
        routes::opencost_ui::paths::model_cloud_cost_status,
        routes::opencost_ui::paths::model_custom_cost_total,
        routes::opencost_ui::paths::model_custom_cost_timeseries,
        routes::opencost_ui::paths::model_allocation_autocomplete,
        routes::opencost_ui::paths::model_assets_autocomplete,
        routes::opencost_ui::paths::model_cloud_cost_autocomplete,
        routes::finops::forecast,
        routes::finops::anomalies,
        routes::budgets::create,
        routes::budgets::list,
        routes::budgets::get,
        routes::budgets::replace,
        routes::budgets::delete,
        routes::budgets::alerts,
        routes::recommendations::list,
        routes::recommendations::generate,
        routes::recommendations::apply,
        routes::recommendations::dismiss,
        routes::admin::create_tenant,
        routes::admin::list_tenants,
        routes::admin::create_api_key,
        routes::admin::list_api_keys,
        routes::admin::revoke_api_key,
        routes::prices::list_prices,
        routes::prices::put_price,
        routes::prices::delete_price,
        routes::kubecent::health,
        routes::kubecent::namespaces,
        routes::kubecent::pods,
        routes::kubecent::monthly,
        routes::kubecent::savings,
        routes::dashboard::allocations,
        routes::dashboard::assets,
        routes::dashboard::idle,
        routes::dashboard::efficiency,
        routes::dashboard::savings,
        routes::dashboard::grafana_health,
        routes::dashboard::cluster_stats,
        routes::dashboard::pods,
        routes::dashboard::nodes,
        routes::dashboard::logs,
    ),
    // Query-parameter rules referenced from `IntoParams` (not collected automatically).
    components(schemas(
        crate::dto::query::WindowExpr,
        crate::dto::query::WindowBound,
        crate::dto::query::ClusterFilter,
        crate::dto::query::Rfc3339Time,
        kcost_agent_contract::schema::SnapshotTimeDoc,
        kcost_agent_contract::schema::LabelsDoc,
    )),
    modifiers(&SecuritySchemes, &CommonResponses),
    tags(
        (name = "health", description = "Probes and metrics; no key needed"),
        (name = "ingest", description = "Agent snapshots (scope `metrics:write`)"),
        (name = "costs", description = "Cost questions (scope `costs:read`)"),
        (name = "opencost-ui", description = "The OpenCost UI's other calls, bare and under `/model`: nodes as assets; cloud and custom costs answer OpenCost's empty shapes (kcost has no such source); autocomplete. Same access as the allocation API"),
        (name = "allocation", description = "OpenCost-compatible allocation API (scope `costs:read`), bare, under `/model` and under `/v1`: cost by any property or label, idle and shared costs, steps and accumulation; without a key only when `allocation.anonymous_tenant` is configured"),
        (name = "budgets", description = "Budgets with spend, forecast and status; alerts sent to webhooks (scopes `budgets:read`/`:write`)"),
        (name = "recommendations", description = "Right-sizing advice (scopes `recommendations:read`/`:write`)"),
        (name = "admin", description = "Tenants, API keys and prices (admin token)"),
        (name = "kubecent", description = "Kubecent-compatible API (seed 2) under `/api/v1`: scope `costs:read` (savings also `recommendations:read`); without a key only when `kubecent.anonymous_tenant` is configured"),
    )
)]
pub struct ApiDoc;

/// Declares the two credentials: tenant API keys and the admin token.
#[derive(Debug)]
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "`ApiKey <key_id>:<secret>` (or `Bearer <key_id>:<secret>`; or the bare key in `X-Api-Key`)",
            ))),
        );
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The admin token"))
                    .build(),
            ),
        );
    }
}

/// The answers every operation can give besides its own: the rate limiter wraps every
/// route (429), any handler can meet a bug (500), every route but liveness and metrics
/// waits on a store (503), and a request body has a size limit (413).
#[derive(Debug)]
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for (path, item) in &mut openapi.paths.paths {
            let waits_on_a_store = !matches!(path.as_str(), "/livez" | "/metrics");
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let has_body = operation.request_body.is_some();
                let responses = &mut operation.responses.responses;
                let mut add = |status: &str, description: &str| {
                    responses
                        .entry(status.to_owned())
                        .or_insert_with(|| error(description).into());
                };
                add(
                    "429",
                    "Over `server.rate_limit_per_minute` for this key or address; \
                     `Retry-After` says when to retry",
                );
                add(
                    "500",
                    "A bug: logged in full under the request id, opaque here",
                );
                if waits_on_a_store {
                    add(
                        "503",
                        "A store is unavailable; nothing was written; `Retry-After`",
                    );
                }
                if has_body {
                    add("413", "Request body over the size limit");
                }
            }
        }
    }
}

/// Swagger UI at `/docs/` reading `/openapi.json`.
pub fn swagger_ui() -> SwaggerUi {
    SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", ApiDoc::openapi())
}
