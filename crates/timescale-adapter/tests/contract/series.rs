//! Contract: utilization averages, usage series and the previous snapshot's time.

use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::CostFilter;
use kcost_domain::money::Money;
use kcost_domain::window::TimeWindow;
use kcost_ports::{AppendOutcome, MetricsStore};
use rust_decimal::Decimal;

use super::fixtures::{GIB, at, node, pod, snapshot, tenant};

fn window() -> TimeWindow {
    TimeWindow::new(at(2026, 11, 20, 0, 0, 0), at(2026, 11, 21, 0, 0, 0)).unwrap()
}

/// Time-weighted averages, maxima, sample counts and cost per pod.
pub async fn utilization_averages(store: &dyn MetricsStore) {
    let t = tenant();
    let nodes = || vec![node("n1", 4, 16, "0.192")];
    // api: 100 m for 600 s then 300 m for 1800 s → 250 m; memory 1 GiB then 2 GiB.
    let first = snapshot(
        "prod",
        at(2026, 11, 20, 9, 50, 0),
        600,
        vec![
            pod("web", "api", Some("n1"), (200, 100), (GIB, GIB)),
            pod("web", "idle", Some("n1"), (100, 0), (0, 0)),
        ],
        nodes(),
    );
    let second = snapshot(
        "prod",
        at(2026, 11, 20, 10, 20, 0),
        1800,
        vec![pod("web", "api", Some("n1"), (200, 300), (GIB, 2 * GIB))],
        nodes(),
    );
    for s in [&first, &second] {
        assert_eq!(store.append(t, s).await.unwrap(), AppendOutcome::Stored);
    }
    // The whole day (rollups), and 09:30-10:30, which has no whole hour (raw samples only).
    for window in [
        window(),
        TimeWindow::new(at(2026, 11, 20, 9, 30, 0), at(2026, 11, 20, 10, 30, 0)).unwrap(),
    ] {
        let rows = store
            .utilization(t, &window, &CostFilter::default())
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
            .utilization(t, &window(), &only_other)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Series per pod, ordered by cluster/namespace/pod, points oldest first whatever the
/// append order; rates and owner from the latest sample.
pub async fn usage_series_ordering(store: &dyn MetricsStore) {
    let t = tenant();
    let mk = |h, price: &str, cpu| {
        snapshot(
            "prod",
            at(2026, 11, 20, h, 0, 0),
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
    for s in [&late, &early, &middle] {
        assert_eq!(store.append(t, s).await.unwrap(), AppendOutcome::Stored);
    }
    let series = store
        .usage_series(t, &window(), &CostFilter::default())
        .await
        .unwrap();
    let names: Vec<(&str, &str)> = series
        .iter()
        .map(|s| (s.namespace.as_str(), s.pod.as_str()))
        .collect();
    assert_eq!(names, [("api", "z"), ("web", "a"), ("web", "b")]);
    let b = &series[2];
    let hours: Vec<_> = b.points.iter().map(|p| p.at).collect();
    assert_eq!(
        hours,
        [
            at(2026, 11, 20, 8, 0, 0),
            at(2026, 11, 20, 10, 0, 0),
            at(2026, 11, 20, 12, 0, 0)
        ]
    );
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
        store
            .usage_series(t, &window(), &web_only)
            .await
            .unwrap()
            .len(),
        2
    );
}

/// The latest snapshot strictly before a time, per tenant and cluster.
pub async fn previous_snapshot_time(store: &dyn MetricsStore) {
    let t = tenant();
    let prod = ClusterName::new("prod").unwrap();
    let mk = |cluster: &str, h| {
        snapshot(
            cluster,
            at(2026, 11, 20, h, 0, 0),
            600,
            vec![],
            vec![node("n1", 2, 8, "0.1")],
        )
    };
    for s in [mk("prod", 8), mk("prod", 9), mk("staging", 10)] {
        assert_eq!(store.append(t, &s).await.unwrap(), AppendOutcome::Stored);
    }
    let previous = |h, m| store.previous_snapshot_time(t, &prod, at(2026, 11, 20, h, m, 0));
    assert_eq!(previous(8, 0).await.unwrap(), None, "strictly before");
    assert_eq!(
        previous(9, 0).await.unwrap(),
        Some(at(2026, 11, 20, 8, 0, 0))
    );
    assert_eq!(
        previous(9, 1).await.unwrap(),
        Some(at(2026, 11, 20, 9, 0, 0))
    );
    assert_eq!(
        previous(23, 0).await.unwrap(),
        Some(at(2026, 11, 20, 9, 0, 0))
    );
}
