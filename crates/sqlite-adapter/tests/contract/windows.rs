//! Windows: partial edge hours count exactly their samples (start ≤ t < end), a snapshot at
//! 00:00:00 UTC belongs to the day it starts, and trend buckets start at the hour, the UTC
//! day and the ISO week (Monday).

use chrono::{Duration, TimeZone, Utc};
use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::costs::{CostFilter, CostGrouping, CostKey, TrendInterval};
use kcost_domain::money::Money;
use kcost_ports::MetricsStore;

use super::fixtures::{
    SMALL, agent_snapshot, all_pods, allocated, at, costs, store_all, tenant, window,
};

/// Samples at 09:10, 09:50, 10:00, 10:50, 11:10; windows cutting hours anywhere count
/// exactly the samples inside them, whether answered from rollups or raw samples.
pub async fn a_window_cutting_hours_in_half(store: &dyn MetricsStore) {
    let t = tenant();
    let times = [at(9, 10), at(9, 50), at(10, 0), at(10, 50), at(11, 10)];
    let snapshots: Vec<PricedSnapshot> = times
        .iter()
        .map(|ts| agent_snapshot(SMALL, "prod", *ts, 600))
        .collect();
    store_all(store, t, &snapshots.iter().collect::<Vec<_>>()).await;
    let one = all_pods(&snapshots[0]);
    let idle = snapshots[0].totals().idle;
    let cases = [
        (at(9, 30), at(11, 0), 3),   // half of 09h, all of 10h
        (at(9, 30), at(10, 30), 2),  // half of 09h, half of 10h
        (at(9, 0), at(10, 0), 2),    // exactly one hour, the next hour's first sample out
        (at(8, 30), at(10, 30), 3),  // trailing edge starting exactly on a sample
        (at(10, 0), at(10, 1), 1),   // no whole hour, starting exactly on a sample
        (at(9, 10), at(9, 50), 1),   // start inclusive, end exclusive
        (at(9, 50), at(11, 10), 3),  // edges exactly on samples
        (at(8, 0), at(12, 0), 5),    // everything
        (at(10, 20), at(10, 40), 0), // inside an hour, between samples
    ];
    for (start, end, samples) in cases {
        let span = window(start, end);
        let expected: Money = (0..samples).map(|_| one).sum();
        for grouping in [
            CostGrouping::Namespace,
            CostGrouping::Pod,
            CostGrouping::Time(TrendInterval::Hourly),
        ] {
            let rows = costs(store, t, grouping, span, CostFilter::default()).await;
            assert_eq!(allocated(&rows), expected, "{grouping:?} {start}..{end}");
        }
        let rows = costs(store, t, CostGrouping::Cluster, span, CostFilter::default()).await;
        let expected_idle: Money = (0..samples).map(|_| idle).sum();
        assert_eq!(
            rows.iter().map(|r| r.cost.idle).sum::<Money>(),
            expected_idle,
            "idle {start}..{end}"
        );
        let pods = store
            .utilization(t, &span, &CostFilter::default())
            .await
            .unwrap();
        assert!(
            pods.iter().all(|p| p.samples == samples),
            "samples {start}..{end}"
        );
    }
}

/// A snapshot at exactly midnight belongs to the day it starts, not the one it ends.
pub async fn a_snapshot_at_midnight_lands_in_its_day(store: &dyn MetricsStore) {
    let t = tenant();
    let midnight = Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap();
    let snapshot = agent_snapshot(SMALL, "prod", midnight, 600);
    store_all(store, t, &[&snapshot]).await;
    let before = window(midnight - Duration::hours(1), midnight);
    assert!(
        costs(
            store,
            t,
            CostGrouping::Cluster,
            before,
            CostFilter::default()
        )
        .await
        .is_empty()
    );
    let edge_before = window(midnight - Duration::minutes(30), midnight);
    assert!(
        costs(
            store,
            t,
            CostGrouping::Cluster,
            edge_before,
            CostFilter::default()
        )
        .await
        .is_empty()
    );
    let after = window(midnight, midnight + Duration::hours(1));
    let rows = costs(
        store,
        t,
        CostGrouping::Cluster,
        after,
        CostFilter::default(),
    )
    .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].cost.allocated(), all_pods(&snapshot));
    let edge_after = window(midnight, midnight + Duration::minutes(1));
    let rows = costs(
        store,
        t,
        CostGrouping::Namespace,
        edge_after,
        CostFilter::default(),
    )
    .await;
    assert_eq!(allocated(&rows), all_pods(&snapshot));
    let days = window(midnight - Duration::days(1), midnight + Duration::days(1));
    let rows = costs(
        store,
        t,
        CostGrouping::Time(TrendInterval::Daily),
        days,
        CostFilter::default(),
    )
    .await;
    assert_eq!(
        rows.iter().map(|r| r.key.clone()).collect::<Vec<_>>(),
        vec![CostKey::Time(midnight)]
    );
}

