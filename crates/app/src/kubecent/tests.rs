//! The Kubecent use cases over mocked ports.

use std::sync::Arc;

use chrono::TimeZone;
use kcost_domain::api_key::Scope;
use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::{
    CostBreakdown, CostGrouping, CostKey, CostRow, ResourceHours, TrendInterval,
};
use kcost_domain::money::Money;
use kcost_domain::recommendation::{
    Confidence, Recommendation, RecommendationId, RecommendationStatus, RecommendationTarget,
    Resource,
};
use kcost_ports::{MockCache, MockMetricsStore, MockRecommendationRepository, RecommendationPage};
use kcost_recommender::{KcostRecommender, Policy};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::*;
use crate::test_support::{
    clock, empty_cache, key_with, missing_scope, now, query_cache_over, tenant,
};

fn money(cents: i64) -> Money {
    Money::from_decimal(Decimal::new(cents, 2))
}

fn row(key: CostKey, cpu: i64, memory: i64, idle: i64, pods: u64) -> CostRow {
    CostRow {
        key,
        cost: CostBreakdown {
            cpu: money(cpu),
            memory: money(memory),
            idle: money(idle),
            ..CostBreakdown::default()
        },
        usage: ResourceHours::default(),
        pod_count: pods,
        namespace_count: 1,
    }
}

fn namespace(name: &str) -> CostKey {
    CostKey::Namespace(name.to_owned())
}

fn cluster(name: &str) -> CostKey {
    CostKey::Cluster(ClusterName::new(name).unwrap())
}

fn window() -> TimeWindow {
    TimeWindow::parse("7d", now()).unwrap()
}

fn queries(metrics: MockMetricsStore, repository: MockRecommendationRepository) -> KubecentQueries {
    queries_with_cache(metrics, repository, empty_cache())
}

fn queries_with_cache(
    metrics: MockMetricsStore,
    repository: MockRecommendationRepository,
    cache: Arc<QueryCache>,
) -> KubecentQueries {
    let recommendations = Recommendations::new(
        Arc::new(MockMetricsStore::new()),
        Arc::new(repository),
        clock(),
        KcostRecommender::new(Policy::default()),
        cache.clone(),
    );
    KubecentQueries::new(Arc::new(metrics), Arc::new(recommendations), cache, clock())
}

fn reader() -> AuthenticatedKey {
    key_with(&[Scope::CostsRead], None)
}

#[tokio::test]
async fn namespaces_without_idle_are_the_allocated_costs() {
    let mut metrics = MockMetricsStore::new();
    metrics
        .expect_costs()
        .withf(|t, q| *t == tenant() && q.grouping == CostGrouping::Namespace)
        .times(1)
        .returning(|_, _| {
            Ok(vec![
                row(namespace("web"), 300, 100, 0, 4),
                row(namespace("batch"), 100, 50, 0, 2),
            ])
        });
    let answer = queries(metrics, MockRecommendationRepository::new())
        .namespaces(&reader(), window(), false)
        .await
        .unwrap();
    assert!(!answer.include_idle);
    let names: Vec<&str> = answer.namespaces.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["web", "batch"]);
    assert_eq!(answer.namespaces[0].cost.total(), money(400));
    assert_eq!(answer.namespaces[0].pod_count, 4);
    assert!(answer.namespaces.iter().all(|n| n.cost.idle == Money::ZERO));
}

/// Whether `query` asks for namespaces in `cluster` (in every cluster for `None`).
fn namespaces_in(query: &CostQuery, cluster: Option<&str>) -> bool {
    query.grouping == CostGrouping::Namespace
        && query.filter.cluster.as_ref().map(ClusterName::as_str) == cluster
}

/// Web and batch, cost without idle: all of it in cluster `prod`.
fn web_and_batch() -> Vec<CostRow> {
    vec![
        row(namespace("web"), 300, 0, 0, 4),
        row(namespace("batch"), 100, 0, 0, 2),
    ]
}

#[tokio::test]
async fn idle_is_shared_by_allocated_cost_within_each_cluster() {
    let mut metrics = MockMetricsStore::new();
    metrics
        .expect_costs()
        .withf(|_, q| namespaces_in(q, None))
        .returning(|_, _| Ok(web_and_batch()));
    metrics
        .expect_costs()
        .withf(|_, q| q.grouping == CostGrouping::Cluster)
        .returning(|_, _| {
            Ok(vec![
                row(cluster("prod"), 400, 0, 200, 6),
                row(cluster("empty"), 0, 0, 70, 0),
                row(cluster("tight"), 10, 0, 0, 1),
            ])
        });
    metrics
        .expect_costs()
        .withf(|_, q| namespaces_in(q, Some("prod")))
        .returning(|_, _| Ok(web_and_batch()));
    metrics
        .expect_costs()
        .withf(|_, q| namespaces_in(q, Some("empty")))
        .returning(|_, _| Ok(vec![]));
    let answer = queries(metrics, MockRecommendationRepository::new())
        .namespaces(&reader(), window(), true)
        .await
        .unwrap();
    let idle: Vec<(&str, Money)> = answer
        .namespaces
        .iter()
        .map(|n| (n.name.as_str(), n.cost.idle))
        .collect();
    assert_eq!(
        idle,
        [
            ("web", money(150)),
            ("batch", money(50)),
            ("__idle__", money(70))
        ],
        "most expensive first, idle included"
    );
    let total: Money = answer.namespaces.iter().map(|n| n.cost.total()).sum();
    assert_eq!(total, money(400 + 200 + 70), "Σ namespaces = Σ clusters");
}

