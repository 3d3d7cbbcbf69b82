//! The namespace-level rollup and the daily per-pod rollup (read by the cluster and
//! namespace breakdowns) against the per-pod path (read by the pod breakdown): same sums to
//! the last digit and the same distinct pod counts, over windows cutting hours, crossing a
//! month boundary, before and after `roll_up`, and after retention. Real PostgreSQL, one
//! database per test.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::costs::{CostGrouping, CostKey, CostRow, ResourceHours};
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::MetricsStore;
use kcost_timescale_adapter::PgMetricsStore;

use crate::support::with_store;
use kcost_ports::contract::fixtures::{GIB, node, pod, query, snapshot, store_all, tenant, utc};

/// Three steady pods, plus `cron-<hour>` pods that exist in one hour only.
fn snapshot_at(ts: DateTime<Utc>) -> PricedSnapshot {
    let mut pods = vec![
        pod("web", "web-1", Some("n1"), (500, 731), (GIB, GIB / 3)),
        pod(
            "web",
            "web-2",
            Some("n2"),
            (250, 97),
            (2 * GIB, 3 * GIB + 7),
        ),
        pod("batch", "job-1", None, (1000, 0), (4 * GIB, 0)),
    ];
    pods.push(pod(
        "cron",
        &format!("cron-{}", ts.format("%d%H")),
        Some("n1"),
        (100, 33),
        (GIB / 7, GIB / 11),
    ));
    snapshot(
        "prod",
        ts,
        600,
        pods,
        vec![node("n1", 4, 16, "0.192"), node("n2", 2, 8, "0.0961")],
    )
}

/// Every 20 minutes from Oct 31 21:10 to Nov 1 02:50 UTC (crosses a month boundary).
fn times() -> Vec<DateTime<Utc>> {
    let first = utc(2026, 10, 31, 21, 10, 0);
    (0..18).map(|i| first + Duration::minutes(20 * i)).collect()
}

/// The per-pod rows (pod breakdown) summed per `key`: costs, usage, distinct pods,
/// distinct namespaces.
fn regroup(pods: &[CostRow], key: impl Fn(&CostKey) -> CostKey) -> BTreeMap<CostKey, CostRow> {
    let mut out: BTreeMap<CostKey, (CostRow, BTreeSet<String>)> = BTreeMap::new();
    for row in pods {
        let CostKey::Pod { namespace, .. } = &row.key else {
            panic!("pod key expected");
        };
        let k = key(&row.key);
        let (sum, namespaces) = out.entry(k.clone()).or_insert_with(|| {
            let mut empty = row.clone();
            empty.key = k;
            empty.cost = Default::default();
            empty.usage = Default::default();
            empty.pod_count = 0;
            (empty, BTreeSet::new())
        });
        sum.cost.cpu += row.cost.cpu;
        sum.cost.memory += row.cost.memory;
        sum.usage.cpu_usage_core_hours += row.usage.cpu_usage_core_hours;
        sum.usage.cpu_request_core_hours += row.usage.cpu_request_core_hours;
        sum.usage.memory_usage_gib_hours += row.usage.memory_usage_gib_hours;
        sum.usage.memory_request_gib_hours += row.usage.memory_request_gib_hours;
        sum.pod_count += 1;
        namespaces.insert(namespace.clone());
    }
    out.into_values()
        .map(|(mut row, namespaces)| {
            row.namespace_count = namespaces.len() as u64;
            (row.key.clone(), row)
        })
        .collect()
}

/// Resource-hours to 20 places: the store divides each group's exact resource-seconds
/// once, while the regrouped side adds per-pod quotients, so the two may differ in the
/// 28th digit of a non-terminating division (costs are compared exactly).
fn hours(usage: &ResourceHours) -> [rust_decimal::Decimal; 4] {
    [
        usage.cpu_usage_core_hours,
        usage.cpu_request_core_hours,
        usage.memory_usage_gib_hours,
        usage.memory_request_gib_hours,
    ]
    .map(|h| h.round_dp(20))
}

