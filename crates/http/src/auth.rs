//! Authentication extractors: [`ApiKeyCaller`] for tenant endpoints (API key in
//! `Authorization: ApiKey|Bearer` or `X-Api-Key`; [`key_or_anonymous`] where a read-only
//! anonymous mode is configured) and [`AdminCaller`] for the admin API
//! (`Authorization: Bearer <admin token>`, compared in constant time). Scopes are checked
//! by the use cases, which know what each operation needs.

use std::future::{Future, Ready, ready};
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::{AUTHORIZATION, HeaderMap};
use actix_web::{FromRequest, HttpRequest, web};
use kcost_domain::api_key::{ApiKeyFormatError, AuthenticatedKey, PresentedApiKey};
use kcost_domain::tenant::TenantId;

use crate::credentials::{bearer_token, presented_api_key};
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::state::AppState;

/// The header some clients use instead of `Authorization`.
pub const X_API_KEY: &str = "x-api-key";

/// The caller of a tenant endpoint: a key that proved its secret and is neither revoked
/// nor expired.
#[derive(Debug, Clone)]
pub struct ApiKeyCaller(pub AuthenticatedKey);

/// The presented API key, if the headers hold a well-formed one. Header values that are
/// not visible ASCII count as malformed.
pub fn presented_key(headers: &HeaderMap) -> Option<PresentedApiKey> {
    presented(headers).ok()
}

fn presented(headers: &HeaderMap) -> Result<PresentedApiKey, ApiKeyFormatError> {
    let text = |name| {
        headers
            .get(name)
            .map(|value| value.to_str().unwrap_or("\u{0}"))
    };
    presented_api_key(text(AUTHORIZATION.as_str()), text(X_API_KEY))
}

fn app_state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("AppState is not registered")))
}

impl FromRequest for ApiKeyCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = app_state(req);
        let presented = presented(req.headers());
        Box::pin(async move {
            let state = state?;
            let presented = presented.map_err(|error| match error {
                // Which key did the client mean? Neither is judged.
                ApiKeyFormatError::Conflicting => {
                    ApiError::bad_request(ErrorCode::ConflictingCredentials, error.to_string())
                }
                // Missing and malformed keys get the same answer as wrong ones.
                ApiKeyFormatError::Missing | ApiKeyFormatError::Malformed => {
                    ApiError::unauthorized()
                }
            })?;
            let key = state.authenticator.authenticate(&presented).await?;
            // In memory only; the server writes last-use times in batches.
            state.key_usage.record(key.key_id);
            let span = tracing::Span::current();
            span.record("key_id", tracing::field::display(key.key_id));
            span.record("tenant", tracing::field::display(key.tenant_id));
            Ok(Self(key))
        })
    }
}

/// The caller of an admin endpoint: someone holding the admin token.
#[derive(Debug, Clone, Copy)]
pub struct AdminCaller;

impl FromRequest for AdminCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(app_state(req).and_then(|state| {
            let token = req
                .headers()
                .get(AUTHORIZATION)
                .and_then(|value| value.to_str().ok())
                .and_then(bearer_token);
            match token {
                Some(token) if state.admin_token.verify(token) => Ok(Self),
                _ => Err(ApiError::admin_unauthorized()),
            }
        }))
    }
}

/// The caller of a read-only endpoint with an anonymous mode: the presented API key, or —
/// with no credentials at all and `anonymous(state)` naming a tenant — that tenant's
/// read-only caller. A request that presents a key is always checked, never downgraded.
pub(crate) fn key_or_anonymous(
    req: &HttpRequest,
    payload: &mut Payload,
    anonymous: fn(&AppState) -> Option<TenantId>,
) -> Pin<Box<dyn Future<Output = Result<AuthenticatedKey, ApiError>>>> {
    let no_credentials =
        !req.headers().contains_key(AUTHORIZATION) && !req.headers().contains_key(X_API_KEY);
    let tenant = req
        .app_data::<web::Data<AppState>>()
        .and_then(|state| anonymous(state));
    if let (true, Some(tenant)) = (no_credentials, tenant) {
        return Box::pin(async move { Ok(kcost_app::kubecent::read_only_caller(tenant)) });
    }
    let keyed = ApiKeyCaller::from_request(req, payload);
    Box::pin(async move { Ok(keyed.await?.0) })
}
