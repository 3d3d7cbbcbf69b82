//! Seed 2's Kubecent endpoints under `/api/v1`, over kcost's own store: health, namespace
//! and pod costs, monthly totals, savings. Authenticated like every tenant endpoint
//! (`costs:read`, plus `recommendations:read` for savings), except that with
//! `kubecent.anonymous_tenant` configured a request carrying no key at all is served for
//! that tenant, read-only. A request that presents a key is always checked, never
//! downgraded to anonymous.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use kcost_app::kubecent::{DEFAULT_WINDOW, MONTHLY_DEFAULT_WINDOW};
use kcost_domain::api_key::AuthenticatedKey;
use kcost_domain::window::TimeWindow;

use crate::auth::key_or_anonymous;
use crate::dto::health::HealthResponse;
use crate::dto::kubecent::{
    KubecentHealthResponse, KubecentMonthlyResponse, KubecentNamespacesResponse,
    KubecentPodsResponse, KubecentSavingsResponse, MonthlyParams, NamespaceParams, PodParams,
    SavingsParams,
};
use crate::error::{ApiError, ErrorBody};
use crate::routes::health;
use crate::routes::query::{bounded_limit, given};
use crate::state::AppState;

/// `opencost` in `/api/v1/health` while no OpenCost source is configured (otherwise
/// `connected`, `unreachable` or `unknown`, from the import status).
pub const OPENCOST_NOT_CONFIGURED: &str = "not_configured";
/// `service` in `/api/v1/health`.
pub const SERVICE_NAME: &str = "kcost";
/// `limit` of `/savings/recommendations`: default and bounds.
pub const DEFAULT_SAVINGS_LIMIT: i64 = 10;
pub const MAX_SAVINGS_LIMIT: i64 = 50;
/// Upper bound of `limit` on the namespace and pod lists (no default: all rows).
pub const MAX_LIST_LIMIT: i64 = 10_000;

/// The caller of a Kubecent endpoint: an API key, or — with no credentials at all and
/// `kubecent.anonymous_tenant` set — the read-only anonymous caller of that tenant.
#[derive(Debug, Clone)]
pub struct KubecentCaller(pub AuthenticatedKey);

impl FromRequest for KubecentCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = key_or_anonymous(req, payload, |state| state.kubecent_anonymous_tenant);
        Box::pin(async move { Ok(Self(caller.await?)) })
    }
}

/// The window asked for — `window`, or `default` when absent or blank — and its
/// expression, which the answers echo.
pub(crate) fn asked_window(
    state: &AppState,
    window: Option<&str>,
    default: &str,
) -> Result<(TimeWindow, String), ApiError> {
    let expr = given(window).unwrap_or(default);
    Ok((TimeWindow::parse(expr, state.clock.now())?, expr.to_owned()))
}

/// The `limit` of a namespace or pod list: all rows when absent.
fn list_limit(limit: Option<i64>) -> Result<Option<usize>, ApiError> {
    limit
        .map(|limit| bounded_limit(limit, MAX_LIST_LIMIT))
        .transpose()
}

/// Service health in seed 2's shape; 503 while a required store is down.
#[utoipa::path(
    get, path = "/api/v1/health", tag = "kubecent",
    responses(
        (status = 200, description = "Required stores up", body = KubecentHealthResponse),
        (status = 503, description = "A required store is down", body = KubecentHealthResponse),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    let (status, report) = health::checked(&state).await;
    HttpResponse::build(status).json(KubecentHealthResponse {
        status: HealthResponse::from(report).status,
        opencost: state.health.opencost_connection(),
        service: SERVICE_NAME,
    })
}

/// Cost per namespace over a window; `idle=true` shares idle out among namespaces.
#[utoipa::path(
    get, path = "/api/v1/cost/namespaces", tag = "kubecent", params(NamespaceParams),
    responses(
        (status = 200, description = "Namespaces, most expensive first", body = KubecentNamespacesResponse),
        (status = 400, description = "Invalid window or idle, or `limit` not an integer", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `costs:read`", body = ErrorBody),
        (status = 422, description = "`limit` outside 1–10,000", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security((), ("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn namespaces(
    state: web::Data<AppState>,
    caller: KubecentCaller,
    params: web::Query<NamespaceParams>,
) -> Result<web::Json<KubecentNamespacesResponse>, ApiError> {
    let (window, expr) = asked_window(&state, params.window.as_deref(), DEFAULT_WINDOW)?;
    let include_idle = params.idle.unwrap_or(false);
    let limit = list_limit(params.limit)?;
    let answer = state
        .kubecent
        .namespaces(&caller.0, window, include_idle)
        .await?;
    Ok(web::Json(KubecentNamespacesResponse::new(
        &answer, expr, limit,
    )))
}

/// Cost per pod over a window, optionally of one namespace.
#[utoipa::path(
    get, path = "/api/v1/cost/pods", tag = "kubecent", params(PodParams),
    responses(
        (status = 200, description = "Pods, most expensive first", body = KubecentPodsResponse),
        (status = 400, description = "Invalid window, or `limit` not an integer", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `costs:read`", body = ErrorBody),
        (status = 422, description = "`limit` outside 1–10,000", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security((), ("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn pods(
    state: web::Data<AppState>,
    caller: KubecentCaller,
    params: web::Query<PodParams>,
) -> Result<web::Json<KubecentPodsResponse>, ApiError> {
    let (window, expr) = asked_window(&state, params.window.as_deref(), DEFAULT_WINDOW)?;
    let namespace = given(params.namespace.as_deref()).map(str::to_owned);
    let limit = list_limit(params.limit)?;
    let answer = state.kubecent.pods(&caller.0, window, namespace).await?;
    Ok(web::Json(KubecentPodsResponse::new(&answer, expr, limit)))
}

/// Cost per calendar month over the last 30 days (or `window`).
#[utoipa::path(
    get, path = "/api/v1/cost/monthly", tag = "kubecent", params(MonthlyParams),
    responses(
        (status = 200, description = "Months, oldest first", body = KubecentMonthlyResponse),
        (status = 400, description = "Invalid window", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `costs:read`", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security((), ("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn monthly(
    state: web::Data<AppState>,
    caller: KubecentCaller,
    params: web::Query<MonthlyParams>,
) -> Result<web::Json<KubecentMonthlyResponse>, ApiError> {
    let (window, expr) = asked_window(&state, params.window.as_deref(), MONTHLY_DEFAULT_WINDOW)?;
    let answer = state.kubecent.monthly(&caller.0, window).await?;
    Ok(web::Json(KubecentMonthlyResponse::new(&answer, expr)))
}

/// The largest savings among the tenant's open recommendations.
#[utoipa::path(
    get, path = "/api/v1/savings/recommendations", tag = "kubecent", params(SavingsParams),
    responses(
        (status = 200, description = "Largest saving first", body = KubecentSavingsResponse),
        (status = 400, description = "`limit` is not an integer", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `costs:read` or `recommendations:read`", body = ErrorBody),
        (status = 422, description = "`limit` outside 1–50", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security((), ("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn savings(
    state: web::Data<AppState>,
    caller: KubecentCaller,
    params: web::Query<SavingsParams>,
) -> Result<web::Json<KubecentSavingsResponse>, ApiError> {
    let limit = bounded_limit(
        params.limit.unwrap_or(DEFAULT_SAVINGS_LIMIT),
        MAX_SAVINGS_LIMIT,
    )?;
    let report = state.kubecent.savings(&caller.0, limit).await?;
    Ok(web::Json(KubecentSavingsResponse::from(&report)))
}
