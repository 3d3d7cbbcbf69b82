//! The API's one error type: every failure becomes
//! `{"error": "<message>", "code": "<stable_code>", "request_id": "<id>"}` (plus `details`
//! for field errors). Causes of 5xx answers are logged in full and never shown to clients;
//! authentication failures all read the same so callers learn nothing about a key.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpResponse, HttpResponseBuilder, ResponseError};
use kcost_app::auth::{ApiKeyAdminError, AuthenticationError};
use kcost_app::budgets::BudgetError;
use kcost_app::costs::QueryError;
use kcost_app::ingest::IngestError;
use kcost_app::ports::{BackendFailure, PriceRepositoryError, TenantRepositoryError};
use kcost_app::recommendations::RecommendationError;
use kcost_domain::api_key::AuthError;
use kcost_domain::snapshot::InvalidSnapshot;
use kcost_domain::window::WindowError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error_code::ErrorCode;
use crate::request_id;

/// Seconds a client should wait before retrying a 503 (the agent retries 5xx anyway; this
/// keeps it from hammering a store that is coming back).
pub const RETRY_AFTER_SECONDS: u64 = 5;

/// The one message for every refused API key: missing, malformed, unknown, wrong secret,
/// revoked or expired. Saying which would help someone probing keys.
pub const UNAUTHORIZED_MESSAGE: &str = "a valid API key is required: send `Authorization: ApiKey <key_id>:<secret>`, \
     `Authorization: Bearer <key_id>:<secret>` or `X-Api-Key: <key_id>:<secret>`";

/// The one message for a missing or wrong admin token.
pub const ADMIN_UNAUTHORIZED_MESSAGE: &str =
    "a valid admin token is required: send `Authorization: Bearer <admin token>`";

/// One invalid field, named by its JSON path (e.g. `pod_metrics[0].cpu_usage_millicores`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldIssue {
    pub path: String,
    pub message: String,
}

impl FieldIssue {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// The JSON body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Human-readable message; safe to show, never contains secrets.
    #[schema(example = "this API key lacks the required scope `costs:read`")]
    pub error: String,
    /// Stable machine-readable code (`unauthorized`, `forbidden`, `validation_failed`, …).
    #[schema(example = "forbidden")]
    pub code: String,
    /// The request's id, as in the `X-Request-Id` response header; quote it in bug reports.
    #[schema(example = "3f0c5d1e-8a1b-4c44-9d55-2f0e6f1d7a10")]
    pub request_id: String,
    /// Every invalid field (422) or where parsing stopped (400 malformed JSON).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldIssue>,
}

/// An error answer. Build it with the constructors; the status and code go together.
#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    message: String,
    details: Vec<FieldIssue>,
    retry_after: Option<u64>,
    /// Why, for the log only (5xx).
    cause: Option<anyhow::Error>,
}

