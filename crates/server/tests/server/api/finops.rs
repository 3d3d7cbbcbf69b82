//! Forecasts and anomalies end to end: three weeks of the reference agent's snapshots
//! (every six hours), one namespace asking for four times its CPU on the last day.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::support::{Backend, ManualClock, SMALL, TestDb, TestServer, money};

/// 2026-11-01 00:00 UTC (a Sunday).
const FIRST: i64 = 1_793_491_200;
const DAYS: i64 = 20;
const SPIKING: &str = "payments";

/// The fixture at `at` (unix seconds) covering six hours; on the last day `SPIKING` asks
/// for four times its CPU.
fn snapshot(at: i64) -> String {
    let mut snapshot: Value = serde_json::from_str(SMALL).expect("fixture");
    snapshot["timestamp"] = json!(at);
    snapshot["interval_seconds"] = json!(6 * 3600);
    if at >= FIRST + (DAYS - 1) * 86_400 {
        for pod in snapshot["pod_metrics"].as_array_mut().expect("pods") {
            if pod["namespace"] == SPIKING {
                let request = pod["cpu_request_millicores"].as_i64().expect("request");
                pod["cpu_request_millicores"] = json!(request * 4);
            }
        }
    }
    snapshot.to_string()
}

async fn loaded(backend: Backend) -> (TestDb, TestServer, String) {
    let db = TestDb::create(backend).await;
    let clock = ManualClock::at(Utc.timestamp_opt(FIRST + DAYS * 86_400 + 3600, 0).unwrap());
    let server = TestServer::start_with_clock(&db, Arc::clone(&clock)).await;
    let (_, key) = server.tenant_with_key("acme").await;
    for step in 0..DAYS * 4 {
        let (status, body) = server
            .ingest(&key, &snapshot(FIRST + step * 6 * 3600))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    (db, server, key)
}

pub async fn forecasts_and_anomalies_follow_each_groups_history(backend: Backend) {
    let (db, server, key) = loaded(backend).await;

    let (status, forecast) = server
        .get_as(&key, "/v1/costs/forecast?horizon=7d&aggregate=namespace")
        .await;
    assert_eq!(status, StatusCode::OK, "{forecast}");
    assert_eq!(forecast["horizon_days"], 7);
    assert_eq!(forecast["first_date"], "2026-11-21");
    let groups = forecast["forecast"].as_array().expect("forecast");
    assert_eq!(groups.len(), 8, "{forecast}");
    // A namespace that cost the same every day is forecast to go on costing that.
    let (_, day) = server
        .get_as(
            &key,
            "/v1/costs/namespaces?start_time=2026-11-19T00:00:00Z&end_time=2026-11-20T00:00:00Z",
        )
        .await;
    let web = day["costs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["namespace"] == "web")
        .expect("web's cost");
    let daily = money(web, "estimated_cost_usd");
    let web_forecast = groups.iter().find(|g| g["namespace"] == "web").unwrap();
    let days = web_forecast["daily"].as_array().unwrap();
    assert_eq!(days.len(), 7);
    assert_eq!(days[0]["date"], "2026-11-21");
    for day in days {
        let cost = money(day, "cost_usd");
        assert!(
            (cost - daily).abs() <= daily / Decimal::from(1000),
            "{day} vs {daily}"
        );
        assert!(
            money(day, "lower_usd") <= cost && cost <= money(day, "upper_usd"),
            "{day}"
        );
    }
    let (_, month) = server
        .get_as(&key, "/v1/costs/forecast?horizon=30d&aggregate=cluster")
        .await;
    assert_eq!(month["forecast"][0]["daily"].as_array().unwrap().len(), 30);
    assert!(month["forecast"][0]["cluster_name"].is_string(), "{month}");

    // The last day: only the namespace whose requests jumped is anomalous.
    let last_day = "window=2026-11-20T00:00:00Z,2026-11-21T00:00:00Z&granularity=daily";
    let (status, found) = server
        .get_as(&key, &format!("/v1/anomalies?{last_day}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["granularity"], "daily");
    let anomalies = found["anomalies"].as_array().unwrap();
    assert_eq!(anomalies.len(), 1, "{found}");
    assert_eq!(anomalies[0]["namespace"], SPIKING);
    assert_eq!(anomalies[0]["direction"], "spike");
    assert!(
        money(&anomalies[0], "actual_cost_usd")
            > money(&anomalies[0], "expected_cost_usd") * Decimal::TWO,
        "{found}"
    );
    // The clusters' cost did not move (idle gave way): no anomaly.
    let (_, clusters) = server
        .get_as(&key, &format!("/v1/anomalies?{last_day}&aggregate=cluster"))
        .await;
    assert_eq!(clusters["anomalies"], json!([]), "{clusters}");
    // A steady day is steady.
    let (_, steady) = server
        .get_as(
            &key,
            "/v1/anomalies?window=2026-11-19T00:00:00Z,2026-11-20T00:00:00Z&granularity=daily",
        )
        .await;
    assert_eq!(steady["anomalies"], json!([]), "{steady}");

    for (path, code) in [
        ("/v1/costs/forecast?horizon=14d", "invalid_query"),
        ("/v1/costs/forecast?aggregate=pod", "invalid_query"),
        ("/v1/anomalies?granularity=weekly", "invalid_query"),
        (
            "/v1/anomalies?window=2026-11-20T10:10:00Z,2026-11-20T10:40:00Z",
            "invalid_window",
        ),
        (
            "/v1/anomalies?window=30d&granularity=hourly",
            "invalid_window",
        ),
    ] {
        let (status, body) = server.get_as(&key, path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_eq!(body["code"], code, "{path}: {body}");
    }
    server.stop_and_finish(db).await;
}
