//! Budgets: an amount a tenant means to spend per period on a scope of its pods, the
//! thresholds at which it wants to hear about it, and where to tell it; and how spend
//! against a budget reads (its status). Reading the spend is the app's job.
//!
//! - [`draft`]: a budget as a client writes it, validated field by field.
//! - [`period`]: daily, weekly (ISO weeks) or monthly UTC periods and their bounds.
//! - [`scope`]: which pods a budget covers, as an allocation filter.
//! - [`thresholds`]: the percentages of the amount that raise an alert.
//! - [`webhook`]: where alerts go, checked before anything is sent there.

mod draft;
mod period;
mod scope;
mod thresholds;
mod webhook;

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::money::Money;
use crate::tenant::TenantId;

pub use draft::{BudgetDraft, BudgetScopeDraft, InvalidBudget, MAX_NAME_CHARS};
pub use period::BudgetPeriod;
pub use scope::BudgetScope;
pub use thresholds::{MAX_THRESHOLDS, Threshold, Thresholds};
pub use webhook::{WebhookPolicy, WebhookUrl};

/// Opaque budget identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BudgetId(Uuid);

impl BudgetId {
    pub const fn from_uuid(id: Uuid) -> Self {
        Self(id)
    }

    pub const fn as_uuid(&self) -> &Uuid {
        &self.0
    }
}

impl fmt::Display for BudgetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What a budget says, validated: everything a client writes (`PUT` replaces it whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetSpec {
    /// Trimmed, 1 to [`MAX_NAME_CHARS`] characters.
    pub name: String,
    /// Greater than zero.
    pub amount: Money,
    pub period: BudgetPeriod,
    pub scope: BudgetScope,
    pub thresholds: Thresholds,
    /// Where alerts are sent; `None`: alerts are recorded only.
    pub webhook: Option<WebhookUrl>,
    /// Also alert when the forecast at the period's end crosses a threshold.
    pub forecast_alerts: bool,
    /// Also alert when the scope's daily cost is anomalous against its own history.
    pub anomaly_alerts: bool,
}

/// A stored budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    pub id: BudgetId,
    pub tenant_id: TenantId,
    pub spec: BudgetSpec,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How spend stands against a budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BudgetStatus {
    /// Below every threshold under 100 %.
    Ok,
    /// At or past a threshold under 100 %, below the amount.
    Warning,
    /// At or past the amount.
    Exceeded,
}

impl BudgetStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warning => "warning",
            Self::Exceeded => "exceeded",
        }
    }
}

impl BudgetSpec {
    /// The status `spend` gives this budget.
    pub fn status(&self, spend: Money) -> BudgetStatus {
        if spend >= self.amount {
            BudgetStatus::Exceeded
        } else if self
            .thresholds
            .crossed_by(spend, self.amount)
            .any(|t| t.percent() < 100)
        {
            BudgetStatus::Warning
        } else {
            BudgetStatus::Ok
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn spec(amount: i64, thresholds: &[u32]) -> BudgetSpec {
        BudgetSpec {
            name: "team".into(),
            amount: Money::from_decimal(Decimal::from(amount)),
            period: BudgetPeriod::Monthly,
            scope: BudgetScope::default(),
            thresholds: Thresholds::new(thresholds.to_vec()).expect("valid thresholds"),
            webhook: None,
            forecast_alerts: false,
            anomaly_alerts: false,
        }
    }

    fn usd(amount: &str) -> Money {
        Money::from_decimal(amount.parse().expect("decimal"))
    }

    #[test]
    fn status_follows_the_lowest_threshold_and_the_amount() {
        let budget = spec(100, &[80, 100]);
        assert_eq!(budget.status(usd("79.9999999999")), BudgetStatus::Ok);
        assert_eq!(budget.status(usd("80")), BudgetStatus::Warning);
        assert_eq!(budget.status(usd("99.99")), BudgetStatus::Warning);
        assert_eq!(budget.status(usd("100")), BudgetStatus::Exceeded);
        assert_eq!(budget.status(usd("250")), BudgetStatus::Exceeded);
    }

    #[test]
    fn thresholds_above_the_amount_do_not_make_a_warning() {
        let budget = spec(100, &[100, 120]);
        assert_eq!(budget.status(usd("90")), BudgetStatus::Ok);
        assert_eq!(budget.status(usd("120")), BudgetStatus::Exceeded);
    }
}
