//! A budget as a client writes it, and its validation: every invalid field is reported at
//! once, named by its JSON path in the request body.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::BudgetSpec;
use super::period::BudgetPeriod;
use super::scope::BudgetScope;
use super::thresholds::Thresholds;
use super::webhook::{WebhookPolicy, WebhookUrl};
use crate::cluster::ClusterName;
use crate::kubernetes_names::{
    MAX_NAMESPACE_LEN, label_key_problem, label_value_problem, name_problem,
};
use crate::money::{COST_SCALE, Money};
use crate::snapshot::FieldError;

/// Longest budget name.
pub const MAX_NAME_CHARS: usize = 200;
/// Most labels one scope may require.
pub const MAX_SCOPE_LABELS: usize = 20;
/// Largest amount: a billion a period (money is stored with ten integer digits).
const MAX_AMOUNT: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

/// The scope as written: each part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BudgetScopeDraft {
    pub cluster: Option<String>,
    pub namespace: Option<String>,
    pub labels: BTreeMap<String, String>,
}

/// A budget as written; [`BudgetDraft::validate`] makes it a [`BudgetSpec`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetDraft {
    pub name: String,
    pub amount_usd: Decimal,
    pub period: String,
    pub scope: BudgetScopeDraft,
    /// `None`: the default, 80 % and 100 %.
    pub thresholds: Option<Vec<u32>>,
    pub webhook_url: Option<String>,
    pub forecast_alerts: bool,
    pub anomaly_alerts: bool,
}

/// A budget that failed validation, with every invalid field (at least one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid budget: {}", .errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct InvalidBudget {
    pub errors: Vec<FieldError>,
}

impl BudgetDraft {
    /// Checks every field; webhook URLs against `policy`.
    pub fn validate(self, policy: WebhookPolicy) -> Result<BudgetSpec, InvalidBudget> {
        let mut errors = Vec::new();
        let mut problem = |path: &str, message: String| errors.push(FieldError::new(path, message));

        let name = self.name.trim().to_owned();
        if name.is_empty() {
            problem("name", "must not be blank".into());
        } else if let Some(issue) = name_problem(&name, MAX_NAME_CHARS) {
            problem("name", issue);
        }

        // Money is kept to ten places: finer digits are rounded, and what rounds to
        // nothing is no amount.
        let amount = Money::from_decimal(self.amount_usd);
        if amount.amount() <= Decimal::ZERO {
            problem(
                "amount_usd",
                format!("must be at least 0.0000000001 (amounts are kept to {COST_SCALE} places)"),
            );
        } else if amount.amount() > MAX_AMOUNT {
            problem("amount_usd", format!("must be at most {MAX_AMOUNT}"));
        }

        let period = self.period.parse::<BudgetPeriod>();
        if let Err(error) = &period {
            problem("period", error.to_string());
        }

        let scope = scope(self.scope, &mut problem);

        let thresholds = match self.thresholds {
            None => Ok(Thresholds::default()),
            Some(percents) => Thresholds::new(percents),
        };
        if let Err(error) = &thresholds {
            problem("thresholds", error.to_string());
        }

        let webhook = match self.webhook_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) => match WebhookUrl::parse(url, policy) {
                Ok(url) => Some(url),
                Err(issue) => {
                    problem("notify.webhook_url", issue);
                    None
                }
            },
        };

        match (period, thresholds) {
            (Ok(period), Ok(thresholds)) if errors.is_empty() => Ok(BudgetSpec {
                name,
                amount,
                period,
                scope,
                thresholds,
                webhook,
                forecast_alerts: self.forecast_alerts,
                anomaly_alerts: self.anomaly_alerts,
            }),
            _ => Err(InvalidBudget { errors }),
        }
    }
}

