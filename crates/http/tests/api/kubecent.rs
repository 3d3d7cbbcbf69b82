//! `/api/v1/*` (Kubecent, seed 2): the exact key sets and JSON types of every body, the
//! 400/422 cases, and anonymous access on and off.

use actix_web::http::StatusCode;
use actix_web::http::header::AUTHORIZATION;
use actix_web::test::TestRequest;
use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::{CostBreakdown, CostGrouping, CostKey, CostRow, ResourceHours};
use kcost_domain::money::Money;
use kcost_domain::recommendation::{Confidence, Recommendation};
use kcost_ports::RecommendationPage;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::support::{Mocks, TestKey, app, now, open_recommendation, send, tenant};

/// Asserts that `object` has exactly the keys of `expected`, each of its JSON type. Money
/// is a float; a whole amount may serialize as an integer-valued float, which serde_json
/// still reports as a float ("number").
fn assert_keys(object: &Value, expected: &[(&str, &str)]) {
    let kind = |value: &Value| match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_u64() || n.is_i64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let mut actual: Vec<(&str, &str)> = object
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {object}"))
        .iter()
        .map(|(key, value)| (key.as_str(), kind(value)))
        .collect();
    actual.sort_unstable();
    let mut expected = expected.to_vec();
    expected.sort_unstable();
    assert_eq!(actual, expected, "{object}");
}

fn money(cents: i64) -> Money {
    Money::from_decimal(Decimal::new(cents, 2))
}

fn row(key: CostKey, cpu: i64, idle: i64, pods: u64) -> CostRow {
    CostRow {
        key,
        cost: CostBreakdown {
            cpu: money(cpu),
            memory: money(25),
            idle: money(idle),
            ..CostBreakdown::default()
        },
        usage: ResourceHours::default(),
        pod_count: pods,
        namespace_count: 1,
    }
}

/// Pod `web-1` of namespace `web` on `prod`: $12.34 of CPU.
fn web_pod() -> CostRow {
    let pod = CostKey::Pod {
        cluster: ClusterName::new("prod").unwrap(),
        namespace: "web".into(),
        pod: "web-1".into(),
    };
    row(pod, 1234, 0, 1)
}

fn get(uri: &str, key: TestKey) -> TestRequest {
    TestRequest::get()
        .uri(uri)
        .insert_header((AUTHORIZATION, format!("ApiKey {}", key.text())))
}

/// The body of a GET of `uri` with `key`, which must answer 200.
macro_rules! get_ok {
    ($app:expr, $uri:expr, $key:expr) => {{
        let (status, _, body) = send!($app, get($uri, $key));
        assert_eq!(status, StatusCode::OK, "{}: {body}", $uri);
        body
    }};
}

fn serving_costs() -> Mocks {
    let mut mocks = Mocks::new();
    mocks.metrics.expect_costs().returning(|_, q| {
        let prod = || ClusterName::new("prod").unwrap();
        Ok(match q.grouping {
            CostGrouping::Namespace => vec![
                row(CostKey::Namespace("web".into()), 1234, 0, 3),
                row(CostKey::Namespace("batch".into()), 100, 0, 1),
            ],
            CostGrouping::Cluster => vec![row(CostKey::Cluster(prod()), 1334, 500, 4)],
            CostGrouping::Pod => vec![web_pod()],
            CostGrouping::Time(_) => vec![row(CostKey::Time(now()), 100, 0, 1)],
        })
    });
    mocks
}

#[actix_web::test]
async fn health_has_kubecents_keys() {
    let mut mocks = Mocks::new();
    mocks.tenants.expect_ping().returning(|| Ok(()));
    mocks.metrics.expect_ping().returning(|| Ok(()));
    let state = mocks.into_state();
    let app = app!(state);
    let (status, _, body) = send!(app, TestRequest::get().uri("/api/v1/health"));
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_keys(
        &body,
        &[
            ("status", "string"),
            ("opencost", "string"),
            ("service", "string"),
        ],
    );
    assert_eq!(body["status"], "healthy");
    assert_eq!(body["opencost"], "not_configured");
    assert_eq!(body["service"], "kcost");
}

#[actix_web::test]
async fn namespaces_have_kubecents_keys_and_types() {
    let app = app!(serving_costs().into_state());
    let body = get_ok!(app, "/api/v1/cost/namespaces", TestKey::Reader);
    assert_keys(
        &body,
        &[
            ("namespaces", "array"),
            ("total", "number"),
            ("window", "string"),
            ("item_count", "integer"),
        ],
    );
    assert_eq!(body["window"], "7d");
    assert_eq!(body["item_count"], 2);
    assert_eq!(body["total"], 13.84);
    let web = &body["namespaces"][0];
    assert_keys(
        web,
        &[
            ("name", "string"),
            ("total_cost", "number"),
            ("cpu_cost", "number"),
            ("memory_cost", "number"),
            ("storage_cost", "number"),
            ("idle_cost", "number"),
            ("pod_count", "integer"),
        ],
    );
    assert_eq!(web["name"], "web");
    assert_eq!(web["total_cost"], 12.59);
    assert_eq!(web["cpu_cost"], 12.34);
    assert_eq!(web["idle_cost"], 0.0);
}

