//! The end-to-end cases, each taking the backend to run on. `api.rs` runs every case on
//! SQLite and on PostgreSQL.

use kcost_app::Clock;
use kcost_app::settings::AnonymousTenant;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::support::{
    Backend, FIXTURE_WINDOW, LABELS, MAX_PAYLOAD_BYTES, ManualClock, NODES_NULL,
    NODES_NULL_CLUSTER, SMALL, SMALL_CLUSTER, TestDb, TestServer, gzip, money, number, send,
};

/// The agent's later, labelled form (labels, phase, QoS class, containers, no owners) is
/// accepted as sent and costed like any snapshot, every pod listed.
pub async fn the_agents_labelled_form_is_ingested_and_costed(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (_, key) = server.tenant_with_key("acme").await;

    let (status, body) = server.ingest(&key, LABELS).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["pods"].as_u64(), Some(8), "{body}");
    let pods_path = format!("/v1/costs/pods?{FIXTURE_WINDOW}");
    let (status, pods) = server.get_as(&key, &pods_path).await;
    assert_eq!(status, StatusCode::OK, "{pods}");
    let rows = pods["costs"].as_array().expect("costs");
    assert_eq!(rows.len(), 8, "{pods}");
    assert!(
        rows.iter()
            .any(|row| row["pod_name"] == "payments-api-7pt8cn474-kxsrd"),
        "{pods}"
    );
    let total: f64 = rows
        .iter()
        .map(|row| number(row, "estimated_cost_usd"))
        .sum();
    assert!(total > 0.0, "{pods}");
    assert_namespaces_plus_idle_make_each_cluster_total(&server, &key, FIXTURE_WINDOW).await;

    server.stop_and_finish(db).await;
}

