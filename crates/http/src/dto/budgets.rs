//! Bodies and answers of `/v1/budgets*` and `/v1/alerts`. The schema states every rule it
//! can (lengths, bounds, patterns, enums); the rest (label syntax, webhook targets) is
//! checked by the domain and answered with a 422 naming the field.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kcost_app::budgets::BudgetView;
use kcost_domain::alert::Alert;
use kcost_domain::budget::{BudgetDraft, BudgetPeriod, BudgetScopeDraft, BudgetStatus};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{IntoParams, PartialSchema, ToSchema};
use uuid::Uuid;

use super::Usd;
use super::query::ClusterFilter;

/// How often a budget starts again (UTC): `weekly` runs Monday to Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PeriodName {
    Daily,
    Weekly,
    Monthly,
}

impl PeriodName {
    fn as_str(self) -> &'static str {
        BudgetPeriod::from(self).as_str()
    }
}

impl From<PeriodName> for BudgetPeriod {
    fn from(period: PeriodName) -> Self {
        match period {
            PeriodName::Daily => Self::Daily,
            PeriodName::Weekly => Self::Weekly,
            PeriodName::Monthly => Self::Monthly,
        }
    }
}

impl From<BudgetPeriod> for PeriodName {
    fn from(period: BudgetPeriod) -> Self {
        match period {
            BudgetPeriod::Daily => Self::Daily,
            BudgetPeriod::Weekly => Self::Weekly,
            BudgetPeriod::Monthly => Self::Monthly,
        }
    }
}

/// Which pods a budget covers; every part given must match. Empty: the whole tenant
/// (including idle; a scope with a namespace or labels excludes idle, which belongs to
/// nodes).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ScopeDto {
    #[serde(default)]
    #[schema(value_type = Option<ClusterFilter>)]
    pub cluster: Option<String>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 63, pattern = r"^[^\x00-\x1f\x7f-\x9f]+$")]
    pub namespace: Option<String>,
    /// Labels every covered pod carries with these values (Kubernetes label syntax).
    /// At most 20.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// Where alerts go.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct NotifyDto {
    /// An `https://` URL (a Slack incoming webhook gets a `text` Slack shows; any other
    /// receiver a JSON document). Loopback, private and link-local targets are refused
    /// unless `budgets.allow_private_webhooks` is set; `http://` unless
    /// `budgets.allow_http_webhooks` is.
    #[serde(default)]
    #[schema(
        max_length = 2048,
        example = "https://hooks.slack.com/services/T000/B000/XXXX"
    )]
    pub webhook_url: Option<String>,
}

/// `POST /v1/budgets` and `PUT /v1/budgets/{id}` (a replacement, whole).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct BudgetRequest {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        example = "payments team"
    )]
    pub name: String,
    /// The amount per period in US dollars (a JSON number or a decimal string), kept to
    /// ten decimal places.
    #[schema(value_type = f64, minimum = 0.0000000001, maximum = 1000000000, example = 1500)]
    pub amount_usd: Decimal,
    pub period: PeriodName,
    #[serde(default, deserialize_with = "object")]
    pub scope: Option<ScopeDto>,
    /// Percentages of the amount that raise an alert (default `[80, 100]`).
    #[serde(default)]
    #[schema(min_items = 1, max_items = 10, example = json!([80, 100]))]
    pub thresholds: Option<Vec<ThresholdPercent>>,
    #[serde(default, deserialize_with = "object")]
    pub notify: Option<NotifyDto>,
    /// Also alert when the forecast at the period's end reaches a threshold.
    #[serde(default)]
    pub forecast_alerts: bool,
    /// Also alert when the scope's cost for a day is anomalous against its own history.
    #[serde(default)]
    pub anomaly_alerts: bool,
}

/// An optional JSON object, or null. (serde would also read a struct from an array of
/// its fields in order; the schema says object, so an array is refused.)
fn object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    match Option::<serde_json::Value>::deserialize(deserializer)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(value @ serde_json::Value::Object(_)) => T::deserialize(value)
            .map(Some)
            .map_err(serde::de::Error::custom),
        Some(_) => Err(serde::de::Error::custom("expected a JSON object")),
    }
}

/// A threshold in percent of the amount, 1–1000: a whole number, which JSON may write
/// `80` or `80.0` (JSON Schema's `integer` admits both).
#[derive(Debug, Clone, Copy)]
pub struct ThresholdPercent(pub u32);

impl<'de> Deserialize<'de> for ThresholdPercent {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = f64::deserialize(deserializer)?;
        let whole = value.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&value);
        if !whole {
            return Err(serde::de::Error::custom(format!(
                "a threshold is a whole percentage, got {value}"
            )));
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // Checked above.
        Ok(Self(value as u32))
    }
}

impl PartialSchema for ThresholdPercent {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .maximum(Some(1000))
            .description(Some("A percentage of the amount, 1–1000."))
            .into()
    }
}

impl ToSchema for ThresholdPercent {}

impl From<BudgetRequest> for BudgetDraft {
    fn from(request: BudgetRequest) -> Self {
        let scope = request.scope.unwrap_or_default();
        Self {
            name: request.name,
            amount_usd: request.amount_usd,
            period: request.period.as_str().to_owned(),
            scope: BudgetScopeDraft {
                cluster: scope.cluster,
                namespace: scope.namespace,
                labels: scope.labels,
            },
            thresholds: request
                .thresholds
                .map(|list| list.into_iter().map(|t| t.0).collect()),
            webhook_url: request.notify.and_then(|notify| notify.webhook_url),
            forecast_alerts: request.forecast_alerts,
            anomaly_alerts: request.anomaly_alerts,
        }
    }
}

