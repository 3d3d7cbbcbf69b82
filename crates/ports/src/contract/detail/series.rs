//! Utilization averages, usage series ordering, and the previous snapshot time.

use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::CostFilter;
use kcost_domain::money::Money;
use rust_decimal::Decimal;

use crate::MetricsStore;
use crate::contract::fixtures::{
    GIB, SMALL, agent_snapshot, at, node, pod, snapshot, store_all, tenant, utc, window,
};

/// Time-weighted averages of usage and requests, the peak, the cost and the sample count,
/// over rollup hours and edge samples alike (and raw samples only); a pod that used nothing
/// still costs; the namespace and cluster filters narrow.
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

    // api: 100 m for 600 s then 300 m for 1800 s → 250 m; memory 1 GiB then 2 GiB.
    let t = tenant();
    let nodes = || vec![node("n1", 4, 16, "0.192")];
    let first = snapshot(
        "prod",
        at(9, 50),
        600,
        vec![
            pod("web", "api", Some("n1"), (200, 100), (GIB, GIB)),
            pod("web", "idle", Some("n1"), (100, 0), (0, 0)),
        ],
        nodes(),
    );
    let second = snapshot(
        "prod",
        at(10, 20),
        1800,
        vec![pod("web", "api", Some("n1"), (200, 300), (GIB, 2 * GIB))],
        nodes(),
    );
    store_all(store, t, &[&first, &second]).await;
    let day = window(at(0, 0), utc(2026, 11, 21, 0, 0, 0));
    // The whole day (rollups), and 09:30-10:30, which has no whole hour (raw samples only).
    for span in [day, window(at(9, 30), at(10, 30))] {
        let rows = store
            .utilization(t, &span, &CostFilter::default())
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        let api = &rows[0];
        assert_eq!((api.namespace.as_str(), api.pod.as_str()), ("web", "api"));
        assert_eq!(api.avg_cpu_usage_millicores, Decimal::from(250));
        assert_eq!(api.avg_cpu_request_millicores, Decimal::from(200));
        assert_eq!(api.max_cpu_usage_millicores, 300);
        let avg_mem = Decimal::from(GIB * 600 + 2 * GIB * 1800) / Decimal::from(2400);
        assert_eq!(api.avg_memory_usage_bytes, avg_mem.round_dp(3));
        assert_eq!(api.max_memory_usage_bytes, 2 * GIB);
        assert_eq!(api.samples, 2);
        assert_eq!(api.cost, first.pods()[0].total() + second.pods()[0].total());
        assert_eq!(api.cpu_utilization_percent(), Some(Decimal::from(125)));
        let idle = &rows[1];
        assert_eq!(idle.pod, "idle");
        assert_eq!(idle.avg_cpu_usage_millicores, Decimal::ZERO);
        assert_eq!(idle.samples, 1);
        assert!(idle.cost > Money::ZERO);
    }
    let only_other = CostFilter {
        cluster: Some(ClusterName::new("other").unwrap()),
        namespace: None,
    };
    assert!(
        store
            .utilization(t, &day, &only_other)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Series come back per pod (by cluster, namespace, pod), oldest point first whatever the
/// append order, with the owner and rates of the latest sample; the filters narrow.
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

    // Hand-built pods priced at a different node price each time: the latest rates win.
    let t = tenant();
    let mk = |h, price: &str, cpu| {
        snapshot(
            "prod",
            at(h, 0),
            600,
            vec![
                pod("web", "b", Some("n1"), (100, cpu), (GIB, GIB)),
                pod("web", "a", Some("n1"), (100, cpu + 1), (GIB, GIB)),
                pod("api", "z", Some("n1"), (100, cpu + 2), (GIB, GIB)),
            ],
            vec![node("n1", 4, 16, price)],
        )
    };
    let (late, early, middle) = (mk(12, "0.4", 30), mk(8, "0.1", 10), mk(10, "0.2", 20));
    store_all(store, t, &[&late, &early, &middle]).await;
    let day = window(at(0, 0), utc(2026, 11, 21, 0, 0, 0));
    let series = store
        .usage_series(t, &day, &CostFilter::default())
        .await
        .unwrap();
    let names: Vec<(&str, &str)> = series
        .iter()
        .map(|s| (s.namespace.as_str(), s.pod.as_str()))
        .collect();
    assert_eq!(names, [("api", "z"), ("web", "a"), ("web", "b")]);
    let b = &series[2];
    let hours: Vec<_> = b.points.iter().map(|p| p.at).collect();
    assert_eq!(hours, [at(8, 0), at(10, 0), at(12, 0)]);
    let cpu: Vec<u64> = b.points.iter().map(|p| p.figures.cpu_usage.get()).collect();
    assert_eq!(cpu, [10, 20, 30]);
    assert_eq!(b.points[0].seconds, 600);
    assert_eq!(b.points[0].figures, early.snapshot().pods()[0].figures);
    assert_eq!(b.points[2].figures, late.snapshot().pods()[0].figures);
    assert_eq!(b.rates, late.pods()[0].rates, "rates of the latest sample");
    assert_eq!(
        b.owner.as_ref().map(|o| o.kind.as_str()),
        Some("Deployment")
    );
    let web_only = CostFilter {
        cluster: None,
        namespace: Some("web".into()),
    };
    assert_eq!(
        store.usage_series(t, &day, &web_only).await.unwrap().len(),
        2
    );
}

/// The previous snapshot is the cluster's latest strictly before the given instant, per
/// tenant and cluster, snapshots without pods included.
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

    // Pod-less snapshots in prod at 08:00 and 09:00, and in staging at 10:00.
    let t = tenant();
    let prod = ClusterName::new("prod").unwrap();
    let mk = |cluster: &str, h| {
        snapshot(
            cluster,
            at(h, 0),
            600,
            vec![],
            vec![node("n1", 2, 8, "0.1")],
        )
    };
    store_all(
        store,
        t,
        &[&mk("prod", 8), &mk("prod", 9), &mk("staging", 10)],
    )
    .await;
    let previous = |h, m| store.previous_snapshot_time(t, &prod, at(h, m));
    assert_eq!(previous(8, 0).await.unwrap(), None, "strictly before");
    assert_eq!(previous(9, 0).await.unwrap(), Some(at(8, 0)));
    assert_eq!(previous(9, 1).await.unwrap(), Some(at(9, 0)));
    assert_eq!(previous(23, 0).await.unwrap(), Some(at(9, 0)));
}
