//! Cost sums per grouping equal the priced snapshots' to the last digit, with counts and
//! usage hours; re-appends are duplicates that change nothing; tenants never see each
//! other's rows; filters narrow, and a namespace filter drops idle.

use std::collections::{BTreeMap, BTreeSet};

use kcost_domain::cluster::ClusterName;
use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::costs::{CostFilter, CostGrouping, CostKey, CostRow, TrendInterval};
use kcost_domain::money::Money;
use kcost_domain::quantity::BYTES_PER_GIB;
use rust_decimal::Decimal;

use crate::contract::fixtures::{
    GROUPINGS, NODES_NULL, SMALL, agent_snapshot, all_pods, allocated, assert_sees_nothing, at,
    costs, expected_costs_by, idle_of, namespace_of, namespaces_of, pod_of, store_all, tenant,
    three_pod_snapshot, unfiltered_costs, utc, window,
};
use crate::{AppendOutcome, MetricsStore};

/// Largest total first, ties by key.
fn assert_largest_total_first(rows: &[CostRow]) {
    for pair in rows.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(
            a.cost.total() > b.cost.total() || (a.cost.total() == b.cost.total() && a.key < b.key),
            "rows out of order: {pair:?}"
        );
    }
}

/// Per namespace: Σ cpu, Σ memory, and the distinct (cluster, pod) seen.
type NamespaceSums = BTreeMap<String, (Money, Money, BTreeSet<(String, String)>)>;

/// Σ (cpu, memory, pods) per namespace over several priced snapshots.
fn expected_by_namespace(snapshots: &[&PricedSnapshot]) -> NamespaceSums {
    let mut expected = NamespaceSums::new();
    for priced in snapshots {
        let cluster = priced.snapshot().cluster().as_str().to_owned();
        for (pod, cost) in priced.snapshot().pods().iter().zip(priced.pods()) {
            let entry = expected.entry(pod.namespace.clone()).or_default();
            entry.0 += cost.cpu_cost;
            entry.1 += cost.ram_cost;
            entry.2.insert((cluster.clone(), pod.name.clone()));
        }
    }
    expected
}

