//! Contract: windows count exactly the samples with start ≤ ts < end, whether a window
//! covers whole hours, cuts one in half, or meets a day (partition) boundary; trend buckets.

use chrono::{DateTime, Utc};
use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::costs::{CostGrouping, CostKey, TrendInterval};
use kcost_domain::money::Money;
use kcost_domain::window::TimeWindow;
use kcost_ports::{AppendOutcome, MetricsStore};
use rust_decimal::Decimal;

use super::costs::query;
use super::fixtures::{at, small_snapshot, tenant};

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

async fn cluster_totals(
    store: &dyn MetricsStore,
    t: kcost_domain::tenant::TenantId,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> (Money, Money, Money) {
    let window = TimeWindow::new(start, end).unwrap();
    let rows = store
        .costs(t, &query(window, CostGrouping::Cluster))
        .await
        .unwrap();
    assert!(rows.len() <= 1);
    rows.first()
        .map_or((Money::ZERO, Money::ZERO, Money::ZERO), |r| {
            (r.cost.cpu, r.cost.memory, r.cost.idle)
        })
}

/// Edge-hour raw samples plus whole-hour rollups give the samples inside the window.
pub async fn a_window_cutting_hours_in_half(store: &dyn MetricsStore) {
    let t = tenant();
    let times = [(9, 10), (9, 40), (10, 10), (10, 40), (11, 10)];
    let snaps: Vec<PricedSnapshot> = times
        .iter()
        .map(|&(h, m)| small_snapshot("prod", at(2026, 11, 20, h, m, 0), 1800))
        .collect();
    for s in &snaps {
        assert_eq!(store.append(t, s).await.unwrap(), AppendOutcome::Stored);
    }
    let d = |h, m| at(2026, 11, 20, h, m, 0);
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
            cluster_totals(store, t, d(sh, sm), d(eh, em)).await,
            totals(&picked),
            "window {sh}:{sm}-{eh}:{em}"
        );
    }
    let window = TimeWindow::new(d(9, 30), d(11, 0)).unwrap();
    let rows = store
        .costs(t, &query(window, CostGrouping::Cluster))
        .await
        .unwrap();
    assert_eq!(
        rows[0].usage.cpu_usage_core_hours,
        cpu_usage_core_hours(&[&snaps[1], &snaps[2], &snaps[3]])
    );
    assert_eq!(rows[0].pod_count, 3);
}

/// A snapshot at exactly 00:00:00 UTC belongs to the day it starts.
pub async fn a_snapshot_at_midnight_lands_in_its_day(store: &dyn MetricsStore) {
    let t = tenant();
    let before = small_snapshot("prod", at(2026, 11, 19, 23, 59, 59), 600);
    let midnight = small_snapshot("prod", at(2026, 11, 20, 0, 0, 0), 600);
    for s in [&before, &midnight] {
        assert_eq!(store.append(t, s).await.unwrap(), AppendOutcome::Stored);
    }
    let day = |d| at(2026, 11, d, 0, 0, 0);
    assert_eq!(
        cluster_totals(store, t, day(20), day(21)).await,
        totals(&[&midnight])
    );
    assert_eq!(
        cluster_totals(store, t, day(19), day(20)).await,
        totals(&[&before])
    );
    let window = TimeWindow::new(day(19), day(21)).unwrap();
    let rows = store
        .costs(t, &query(window, CostGrouping::Time(TrendInterval::Daily)))
        .await
        .unwrap();
    let keys: Vec<&CostKey> = rows.iter().map(|r| &r.key).collect();
    assert_eq!(keys, [&CostKey::Time(day(19)), &CostKey::Time(day(20))]);
    let (cpu, memory, idle) = totals(&[&midnight]);
    assert_eq!(rows[1].cost.total(), cpu + memory + idle);
}

/// Hourly, daily and weekly (Monday) buckets, ascending, idle included.
pub async fn trend_buckets(store: &dyn MetricsStore) {
    let t = tenant();
    // 2026-11-22 is a Sunday, 2026-11-23 a Monday.
    let stamps = [(22, 22, 30), (22, 23, 10), (23, 0, 20), (23, 1, 40)];
    let snaps: Vec<PricedSnapshot> = stamps
        .iter()
        .map(|&(d, h, m)| small_snapshot("prod", at(2026, 11, d, h, m, 0), 600))
        .collect();
    for s in &snaps {
        assert_eq!(store.append(t, s).await.unwrap(), AppendOutcome::Stored);
    }
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
    let two_days = TimeWindow::new(at(2026, 11, 22, 0, 0, 0), at(2026, 11, 24, 0, 0, 0)).unwrap();
    assert_eq!(
        trend(two_days, TrendInterval::Daily).await,
        [
            (
                CostKey::Time(at(2026, 11, 22, 0, 0, 0)),
                total(&[&snaps[0], &snaps[1]])
            ),
            (
                CostKey::Time(at(2026, 11, 23, 0, 0, 0)),
                total(&[&snaps[2], &snaps[3]])
            ),
        ]
    );
    assert_eq!(
        trend(two_days, TrendInterval::Weekly).await,
        [
            (
                CostKey::Time(at(2026, 11, 16, 0, 0, 0)),
                total(&[&snaps[0], &snaps[1]])
            ),
            (
                CostKey::Time(at(2026, 11, 23, 0, 0, 0)),
                total(&[&snaps[2], &snaps[3]])
            ),
        ]
    );
    // Starts mid-hour (22:45) and ends mid-hour (01:50): 01:40 comes from raw samples.
    let cut = TimeWindow::new(at(2026, 11, 22, 22, 45, 0), at(2026, 11, 23, 1, 50, 0)).unwrap();
    assert_eq!(
        trend(cut, TrendInterval::Hourly).await,
        [
            (
                CostKey::Time(at(2026, 11, 22, 23, 0, 0)),
                total(&[&snaps[1]])
            ),
            (
                CostKey::Time(at(2026, 11, 23, 0, 0, 0)),
                total(&[&snaps[2]])
            ),
            (
                CostKey::Time(at(2026, 11, 23, 1, 0, 0)),
                total(&[&snaps[3]])
            ),
        ]
    );
}
