//! `SqliteMetricsStore` on a fresh temporary SQLite file per test: what is SQLite's own —
//! WAL and pragmas on every pooled connection, multi-row batches beyond the bound-parameter
//! limit, appends that write no rollup, retention, and a closed connection reported as
//! `Unavailable`. The shared contract suites run in `ports_contract.rs`, the migration of
//! existing data in `migration.rs`.

// Test helpers outside #[test] functions may unwrap and panic too.

use std::time::Duration;

use kcost_domain::costs::{CostFilter, CostGrouping, CostQuery, TrendInterval};
use kcost_ports::{AppendOutcome, MetricsStore, MetricsStoreError};
use kcost_sqlite_adapter::{BUSY_TIMEOUT, journal_mode, open};
use sea_orm::{
    ConnectionTrait, DbBackend, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait,
};

use crate::support::TestDb;
use kcost_ports::contract::fixtures::{
    GIB, LABELS, SMALL, agent_snapshot, all_pods, allocated, at, costs, labelled_with_sidecar,
    node, pod, snapshot, store_all, tenant, window,
};

async fn count(conn: &impl ConnectionTrait, sql: &str) -> i64 {
    let row = conn
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn pragma(conn: &impl ConnectionTrait, name: &str) -> i64 {
    let row = conn
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            format!("PRAGMA {name}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test]
async fn open_creates_the_file_in_wal_mode_with_pragmas_on_every_connection() {
    let test = TestDb::new().await;
    assert!(test.dir.path().join("kcost.db").exists());
    assert_eq!(journal_mode(&test.db).await.unwrap(), "wal");
    // Hold one pooled connection in a transaction; the next statements use another.
    let txn = test.db.begin().await.unwrap();
    assert_eq!(pragma(&txn, "synchronous").await, 1, "NORMAL");
    assert_eq!(pragma(&test.db, "synchronous").await, 1, "NORMAL");
    assert_eq!(pragma(&txn, "foreign_keys").await, 1);
    assert_eq!(pragma(&test.db, "foreign_keys").await, 1);
    let timeout = i64::try_from(BUSY_TIMEOUT.as_millis()).unwrap();
    assert_eq!(pragma(&txn, "busy_timeout").await, timeout);
    assert_eq!(pragma(&test.db, "busy_timeout").await, timeout);
    txn.commit().await.unwrap();
    // The WAL file exists next to the database once something was written.
    let t = tenant();
    store_all(
        &test.store,
        t,
        &[&agent_snapshot(SMALL, "prod", at(9, 0), 600)],
    )
    .await;
    assert!(test.dir.path().join("kcost.db-wal").exists());
    // Reopening finds the file, its data and WAL again.
    let again = open(&TestDb::url_in(&test.dir)).await.unwrap();
    assert_eq!(journal_mode(&again).await.unwrap(), "wal");
}

#[tokio::test]
async fn open_creates_missing_directories_and_accepts_memory() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("a/b/kcost.db");
    let db = open(&format!("sqlite://{}", nested.display()))
        .await
        .unwrap();
    assert!(nested.exists());
    assert_eq!(journal_mode(&db).await.unwrap(), "wal");
    let memory = open("sqlite::memory:").await.unwrap();
    assert_eq!(journal_mode(&memory).await.unwrap(), "memory");
}

#[cfg(feature = "migrate")]
#[tokio::test]
async fn migrate_creates_the_schema_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&TestDb::url_in(&dir)).await.unwrap();
    kcost_sqlite_adapter::migrate(&db).await.unwrap();
    kcost_sqlite_adapter::migrate(&db).await.unwrap();
    let store = kcost_sqlite_adapter::SqliteMetricsStore::new(db).unwrap();
    store_all(
        &store,
        tenant(),
        &[&agent_snapshot(SMALL, "prod", at(9, 0), 600)],
    )
    .await;
}

