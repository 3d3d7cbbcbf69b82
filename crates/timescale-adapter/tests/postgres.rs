//! `PgMetricsStore` against the real PostgreSQL: what only PostgreSQL has — day
//! partitions, retention dropping them, and a closed pool reported as `Unavailable`. One
//! fresh database per test. The shared contract suites run in `ports_contract.rs`.

// Test helpers outside #[test] functions may unwrap and panic too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use chrono::{Duration, NaiveDate, Utc};
use kcost_domain::costs::{CostFilter, CostGrouping};
use kcost_domain::window::TimeWindow;
use kcost_ports::{AppendOutcome, MetricsStore, MetricsStoreError};
use kcost_timescale_adapter::{PgMetricsStore, StorageLayout};

use kcost_ports::contract::fixtures::{query, tenant, three_pod_snapshot, utc};
use support::{TestDb, with_store};

/// Partition (table) holding the pod samples at `ts`.
async fn partition_of(store: &PgMetricsStore, ts: chrono::DateTime<Utc>) -> Vec<String> {
    sqlx::query_scalar("SELECT DISTINCT tableoid::regclass::text FROM pod_samples WHERE ts = $1")
        .bind(ts)
        .fetch_all(store.pool())
        .await
        .unwrap()
}

async fn partitions(store: &PgMetricsStore) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'pod_samples'::regclass ORDER BY 1",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn migration_creates_native_day_partitions_ahead() {
    with_store(|store| async move {
        assert_eq!(
            store.layout().await.unwrap(),
            StorageLayout::NativePartitions
        );
        let today = Utc::now().date_naive();
        let names = partitions(&store).await;
        for day in 0..=7 {
            let name = format!(
                "pod_samples_p{}",
                (today + Duration::days(day)).format("%Y%m%d")
            );
            assert!(names.contains(&name), "{name} in {names:?}");
        }
        // Idempotent, and nothing to create for days that exist.
        assert_eq!(store.ensure_upcoming_partitions().await.unwrap(), 0);
        let far = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        assert_eq!(
            store.ensure_partitions(far, far).await.unwrap(),
            3,
            "pod, container and node samples"
        );
    })
    .await;
}

#[tokio::test]
async fn samples_land_in_their_day_partition_at_midnight() {
    with_store(|store| async move {
        let t = tenant();
        let midnight = utc(2026, 11, 20, 0, 0, 0);
        let before = utc(2026, 11, 19, 23, 59, 59);
        for ts in [before, midnight] {
            let s = three_pod_snapshot("prod", ts, 600);
            assert_eq!(store.append(t, &s).await.unwrap(), AppendOutcome::Stored);
        }
        assert_eq!(
            partition_of(&store, midnight).await,
            ["pod_samples_p20261120"]
        );
        assert_eq!(
            partition_of(&store, before).await,
            ["pod_samples_p20261119"]
        );
    })
    .await;
}