#[tokio::test]
async fn pods_are_filtered_by_namespace() {
    let mut metrics = MockMetricsStore::new();
    metrics
        .expect_costs()
        .withf(|_, q| {
            q.grouping == CostGrouping::Pod && q.filter.namespace.as_deref() == Some("web")
        })
        .times(1)
        .returning(|_, _| {
            Ok(vec![row(
                CostKey::Pod {
                    cluster: ClusterName::new("prod").unwrap(),
                    namespace: "web".into(),
                    pod: "web-1".into(),
                },
                120,
                30,
                0,
                1,
            )])
        });
    let answer = queries(metrics, MockRecommendationRepository::new())
        .pods(&reader(), window(), Some("web".into()))
        .await
        .unwrap();
    assert_eq!(answer.namespace.as_deref(), Some("web"));
    assert_eq!(answer.pods.len(), 1);
    assert_eq!(answer.pods[0].name, "web-1");
    assert_eq!(answer.pods[0].cost.total(), money(150));
}

#[tokio::test]
async fn every_cost_question_needs_costs_read() {
    let mut metrics = MockMetricsStore::new();
    metrics.expect_costs().never();
    let queries = queries(metrics, MockRecommendationRepository::new());
    let writer = key_with(&[Scope::MetricsWrite], None);
    let costs_read = Some(Scope::CostsRead);
    let err = queries
        .namespaces(&writer, window(), false)
        .await
        .unwrap_err();
    assert_eq!(missing_scope(&err), costs_read);
    let err = queries.pods(&writer, window(), None).await.unwrap_err();
    assert_eq!(missing_scope(&err), costs_read);
    let err = queries.monthly(&writer, window()).await.unwrap_err();
    assert_eq!(missing_scope(&err), costs_read);
    let err = queries.savings(&writer, 10).await.unwrap_err();
    assert_eq!(missing_scope(&err), costs_read);
    let err = queries.savings(&reader(), 10).await.unwrap_err();
    assert_eq!(missing_scope(&err), Some(Scope::RecommendationsRead));
}

#[tokio::test]
async fn monthly_cuts_the_window_at_month_boundaries() {
    let mut metrics = MockMetricsStore::new();
    metrics
        .expect_costs()
        .withf(|_, q| q.grouping == CostGrouping::Cluster)
        .times(2)
        .returning(|_, q| {
            // October: 10 days at $2 a day; November to date: 20 days at $3 a day.
            let october = q.window.start().format("%m").to_string() == "10";
            let cents = if october { 2000 } else { 6000 };
            Ok(vec![row(cluster("prod"), cents - 100, 0, 100, 5)])
        });
    metrics
        .expect_costs()
        .withf(|_, q| q.grouping == CostGrouping::Namespace)
        .times(2)
        .returning(|_, _| {
            Ok(vec![
                row(namespace("a"), 1, 0, 0, 1),
                row(namespace("b"), 1, 0, 0, 1),
            ])
        });
    let start = chrono::Utc.with_ymd_and_hms(2026, 10, 22, 0, 0, 0).unwrap();
    let window = TimeWindow::new(
        start,
        chrono::Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap(),
    )
    .unwrap();
    let answer = queries(metrics, MockRecommendationRepository::new())
        .monthly(&reader(), window)
        .await
        .unwrap();
    let months: Vec<&str> = answer.months.iter().map(|m| m.month.as_str()).collect();
    assert_eq!(months, ["2026-10", "2026-11"]);
    assert_eq!(answer.months[0].cost, money(2000));
    assert_eq!(answer.months[0].daily_average, money(200));
    assert_eq!(answer.months[0].namespaces, 2);
    assert_eq!(answer.months[0].pods, 5);
    // November has run 19 days and 9.5 hours by `now` (2026-11-20T09:30Z).
    let elapsed_seconds = Decimal::from(19 * 86_400 + 9 * 3600 + 1800);
    assert_eq!(
        answer.months[1].daily_average,
        Money::from_decimal(Decimal::from(60 * 86_400) / elapsed_seconds)
    );
    assert_eq!(answer.total(), money(8000));
}

