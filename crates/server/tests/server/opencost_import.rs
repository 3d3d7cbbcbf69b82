//! OpenCost import end to end, on SQLite and on PostgreSQL: kcost imports three hours from
//! a mock OpenCost, serves them on `/v1/costs/*` and `/api/v1/cost/*` with the same totals
//! — OpenCost's `totalCost`, persistent-volume, network and load-balancer costs included —
//! a re-import changes nothing, and with OpenCost down health says so while the cost
//! endpoints keep serving the stored hours.

#[path = "opencost/mock.rs"]
mod mock;

use std::time::Duration;

use chrono::{DateTime, DurationRound, SecondsFormat, Utc};
use kcost_domain::window::TimeWindow;
use kcost_server::Application;
use kcost_server::config::{ConnectionUrl, OpenCostSourceSettings, Settings};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Backend, TestDb, TestServer, number, send};
use mock::MockOpenCost;

/// (namespace, pod, cpu cost, ram cost) per hour; `__idle__` is the cluster's idle.
const ROWS: &[(&str, &str, f64, f64)] = &[
    ("web", "web-1", 0.10, 0.02),
    ("web", "web-2", 0.05, 0.01),
    ("db", "db-0", 0.20, 0.30),
    ("kube-system", "__unallocated__", 0.01, 0.0),
    ("data", "pg-0", 0.02, 0.03),
];
/// Per hour, the costs OpenCost bills to `data/pg-0` directly: (pvCost before its
/// adjustment, pvCostAdjustment, networkCost, loadBalancerCost). Every other row has none.
const DIRECT: (f64, f64, f64, f64) = (0.11, 0.01, 0.01, 0.05);
const IDLE: (f64, f64) = (0.40, 0.10);
const HOURS: i64 = 3;

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn allocation(
    key: &str,
    namespace: Option<&str>,
    pod: Option<&str>,
    start: DateTime<Utc>,
    cpu: f64,
    ram: f64,
) -> Value {
    let end = start + chrono::Duration::hours(1);
    let mut properties = json!({ "cluster": "cluster-one" });
    if let Some(namespace) = namespace {
        properties["namespace"] = json!(namespace);
    }
    if let Some(pod) = pod {
        properties["pod"] = json!(pod);
    }
    json!({
        "name": key,
        "properties": properties,
        "window": { "start": rfc3339(start), "end": rfc3339(end) },
        "start": rfc3339(start),
        "end": rfc3339(end),
        "minutes": 60.0,
        "cpuCoreRequestAverage": 0.25,
        "cpuCoreUsageAverage": 0.1,
        "cpuCoreHours": 0.25,
        "cpuCost": cpu,
        "ramByteRequestAverage": 268435456.0,
        "ramByteUsageAverage": 134217728.0,
        "ramByteHours": 268435456.0,
        "ramCost": ram,
        "pvCost": 0.0,
        "networkCost": 0.0,
        "loadBalancerCost": 0.0,
        "totalCost": cpu + ram,
    })
}

/// `row` with `DIRECT`'s costs added, its `totalCost` including them as OpenCost's does.
fn with_direct_costs(mut row: Value) -> Value {
    let (pv, pv_adjustment, network, load_balancer) = DIRECT;
    row["pvCost"] = json!(pv);
    row["pvCostAdjustment"] = json!(pv_adjustment);
    row["pvBytes"] = json!(10737418240.0_f64);
    row["networkCost"] = json!(network);
    row["loadBalancerCost"] = json!(load_balancer);
    let total = row["totalCost"].as_f64().unwrap() + pv + pv_adjustment + network + load_balancer;
    row["totalCost"] = json!(total);
    row
}

/// Σ OpenCost `totalCost` over the response's rows, idle rows included or not.
fn opencost_total(response: &str, with_idle: bool) -> f64 {
    let response: Value = serde_json::from_str(response).unwrap();
    response["data"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|step| step.as_object().unwrap().iter())
        .filter(|(key, _)| with_idle || key.as_str() != "__idle__")
        .map(|(_, row)| row["totalCost"].as_f64().unwrap())
        .sum()
}

