//! The Kubecent dashboard's own calls (`/api/*`) end to end: every field its Overview,
//! Savings, Monitor and Logs pages read has the JSON type the page needs; the Overview's
//! totals are `/v1/costs/*`'s; the Monitor page's figures are the agent's; and access is
//! the other Kubecent endpoints' (a key, or none with `kubecent.anonymous_tenant`).

use std::time::{SystemTime, UNIX_EPOCH};

use kcost_app::settings::AnonymousTenant;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::support::{Backend, FIXTURE_WINDOW, SMALL, TestServer, money, number, send};

/// The fixture's day, as the dashboard's `window`.
const DASHBOARD_FIXTURE_WINDOW: &str = "window=2026-11-20T00:00:00Z,2026-11-21T00:00:00Z";
/// Every route that reads the tenant's data, as the pages call them.
const DATA_ROUTES: [&str; 9] = [
    "/api/allocations",
    "/api/assets",
    "/api/idle",
    "/api/efficiency",
    "/api/savings",
    "/api/monitoring/cluster/stats",
    "/api/monitoring/pods",
    "/api/monitoring/nodes",
    "/api/monitoring/logs?limit=200&since_seconds=3600",
];

/// 30 hours of the fixture (for recommendations) and, two minutes ago, the fixture again
/// (for the Monitor page's hour and the default `7d`); then every page, its totals against
/// `/v1/costs/*`, and access with and without a key.
pub async fn kubecent_dashboard_pages_get_what_they_read(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (tenant, key) = server.tenant_with_key("acme").await;
    server.ingest_hourly(&key, 30).await;
    let (status, generated) = send(
        server
            .post("/v1/recommendations/generate?lookback_hours=720")
            .header("Authorization", format!("ApiKey {key}")),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{generated}");
    let (status, body) = server.ingest(&key, &recent_fixture()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    let fixture_total = overview_matches_v1(
        &server,
        &key,
        &format!("?{DASHBOARD_FIXTURE_WINDOW}"),
        FIXTURE_WINDOW,
    )
    .await;
    // What the Overview sends: nothing (its default is `7d`, the recent snapshot only).
    overview_matches_v1(&server, &key, "", "window=7d").await;
    savings_match_the_kubecent_savings(&server, &key).await;
    monitor_shows_the_agents_figures(&server, &key).await;
    logs_are_empty_and_checked(&server, &key).await;

    // Scopes are the use cases': savings also need `recommendations:read`.
    let (_, costs_only) = server.create_key(&tenant, &["costs:read"], None).await;
    assert_eq!(
        server.get_as(&costs_only, "/api/allocations").await.0,
        StatusCode::OK
    );
    assert_eq!(
        server.get_as(&costs_only, "/api/savings").await.0,
        StatusCode::FORBIDDEN
    );
    // No key: refused, except Grafana's probe, which says the same to everyone.
    for route in DATA_ROUTES {
        let (status, body) = send(server.get(route)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{route}: {body}");
    }
    let (status, grafana) = send(server.get("/api/v1/grafana/health")).await;
    assert_eq!(status, StatusCode::OK, "{grafana}");
    assert_eq!(grafana["connected"], json!(false), "{grafana}");
    assert!(grafana["url"].is_null(), "{grafana}");
    assert_eq!(grafana["status"], "not_configured");
    server.stop().await;

    // Anonymous mode: the frontend's credential-less calls read the named tenant.
    let mut settings = db.settings();
    settings.kubecent.anonymous_tenant = AnonymousTenant::new("acme");
    let server = TestServer::start_with(settings).await;
    for route in DATA_ROUTES {
        let (status, body) = send(server.get(route)).await;
        assert_eq!(status, StatusCode::OK, "{route}: {body}");
    }
    let path = format!("/api/allocations?{DASHBOARD_FIXTURE_WINDOW}");
    let (_, anonymous) = send(server.get(&path)).await;
    assert_eq!(money(&anonymous, "totalCost"), fixture_total);
    // A key presented is still checked, never downgraded to anonymous.
    let (status, _) = server.get_as("kc_wrong:secret", "/api/allocations").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    server.stop_and_finish(db).await;
}

/// A tenant without data: every page still gets its fields, as zeros and empty lists.
pub async fn kubecent_dashboard_pages_render_for_an_empty_tenant(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (_, key) = server.tenant_with_key("empty").await;
    let (status, allocations) = server.get_as(&key, "/api/allocations").await;
    assert_eq!(status, StatusCode::OK, "{allocations}");
    assert_eq!(number(&allocations, "totalCost"), 0.0);
    assert_eq!(allocations["allocations"], json!([]));
    let (_, assets) = server.get_as(&key, "/api/assets").await;
    assert_eq!(assets["assets"], json!([]), "{assets}");
    let (_, idle) = server.get_as(&key, "/api/idle").await;
    assert_eq!(
        (
            number(&idle, "totalIdleCost"),
            number(&idle, "idlePercentage")
        ),
        (0.0, 0.0)
    );
    let (_, efficiency) = server.get_as(&key, "/api/efficiency").await;
    assert_eq!(efficiency["grade"], "N/A", "{efficiency}");
    assert_eq!(number(&efficiency, "overallScore"), 0.0);
    let (_, savings) = server.get_as(&key, "/api/savings").await;
    assert_eq!(number(&savings, "totalPotentialSavings"), 0.0);
    assert_eq!(savings["recommendations"], json!([]), "{savings}");
    let (_, stats) = server.get_as(&key, "/api/monitoring/cluster/stats").await;
    for field in ["cpuUsage", "cpuCapacity", "memoryUsage", "memoryCapacity"] {
        assert_eq!(number(&stats, field), 0.0, "{field}: {stats}");
    }
    assert_eq!(stats["activePods"], json!(0));
    let (_, pods) = server.get_as(&key, "/api/monitoring/pods").await;
    assert_eq!(pods["pods"], json!([]), "{pods}");
    let (_, nodes) = server.get_as(&key, "/api/monitoring/nodes").await;
    assert_eq!(nodes["nodes"], json!([]), "{nodes}");
    server.stop_and_finish(db).await;
}

/// The fixture, taken two minutes ago (inside the Monitor page's hour).
fn recent_fixture() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let mut snapshot: Value = serde_json::from_str(SMALL).expect("fixture");
    snapshot["timestamp"] = json!(now - 120);
    snapshot["interval_seconds"] = json!(600);
    snapshot.to_string()
}

async fn get_ok(server: &TestServer, key: &str, path: &str) -> Value {
    let (status, body) = server.get_as(key, path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

fn text<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} is not a string in {value}"))
}

fn list<'a>(value: &'a Value, field: &str) -> &'a [Value] {
    value[field]
        .as_array()
        .unwrap_or_else(|| panic!("{field} is not an array in {value}"))
}

