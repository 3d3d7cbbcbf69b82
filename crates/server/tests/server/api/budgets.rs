//! Budgets and alerts end to end: a budget's spend is the cost API's for the same scope
//! and period, to the last digit; evaluation raises each threshold's alert once; delivery
//! reaches a real webhook receiver, is retried after a failure, and is recorded; another
//! tenant sees none of it. The background tasks run on their own timers (set to a minute
//! here); the test runs evaluation and delivery itself, with a clock it moves.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use kcost_server::Application;
use kcost_test_support::webhook_receiver::{Answer, WebhookReceiver};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::support::{Backend, ManualClock, SMALL, SMALL_CLUSTER, TestDb, TestServer, money, send};

/// Today, in the fixture's day: the SMALL snapshot was taken at 09:00.
const SO_FAR: &str = "start_time=2026-11-20T00:00:00Z&end_time=2026-11-20T12:00:00Z";

async fn start(db: &TestDb, clock: Arc<ManualClock>) -> (TestServer, kcost_server::services::BudgetAlerts) {
    let mut settings = db.settings();
    settings.budgets.allow_http_webhooks = true;
    settings.budgets.allow_private_webhooks = true;
    // The background passes wait a minute: this test runs them itself.
    settings.budgets.evaluate_interval_seconds = 60;
    settings.budgets.after_ingest_seconds = 60;
    settings.budgets.delivery_interval_seconds = 60;
    let app = Application::build_with_clock(settings, clock)
        .await
        .expect("build the application");
    let alerts = app.budget_alerts();
    (TestServer::from_app(app), alerts)
}

fn cluster_total(clusters: &Value) -> Decimal {
    clusters["costs"]
        .as_array()
        .expect("costs")
        .iter()
        .filter(|c| c["cluster_name"] == SMALL_CLUSTER)
        .map(|c| money(c, "estimated_cost_usd"))
        .sum()
}

