//! The Kubecent dashboard's own calls under `/api` (its Overview, Savings, Monitor and Logs
//! pages), answered from kcost's store for the caller's tenant. Authenticated like the
//! other Kubecent endpoints ([`KubecentCaller`]: an API key, or no credentials at all with
//! `kubecent.anonymous_tenant` set); scopes are checked by the use cases. Only the Grafana
//! probe needs no key: it says the same to everyone (kcost has no Grafana).

use actix_web::web;
use kcost_app::kubecent::DEFAULT_WINDOW;

use crate::dto::dashboard::{
    AllocationsResponse, AssetsResponse, ClusterStatsResponse, DashboardSavingsResponse,
    DashboardWindowParams, EfficiencyResponse, GrafanaHealthResponse, IdleResponse, LogParams,
    LogsResponse, MonitoredNodesResponse, MonitoredPodsResponse, MonitoringPodParams,
    OverviewAnswer,
};
use crate::error::{ApiError, ErrorBody, FieldIssue};
use crate::routes::kubecent::{KubecentCaller, asked_window};
use crate::routes::query::range_issue;
use crate::state::AppState;

/// `limit` of `/monitoring/logs`: default and bounds (Kubecent's own).
pub const DEFAULT_LOG_LIMIT: i64 = 100;
pub const MAX_LOG_LIMIT: i64 = 1000;
/// `since_seconds` of `/monitoring/logs`: default (what the Logs page sends) and at most a
/// week.
pub const DEFAULT_LOG_SECONDS: i64 = 3600;
pub const MAX_LOG_SECONDS: i64 = 604_800;

/// What `R` shows of the Overview over `window` (default `7d`).
async fn overview<R: OverviewAnswer>(
    state: web::Data<AppState>,
    caller: KubecentCaller,
    params: web::Query<DashboardWindowParams>,
) -> Result<web::Json<R>, ApiError> {
    let (window, expr) = asked_window(&state, params.window.as_deref(), DEFAULT_WINDOW)?;
    let overview = state.kubecent.overview(&caller.0, window).await?;
    Ok(web::Json(R::new(&overview, expr)))
}

documented_get_family! {
    tag = "kubecent", caller = KubecentCaller, security = ((), ("api_key" = [])),
    params = DashboardWindowParams, invalid = "Invalid window", handler = overview;
    /// Cost per namespace with its efficiency: the Overview's total and top namespaces.
    allocations "/api/allocations" => AllocationsResponse, "Namespaces, most expensive first";
    /// What the clusters cost by kind of asset: nodes (idle included), disks, network, load
    /// balancers.
    assets "/api/assets" => AssetsResponse, "Per cluster, nodes first";
    /// Idle node cost and its share of the total.
    idle "/api/idle" => IdleResponse, "Idle, in total and per cluster";
    /// Usage against requests and allocated against idle, as scores with a grade.
    efficiency "/api/efficiency" => EfficiencyResponse, "Scores 0–100";
}

/// The tenant's open savings, per year as the Savings page shows them.
#[utoipa::path(
    get, path = "/api/savings", tag = "kubecent",
    responses(
        (status = 200, description = "Largest saving first", body = DashboardSavingsResponse),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `costs:read` or `recommendations:read`", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security((), ("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn savings(
    state: web::Data<AppState>,
    caller: KubecentCaller,
) -> Result<web::Json<DashboardSavingsResponse>, ApiError> {
    // Every saving, for the summary's counts; the response lists the largest.
    let report = state.kubecent.savings(&caller.0, usize::MAX).await?;
    Ok(web::Json(DashboardSavingsResponse::from(&report)))
}

/// Grafana's status for the Monitor page: kcost has none, so never connected.
#[utoipa::path(
    get, path = "/api/v1/grafana/health", tag = "kubecent",
    responses((status = 200, description = "Not configured", body = GrafanaHealthResponse))
)]
#[tracing::instrument(skip_all)]
pub async fn grafana_health() -> web::Json<GrafanaHealthResponse> {
    web::Json(GrafanaHealthResponse::not_configured())
}

