//! Contract of [`MetricsStore`]: what every metrics backend must answer, to the last digit.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, TimeZone, Utc};
use kcost_domain::cluster::ClusterName;
use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::costs::{CostFilter, CostGrouping, CostKey, CostRow, TrendInterval};
use kcost_domain::money::Money;

use super::fixtures::{
    NODES_NULL, SMALL, all_pods, assert_sees_nothing, at, namespace_of, priced, store_all,
    tenant_a, tenant_b, unfiltered_costs, window,
};
use crate::{AppendOutcome, MetricsStore};

/// Σ (cpu, memory) per namespace and the pods of each, from the priced snapshot itself.
fn expected_by_namespace(priced: &PricedSnapshot) -> BTreeMap<String, (Money, Money, usize)> {
    let mut expected: BTreeMap<String, (Money, Money, usize)> = BTreeMap::new();
    for (pod, cost) in priced.snapshot().pods().iter().zip(priced.pods()) {
        let entry = expected.entry(pod.namespace.clone()).or_default();
        entry.0 += cost.cpu_cost;
        entry.1 += cost.ram_cost;
        entry.2 += 1;
    }
    expected
}

fn assert_ordered_by_total_descending(rows: &[CostRow]) {
    for pair in rows.windows(2) {
        assert!(
            pair[0].cost.total() >= pair[1].cost.total(),
            "rows not ordered: {pair:?}"
        );
    }
}

/// Namespace rows carry exactly the priced pods' CPU and memory cost, no idle, the right
/// pod counts, largest first.
pub async fn costs_by_namespace_equal_the_priced_snapshot(store: &dyn MetricsStore) {
    let snapshot = priced(SMALL, at(9, 0), 600);
    store_all(store, tenant_a(), &[&snapshot]).await;
    let rows = unfiltered_costs(
        store,
        tenant_a(),
        CostGrouping::Namespace,
        window(at(8, 0), at(12, 0)),
    )
    .await;
    let expected = expected_by_namespace(&snapshot);
    assert_eq!(rows.len(), expected.len());
    for row in &rows {
        let namespace = namespace_of(row);
        let (cpu, memory, pods) = expected[namespace];
        assert_eq!(
            (row.cost.cpu, row.cost.memory),
            (cpu, memory),
            "namespace {namespace}"
        );
        assert_eq!(
            row.cost.idle,
            Money::ZERO,
            "idle belongs to clusters, not namespaces"
        );
        assert_eq!(row.pod_count, pods as u64, "namespace {namespace}");
    }
    assert_ordered_by_total_descending(&rows);
}

/// Cluster rows carry all pod cost plus the nodes' idle, per cluster, with namespace counts.
pub async fn costs_by_cluster_include_idle(store: &dyn MetricsStore) {
    let small = priced(SMALL, at(9, 0), 600);
    let edge = priced(NODES_NULL, at(9, 0), 600);
    store_all(store, tenant_a(), &[&small, &edge]).await;
    let rows = unfiltered_costs(
        store,
        tenant_a(),
        CostGrouping::Cluster,
        window(at(9, 0), at(10, 0)),
    )
    .await;
    assert_eq!(rows.len(), 2);
    for snapshot in [&small, &edge] {
        let cluster = snapshot.snapshot().cluster().clone();
        let row = rows
            .iter()
            .find(|row| row.key == CostKey::Cluster(cluster.clone()))
            .unwrap_or_else(|| panic!("no row for {cluster}"));
        assert_eq!(
            row.cost.allocated(),
            all_pods(snapshot),
            "cluster {cluster}"
        );
        assert_eq!(row.cost.idle, snapshot.totals().idle, "cluster {cluster}");
        let namespaces: BTreeSet<_> = snapshot
            .snapshot()
            .pods()
            .iter()
            .map(|p| p.namespace.as_str())
            .collect();
        assert_eq!(row.namespace_count, namespaces.len() as u64);
        assert_eq!(row.pod_count, snapshot.snapshot().pods().len() as u64);
    }
    assert_ordered_by_total_descending(&rows);
}

