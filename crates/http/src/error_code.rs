//! The stable error codes clients branch on, as one enum: each code with its wire name and
//! its HTTP status, so a code can never be answered with another status, and the list in
//! docs/api.md is checked against this one.

use actix_web::http::StatusCode;

/// Every `code` an error body can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    MalformedJson,
    InvalidGzip,
    InvalidQuery,
    InvalidWindow,
    InvalidPath,
    UnreadableBody,
    ConflictingCredentials,
    Unauthorized,
    Forbidden,
    ClusterNotAllowed,
    NotFound,
    MethodNotAllowed,
    AlreadyClosed,
    Conflict,
    TenantExists,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    RateLimited,
    Internal,
    Unavailable,
}

impl ErrorCode {
    /// Every code, for the documentation check.
    pub const ALL: [Self; 21] = [
        Self::MalformedJson,
        Self::InvalidGzip,
        Self::InvalidQuery,
        Self::InvalidWindow,
        Self::InvalidPath,
        Self::UnreadableBody,
        Self::ConflictingCredentials,
        Self::Unauthorized,
        Self::Forbidden,
        Self::ClusterNotAllowed,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::AlreadyClosed,
        Self::Conflict,
        Self::TenantExists,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::ValidationFailed,
        Self::RateLimited,
        Self::Internal,
        Self::Unavailable,
    ];

    /// The code as the JSON body writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::MalformedJson => "malformed_json",
            Self::InvalidGzip => "invalid_gzip",
            Self::InvalidQuery => "invalid_query",
            Self::InvalidWindow => "invalid_window",
            Self::InvalidPath => "invalid_path",
            Self::UnreadableBody => "unreadable_body",
            Self::ConflictingCredentials => "conflicting_credentials",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::ClusterNotAllowed => "cluster_not_allowed",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::AlreadyClosed => "already_closed",
            Self::Conflict => "conflict",
            Self::TenantExists => "tenant_exists",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::ValidationFailed => "validation_failed",
            Self::RateLimited => "rate_limited",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
        }
    }

    /// The status every answer with this code has.
    pub const fn status(self) -> StatusCode {
        match self {
            Self::MalformedJson
            | Self::InvalidGzip
            | Self::InvalidQuery
            | Self::InvalidWindow
            | Self::InvalidPath
            | Self::UnreadableBody
            | Self::ConflictingCredentials => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::ClusterNotAllowed => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::AlreadyClosed | Self::Conflict | Self::TenantExists => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn codes_are_unique_and_each_is_documented_with_its_status() {
        let api = include_str!("../../../docs/api.md");
        let mut names = HashSet::new();
        for code in ErrorCode::ALL {
            assert!(names.insert(code.as_str()), "{} twice", code.as_str());
            let row = api
                .lines()
                .find(|line| {
                    line.trim_start().starts_with('|')
                        && line.contains(&format!("`{}`", code.as_str()))
                })
                .unwrap_or_else(|| {
                    panic!("`{}` is not in docs/api.md's error table", code.as_str())
                });
            assert!(
                row.contains(&format!("| {} |", code.status().as_u16())),
                "`{}` is documented with another status: {row}",
                code.as_str()
            );
        }
    }
}
