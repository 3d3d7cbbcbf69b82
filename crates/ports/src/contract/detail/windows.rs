//! Windows: partial edge hours count exactly their samples (start ≤ t < end), a snapshot at
//! 00:00:00 UTC belongs to the day it starts (and its day partition), and trend buckets
//! start at the hour, the UTC day and the ISO week (Monday).

use chrono::{DateTime, Duration, Utc};
use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::costs::{CostFilter, CostGrouping, CostKey, TrendInterval};
use kcost_domain::money::Money;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use rust_decimal::Decimal;

use crate::MetricsStore;
use crate::contract::fixtures::{
    SMALL, agent_snapshot, all_pods, allocated, at, query, store_all, tenant, three_pod_snapshot,
    unfiltered_costs, utc, window,
};

/// (cpu, memory, idle) of `snapshots`.
fn totals(snapshots: &[&PricedSnapshot]) -> (Money, Money, Money) {
    let mut sums = (Money::ZERO, Money::ZERO, Money::ZERO);
    for s in snapshots {
        sums.0 += s.pods().iter().map(|p| p.cpu_cost).sum::<Money>();
        sums.1 += s.pods().iter().map(|p| p.ram_cost).sum::<Money>();
        sums.2 += s.totals().idle;
    }
    sums
}

/// Σ CPU usage in core-hours.
fn cpu_usage_core_hours(snapshots: &[&PricedSnapshot]) -> Decimal {
    let millicore_seconds: u64 = snapshots
        .iter()
        .flat_map(|s| {
            let seconds = u64::from(s.duration().seconds);
            s.snapshot()
                .pods()
                .iter()
                .map(move |p| p.figures.cpu_usage.get() * seconds)
        })
        .sum();
    Decimal::from(millicore_seconds) / Decimal::from(3_600_000)
}

/// (cpu, memory, idle) of the one cluster row of `[start, end)`, zero without one.
async fn cluster_totals(
    store: &dyn MetricsStore,
    t: TenantId,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> (Money, Money, Money) {
    let rows = store
        .costs(t, &query(window(start, end), CostGrouping::Cluster))
        .await
        .unwrap();
    assert!(rows.len() <= 1);
    rows.first()
        .map_or((Money::ZERO, Money::ZERO, Money::ZERO), |r| {
            (r.cost.cpu, r.cost.memory, r.cost.idle)
        })
}

/// Samples at 09:10, 09:50, 10:00, 10:50, 11:10; windows cutting hours anywhere count
/// exactly the samples inside them, whether answered from rollups or raw samples. Then
/// hand-built 1800 s samples at :10 and :40: CPU, memory and idle apart, and usage hours.
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
            let rows = unfiltered_costs(store, t, grouping, span).await;
            assert_eq!(allocated(&rows), expected, "{grouping:?} {start}..{end}");
        }
        let rows = unfiltered_costs(store, t, CostGrouping::Cluster, span).await;
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

    // Edge-hour raw samples plus whole-hour rollups give the samples inside the window.
    let t = tenant();
    let times = [(9, 10), (9, 40), (10, 10), (10, 40), (11, 10)];
    let snaps: Vec<PricedSnapshot> = times
        .iter()
        .map(|&(h, m)| three_pod_snapshot("prod", at(h, m), 1800))
        .collect();
    store_all(store, t, &snaps.iter().collect::<Vec<_>>()).await;
    type Case = ((u32, u32), (u32, u32), &'static [usize]);
    let cases: [Case; 5] = [
        ((9, 30), (11, 0), &[1, 2, 3]), // edge 09:30-10:00 + whole hour 10
        ((10, 0), (10, 30), &[2]),      // no whole hour: raw only
        ((9, 30), (10, 30), &[1, 2]),   // two half hours
        ((9, 0), (12, 0), &[0, 1, 2, 3, 4]),
        ((9, 40), (10, 40), &[1, 2]), // start inclusive, end exclusive
    ];
    for ((sh, sm), (eh, em), inside) in cases {
        let picked: Vec<&PricedSnapshot> = inside.iter().map(|&i| &snaps[i]).collect();
        assert_eq!(
            cluster_totals(store, t, at(sh, sm), at(eh, em)).await,
            totals(&picked),
            "window {sh}:{sm}-{eh}:{em}"
        );
    }
    let rows = store
        .costs(
            t,
            &query(window(at(9, 30), at(11, 0)), CostGrouping::Cluster),
        )
        .await
        .unwrap();
    assert_eq!(
        rows[0].usage.cpu_usage_core_hours,
        cpu_usage_core_hours(&[&snaps[1], &snaps[2], &snaps[3]])
    );
    assert_eq!(rows[0].pod_count, 3);
}

