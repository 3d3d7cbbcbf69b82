//! The FOCUS export end to end: the CSV parses, its header is the documented one, there is
//! one line per workload per day, its `BilledCost` adds up exactly to `/v1/costs/clusters`
//! for the same window, labels are tags, another tenant's data never appears, and bad
//! windows and missing scopes are refused.

use std::collections::BTreeSet;

use kcost_test_support::csv::records;
use reqwest::StatusCode;
use rust_decimal::Decimal;

use crate::support::{Backend, LABELS, NODES_NULL, NODES_NULL_CLUSTER, SMALL, TestServer, money};

/// Two UTC days (the first a half), the fixtures in the second.
const WINDOW: &str = "window=2026-11-19T12:00:00Z,2026-11-21T00:00:00Z";

/// The export's status, `Content-Type` and body.
async fn export(server: &TestServer, key: &str, query: &str) -> (StatusCode, String, String) {
    let response = server
        .get(&format!("/v1/export/focus?{query}"))
        .header("Authorization", format!("ApiKey {key}"))
        .send()
        .await
        .expect("export sent");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, content_type, response.text().await.expect("body"))
}

/// The sum of the `BilledCost` column (index `billed`) over `lines`.
fn billed_cost<'a>(lines: impl IntoIterator<Item = &'a Vec<String>>, billed: usize) -> Decimal {
    lines
        .into_iter()
        .map(|l| l[billed].parse::<Decimal>().expect("a decimal"))
        .sum()
}

/// What `/v1/costs/clusters` says the clusters cost over `query`'s window, in all.
async fn clusters_cost(server: &TestServer, key: &str, query: &str) -> Decimal {
    let (status, clusters) = server
        .get_as(key, &format!("/v1/costs/clusters?{query}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{clusters}");
    clusters["costs"]
        .as_array()
        .expect("costs")
        .iter()
        .map(|row| money(row, "estimated_cost_usd"))
        .sum()
}

/// The header and the lines of an export, each line checked to have every column.
fn parse(body: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut records = records(body).into_iter();
    let header = records.next().expect("a header");
    let lines: Vec<_> = records.collect();
    for line in &lines {
        assert_eq!(line.len(), header.len(), "{line:?}");
    }
    (header, lines)
}

pub async fn the_focus_export_adds_up_to_the_cluster_totals(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (acme, key) = server.tenant_with_key("acme").await;
    for payload in [SMALL, LABELS] {
        assert_eq!(server.ingest(&key, payload).await.0, StatusCode::ACCEPTED);
    }
    // Another tenant, with a cluster of its own.
    let (other, other_key) = server.tenant_with_key("globex").await;
    assert_eq!(
        server.ingest(&other_key, NODES_NULL).await.0,
        StatusCode::ACCEPTED
    );

    let (status, content_type, body) = export(&server, &key, WINDOW).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(content_type, "text/csv; charset=utf-8");
    let (header, lines) = parse(&body);
    assert_eq!(header, kcost_http::dto::focus::COLUMN_NAMES);
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert!(!lines.is_empty());

    // One line per workload (or cluster's idle) per day; only the fixtures' day has any.
    let mut seen = BTreeSet::new();
    for line in &lines {
        let key = (
            line[column("ChargePeriodStart")].clone(),
            line[column("ResourceId")].clone(),
        );
        assert!(seen.insert(key.clone()), "{key:?} twice");
        assert_eq!(line[column("ChargePeriodStart")], "2026-11-20T00:00:00Z");
        assert_eq!(line[column("ChargePeriodEnd")], "2026-11-21T00:00:00Z");
        assert_eq!(line[column("BillingAccountId")], acme);
        assert_eq!(line[column("BillingAccountName")], "acme");
        assert_eq!(line[column("BillingPeriodStart")], "2026-11-01T00:00:00Z");
        assert_ne!(
            line[column("SubAccountName")],
            NODES_NULL_CLUSTER,
            "globex's"
        );
    }
    let idle: Vec<&str> = lines
        .iter()
        .filter(|l| l[column("ResourceType")] == "Cluster")
        .map(|l| l[column("SubAccountName")].as_str())
        .collect();
    assert_eq!(
        idle,
        ["cost-dashboard-dev", "prod-eu"],
        "one idle line per cluster"
    );

    // Labels are tags, with kcost's own.
    let worker = lines
        .iter()
        .find(|l| l[column("ResourceName")] == "default-worker")
        .expect("the default-worker deployment");
    assert_eq!(worker[column("ResourceType")], "Deployment");
    let tags: serde_json::Value = serde_json::from_str(&worker[column("Tags")]).expect("JSON");
    assert_eq!(tags["app.kubernetes.io/name"], "default-worker");
    assert_eq!(tags["kcost:namespace"], "default");

    // Every line's BilledCost, exactly: what the clusters cost over the same window.
    let billed = billed_cost(&lines, column("BilledCost"));
    let totals = clusters_cost(&server, &key, WINDOW).await;
    assert!(totals > Decimal::ZERO);
    assert_eq!(billed, totals);

    // The other tenant sees its own cluster only.
    let (_, _, body) = export(&server, &other_key, WINDOW).await;
    let (_, lines) = parse(&body);
    assert!(!lines.is_empty());
    for line in &lines {
        assert_eq!(line[column("BillingAccountId")], other);
        assert_eq!(line[column("SubAccountName")], NODES_NULL_CLUSTER);
    }
    server.stop_and_finish(db).await;
}

pub async fn the_focus_export_refuses_bad_windows_and_missing_scopes(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (tenant, key) = server.tenant_with_key("acme").await;
    let (status, _, body) = export(&server, &key, "window=500d").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let error: serde_json::Value = serde_json::from_str(&body).expect("a JSON error");
    assert_eq!(error["code"], "invalid_window");

    let (_, writer) = server.create_key(&tenant, &["metrics:write"], None).await;
    let (status, _, body) = export(&server, &writer, WINDOW).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    server.stop_and_finish(db).await;
}

pub async fn the_focus_export_splits_days_at_midnight_and_each_adds_up(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (_, key) = server.tenant_with_key("acme").await;
    // Hourly from 2026-11-20T09:00Z to 2026-11-21T04:00Z: across midnight.
    server.ingest_hourly(&key, 20).await;
    let days = [
        ("2026-11-20T06:00:00Z", "2026-11-21T00:00:00Z"),
        ("2026-11-21T00:00:00Z", "2026-11-21T06:00:00Z"),
    ];
    let window = format!("window={},{}", days[0].0, days[1].1);
    let (status, _, body) = export(&server, &key, &window).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (header, lines) = parse(&body);
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    for (start, end) in days {
        let day: Vec<_> = lines
            .iter()
            .filter(|l| l[column("ChargePeriodStart")] == start)
            .collect();
        assert!(!day.is_empty(), "lines on {start}");
        assert!(day.iter().all(|l| l[column("ChargePeriodEnd")] == end));
        let billed = billed_cost(day, column("BilledCost"));
        let total = clusters_cost(&server, &key, &format!("window={start},{end}")).await;
        assert_eq!(billed, total, "{start}");
    }
    server.stop_and_finish(db).await;
}
