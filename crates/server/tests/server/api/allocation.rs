//! OpenCost's allocation API end to end: every aggregation of a window holds the same
//! money as `/v1/costs` (with idle: the cluster totals), a pod's figures are its samples',
//! steps add up to the accumulated answer, the three prefixes answer alike, bad
//! parameters are 400s naming the parameter, and the anonymous mode serves one tenant.

use kcost_app::settings::AnonymousTenant;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::support::{Backend, FIXTURE_WINDOW, LABELS, NODES_NULL, SMALL, TestServer, money, send};

const WINDOW: &str = "window=2026-11-20T00:00:00Z,2026-11-21T00:00:00Z";

/// Σ `totalCost` over every set of an allocation answer.
fn total(answer: &Value) -> Decimal {
    answer["data"]
        .as_array()
        .expect("data")
        .iter()
        .flat_map(|set| set.as_object().expect("set").values())
        .map(|a| money(a, "totalCost"))
        .sum()
}

fn names(answer: &Value, set: usize) -> Vec<String> {
    answer["data"][set]
        .as_object()
        .expect("set")
        .keys()
        .cloned()
        .collect()
}

async fn sum_of(server: &TestServer, key: &str, path: &str, field: &str) -> Decimal {
    let (status, body) = server.get_as(key, path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["costs"]
        .as_array()
        .expect("costs")
        .iter()
        .map(|row| money(row, field))
        .sum()
}

pub async fn every_aggregation_holds_the_cluster_totals(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (_, key) = server.tenant_with_key("acme").await;
    for payload in [SMALL, NODES_NULL, LABELS] {
        assert_eq!(server.ingest(&key, payload).await.0, StatusCode::ACCEPTED);
    }
    let clusters = sum_of(
        &server,
        &key,
        &format!("/v1/costs/clusters?{FIXTURE_WINDOW}"),
        "estimated_cost_usd",
    )
    .await;
    let namespaces = sum_of(
        &server,
        &key,
        &format!("/v1/costs/namespaces?{FIXTURE_WINDOW}"),
        "estimated_cost_usd",
    )
    .await;
    assert!(clusters > namespaces && namespaces > Decimal::ZERO);

    for aggregate in [
        "",
        "cluster",
        "node",
        "namespace",
        "controllerKind",
        "controller",
        "deployment",
        "pod",
        "container",
        "label:app.kubernetes.io/name",
        "cluster,namespace",
    ] {
        let base = format!("/allocation?{WINDOW}&aggregate={aggregate}");
        let (status, plain) = server.get_as(&key, &base).await;
        assert_eq!(status, StatusCode::OK, "{aggregate}: {plain}");
        assert_eq!(
            (plain["code"].as_u64(), plain["status"].as_str()),
            (Some(200), Some("success"))
        );
        assert_eq!(total(&plain), namespaces, "{aggregate} without idle");
        let (_, with_idle) = server
            .get_as(&key, &format!("{base}&includeIdle=true"))
            .await;
        assert_eq!(total(&with_idle), clusters, "{aggregate} with idle");
        assert!(
            names(&with_idle, 0).contains(&"__idle__".to_owned()),
            "{with_idle}"
        );
        let (_, shared) = server.get_as(&key, &format!("{base}&shareIdle=true")).await;
        assert_eq!(total(&shared), clusters, "{aggregate} sharing idle");
        assert!(!names(&shared, 0).contains(&"__idle__".to_owned()));
    }

    // Labels and owners group as OpenCost names them.
    let (_, by_label) = server
        .get_as(
            &key,
            &format!(
                "/model/allocation/compute?{WINDOW}&aggregate=cluster,label:app.kubernetes.io/name"
            ),
        )
        .await;
    let labelled = names(&by_label, 0);
    assert!(
        labelled.contains(&"prod-eu/default-worker".to_owned()),
        "{labelled:?}"
    );
    assert!(
        labelled.iter().any(|n| n.ends_with("/__unallocated__")),
        "{labelled:?}"
    );
    let (_, by_controller) = server
        .get_as(
            &key,
            &format!("/v1/allocation?{WINDOW}&aggregate=controller"),
        )
        .await;
    assert!(names(&by_controller, 0).contains(&"deployment:default-worker".to_owned()));

    // A pod's figures are its sample's: request 500 m, usage 275 m, 1 GiB requested.
    let (_, pods) = server
        .get_as(
            &key,
            &format!(
                "/allocation?{WINDOW}&aggregate=pod&filter=pod:\"default-worker-9jntjqrz8-h2j5r\""
            ),
        )
        .await;
    let pod = &pods["data"][0]["default-worker-9jntjqrz8-h2j5r"];
    let hours = pod["minutes"].as_f64().expect("minutes") / 60.0;
    assert!(hours > 0.0, "{pod}");
    assert_eq!(pod["cpuCoreRequestAverage"], json!(0.5));
    assert_eq!(pod["cpuCoreUsageAverage"], json!(0.275));
    assert!(
        (pod["cpuCoreHours"].as_f64().unwrap() - 0.5 * hours).abs() < 1e-9,
        "{pod}"
    );
    assert!(
        (pod["ramByteHours"].as_f64().unwrap() - 1073741824.0 * hours).abs() < 1e-3,
        "{pod}"
    );
    assert_eq!(pod["cpuEfficiency"], json!(0.55));
    assert_eq!(pod["properties"]["controllerKind"], "deployment");
    assert_eq!(pod["properties"]["container"], "app");
    assert_eq!(
        pod["properties"]["labels"]["app.kubernetes.io/name"],
        "default-worker"
    );

    // The same question under the three prefixes, and /compute, answers the same.
    let path = |prefix: &str| format!("{prefix}?{WINDOW}&aggregate=namespace&includeIdle=true");
    let (_, bare) = server.get_as(&key, &path("/allocation")).await;
    for prefix in [
        "/allocation/compute",
        "/model/allocation",
        "/model/allocation/compute",
        "/v1/allocation",
        "/v1/allocation/compute",
    ] {
        assert_eq!(server.get_as(&key, &path(prefix)).await.1, bare, "{prefix}");
    }

    // Summary: sorted and paged per set (the order is the JSON's own: read the text);
    // topline: the totals of the same query.
    let summary_path = format!(
        "/model/allocation/summary?{WINDOW}&aggregate=namespace&includeIdle=true&sortBy=totalCost&limit=3"
    );
    let response = server
        .get(&summary_path)
        .header("X-Api-Key", key.as_str())
        .send()
        .await
        .expect("summary");
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("text");
    let summary: Value = serde_json::from_str(&text).expect("json");
    let rows = summary["data"]["sets"][0]["allocations"]
        .as_object()
        .expect("allocations");
    assert_eq!(rows.len(), 3);
    let mut expected: Vec<(Decimal, String)> = bare["data"][0]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, a)| (money(a, "totalCost"), name.clone()))
        .collect();
    expected.sort_by(|a, b| b.cmp(a));
    let positions: Vec<usize> = expected
        .iter()
        .take(3)
        .map(|(_, name)| {
            text.find(&format!("\"{name}\":{{"))
                .unwrap_or_else(|| panic!("{name} in {text}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "most expensive first: {text}"
    );
    assert_eq!(summary["data"]["step"], json!(86_400_000_000_000_i64));
    let (_, asc) = server
        .get_as(&key, &format!("/allocation/summary?{WINDOW}&aggregate=namespace&sortBy=name&sortByOrder=asc&offset=1&limit=2"))
        .await;
    let asc: Vec<&String> = asc["data"]["sets"][0]["allocations"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    let mut all = names(&bare, 0);
    all.retain(|n| n != "__idle__");
    assert_eq!(asc, all.iter().skip(1).take(2).collect::<Vec<_>>());
    let (status, topline) = server
        .get_as(
            &key,
            &format!(
                "/v1/allocation/summary/topline?{WINDOW}&aggregate=namespace&includeIdle=true"
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{topline}");
    assert_eq!(money(&topline["data"], "totalCost"), clusters);
    assert_eq!(
        money(
            &topline["data"]["combined"]["allocations"]["total"],
            "totalCost"
        ),
        clusters
    );
    assert_eq!(
        topline["data"]["numResults"].as_u64(),
        Some(names(&bare, 0).len() as u64)
    );

    server.stop_and_finish(db).await;
}

pub async fn steps_add_up_to_the_accumulated_answer(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (_, key) = server.tenant_with_key("acme").await;
    server.ingest_hourly(&key, 6).await;
    let base = format!("/allocation?{WINDOW}&aggregate=namespace&includeIdle=true");
    let (_, whole) = server.get_as(&key, &base).await;
    assert_eq!(whole["data"].as_array().unwrap().len(), 1);
    let (_, hourly) = server.get_as(&key, &format!("{base}&step=1h")).await;
    assert_eq!(hourly["data"].as_array().unwrap().len(), 24);
    assert_eq!(total(&hourly), total(&whole));
    let (_, accumulated) = server
        .get_as(&key, &format!("{base}&step=1h&accumulate=true"))
        .await;
    assert_eq!(accumulated["data"].as_array().unwrap().len(), 1);
    assert_eq!(total(&accumulated), total(&whole));
    for (name, allocation) in accumulated["data"][0].as_object().unwrap() {
        assert_eq!(
            allocation["totalCost"], whole["data"][0][name]["totalCost"],
            "{name}"
        );
    }
    // The OpenCost UI's home page: a week by day.
    let (status, days) = server
        .get_as(&key, "/model/allocation/compute?window=2026-11-14T00:00:00Z,2026-11-21T00:00:00Z&aggregate=namespace&includeIdle=true&accumulate=day")
        .await;
    assert_eq!(status, StatusCode::OK, "{days}");
    assert_eq!(days["data"].as_array().unwrap().len(), 7);
    assert_eq!(total(&days), total(&whole));
    server.stop_and_finish(db).await;
}

pub async fn allocation_parameters_are_checked(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (tenant, key) = server.tenant_with_key("acme").await;
    assert_eq!(server.ingest(&key, SMALL).await.0, StatusCode::ACCEPTED);
    for (query, parameter) in [
        (format!("{WINDOW}&aggregate=teams"), "aggregate"),
        (format!("{WINDOW}&aggregate=label:"), "aggregate"),
        (format!("{WINDOW}&filter=namespace:kube"), "filter"),
        (format!("{WINDOW}&filter=nmespace:\"a\""), "filter"),
        ("window=8x".to_owned(), "window"),
        // Near the end of chrono's range: once a panic in step arithmetic.
        (
            "window=8210266870000,8210266876000&step=1d".to_owned(),
            "window",
        ),
        (
            "window=8210266870000,8210266876000&accumulate=hour".to_owned(),
            "window",
        ),
        (String::new(), "window"),
        (format!("{WINDOW}&step=1m"), "step"),
        (format!("{WINDOW}&step=often"), "step"),
        (format!("{WINDOW}&accumulate=fortnight"), "accumulate"),
        (format!("{WINDOW}&includeIdle=maybe"), "includeIdle"),
        (format!("{WINDOW}&shareSplit=random"), "shareSplit"),
        (format!("{WINDOW}&shareCost=-5"), "shareCost"),
        (format!("{WINDOW}&shareLabels=team"), "shareLabels"),
        (format!("{WINDOW}&filterLabels=team"), "filterLabels"),
        (format!("{WINDOW}&sortBy=color"), "sortBy"),
        (format!("{WINDOW}&limit=-1"), "limit"),
    ] {
        let (status, body) = server
            .get_as(&key, &format!("/allocation/summary?{query}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        let message = body["error"].as_str().expect("error");
        assert!(
            message.contains(parameter)
                || (parameter == "window" && body["code"] == "invalid_window"),
            "{query}: {body}"
        );
    }

    // No key: 401 until the anonymous mode names the tenant (by id here).
    let path = format!("/model/allocation?{WINDOW}&aggregate=namespace");
    assert_eq!(send(server.get(&path)).await.0, StatusCode::UNAUTHORIZED);
    let (_, keyed) = server.get_as(&key, &path).await;
    server.stop().await;
    let mut settings = db.settings();
    settings.allocation.anonymous_tenant = AnonymousTenant::new(tenant.clone());
    let server = TestServer::start_with(settings).await;
    let (status, anonymous) = send(server.get(&path)).await;
    assert_eq!(status, StatusCode::OK, "{anonymous}");
    assert_eq!(anonymous, keyed);
    // A presented key is still checked.
    let (status, _) = server.get_as("not-a-key", &path).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    server.stop().await;
    let mut settings = db.settings();
    settings.allocation.anonymous_tenant = AnonymousTenant::new(uuid::Uuid::new_v4().to_string());
    let error = kcost_server::Application::build(settings)
        .await
        .expect_err("unknown tenant id");
    assert!(
        format!("{error:#}").contains("allocation.anonymous_tenant"),
        "{error:#}"
    );
    db.finish().await;
}

pub async fn the_opencost_ui_calls_answer(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (_, key) = server.tenant_with_key("acme").await;
    assert_eq!(server.ingest(&key, SMALL).await.0, StatusCode::ACCEPTED);

    // Nodes as assets, keyed as OpenCost keys them.
    let (status, assets) = server
        .get_as(
            &key,
            &format!("/model/assets?{WINDOW}&aggregate=type&accumulate=true&step=1d"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{assets}");
    assert_eq!(assets["status"], "success");
    let nodes = assets["data"].as_object().expect("assets map");
    assert_eq!(nodes.len(), 4, "{assets}");
    for (key, node) in nodes {
        assert!(key.contains("/Node/Kubernetes/"), "{key}");
        assert_eq!(node["type"], "Node");
        assert_eq!(node["properties"]["cluster"], "cost-dashboard-dev");
        assert!(node["cpuCores"].as_f64().unwrap() > 0.0, "{node}");
        let idle = node["cpuBreakdown"]["idle"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&idle), "{node}");
        assert_eq!(
            money(node, "totalCost"),
            money(node, "cpuCost") + money(node, "ramCost")
        );
    }
    let bare = server.get_as(&key, &format!("/assets?{WINDOW}")).await.1;
    assert_eq!(bare, assets);

    // No cloud or custom cost source: OpenCost's empty answers.
    for prefix in ["", "/model"] {
        let get = |path: &str| {
            let (server, key, path) = (&server, key.clone(), format!("{prefix}{path}"));
            async move { server.get_as(&key, &path).await }
        };
        let (status, body) = get("/cloudCost/status").await;
        assert_eq!(
            (status, &body["data"]),
            (StatusCode::OK, &json!([])),
            "{body}"
        );
        assert_eq!(
            get(&format!(
                "/cloudCost/view/table?{WINDOW}&limit=1000&filter="
            ))
            .await
            .1["data"],
            Value::Null
        );
        assert_eq!(
            get(&format!("/cloudCost/view/totals?{WINDOW}")).await.1["data"],
            Value::Null
        );
        assert_eq!(
            get(&format!("/cloudCost/view/graph?{WINDOW}")).await.1["data"],
            json!([])
        );
        let (_, range) = get("/cloudCost?window=2026-11-19T12:00:00Z,2026-11-21T00:00:00Z").await;
        assert_eq!(
            range["data"]["sets"].as_array().map(Vec::len),
            Some(2),
            "{range}"
        );
        let (_, total) = get(&format!(
            "/customCost/total?{WINDOW}&aggregate=domain&costType=blended"
        ))
        .await;
        assert_eq!(total["data"]["totalCost"], json!(0.0));
        assert_eq!(total["data"]["customCosts"], json!([]));
        let (_, series) = get(&format!("/customCost/timeseries?{WINDOW}")).await;
        assert_eq!(
            series["data"]["timeseries"].as_array().map(Vec::len),
            Some(1)
        );
        let (status, body) = get("/customCost/total").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }

    // Autocomplete: the values a property takes, searched and limited.
    let (status, values) = server
        .get_as(
            &key,
            &format!("/model/allocation/autocomplete?{WINDOW}&field=namespace&limit=25"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{values}");
    let namespaces = values["data"]["data"].as_array().expect("values");
    assert!(namespaces.contains(&json!("payments")), "{values}");
    let (_, searched) = server
        .get_as(
            &key,
            &format!("/allocation/autocomplete?{WINDOW}&field=namespace&search=PAY"),
        )
        .await;
    assert_eq!(searched["data"]["data"], json!(["payments"]));
    let (_, one) = server
        .get_as(
            &key,
            &format!("/allocation/autocomplete?{WINDOW}&field=namespace&limit=1"),
        )
        .await;
    assert_eq!(one["data"]["data"].as_array().map(Vec::len), Some(1));
    let (_, clusters) = server
        .get_as(
            &key,
            &format!("/assets/autocomplete?{WINDOW}&field=cluster"),
        )
        .await;
    assert_eq!(clusters["data"]["data"], json!(["cost-dashboard-dev"]));
    for (path, parameter) in [
        (
            format!("/allocation/autocomplete?{WINDOW}&field=colour"),
            "field",
        ),
        (format!("/allocation/autocomplete?{WINDOW}"), "field"),
        (
            format!("/assets/autocomplete?{WINDOW}&field=colour"),
            "field",
        ),
        (
            format!("/allocation/autocomplete?{WINDOW}&field=namespace&limit=10001"),
            "limit",
        ),
        ("/assets".to_owned(), "window"),
        (
            "/cloudCost?window=8210266870000,8210266876000".to_owned(),
            "window",
        ),
    ] {
        let (status, body) = server.get_as(&key, &path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert!(
            body["error"].as_str().unwrap().contains(parameter),
            "{path}: {body}"
        );
    }
    assert_eq!(
        send(server.get(&format!("/model/assets?{WINDOW}"))).await.0,
        StatusCode::UNAUTHORIZED
    );
    server.stop_and_finish(db).await;
}

pub async fn containers_split_their_pods_cost(backend: Backend) {
    let (db, server) = TestServer::on_new_db(backend).await;
    let (_, key) = server.tenant_with_key("acme").await;
    // The labelled payload with a sidecar beside the first pod's `app` container.
    let mut snapshot: Value = serde_json::from_str(LABELS).expect("fixture");
    let pod = &mut snapshot["pod_metrics"][0];
    let pod_name = pod["pod_name"].as_str().unwrap().to_owned();
    let mut sidecar = pod["containers"][0].clone();
    sidecar["container_name"] = json!("sidecar");
    sidecar["cpu_request_millicores"] = json!(100);
    sidecar["cpu_usage_millicores"] = json!(10);
    pod["containers"].as_array_mut().unwrap().push(sidecar);
    let (status, body) = server.ingest(&key, &snapshot.to_string()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    let (_, by_pod) = server
        .get_as(&key, &format!("/allocation?{WINDOW}&aggregate=pod"))
        .await;
    let pod_cost = money(&by_pod["data"][0][&pod_name], "totalCost");
    let (status, by_container) = server
        .get_as(
            &key,
            &format!("/allocation?{WINDOW}&aggregate=pod,container"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{by_container}");
    let set = &by_container["data"][0];
    let app = &set[format!("{pod_name}/app")];
    let side = &set[format!("{pod_name}/sidecar")];
    assert_eq!(
        money(app, "totalCost") + money(side, "totalCost"),
        pod_cost,
        "{set}"
    );
    assert!(money(side, "cpuCost") < money(app, "cpuCost"), "{set}");
    assert_eq!(side["properties"]["container"], "sidecar");
    assert_eq!(side["cpuCoreRequestAverage"], json!(0.1));
    assert_eq!(total(&by_container), total(&by_pod));
    // Filtering by container keeps only that container's share.
    let (_, sidecars) = server
        .get_as(
            &key,
            &format!("/allocation?{WINDOW}&aggregate=namespace&filter=container:%22sidecar%22"),
        )
        .await;
    assert_eq!(total(&sidecars), money(side, "totalCost"));
    server.stop_and_finish(db).await;
}
