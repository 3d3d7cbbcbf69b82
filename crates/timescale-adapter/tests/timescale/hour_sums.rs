//! The per-pod hourly rows the rollup writes from the sums kept in memory during ingest,
//! against the same rows summed from the raw samples: equal to the last digit, down to the
//! rollups built from them; and the samples summed instead whenever memory does not hold
//! every snapshot of a stretch (another replica's append, a restart, a late snapshot).
//! Real PostgreSQL, one database per test.

use chrono::{DateTime, Duration, Timelike, Utc};
use kcost_domain::cost_engine::PricedSnapshot;
use kcost_ports::MetricsStore;
use kcost_ports::contract::fixtures::{GIB, node, pod, snapshot, store_all, tenant, utc};
use kcost_timescale_adapter::PgMetricsStore;

use crate::support::with_store;

/// Odd figures, changing from one snapshot to the next (usage above and below requests),
/// on two nodes at prices that do not divide evenly, and a pending pod.
fn snapshot_at(ts: DateTime<Utc>) -> PricedSnapshot {
    let k = u64::from(ts.minute()) * 13 + u64::from(ts.hour());
    snapshot(
        "prod",
        ts,
        600,
        vec![
            pod(
                "web",
                "web-1",
                Some("n1"),
                (500, 431 + k),
                (GIB, GIB / 3 + k * GIB / 50),
            ),
            pod(
                "web",
                "web-2",
                Some("n2"),
                (250, 97 + k),
                (2 * GIB, 3 * GIB + 7 - k),
            ),
            pod("batch", "job-1", None, (1000, 0), (4 * GIB, 0)),
            pod("cron", "tick", Some("n1"), (100, 33), (GIB / 7, GIB / 11)),
        ],
        vec![node("n1", 4, 16, "0.192"), node("n2", 2, 8, "0.0961")],
    )
}

/// Every 10 minutes over three hours from 09:00.
fn snapshots() -> Vec<PricedSnapshot> {
    let first = utc(2026, 11, 20, 9, 0, 0);
    (0..18)
        .map(|i| snapshot_at(first + Duration::minutes(10 * i)))
        .collect()
}

/// A day later: every hour of the snapshots is closed.
fn now() -> DateTime<Utc> {
    utc(2026, 11, 21, 12, 0, 0)
}

/// Every rollup row built from the per-pod hourly rows, as PostgreSQL prints them (so the
/// scale of every `numeric` counts too).
async fn rollup_rows(store: &PgMetricsStore) -> Vec<String> {
    let mut rows = Vec::new();
    for sql in [
        "SELECT h::text FROM pod_costs_hourly h ORDER BY hour, pod_id",
        "SELECT n::text FROM namespace_costs_hourly n ORDER BY hour, namespace",
        "SELECT d::text FROM pod_costs_daily d ORDER BY day, pod_id",
        "SELECT n::text FROM namespace_costs_daily n ORDER BY day, namespace",
    ] {
        let found: Vec<String> = sqlx::query_scalar(sql)
            .fetch_all(store.pool())
            .await
            .unwrap();
        assert!(!found.is_empty(), "{sql}");
        rows.extend(found);
    }
    rows
}

/// The rows a process that kept no sums builds: the watermark sent back to the first
/// hour and every stretch summed from the samples again.
async fn rebuilt_from_samples(store: &PgMetricsStore) -> Vec<String> {
    sqlx::query("UPDATE rollup_state SET rolled_until = $1")
        .bind(utc(2026, 11, 20, 9, 0, 0))
        .execute(store.pool())
        .await
        .unwrap();
    let restarted = PgMetricsStore::from_pool(store.pool().clone());
    let report = restarted.roll_up(now()).await.unwrap();
    assert!(report.hours > 0);
    assert_eq!(report.hours_from_memory, 0, "a new process keeps no sums");
    rollup_rows(store).await
}

async fn total_samples(store: &PgMetricsStore) -> i64 {
    sqlx::query_scalar("SELECT sum(sample_count)::bigint FROM pod_costs_hourly")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

/// The rollups as built cover `snapshots` snapshots of four pods, and equal, row for row,
/// what a process without sums builds from the samples.
async fn assert_built_as_from_samples(store: &PgMetricsStore, snapshots: i64) {
    assert_eq!(total_samples(store).await, snapshots * 4);
    let built = rollup_rows(store).await;
    assert_eq!(rebuilt_from_samples(store).await, built);
}

#[tokio::test]
async fn hourly_rows_from_memory_equal_those_summed_from_the_samples() {
    with_store(|store| async move {
        let snapshots = snapshots();
        // Costs to the last of numeric(20,10)'s places: nothing for a sum to hide.
        assert!(
            snapshots
                .iter()
                .flat_map(|s| s.pods())
                .any(|cost| cost.cpu_cost.amount().scale() == 10)
        );
        store_all(&store, tenant(), &snapshots.iter().collect::<Vec<_>>()).await;

        let report = store.roll_up(now()).await.unwrap();
        assert!(report.hours_from_memory >= 3, "{report:?}");
        assert_built_as_from_samples(&store, 18).await;
    })
    .await;
}

#[tokio::test]
async fn a_snapshot_another_replica_appended_sends_the_stretch_to_the_samples() {
    with_store(|store| async move {
        let snapshots = snapshots();
        let (mine, theirs) = snapshots.split_at(17);
        let t = tenant();
        store_all(&store, t, &mine.iter().collect::<Vec<_>>()).await;
        let replica = PgMetricsStore::from_pool(store.pool().clone());
        store_all(&replica, t, &theirs.iter().collect::<Vec<_>>()).await;

        let report = store.roll_up(now()).await.unwrap();
        assert!(report.hours >= 3);
        assert_eq!(report.hours_from_memory, 0, "memory misses one snapshot");
        assert_built_as_from_samples(&store, 18).await;
    })
    .await;
}

#[tokio::test]
async fn a_late_snapshot_reopening_a_built_hour_sends_it_to_the_samples() {
    with_store(|store| async move {
        let snapshots = snapshots();
        let t = tenant();
        store_all(&store, t, &snapshots.iter().collect::<Vec<_>>()).await;
        assert!(store.roll_up(now()).await.unwrap().hours_from_memory > 0);

        let late = snapshot_at(utc(2026, 11, 20, 9, 5, 0));
        store_all(&store, t, &[&late]).await;
        let report = store.roll_up(now()).await.unwrap();
        assert!(report.hours > 0);
        assert_eq!(
            report.hours_from_memory, 0,
            "memory holds the late one only"
        );
        assert_built_as_from_samples(&store, 19).await;
    })
    .await;
}

/// A back-fill: its hours are closed by the clock, so an hour is built while its snapshots
/// still arrive, and each later one sends it back to be built again. Memory keeps the
/// latest snapshot's hour for that, so the rebuild is from memory too.
#[tokio::test]
async fn a_back_filled_hour_built_before_its_last_snapshots_is_rebuilt_from_memory() {
    with_store(|store| async move {
        let snapshots = snapshots();
        let (first, rest) = snapshots.split_at(3);
        let t = tenant();
        store_all(&store, t, &first.iter().collect::<Vec<_>>()).await;
        assert!(store.roll_up(now()).await.unwrap().hours_from_memory > 0);

        store_all(&store, t, &rest.iter().collect::<Vec<_>>()).await;
        let report = store.roll_up(now()).await.unwrap();
        assert!(report.hours_from_memory >= 3, "{report:?}");
        assert_built_as_from_samples(&store, 18).await;
    })
    .await;
}
