//! Alerts: what a budget (or a cost anomaly in its scope) told its owner, once per budget,
//! kind, threshold and period, and how its delivery went. Delivery is retried with a
//! growing delay ([`retry_delay`]) up to [`MAX_ATTEMPTS`] times.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::budget::{BudgetId, BudgetPeriod};
use crate::money::Money;
use crate::tenant::TenantId;

/// Deliveries tried before an alert is given up as failed.
pub const MAX_ATTEMPTS: u32 = 8;
/// Delay before the first retry; it doubles with each failure.
const FIRST_RETRY: TimeDelta = TimeDelta::seconds(30);
/// Longest delay between two attempts.
const LONGEST_RETRY: TimeDelta = TimeDelta::hours(1);
/// Longest delivery error kept.
pub const MAX_ERROR_CHARS: usize = 500;

/// Opaque alert identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AlertId(Uuid);

impl AlertId {
    pub const fn from_uuid(id: Uuid) -> Self {
        Self(id)
    }

    pub const fn as_uuid(&self) -> &Uuid {
        &self.0
    }
}

impl fmt::Display for AlertId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What raised an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertKind {
    /// Spend reached a threshold.
    Budget,
    /// The forecast at the period's end reached a threshold.
    Forecast,
    /// The scope's cost for a day was anomalous against its own history.
    Anomaly,
}

impl AlertKind {
    pub const ALL: [AlertKind; 3] = [Self::Budget, Self::Forecast, Self::Anomaly];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Budget => "budget",
            Self::Forecast => "forecast",
            Self::Anomaly => "anomaly",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// Where an alert's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Not delivered yet; the next attempt is due at `next_attempt_at`.
    Pending,
    Delivered,
    /// Given up after [`MAX_ATTEMPTS`].
    Failed,
    /// The budget has no webhook: the alert is only recorded.
    Recorded,
}

impl DeliveryState {
    pub const ALL: [DeliveryState; 4] =
        [Self::Pending, Self::Delivered, Self::Failed, Self::Recorded];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Recorded => "recorded",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// How delivery has gone so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub state: DeliveryState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

impl Delivery {
    /// A new alert's delivery: due now if there is somewhere to send it.
    pub fn new(has_webhook: bool, now: DateTime<Utc>) -> Self {
        Self {
            state: if has_webhook {
                DeliveryState::Pending
            } else {
                DeliveryState::Recorded
            },
            attempts: 0,
            last_error: None,
            last_attempt_at: None,
            next_attempt_at: has_webhook.then_some(now),
        }
    }

    /// After an attempt at `now`: delivered, or the error kept and the next attempt
    /// scheduled (or the alert given up).
    pub fn after_attempt(&self, now: DateTime<Utc>, outcome: Result<(), String>) -> Self {
        let attempts = self.attempts.saturating_add(1);
        match outcome {
            Ok(()) => Self {
                state: DeliveryState::Delivered,
                attempts,
                last_error: None,
                last_attempt_at: Some(now),
                next_attempt_at: None,
            },
            Err(error) => {
                let gave_up = attempts >= MAX_ATTEMPTS;
                Self {
                    state: if gave_up {
                        DeliveryState::Failed
                    } else {
                        DeliveryState::Pending
                    },
                    attempts,
                    last_error: Some(error.chars().take(MAX_ERROR_CHARS).collect()),
                    last_attempt_at: Some(now),
                    next_attempt_at: (!gave_up).then(|| now + retry_delay(attempts)),
                }
            }
        }
    }
}

/// The wait after `failures` failed attempts: 30 s, 1 min, 2 min, … at most an hour.
pub fn retry_delay(failures: u32) -> TimeDelta {
    let doublings = failures.saturating_sub(1).min(16);
    (FIRST_RETRY * (1_i32 << doublings)).min(LONGEST_RETRY)
}

/// One alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub id: AlertId,
    pub tenant_id: TenantId,
    pub budget_id: BudgetId,
    /// The budget's name when the alert was raised.
    pub budget_name: String,
    pub kind: AlertKind,
    /// The threshold reached, in percent (anomalies: 0).
    pub threshold_percent: u32,
    pub period: BudgetPeriod,
    /// Start of the budget period (anomalies: of the anomalous day).
    pub period_start: DateTime<Utc>,
    /// Spend in the period so far (anomalies: the day's actual cost).
    pub spend: Money,
    /// The budget's amount (anomalies: the day's expected cost).
    pub amount: Money,
    /// The forecast at the period's end, when it was known.
    pub forecast: Option<Money>,
    /// One sentence a person reads.
    pub message: String,
    pub created_at: DateTime<Utc>,
    pub delivery: Delivery,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0)
            .single()
            .expect("valid")
    }

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        assert_eq!(retry_delay(1), TimeDelta::seconds(30));
        assert_eq!(retry_delay(2), TimeDelta::seconds(60));
        assert_eq!(retry_delay(4), TimeDelta::seconds(240));
        assert_eq!(retry_delay(8), TimeDelta::hours(1));
        assert_eq!(retry_delay(40), TimeDelta::hours(1));
    }

    #[test]
    fn a_failed_delivery_is_retried_until_it_is_given_up() {
        let mut delivery = Delivery::new(true, now());
        assert_eq!(delivery.next_attempt_at, Some(now()));
        for attempt in 1..MAX_ATTEMPTS {
            delivery = delivery.after_attempt(now(), Err("HTTP 500".into()));
            assert_eq!(delivery.state, DeliveryState::Pending);
            assert_eq!(delivery.attempts, attempt);
            assert_eq!(delivery.next_attempt_at, Some(now() + retry_delay(attempt)));
        }
        delivery = delivery.after_attempt(now(), Err("x".repeat(2000)));
        assert_eq!(delivery.state, DeliveryState::Failed);
        assert_eq!(delivery.next_attempt_at, None);
        assert_eq!(
            delivery.last_error.map(|e| e.chars().count()),
            Some(MAX_ERROR_CHARS)
        );
    }

    #[test]
    fn a_delivered_alert_is_done_and_one_without_webhook_only_recorded() {
        let delivered = Delivery::new(true, now()).after_attempt(now(), Ok(()));
        assert_eq!(delivered.state, DeliveryState::Delivered);
        assert_eq!(delivered.next_attempt_at, None);
        let recorded = Delivery::new(false, now());
        assert_eq!(recorded.state, DeliveryState::Recorded);
        assert_eq!(recorded.next_attempt_at, None);
    }
}