/// A snapshot at exactly midnight belongs to the day it starts, not the one it ends; one a
/// second before midnight stays in its own day.
pub async fn a_snapshot_at_midnight_lands_in_its_day(store: &dyn MetricsStore) {
    let t = tenant();
    let midnight = utc(2026, 11, 21, 0, 0, 0);
    let snapshot = agent_snapshot(SMALL, "prod", midnight, 600);
    store_all(store, t, &[&snapshot]).await;
    let before = window(midnight - Duration::hours(1), midnight);
    assert!(
        unfiltered_costs(store, t, CostGrouping::Cluster, before)
            .await
            .is_empty()
    );
    let edge_before = window(midnight - Duration::minutes(30), midnight);
    assert!(
        unfiltered_costs(store, t, CostGrouping::Cluster, edge_before)
            .await
            .is_empty()
    );
    let after = window(midnight, midnight + Duration::hours(1));
    let rows = unfiltered_costs(store, t, CostGrouping::Cluster, after).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].cost.allocated(), all_pods(&snapshot));
    let edge_after = window(midnight, midnight + Duration::minutes(1));
    let rows = unfiltered_costs(store, t, CostGrouping::Namespace, edge_after).await;
    assert_eq!(allocated(&rows), all_pods(&snapshot));
    let days = window(midnight - Duration::days(1), midnight + Duration::days(1));
    let rows = unfiltered_costs(store, t, CostGrouping::Time(TrendInterval::Daily), days).await;
    assert_eq!(
        rows.iter().map(|r| r.key.clone()).collect::<Vec<_>>(),
        vec![CostKey::Time(midnight)]
    );

    // 23:59:59 and 00:00:00: one sample on each side of the day boundary.
    let t = tenant();
    let before = three_pod_snapshot("prod", utc(2026, 11, 19, 23, 59, 59), 600);
    let midnight = three_pod_snapshot("prod", utc(2026, 11, 20, 0, 0, 0), 600);
    store_all(store, t, &[&before, &midnight]).await;
    let day = |d| utc(2026, 11, d, 0, 0, 0);
    assert_eq!(
        cluster_totals(store, t, day(20), day(21)).await,
        totals(&[&midnight])
    );
    assert_eq!(
        cluster_totals(store, t, day(19), day(20)).await,
        totals(&[&before])
    );
    let rows = store
        .costs(
            t,
            &query(
                window(day(19), day(21)),
                CostGrouping::Time(TrendInterval::Daily),
            ),
        )
        .await
        .unwrap();
    let keys: Vec<&CostKey> = rows.iter().map(|r| &r.key).collect();
    assert_eq!(keys, [&CostKey::Time(day(19)), &CostKey::Time(day(20))]);
    let (cpu, memory, idle) = totals(&[&midnight]);
    assert_eq!(rows[1].cost.total(), cpu + memory + idle);
}

