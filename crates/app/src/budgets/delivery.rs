//! Alert delivery: every pending alert whose attempt is due is sent to its budget's
//! webhook (as the budget names it now), and the outcome recorded — delivered, or the
//! error kept and the next attempt scheduled with backoff, until the alert is given up
//! (`kcost_domain::alert`). An attempt is claimed first, so of several replicas only one
//! sends it (delivery is at least once: a sender that dies mid-attempt leaves a lease that
//! runs out, and the alert is sent again). The server runs [`AlertDelivery::run`] every few seconds in
//! its own task, so a slow receiver delays other alerts at most by the delivery timeout
//! and never an ingest.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use kcost_domain::alert::{Alert, Delivery, DeliveryState};
use kcost_ports::{
    AlertRepository, AlertRepositoryError, BackendFailure, BudgetRepository, BudgetRepositoryError,
    Clock, WebhookSender,
};

/// Most alerts one run sends.
pub const BATCH: u32 = 50;

/// Sends due alerts.
pub struct AlertDelivery {
    alerts: Arc<dyn AlertRepository>,
    budgets: Arc<dyn BudgetRepository>,
    sender: Arc<dyn WebhookSender>,
    clock: Arc<dyn Clock>,
    /// How long a claimed alert is held for its sender before it is due again.
    lease: TimeDelta,
}

impl std::fmt::Debug for AlertDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertDelivery").finish_non_exhaustive()
    }
}

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryRun {
    pub delivered: u32,
    pub failed_attempts: u32,
}

impl AlertDelivery {
    pub fn new(
        alerts: Arc<dyn AlertRepository>,
        budgets: Arc<dyn BudgetRepository>,
        sender: Arc<dyn WebhookSender>,
        clock: Arc<dyn Clock>,
        timeout: Duration,
    ) -> Self {
        // Twice the delivery timeout: a live sender has always finished by then.
        let lease = TimeDelta::from_std(timeout * 2).unwrap_or(TimeDelta::minutes(2));
        Self {
            alerts,
            budgets,
            sender,
            clock,
            lease,
        }
    }

    /// Sends up to [`BATCH`] due alerts, oldest due first.
    pub async fn run(&self) -> Result<DeliveryRun, BackendFailure> {
        let due = self
            .alerts
            .due(self.clock.now(), BATCH)
            .await
            .map_err(alert_failure)?;
        let mut run = DeliveryRun::default();
        for alert in due {
            match self.deliver(&alert).await? {
                Some(DeliveryState::Delivered) => run.delivered += 1,
                Some(_) => run.failed_attempts += 1,
                None => {}
            }
        }
        Ok(run)
    }

    /// One attempt; `None` when another replica got there first or the alert is gone.
    async fn deliver(&self, alert: &Alert) -> Result<Option<DeliveryState>, BackendFailure> {
        let webhook = match self.budgets.get(alert.tenant_id, alert.budget_id).await {
            Ok(budget) => budget.spec.webhook,
            // Deleted meanwhile: its alerts went with it.
            Err(BudgetRepositoryError::NotFound | BudgetRepositoryError::TenantNotFound) => {
                return Ok(None);
            }
            Err(BudgetRepositoryError::Failed(failure)) => return Err(failure),
        };
        let now = self.clock.now();
        // Only the replica that claims the attempt sends it.
        let Some(due_at) = alert.delivery.next_attempt_at else {
            return Ok(None);
        };
        match self.alerts.claim(alert.id, due_at, now + self.lease).await {
            Ok(true) => {}
            Ok(false) | Err(AlertRepositoryError::NotFound) => return Ok(None),
            Err(AlertRepositoryError::Failed(failure)) => return Err(failure),
        }
        let next = match webhook {
            // The webhook was removed since: the alert stays on record.
            None => Delivery {
                state: DeliveryState::Recorded,
                next_attempt_at: None,
                ..alert.delivery.clone()
            },
            Some(url) => {
                let outcome = self.sender.send(&url, alert).await;
                if let Err(error) = &outcome {
                    tracing::warn!(alert = %alert.id, budget = %alert.budget_id,
                        attempt = alert.delivery.attempts + 1, %error, "alert delivery failed");
                }
                alert
                    .delivery
                    .after_attempt(now, outcome.map_err(|e| e.to_string()))
            }
        };
        match self
            .alerts
            .save_delivery(alert.id, alert.delivery.attempts, &next)
            .await
        {
            Ok(true) => Ok(Some(next.state)),
            Ok(false) | Err(AlertRepositoryError::NotFound) => Ok(None),
            Err(AlertRepositoryError::Failed(failure)) => Err(failure),
        }
    }
}

fn alert_failure(error: AlertRepositoryError) -> BackendFailure {
    match error {
        AlertRepositoryError::Failed(failure) => failure,
        AlertRepositoryError::NotFound => {
            BackendFailure::Unexpected(anyhow::anyhow!("alert not found"))
        }
    }
}

#[cfg(test)]
mod tests;
