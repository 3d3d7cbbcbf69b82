//! One HTTP exchange with OpenCost and what it came to: a body, something worth retrying,
//! or a final answer.

use kcost_ports::OpenCostError;
use reqwest::{RequestBuilder, StatusCode};

/// Longest part of an error body quoted in a [`OpenCostError::Rejected`] message.
const MAX_QUOTED_CHARS: usize = 300;

/// The result of one attempt.
#[derive(Debug)]
pub(crate) enum AttemptOutcome {
    /// A 2xx status with its complete body.
    Success { status: u16, body: Vec<u8> },
    /// Connection error, timeout, 5xx, or a body cut off: another attempt may succeed.
    Transient {
        status: Option<u16>,
        error: anyhow::Error,
    },
    /// A 4xx (`Rejected`) or a status no retry can change.
    Final {
        status: Option<u16>,
        error: OpenCostError,
    },
}

/// Sends `request` once and classifies the answer.
pub(crate) async fn attempt(request: RequestBuilder) -> AttemptOutcome {
    let response = match request.send().await {
        Ok(response) => response,
        // URLs are left out of errors: they may carry credentials; the logs name the source.
        Err(error) if error.is_builder() => {
            return AttemptOutcome::Final {
                status: None,
                error: OpenCostError::Unexpected(error.without_url().into()),
            };
        }
        Err(error) => {
            return AttemptOutcome::Transient {
                status: None,
                error: error.without_url().into(),
            };
        }
    };
    let status = response.status();
    let code = Some(status.as_u16());
    if status.is_success() {
        return match response.bytes().await {
            Ok(body) => AttemptOutcome::Success {
                status: status.as_u16(),
                body: body.to_vec(),
            },
            Err(error) => AttemptOutcome::Transient {
                status: code,
                error: anyhow::Error::new(error.without_url()).context("reading the response body"),
            },
        };
    }
    // The body of a failure only explains it; if it cannot be read the status still speaks.
    let body = response.text().await.unwrap_or_default();
    let message = error_message(&body);
    if status.is_server_error() {
        AttemptOutcome::Transient {
            status: code,
            error: anyhow::anyhow!("HTTP {status}: {message}"),
        }
    } else if status.is_client_error() {
        AttemptOutcome::Final {
            status: code,
            error: OpenCostError::Rejected {
                status: status.as_u16(),
                message,
            },
        }
    } else {
        AttemptOutcome::Final {
            status: code,
            error: OpenCostError::BadResponse(format!("unexpected HTTP status {status}")),
        }
    }
}

/// OpenCost's `message` when the body is its JSON error envelope, else the body's start.
fn error_message(body: &str) -> String {
    #[derive(serde::Deserialize)]
    struct ErrorEnvelope {
        message: Option<String>,
    }
    let message = serde_json::from_str::<ErrorEnvelope>(body)
        .ok()
        .and_then(|envelope| envelope.message)
        .unwrap_or_else(|| body.trim().to_owned());
    if message.is_empty() {
        return "(empty body)".to_owned();
    }
    message.chars().take(MAX_QUOTED_CHARS).collect()
}

/// Whether `error` is the 404 that means "this OpenCost build has no such endpoint".
pub(crate) fn is_not_found(error: &OpenCostError) -> bool {
    matches!(error, OpenCostError::Rejected { status, .. } if *status == StatusCode::NOT_FOUND.as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_message_prefers_opencost_message() {
        let body = r#"{"code":400,"status":"error","message":"bad window"}"#;
        assert_eq!(error_message(body), "bad window");
    }

    #[test]
    fn error_message_quotes_plain_bodies_briefly() {
        assert_eq!(
            error_message("  404 page not found\n"),
            "404 page not found"
        );
        assert_eq!(error_message(""), "(empty body)");
        assert_eq!(error_message(&"x".repeat(1000)).len(), MAX_QUOTED_CHARS);
    }
}