/// Namespace, cluster and pod rows carry exactly the priced costs (idle only on clusters),
/// counts, and usage hours, largest first; over a whole day too, with hand-built pods in a
/// second cluster, where Σ pods + Σ idle = Σ nodes and the filters combine.
pub async fn append_then_costs_equal_priced_sums(store: &dyn MetricsStore) {
    let t = tenant();
    let small = agent_snapshot(SMALL, "prod", at(9, 0), 600);
    let small_later = agent_snapshot(SMALL, "prod", at(9, 10), 600);
    let edge = agent_snapshot(NODES_NULL, "edge", at(9, 0), 600);
    store_all(store, t, &[&small, &small_later, &edge]).await;
    let hour = window(at(9, 0), at(10, 0));

    // Namespaces across clusters: one row per name, no idle.
    let rows = unfiltered_costs(store, t, CostGrouping::Namespace, hour).await;
    let expected = expected_by_namespace(&[&small, &small_later, &edge]);
    assert_eq!(rows.len(), expected.len());
    for row in &rows {
        let namespace = namespace_of(row);
        let (cpu, memory, pods) = &expected[namespace];
        assert_eq!(
            (row.cost.cpu, row.cost.memory),
            (*cpu, *memory),
            "{namespace}"
        );
        assert_eq!(row.cost.idle, Money::ZERO, "idle belongs to clusters");
        assert_eq!(row.pod_count, pods.len() as u64, "{namespace}");
        assert_eq!(row.namespace_count, 1);
    }
    assert_largest_total_first(&rows);
    assert_eq!(
        allocated(&rows),
        all_pods(&small) + all_pods(&small_later) + all_pods(&edge)
    );

    // Clusters: all pod cost plus the nodes' idle; namespaces and pods counted.
    let rows = unfiltered_costs(store, t, CostGrouping::Cluster, hour).await;
    assert_eq!(rows.len(), 2);
    for snapshots in [vec![&small, &small_later], vec![&edge]] {
        let cluster = snapshots[0].snapshot().cluster().clone();
        let row = rows
            .iter()
            .find(|row| row.key == CostKey::Cluster(cluster.clone()))
            .unwrap();
        let pods: Money = snapshots.iter().map(|s| all_pods(s)).sum();
        let idle: Money = snapshots.iter().map(|s| s.totals().idle).sum();
        assert_eq!(row.cost.allocated(), pods, "{cluster}");
        assert_eq!(row.cost.idle, idle, "{cluster}");
        let namespaces: BTreeSet<_> = snapshots[0]
            .snapshot()
            .pods()
            .iter()
            .map(|p| &p.namespace)
            .collect();
        assert_eq!(row.namespace_count, namespaces.len() as u64);
        assert_eq!(row.pod_count, snapshots[0].snapshot().pods().len() as u64);
    }
    assert_largest_total_first(&rows);

    // Usage hours: Σ usage × seconds, as core-hours and GiB-hours.
    let prod = rows
        .iter()
        .find(|r| r.key == CostKey::Cluster(ClusterName::new("prod").unwrap()))
        .unwrap();
    let cpu_mcs: u64 = small
        .snapshot()
        .pods()
        .iter()
        .map(|p| p.figures.cpu_usage.get() * 600)
        .sum();
    let mem_bs: u64 = small
        .snapshot()
        .pods()
        .iter()
        .map(|p| p.figures.memory_request.get() * 600)
        .sum();
    assert_eq!(
        prod.usage.cpu_usage_core_hours,
        Decimal::from(cpu_mcs * 2) / Decimal::from(3_600_000)
    );
    assert_eq!(
        prod.usage.memory_request_gib_hours,
        Decimal::from(mem_bs * 2) / Decimal::from(3_600 * BYTES_PER_GIB)
    );

    // Pods: one row each, with each sample's cost summed.
    let rows = unfiltered_costs(store, t, CostGrouping::Pod, hour).await;
    assert_eq!(rows.len(), small.pods().len() + edge.pods().len());
    for priced in [&small, &edge] {
        let later = (priced.snapshot().cluster().as_str() == "prod").then_some(&small_later);
        for (i, (pod, cost)) in priced
            .snapshot()
            .pods()
            .iter()
            .zip(priced.pods())
            .enumerate()
        {
            let key = CostKey::Pod {
                cluster: priced.snapshot().cluster().clone(),
                namespace: pod.namespace.clone(),
                pod: pod.name.clone(),
            };
            let row = rows.iter().find(|row| row.key == key).unwrap();
            let extra = later.map_or(Money::ZERO, |l| l.pods()[i].total());
            assert_eq!(row.cost.allocated(), cost.total() + extra, "{key:?}");
            assert_eq!((row.pod_count, row.namespace_count), (1, 1));
        }
    }
    assert_largest_total_first(&rows);

    // A whole day, with a second cluster of hand-built pods (one pending) at 14:30.
    let t = tenant();
    let first = agent_snapshot(SMALL, "prod", at(9, 0), 600);
    let second = agent_snapshot(SMALL, "prod", at(9, 10), 600);
    let other = three_pod_snapshot("staging", at(14, 30), 600);
    let all = [&first, &second, &other];
    store_all(store, t, &all).await;
    let day = window(at(0, 0), utc(2026, 11, 21, 0, 0, 0));

    let rows = unfiltered_costs(store, t, CostGrouping::Namespace, day).await;
    let want = expected_costs_by(&all, |_, p| p.namespace.clone());
    assert_eq!(rows.len(), want.len());
    assert_largest_total_first(&rows);
    for row in &rows {
        let namespace = namespace_of(row);
        assert_eq!(
            (row.cost.cpu, row.cost.memory),
            want[namespace],
            "namespace {namespace}"
        );
        assert_eq!(row.cost.idle, Money::ZERO, "no idle per namespace");
        assert_eq!(row.namespace_count, 1);
    }

    let rows = unfiltered_costs(store, t, CostGrouping::Cluster, day).await;
    assert_eq!(rows.len(), 2);
    assert_largest_total_first(&rows);
    let prod = rows
        .iter()
        .find(|r| r.key == CostKey::Cluster(ClusterName::new("prod").unwrap()))
        .unwrap();
    let node_cost = first.totals().node_cost + second.totals().node_cost;
    let off_node = first.totals().off_node_pod_cost + second.totals().off_node_pod_cost;
    assert_eq!(prod.cost.idle, idle_of(&[&first, &second]));
    assert_eq!(
        prod.cost.total(),
        node_cost + off_node,
        "Σ pods + Σ idle = Σ nodes"
    );
    assert_eq!(prod.pod_count, 24);
    assert_eq!(
        prod.namespace_count as usize,
        namespaces_of(&[&first]).len()
    );
    let staging = rows.iter().find(|r| r != &prod).unwrap();
    assert_eq!(
        staging.cost.total(),
        other.totals().node_cost + other.totals().off_node_pod_cost
    );

    let rows = unfiltered_costs(store, t, CostGrouping::Pod, day).await;
    let want = expected_costs_by(&all, |s, p| {
        (
            s.snapshot().cluster().clone(),
            p.namespace.clone(),
            p.name.clone(),
        )
    });
    assert_eq!(rows.len(), want.len());
    assert_largest_total_first(&rows);
    for row in &rows {
        let (cluster, namespace, pod) = pod_of(row);
        let key = (cluster.clone(), namespace.to_owned(), pod.to_owned());
        assert_eq!((row.cost.cpu, row.cost.memory), want[&key], "pod {key:?}");
        assert_eq!(row.pod_count, 1);
    }

    let staging_web = CostFilter {
        cluster: Some(ClusterName::new("staging").unwrap()),
        namespace: Some("web".into()),
    };
    let rows = costs(store, t, CostGrouping::Namespace, day, staging_web).await;
    let want = expected_costs_by(&[&other], |_, p| p.namespace.clone());
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].cost.cpu, rows[0].cost.memory), want["web"]);
    assert_eq!(rows[0].pod_count, 2);
}