#[tokio::test]
async fn a_snapshot_larger_than_one_insert_batch_is_stored_whole() {
    let test = TestDb::new().await;
    let t = tenant();
    // 5,000 pods: several 20-column batches under SQLite's 32,766 bound parameters.
    let pods = (0..5_000)
        .map(|i| {
            pod(
                &format!("ns-{}", i % 37),
                &format!("pod-{i}"),
                Some(if i % 2 == 0 { "n1" } else { "n2" }),
                (100, 50 + i % 300),
                (GIB / 4, GIB / 8),
            )
        })
        .collect();
    let big = snapshot(
        "prod",
        at(9, 0),
        600,
        pods,
        vec![node("n1", 600, 2400, "30"), node("n2", 600, 2400, "30")],
    );
    store_all(&test.store, t, &[&big]).await;
    let hour = window(at(9, 0), at(10, 0));
    let rows = costs(
        &test.store,
        t,
        CostGrouping::Namespace,
        hour,
        CostFilter::default(),
    )
    .await;
    assert_eq!(rows.len(), 37);
    assert_eq!(allocated(&rows), all_pods(&big));
    assert_eq!(rows.iter().map(|r| r.pod_count).sum::<u64>(), 5_000);
    let cluster = costs(
        &test.store,
        t,
        CostGrouping::Cluster,
        hour,
        CostFilter::default(),
    )
    .await;
    assert_eq!(cluster[0].cost.total(), big.totals().node_cost);
    let edge = window(at(8, 59), at(9, 1));
    assert_eq!(
        allocated(
            &costs(
                &test.store,
                t,
                CostGrouping::Namespace,
                edge,
                CostFilter::default()
            )
            .await
        ),
        all_pods(&big)
    );
}

#[tokio::test]
async fn retention_deletes_whole_hours_before_the_cutoff() {
    let test = TestDb::new().await;
    let t = tenant();
    let old = agent_snapshot(SMALL, "prod", at(8, 10), 600);
    let kept = agent_snapshot(SMALL, "prod", at(9, 10), 600);
    store_all(&test.store, t, &[&old, &kept]).await;
    // 08h rolled up (09h is still open).
    let rolled = test.store.roll_up(at(9, 20)).await.unwrap();
    assert_eq!(rolled.hours, 1);
    // A cutoff inside 09h rounds down to 09:00: 08h goes, 09h stays whole.
    let report = test.store.delete_older_than(at(9, 30)).await.unwrap();
    assert_eq!(report.cutoff, at(9, 0));
    let pods = old.pods().len() as u64;
    let nodes = old.nodes().len() as u64;
    assert_eq!(report.deleted_samples, pods + nodes);
    assert_eq!(report.deleted_rollup_rows, pods + nodes);
    assert_eq!(report.deleted_snapshots, 1);
    let day = window(at(0, 0), at(23, 0));
    let rows = costs(
        &test.store,
        t,
        CostGrouping::Namespace,
        day,
        CostFilter::default(),
    )
    .await;
    assert_eq!(allocated(&rows), all_pods(&kept));
    let edge = window(at(8, 5), at(9, 20));
    let rows = costs(
        &test.store,
        t,
        CostGrouping::Namespace,
        edge,
        CostFilter::default(),
    )
    .await;
    assert_eq!(allocated(&rows), all_pods(&kept));
    let cluster = old.snapshot().cluster();
    assert_eq!(
        test.store
            .previous_snapshot_time(t, cluster, at(9, 0))
            .await
            .unwrap(),
        None
    );
    // Nothing left to delete the second time.
    let again = test.store.delete_older_than(at(9, 30)).await.unwrap();
    assert_eq!(
        (
            again.deleted_samples,
            again.deleted_rollup_rows,
            again.deleted_snapshots
        ),
        (0, 0, 0)
    );
}

#[tokio::test]
async fn a_closed_connection_is_unavailable() {
    let test = TestDb::new().await;
    test.store.ping().await.unwrap();
    test.db.close_by_ref().await.unwrap();
    let t = tenant();
    let snapshot = agent_snapshot(SMALL, "prod", at(9, 0), 600);
    let unavailable = |result: Result<(), MetricsStoreError>| {
        assert!(
            matches!(result, Err(MetricsStoreError::Unavailable(_))),
            "{result:?}"
        );
    };
    unavailable(test.store.ping().await);
    unavailable(test.store.append(t, &snapshot).await.map(drop));
    let query = CostQuery {
        window: window(at(9, 0), at(10, 0)),
        grouping: CostGrouping::Time(TrendInterval::Hourly),
        filter: CostFilter::default(),
    };
    unavailable(test.store.costs(t, &query).await.map(drop));
    unavailable(
        test.store
            .utilization(t, &query.window, &query.filter)
            .await
            .map(drop),
    );
    unavailable(test.store.delete_older_than(at(9, 0)).await.map(drop));
}

