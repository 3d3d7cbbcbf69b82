//! Budget evaluation: each budget's spend (and, when asked, its forecast and its scope's
//! last day against history) compared with its thresholds, and an alert recorded for each
//! threshold reached — once per budget, kind, threshold and period, which the alert store
//! guarantees even when replicas evaluate at once. The server runs [`BudgetWatch`] every
//! `budgets.evaluate_interval_seconds` for every tenant, and soon after a tenant ingests.

use std::sync::Arc;

use chrono::{DateTime, Days, NaiveTime, Utc};
use kcost_analytics::anomaly::{
    AnomalySettings, Bucket, Direction, Granularity, detect, since_first_cost,
};
use kcost_domain::alert::{Alert, AlertId, AlertKind, Delivery};
use kcost_domain::budget::Budget;
use kcost_domain::money::Money;
use kcost_domain::tenant::TenantId;
use kcost_ports::{AlertRepository, BudgetRepository, Clock};
use uuid::Uuid;

use super::BudgetError;
use super::spend::{PeriodSpend, ScopeSpend};

/// Evaluates budgets and records their alerts.
pub struct BudgetWatch {
    budgets: Arc<dyn BudgetRepository>,
    alerts: Arc<dyn AlertRepository>,
    spend: ScopeSpend,
    clock: Arc<dyn Clock>,
    anomalies: AnomalySettings,
}

impl std::fmt::Debug for BudgetWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BudgetWatch").finish_non_exhaustive()
    }
}

/// What one evaluation pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Evaluation {
    pub budgets: u32,
    /// New alerts recorded.
    pub alerts: u32,
    /// Tenants whose evaluation failed (logged; tried again next pass).
    pub failed_tenants: u32,
}

impl BudgetWatch {
    pub fn new(
        budgets: Arc<dyn BudgetRepository>,
        alerts: Arc<dyn AlertRepository>,
        spend: ScopeSpend,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            budgets,
            alerts,
            spend,
            clock,
            anomalies: AnomalySettings::default(),
        }
    }

    /// Every tenant that has budgets.
    pub async fn evaluate_all(&self) -> Result<Evaluation, BudgetError> {
        let tenants = self.budgets.tenants_with_budgets().await?;
        Ok(self.evaluate_tenants(&tenants).await)
    }

    /// The given tenants (those that ingested lately); a failing tenant is logged and
    /// counted, and does not stop the others.
    pub async fn evaluate_tenants(&self, tenants: &[TenantId]) -> Evaluation {
        let mut total = Evaluation::default();
        for tenant in tenants {
            match self.evaluate_tenant(*tenant).await {
                Ok(done) => {
                    total.budgets += done.budgets;
                    total.alerts += done.alerts;
                }
                Err(error) => {
                    total.failed_tenants += 1;
                    tracing::warn!(%tenant, error = %format_args!("{error:#}"), "evaluating budgets failed");
                }
            }
        }
        total
    }

    /// Every budget of `tenant`, at the clock's now.
    pub async fn evaluate_tenant(&self, tenant: TenantId) -> Result<Evaluation, BudgetError> {
        let now = self.clock.now();
        let mut done = Evaluation::default();
        for budget in self.budgets.list(tenant).await? {
            done.budgets += 1;
            for alert in self.due_alerts(&budget, now).await? {
                if self.alerts.record(&alert).await? {
                    done.alerts += 1;
                    tracing::info!(%tenant, budget = %budget.id, kind = alert.kind.as_str(),
                        threshold = alert.threshold_percent, "budget alert raised");
                }
            }
        }
        Ok(done)
    }

    /// The alerts `budget` calls for at `now` (recording drops those already sent).
    async fn due_alerts(
        &self,
        budget: &Budget,
        now: DateTime<Utc>,
    ) -> Result<Vec<Alert>, BudgetError> {
        let tenant = budget.tenant_id;
        let spec = &budget.spec;
        let period = self.spend.period(tenant, spec, now).await?;
        let mut alerts = threshold_alerts(budget, &period, AlertKind::Budget, period.spend, now);
        if spec.forecast_alerts || spec.anomaly_alerts {
            let history = self
                .spend
                .daily_history(tenant, &spec.scope, now.date_naive())
                .await?;
            if spec.forecast_alerts {
                let forecast = ScopeSpend::forecast_at_end(&period, &history, now);
                alerts.extend(threshold_alerts(
                    budget,
                    &period,
                    AlertKind::Forecast,
                    forecast,
                    now,
                ));
            }
            if spec.anomaly_alerts {
                alerts.extend(anomaly_alert(budget, &history, now, &self.anomalies));
            }
        }
        Ok(alerts)
    }
}