async fn assert_agree(store: &PgMetricsStore, t: TenantId, window: TimeWindow) {
    let pods = store
        .costs(t, &query(window, CostGrouping::Pod))
        .await
        .unwrap();
    assert!(!pods.is_empty(), "{window:?} has data");
    let by_namespace = regroup(&pods, |k| match k {
        CostKey::Pod { namespace, .. } => CostKey::Namespace(namespace.clone()),
        _ => unreachable!(),
    });
    let namespaces = store
        .costs(t, &query(window, CostGrouping::Namespace))
        .await
        .unwrap();
    assert_eq!(namespaces.len(), by_namespace.len(), "{window:?}");
    for row in &namespaces {
        let expected = &by_namespace[&row.key];
        assert_eq!(row.cost, expected.cost, "{window:?} {:?}", row.key);
        assert_eq!(
            hours(&row.usage),
            hours(&expected.usage),
            "{window:?} {:?}",
            row.key
        );
        assert_eq!(
            row.pod_count, expected.pod_count,
            "{window:?} {:?}",
            row.key
        );
        assert_eq!(row.namespace_count, 1);
    }
    let by_cluster = regroup(&pods, |k| match k {
        CostKey::Pod { cluster, .. } => CostKey::Cluster(cluster.clone()),
        _ => unreachable!(),
    });
    let clusters = store
        .costs(t, &query(window, CostGrouping::Cluster))
        .await
        .unwrap();
    assert_eq!(clusters.len(), 1);
    let expected = &by_cluster[&clusters[0].key];
    assert_eq!(clusters[0].cost.cpu, expected.cost.cpu);
    assert_eq!(clusters[0].cost.memory, expected.cost.memory);
    assert_eq!(hours(&clusters[0].usage), hours(&expected.usage));
    assert_eq!(clusters[0].pod_count, expected.pod_count, "{window:?}");
    assert_eq!(clusters[0].namespace_count, expected.namespace_count);
}

#[tokio::test]
async fn namespace_rollup_agrees_with_the_per_pod_path_to_the_last_digit() {
    with_store(|store| async move {
        let t = tenant();
        let snapshots: Vec<PricedSnapshot> = times().into_iter().map(snapshot_at).collect();
        store_all(&store, t, &snapshots.iter().collect::<Vec<_>>()).await;
        let windows = [
            // Cuts its first and last hour; crosses the month boundary.
            (utc(2026, 10, 31, 21, 25, 0), utc(2026, 11, 1, 1, 35, 0)),
            // Whole hours only.
            (utc(2026, 10, 31, 22, 0, 0), utc(2026, 11, 1, 2, 0, 0)),
            // No whole hour at all.
            (utc(2026, 10, 31, 23, 5, 0), utc(2026, 10, 31, 23, 55, 0)),
            // One whole hour inside November only.
            (utc(2026, 11, 1, 0, 59, 0), utc(2026, 11, 1, 2, 1, 0)),
            // Everything.
            (utc(2026, 10, 1, 0, 0, 0), utc(2026, 12, 1, 0, 0, 0)),
        ];
        for (start, end) in windows {
            assert_agree(&store, t, TimeWindow::new(start, end).unwrap()).await;
        }
        let report = store.roll_up(utc(2026, 11, 2, 12, 0, 0)).await.unwrap();
        assert!(report.days >= 2, "{report:?}");
        for (start, end) in windows {
            assert_agree(&store, t, TimeWindow::new(start, end).unwrap()).await;
        }
        // The hourly cron pods are counted once per hour they ran in: 6 hours in the
        // whole window, 4 in 22:00–02:00.
        let window = TimeWindow::new(utc(2026, 10, 31, 22, 0, 0), utc(2026, 11, 1, 2, 0, 0));
        let rows = store
            .costs(t, &query(window.unwrap(), CostGrouping::Namespace))
            .await
            .unwrap();
        let cron = rows
            .iter()
            .find(|r| r.key == CostKey::Namespace("cron".into()))
            .unwrap();
        assert_eq!(cron.pod_count, 4);
    })
    .await;
}

#[tokio::test]
async fn retention_trims_daily_and_namespace_rollups() {
    with_store(|store| async move {
        let t = tenant();
        // Nov 1 and Nov 3, around the cutoff below.
        let days = [1, 3].map(|day| snapshot_at(utc(2026, 11, day, 5, 10, 0)));
        store_all(&store, t, &days.iter().collect::<Vec<_>>()).await;
        store.roll_up(utc(2026, 11, 4, 12, 0, 0)).await.unwrap();
        let report = store
            .drop_partitions_before(NaiveDate::from_ymd_opt(2026, 11, 2).unwrap())
            .await
            .unwrap();
        assert!(report.deleted_rollup_rows > 0);
        let month = TimeWindow::new(utc(2026, 11, 1, 0, 0, 0), utc(2026, 12, 1, 0, 0, 0)).unwrap();
        assert_agree(&store, t, month).await;
        let cron_pods: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT pod FROM pod_costs_daily WHERE namespace = 'cron' ORDER BY pod",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        assert_eq!(cron_pods, ["cron-0305"], "the Nov 1 pod's day was dropped");
        let hours_left: i64 =
            sqlx::query_scalar("SELECT count(DISTINCT hour) FROM namespace_costs_hourly")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(hours_left, 1);
    })
    .await;
}