/// Hourly, daily and weekly buckets, ascending, carrying allocated cost plus idle; weeks
/// start on Monday 00:00 UTC; windows cutting the first or both edge hours still bucket by
/// whole hours.
pub async fn trend_buckets(store: &dyn MetricsStore) {
    let t = tenant();
    // Sunday 2026-11-22 23:10 and Monday 2026-11-23 00:10 and 01:30: two ISO weeks.
    let sunday = utc(2026, 11, 22, 23, 10, 0);
    let monday = utc(2026, 11, 23, 0, 0, 0);
    let friday = agent_snapshot(SMALL, "prod", at(9, 10), 600);
    let late = agent_snapshot(SMALL, "prod", sunday, 600);
    let early = agent_snapshot(SMALL, "prod", monday + Duration::minutes(10), 600);
    let later = agent_snapshot(SMALL, "prod", monday + Duration::minutes(90), 600);
    store_all(store, t, &[&later, &friday, &late, &early]).await;
    let full = |s: &PricedSnapshot| all_pods(s) + s.totals().idle;
    let span = window(at(0, 0), monday + Duration::days(1));

    let hourly = unfiltered_costs(store, t, CostGrouping::Time(TrendInterval::Hourly), span).await;
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

    let daily = unfiltered_costs(store, t, CostGrouping::Time(TrendInterval::Daily), span).await;
    let keys: Vec<_> = daily.iter().map(|row| row.key.clone()).collect();
    let days = [at(0, 0), monday - Duration::days(1), monday];
    assert_eq!(keys, days.map(CostKey::Time).to_vec());
    assert_eq!(daily[2].cost.total(), full(&early) + full(&later));

    let weekly = unfiltered_costs(store, t, CostGrouping::Time(TrendInterval::Weekly), span).await;
    let keys: Vec<_> = weekly.iter().map(|row| row.key.clone()).collect();
    let weeks = [monday - Duration::days(7), monday];
    assert_eq!(keys, weeks.map(CostKey::Time).to_vec());
    assert_eq!(weekly[0].cost.total(), full(&friday) + full(&late));
    assert_eq!(weekly[1].cost.total(), full(&early) + full(&later));

    // A window cutting the first hour still buckets by whole hours.
    let cut = window(at(9, 5), at(9, 30));
    let hourly = unfiltered_costs(store, t, CostGrouping::Time(TrendInterval::Hourly), cut).await;
    assert_eq!(hourly.len(), 1);
    assert_eq!(
        (hourly[0].key.clone(), hourly[0].cost.total()),
        (CostKey::Time(at(9, 0)), full(&friday))
    );

    // Hand-built pods: two samples on Sunday, two on Monday.
    let t = tenant();
    let stamps = [(22, 22, 30), (22, 23, 10), (23, 0, 20), (23, 1, 40)];
    let snaps: Vec<PricedSnapshot> = stamps
        .iter()
        .map(|&(d, h, m)| three_pod_snapshot("prod", utc(2026, 11, d, h, m, 0), 600))
        .collect();
    store_all(store, t, &snaps.iter().collect::<Vec<_>>()).await;
    let total = |picked: &[&PricedSnapshot]| {
        let (cpu, memory, idle) = totals(picked);
        cpu + memory + idle
    };
    let trend = |window: TimeWindow, interval| async move {
        store
            .costs(t, &query(window, CostGrouping::Time(interval)))
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.key, r.cost.total()))
            .collect::<Vec<_>>()
    };
    let two_days = window(utc(2026, 11, 22, 0, 0, 0), utc(2026, 11, 24, 0, 0, 0));
    assert_eq!(
        trend(two_days, TrendInterval::Daily).await,
        [
            (
                CostKey::Time(utc(2026, 11, 22, 0, 0, 0)),
                total(&[&snaps[0], &snaps[1]])
            ),
            (
                CostKey::Time(utc(2026, 11, 23, 0, 0, 0)),
                total(&[&snaps[2], &snaps[3]])
            ),
        ]
    );
    assert_eq!(
        trend(two_days, TrendInterval::Weekly).await,
        [
            (
                CostKey::Time(utc(2026, 11, 16, 0, 0, 0)),
                total(&[&snaps[0], &snaps[1]])
            ),
            (
                CostKey::Time(utc(2026, 11, 23, 0, 0, 0)),
                total(&[&snaps[2], &snaps[3]])
            ),
        ]
    );
    // Starts mid-hour (22:45) and ends mid-hour (01:50): 01:40 comes from raw samples.
    let cut = window(utc(2026, 11, 22, 22, 45, 0), utc(2026, 11, 23, 1, 50, 0));
    assert_eq!(
        trend(cut, TrendInterval::Hourly).await,
        [
            (
                CostKey::Time(utc(2026, 11, 22, 23, 0, 0)),
                total(&[&snaps[1]])
            ),
            (
                CostKey::Time(utc(2026, 11, 23, 0, 0, 0)),
                total(&[&snaps[2]])
            ),
            (
                CostKey::Time(utc(2026, 11, 23, 1, 0, 0)),
                total(&[&snaps[3]])
            ),
        ]
    );
}