/// One alert per threshold `figure` (spend, or its forecast) has reached.
pub fn threshold_alerts(
    budget: &Budget,
    period: &PeriodSpend,
    kind: AlertKind,
    figure: Money,
    now: DateTime<Utc>,
) -> Vec<Alert> {
    let spec = &budget.spec;
    spec.thresholds
        .crossed_by(figure, spec.amount)
        .map(|threshold| {
            let percent = threshold.percent();
            let message = match kind {
                AlertKind::Forecast => format!(
                    "Budget \"{}\" is forecast to reach {percent}% of its {} amount: {} expected \
                     by the end of the period, against {}.",
                    spec.name,
                    spec.period,
                    dollars(figure),
                    dollars(spec.amount)
                ),
                _ => format!(
                    "Budget \"{}\" reached {percent}% of its {} amount: {} spent of {}.",
                    spec.name,
                    spec.period,
                    dollars(period.spend),
                    dollars(spec.amount)
                ),
            };
            let mut alert = new_alert(
                budget,
                kind,
                percent,
                period.start,
                period.spend,
                spec.amount,
                message,
                now,
            );
            alert.forecast = (kind == AlertKind::Forecast).then_some(figure);
            alert
        })
        .collect()
}

/// An alert when the scope's last whole day (yesterday) was anomalous against the days
/// before it.
pub fn anomaly_alert(
    budget: &Budget,
    history: &[Money],
    now: DateTime<Utc>,
    settings: &AnomalySettings,
) -> Option<Alert> {
    let (last, before) = history.split_last()?;
    let yesterday = now.date_naive().checked_sub_days(Days::new(1))?;
    let day_start = |days_back: usize| {
        let day = yesterday.checked_sub_days(Days::new(u64::try_from(days_back).ok()?))?;
        Some(day.and_time(NaiveTime::MIN).and_utc())
    };
    let buckets: Option<Vec<Bucket>> = before
        .iter()
        .enumerate()
        .map(|(i, cost)| {
            Some(Bucket {
                start: day_start(before.len() - i)?,
                cost: cost.amount(),
            })
        })
        .collect();
    let window = [Bucket {
        start: day_start(0)?,
        cost: last.amount(),
    }];
    // Days before the scope first cost anything are not history: judged against them, a
    // steady scope would look like a spike.
    let found = detect(
        since_first_cost(&buckets?),
        &window,
        Granularity::Daily,
        settings,
    );
    let anomaly = found.into_iter().next()?;
    let spec = &budget.spec;
    let direction = match anomaly.direction {
        Direction::Spike => "above",
        Direction::Drop => "below",
    };
    let message = format!(
        "Cost in the scope of budget \"{}\" on {} was {}, {direction} the {} expected \
         (anomaly score {:.1}).",
        spec.name,
        yesterday,
        dollars(anomaly.actual),
        dollars(anomaly.expected),
        anomaly.score
    );
    Some(new_alert(
        budget,
        AlertKind::Anomaly,
        0,
        anomaly.start,
        anomaly.actual,
        anomaly.expected,
        message,
        now,
    ))
}

#[allow(clippy::too_many_arguments)] // One alert's fields, named at each call.
fn new_alert(
    budget: &Budget,
    kind: AlertKind,
    threshold_percent: u32,
    period_start: DateTime<Utc>,
    spend: Money,
    amount: Money,
    message: String,
    now: DateTime<Utc>,
) -> Alert {
    Alert {
        id: AlertId::from_uuid(Uuid::new_v4()),
        tenant_id: budget.tenant_id,
        budget_id: budget.id,
        budget_name: budget.spec.name.clone(),
        kind,
        threshold_percent,
        period: budget.spec.period,
        period_start,
        spend,
        amount,
        forecast: None,
        message,
        created_at: now,
        delivery: Delivery::new(budget.spec.webhook.is_some(), now),
    }
}

/// `$1,234.57`-style text for messages people read (the stored figures stay exact).
fn dollars(amount: Money) -> String {
    format!("${:.2}", amount.amount())
}

#[cfg(test)]
mod tests;
