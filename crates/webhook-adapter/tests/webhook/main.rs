//! The webhook sender against a real HTTP receiver on 127.0.0.1.

// Test helpers outside #[test] functions may unwrap and panic too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use chrono::{TimeZone, Utc};
use kcost_domain::alert::{Alert, AlertId, AlertKind, Delivery};
use kcost_domain::budget::{BudgetId, BudgetPeriod, WebhookPolicy, WebhookUrl};
use kcost_domain::money::Money;
use kcost_domain::tenant::TenantId;
use kcost_ports::{WebhookError, WebhookSender};
use kcost_test_support::webhook_receiver::{Answer, WebhookReceiver};
use kcost_webhook_adapter::HttpWebhookSender;
use uuid::Uuid;

const LOCAL: WebhookPolicy = WebhookPolicy {
    allow_http: true,
    allow_private: true,
};

fn alert() -> Alert {
    let at = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap();
    Alert {
        id: AlertId::from_uuid(Uuid::new_v4()),
        tenant_id: TenantId::from_uuid(Uuid::new_v4()),
        budget_id: BudgetId::from_uuid(Uuid::new_v4()),
        budget_name: "payments".into(),
        kind: AlertKind::Budget,
        threshold_percent: 80,
        period: BudgetPeriod::Monthly,
        period_start: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
        spend: Money::from_decimal("80.0000000001".parse().unwrap()),
        amount: Money::from_decimal("100".parse().unwrap()),
        forecast: None,
        message: "Budget \"payments\" reached 80%.".into(),
        created_at: at,
        delivery: Delivery::new(true, at),
    }
}

fn sender(timeout_ms: u64) -> HttpWebhookSender {
    HttpWebhookSender::new(Duration::from_millis(timeout_ms)).unwrap()
}

#[tokio::test]
async fn a_receiver_gets_the_alert_as_json_with_exact_money() {
    let receiver = WebhookReceiver::start(vec![Answer::status(204)]).await;
    let url = WebhookUrl::parse(&receiver.url, LOCAL).unwrap();
    let alert = alert();
    sender(5_000).send(&url, &alert).await.unwrap();
    let bodies = receiver.bodies();
    assert_eq!(bodies.len(), 1);
    let body: serde_json::Value = serde_json::from_str(&bodies[0]).unwrap();
    assert_eq!(body["budget_name"], "payments");
    assert_eq!(body["threshold_percent"], 80);
    assert_eq!(body["period"], "monthly");
    assert_eq!(body["period_start"], "2026-12-01T00:00:00Z");
    assert_eq!(body["kind"], "budget");
    assert_eq!(body["alert_id"], alert.id.to_string());
    assert!(
        bodies[0].contains("\"spend_usd\":80.0000000001"),
        "{}",
        bodies[0]
    );
    assert!(bodies[0].contains("\"amount_usd\":100"), "{}", bodies[0]);
    assert!(body["forecast_usd"].is_null());
}

#[tokio::test]
async fn a_non_2xx_answer_is_a_rejection_with_its_status() {
    for status in [500, 404, 302] {
        let receiver = WebhookReceiver::start(vec![Answer::status(status)]).await;
        let url = WebhookUrl::parse(&receiver.url, LOCAL).unwrap();
        let error = sender(5_000).send(&url, &alert()).await.unwrap_err();
        assert_eq!(error, WebhookError::Rejected(status));
    }
}

#[tokio::test]
async fn a_receiver_slower_than_the_timeout_is_a_timeout() {
    let slow = Answer {
        status: 200,
        delay: Duration::from_secs(30),
    };
    let receiver = WebhookReceiver::start(vec![slow]).await;
    let url = WebhookUrl::parse(&receiver.url, LOCAL).unwrap();
    let error = sender(200).send(&url, &alert()).await.unwrap_err();
    assert!(matches!(error, WebhookError::TimedOut(_)), "{error:?}");
}

#[tokio::test]
async fn an_unreachable_receiver_is_named_without_its_url() {
    let port = kcost_test_support::free_port();
    let raw = format!("http://127.0.0.1:{port}/secret-token");
    let url = WebhookUrl::parse(&raw, LOCAL).unwrap();
    let error = sender(2_000).send(&url, &alert()).await.unwrap_err();
    let WebhookError::Unreachable(text) = &error else {
        panic!("expected unreachable, got {error:?}");
    };
    assert!(!text.contains("secret-token"), "{text}");
}