/// Pod rows: one per pod, each with its priced cost.
pub async fn costs_by_pod_equal_each_pods_cost(store: &dyn MetricsStore) {
    let snapshot = priced(SMALL, at(9, 0), 600);
    store_all(store, tenant_a(), &[&snapshot]).await;
    let rows = unfiltered_costs(
        store,
        tenant_a(),
        CostGrouping::Pod,
        window(at(9, 0), at(9, 1)),
    )
    .await;
    assert_eq!(rows.len(), snapshot.pods().len());
    for (pod, cost) in snapshot.snapshot().pods().iter().zip(snapshot.pods()) {
        let key = CostKey::Pod {
            cluster: snapshot.snapshot().cluster().clone(),
            namespace: pod.namespace.clone(),
            pod: pod.name.clone(),
        };
        let row = rows
            .iter()
            .find(|row| row.key == key)
            .unwrap_or_else(|| panic!("no row for {key:?}"));
        assert_eq!(
            (row.cost.cpu, row.cost.memory),
            (cost.cpu_cost, cost.ram_cost)
        );
        // A pod row is one pod in one namespace.
        assert_eq!((row.pod_count, row.namespace_count), (1, 1), "{key:?}");
    }
    assert_ordered_by_total_descending(&rows);
}

/// A second append of the same (tenant, cluster, timestamp) is `Duplicate` and changes
/// nothing, even with different contents.
pub async fn reappending_is_a_duplicate_and_changes_nothing(store: &dyn MetricsStore) {
    let snapshot = priced(SMALL, at(9, 0), 600);
    store_all(store, tenant_a(), &[&snapshot]).await;
    let before = unfiltered_costs(
        store,
        tenant_a(),
        CostGrouping::Pod,
        window(at(8, 0), at(10, 0)),
    )
    .await;
    let longer = priced(SMALL, at(9, 0), 1200);
    for again in [&snapshot, &longer] {
        let outcome = store.append(tenant_a(), again).await.expect("append");
        assert_eq!(outcome, AppendOutcome::Duplicate);
    }
    let after = unfiltered_costs(
        store,
        tenant_a(),
        CostGrouping::Pod,
        window(at(8, 0), at(10, 0)),
    )
    .await;
    assert_eq!(before, after);
    // The same instant for another tenant is not a duplicate.
    assert_eq!(
        store.append(tenant_b(), &snapshot).await.expect("append"),
        AppendOutcome::Stored
    );
}

/// Tenant B never sees tenant A's rows, through any query.
pub async fn tenants_never_see_each_others_rows(store: &dyn MetricsStore) {
    let snapshot = priced(SMALL, at(9, 0), 600);
    store_all(store, tenant_a(), &[&snapshot]).await;
    let day = window(at(0, 0), at(23, 0));
    assert_sees_nothing(store, tenant_b(), day, snapshot.snapshot().cluster()).await;
}

/// Windows that cut hours count exactly the samples inside them (start ≤ t < end), whether
/// the store answers from hourly rollups or raw samples.
pub async fn windows_cutting_hours_count_exactly_their_samples(store: &dyn MetricsStore) {
    let times = [at(9, 10), at(9, 50), at(10, 10), at(10, 50), at(11, 10)];
    let snapshots: Vec<PricedSnapshot> = times.iter().map(|t| priced(SMALL, *t, 600)).collect();
    store_all(store, tenant_a(), &snapshots.iter().collect::<Vec<_>>()).await;
    let one = all_pods(&snapshots[0]);
    let total = |rows: &[CostRow]| rows.iter().map(|row| row.cost.allocated()).sum::<Money>();
    let cases = [
        (at(9, 30), at(11, 0), 3),   // half of 09h, all of 10h
        (at(9, 0), at(10, 0), 2),    // exactly one hour
        (at(9, 10), at(9, 50), 1),   // start is inclusive, end exclusive
        (at(8, 0), at(12, 0), 5),    // everything
        (at(10, 20), at(10, 40), 0), // inside an hour, between samples
    ];
    for (start, end, samples) in cases {
        let rows = unfiltered_costs(
            store,
            tenant_a(),
            CostGrouping::Namespace,
            window(start, end),
        )
        .await;
        let expected: Money = (0..samples).map(|_| one).sum();
        assert_eq!(total(&rows), expected, "window {start}..{end}");
    }
}