fn sum(rows: &[Value], field: impl Fn(&Value) -> Decimal) -> Decimal {
    rows.iter().map(field).sum()
}

/// A score the page draws on a 0–100 axis.
fn percentage(value: &Value, field: &str) -> f64 {
    let score = number(value, field);
    assert!((0.0..=100.0).contains(&score), "{field}: {value}");
    score
}

/// The Overview's four cost calls over `dashboard_query` against `/v1/costs/*` over
/// `v1_query` (the same window); returns the allocations' total.
async fn overview_matches_v1(
    server: &TestServer,
    key: &str,
    dashboard_query: &str,
    v1_query: &str,
) -> Decimal {
    let v1_namespaces = get_ok(server, key, &format!("/v1/costs/namespaces?{v1_query}")).await;
    let v1_clusters = get_ok(server, key, &format!("/v1/costs/clusters?{v1_query}")).await;
    let v1_clusters = list(&v1_clusters, "costs");

    let allocations = get_ok(server, key, &format!("/api/allocations{dashboard_query}")).await;
    let total = money(&allocations, "totalCost");
    assert!(total > Decimal::ZERO, "{allocations}");
    assert_eq!(
        total,
        sum(list(&v1_namespaces, "costs"), |row| money(
            row,
            "estimated_cost_usd"
        )),
        "{allocations} vs {v1_namespaces}"
    );
    assert_eq!(text(&allocations, "currency"), "USD");
    let rows = list(&allocations, "allocations");
    assert_eq!(rows.len(), list(&v1_namespaces, "costs").len());
    for row in rows {
        text(row, "namespace");
        assert_eq!(text(row, "type"), "namespace");
        percentage(row, "efficiency");
    }
    assert_eq!(sum(rows, |row| money(&row["costs"], "total")), total);

    let assets = get_ok(server, key, &format!("/api/assets{dashboard_query}")).await;
    let clusters_total = sum(v1_clusters, |row| money(row, "estimated_cost_usd"));
    assert_eq!(money(&assets, "totalCost"), clusters_total, "{assets}");
    let rows = list(&assets, "assets");
    assert!(
        rows.iter().any(|row| text(row, "type") == "node"),
        "{assets}"
    );
    assert_eq!(
        sum(rows, |row| money(&row["costs"], "total")),
        clusters_total
    );

    let idle = get_ok(server, key, &format!("/api/idle{dashboard_query}")).await;
    let idle_total = money(&idle, "totalIdleCost");
    assert_eq!(
        idle_total,
        sum(v1_clusters, |row| money(row, "idle_cost_usd"))
    );
    assert!(idle_total > Decimal::ZERO, "{idle}");
    assert_eq!(
        total + idle_total,
        clusters_total,
        "allocated + idle = clusters"
    );
    percentage(&idle, "idlePercentage");

    let efficiency = get_ok(server, key, &format!("/api/efficiency{dashboard_query}")).await;
    for field in [
        "overallScore",
        "cpuEfficiency",
        "memoryEfficiency",
        "storageEfficiency",
    ] {
        percentage(&efficiency, field);
    }
    assert!(
        ["A", "B", "C", "D", "F"].contains(&text(&efficiency, "grade")),
        "{efficiency}"
    );
    total
}

