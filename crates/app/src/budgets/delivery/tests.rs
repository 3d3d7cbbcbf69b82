//! Alert delivery over mocked stores and sender: outcomes recorded, retries scheduled,
//! removed webhooks and deleted budgets handled.

use std::sync::{Arc, Mutex};

use kcost_domain::alert::{Alert, AlertId, AlertKind, Delivery, DeliveryState, retry_delay};
use kcost_domain::budget::{
    Budget, BudgetId, BudgetPeriod, BudgetScope, BudgetSpec, Thresholds, WebhookUrl,
};
use kcost_domain::money::Money;
use kcost_ports::{
    BudgetRepositoryError, MockAlertRepository, MockBudgetRepository, MockWebhookSender,
    WebhookError,
};
use uuid::Uuid;

use super::*;
use crate::test_support::{clock, now, tenant};

fn budget(webhook: bool) -> Budget {
    Budget {
        id: BudgetId::from_uuid(Uuid::from_u128(0xb0)),
        tenant_id: tenant(),
        spec: BudgetSpec {
            name: "web".into(),
            amount: Money::from_decimal(100.into()),
            period: BudgetPeriod::Monthly,
            scope: BudgetScope::default(),
            thresholds: Thresholds::default(),
            webhook: webhook.then(|| WebhookUrl::stored("https://example.com/hook").unwrap()),
            forecast_alerts: false,
            anomaly_alerts: false,
        },
        created_at: now(),
        updated_at: now(),
    }
}

fn due_alert() -> Alert {
    Alert {
        id: AlertId::from_uuid(Uuid::from_u128(0xa1)),
        tenant_id: tenant(),
        budget_id: BudgetId::from_uuid(Uuid::from_u128(0xb0)),
        budget_name: "web".into(),
        kind: AlertKind::Budget,
        threshold_percent: 80,
        period: BudgetPeriod::Monthly,
        period_start: now(),
        spend: Money::from_decimal(80.into()),
        amount: Money::from_decimal(100.into()),
        forecast: None,
        message: "reached 80%".into(),
        created_at: now(),
        delivery: Delivery::new(true, now()),
    }
}

struct Run {
    saved: Arc<Mutex<Vec<(u32, Delivery)>>>,
    outcome: DeliveryRun,
}

async fn run(
    budget: Result<Budget, ()>,
    send: Option<Result<(), WebhookError>>,
    claim_wins: bool,
    saved_wins: bool,
) -> Run {
    let mut alerts = MockAlertRepository::new();
    alerts.expect_due().returning(|_, _| Ok(vec![due_alert()]));
    alerts
        .expect_claim()
        .returning(move |_, due_at, lease_until| {
            assert_eq!(due_at, now());
            assert!(lease_until > now());
            Ok(claim_wins)
        });
    let saved: Arc<Mutex<Vec<(u32, Delivery)>>> = Arc::default();
    let keep = Arc::clone(&saved);
    alerts
        .expect_save_delivery()
        .returning(move |_, before, delivery| {
            keep.lock().unwrap().push((before, delivery.clone()));
            Ok(saved_wins)
        });
    let mut budgets = MockBudgetRepository::new();
    budgets
        .expect_get()
        .returning(move |_, _| budget.clone().map_err(|()| BudgetRepositoryError::NotFound));
    let mut sender = MockWebhookSender::new();
    match send {
        Some(outcome) => {
            sender
                .expect_send()
                .times(1)
                .returning(move |_, _| outcome.clone());
        }
        None => {
            sender.expect_send().never();
        }
    }
    let delivery = AlertDelivery::new(
        Arc::new(alerts),
        Arc::new(budgets),
        Arc::new(sender),
        clock(),
        std::time::Duration::from_secs(10),
    );
    let outcome = delivery.run().await.unwrap();
    Run { saved, outcome }
}

#[tokio::test]
async fn a_delivered_alert_is_recorded_as_delivered() {
    let run = run(Ok(budget(true)), Some(Ok(())), true, true).await;
    assert_eq!(run.outcome.delivered, 1);
    let saved = run.saved.lock().unwrap().clone();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].0, 0);
    assert_eq!(saved[0].1.state, DeliveryState::Delivered);
    assert_eq!(saved[0].1.attempts, 1);
}

#[tokio::test]
async fn a_failed_attempt_keeps_the_error_and_schedules_a_retry() {
    let run = run(
        Ok(budget(true)),
        Some(Err(WebhookError::Rejected(500))),
        true,
        true,
    )
    .await;
    assert_eq!(run.outcome.failed_attempts, 1);
    let saved = run.saved.lock().unwrap()[0].1.clone();
    assert_eq!(saved.state, DeliveryState::Pending);
    assert_eq!(
        saved.last_error.as_deref(),
        Some("the receiver answered HTTP 500")
    );
    assert_eq!(saved.next_attempt_at, Some(now() + retry_delay(1)));
}

#[tokio::test]
async fn an_alert_whose_budget_lost_its_webhook_stays_recorded_without_sending() {
    let run = run(Ok(budget(false)), None, true, true).await;
    let saved = run.saved.lock().unwrap()[0].1.clone();
    assert_eq!(saved.state, DeliveryState::Recorded);
    assert_eq!(saved.next_attempt_at, None);
    assert_eq!(saved.attempts, 0);
}

#[tokio::test]
async fn an_alert_whose_budget_is_gone_is_neither_sent_nor_saved() {
    let run = run(Err(()), None, true, true).await;
    assert!(run.saved.lock().unwrap().is_empty());
    assert_eq!(run.outcome, DeliveryRun::default());
}

#[tokio::test]
async fn an_attempt_another_replica_recorded_first_is_not_counted() {
    let run = run(Ok(budget(true)), Some(Ok(())), true, false).await;
    assert_eq!(run.outcome, DeliveryRun::default());
}

#[tokio::test]
async fn an_alert_another_replica_claimed_is_not_sent() {
    let run = run(Ok(budget(true)), None, false, true).await;
    assert!(run.saved.lock().unwrap().is_empty());
    assert_eq!(run.outcome, DeliveryRun::default());
}