impl ApiError {
    fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
            cause: None,
        }
    }

    /// 401 for any refused API key; the same body whatever the reason.
    pub fn unauthorized() -> Self {
        Self::new(ErrorCode::Unauthorized, UNAUTHORIZED_MESSAGE)
    }

    /// 401 for a missing or wrong admin token.
    pub fn admin_unauthorized() -> Self {
        Self::new(ErrorCode::Unauthorized, ADMIN_UNAUTHORIZED_MESSAGE)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// 405; `allow` lists the path's methods (also sent as `Allow`).
    pub fn method_not_allowed(allow: &str) -> Self {
        Self::new(
            ErrorCode::MethodNotAllowed,
            format!("this endpoint accepts {allow}"),
        )
    }

    /// 409 with one of the conflict codes.
    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        debug_assert_eq!(code.status(), StatusCode::CONFLICT);
        Self::new(code, message)
    }

    /// 400 for a request that cannot be read (query string, path, encoding).
    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        debug_assert_eq!(code.status(), StatusCode::BAD_REQUEST);
        Self::new(code, message)
    }

    /// 400 for a body that is not the JSON expected; `path` is where parsing stopped.
    pub fn malformed_json(path: impl Into<String>, message: impl Into<String>) -> Self {
        let path = path.into();
        let message = message.into();
        let mut error = Self::new(
            ErrorCode::MalformedJson,
            format!("the request body is not valid JSON for this endpoint at `{path}`: {message}"),
        );
        error.details.push(FieldIssue::new(path, message));
        error
    }

    /// 422 listing every invalid field.
    pub fn validation(details: Vec<FieldIssue>) -> Self {
        let message = match details.as_slice() {
            [only] => format!("invalid field `{}`: {}", only.path, only.message),
            many => format!("{} invalid fields; see `details`", many.len()),
        };
        let mut error = Self::new(ErrorCode::ValidationFailed, message);
        error.details = details;
        error
    }

    /// 422 for a request whose meaning is wrong, without a field path.
    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ValidationFailed, message)
    }

    pub fn payload_too_large(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::PayloadTooLarge, message)
    }

    pub fn unsupported_encoding(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::UnsupportedMediaType, message)
    }

    /// 429; `retry_after` seconds until the key's quota has room again.
    pub fn rate_limited(retry_after: u64) -> Self {
        let mut error = Self::new(
            ErrorCode::RateLimited,
            format!("rate limit exceeded; retry in {retry_after} s"),
        );
        error.retry_after = Some(retry_after);
        error
    }

    /// 503 with `Retry-After`: a store is unreachable; nothing was written.
    pub fn unavailable(cause: anyhow::Error) -> Self {
        let mut error = Self::new(
            ErrorCode::Unavailable,
            "a backing store is temporarily unavailable; retry later",
        );
        error.retry_after = Some(RETRY_AFTER_SECONDS);
        error.cause = Some(cause);
        error
    }

    /// 500: logged with its cause chain, opaque to the client.
    pub fn internal(cause: anyhow::Error) -> Self {
        let mut error = Self::new(
            ErrorCode::Internal,
            "internal server error; the request id identifies the logged cause",
        );
        error.cause = Some(cause);
        error
    }

    pub fn code(&self) -> &'static str {
        self.code.as_str()
    }

    pub fn status(&self) -> StatusCode {
        self.code.status()
    }

    pub fn details(&self) -> &[FieldIssue] {
        &self.details
    }

    /// The body, with the current request's id.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: self.message.clone(),
            code: self.code.as_str().to_owned(),
            request_id: request_id::current()
                .map(|id| id.to_string())
                .unwrap_or_default(),
            details: self.details.clone(),
        }
    }

    /// Writes the JSON body into `builder` (used by the rate limiter, which owns its
    /// response builder).
    pub fn respond_with(&self, mut builder: HttpResponseBuilder) -> HttpResponse {
        if let Some(seconds) = self.retry_after {
            builder.insert_header((header::RETRY_AFTER, seconds));
        }
        if self.status() == StatusCode::UNAUTHORIZED {
            builder.insert_header((header::WWW_AUTHENTICATE, "ApiKey realm=\"kcost\""));
        }
        let body = serde_json::to_string(&self.body()).unwrap_or_else(|_| {
            r#"{"error":"internal server error","code":"internal","request_id":""}"#.to_owned()
        });
        builder.content_type(ContentType::json()).body(body)
    }

    fn log(&self) {
        let Some(cause) = &self.cause else { return };
        if self.status().is_server_error() && self.status() != StatusCode::SERVICE_UNAVAILABLE {
            tracing::error!(code = self.code.as_str(), error = %format_args!("{cause:#}"), "request failed");
        } else {
            tracing::warn!(code = self.code.as_str(), error = %format_args!("{cause:#}"), "request failed");
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.status().as_u16(),
            self.code.as_str(),
            self.message
        )
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_ref().map(|cause| cause.as_ref())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.log();
        self.respond_with(HttpResponse::build(self.status()))
    }
}

// ---------------------------------------------------------------------------------------------
// Conversions from the use cases' errors
// ---------------------------------------------------------------------------------------------

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::InvalidCredentials | AuthError::Revoked | AuthError::Expired => {
                Self::unauthorized()
            }
            // The caller proved the key; telling it what the key lacks is safe and useful.
            AuthError::MissingScope(_) => Self::forbidden(error.to_string()),
            AuthError::ClusterNotAllowed { .. } => {
                Self::new(ErrorCode::ClusterNotAllowed, error.to_string())
            }
        }
    }
}