/// A second append of the same (tenant, cluster, timestamp) is `Duplicate` and changes
/// nothing, even with different contents; another tenant may store the same key.
pub async fn reappend_is_duplicate_and_changes_nothing(store: &dyn MetricsStore) {
    let t = tenant();
    let snapshot = agent_snapshot(SMALL, "prod", at(9, 0), 600);
    store_all(store, t, &[&snapshot]).await;
    let span = window(at(8, 0), at(10, 0));
    let groupings = [
        CostGrouping::Pod,
        CostGrouping::Cluster,
        CostGrouping::Time(TrendInterval::Hourly),
    ];
    let mut before = Vec::new();
    for grouping in groupings {
        before.push(unfiltered_costs(store, t, grouping, span).await);
    }
    let before_use = store
        .utilization(t, &span, &CostFilter::default())
        .await
        .unwrap();
    // Same key, different content (a longer duration; other pods altogether): still a
    // duplicate, and nothing of it is written.
    let longer = agent_snapshot(SMALL, "prod", at(9, 0), 1200);
    let altered = three_pod_snapshot("prod", at(9, 0), 600);
    for again in [&snapshot, &longer, &altered] {
        assert_eq!(
            store.append(t, again).await.unwrap(),
            AppendOutcome::Duplicate
        );
    }
    for (grouping, before) in groupings.into_iter().zip(before) {
        assert_eq!(unfiltered_costs(store, t, grouping, span).await, before);
    }
    assert_eq!(
        store
            .utilization(t, &span, &CostFilter::default())
            .await
            .unwrap(),
        before_use
    );
    let series = store
        .usage_series(t, &span, &CostFilter::default())
        .await
        .unwrap();
    assert!(
        series
            .iter()
            .all(|s| s.points.len() == 1 && s.points[0].seconds == 600)
    );
    let pods = unfiltered_costs(store, t, CostGrouping::Pod, span).await;
    assert_eq!(pods.len(), 24);
    assert_eq!(
        store.append(tenant(), &snapshot).await.unwrap(),
        AppendOutcome::Stored
    );
}