#[actix_web::test]
async fn limit_lists_the_most_expensive_namespaces_and_keeps_the_total() {
    let app = app!(serving_costs().into_state());
    let body = get_ok!(app, "/api/v1/cost/namespaces?limit=1", TestKey::Reader);
    assert_eq!(body["item_count"], 1);
    assert_eq!(body["namespaces"].as_array().map(Vec::len), Some(1));
    assert_eq!(body["namespaces"][0]["name"], "web");
    assert_eq!(
        body["total"], 13.84,
        "the window's total, not the listed part's"
    );
    let body = get_ok!(app, "/api/v1/cost/namespaces?limit=10000", TestKey::Reader);
    assert_eq!(body["item_count"], 2);
}

#[actix_web::test]
async fn idle_true_shares_the_clusters_idle_among_namespaces() {
    let app = app!(serving_costs().into_state());
    let body = get_ok!(
        app,
        "/api/v1/cost/namespaces?window=24h&idle=true",
        TestKey::Reader
    );
    assert_eq!(body["window"], "24h");
    // $5 of idle, shared 12.59 : 1.25 (allocated costs).
    let idle: f64 = body["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["idle_cost"].as_f64().unwrap())
        .sum();
    assert!((idle - 5.0).abs() < 0.011, "{body}");
    assert_eq!(body["total"], 18.84);
}

#[actix_web::test]
async fn pods_have_the_keys_and_pass_the_namespace_filter() {
    let mut mocks = Mocks::new();
    mocks
        .metrics
        .expect_costs()
        .withf(|t, q| {
            *t == tenant()
                && q.grouping == CostGrouping::Pod
                && q.filter.namespace.as_deref() == Some("web")
        })
        .returning(|_, _| Ok(vec![web_pod()]));
    let state = mocks.into_state();
    let app = app!(state);
    let body = get_ok!(
        app,
        "/api/v1/cost/pods?namespace=web&window=7d",
        TestKey::Reader
    );
    assert_keys(
        &body,
        &[
            ("pods", "array"),
            ("total", "number"),
            ("window", "string"),
            ("namespace", "string"),
            ("item_count", "integer"),
        ],
    );
    assert_keys(
        &body["pods"][0],
        &[
            ("name", "string"),
            ("namespace", "string"),
            ("cluster", "string"),
            ("total_cost", "number"),
            ("cpu_cost", "number"),
            ("memory_cost", "number"),
            ("storage_cost", "number"),
            ("idle_cost", "number"),
        ],
    );
    assert_eq!(body["pods"][0]["name"], "web-1");
    assert_eq!(body["total"], 12.59);
    let body = get_ok!(
        app,
        "/api/v1/cost/pods?namespace=web&limit=1",
        TestKey::Reader
    );
    assert_eq!(body["item_count"], 1);
}

#[actix_web::test]
async fn monthly_has_kubecents_keys() {
    let app = app!(serving_costs().into_state());
    let body = get_ok!(app, "/api/v1/cost/monthly", TestKey::Reader);
    assert_keys(
        &body,
        &[
            ("months", "array"),
            ("total", "number"),
            ("period", "string"),
        ],
    );
    assert_eq!(body["period"], "30d");
    // 30 days ending 2026-11-21T00:00Z: late October and November.
    let months = body["months"].as_array().unwrap();
    assert_eq!(months.len(), 2, "{body}");
    assert_eq!(months[0]["month"], "2026-10");
    assert_keys(
        &months[1],
        &[
            ("month", "string"),
            ("total_cost", "number"),
            ("daily_average", "number"),
            ("namespaces", "integer"),
            ("pods", "integer"),
        ],
    );
    assert_eq!(months[1]["total_cost"], 18.59);
    assert_eq!(months[1]["namespaces"], 2);
    assert_eq!(months[1]["pods"], 4);
    assert_eq!(body["total"], 37.18);
}

/// An open CPU recommendation the recommender is sure of (full priority), from `current`
/// to `recommended` millicores, saving `savings_cents` a month.
fn recommendation(current: u64, recommended: u64, savings_cents: i64) -> Recommendation {
    Recommendation {
        current,
        recommended,
        monthly_savings: money(savings_cents),
        confidence: Confidence::new(Decimal::ONE).unwrap(),
        ..open_recommendation(u128::from(current))
    }
}

#[actix_web::test]
async fn savings_have_kubecents_keys() {
    let mut mocks = serving_costs();
    mocks.recommendations.expect_list().returning(|_, _, _| {
        Ok(RecommendationPage {
            total: 2,
            items: vec![
                recommendation(1000, 250, 3000),
                recommendation(800, 400, 500),
            ],
        })
    });
    let state = mocks.into_state();
    let app = app!(state);
    let body = get_ok!(app, "/api/v1/savings/recommendations?limit=1", TestKey::All);
    assert_keys(
        &body,
        &[
            ("recommendations", "array"),
            ("total_potential_savings", "number"),
            ("savings_percentage", "number"),
        ],
    );
    assert_eq!(body["recommendations"].as_array().unwrap().len(), 1);
    let top = &body["recommendations"][0];
    assert_keys(
        top,
        &[
            ("id", "string"),
            ("type", "string"),
            ("namespace", "string"),
            ("resource", "string"),
            ("current_cost", "number"),
            ("estimated_savings", "number"),
            ("priority", "string"),
            ("description", "string"),
            ("action", "string"),
        ],
    );
    assert_eq!(top["type"], "cpu_rightsizing");
    assert_eq!(top["resource"], "deployment/api");
    assert_eq!(top["current_cost"], 40.0);
    assert_eq!(top["estimated_savings"], 30.0);
    assert_eq!(top["priority"], "medium");
    assert_eq!(body["total_potential_savings"], 35.0);
    // One hour with data at $1.25: $912.50 a month; 35 / 912.5 = 3.84 %.
    assert_eq!(body["savings_percentage"], 3.84);
}

#[actix_web::test]
async fn savings_need_the_recommendations_scope() {
    let app = app!(serving_costs().into_state());
    let (status, _, body) = send!(app, get("/api/v1/savings/recommendations", TestKey::Reader));
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}

#[actix_web::test]
async fn an_invalid_window_is_400_and_a_limit_out_of_range_is_422() {
    let app = app!(serving_costs().into_state());
    for uri in [
        "/api/v1/cost/namespaces?window=fortnight",
        "/api/v1/cost/pods?window=0d",
        "/api/v1/cost/monthly?window=9999d",
        "/api/v1/cost/namespaces?idle=maybe",
    ] {
        let (status, _, body) = send!(app, get(uri, TestKey::Reader));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
    }
    for uri in [
        "/api/v1/savings/recommendations?limit=0",
        "/api/v1/savings/recommendations?limit=51",
        "/api/v1/savings/recommendations?limit=-3",
        "/api/v1/cost/namespaces?limit=0",
        "/api/v1/cost/namespaces?limit=10001",
        "/api/v1/cost/pods?limit=-1",
    ] {
        let (status, _, body) = send!(app, get(uri, TestKey::All));
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}: {body}");
        assert_eq!(body["code"], "validation_failed");
        assert_eq!(body["details"][0]["path"], "limit");
    }
    for uri in [
        "/api/v1/cost/namespaces?limit=ten",
        "/api/v1/cost/pods?limit=1.5",
    ] {
        let (status, _, body) = send!(app, get(uri, TestKey::All));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
    }
}

