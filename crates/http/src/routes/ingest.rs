//! `POST /v1/ingest`: an agent's snapshot. Size-limited before and after gzip, parsed with
//! the path of any bad field, validated (422 lists every bad field), and acknowledged only
//! after the store committed it.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use kcost_agent_contract::AgentPayload;
use kcost_app::ports::AppendOutcome;
use kcost_domain::api_key::Scope;

use crate::auth::ApiKeyCaller;
use crate::body::{parse_json, read_body, require_json_content_type};
use crate::dto::ingest::IngestResponse;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// Ingest one snapshot (scope `metrics:write`; a cluster-bound key only for its cluster).
#[utoipa::path(
    post, path = "/v1/ingest", tag = "ingest",
    request_body(content = AgentPayload, description = "The agent's snapshot; may be sent with `Content-Encoding: gzip`"),
    responses(
        (status = 202, description = "Stored", body = IngestResponse),
        (status = 200, description = "Already stored (same cluster and timestamp); nothing changed", body = IngestResponse),
        (status = 400, description = "Malformed JSON or gzip; `details` says where", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "Missing scope, or the key is bound to another cluster", body = ErrorBody),
        (status = 413, description = "Body over the limit, as sent or decompressed", body = ErrorBody),
        (status = 415, description = "Content-Encoding other than gzip, or a Content-Type other than JSON", body = ErrorBody),
        (status = 422, description = "Invalid fields, each named by its JSON path", body = ErrorBody),
        (status = 429, description = "Rate limit exceeded; see Retry-After", body = ErrorBody),
        (status = 503, description = "Store unavailable; nothing written; see Retry-After", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn ingest(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    // Refuse a key without the scope before reading (and inflating) its body.
    caller.0.require(Scope::MetricsWrite)?;
    require_json_content_type(request.headers())?;
    let body = read_body(request.headers(), payload, state.limits.max_payload_bytes).await?;
    let payload: AgentPayload = parse_json(&body.bytes)?;
    let cluster_name = payload.cluster_name.clone();
    let receipt = state
        .ingest
        .execute(&caller.0, payload.into_draft())
        .await?;
    let stored = receipt.outcome == AppendOutcome::Stored;
    state
        .metrics
        .observe_ingest(stored, receipt.pods, body.received_bytes);
    let status = if stored {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    Ok(HttpResponse::build(status).json(IngestResponse::new(cluster_name, &receipt)))
}
