//! Unit tests of the allocation use case over a mocked store and cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use kcost_domain::allocation::query::{Accumulate, AggregateBy, AllocationQuery, StepError};
use kcost_domain::allocation::sums::{NodeIdleSums, WindowSums};
use kcost_domain::api_key::{AuthError, Scope};
use kcost_domain::cluster::ClusterName;
use kcost_domain::money::Money;
use kcost_domain::window::TimeWindow;
use kcost_ports::{MetricsStoreError, MockCache, MockMetricsStore};
use rust_decimal::Decimal;

use super::*;
use crate::test_support::{key_with, query_cache_over, tenant};

fn days(n: i64) -> TimeWindow {
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    TimeWindow::new(start, start + chrono::Duration::days(n)).unwrap()
}

/// A cache that really keeps what it is given.
fn memory_cache() -> Arc<QueryCache> {
    let stored: Arc<Mutex<HashMap<String, Vec<u8>>>> = Arc::default();
    let mut cache = MockCache::new();
    let reader = stored.clone();
    cache
        .expect_get()
        .returning(move |k| Ok(reader.lock().unwrap().get(k).cloned()));
    cache.expect_set().returning(move |k, v, _| {
        stored.lock().unwrap().insert(k.to_owned(), v.to_vec());
        Ok(())
    });
    cache.expect_increment().returning(|_| Ok(1));
    query_cache_over(cache)
}

/// One node with a dollar of idle CPU per step.
fn idle_dollar() -> WindowSums {
    WindowSums {
        pods: Vec::new(),
        nodes: vec![NodeIdleSums {
            cluster: ClusterName::new("prod").unwrap(),
            node: "n1".to_owned(),
            idle_cpu: Money::from_decimal(Decimal::ONE),
            idle_ram: Money::ZERO,
        }],
        containers: Vec::new(),
    }
}

fn request(step: Option<chrono::TimeDelta>, accumulate: Accumulate) -> AllocationRequest {
    let mut query = AllocationQuery {
        aggregate: vec![AggregateBy::Namespace],
        ..AllocationQuery::default()
    };
    query.sharing.include_idle = true;
    AllocationRequest {
        window: days(3),
        step,
        accumulate,
        query,
    }
}

#[tokio::test]
async fn each_step_reads_its_own_window_once_for_the_keys_tenant() {
    let mut metrics = MockMetricsStore::new();
    metrics
        .expect_window_sums()
        .withf(|t, w| *t == tenant() && w.duration() >= chrono::Duration::days(1))
        .times(4)
        .returning(|_, _| Ok(idle_dollar()));
    let queries = AllocationQueries::new(Arc::new(metrics), memory_cache());
    let key = key_with(&[Scope::CostsRead], None);
    let request = request(Some(chrono::TimeDelta::days(1)), Accumulate::None);
    let sets = queries.allocations(&key, &request).await.unwrap();
    assert_eq!(sets.len(), 3);
    assert!(
        sets.iter()
            .all(|s| s.total_cost() == Money::from_decimal(Decimal::ONE))
    );
    // Asked again: the whole answer comes from the cache.
    let again = queries.allocations(&key, &request).await.unwrap();
    assert_eq!(again, sets);
    // Another aggregation of the same single window: from the cached sums.
    let mut whole = request.clone();
    whole.step = None;
    let first = queries.allocations(&key, &whole).await.unwrap();
    whole.query.aggregate = vec![AggregateBy::Cluster];
    let other = queries.allocations(&key, &whole).await.unwrap();
    assert_eq!(other[0].allocations[0].name, "__idle__");
    assert_eq!(first[0].total_cost(), other[0].total_cost());
}

#[tokio::test]
async fn accumulating_by_day_defaults_to_daily_steps() {
    let mut metrics = MockMetricsStore::new();
    metrics
        .expect_window_sums()
        .times(3)
        .returning(|_, _| Ok(idle_dollar()));
    let queries = AllocationQueries::new(Arc::new(metrics), memory_cache());
    let key = key_with(&[Scope::CostsRead], None);
    let sets = queries
        .allocations(&key, &request(None, Accumulate::Day))
        .await
        .unwrap();
    assert_eq!(sets.len(), 3);
    let all = AllocationQueries::new(
        Arc::new({
            let mut m = MockMetricsStore::new();
            m.expect_window_sums()
                .times(1)
                .returning(|_, _| Ok(idle_dollar()));
            m
        }),
        memory_cache(),
    )
    .allocations(&key, &request(None, Accumulate::All))
    .await
    .unwrap();
    assert_eq!(all.len(), 1, "no step: one window");
}

#[tokio::test]
async fn needs_the_read_scope() {
    let mut metrics = MockMetricsStore::new();
    metrics.expect_window_sums().never();
    let queries = AllocationQueries::new(Arc::new(metrics), memory_cache());
    let err = queries
        .allocations(
            &key_with(&[Scope::MetricsWrite], None),
            &request(None, Accumulate::None),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        AllocationError::Query(QueryError::Forbidden(AuthError::MissingScope(
            Scope::CostsRead
        )))
    ));
}

#[tokio::test]
async fn too_many_steps_are_refused_before_any_read() {
    let mut metrics = MockMetricsStore::new();
    metrics.expect_window_sums().never();
    let queries = AllocationQueries::new(Arc::new(metrics), memory_cache());
    let err = queries
        .allocations(
            &key_with(&[Scope::CostsRead], None),
            &request(Some(chrono::TimeDelta::minutes(1)), Accumulate::None),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            AllocationError::Step(StepError::TooMany { count: 4320, .. })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unavailable_store_is_reported() {
    let mut metrics = MockMetricsStore::new();
    metrics
        .expect_window_sums()
        .returning(|_, _| Err(MetricsStoreError::unavailable(anyhow::anyhow!("down"))));
    let queries = AllocationQueries::new(Arc::new(metrics), memory_cache());
    let err = queries
        .allocations(
            &key_with(&[Scope::CostsRead], None),
            &request(None, Accumulate::None),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        AllocationError::Query(QueryError::Failed(
            kcost_ports::BackendFailure::Unavailable(_)
        ))
    ));
}

#[test]
fn questions_whose_filters_print_alike_have_different_cache_keys() {
    use kcost_domain::allocation::filter::{LegacyFilters, from_legacy, parse};
    let mut a = request(None, Accumulate::All);
    let mut b = a.clone();
    a.query.filter = parse(r#"namespace:"a"|namespace:"b""#).unwrap();
    b.query.filter = from_legacy(&LegacyFilters {
        namespaces: Some(r#"a"|namespace:"b"#.to_owned()),
        ..LegacyFilters::default()
    })
    .unwrap();
    assert_ne!(a.query.filter, b.query.filter);
    assert_ne!(answer_key(&a, None), answer_key(&b, None));
}
