//! Cost sums per grouping equal the priced snapshots' to the last digit; re-appends are
//! duplicates that change nothing; tenants never see each other's rows; filters narrow.

use std::collections::{BTreeMap, BTreeSet};

use kcost_domain::cluster::ClusterName;
use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::costs::{CostFilter, CostGrouping, CostKey, CostRow, TrendInterval};
use kcost_domain::money::Money;
use kcost_domain::quantity::BYTES_PER_GIB;
use kcost_ports::{AppendOutcome, MetricsStore};
use rust_decimal::Decimal;

use super::fixtures::{
    NODES_NULL, SMALL, agent_snapshot, all_pods, allocated, at, costs, store_all, tenant, window,
};

fn assert_ordered_by_total_descending(rows: &[CostRow]) {
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
/// counts, and usage hours, largest first.
pub async fn append_then_costs_equal_priced_sums(store: &dyn MetricsStore) {
    let t = tenant();
    let small = agent_snapshot(SMALL, "prod", at(9, 0), 600);
    let small_later = agent_snapshot(SMALL, "prod", at(9, 10), 600);
    let edge = agent_snapshot(NODES_NULL, "edge", at(9, 0), 600);
    store_all(store, t, &[&small, &small_later, &edge]).await;
    let hour = window(at(9, 0), at(10, 0));

    // Namespaces across clusters: one row per name, no idle.
    let rows = costs(
        store,
        t,
        CostGrouping::Namespace,
        hour,
        CostFilter::default(),
    )
    .await;
    let expected = expected_by_namespace(&[&small, &small_later, &edge]);
    assert_eq!(rows.len(), expected.len());
    for row in &rows {
        let CostKey::Namespace(namespace) = &row.key else {
            panic!("unexpected key {:?}", row.key)
        };
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
    assert_ordered_by_total_descending(&rows);
    assert_eq!(
        allocated(&rows),
        all_pods(&small) + all_pods(&small_later) + all_pods(&edge)
    );

    // Clusters: all pod cost plus the nodes' idle; namespaces and pods counted.
    let rows = costs(store, t, CostGrouping::Cluster, hour, CostFilter::default()).await;
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
    assert_ordered_by_total_descending(&rows);

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
    let rows = costs(store, t, CostGrouping::Pod, hour, CostFilter::default()).await;
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
    assert_ordered_by_total_descending(&rows);
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
        before.push(costs(store, t, grouping, span, CostFilter::default()).await);
    }
    let before_use = store
        .utilization(t, &span, &CostFilter::default())
        .await
        .unwrap();
    let longer = agent_snapshot(SMALL, "prod", at(9, 0), 1200);
    for again in [&snapshot, &longer] {
        assert_eq!(
            store.append(t, again).await.unwrap(),
            AppendOutcome::Duplicate
        );
    }
    for (grouping, before) in groupings.into_iter().zip(before) {
        assert_eq!(
            costs(store, t, grouping, span, CostFilter::default()).await,
            before
        );
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
    assert_eq!(
        store.append(tenant(), &snapshot).await.unwrap(),
        AppendOutcome::Stored
    );
}

/// Tenant B never sees tenant A's rows, through any query.
pub async fn tenants_are_isolated(store: &dyn MetricsStore) {
    let (a, b) = (tenant(), tenant());
    let snapshot = agent_snapshot(SMALL, "prod", at(9, 0), 600);
    store_all(store, a, &[&snapshot]).await;
    let day = window(at(0, 0), at(23, 0));
    for grouping in [
        CostGrouping::Cluster,
        CostGrouping::Namespace,
        CostGrouping::Pod,
        CostGrouping::Time(TrendInterval::Hourly),
        CostGrouping::Time(TrendInterval::Weekly),
    ] {
        assert!(
            costs(store, b, grouping, day, CostFilter::default())
                .await
                .is_empty(),
            "{grouping:?}"
        );
        assert!(
            !costs(store, a, grouping, day, CostFilter::default())
                .await
                .is_empty(),
            "{grouping:?}"
        );
    }
    // An edge-only window (no whole hour) too.
    let edge = window(at(8, 50), at(9, 10));
    assert!(
        costs(store, b, CostGrouping::Cluster, edge, CostFilter::default())
            .await
            .is_empty()
    );
    let filter = CostFilter::default();
    assert!(
        store
            .utilization(b, &day, &filter)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .usage_series(b, &day, &filter)
            .await
            .unwrap()
            .is_empty()
    );
    let cluster = snapshot.snapshot().cluster();
    assert_eq!(
        store
            .previous_snapshot_time(b, cluster, at(10, 0))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .previous_snapshot_time(a, cluster, at(10, 0))
            .await
            .unwrap(),
        Some(at(9, 0))
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
