//! Webhook sender port: one delivery attempt of an alert to its budget's webhook.

use async_trait::async_trait;
use kcost_domain::alert::Alert;
use kcost_domain::budget::WebhookUrl;

/// Why a delivery attempt failed; the text is what `GET /v1/alerts` shows as the last
/// error, so it names the cause without the URL (which may hold a token).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The receiver answered with a non-2xx status.
    #[error("the receiver answered HTTP {0}")]
    Rejected(u16),
    /// No answer within the delivery timeout.
    #[error("the receiver did not answer within {0} seconds")]
    TimedOut(u64),
    /// The receiver could not be reached (DNS, connection, TLS).
    #[error("the receiver could not be reached: {0}")]
    Unreachable(String),
}

/// Sends alerts.
///
/// Contract: one attempt per call, bounded by the adapter's timeout; a 2xx answer is `Ok`;
/// anything else one of [`WebhookError`]'s variants. Never retries (the caller schedules
/// retries) and never follows redirects (a redirect is `Rejected`).
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait WebhookSender: Send + Sync {
    async fn send(&self, url: &WebhookUrl, alert: &Alert) -> Result<(), WebhookError>;
}