fn recommendation(
    resource: Resource,
    current: u64,
    recommended: u64,
    savings_cents: i64,
) -> Recommendation {
    Recommendation {
        id: RecommendationId::from_uuid(Uuid::from_u128(u128::from(current))),
        tenant_id: tenant(),
        target: RecommendationTarget {
            cluster: ClusterName::new("prod").unwrap(),
            namespace: "web".into(),
            workload: Some(("Deployment".into(), "api".into())),
            pod: None,
            container: None,
        },
        resource,
        current,
        recommended,
        monthly_savings: money(savings_cents),
        confidence: Confidence::new(Decimal::new(9, 1)).unwrap(),
        reason: "p95 usage is far below the request".into(),
        status: RecommendationStatus::Open,
        created_at: now(),
        updated_at: now(),
        closed_by: None,
        close_reason: None,
    }
}

#[tokio::test]
async fn savings_map_open_recommendations_that_save_money() {
    let mut repository = MockRecommendationRepository::new();
    repository
        .expect_list()
        .withf(|t, filter, page| {
            *t == tenant()
                && filter.status == Some(RecommendationStatus::Open)
                && page.offset() == 0
        })
        .times(1)
        .returning(|_, _, _| {
            let items = vec![
                recommendation(Resource::Cpu, 1000, 250, 6000),
                recommendation(Resource::Memory, 512 << 20, 1 << 30, -500),
                recommendation(Resource::Memory, 2 << 30, 1 << 30, 1200),
            ];
            Ok(RecommendationPage { total: 3, items })
        });
    let mut metrics = MockMetricsStore::new();
    metrics
        .expect_costs()
        .withf(|_, q| q.grouping == CostGrouping::Time(TrendInterval::Hourly))
        .times(1)
        // Two hours with data at $1 each: $730 a month.
        .returning(|_, _| {
            let hour = |h| {
                row(
                    CostKey::Time(now() - chrono::Duration::hours(h)),
                    80,
                    0,
                    20,
                    1,
                )
            };
            Ok(vec![hour(2), hour(1)])
        });
    let key = key_with(&[Scope::CostsRead, Scope::RecommendationsRead], None);
    let report = queries(metrics, repository).savings(&key, 1).await.unwrap();
    assert_eq!(report.recommendations.len(), 1, "truncated to the limit");
    let top = &report.recommendations[0];
    assert_eq!(top.kind, "cpu_rightsizing");
    assert_eq!(top.resource, "deployment/api");
    assert_eq!(top.namespace, "web");
    assert_eq!(top.estimated_savings, money(6000));
    assert_eq!(
        top.current_cost,
        money(8000),
        "$60 saved by a 75% cut of $80"
    );
    assert_eq!(top.priority, Priority::High);
    assert!(
        top.action
            .starts_with("kubectl -n web set resources deployment/api")
    );
    assert!(
        top.description.contains("from 1000m to 250m"),
        "{}",
        top.description
    );
    assert_eq!(
        report.total_potential_savings,
        money(7200),
        "increases left out"
    );
    assert_eq!(report.projected_monthly_cost, money(73000));
    assert_eq!(report.savings_percentage, Decimal::new(986, 2));
}

#[test]
fn priorities_follow_savings_and_confidence() {
    let mut r = recommendation(Resource::Cpu, 1000, 500, 1000);
    assert_eq!(Priority::for_recommendation(&r), Priority::Medium);
    r.monthly_savings = money(999);
    assert_eq!(Priority::for_recommendation(&r), Priority::Low);
    r.monthly_savings = money(5000);
    r.confidence = Confidence::new(Decimal::new(3, 1)).unwrap();
    assert_eq!(Priority::for_recommendation(&r), Priority::Medium);
}

#[tokio::test]
async fn a_cached_answer_is_served_without_the_store() {
    let answer = NamespaceCosts {
        window: window(),
        include_idle: false,
        namespaces: vec![],
    };
    let bytes = serde_json::to_vec(&answer).unwrap();
    let mut cache = MockCache::new();
    cache.expect_get().returning(move |key| {
        Ok(Some(if key.ends_with(":version") {
            b"1".to_vec()
        } else {
            bytes.clone()
        }))
    });
    let mut metrics = MockMetricsStore::new();
    metrics.expect_costs().never();
    let cache = query_cache_over(cache);
    let queries = queries_with_cache(metrics, MockRecommendationRepository::new(), cache.clone());
    let served = queries
        .namespaces(&reader(), window(), false)
        .await
        .unwrap();
    assert_eq!(served, answer);
    assert_eq!(cache.stats().hits, 1);
}

#[tokio::test]
async fn warming_recomputes_every_default_answer() {
    let mut metrics = MockMetricsStore::new();
    metrics.expect_costs().returning(|_, _| Ok(vec![]));
    let mut repository = MockRecommendationRepository::new();
    repository.expect_list().returning(|_, _, _| {
        Ok(RecommendationPage {
            total: 0,
            items: vec![],
        })
    });
    let cache = empty_cache();
    let queries = queries_with_cache(metrics, repository, cache.clone());
    queries.warm(tenant()).await.unwrap();
    // Namespaces with and without idle, pods, monthly, savings.
    assert_eq!(cache.refreshes(), 5);
    assert_eq!(cache.stats().misses, 0);
}
