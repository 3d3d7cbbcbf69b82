//! Contract: appended snapshots are summed exactly, once, and only for their tenant.

use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::{CostFilter, CostGrouping, CostKey, CostQuery, CostRow};
use kcost_domain::money::Money;
use kcost_domain::window::TimeWindow;
use kcost_ports::{AppendOutcome, MetricsStore};

use super::fixtures::{agent_snapshot, at, expected, idle, namespaces, small_snapshot, tenant};

pub fn query(window: TimeWindow, grouping: CostGrouping) -> CostQuery {
    CostQuery {
        window,
        grouping,
        filter: CostFilter::default(),
    }
}

fn day_window() -> TimeWindow {
    TimeWindow::new(at(2026, 11, 20, 0, 0, 0), at(2026, 11, 21, 0, 0, 0)).unwrap()
}

fn assert_descending(rows: &[CostRow]) {
    assert!(
        rows.windows(2)
            .all(|w| w[0].cost.total() >= w[1].cost.total()),
        "rows ordered by total cost descending"
    );
}

/// Namespace, cluster and pod sums equal the priced snapshots' sums to the last digit.
pub async fn append_then_costs_equal_priced_sums(store: &dyn MetricsStore) {
    let t = tenant();
    let first = agent_snapshot("prod", at(2026, 11, 20, 9, 0, 0));
    let second = agent_snapshot("prod", at(2026, 11, 20, 9, 10, 0));
    let other = small_snapshot("staging", at(2026, 11, 20, 14, 30, 0), 600);
    for s in [&first, &second, &other] {
        assert_eq!(store.append(t, s).await.unwrap(), AppendOutcome::Stored);
    }
    let all = [&first, &second, &other];

    let rows = store
        .costs(t, &query(day_window(), CostGrouping::Namespace))
        .await
        .unwrap();
    let want = expected(&all, |_, p| p.namespace.clone());
    assert_eq!(rows.len(), want.len());
    assert_descending(&rows);
    for row in &rows {
        let CostKey::Namespace(ns) = &row.key else {
            panic!("namespace key")
        };
        assert_eq!((row.cost.cpu, row.cost.memory), want[ns], "namespace {ns}");
        assert_eq!(row.cost.idle, Money::ZERO, "no idle per namespace");
        assert_eq!(row.namespace_count, 1);
    }

    let rows = store
        .costs(t, &query(day_window(), CostGrouping::Cluster))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_descending(&rows);
    let prod = rows
        .iter()
        .find(|r| r.key == CostKey::Cluster(ClusterName::new("prod").unwrap()))
        .unwrap();
    let node_cost = first.totals().node_cost + second.totals().node_cost;
    let off_node = first.totals().off_node_pod_cost + second.totals().off_node_pod_cost;
    assert_eq!(prod.cost.idle, idle(&[&first, &second]));
    assert_eq!(
        prod.cost.total(),
        node_cost + off_node,
        "Σ pods + Σ idle = Σ nodes"
    );
    assert_eq!(prod.pod_count, 24);
    assert_eq!(prod.namespace_count as usize, namespaces(&[&first]).len());
    let staging = rows.iter().find(|r| r != &prod).unwrap();
    assert_eq!(
        staging.cost.total(),
        other.totals().node_cost + other.totals().off_node_pod_cost
    );

    let rows = store
        .costs(t, &query(day_window(), CostGrouping::Pod))
        .await
        .unwrap();
    let want = expected(&all, |s, p| {
        (
            s.snapshot().cluster().clone(),
            p.namespace.clone(),
            p.name.clone(),
        )
    });
    assert_eq!(rows.len(), want.len());
    assert_descending(&rows);
    for row in &rows {
        let CostKey::Pod {
            cluster,
            namespace,
            pod,
        } = &row.key
        else {
            panic!("pod key")
        };
        let key = (cluster.clone(), namespace.clone(), pod.clone());
        assert_eq!((row.cost.cpu, row.cost.memory), want[&key], "pod {key:?}");
        assert_eq!(row.pod_count, 1);
    }

    let filtered = CostQuery {
        filter: CostFilter {
            cluster: Some(ClusterName::new("staging").unwrap()),
            namespace: Some("web".into()),
        },
        ..query(day_window(), CostGrouping::Namespace)
    };
    let rows = store.costs(t, &filtered).await.unwrap();
    let want = expected(&[&other], |_, p| p.namespace.clone());
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].cost.cpu, rows[0].cost.memory), want["web"]);
    assert_eq!(rows[0].pod_count, 2);
}

/// A second append of the same (tenant, cluster, ts) is `Duplicate` and changes nothing.
pub async fn reappend_is_duplicate_and_changes_nothing(store: &dyn MetricsStore) {
    let t = tenant();
    let snapshot = agent_snapshot("prod", at(2026, 11, 20, 9, 0, 0));
    assert_eq!(
        store.append(t, &snapshot).await.unwrap(),
        AppendOutcome::Stored
    );
    let q = query(day_window(), CostGrouping::Cluster);
    let before = store.costs(t, &q).await.unwrap();
    // Same key, different content: still a duplicate, and nothing of it is written.
    let altered = small_snapshot("prod", at(2026, 11, 20, 9, 0, 0), 600);
    assert_eq!(
        store.append(t, &snapshot).await.unwrap(),
        AppendOutcome::Duplicate
    );
    assert_eq!(
        store.append(t, &altered).await.unwrap(),
        AppendOutcome::Duplicate
    );
    assert_eq!(store.costs(t, &q).await.unwrap(), before);
    let pods = store
        .costs(t, &query(day_window(), CostGrouping::Pod))
        .await
        .unwrap();
    assert_eq!(pods.len(), 24);
}

/// Tenant B never sees tenant A's rows, even for the same cluster and timestamp.
pub async fn tenants_are_isolated(store: &dyn MetricsStore) {
    let (a, b) = (tenant(), tenant());
    let ts = at(2026, 11, 20, 9, 0, 0);
    let snapshot_a = agent_snapshot("prod", ts);
    let snapshot_b = small_snapshot("prod", ts, 600);
    assert_eq!(
        store.append(a, &snapshot_a).await.unwrap(),
        AppendOutcome::Stored
    );
    assert_eq!(
        store.append(b, &snapshot_b).await.unwrap(),
        AppendOutcome::Stored,
        "the idempotency key includes the tenant"
    );
    let stranger = tenant();
    for grouping in [
        CostGrouping::Cluster,
        CostGrouping::Namespace,
        CostGrouping::Pod,
    ] {
        assert!(
            store
                .costs(stranger, &query(day_window(), grouping))
                .await
                .unwrap()
                .is_empty()
        );
    }
    let rows = store
        .costs(b, &query(day_window(), CostGrouping::Cluster))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].cost.total(),
        snapshot_b.totals().node_cost + snapshot_b.totals().off_node_pod_cost
    );
    let window = day_window();
    let filter = CostFilter::default();
    assert!(
        store
            .utilization(stranger, &window, &filter)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .usage_series(stranger, &window, &filter)
            .await
            .unwrap()
            .is_empty()
    );
    let cluster = ClusterName::new("prod").unwrap();
    let later = at(2026, 11, 21, 0, 0, 0);
    assert_eq!(
        store
            .previous_snapshot_time(stranger, &cluster, later)
            .await
            .unwrap(),
        None
    );
}