/// `/api/savings` is `/api/v1/savings/recommendations` per year, with what the Savings
/// page reads.
async fn savings_match_the_kubecent_savings(server: &TestServer, key: &str) {
    let savings = get_ok(server, key, "/api/savings").await;
    let kubecent = get_ok(server, key, "/api/v1/savings/recommendations?limit=50").await;
    let monthly = money(&kubecent, "total_potential_savings");
    assert!(monthly > Decimal::ZERO, "{kubecent}");
    assert_eq!(
        money(&savings, "totalPotentialSavings"),
        monthly * Decimal::from(12)
    );
    assert_eq!(money(&savings, "monthlyPotentialSavings"), monthly);
    let rows = list(&savings, "recommendations");
    assert_eq!(rows.len(), list(&kubecent, "recommendations").len());
    assert_eq!(
        savings["summary"]["totalRecommendations"].as_u64(),
        Some(rows.len() as u64)
    );
    for row in rows {
        for field in ["id", "title", "description", "resourceName", "action"] {
            text(row, field);
        }
        assert_eq!(text(row, "type"), "rightsizing");
        assert!(["high", "medium", "low"].contains(&text(row, "severity")));
        assert!(money(row, "savings") > Decimal::ZERO, "{row}");
    }
}

/// The Monitor page over the recent snapshot: the agent's pods and nodes, as it sent them.
async fn monitor_shows_the_agents_figures(server: &TestServer, key: &str) {
    let fixture: Value = serde_json::from_str(SMALL).expect("fixture");
    let pods = list(&fixture, "pod_metrics");
    let nodes = list(&fixture, "node_metrics");
    let field = |row: &Value, name: &str| row[name].as_i64().expect(name);
    let cpu_used: i64 = pods.iter().map(|p| field(p, "cpu_usage_millicores")).sum();
    let cpu_capacity: i64 = nodes.iter().map(|n| field(n, "CPUCapacity")).sum();

    let stats = get_ok(server, key, "/api/monitoring/cluster/stats").await;
    assert_eq!(
        stats["activePods"].as_u64(),
        Some(pods.len() as u64),
        "{stats}"
    );
    assert_eq!(stats["totalPods"].as_u64(), Some(pods.len() as u64));
    assert_eq!(stats["nodes"].as_u64(), Some(nodes.len() as u64));
    assert!((number(&stats, "cpuUsage") - cpu_used as f64 / 1000.0).abs() < 0.006);
    assert_eq!(number(&stats, "cpuCapacity"), cpu_capacity as f64 / 1000.0);
    assert!(number(&stats, "memoryUsage") > 0.0, "{stats}");
    assert!(number(&stats, "memoryCapacity") > number(&stats, "memoryUsage"));
    text(&stats, "networkIO");

    let listed = get_ok(server, key, "/api/monitoring/pods").await;
    let rows = list(&listed, "pods");
    assert_eq!(rows.len(), pods.len(), "{listed}");
    for row in rows {
        let sent = pods
            .iter()
            .find(|p| p["pod_name"] == row["name"])
            .unwrap_or_else(|| panic!("{row} not in the fixture"));
        assert_eq!(row["namespace"], sent["namespace"]);
        assert_eq!(text(row, "status"), "Running");
        assert_eq!(
            text(row, "cpu"),
            format!("{}m", field(sent, "cpu_usage_millicores"))
        );
        let mebibytes = Decimal::from(field(sent, "memory_usage_bytes")) / Decimal::from(1 << 20);
        assert_eq!(text(row, "memory"), format!("{}Mi", mebibytes.round()));
        text(row, "age");
        assert!(row["restarts"].is_u64(), "{row}");
    }
    let kube_system = get_ok(server, key, "/api/monitoring/pods?namespace=kube-system").await;
    let rows = list(&kube_system, "pods");
    assert_eq!(rows.len(), 3, "{kube_system}");
    assert!(rows.iter().all(|row| row["namespace"] == "kube-system"));
    let (status, body) = server
        .get_as(key, "/api/monitoring/pods?namespace=Kube_System")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["details"][0]["path"], "namespace", "{body}");

    let listed = get_ok(server, key, "/api/monitoring/nodes").await;
    let rows = list(&listed, "nodes");
    assert_eq!(rows.len(), nodes.len(), "{listed}");
    for row in rows {
        let name = text(row, "name");
        let sent = nodes
            .iter()
            .find(|n| n["NodeName"] == name)
            .unwrap_or_else(|| panic!("{row} not in the fixture"));
        let used: i64 = pods
            .iter()
            .filter(|p| p["node_name"] == name)
            .map(|p| field(p, "cpu_usage_millicores"))
            .sum();
        let percent = (Decimal::from(used) * Decimal::ONE_HUNDRED
            / Decimal::from(field(sent, "CPUCapacity")))
        .round_dp(2)
        .round();
        assert_eq!(text(row, "cpu"), format!("{percent}%"), "{row}");
        assert!(text(row, "memory").ends_with('%'), "{row}");
        text(row, "status");
        assert_eq!(row["instanceType"], sent["InstanceType"]);
    }
}

/// The Logs page's call answers no lines; its parameters are still checked.
async fn logs_are_empty_and_checked(server: &TestServer, key: &str) {
    for query in [
        "limit=200&since_seconds=3600",
        "namespace=kube-system&limit=200&since_seconds=3600",
        "",
    ] {
        let logs = get_ok(server, key, &format!("/api/monitoring/logs?{query}")).await;
        assert_eq!(logs["logs"], json!([]), "{logs}");
        assert_eq!(logs["count"], json!(0));
    }
    for (query, parameter) in [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("since_seconds=0", "since_seconds"),
        ("since_seconds=604801", "since_seconds"),
        ("namespace=-x", "namespace"),
    ] {
        let path = format!("/api/monitoring/logs?{query}");
        let (status, body) = server.get_as(key, &path).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert_eq!(body["details"][0]["path"], parameter, "{path}: {body}");
    }
    let (status, body) = server.get_as(key, "/api/monitoring/logs?limit=many").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}
