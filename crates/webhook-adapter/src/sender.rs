//! [`HttpWebhookSender`]: one POST per delivery attempt.

use std::time::Duration;

use async_trait::async_trait;
use kcost_domain::alert::Alert;
use kcost_domain::budget::WebhookUrl;
use kcost_ports::{WebhookError, WebhookSender};

use crate::payload::{AlertPayload, SlackPayload};

/// The HTTP client could not be built (TLS setup).
#[derive(Debug, thiserror::Error)]
#[error("building the webhook HTTP client failed: {0}")]
pub struct SenderError(#[from] reqwest::Error);

/// Sends alerts with reqwest.
#[derive(Debug, Clone)]
pub struct HttpWebhookSender {
    client: reqwest::Client,
    timeout: Duration,
}

impl HttpWebhookSender {
    /// A sender whose every attempt (connect, send, answer) ends within `timeout`.
    pub fn new(timeout: Duration) -> Result<Self, SenderError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "kcost/",
                env!("CARGO_PKG_VERSION"),
                " (budget alerts)"
            ))
            .build()?;
        Ok(Self { client, timeout })
    }
}

#[async_trait]
impl WebhookSender for HttpWebhookSender {
    async fn send(&self, url: &WebhookUrl, alert: &Alert) -> Result<(), WebhookError> {
        let response = self
            .client
            .post(url.as_str())
            .json(&body_for(url, alert))
            .send()
            .await
            .map_err(|error| {
                if error.is_timeout() {
                    WebhookError::TimedOut(self.timeout.as_secs())
                } else {
                    // Without the URL: it may carry a token, and the error is shown to users.
                    WebhookError::Unreachable(describe(&error.without_url()))
                }
            })?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(WebhookError::Rejected(status.as_u16()))
        }
    }
}

/// What `url` is sent: Slack's `text`, or the alert's JSON document.
pub(crate) fn body_for(url: &WebhookUrl, alert: &Alert) -> serde_json::Value {
    let body = if url.is_slack() {
        serde_json::to_value(SlackPayload::new(alert))
    } else {
        serde_json::to_value(AlertPayload::new(alert))
    };
    body.unwrap_or_else(|_| serde_json::json!({ "text": alert.message }))
}

/// The error and its causes, on one line.
fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use kcost_domain::alert::{AlertId, AlertKind, Delivery};
    use kcost_domain::budget::{BudgetId, BudgetPeriod, WebhookPolicy};
    use kcost_domain::money::Money;
    use kcost_domain::tenant::TenantId;
    use uuid::Uuid;

    fn alert() -> Alert {
        let now = Utc::now();
        Alert {
            id: AlertId::from_uuid(Uuid::new_v4()),
            tenant_id: TenantId::from_uuid(Uuid::new_v4()),
            budget_id: BudgetId::from_uuid(Uuid::new_v4()),
            budget_name: "web".into(),
            kind: AlertKind::Forecast,
            threshold_percent: 100,
            period: BudgetPeriod::Weekly,
            period_start: now,
            spend: Money::ZERO,
            amount: Money::from_decimal(10.into()),
            forecast: Some(Money::from_decimal(12.into())),
            message: "Budget \"web\" is forecast to reach 100%.".into(),
            created_at: now,
            delivery: Delivery::new(true, now),
        }
    }

    #[test]
    fn slack_gets_a_text_and_everyone_else_the_document() {
        let policy = WebhookPolicy::default();
        let slack = WebhookUrl::parse("https://hooks.slack.com/services/T/B/x", policy).unwrap();
        let body = body_for(&slack, &alert());
        assert_eq!(body.as_object().map(|o| o.len()), Some(1));
        let text = body["text"].as_str().unwrap();
        assert!(text.contains("forecast to reach 100%"), "{text}");

        let other = WebhookUrl::parse("https://alerts.example.com/kcost", policy).unwrap();
        let body = body_for(&other, &alert());
        assert_eq!(body["kind"], "forecast");
        assert_eq!(body["budget_name"], "web");
        assert!(body.get("text").is_none());
    }
}
