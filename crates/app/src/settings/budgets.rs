//! `[budgets]`: how often budgets are evaluated, how soon after an ingest, and which
//! webhook targets their alerts may be sent to.

use kcost_domain::budget::WebhookPolicy;
use kcost_settings::{SettingIssue, SettingIssues};
use serde::{Deserialize, Serialize};

/// Longest evaluation interval: budgets must be looked at at least every minute.
pub const MAX_EVALUATE_INTERVAL_SECONDS: u64 = 60;
/// Longest delivery timeout.
pub const MAX_DELIVERY_TIMEOUT_SECONDS: u64 = 60;

/// `[budgets]`: budget evaluation and alert delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BudgetSettings {
    /// Every budget of every tenant is evaluated this often (1–60 s).
    pub evaluate_interval_seconds: u64,
    /// A tenant that ingested is evaluated again this soon after (debounced: many
    /// snapshots in this time make one evaluation); 1 to `evaluate_interval_seconds`.
    pub after_ingest_seconds: u64,
    /// How often due alerts are looked for and sent (1–60 s).
    pub delivery_interval_seconds: u64,
    /// How long one webhook delivery may take before it counts as failed (1–60 s).
    pub delivery_timeout_seconds: u64,
    /// Accept `http://` webhook URLs (default: only `https://`).
    pub allow_http_webhooks: bool,
    /// Accept webhook URLs pointing at loopback, private or link-local addresses
    /// (default: refused, so tenants cannot reach the deployment's own network).
    pub allow_private_webhooks: bool,
}

impl Default for BudgetSettings {
    fn default() -> Self {
        Self {
            evaluate_interval_seconds: 60,
            after_ingest_seconds: 10,
            delivery_interval_seconds: 5,
            delivery_timeout_seconds: 10,
            allow_http_webhooks: false,
            allow_private_webhooks: false,
        }
    }
}

impl BudgetSettings {
    /// What webhook URLs budgets may name.
    pub fn webhook_policy(&self) -> WebhookPolicy {
        WebhookPolicy {
            allow_http: self.allow_http_webhooks,
            allow_private: self.allow_private_webhooks,
        }
    }

    /// Every problem with the section, keyed within it.
    pub fn validate(&self) -> Vec<SettingIssue> {
        let mut v = SettingIssues::default();
        if !(1..=MAX_EVALUATE_INTERVAL_SECONDS).contains(&self.evaluate_interval_seconds) {
            v.push(
                "evaluate_interval_seconds",
                format!("must be between 1 and {MAX_EVALUATE_INTERVAL_SECONDS}"),
            );
        }
        if self.after_ingest_seconds == 0
            || self.after_ingest_seconds > self.evaluate_interval_seconds.max(1)
        {
            v.push(
                "after_ingest_seconds",
                "must be between 1 and evaluate_interval_seconds",
            );
        }
        if !(1..=MAX_EVALUATE_INTERVAL_SECONDS).contains(&self.delivery_interval_seconds) {
            v.push(
                "delivery_interval_seconds",
                format!("must be between 1 and {MAX_EVALUATE_INTERVAL_SECONDS}"),
            );
        }
        if !(1..=MAX_DELIVERY_TIMEOUT_SECONDS).contains(&self.delivery_timeout_seconds) {
            v.push(
                "delivery_timeout_seconds",
                format!("must be between 1 and {MAX_DELIVERY_TIMEOUT_SECONDS}"),
            );
        }
        v.into_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_and_strict() {
        let settings = BudgetSettings::default();
        assert_eq!(settings.validate(), []);
        assert_eq!(settings.webhook_policy(), WebhookPolicy::default());
    }

    #[test]
    fn intervals_and_timeouts_are_bounded() {
        let settings = BudgetSettings {
            evaluate_interval_seconds: 61,
            after_ingest_seconds: 0,
            delivery_interval_seconds: 61,
            delivery_timeout_seconds: 0,
            ..BudgetSettings::default()
        };
        let keys: Vec<String> = settings.validate().into_iter().map(|i| i.key).collect();
        assert_eq!(
            keys,
            [
                "evaluate_interval_seconds",
                "after_ingest_seconds",
                "delivery_interval_seconds",
                "delivery_timeout_seconds"
            ]
        );
        let later_than_the_sweep = BudgetSettings {
            evaluate_interval_seconds: 30,
            after_ingest_seconds: 45,
            ..BudgetSettings::default()
        };
        assert_eq!(later_than_the_sweep.validate().len(), 1);
    }
}