/// A snapshot at exactly midnight belongs to the day it starts, not the one it ends.
pub async fn a_snapshot_at_midnight_belongs_to_the_new_day(store: &dyn MetricsStore) {
    let midnight = Utc
        .with_ymd_and_hms(2026, 11, 21, 0, 0, 0)
        .single()
        .expect("valid");
    let snapshot = priced(SMALL, midnight, 600);
    store_all(store, tenant_a(), &[&snapshot]).await;
    let before = window(midnight - Duration::hours(1), midnight);
    assert!(
        unfiltered_costs(store, tenant_a(), CostGrouping::Cluster, before)
            .await
            .is_empty()
    );
    let after = window(midnight, midnight + Duration::hours(1));
    let rows = unfiltered_costs(store, tenant_a(), CostGrouping::Cluster, after).await;
    assert_eq!(rows.len(), 1);
    let days = window(midnight - Duration::days(1), midnight + Duration::days(1));
    let rows = unfiltered_costs(
        store,
        tenant_a(),
        CostGrouping::Time(TrendInterval::Daily),
        days,
    )
    .await;
    assert_eq!(
        rows.iter().map(|r| r.key.clone()).collect::<Vec<_>>(),
        vec![CostKey::Time(midnight)]
    );
}

/// Trend buckets start at the hour, the UTC day and the ISO week (Monday), ascending, and
/// carry allocated cost plus idle.
pub async fn trends_bucket_by_hour_day_and_week(store: &dyn MetricsStore) {
    let first = priced(SMALL, at(9, 10), 600);
    let second = priced(SMALL, at(10, 10), 600);
    store_all(store, tenant_a(), &[&first, &second]).await;
    let span = window(at(0, 0), at(23, 0));
    let full = |s: &PricedSnapshot| all_pods(s) + s.totals().idle;

    let hourly = unfiltered_costs(
        store,
        tenant_a(),
        CostGrouping::Time(TrendInterval::Hourly),
        span,
    )
    .await;
    let keys: Vec<_> = hourly.iter().map(|row| row.key.clone()).collect();
    assert_eq!(
        keys,
        vec![CostKey::Time(at(9, 0)), CostKey::Time(at(10, 0))]
    );
    assert_eq!(hourly[0].cost.total(), full(&first));
    assert_eq!(hourly[1].cost.idle, second.totals().idle);

    let daily = unfiltered_costs(
        store,
        tenant_a(),
        CostGrouping::Time(TrendInterval::Daily),
        span,
    )
    .await;
    assert_eq!(daily.len(), 1);
    assert_eq!(daily[0].key, CostKey::Time(at(0, 0)));
    assert_eq!(daily[0].cost.total(), full(&first) + full(&second));

    // 2026-11-20 is a Friday; its ISO week starts on Monday 2026-11-16.
    let monday = Utc
        .with_ymd_and_hms(2026, 11, 16, 0, 0, 0)
        .single()
        .expect("valid");
    let weekly = unfiltered_costs(
        store,
        tenant_a(),
        CostGrouping::Time(TrendInterval::Weekly),
        span,
    )
    .await;
    assert_eq!(
        weekly.iter().map(|r| r.key.clone()).collect::<Vec<_>>(),
        vec![CostKey::Time(monday)]
    );
}