#[tokio::test]
async fn retention_drops_old_partitions_and_keeps_new_ones() {
    with_store(|store| async move {
        let t = tenant();
        let now = Utc::now();
        let old = now - Duration::days(500);
        let recent = now - Duration::days(3);
        for ts in [old, recent] {
            let s = three_pod_snapshot("prod", ts, 600);
            assert_eq!(store.append(t, &s).await.unwrap(), AppendOutcome::Stored);
        }
        // Rollups of both, built off the ingest path.
        assert!(store.roll_up(now).await.unwrap().hours > 0);
        let old_partition = format!("pod_samples_p{}", old.format("%Y%m%d"));
        let recent_partition = format!("pod_samples_p{}", recent.format("%Y%m%d"));
        assert!(partitions(&store).await.contains(&old_partition));

        let report = store.drop_expired_partitions(400).await.unwrap();
        assert_eq!(
            report.dropped,
            [
                format!("container_samples_p{}", old.format("%Y%m%d")),
                format!("node_samples_p{}", old.format("%Y%m%d")),
                old_partition.clone()
            ]
        );
        assert_eq!(report.deleted_snapshots, 1);
        assert!(
            report.deleted_rollup_rows >= 3,
            "pod and idle rollups of the old snapshot"
        );
        let left = partitions(&store).await;
        assert!(!left.contains(&old_partition));
        assert!(left.contains(&recent_partition));

        let window = TimeWindow::new(now - Duration::days(10), now).unwrap();
        let rows = store
            .costs(t, &query(window, CostGrouping::Cluster))
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "recent data kept");
        let cluster = kcost_domain::cluster::ClusterName::new("prod").unwrap();
        assert_eq!(
            store
                .previous_snapshot_time(t, &cluster, now)
                .await
                .unwrap(),
            Some(recent.with_timezone(&Utc)).map(|ts| {
                // timestamptz keeps microseconds
                chrono::DateTime::from_timestamp_micros(ts.timestamp_micros()).unwrap()
            })
        );
        // A snapshot for a dropped day recreates its partition on append.
        let s = three_pod_snapshot("prod", old, 600);
        assert_eq!(store.append(t, &s).await.unwrap(), AppendOutcome::Stored);
    })
    .await;
}

#[tokio::test]
async fn a_closed_pool_is_unavailable() {
    let db = TestDb::create().await;
    let store = db.store().await;
    store.pool().close().await;
    let unavailable = |r: Result<(), MetricsStoreError>| {
        assert!(matches!(r, Err(MetricsStoreError::Unavailable(_))), "{r:?}");
    };
    unavailable(store.ping().await);
    let s = three_pod_snapshot("prod", utc(2026, 11, 20, 9, 0, 0), 600);
    unavailable(store.append(tenant(), &s).await.map(drop));
    let window = TimeWindow::new(utc(2026, 11, 20, 0, 0, 0), utc(2026, 11, 21, 0, 0, 0)).unwrap();
    unavailable(
        store
            .costs(tenant(), &query(window, CostGrouping::Namespace))
            .await
            .map(drop),
    );
    unavailable(
        store
            .usage_series(tenant(), &window, &CostFilter::default())
            .await
            .map(drop),
    );
    db.destroy().await;
}

#[tokio::test]
async fn an_unreachable_server_is_unavailable() {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_secs(2))
        .connect_lazy("postgres://postgres@127.0.0.1:1/postgres")
        .unwrap();
    let store = PgMetricsStore::from_pool(pool);
    let result = store.ping().await;
    assert!(
        matches!(result, Err(MetricsStoreError::Unavailable(_))),
        "{result:?}"
    );
}

/// Rough ingest timing (not a benchmark): `cargo test -p kcost-timescale-adapter --release
/// --test postgres -- --ignored --nocapture five_thousand_pods`.
#[tokio::test]
#[ignore = "timing probe"]
async fn five_thousand_pods_append_timing() {
    use kcost_ports::contract::fixtures::{GIB, node, pod, snapshot};
    with_store(|store| async move {
        let t = tenant();
        let nodes: Vec<_> = (0..50)
            .map(|i| node(&format!("n{i}"), 16, 64, "0.768"))
            .collect();
        let mut timings = Vec::new();
        for round in 0..10 {
            let pods = (0..5000)
                .map(|i| {
                    let node = format!("n{}", i % 50);
                    pod(
                        &format!("ns{}", i % 40),
                        &format!("p{i}"),
                        Some(&node),
                        (100, 90),
                        (GIB / 4, GIB / 5),
                    )
                })
                .collect();
            let ts = utc(2026, 11, 20, 9, 0, 0) + Duration::minutes(10 * round);
            let s = snapshot("prod", ts, 600, pods, nodes.clone());
            let started = std::time::Instant::now();
            assert_eq!(store.append(t, &s).await.unwrap(), AppendOutcome::Stored);
            timings.push(started.elapsed());
        }
        timings.sort();
        eprintln!(
            "5000-pod append: p50 {:?}, max {:?}",
            timings[5], timings[9]
        );
    })
    .await;
}