/// A stranger never sees tenant A's rows, through any query; tenant B may store the same
/// cluster and timestamp with other contents and sees only its own.
pub async fn tenants_are_isolated(store: &dyn MetricsStore) {
    let (a, b, stranger) = (tenant(), tenant(), tenant());
    let snapshot = agent_snapshot(SMALL, "prod", at(9, 0), 600);
    store_all(store, a, &[&snapshot]).await;
    let snapshot_b = three_pod_snapshot("prod", at(9, 0), 600);
    assert_eq!(
        store.append(b, &snapshot_b).await.unwrap(),
        AppendOutcome::Stored,
        "the idempotency key includes the tenant"
    );
    let day = window(at(0, 0), at(23, 0));
    let cluster = snapshot.snapshot().cluster();
    assert_sees_nothing(store, stranger, day, cluster).await;
    // An edge-only window (no whole hour) too.
    assert_sees_nothing(store, stranger, window(at(8, 50), at(9, 10)), cluster).await;
    for grouping in GROUPINGS {
        let rows = unfiltered_costs(store, a, grouping, day).await;
        assert!(!rows.is_empty(), "{grouping:?}");
    }
    assert_eq!(
        store
            .previous_snapshot_time(a, cluster, at(10, 0))
            .await
            .unwrap(),
        Some(at(9, 0))
    );
    let rows = unfiltered_costs(store, b, CostGrouping::Cluster, day).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].cost.total(),
        snapshot_b.totals().node_cost + snapshot_b.totals().off_node_pod_cost
    );
}

/// The cluster filter narrows every grouping; a namespace filter drops idle (it belongs to
/// nodes, not namespaces).
pub async fn filters_narrow_and_namespace_filters_drop_idle(store: &dyn MetricsStore) {
    let t = tenant();
    let prod = agent_snapshot(SMALL, "prod", at(9, 0), 600);
    let dev = agent_snapshot(SMALL, "dev", at(9, 0), 600);
    store_all(store, t, &[&prod, &dev]).await;
    let span = window(at(8, 30), at(10, 30));
    let only_prod = CostFilter {
        cluster: Some(ClusterName::new("prod").unwrap()),
        namespace: None,
    };
    let rows = costs(store, t, CostGrouping::Cluster, span, only_prod.clone()).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].cost.total(), all_pods(&prod) + prod.totals().idle);
    let rows = costs(store, t, CostGrouping::Namespace, span, only_prod).await;
    assert_eq!(allocated(&rows), all_pods(&prod));

    let namespace = prod.snapshot().pods()[0].namespace.clone();
    let in_namespace = CostFilter {
        cluster: None,
        namespace: Some(namespace.clone()),
    };
    let expected: Money = [&prod, &dev]
        .iter()
        .flat_map(|s| s.snapshot().pods().iter().zip(s.pods()))
        .filter(|(pod, _)| pod.namespace == namespace)
        .map(|(_, cost)| cost.total())
        .sum();
    for grouping in [
        CostGrouping::Cluster,
        CostGrouping::Time(TrendInterval::Daily),
    ] {
        let rows = costs(store, t, grouping, span, in_namespace.clone()).await;
        assert_eq!(allocated(&rows), expected, "{grouping:?}");
        assert!(
            rows.iter().all(|row| row.cost.idle == Money::ZERO),
            "{grouping:?}"
        );
    }
}