pub async fn budgets_track_spend_and_alert_their_webhook_once(backend: Backend) {
    let db = TestDb::create(backend).await;
    let clock = ManualClock::at(Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap());
    let (server, alerts) = start(&db, clock.clone()).await;
    let (_, key) = server.tenant_with_key("acme").await;
    let (_, other) = server.tenant_with_key("globex").await;
    let (status, body) = server.ingest(&key, SMALL).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (_, clusters) = server.get_as(&key, &format!("/v1/costs/clusters?{SO_FAR}")).await;
    let spent = cluster_total(&clusters);
    assert!(spent > Decimal::ZERO, "{clusters}");

    // Spent is exactly 80 % of the amount: the 50 % and 80 % thresholds are reached.
    let amount = spent * Decimal::new(125, 2);
    let receiver = WebhookReceiver::start(vec![Answer::status(204)]).await;
    let request = json!({
        "name": "dev cluster",
        "amount_usd": amount.to_string(),
        "period": "daily",
        "scope": {"cluster": SMALL_CLUSTER},
        "thresholds": [100, 50, 80],
        "notify": {"webhook_url": receiver.url},
    });
    let response = server
        .post("/v1/budgets")
        .header("Authorization", format!("ApiKey {key}"))
        .json(&request)
        .send()
        .await
        .expect("POST /v1/budgets");
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();
    assert_eq!(location, format!("/v1/budgets/{}", created["id"].as_str().unwrap()));
    assert_eq!(money(&created, "spend_usd"), spent, "{created}");
    assert_eq!(created["status"], "warning");
    assert_eq!(created["thresholds"], json!([50, 80, 100]));
    assert_eq!(created["period_start"], "2026-11-20T00:00:00Z");
    assert_eq!(created["period_end"], "2026-11-21T00:00:00Z");
    // No history before today: the day so far is extrapolated (12 of 24 hours).
    assert_eq!(money(&created, "forecast_usd"), spent * Decimal::TWO, "{created}");

    let (status, read) = server.get_as(&key, &location).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read, created);
    let (status, listed) = server.get_as(&key, "/v1/budgets").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["budgets"], json!([created]));

    // Evaluated twice: each threshold's alert is raised once.
    alerts.watch.evaluate_all().await.expect("evaluation");
    alerts.watch.evaluate_all().await.expect("evaluation");
    let run = alerts.delivery.run().await.expect("delivery");
    assert_eq!(run.delivered, 2);
    let bodies: Vec<Value> = receiver
        .bodies()
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect();
    let mut thresholds: Vec<u64> = bodies
        .iter()
        .map(|b| b["threshold_percent"].as_u64().unwrap())
        .collect();
    thresholds.sort_unstable();
    assert_eq!(thresholds, [50, 80]);
    for body in &bodies {
        assert_eq!(body["budget_name"], "dev cluster");
        assert_eq!(body["period"], "daily");
        assert_eq!(money(body, "spend_usd"), spent);
        assert_eq!(money(body, "amount_usd"), amount);
    }
    let (status, listed) = server.get_as(&key, "/v1/alerts").await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed["total"], 2);
    for alert in listed["alerts"].as_array().unwrap() {
        assert_eq!(alert["delivery"]["state"], "delivered", "{alert}");
        assert_eq!(alert["delivery"]["attempts"], 1);
        assert_eq!(alert["kind"], "budget");
    }
    assert_eq!(alerts.delivery.run().await.unwrap().delivered, 0);

    // Another tenant sees none of it.
    let (status, _) = server.get_as(&other, &location).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, theirs) = server.get_as(&other, "/v1/alerts").await;
    assert_eq!(theirs["total"], 0);
    let (status, _) = send(
        server
            .client
            .delete(format!("{}{location}", server.base))
            .header("Authorization", format!("ApiKey {other}")),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Narrowed to one namespace, the spend is that namespace's cost (no idle).
    let (_, namespaces) = server
        .get_as(&key, &format!("/v1/costs/namespaces?{SO_FAR}&cluster={SMALL_CLUSTER}"))
        .await;
    let first = &namespaces["costs"][0];
    let namespace = first["namespace"].as_str().unwrap();
    let mut narrowed = request.clone();
    narrowed["scope"]["namespace"] = json!(namespace);
    let (status, replaced) = send(
        server
            .client
            .put(format!("{}{location}", server.base))
            .header("Authorization", format!("ApiKey {key}"))
            .json(&narrowed),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(money(&replaced, "spend_usd"), money(first, "estimated_cost_usd"));
    assert_eq!(replaced["scope"]["namespace"], namespace);

    // Deleting the budget deletes its alerts.
    let (status, _) = send(
        server
            .client
            .delete(format!("{}{location}", server.base))
            .header("Authorization", format!("ApiKey {key}")),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(server.get_as(&key, &location).await.0, StatusCode::NOT_FOUND);
    assert_eq!(server.get_as(&key, "/v1/alerts").await.1["total"], 0);
    server.stop_and_finish(db).await;
}

pub async fn a_failed_delivery_is_retried_after_its_backoff(backend: Backend) {
    let db = TestDb::create(backend).await;
    let clock = ManualClock::at(Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap());
    let (server, alerts) = start(&db, clock.clone()).await;
    let (_, key) = server.tenant_with_key("acme").await;
    let (status, _) = server.ingest(&key, SMALL).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let receiver =
        WebhookReceiver::start(vec![Answer::status(503), Answer::status(200)]).await;
    let (status, created) = send(
        server
            .post("/v1/budgets")
            .header("Authorization", format!("ApiKey {key}"))
            .json(&json!({
                "name": "tiny", "amount_usd": 0.0001, "period": "monthly",
                "thresholds": [100], "notify": {"webhook_url": receiver.url},
            })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["status"], "exceeded");

    alerts.watch.evaluate_all().await.unwrap();
    let first = alerts.delivery.run().await.unwrap();
    assert_eq!((first.delivered, first.failed_attempts), (0, 1));
    let (_, listed) = server.get_as(&key, "/v1/alerts").await;
    let delivery = &listed["alerts"][0]["delivery"];
    assert_eq!(delivery["state"], "pending", "{listed}");
    assert_eq!(delivery["last_error"], "the receiver answered HTTP 503");
    assert_eq!(delivery["next_attempt_at"], "2026-11-20T12:00:30Z");

    // Not yet due: nothing is sent.
    clock.advance(chrono::Duration::seconds(29));
    assert_eq!(alerts.delivery.run().await.unwrap(), Default::default());
    clock.advance(chrono::Duration::seconds(1));
    assert_eq!(alerts.delivery.run().await.unwrap().delivered, 1);
    assert_eq!(receiver.bodies().len(), 2);
    let (_, listed) = server.get_as(&key, "/v1/alerts").await;
    let delivery = &listed["alerts"][0]["delivery"];
    assert_eq!(delivery["state"], "delivered", "{listed}");
    assert_eq!(delivery["attempts"], 2);
    assert!(delivery["last_error"].is_null());
    server.stop_and_finish(db).await;
}
