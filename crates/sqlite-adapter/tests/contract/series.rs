//! Utilization averages, usage series ordering, and the previous snapshot time.

use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::CostFilter;
use kcost_ports::MetricsStore;
use rust_decimal::Decimal;

use super::fixtures::{
    GIB, SMALL, agent_snapshot, at, node, pod, snapshot, store_all, tenant, window,
};

/// Time-weighted averages of usage and requests, the peak, the cost and the sample count,
/// over rollup hours and edge samples alike; the namespace filter narrows.
pub async fn utilization_averages(store: &dyn MetricsStore) {
    let t = tenant();
    let nodes = || vec![node("n1", 4, 16, "0.2")];
    // 600 s at 100m/1 GiB use, then 1200 s at 400m/3 GiB use; requests 200m/2 GiB then 500m/2 GiB.
    let first = snapshot(
        "prod",
        at(9, 0),
        600,
        vec![
            pod("web", "api", Some("n1"), (200, 100), (2 * GIB, GIB)),
            pod("batch", "job", Some("n1"), (100, 50), (GIB, GIB)),
        ],
        nodes(),
    );
    let second = snapshot(
        "prod",
        at(10, 10),
        1200,
        vec![
            pod("web", "api", Some("n1"), (500, 400), (2 * GIB, 3 * GIB)),
            pod("batch", "job", Some("n1"), (100, 50), (GIB, GIB)),
        ],
        nodes(),
    );
    store_all(store, t, &[&first, &second]).await;
    let filter = CostFilter {
        cluster: None,
        namespace: Some("web".into()),
    };
    // 09:00–10:00 from rollups, 10:00–10:30 from raw samples.
    let rows = store
        .utilization(t, &window(at(9, 0), at(10, 30)), &filter)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let api = &rows[0];
    assert_eq!((api.namespace.as_str(), api.pod.as_str()), ("web", "api"));
    assert_eq!(api.samples, 2);
    // (100·600 + 400·1200) / 1800 = 300; (200·600 + 500·1200) / 1800 = 400.
    assert_eq!(api.avg_cpu_usage_millicores, Decimal::from(300));
    assert_eq!(api.avg_cpu_request_millicores, Decimal::from(400));
    assert_eq!(api.max_cpu_usage_millicores, 400);
    // (1·600 + 3·1200) / 1800 GiB = 7/3 GiB, rounded to thousandths of a byte.
    let expected_mem = (Decimal::from(7 * GIB) / Decimal::from(3)).round_dp(3);
    assert_eq!(api.avg_memory_usage_bytes, expected_mem);
    assert_eq!(api.avg_memory_request_bytes, Decimal::from(2 * GIB));
    assert_eq!(api.max_memory_usage_bytes, 3 * GIB);
    assert_eq!(api.cost, first.pods()[0].total() + second.pods()[0].total());

    let all = store
        .utilization(t, &window(at(9, 0), at(10, 30)), &CostFilter::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert!(all[0].cost >= all[1].cost, "largest cost first");
}

/// Series come back per pod (by cluster, namespace, pod), oldest point first whatever the
/// append order, with the owner and rates of the latest sample.
pub async fn usage_series_ordering(store: &dyn MetricsStore) {
    let t = tenant();
    let late = agent_snapshot(SMALL, "prod", at(9, 20), 600);
    let early = agent_snapshot(SMALL, "prod", at(9, 0), 300);
    let outside = agent_snapshot(SMALL, "prod", at(10, 0), 600);
    store_all(store, t, &[&late, &outside, &early]).await;
    let series = store
        .usage_series(t, &window(at(9, 0), at(10, 0)), &CostFilter::default())
        .await
        .unwrap();
    assert_eq!(series.len(), early.pods().len());
    let keys: Vec<_> = series
        .iter()
        .map(|s| (s.cluster.clone(), s.namespace.clone(), s.pod.clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "series ordered by cluster, namespace, pod");
    for (sample, cost) in early.snapshot().pods().iter().zip(early.pods()) {
        let one = series
            .iter()
            .find(|s| s.pod == sample.name && s.namespace == sample.namespace)
            .unwrap();
        let times: Vec<_> = one.points.iter().map(|p| (p.at, p.seconds)).collect();
        assert_eq!(times, vec![(at(9, 0), 300), (at(9, 20), 600)]);
        assert_eq!(one.points[0].figures, sample.figures);
        assert_eq!(one.rates, cost.rates);
        assert_eq!(one.owner, sample.owner);
    }
    let filter = CostFilter {
        cluster: Some(ClusterName::new("other").unwrap()),
        namespace: None,
    };
    assert!(
        store
            .usage_series(t, &window(at(9, 0), at(10, 0)), &filter)
            .await
            .unwrap()
            .is_empty()
    );
}

/// The previous snapshot is the cluster's latest strictly before the given instant.
pub async fn previous_snapshot_time(store: &dyn MetricsStore) {
    let t = tenant();
    let snapshots = [
        agent_snapshot(SMALL, "prod", at(9, 0), 600),
        agent_snapshot(SMALL, "prod", at(9, 10), 600),
    ];
    store_all(store, t, &snapshots.iter().collect::<Vec<_>>()).await;
    let cluster = ClusterName::new("prod").unwrap();
    for (before, expected) in [
        (at(9, 10), Some(at(9, 0))),
        (at(9, 5), Some(at(9, 0))),
        (at(9, 30), Some(at(9, 10))),
        (at(9, 0), None),
    ] {
        assert_eq!(
            store
                .previous_snapshot_time(t, &cluster, before)
                .await
                .unwrap(),
            expected,
            "before {before}"
        );
    }
    let other = ClusterName::new("another-cluster").unwrap();
    assert_eq!(
        store
            .previous_snapshot_time(t, &other, at(10, 0))
            .await
            .unwrap(),
        None
    );
}