impl From<BackendFailure> for ApiError {
    fn from(failure: BackendFailure) -> Self {
        match failure {
            BackendFailure::Unavailable(cause) => Self::unavailable(cause),
            BackendFailure::Unexpected(cause) => Self::internal(cause),
        }
    }
}

impl From<AuthenticationError> for ApiError {
    fn from(error: AuthenticationError) -> Self {
        match error {
            AuthenticationError::Denied(denied) => denied.into(),
            AuthenticationError::Failed(failure) => failure.into(),
        }
    }
}

impl From<InvalidSnapshot> for ApiError {
    fn from(invalid: InvalidSnapshot) -> Self {
        Self::validation(
            invalid
                .errors
                .into_iter()
                .map(|field| FieldIssue::new(field.path, field.message))
                .collect(),
        )
    }
}

impl From<IngestError> for ApiError {
    fn from(error: IngestError) -> Self {
        match error {
            IngestError::Forbidden(denied) => denied.into(),
            IngestError::Invalid(invalid) => invalid.into(),
            IngestError::Failed(failure) => failure.into(),
        }
    }
}

impl From<QueryError> for ApiError {
    fn from(error: QueryError) -> Self {
        match error {
            QueryError::Forbidden(denied) => denied.into(),
            QueryError::Failed(failure) => failure.into(),
        }
    }
}

impl From<WindowError> for ApiError {
    fn from(error: WindowError) -> Self {
        Self::bad_request(ErrorCode::InvalidWindow, error.to_string())
    }
}

impl From<ApiKeyAdminError> for ApiError {
    fn from(error: ApiKeyAdminError) -> Self {
        match error {
            ApiKeyAdminError::InvalidExpiry(expiry) => {
                Self::validation(vec![FieldIssue::new("expires_at", expiry.to_string())])
            }
            ApiKeyAdminError::TenantNotFound => Self::not_found("tenant not found"),
            ApiKeyAdminError::NotFound => Self::not_found("API key not found"),
            ApiKeyAdminError::Failed(failure) => failure.into(),
        }
    }
}

impl From<TenantRepositoryError> for ApiError {
    fn from(error: TenantRepositoryError) -> Self {
        match error {
            TenantRepositoryError::Duplicate(_) => {
                Self::conflict(ErrorCode::TenantExists, error.to_string())
            }
            TenantRepositoryError::NotFound => Self::not_found("tenant not found"),
            TenantRepositoryError::Failed(failure) => failure.into(),
        }
    }
}

impl From<PriceRepositoryError> for ApiError {
    fn from(error: PriceRepositoryError) -> Self {
        match error {
            PriceRepositoryError::NotFound(_) => Self::not_found(error.to_string()),
            PriceRepositoryError::TenantNotFound => Self::not_found("tenant not found"),
            PriceRepositoryError::Failed(failure) => failure.into(),
        }
    }
}

impl From<BudgetError> for ApiError {
    fn from(error: BudgetError) -> Self {
        match error {
            BudgetError::Forbidden(denied) => denied.into(),
            BudgetError::Invalid(invalid) => Self::validation(
                invalid
                    .errors
                    .into_iter()
                    .map(|field| FieldIssue::new(field.path, field.message))
                    .collect(),
            ),
            // Another tenant's id reads the same as a missing one.
            BudgetError::NotFound => Self::not_found("budget not found"),
            BudgetError::TooMany => Self::conflict(ErrorCode::Conflict, error.to_string()),
            BudgetError::Failed(failure) => failure.into(),
        }
    }
}

impl From<RecommendationError> for ApiError {
    fn from(error: RecommendationError) -> Self {
        match error {
            RecommendationError::Forbidden(denied) => denied.into(),
            RecommendationError::Invalid(message) => Self::unprocessable(message),
            // Another tenant's id reads the same as a missing one.
            RecommendationError::NotFound => Self::not_found("recommendation not found"),
            RecommendationError::AlreadyClosed(_) => {
                Self::conflict(ErrorCode::AlreadyClosed, error.to_string())
            }
            RecommendationError::ChangedConcurrently => {
                Self::conflict(ErrorCode::Conflict, error.to_string())
            }
            RecommendationError::Failed(failure) => failure.into(),
        }
    }
}
