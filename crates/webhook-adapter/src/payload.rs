//! The body of an alert delivery. Any receiver gets a JSON document naming the budget,
//! the threshold, the spend, the amount and the period, money as exact decimal numbers; a
//! Slack incoming webhook gets `{"text": …}`, the one field Slack shows.

use chrono::{DateTime, SecondsFormat, Utc};
use kcost_domain::alert::Alert;
use kcost_domain::money::Money;
use serde::Serialize;
use serde_json::value::RawValue;

/// The JSON document generic receivers get.
#[derive(Debug, Serialize)]
pub struct AlertPayload<'a> {
    pub alert_id: uuid::Uuid,
    /// `budget`, `forecast` or `anomaly`.
    pub kind: &'static str,
    pub budget_id: uuid::Uuid,
    pub budget_name: &'a str,
    /// The threshold reached, in percent of the amount (anomalies: 0).
    pub threshold_percent: u32,
    /// `daily`, `weekly` or `monthly`.
    pub period: &'static str,
    pub period_start: String,
    /// Spend in the period so far (anomalies: the day's cost).
    pub spend_usd: Box<RawValue>,
    /// The budget's amount (anomalies: the day's expected cost).
    pub amount_usd: Box<RawValue>,
    /// The forecast at the period's end, for forecast alerts.
    pub forecast_usd: Option<Box<RawValue>>,
    pub message: &'a str,
    pub created_at: String,
}

/// Slack's incoming-webhook body.
#[derive(Debug, Serialize)]
pub struct SlackPayload {
    pub text: String,
}

impl<'a> AlertPayload<'a> {
    pub fn new(alert: &'a Alert) -> Self {
        Self {
            alert_id: *alert.id.as_uuid(),
            kind: alert.kind.as_str(),
            budget_id: *alert.budget_id.as_uuid(),
            budget_name: &alert.budget_name,
            threshold_percent: alert.threshold_percent,
            period: alert.period.as_str(),
            period_start: time(alert.period_start),
            spend_usd: number(alert.spend),
            amount_usd: number(alert.amount),
            forecast_usd: alert.forecast.map(number),
            message: &alert.message,
            created_at: time(alert.created_at),
        }
    }
}

impl SlackPayload {
    pub fn new(alert: &Alert) -> Self {
        Self {
            text: format!(":warning: *kcost* — {}", alert.message),
        }
    }
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The exact decimal as a JSON number (`12.5`, `0.0000000001`).
fn number(amount: Money) -> Box<RawValue> {
    let text = amount.amount().normalize().to_string();
    RawValue::from_string(text).unwrap_or_else(|_| {
        // A Decimal always prints as a valid JSON number; this is unreachable.
        RawValue::from_string("0".to_owned()).unwrap_or_default()
    })
}