/// The previous snapshot is the cluster's latest strictly before the given instant.
pub async fn previous_snapshot_time_is_the_latest_strictly_before(store: &dyn MetricsStore) {
    let snapshots = [priced(SMALL, at(9, 0), 600), priced(SMALL, at(9, 10), 600)];
    store_all(store, tenant_a(), &snapshots.iter().collect::<Vec<_>>()).await;
    let cluster = snapshots[0].snapshot().cluster().clone();
    for (before, expected) in [
        (at(9, 10), Some(at(9, 0))),
        (at(9, 5), Some(at(9, 0))),
        (at(9, 30), Some(at(9, 10))),
        (at(9, 0), None),
    ] {
        let previous = store
            .previous_snapshot_time(tenant_a(), &cluster, before)
            .await;
        assert_eq!(previous.expect("previous"), expected, "before {before}");
    }
    let other = ClusterName::new("another-cluster").expect("valid");
    assert_eq!(
        store
            .previous_snapshot_time(tenant_a(), &other, at(10, 0))
            .await
            .expect("previous"),
        None
    );
}

/// Utilization averages usage and requests over the samples, keeps the peak, and honours
/// the namespace filter.
pub async fn utilization_averages_usage_and_requests(store: &dyn MetricsStore) {
    let snapshots = [priced(SMALL, at(9, 0), 600), priced(SMALL, at(9, 10), 600)];
    store_all(store, tenant_a(), &snapshots.iter().collect::<Vec<_>>()).await;
    let pod = &snapshots[0].snapshot().pods()[1];
    let filter = CostFilter {
        cluster: None,
        namespace: Some(pod.namespace.clone()),
    };
    let rows = store
        .utilization(tenant_a(), &window(at(9, 0), at(10, 0)), &filter)
        .await
        .expect("utilization");
    assert!(rows.iter().all(|row| row.namespace == pod.namespace));
    let row = rows
        .iter()
        .find(|row| row.pod == pod.name)
        .expect("pod row");
    assert_eq!(row.samples, 2);
    assert_eq!(
        row.avg_cpu_usage_millicores,
        pod.figures.cpu_usage.get().into()
    );
    assert_eq!(
        row.avg_cpu_request_millicores,
        pod.figures.cpu_request.get().into()
    );
    assert_eq!(row.max_memory_usage_bytes, pod.figures.memory_usage.get());
    let expected_cost = snapshots[0].pods()[1].total() + snapshots[1].pods()[1].total();
    assert_eq!(row.cost, expected_cost);
}

/// Usage series come back oldest point first, whatever order they were appended in, with
/// the rates the pod was priced at.
pub async fn usage_series_are_ordered_oldest_first(store: &dyn MetricsStore) {
    let late = priced(SMALL, at(9, 20), 600);
    let early = priced(SMALL, at(9, 0), 600);
    store_all(store, tenant_a(), &[&late, &early]).await;
    let series = store
        .usage_series(
            tenant_a(),
            &window(at(9, 0), at(10, 0)),
            &CostFilter::default(),
        )
        .await
        .expect("series");
    assert_eq!(series.len(), early.pods().len());
    let pod = &early.snapshot().pods()[0];
    let one = series
        .iter()
        .find(|s| s.pod == pod.name && s.namespace == pod.namespace)
        .expect("series");
    let times: Vec<_> = one.points.iter().map(|p| p.at).collect();
    assert_eq!(times, vec![at(9, 0), at(9, 20)]);
    assert_eq!(one.points[0].figures, pod.figures);
    assert_eq!(one.rates, early.pods()[0].rates);
}

/// Every contract test, by name, for adapters that want to loop over them.
pub const ALL: [&str; 11] = [
    "costs_by_namespace_equal_the_priced_snapshot",
    "costs_by_cluster_include_idle",
    "costs_by_pod_equal_each_pods_cost",
    "reappending_is_a_duplicate_and_changes_nothing",
    "tenants_never_see_each_others_rows",
    "windows_cutting_hours_count_exactly_their_samples",
    "a_snapshot_at_midnight_belongs_to_the_new_day",
    "trends_bucket_by_hour_day_and_week",
    "previous_snapshot_time_is_the_latest_strictly_before",
    "utilization_averages_usage_and_requests",
    "usage_series_are_ordered_oldest_first",
];