/// Both fixtures ingest; their costs appear per namespace and per cluster, and for each
/// cluster Σ namespaces + idle = the cluster's total, digit for digit in the JSON.
pub async fn fixtures_are_costed_and_namespaces_plus_idle_make_the_cluster_total(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (_, key) = server.tenant_with_key("acme").await;

    let (status, body) = server.ingest(&key, SMALL).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["status"], "accepted");
    assert_eq!(body["snapshot_time"], "2026-11-20T09:00:00Z");
    assert_eq!(
        (body["pods"].as_u64(), body["nodes"].as_u64()),
        (Some(24), Some(4))
    );
    let (status, body) = server.ingest(&key, NODES_NULL).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    let (status, namespaces) = server
        .get_as(&key, &format!("/v1/costs/namespaces?{FIXTURE_WINDOW}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{namespaces}");
    let rows = namespaces["costs"].as_array().expect("costs");
    assert!(
        rows.iter().any(|row| row["namespace"] == "payments"),
        "{namespaces}"
    );
    assert!(rows.iter().all(|row| number(row, "idle_cost_usd") == 0.0));

    let (status, clusters) = server
        .get_as(&key, &format!("/v1/costs/clusters?{FIXTURE_WINDOW}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{clusters}");
    let clusters = clusters["costs"].as_array().expect("costs").clone();
    let mut names: Vec<&str> = clusters
        .iter()
        .map(|c| c["cluster_name"].as_str().expect("cluster_name"))
        .collect();
    names.sort_unstable();
    assert_eq!(names, [SMALL_CLUSTER, NODES_NULL_CLUSTER]);

    assert_namespaces_plus_idle_make_each_cluster_total(&server, &key, FIXTURE_WINDOW).await;
    let small = clusters
        .iter()
        .find(|c| c["cluster_name"] == SMALL_CLUSTER)
        .expect("small cluster");
    assert!(number(small, "idle_cost_usd") > 0.0, "{small}");

    // The same snapshot again changes nothing.
    let (status, body) = server.ingest(&key, SMALL).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "duplicate");
    let (_, again) = server
        .get_as(&key, &format!("/v1/costs/clusters?{FIXTURE_WINDOW}"))
        .await;
    assert_eq!(again["costs"].as_array(), Some(&clusters));

    // Half an hour of the fixtures costs under a cent: rounded to cents, every namespace
    // would read 0 and the parts would not add up. Exact money keeps them adding up.
    let half_hour = "start_time=2026-11-20T09:00:00Z&end_time=2026-11-20T09:30:00Z";
    let smallest =
        assert_namespaces_plus_idle_make_each_cluster_total(&server, &key, half_hour).await;
    assert!(
        smallest > Decimal::ZERO && smallest < Decimal::new(1, 2),
        "a namespace under a cent must show its exact cost, got {smallest}"
    );
    for hour in 1..=24 {
        let mut snapshot: Value = serde_json::from_str(SMALL).expect("fixture");
        snapshot["timestamp"] = json!(snapshot["timestamp"].as_i64().expect("unix") + hour * 3600);
        snapshot["interval_seconds"] = json!(3600);
        let (status, body) = server.ingest(&key, &snapshot.to_string()).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    let two_days = "start_time=2026-11-20T00:00:00Z&end_time=2026-11-22T00:00:00Z";
    assert_namespaces_plus_idle_make_each_cluster_total(&server, &key, two_days).await;

    server.stop_and_finish(db).await;
}

/// For each cluster in `window`: Σ namespace totals + the cluster's idle = its total,
/// exactly, as the JSON writes them. Returns the smallest non-zero namespace total seen.
async fn assert_namespaces_plus_idle_make_each_cluster_total(
    server: &TestServer,
    key: &str,
    window: &str,
) -> Decimal {
    let (status, clusters) = server
        .get_as(key, &format!("/v1/costs/clusters?{window}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{clusters}");
    let clusters = clusters["costs"].as_array().expect("costs");
    assert!(!clusters.is_empty(), "no cluster in {window}");
    let mut smallest = Decimal::MAX;
    for cluster in clusters {
        let name = cluster["cluster_name"].as_str().expect("cluster_name");
        let (status, namespaces) = server
            .get_as(
                key,
                &format!("/v1/costs/namespaces?{window}&cluster={name}"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{namespaces}");
        let totals: Vec<Decimal> = namespaces["costs"]
            .as_array()
            .expect("costs")
            .iter()
            .map(|row| money(row, "estimated_cost_usd"))
            .collect();
        let idle = money(cluster, "idle_cost_usd");
        let total = money(cluster, "estimated_cost_usd");
        assert!(total > Decimal::ZERO, "{cluster}");
        assert_eq!(
            totals.iter().sum::<Decimal>() + idle,
            total,
            "{name}: namespaces {totals:?} + idle {idle} != total {total}"
        );
        smallest = totals
            .into_iter()
            .filter(|t| !t.is_zero())
            .fold(smallest, Decimal::min);
    }
    smallest
}

/// Tenant B's key sees none of tenant A's data, and A's is unaffected by B's.
pub async fn tenants_never_see_each_others_data(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (_, key_a) = server.tenant_with_key("tenant-a").await;
    let (_, key_b) = server.tenant_with_key("tenant-b").await;
    assert_eq!(server.ingest(&key_a, SMALL).await.0, StatusCode::ACCEPTED);

    for path in ["namespaces", "clusters", "pods"] {
        let path = format!("/v1/costs/{path}?{FIXTURE_WINDOW}");
        let (status, body) = server.get_as(&key_b, &path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["costs"], json!([]), "{path}: {body}");
        let (_, body) = server.get_as(&key_a, &path).await;
        assert!(
            !body["costs"].as_array().expect("costs").is_empty(),
            "{path}"
        );
    }
    // B ingesting the same snapshot is B's own, not a duplicate of A's.
    let (status, body) = server.ingest(&key_b, SMALL).await;
    assert_eq!(
        (status, &body["status"]),
        (StatusCode::ACCEPTED, &json!("accepted"))
    );

    server.stop_and_finish(db).await;
}

/// Revoked and expired keys get 401 with a body that does not say why.
pub async fn revoked_and_expired_keys_are_refused_alike(backend: Backend) {
    let db = TestDb::create(backend).await;
    let clock = ManualClock::new();
    let server = TestServer::start_with_clock(&db, clock.clone()).await;
    let tenant = server.create_tenant("acme").await;
    let (key_id, key) = server.create_key(&tenant, &["costs:read"], None).await;
    let costs = format!("/v1/costs/namespaces?{FIXTURE_WINDOW}");
    assert_eq!(server.get_as(&key, &costs).await.0, StatusCode::OK);

    let (status, body) =
        send(server.admin(server.post(&format!("/v1/admin/api_keys/{key_id}/revoke")))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, revoked) = server.get_as(&key, &costs).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{revoked}");

    let expires_at = clock.now() + chrono::Duration::minutes(1);
    let (status, created) = send(
        server
            .admin(server.post("/v1/admin/api_keys"))
            .json(&json!({
                "tenant_id": tenant, "scopes": ["costs:read"], "expires_at": expires_at,
            })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let expiring = created["api_key"].as_str().expect("api_key");
    assert_eq!(server.get_as(expiring, &costs).await.0, StatusCode::OK);
    clock.advance(chrono::Duration::minutes(1) + chrono::Duration::seconds(1));
    let (status, expired) = server.get_as(expiring, &costs).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{expired}");

    let (_, unknown) = server
        .get_as(
            &format!("{}:{}", uuid::Uuid::new_v4(), "x".repeat(43)),
            &costs,
        )
        .await;
    for body in [&revoked, &expired] {
        assert_eq!(body["error"], unknown["error"], "the reason must not show");
        assert_eq!(body["code"], unknown["code"]);
        let text = body.to_string().to_lowercase();
        assert!(
            !text.contains("revoked") && !text.contains("expired"),
            "{text}"
        );
    }

    server.stop_and_finish(db).await;
}

/// A key bound to one cluster may ingest for that cluster only.
pub async fn a_cluster_bound_key_ingests_only_for_its_cluster(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let tenant = server.create_tenant("acme").await;
    let (_, key) = server
        .create_key(&tenant, &["metrics:write"], Some(NODES_NULL_CLUSTER))
        .await;
    let (status, body) = server.ingest(&key, SMALL).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = server.ingest(&key, NODES_NULL).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    // metrics:write alone cannot read costs.
    let (status, _) = server
        .get_as(&key, &format!("/v1/costs/namespaces?{FIXTURE_WINDOW}"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    server.stop_and_finish(db).await;
}

/// Oversized → 413, gzip accepted, malformed JSON → 400, negative quantity → 422 naming
/// the field.
pub async fn ingest_input_is_checked(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (_, key) = server.tenant_with_key("acme").await;
    let auth = format!("ApiKey {key}");

    let oversized = format!(
        "{{\"padding\":\"{}\"}}",
        "x".repeat(usize::try_from(MAX_PAYLOAD_BYTES).expect("small") + 1)
    );
    let (status, body) = server.ingest(&key, &oversized).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");

    let (status, body) = send(
        server
            .post("/v1/ingest")
            .header("Authorization", &auth)
            .header("Content-Type", "application/json")
            .header("Content-Encoding", "gzip")
            .body(gzip(SMALL.as_bytes())),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    let (status, body) = server.ingest(&key, "{\"cluster_name\": \"x\",").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let negative = SMALL.replacen(
        "\"cpu_usage_millicores\":44,",
        "\"cpu_usage_millicores\":-44,",
        1,
    );
    assert_ne!(negative, SMALL);
    let (status, body) = server.ingest(&key, &negative).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.to_string()
            .contains("pod_metrics[0].cpu_usage_millicores"),
        "{body}"
    );

    server.stop_and_finish(db).await;
}

/// The admin API needs the admin token; an API key is not one.
pub async fn the_admin_api_needs_the_admin_token(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (_, key) = server.tenant_with_key("acme").await;
    let body = json!({ "name": "intruder" });

    let (status, _) = send(server.post("/v1/admin/tenants").json(&body)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(
        server
            .post("/v1/admin/tenants")
            .bearer_auth("not-the-admin-token-0123456789abcdefgh")
            .json(&body),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(server.get("/v1/admin/tenants").bearer_auth(&key)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, tenants) = send(server.admin(server.get("/v1/admin/tenants"))).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&Value> = tenants["tenants"]
        .as_array()
        .expect("tenants")
        .iter()
        .map(|t| &t["name"])
        .collect();
    assert_eq!(names, [&json!("acme")]);

    server.stop_and_finish(db).await;
}

/// Stop, start again on the same database: the data, the key (and so the generated
/// pepper) and the configured admin token still work.
pub async fn data_survives_a_restart(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (tenant, key) = server.tenant_with_key("acme").await;
    assert_eq!(server.ingest(&key, SMALL).await.0, StatusCode::ACCEPTED);
    let path = format!("/v1/costs/clusters?{FIXTURE_WINDOW}");
    let (_, before) = server.get_as(&key, &path).await;
    server.stop().await;

    let server = TestServer::start(&db).await;
    // Shutdown flushed the key's last use, batched in memory while it served.
    let keys_path = format!("/v1/admin/api_keys?tenant_id={tenant}");
    let (status, keys) = send(server.admin(server.get(&keys_path))).await;
    assert_eq!(status, StatusCode::OK, "{keys}");
    let used = &keys["api_keys"][0]["last_used_at"];
    assert!(used.is_string(), "last_used_at not recorded: {keys}");
    let (status, after) = server.get_as(&key, &path).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after, before);
    assert!(!after["costs"].as_array().expect("costs").is_empty());
    let (status, body) = server.ingest(&key, SMALL).await;
    assert_eq!(
        (status, &body["status"]),
        (StatusCode::OK, &json!("duplicate"))
    );

    server.stop_and_finish(db).await;
}

/// Health reports every component up; liveness and readiness answer.
pub async fn health_reports_the_components(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (status, health) = send(server.get("/v1/health")).await;
    assert_eq!(status, StatusCode::OK, "{health}");
    assert_eq!(
        health["components"],
        json!({ "database": "up", "timeseries": "up", "cache": "up" })
    );
    assert_eq!(send(server.get("/livez")).await.0, StatusCode::OK);
    assert_eq!(send(server.get("/readyz")).await.0, StatusCode::OK);
    // /metrics reports the pool the stores share (one database by default).
    let metrics = server.metrics_text().await;
    assert!(
        metrics.contains("kcost_db_pool_connections{pool=\"relational\",state=\"in_use\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("kcost_db_pool_max_connections{pool=\"relational\"}"),
        "{metrics}"
    );
    assert!(!metrics.contains("pool=\"timeseries\""), "{metrics}");
    server.stop_and_finish(db).await;
}

/// A day of hourly snapshots yields recommendations; one is applied (then 409 on a second
/// apply), and another tenant's key cannot see or change it (404).
pub async fn recommendations_are_generated_and_applied_per_tenant(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (_, key) = server.tenant_with_key("acme").await;
    let (_, other) = server.tenant_with_key("other").await;
    server.ingest_hourly(&key, 30).await;
    let auth = format!("ApiKey {key}");
    let (status, generated) = send(
        server
            .post("/v1/recommendations/generate?lookback_hours=720")
            .header("Authorization", &auth),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{generated}");
    let recommendations = generated["recommendations"].as_array().expect("list");
    assert!(!recommendations.is_empty(), "{generated}");
    let id = recommendations[0]["id"].as_str().expect("id").to_owned();

    let (status, listed) = server.get_as(&other, "/v1/recommendations").await;
    assert_eq!(
        (status, &listed["total"]),
        (StatusCode::OK, &json!(0)),
        "{listed}"
    );
    let (status, _) = send(
        server
            .post(&format!("/v1/recommendations/{id}/apply"))
            .header("Authorization", format!("ApiKey {other}")),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let apply = format!("/v1/recommendations/{id}/apply");
    let (status, applied) = send(server.post(&apply).header("Authorization", &auth)).await;
    assert_eq!(status, StatusCode::OK, "{applied}");
    assert_eq!(applied["status"], "applied");
    let (status, again) = send(server.post(&apply).header("Authorization", &auth)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");

    server.stop_and_finish(db).await;
}

/// A Deployment whose pods have an `app` and a `sidecar` container is advised per
/// container from both containers' stored usage: one recommendation per (container,
/// resource), and one change per container with its own `-c` command and patch; a
/// single-container workload keeps one change naming its container; regenerating refreshes
/// the same recommendations (one open per target, the container included).
pub async fn multi_container_workloads_are_advised_per_container(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (_, key) = server.tenant_with_key("acme").await;
    for hour in 0..30 {
        // The labelled payload, hourly, with a small sidecar beside the first pod's `app`.
        let mut snapshot: Value = serde_json::from_str(LABELS).expect("fixture");
        snapshot["timestamp"] = json!(snapshot["timestamp"].as_i64().expect("unix") + hour * 3600);
        snapshot["interval_seconds"] = json!(3600);
        let pod = &mut snapshot["pod_metrics"][0];
        let mut sidecar = pod["containers"][0].clone();
        sidecar["container_name"] = json!("sidecar");
        sidecar["cpu_request_millicores"] = json!(200);
        sidecar["cpu_usage_millicores"] = json!(10);
        pod["containers"]
            .as_array_mut()
            .expect("containers")
            .push(sidecar);
        let (status, body) = server.ingest(&key, &snapshot.to_string()).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    let generate = "/v1/recommendations/generate?lookback_hours=720";
    let auth = format!("ApiKey {key}");
    let (status, generated) = send(server.post(generate).header("Authorization", &auth)).await;
    assert_eq!(status, StatusCode::OK, "{generated}");
    let of_worker = |list: &Value| -> Vec<Value> {
        list.as_array()
            .expect("list")
            .iter()
            .filter(|item| item["workload_name"] == "default-worker")
            .cloned()
            .collect()
    };
    let mut changes = of_worker(&generated["workloads"]);
    changes.sort_by_key(|c| c["container"].as_str().map(str::to_owned));
    let containers: Vec<&Value> = changes.iter().map(|c| &c["container"]).collect();
    assert_eq!(
        containers,
        [&json!("app"), &json!("sidecar")],
        "{generated}"
    );
    for change in &changes {
        let container = change["container"].as_str().expect("container");
        let command = change["kubectl_command"].as_str().expect("command");
        assert!(
            command.starts_with(&format!(
                "kubectl set resources deployment/default-worker -n default -c {container} --requests=cpu="
            )),
            "{command}"
        );
        let patch = change["strategic_merge_patch"].as_str().expect("patch");
        assert!(
            patch.contains(&format!(r#""name":"{container}""#)),
            "{patch}"
        );
    }
    // The sidecar's own request (200 m), not its pod's.
    assert_eq!(changes[1]["current_cpu_request_millicores"], json!(200));
    let recommendations = of_worker(&generated["recommendations"]);
    assert!(!recommendations.is_empty(), "{generated}");
    assert!(
        recommendations.iter().all(|r| r["container"].is_string()),
        "{generated}"
    );
    let payments = generated["workloads"]
        .as_array()
        .expect("workloads")
        .iter()
        .find(|w| w["workload_name"] == "payments-api")
        .expect("payments-api advised");
    assert_eq!(payments["container"], "app", "{payments}");

    let (status, again) = send(server.post(generate).header("Authorization", &auth)).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["created"], 0, "{again}");
    assert_eq!(
        again["refreshed"].as_u64(),
        Some(generated["recommendations"].as_array().expect("list").len() as u64),
        "{again}"
    );
    server.stop_and_finish(db).await;
}

/// The Kubecent API serves the same store: for one window, Σ `/api/v1/cost/namespaces`
/// equals Σ `/v1/costs/namespaces`; with `idle=true` it equals Σ cluster totals; and with
/// `kubecent.anonymous_tenant` set, a request without a key reads that tenant.
pub async fn kubecent_namespaces_match_the_v1_totals(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (_, key) = server.tenant_with_key("acme").await;
    assert_eq!(server.ingest(&key, SMALL).await.0, StatusCode::ACCEPTED);
    assert_eq!(
        server.ingest(&key, NODES_NULL).await.0,
        StatusCode::ACCEPTED
    );

    let sum = |rows: &Value, field: &str| -> Decimal {
        rows.as_array()
            .expect("rows")
            .iter()
            .map(|row| money(row, field))
            .sum()
    };
    let (status, v1) = server
        .get_as(&key, &format!("/v1/costs/namespaces?{FIXTURE_WINDOW}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{v1}");
    let (status, clusters) = server
        .get_as(&key, &format!("/v1/costs/clusters?{FIXTURE_WINDOW}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{clusters}");
    let window = "window=2026-11-20T00:00:00Z,2026-11-21T00:00:00Z";
    let (status, kubecent) = server
        .get_as(&key, &format!("/api/v1/cost/namespaces?{window}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{kubecent}");
    let rows = kubecent["namespaces"].as_array().expect("namespaces");
    assert_eq!(kubecent["item_count"].as_u64(), Some(rows.len() as u64));
    assert_eq!(rows.len(), v1["costs"].as_array().expect("costs").len());
    let v1_total = sum(&v1["costs"], "estimated_cost_usd");
    assert!(v1_total > Decimal::ZERO, "{v1}");
    assert_eq!(
        money(&kubecent, "total"),
        v1_total,
        "kubecent {kubecent} vs v1 {v1}"
    );
    assert_eq!(sum(&kubecent["namespaces"], "total_cost"), v1_total);
    for row in rows {
        let same = v1["costs"]
            .as_array()
            .expect("costs")
            .iter()
            .find(|v1_row| v1_row["namespace"] == row["name"])
            .unwrap_or_else(|| panic!("{} missing from /v1", row["name"]));
        assert_eq!(row["total_cost"], same["estimated_cost_usd"], "{row}");
        assert_eq!(row["pod_count"], same["pod_count"], "{row}");
    }

    let (status, with_idle) = server
        .get_as(&key, &format!("/api/v1/cost/namespaces?{window}&idle=true"))
        .await;
    assert_eq!(status, StatusCode::OK, "{with_idle}");
    let clusters_total = sum(&clusters["costs"], "estimated_cost_usd");
    assert!(
        sum(&with_idle["namespaces"], "idle_cost") > Decimal::ZERO,
        "{with_idle}"
    );
    assert_eq!(
        money(&with_idle, "total"),
        clusters_total,
        "with idle {with_idle} vs clusters {clusters}"
    );
    assert_eq!(sum(&with_idle["namespaces"], "total_cost"), clusters_total);

    // No key: refused while anonymous access is off; served once it names the tenant.
    let path = format!("/api/v1/cost/namespaces?{window}");
    assert_eq!(send(server.get(&path)).await.0, StatusCode::UNAUTHORIZED);
    let (status, health) = send(server.get("/api/v1/health")).await;
    assert_eq!(status, StatusCode::OK, "{health}");
    assert_eq!(health["opencost"], "not_configured");
    server.stop().await;

    let mut settings = db.settings();
    settings.kubecent.anonymous_tenant = AnonymousTenant::new("acme");
    let server = TestServer::start_with(settings).await;
    let (status, anonymous) = send(server.get(&path)).await;
    assert_eq!(status, StatusCode::OK, "{anonymous}");
    assert_eq!(anonymous["total"], kubecent["total"]);
    server.stop().await;

    // A name that matches no tenant fails start-up, naming the key.
    let mut settings = db.settings();
    settings.kubecent.anonymous_tenant = AnonymousTenant::new("nobody");
    let error = kcost_server::Application::build(settings)
        .await
        .expect_err("start-up must fail");
    assert!(
        format!("{error:#}").contains("kubecent.anonymous_tenant"),
        "{error:#}"
    );
    db.finish().await;
}