/// Pods and the nodes' CPU and memory over the last hour.
#[utoipa::path(
    get, path = "/api/monitoring/cluster/stats", tag = "kubecent",
    responses(
        (status = 200, description = "The last hour", body = ClusterStatsResponse),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `costs:read`", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security((), ("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn cluster_stats(
    state: web::Data<AppState>,
    caller: KubecentCaller,
) -> Result<web::Json<ClusterStatsResponse>, ApiError> {
    let monitoring = state.kubecent.monitoring(&caller.0).await?;
    Ok(web::Json(ClusterStatsResponse::from(&monitoring)))
}

/// The pods of the last hour with their status and average usage.
#[utoipa::path(
    get, path = "/api/monitoring/pods", tag = "kubecent", params(MonitoringPodParams),
    responses(
        (status = 200, description = "By cluster, namespace and name", body = MonitoredPodsResponse),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `costs:read`", body = ErrorBody),
        (status = 422, description = "`namespace` is not a DNS label", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security((), ("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn pods(
    state: web::Data<AppState>,
    caller: KubecentCaller,
    params: web::Query<MonitoringPodParams>,
) -> Result<web::Json<MonitoredPodsResponse>, ApiError> {
    reject(
        namespace_issue(params.namespace.as_deref())
            .into_iter()
            .collect(),
    )?;
    let monitoring = state.kubecent.monitoring(&caller.0).await?;
    Ok(web::Json(MonitoredPodsResponse::new(
        &monitoring,
        params.namespace.as_deref(),
    )))
}

/// The nodes priced in the last hour with their usage against (derived) capacity.
#[utoipa::path(
    get, path = "/api/monitoring/nodes", tag = "kubecent",
    responses(
        (status = 200, description = "By cluster and name", body = MonitoredNodesResponse),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `costs:read`", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security((), ("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn nodes(
    state: web::Data<AppState>,
    caller: KubecentCaller,
) -> Result<web::Json<MonitoredNodesResponse>, ApiError> {
    let monitoring = state.kubecent.monitoring(&caller.0).await?;
    Ok(web::Json(MonitoredNodesResponse::from(&monitoring)))
}

/// Pod log lines for the Logs page: always none (kcost collects no logs).
#[utoipa::path(
    get, path = "/api/monitoring/logs", tag = "kubecent", params(LogParams),
    responses(
        (status = 200, description = "No lines", body = LogsResponse),
        (status = 400, description = "`limit` or `since_seconds` not an integer", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `costs:read`", body = ErrorBody),
        (status = 422, description = "`namespace`, `limit` or `since_seconds` out of range", body = ErrorBody),
    ),
    security((), ("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn logs(
    state: web::Data<AppState>,
    caller: KubecentCaller,
    params: web::Query<LogParams>,
) -> Result<web::Json<LogsResponse>, ApiError> {
    let limit = params.limit.unwrap_or(DEFAULT_LOG_LIMIT);
    let since_seconds = params.since_seconds.unwrap_or(DEFAULT_LOG_SECONDS);
    let issues: Vec<FieldIssue> = [
        namespace_issue(params.namespace.as_deref()),
        range_issue("limit", limit, MAX_LOG_LIMIT),
        range_issue("since_seconds", since_seconds, MAX_LOG_SECONDS),
    ]
    .into_iter()
    .flatten()
    .collect();
    reject(issues)?;
    let lines = state.kubecent.recent_logs(&caller.0)?;
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    Ok(web::Json(LogsResponse::new(&lines, limit, since_seconds)))
}

/// 422 naming every invalid parameter, if any.
fn reject(issues: Vec<FieldIssue>) -> Result<(), ApiError> {
    if issues.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(issues))
    }
}

/// What is wrong with a `namespace` parameter: it must be a DNS label, as Kubernetes names
/// namespaces (`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`).
fn namespace_issue(namespace: Option<&str>) -> Option<FieldIssue> {
    let namespace = namespace?;
    let alphanumeric = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let is_dns_label = (1..=63).contains(&namespace.len())
        && namespace.chars().all(|c| alphanumeric(c) || c == '-')
        && namespace.starts_with(alphanumeric)
        && namespace.ends_with(alphanumeric);
    (!is_dns_label).then(|| {
        FieldIssue::new(
            "namespace",
            "must be a DNS label: 1–63 lower-case letters, digits or `-`, alphanumeric at both ends",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_are_dns_labels() {
        for valid in ["a", "kube-system", "a1", &"x".repeat(63)] {
            assert!(namespace_issue(Some(valid)).is_none(), "{valid}");
        }
        for invalid in ["", "-a", "a-", "Web", "a_b", "a.b", " a", &"x".repeat(64)] {
            assert!(namespace_issue(Some(invalid)).is_some(), "{invalid:?}");
        }
        assert!(namespace_issue(None).is_none());
    }
}