/// OpenCost's answer for `aggregate=namespace,pod&step=1h&accumulate=false&includeIdle=true`
/// over the `HOURS` hours ending at `end`.
fn allocation_response(end: DateTime<Utc>) -> String {
    let steps: Vec<Value> = (0..HOURS)
        .map(|i| {
            let start = end - chrono::Duration::hours(HOURS - i);
            let mut step = serde_json::Map::new();
            for (namespace, pod, cpu, ram) in ROWS {
                let key = format!("{namespace}/{pod}");
                let pod_name = (*pod != "__unallocated__").then_some(*pod);
                let mut row = allocation(&key, Some(namespace), pod_name, start, *cpu, *ram);
                if *pod == "pg-0" {
                    row = with_direct_costs(row);
                }
                step.insert(key.clone(), row);
            }
            step.insert(
                "__idle__".into(),
                allocation("__idle__", None, None, start, IDLE.0, IDLE.1),
            );
            Value::Object(step)
        })
        .collect();
    json!({ "code": 200, "status": "success", "data": steps }).to_string()
}

fn with_source(db: &TestDb, url: &str) -> Settings {
    let mut settings = db.settings();
    settings.opencost.sources = vec![OpenCostSourceSettings {
        tenant: "acme".into(),
        cluster: "imported".into(),
        url: ConnectionUrl::new(url),
        interval: "1h".into(),
    }];
    settings
}