/// Spend against a budget now.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatusName {
    Ok,
    Warning,
    Exceeded,
}

/// A budget with where it stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BudgetDto {
    pub id: Uuid,
    pub name: String,
    pub amount_usd: Usd,
    pub period: PeriodName,
    pub scope: ScopeDto,
    pub thresholds: Vec<u32>,
    pub notify: NotifyDto,
    pub forecast_alerts: bool,
    pub anomaly_alerts: bool,
    /// The current period: `[period_start, period_end)`.
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    /// Spend from the period's start to now.
    pub spend_usd: Usd,
    /// Spend expected by the period's end (spend so far plus the forecast of the rest).
    pub forecast_usd: Usd,
    /// `ok` below every threshold under 100 %, `warning` past one, `exceeded` at or past
    /// the amount.
    pub status: StatusName,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&BudgetView> for BudgetDto {
    fn from(view: &BudgetView) -> Self {
        let budget = &view.budget;
        let spec = &budget.spec;
        Self {
            id: *budget.id.as_uuid(),
            name: spec.name.clone(),
            amount_usd: spec.amount.into(),
            period: spec.period.into(),
            scope: ScopeDto {
                cluster: spec.scope.cluster.as_ref().map(|c| c.as_str().to_owned()),
                namespace: spec.scope.namespace.clone(),
                labels: spec.scope.labels.clone(),
            },
            thresholds: spec.thresholds.iter().map(|t| t.percent()).collect(),
            notify: NotifyDto {
                webhook_url: spec.webhook.as_ref().map(|u| u.as_str().to_owned()),
            },
            forecast_alerts: spec.forecast_alerts,
            anomaly_alerts: spec.anomaly_alerts,
            period_start: view.period_start,
            period_end: view.period_end,
            spend_usd: view.spend.into(),
            forecast_usd: view.forecast.into(),
            status: match view.status {
                BudgetStatus::Ok => StatusName::Ok,
                BudgetStatus::Warning => StatusName::Warning,
                BudgetStatus::Exceeded => StatusName::Exceeded,
            },
            created_at: budget.created_at,
            updated_at: budget.updated_at,
        }
    }
}

/// `GET /v1/budgets`, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BudgetListResponse {
    pub budgets: Vec<BudgetDto>,
}

/// `GET /v1/alerts` filters and page.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertListParams {
    /// Only this budget's alerts.
    pub budget_id: Option<Uuid>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Items to skip (default 0).
    #[param(minimum = 0, maximum = 1000000000)]
    pub offset: Option<u64>,
}

/// How an alert's delivery went.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryDto {
    /// `pending` (next attempt at `next_attempt_at`), `delivered`, `failed` (given up
    /// after 8 attempts) or `recorded` (the budget has no webhook).
    #[schema(example = "delivered")]
    pub state: &'static str,
    pub attempts: u32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// One alert.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertDto {
    pub id: Uuid,
    pub budget_id: Uuid,
    pub budget_name: String,
    /// `budget` (spend reached a threshold), `forecast` (the forecast did) or `anomaly`.
    #[schema(example = "budget")]
    pub kind: &'static str,
    /// The threshold reached (anomalies: 0).
    pub threshold_percent: u32,
    pub period: PeriodName,
    /// Start of the budget period (anomalies: of the anomalous day).
    pub period_start: DateTime<Utc>,
    /// Spend in the period when raised (anomalies: the day's cost).
    pub spend_usd: Usd,
    /// The budget's amount (anomalies: the day's expected cost).
    pub amount_usd: Usd,
    /// The forecast at the period's end, for forecast alerts.
    pub forecast_usd: Option<Usd>,
    pub message: String,
    pub created_at: DateTime<Utc>,
    pub delivery: DeliveryDto,
}

impl From<&Alert> for AlertDto {
    fn from(alert: &Alert) -> Self {
        Self {
            id: *alert.id.as_uuid(),
            budget_id: *alert.budget_id.as_uuid(),
            budget_name: alert.budget_name.clone(),
            kind: alert.kind.as_str(),
            threshold_percent: alert.threshold_percent,
            period: alert.period.into(),
            period_start: alert.period_start,
            spend_usd: alert.spend.into(),
            amount_usd: alert.amount.into(),
            forecast_usd: alert.forecast.map(Usd::from),
            message: alert.message.clone(),
            created_at: alert.created_at,
            delivery: DeliveryDto {
                state: alert.delivery.state.as_str(),
                attempts: alert.delivery.attempts,
                last_error: alert.delivery.last_error.clone(),
                last_attempt_at: alert.delivery.last_attempt_at,
                next_attempt_at: alert.delivery.next_attempt_at,
            },
        }
    }
}

/// `GET /v1/alerts`: newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertListResponse {
    pub alerts: Vec<AlertDto>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_whole_numbers_however_json_writes_them() {
        for (text, expected) in [("80", Some(80)), ("80.0", Some(80)), ("1000", Some(1000))] {
            let parsed = serde_json::from_str::<ThresholdPercent>(text)
                .ok()
                .map(|t| t.0);
            assert_eq!(parsed, expected, "{text}");
        }
        for text in ["80.5", "-1", "1e20", "\"80\""] {
            assert!(
                serde_json::from_str::<ThresholdPercent>(text).is_err(),
                "{text}"
            );
        }
    }
}
