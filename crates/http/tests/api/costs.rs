//! `GET /v1/costs/*`: windows, filters and the response fields.

use actix_web::http::StatusCode;
use actix_web::http::header::AUTHORIZATION;
use actix_web::test::TestRequest;
use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::{CostBreakdown, CostGrouping, CostKey, CostRow, ResourceHours};
use kcost_domain::money::Money;
use rust_decimal::Decimal;

use crate::support::{Mocks, TestKey, app, send, tenant};

fn row(key: CostKey, cpu_cents: i64, idle_cents: i64) -> CostRow {
    CostRow {
        key,
        cost: CostBreakdown {
            cpu: Money::from_decimal(Decimal::new(cpu_cents, 2)),
            memory: Money::from_decimal(Decimal::new(10, 2)),
            idle: Money::from_decimal(Decimal::new(idle_cents, 2)),
            ..CostBreakdown::default()
        },
        usage: ResourceHours {
            cpu_usage_core_hours: Decimal::from(12),
            cpu_request_core_hours: Decimal::from(24),
            memory_usage_gib_hours: Decimal::from(24),
            memory_request_gib_hours: Decimal::from(48),
        },
        pod_count: 3,
        namespace_count: 2,
    }
}

fn get(uri: &str) -> TestRequest {
    TestRequest::get()
        .uri(uri)
        .insert_header((AUTHORIZATION, format!("ApiKey {}", TestKey::Reader.text())))
}

#[actix_web::test]
async fn namespaces_carry_kubecents_fields_and_the_breakdown() {
    let mut mocks = Mocks::new();
    mocks
        .metrics
        .expect_costs()
        .withf(|t, q| {
            *t == tenant()
                && q.grouping == CostGrouping::Namespace
                && q.filter.cluster.as_ref().map(ClusterName::as_str) == Some("prod")
                && q.window.start().to_rfc3339() == "2026-11-19T00:00:00+00:00"
        })
        .returning(|_, _| Ok(vec![row(CostKey::Namespace("web".into()), 150, 0)]));
    let state = mocks.into_state();
    let app = app!(state);
    let (status, _, body) = send!(
        app,
        get(
            "/v1/costs/namespaces?start_time=2026-11-19T00:00:00Z&end_time=2026-11-20T00:00:00Z&cluster=prod"
        )
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["start_time"], "2026-11-19T00:00:00Z");
    let web = &body["costs"][0];
    assert_eq!(web["namespace"], "web");
    assert_eq!(web["pod_count"], 3);
    assert_eq!(web["cpu_cost_usd"], 1.5);
    assert_eq!(web["memory_cost_usd"], 0.1);
    assert_eq!(web["idle_cost_usd"], 0.0);
    assert_eq!(web["estimated_cost_usd"], 1.6);
    assert_eq!(web["avg_cpu_usage_millicores"], 500.0);
    assert_eq!(web["total_cpu_request_millicores"], 1000.0);
    assert_eq!(web["cpu_usage_core_hours"], 12.0);
}

#[actix_web::test]
async fn clusters_include_idle_and_namespace_counts() {
    let mut mocks = Mocks::new();
    mocks.metrics.expect_costs().returning(|_, _| {
        Ok(vec![row(
            CostKey::Cluster(ClusterName::new("prod").unwrap()),
            150,
            40,
        )])
    });
    let state = mocks.into_state();
    let app = app!(state);
    let (status, _, body) = send!(app, get("/v1/costs/clusters?window=7d"));
    assert_eq!(status, StatusCode::OK, "{body}");
    let prod = &body["costs"][0];
    assert_eq!(prod["cluster_name"], "prod");
    assert_eq!(prod["namespace_count"], 2);
    assert_eq!(prod["idle_cost_usd"], 0.4);
    assert_eq!(prod["estimated_cost_usd"], 2.0);
}

#[actix_web::test]
async fn trends_take_an_interval_and_refuse_unknown_ones() {
    let mut mocks = Mocks::new();
    mocks
        .metrics
        .expect_costs()
        .withf(|_, q| {
            matches!(
                q.grouping,
                CostGrouping::Time(kcost_domain::costs::TrendInterval::Hourly)
            )
        })
        .returning(|_, q| Ok(vec![row(CostKey::Time(q.window.start()), 1, 1)]));
    let state = mocks.into_state();
    let app = app!(state);
    let (status, _, body) = send!(app, get("/v1/costs/trends?window=today&interval=hourly"));
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["interval"], "hourly");
    assert_eq!(body["trends"][0]["time"], "2026-11-20T00:00:00Z");

    let (status, _, body) = send!(app, get("/v1/costs/trends?interval=monthly"));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "invalid_query");
}

#[actix_web::test]
async fn a_bad_window_is_400_naming_the_accepted_forms() {
    let state = Mocks::new().into_state();
    let app = app!(state);
    let (status, _, body) = send!(app, get("/v1/costs/pods?window=fortnight"));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "invalid_window");
    assert!(body["error"].as_str().unwrap().contains("7d"));
}

#[actix_web::test]
async fn utilization_lists_pods_under_metrics() {
    let mut mocks = Mocks::new();
    mocks.metrics.expect_utilization().returning(|_, _, _| {
        Ok(vec![kcost_domain::costs::PodUtilization {
            cluster: ClusterName::new("prod").unwrap(),
            namespace: "web".into(),
            pod: "web-1".into(),
            avg_cpu_usage_millicores: Decimal::from(50),
            avg_cpu_request_millicores: Decimal::from(200),
            max_cpu_usage_millicores: 90,
            avg_memory_usage_bytes: Decimal::from(10),
            avg_memory_request_bytes: Decimal::ZERO,
            max_memory_usage_bytes: 12,
            cost: Money::from_decimal(Decimal::new(1234, 3)),
            samples: 6,
        }])
    });
    let state = mocks.into_state();
    let app = app!(state);
    let (status, _, body) = send!(app, get("/v1/costs/utilization?namespace=web"));
    assert_eq!(status, StatusCode::OK, "{body}");
    let pod = &body["metrics"][0];
    assert_eq!(pod["pod_name"], "web-1");
    assert_eq!(pod["cpu_utilization_percent"], 25.0);
    assert!(pod["memory_utilization_percent"].is_null());
    assert_eq!(pod["cost_usd"], 1.234, "unrounded");
}