#[actix_web::test]
async fn without_a_key_only_the_anonymous_tenant_is_served() {
    // Off (the default): a key is needed.
    let app = app!(serving_costs().into_state());
    for uri in [
        "/api/v1/cost/namespaces",
        "/api/v1/cost/pods",
        "/api/v1/cost/monthly",
        "/api/v1/savings/recommendations",
    ] {
        let (status, _, _) = send!(app, TestRequest::get().uri(uri));
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}");
    }

    // On: no key reads the configured tenant; a presented key is still checked.
    let mut mocks = serving_costs();
    mocks.kubecent_anonymous_tenant = Some(tenant());
    mocks
        .recommendations
        .expect_list()
        .withf(|t, _, _| *t == tenant())
        .returning(|_, _, _| {
            Ok(RecommendationPage {
                total: 0,
                items: vec![],
            })
        });
    let state = mocks.into_state();
    let app = app!(state);
    for uri in [
        "/api/v1/cost/namespaces",
        "/api/v1/cost/pods",
        "/api/v1/cost/monthly",
        "/api/v1/savings/recommendations",
    ] {
        let (status, _, body) = send!(app, TestRequest::get().uri(uri));
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    }
    let (status, _, _) = send!(
        app,
        TestRequest::get()
            .uri("/api/v1/cost/namespaces")
            .insert_header((
                AUTHORIZATION,
                format!("ApiKey {}", TestKey::Reader.wrong_secret())
            ))
    );
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a wrong key is not anonymous"
    );
    // Only the read-only Kubecent endpoints: the rest of the API still needs a key.
    let (status, _, _) = send!(app, TestRequest::get().uri("/v1/costs/namespaces"));
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn metrics_show_the_cache_counters() {
    let app = app!(serving_costs().into_state());
    let (status, _, _) = send!(app, get("/api/v1/cost/namespaces", TestKey::Reader));
    assert_eq!(status, StatusCode::OK);
    let response =
        actix_web::test::call_service(&app, TestRequest::get().uri("/metrics").to_request()).await;
    let text = String::from_utf8(actix_web::test::read_body(response).await.to_vec()).unwrap();
    for counter in [
        "kcost_query_cache_hits_total",
        "kcost_query_cache_misses_total 1",
        "kcost_query_cache_invalidations_total 0",
        "kcost_query_cache_refreshes_total 0",
    ] {
        assert!(text.contains(counter), "{counter} missing from\n{text}");
    }
}