async fn health(server: &TestServer) -> Value {
    let (status, body) = send(server.get("/v1/health")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Polls `/v1/health` until the source has imported `hours` hours.
async fn wait_for_import(server: &TestServer, hours: u64) -> Value {
    for _ in 0..200 {
        let body = health(server).await;
        if body["opencost"][0]["hours_imported"].as_u64() == Some(hours) {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no import: {}", health(server).await);
}

async fn imported_costs_are_served_and_survive_an_opencost_outage(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (_, key) = server.tenant_with_key("acme").await;
    server.stop().await;

    let end = Utc::now()
        .duration_trunc(chrono::Duration::hours(1))
        .unwrap();
    let start = end - chrono::Duration::hours(HOURS);
    let response = allocation_response(end);
    let opencost = MockOpenCost::start(response.clone()).await;
    let app = Application::build(with_source(&db, &opencost.base_url))
        .await
        .unwrap();
    let imports = app.opencost_imports();
    let server = TestServer::from_app(app);

    let status = wait_for_import(&server, HOURS as u64).await;
    let source = &status["opencost"][0];
    assert_eq!(source["status"], "connected", "{status}");
    assert_eq!(
        (source["tenant"].as_str(), source["cluster"].as_str()),
        (Some("acme"), Some("imported"))
    );
    assert_eq!(
        source["latest_hour"],
        rfc3339(end - chrono::Duration::hours(1))
    );
    let (_, kubecent_health) = send(server.get("/api/v1/health")).await;
    assert_eq!(kubecent_health["opencost"], "connected");

    // /v1: per namespace, exactly what OpenCost priced over the three hours.
    let v1_path = format!(
        "/v1/costs/namespaces?start_time={}&end_time={}",
        rfc3339(start),
        rfc3339(end)
    );
    let (status, v1) = server.get_as(&key, &v1_path).await;
    assert_eq!(status, StatusCode::OK, "{v1}");
    let rows = v1["costs"].as_array().unwrap();
    let cost_of = |namespace: &str| {
        let row = rows
            .iter()
            .find(|r| r["namespace"] == namespace)
            .unwrap_or_else(|| panic!("{namespace} in {v1}"));
        number(row, "estimated_cost_usd")
    };
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(close(cost_of("web"), 0.54), "{v1}");
    assert!(close(cost_of("db"), 1.50), "{v1}");
    assert!(close(cost_of("kube-system"), 0.03), "{v1}");
    // data/pg-0: CPU + RAM 0.15, storage 0.36 (adjustment included), network 0.03, load
    // balancer 0.15 over the three hours; only the direct costs are listed on their own.
    let data = rows.iter().find(|r| r["namespace"] == "data").unwrap();
    let direct = |row: &Value| {
        [
            "storage_cost_usd",
            "network_cost_usd",
            "load_balancer_cost_usd",
        ]
        .map(|field| number(row, field))
    };
    assert_eq!(direct(data), [0.36, 0.03, 0.15], "{v1}");
    assert!(close(cost_of("data"), 0.69), "{v1}");
    for row in rows.iter().filter(|r| r["namespace"] != "data") {
        assert_eq!(direct(row), [0.0; 3], "{row}");
    }
    let v1_total: f64 = rows.iter().map(|r| number(r, "estimated_cost_usd")).sum();
    assert!(close(v1_total, 2.07 + 0.69), "{v1}");
    // Exactly OpenCost's own totalCost of the imported hours.
    assert!(close(v1_total, opencost_total(&response, false)), "{v1}");
    let (status, clusters) = server
        .get_as(
            &key,
            &format!(
                "/v1/costs/clusters?start_time={}&end_time={}",
                rfc3339(start),
                rfc3339(end)
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{clusters}");
    let cluster = &clusters["costs"][0];
    assert!(
        close(
            number(cluster, "estimated_cost_usd"),
            opencost_total(&response, true)
        ),
        "{clusters}"
    );
    assert_eq!(direct(cluster), [0.36, 0.03, 0.15], "{clusters}");

    // Kubecent: the same totals, and with idle the cluster's whole cost.
    let window = format!("window={},{}", rfc3339(start), rfc3339(end));
    let (status, kubecent) = server
        .get_as(&key, &format!("/api/v1/cost/namespaces?{window}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{kubecent}");
    assert!(close(number(&kubecent, "total"), v1_total), "{kubecent}");
    for row in kubecent["namespaces"].as_array().unwrap() {
        let name = row["name"].as_str().unwrap();
        assert!(close(number(row, "total_cost"), cost_of(name)), "{row}");
        let storage = if name == "data" { 0.36 } else { 0.0 };
        assert_eq!(number(row, "storage_cost"), storage, "{row}");
    }
    let (_, with_idle) = server
        .get_as(&key, &format!("/api/v1/cost/namespaces?{window}&idle=true"))
        .await;
    assert!(
        close(number(&with_idle, "total"), 2.07 + 0.69 + 1.5),
        "{with_idle}"
    );
    assert!(
        close(number(&with_idle, "total"), opencost_total(&response, true)),
        "{with_idle}"
    );

    // A re-import of the same hours is a duplicate and changes nothing.
    let import = imports.imports()[0].clone();
    let report = import
        .import_window(TimeWindow::new(start, end).unwrap())
        .await
        .unwrap();
    assert_eq!((report.stored, report.duplicate), (0, HOURS as u32));
    assert_eq!(server.get_as(&key, &v1_path).await.1, v1);

    // OpenCost down: the next run reports it; kcost stays ready and keeps serving.
    drop(opencost);
    assert!(import.run().await.is_err());
    let status = health(&server).await;
    assert_eq!(status["status"], "healthy", "{status}");
    assert_eq!(status["opencost"][0]["status"], "unreachable", "{status}");
    assert!(status["opencost"][0]["last_error"].is_string(), "{status}");
    assert_eq!(send(server.get("/readyz")).await.0, StatusCode::OK);
    let (_, kubecent_health) = send(server.get("/api/v1/health")).await;
    assert_eq!(kubecent_health["opencost"], "unreachable");
    assert_eq!(server.get_as(&key, &v1_path).await.1, v1);
    let (_, kubecent_after) = server
        .get_as(&key, &format!("/api/v1/cost/namespaces?{window}"))
        .await;
    assert_eq!(kubecent_after["total"], kubecent["total"]);
    let metrics = server.metrics_text().await;
    assert!(
        metrics
            .contains("kcost_opencost_import_hours_total{tenant=\"acme\",cluster=\"imported\"} 3"),
        "{metrics}"
    );
    assert!(
        metrics.contains("kcost_opencost_up{tenant=\"acme\",cluster=\"imported\"} 0"),
        "{metrics}"
    );
    server.stop().await;

    // A source naming no tenant fails start-up, naming the key.
    let mut settings = with_source(&db, "http://127.0.0.1:9");
    settings.opencost.sources[0].tenant = "nobody".into();
    let error = Application::build(settings)
        .await
        .expect_err("start-up must fail");
    assert!(
        format!("{error:#}").contains("opencost.sources[0].tenant"),
        "{error:#}"
    );
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_imported_costs_are_served_and_survive_an_opencost_outage() {
    imported_costs_are_served_and_survive_an_opencost_outage(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_imported_costs_are_served_and_survive_an_opencost_outage() {
    imported_costs_are_served_and_survive_an_opencost_outage(Backend::Postgres).await;
}