/// Hourly, daily and weekly buckets, ascending, carrying allocated cost plus idle; weeks
/// start on Monday 00:00 UTC.
pub async fn trend_buckets(store: &dyn MetricsStore) {
    let t = tenant();
    // Sunday 2026-11-22 23:10 and Monday 2026-11-23 00:10 and 01:30: two ISO weeks.
    let sunday = Utc.with_ymd_and_hms(2026, 11, 22, 23, 10, 0).unwrap();
    let monday = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
    let friday = agent_snapshot(SMALL, "prod", at(9, 10), 600);
    let late = agent_snapshot(SMALL, "prod", sunday, 600);
    let early = agent_snapshot(SMALL, "prod", monday + Duration::minutes(10), 600);
    let later = agent_snapshot(SMALL, "prod", monday + Duration::minutes(90), 600);
    store_all(store, t, &[&later, &friday, &late, &early]).await;
    let full = |s: &PricedSnapshot| all_pods(s) + s.totals().idle;
    let span = window(at(0, 0), monday + Duration::days(1));

    let hourly = costs(
        store,
        t,
        CostGrouping::Time(TrendInterval::Hourly),
        span,
        CostFilter::default(),
    )
    .await;
    let keys: Vec<_> = hourly.iter().map(|row| row.key.clone()).collect();
    let expected = [
        at(9, 0),
        sunday - Duration::minutes(10),
        monday,
        monday + Duration::hours(1),
    ];
    assert_eq!(keys, expected.map(CostKey::Time).to_vec());
    assert_eq!(hourly[0].cost.total(), full(&friday));
    assert_eq!(hourly[3].cost.idle, later.totals().idle);
    assert_eq!(hourly[0].pod_count, friday.pods().len() as u64);

    let daily = costs(
        store,
        t,
        CostGrouping::Time(TrendInterval::Daily),
        span,
        CostFilter::default(),
    )
    .await;
    let keys: Vec<_> = daily.iter().map(|row| row.key.clone()).collect();
    let days = [at(0, 0), monday - Duration::days(1), monday];
    assert_eq!(keys, days.map(CostKey::Time).to_vec());
    assert_eq!(daily[2].cost.total(), full(&early) + full(&later));

    let weekly = costs(
        store,
        t,
        CostGrouping::Time(TrendInterval::Weekly),
        span,
        CostFilter::default(),
    )
    .await;
    let keys: Vec<_> = weekly.iter().map(|row| row.key.clone()).collect();
    let weeks = [monday - Duration::days(7), monday];
    assert_eq!(keys, weeks.map(CostKey::Time).to_vec());
    assert_eq!(weekly[0].cost.total(), full(&friday) + full(&late));
    assert_eq!(weekly[1].cost.total(), full(&early) + full(&later));

    // A window cutting the first hour still buckets by whole hours.
    let cut = window(at(9, 5), at(9, 30));
    let hourly = costs(
        store,
        t,
        CostGrouping::Time(TrendInterval::Hourly),
        cut,
        CostFilter::default(),
    )
    .await;
    assert_eq!(hourly.len(), 1);
    assert_eq!(
        (hourly[0].key.clone(), hourly[0].cost.total()),
        (CostKey::Time(at(9, 0)), full(&friday))
    );
}