#[tokio::test]
async fn a_writer_waits_for_the_lock_instead_of_failing() {
    let test = TestDb::new().await;
    let t = tenant();
    // Another connection holds the write lock briefly; append waits (busy timeout) and
    // then succeeds.
    let holder = open(&TestDb::url_in(&test.dir)).await.unwrap();
    let txn = holder
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await
        .unwrap();
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        txn.commit().await.unwrap();
    });
    let snapshot = agent_snapshot(SMALL, "prod", at(9, 0), 600);
    assert_eq!(
        test.store.append(t, &snapshot).await.unwrap(),
        AppendOutcome::Stored
    );
    release.await.unwrap();
    let rows = costs(
        &test.store,
        t,
        CostGrouping::Cluster,
        window(at(9, 0), at(10, 0)),
        CostFilter::default(),
    )
    .await;
    assert_eq!(rows[0].cost.allocated(), all_pods(&snapshot));
}

#[tokio::test]
async fn append_writes_samples_and_descriptions_but_no_rollup() {
    let test = TestDb::new().await;
    let t = tenant();
    // The agent's pods have one container each, like the pod itself (not stored again);
    // give one a sidecar, whose pod then has two containers worth storing.
    let with_sidecar = |ts| labelled_with_sidecar("prod-eu", ts);
    let first = with_sidecar(at(9, 0));
    let second = with_sidecar(at(9, 10));
    let late = with_sidecar(at(8, 50));
    store_all(&test.store, t, &[&first, &second]).await;
    let pods = i64::try_from(first.snapshot().pods().len()).unwrap();
    let nodes = i64::try_from(first.snapshot().nodes().len()).unwrap();
    let containers: usize = first
        .snapshot()
        .pods()
        .iter()
        .map(|p| p.containers_beyond_pod().len())
        .sum();
    assert_eq!(containers, 2, "the sidecar's pod's two containers");
    for (sql, expected) in [
        ("SELECT COUNT(*) FROM pod_samples", 2 * pods),
        (
            "SELECT COUNT(*) FROM container_samples",
            2 * i64::try_from(containers).unwrap(),
        ),
        ("SELECT COUNT(*) FROM node_samples", 2 * nodes),
        ("SELECT COUNT(*) FROM node_samples WHERE node_id IS NULL", 0),
        ("SELECT COUNT(*) FROM pods", pods),
        ("SELECT COUNT(*) FROM nodes", nodes),
        ("SELECT COUNT(*) FROM pod_costs_hourly", 0),
        ("SELECT COUNT(*) FROM node_idle_hourly", 0),
        ("SELECT COUNT(*) FROM pod_costs_daily", 0),
        (
            "SELECT rolled_until FROM rollup_state",
            at(9, 0).timestamp(),
        ),
    ] {
        assert_eq!(count(&test.db, sql).await, expected, "{sql}");
    }

    // A late snapshot lowers the watermark and moves first_seen back; still no rollup.
    store_all(&test.store, t, &[&late]).await;
    assert_eq!(
        count(&test.db, "SELECT rolled_until FROM rollup_state").await,
        at(8, 0).timestamp()
    );
    assert_eq!(
        count(&test.db, "SELECT MAX(first_seen) FROM pods").await,
        at(8, 50).timestamp()
    );
    assert_eq!(count(&test.db, "SELECT COUNT(*) FROM pods").await, pods);
    assert_eq!(
        count(&test.db, "SELECT COUNT(*) FROM pod_costs_hourly").await,
        0
    );

    // A rollup run builds the closed hours: 08h (09h is still open at 09:20).
    let report = test.store.roll_up(at(9, 20)).await.unwrap();
    assert_eq!((report.hours, report.days), (1, 0));
    assert_eq!(
        count(&test.db, "SELECT COUNT(*) FROM pod_costs_hourly").await,
        pods
    );
    assert_eq!(
        count(&test.db, "SELECT rolled_until FROM rollup_state").await,
        at(9, 0).timestamp()
    );
}

#[tokio::test]
async fn a_new_store_on_the_same_file_finds_stored_descriptions() {
    let test = TestDb::new().await;
    let t = tenant();
    store_all(
        &test.store,
        t,
        &[&agent_snapshot(LABELS, "prod-eu", at(9, 0), 600)],
    )
    .await;
    // Another process (an empty id cache) appends the same pods.
    let other = kcost_sqlite_adapter::SqliteMetricsStore::new(
        open(&TestDb::url_in(&test.dir)).await.unwrap(),
    )
    .unwrap();
    let next = agent_snapshot(LABELS, "prod-eu", at(9, 10), 600);
    store_all(&other, t, &[&next]).await;
    let pods = i64::try_from(next.snapshot().pods().len()).unwrap();
    assert_eq!(count(&test.db, "SELECT COUNT(*) FROM pods").await, pods);
    assert_eq!(
        count(&test.db, "SELECT COUNT(DISTINCT pod_id) FROM pod_samples").await,
        pods
    );
}