/// The scope's parts, each checked by Kubernetes' rules; problems go to `problem`.
fn scope(draft: BudgetScopeDraft, problem: &mut impl FnMut(&str, String)) -> BudgetScope {
    let cluster = draft.cluster.and_then(|name| match ClusterName::new(name) {
        Ok(name) => Some(name),
        Err(error) => {
            problem("scope.cluster", error.to_string());
            None
        }
    });
    let namespace = draft.namespace.filter(|namespace| {
        let issue = if namespace.is_empty() {
            Some("must not be empty; leave it out for every namespace".to_owned())
        } else {
            name_problem(namespace, MAX_NAMESPACE_LEN)
        };
        issue
            .map(|issue| problem("scope.namespace", issue))
            .is_none()
    });
    if draft.labels.len() > MAX_SCOPE_LABELS {
        problem("scope.labels", format!("at most {MAX_SCOPE_LABELS} labels"));
    }
    for (key, value) in &draft.labels {
        let issue = label_key_problem(key).or_else(|| label_value_problem(key, value));
        if let Some(issue) = issue {
            problem(&format!("scope.labels.{key}"), issue);
        }
    }
    BudgetScope {
        cluster,
        namespace,
        labels: draft.labels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: WebhookPolicy = WebhookPolicy {
        allow_http: false,
        allow_private: false,
    };

    fn draft() -> BudgetDraft {
        BudgetDraft {
            name: "  payments team ".into(),
            amount_usd: "1500.25".parse().expect("decimal"),
            period: "monthly".into(),
            scope: BudgetScopeDraft {
                cluster: Some("prod".into()),
                namespace: Some("payments".into()),
                labels: BTreeMap::from([("team".into(), "payments".into())]),
            },
            thresholds: Some(vec![100, 50]),
            webhook_url: Some("https://hooks.slack.com/services/T/B/x".into()),
            forecast_alerts: true,
            anomaly_alerts: false,
        }
    }

    fn paths(error: InvalidBudget) -> Vec<String> {
        error.errors.into_iter().map(|e| e.path).collect()
    }

    #[test]
    fn a_valid_draft_becomes_a_spec() {
        let spec = draft().validate(STRICT).expect("valid");
        assert_eq!(spec.name, "payments team");
        assert_eq!(
            spec.amount.amount(),
            "1500.25".parse::<Decimal>().expect("decimal")
        );
        assert_eq!(spec.period, BudgetPeriod::Monthly);
        assert_eq!(spec.scope.namespace.as_deref(), Some("payments"));
        let percents: Vec<u32> = spec.thresholds.iter().map(|t| t.percent()).collect();
        assert_eq!(percents, [50, 100]);
        assert!(spec.webhook.expect("webhook").is_slack());
        assert!(spec.forecast_alerts);
    }

    #[test]
    fn defaults_are_eighty_and_a_hundred_percent_and_no_webhook() {
        let spec = BudgetDraft {
            thresholds: None,
            webhook_url: Some("  ".into()),
            ..draft()
        }
        .validate(STRICT)
        .expect("valid");
        assert_eq!(spec.thresholds, Thresholds::default());
        assert_eq!(spec.webhook, None);
    }

    #[test]
    fn every_invalid_field_is_named() {
        let error = BudgetDraft {
            name: " ".into(),
            amount_usd: Decimal::ZERO,
            period: "yearly".into(),
            scope: BudgetScopeDraft {
                cluster: Some(" ".into()),
                namespace: Some(String::new()),
                labels: BTreeMap::from([("-bad".into(), "x".into()), ("ok".into(), "-".into())]),
            },
            thresholds: Some(vec![0]),
            webhook_url: Some("http://127.0.0.1/x".into()),
            forecast_alerts: false,
            anomaly_alerts: false,
        }
        .validate(STRICT)
        .expect_err("invalid");
        assert_eq!(
            paths(error),
            [
                "name",
                "amount_usd",
                "period",
                "scope.cluster",
                "scope.namespace",
                "scope.labels.-bad",
                "scope.labels.ok",
                "thresholds",
                "notify.webhook_url"
            ]
        );
    }

    #[test]
    fn amounts_are_positive_bounded_and_rounded_to_ten_places() {
        for (amount, ok) in [
            ("0.0000000001", true),
            ("0.00000000001", false),
            ("0.00000000006", true),
            ("-5", false),
            ("1000000000", true),
            ("1000000000.01", false),
            ("12.50000000000000", true),
        ] {
            let result = BudgetDraft {
                amount_usd: amount.parse().expect("decimal"),
                ..draft()
            }
            .validate(STRICT);
            assert_eq!(result.is_ok(), ok, "{amount}");
        }
        let rounded = BudgetDraft {
            amount_usd: "10.123456789049".parse().expect("decimal"),
            ..draft()
        }
        .validate(STRICT)
        .expect("valid");
        assert_eq!(rounded.amount.amount().to_string(), "10.1234567890");
    }
}