#[tokio::test]
async fn retention_cutting_a_rolled_up_day_rebuilds_its_daily_rollup() {
    use chrono::Duration;
    use kcost_ports::contract::fixtures::{three_pod_snapshot, utc};

    // Hourly snapshots from 2026-11-19 20:00 to 11-20 06:00, all rolled up; retention cuts
    // 11-20 at 03:00. The store must answer as one that only ever had the kept snapshots.
    let full = TestDb::new().await;
    let kept = TestDb::new().await;
    let t = tenant();
    let cutoff = at(3, 0);
    let start = utc(2026, 11, 19, 20, 0, 0);
    for hour in 0..11 {
        let s = three_pod_snapshot("prod", start + Duration::hours(hour), 3600);
        store_all(&full.store, t, &[&s]).await;
        if s.snapshot().timestamp() >= cutoff {
            store_all(&kept.store, t, &[&s]).await;
        }
    }
    let later = utc(2026, 11, 23, 0, 0, 0);
    full.store.roll_up(later).await.unwrap();
    kept.store.roll_up(later).await.unwrap();
    let report = full.store.delete_older_than(at(3, 30)).await.unwrap();
    assert_eq!(report.cutoff, cutoff);
    assert!(report.deleted_rollup_rows > 0);
    assert_eq!(
        count(&full.db, "SELECT COUNT(DISTINCT day) FROM pod_costs_daily").await,
        1,
        "11-19 is gone, 11-20 rebuilt"
    );

    let days = window(utc(2026, 11, 19, 0, 0, 0), utc(2026, 11, 22, 0, 0, 0));
    for grouping in [
        CostGrouping::Cluster,
        CostGrouping::Pod,
        CostGrouping::Time(TrendInterval::Daily),
    ] {
        assert_eq!(
            costs(&full.store, t, grouping, days, CostFilter::default()).await,
            costs(&kept.store, t, grouping, days, CostFilter::default()).await,
            "{grouping:?}"
        );
    }
    let filter = CostFilter::default();
    assert_eq!(
        full.store.utilization(t, &days, &filter).await.unwrap(),
        kept.store.utilization(t, &days, &filter).await.unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollup_runs_concurrent_with_appends_and_each_other_lose_nothing() {
    use chrono::Duration;
    use kcost_ports::contract::fixtures::{three_pod_snapshot, utc};

    let test = TestDb::new().await;
    let reference = TestDb::new().await;
    let t = tenant();
    let start = utc(2026, 11, 19, 22, 0, 0);
    let snapshots: Vec<_> = (0..48)
        .map(|step| three_pod_snapshot("prod", start + Duration::minutes(10 * step), 600))
        .collect();
    for s in &snapshots {
        store_all(&reference.store, t, &[s]).await;
    }
    let appender = {
        let store = test.store.clone();
        let snapshots = snapshots.clone();
        tokio::spawn(async move {
            // Newest first: every append after the first is late.
            for s in snapshots.iter().rev() {
                store_all(&store, t, &[s]).await;
            }
        })
    };
    let rollers: Vec<_> = (0..2)
        .map(|_| {
            let store = test.store.clone();
            tokio::spawn(async move {
                for _ in 0..20 {
                    store.roll_up(utc(2026, 11, 23, 0, 0, 0)).await.unwrap();
                }
            })
        })
        .collect();
    appender.await.unwrap();
    for roller in rollers {
        roller.await.unwrap();
    }
    let days = window(utc(2026, 11, 19, 0, 0, 0), utc(2026, 11, 22, 0, 0, 0));
    for _ in 0..2 {
        for grouping in [
            CostGrouping::Cluster,
            CostGrouping::Pod,
            CostGrouping::Time(TrendInterval::Hourly),
            CostGrouping::Time(TrendInterval::Daily),
        ] {
            assert_eq!(
                costs(&test.store, t, grouping, days, CostFilter::default()).await,
                costs(&reference.store, t, grouping, days, CostFilter::default()).await,
                "{grouping:?}"
            );
        }
        test.store
            .roll_up(utc(2026, 11, 23, 0, 0, 0))
            .await
            .unwrap();
    }
}
