//! `m20261206_000001_pod_dimensions` on a SQLite file holding data: a database migrated up
//! to `m20261126` is filled with the rows the previous append code wrote (wide pod samples,
//! node samples, snapshots, and hourly rollups complete up to each cluster's latest hour),
//! migrated, and must answer every question exactly as a store that ingested the same
//! snapshots under the new schema — before and after rollup runs and further appends.
//!
//! The old rows are made from a reference store's tables (same snapshots, rolled up to the
//! end) by SQL in the old layout, one connection with the reference file attached.

// Test helpers outside #[test] functions may unwrap and panic too.

use crate::support::TestDb;
use chrono::{DateTime, Duration, Utc};
use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::costs::{CostFilter, CostGrouping};
use kcost_domain::snapshot::Owner;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_migrations::{MigratorTrait, TimeseriesMigrator};
use kcost_ports::MetricsStore;
use kcost_ports::contract::fixtures::{
    GIB, LABELS, NODES_NULL, SMALL, agent_snapshot, all_pods, at, costs, idle_of, node, pod,
    snapshot, store_all, tenant, utc, window,
};
use kcost_ports::contract::rollup::{Answers, answers_over};
use kcost_sqlite_adapter::{SqliteMetricsStore, open};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};

/// Time-series migrations before `m20261206_000001_pod_dimensions`.
const BEFORE_DIMENSIONS: u32 = 3;

/// `prod`: three pods (one pending) on two nodes; `web-1`'s owner changes at 08:30.
fn prod(ts: DateTime<Utc>) -> PricedSnapshot {
    let mut web = pod("web", "web-1", Some("n1"), (500, 700), (GIB, GIB / 2));
    if ts >= at(8, 30) {
        web.owner = Some(Owner {
            kind: "StatefulSet".into(),
            name: "web".into(),
        });
    }
    snapshot(
        "prod",
        ts,
        600,
        vec![
            web,
            pod("web", "web-2", Some("n2"), (250, 100), (2 * GIB, 3 * GIB)),
            pod("batch", "job-1", None, (1000, 0), (4 * GIB, 0)),
        ],
        vec![node("n1", 4, 16, "0.192"), node("n2", 2, 8, "0.0961")],
    )
}

/// Every 10 minutes from 2026-11-19 23:00 to 11-20 01:50 and 08:00 to 09:50: `prod` and
/// `edge` (the reference agent, nodes missing every fifth time) for one tenant, `prod-eu`
/// (labelled pods with containers) from 09:00 for another.
fn history() -> Vec<(usize, PricedSnapshot)> {
    let mut snapshots = Vec::new();
    for (start, hours) in [(utc(2026, 11, 19, 23, 0, 0), 3), (at(8, 0), 2)] {
        for step in 0..hours * 6 {
            let ts = start + Duration::minutes(10 * step);
            snapshots.push((0, prod(ts)));
            let payload = if step % 5 == 0 { NODES_NULL } else { SMALL };
            snapshots.push((0, agent_snapshot(payload, "edge", ts, 600)));
            if ts >= at(9, 0) {
                snapshots.push((1, agent_snapshot(LABELS, "prod-eu", ts, 600)));
            }
        }
    }
    snapshots
}

/// Snapshots arriving after the migration: one late into the last migrated hour, two
/// later ones.
fn after() -> Vec<(usize, PricedSnapshot)> {
    vec![
        (0, prod(at(9, 55))),
        (0, prod(at(10, 10))),
        (1, agent_snapshot(LABELS, "prod-eu", at(11, 0), 600)),
    ]
}

fn windows() -> Vec<TimeWindow> {
    vec![
        window(utc(2026, 11, 19, 0, 0, 0), utc(2026, 11, 22, 0, 0, 0)),
        window(utc(2026, 11, 19, 22, 25, 0), at(9, 35)),
        window(at(0, 0), utc(2026, 11, 21, 0, 0, 0)),
        window(at(8, 0), at(10, 0)),
        window(at(8, 5), at(8, 45)),
        window(at(9, 0), at(12, 0)),
    ]
}

/// Everything the store answered about `tenant` over [`windows`] before the migration.
async fn answers(store: &dyn MetricsStore, tenant: TenantId) -> Answers {
    answers_over(store, tenant, &windows())
        .await
        .without_window_sums()
}

async fn scalar(db: &impl ConnectionTrait, sql: &str) -> i64 {
    db.query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap()
}

/// The rows the previous append code wrote for the reference store's data, in the old
/// layout: wide pod samples with their identity, node samples without node ids, and
/// hourly rollups keyed by (cluster, namespace, pod, node).
const OLD_ROWS: [&str; 5] = [
    "INSERT INTO snapshots SELECT * FROM ref.snapshots",
    "INSERT INTO pod_samples (tenant_id, cluster, ts, namespace, pod, node, placement,
         owner_kind, owner_name, cpu_usage_m, cpu_request_m, cpu_limit_m, mem_usage_b,
         mem_request_b, mem_limit_b, duration_seconds, cpu_cost, ram_cost, cpu_rate, ram_rate,
         storage_cost, network_cost, load_balancer_cost)
     SELECT s.tenant_id, p.cluster, s.ts, p.namespace, p.pod, p.node, s.placement,
         p.owner_kind, p.owner_name, s.cpu_usage_m, s.cpu_request_m, s.cpu_limit_m,
         s.mem_usage_b, s.mem_request_b, s.mem_limit_b, s.duration_seconds, s.cpu_cost,
         s.ram_cost, s.cpu_rate, s.ram_rate, s.storage_cost, s.network_cost,
         s.load_balancer_cost
     FROM ref.pod_samples s JOIN ref.pods p ON p.pod_id = s.pod_id",
    "INSERT INTO node_samples (tenant_id, cluster, ts, node, instance_type, cpu_capacity_m,
         mem_capacity_b, cpu_allocatable_m, mem_allocatable_b, hourly_price, price_source,
         cpu_rate, ram_rate, cpu_cost, ram_cost, idle_cpu, idle_ram, overcommit_cpu,
         overcommit_ram, duration_seconds)
     SELECT tenant_id, cluster, ts, node, instance_type, cpu_capacity_m, mem_capacity_b,
         cpu_allocatable_m, mem_allocatable_b, hourly_price, price_source, cpu_rate, ram_rate,
         cpu_cost, ram_cost, idle_cpu, idle_ram, overcommit_cpu, overcommit_ram,
         duration_seconds
     FROM ref.node_samples",
    // Test data only: the resource-seconds are small integers, so INTEGER sums are exact.
    "INSERT INTO pod_costs_hourly (tenant_id, hour, cluster, namespace, pod, node, cpu_cost,
         ram_cost, cpu_usage_mcs, cpu_request_mcs, mem_usage_bs, mem_request_bs,
         max_cpu_usage_m, max_mem_usage_b, sample_count, sample_seconds, storage_cost,
         network_cost, load_balancer_cost)
     SELECT tenant_id, hour, cluster, namespace, pod, node, SUM(cpu_cost), SUM(ram_cost),
         CAST(SUM(CAST(cpu_usage_mcs AS INTEGER)) AS TEXT),
         CAST(SUM(CAST(cpu_request_mcs AS INTEGER)) AS TEXT),
         CAST(SUM(CAST(mem_usage_bs AS INTEGER)) AS TEXT),
         CAST(SUM(CAST(mem_request_bs AS INTEGER)) AS TEXT),
         MAX(max_cpu_usage_m), MAX(max_mem_usage_b), SUM(sample_count), SUM(sample_seconds),
         SUM(storage_cost), SUM(network_cost), SUM(load_balancer_cost)
     FROM ref.pod_costs_hourly
     GROUP BY tenant_id, hour, cluster, namespace, pod, node",
    "INSERT INTO node_idle_hourly SELECT * FROM ref.node_idle_hourly",
];

/// A database at `m20261126` holding the old rows of `reference`'s data.
async fn old_database(reference: &TestDb, dir: &tempfile::TempDir) -> DatabaseConnection {
    let url = TestDb::url_in(dir);
    let db = open(&url).await.unwrap();
    TimeseriesMigrator::up(&db, Some(BEFORE_DIMENSIONS))
        .await
        .unwrap();
    // One connection, so the attachment is seen by every statement.
    let mut options = ConnectOptions::new(url);
    options.max_connections(1).sqlx_logging(false);
    let single = Database::connect(options).await.unwrap();
    let path = reference.dir.path().join("kcost.db");
    single
        .execute_unprepared(&format!("ATTACH DATABASE '{}' AS ref", path.display()))
        .await
        .unwrap();
    for sql in OLD_ROWS {
        single.execute_unprepared(sql).await.unwrap();
    }
    single
        .execute_unprepared("DETACH DATABASE ref")
        .await
        .unwrap();
    single.close().await.unwrap();
    db
}

#[tokio::test]
async fn migrating_a_database_with_data_keeps_every_answer() {
    let tenants = [tenant(), tenant()];
    let reference = TestDb::new().await;
    let history = history();
    for (t, snapshot) in &history {
        store_all(&reference.store, tenants[*t], &[snapshot]).await;
    }
    // The old code kept every hour rolled up, the latest included.
    let much_later = utc(2026, 11, 25, 0, 0, 0);
    reference.store.roll_up(much_later).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let db = old_database(&reference, &dir).await;
    let old_samples = scalar(&db, "SELECT COUNT(*) FROM pod_samples").await;
    let old_hours = scalar(&db, "SELECT COUNT(*) FROM pod_costs_hourly").await;
    assert!(old_samples > 0 && old_hours > 0);
    TimeseriesMigrator::up(&db, None).await.unwrap();
    let migrated = SqliteMetricsStore::new(db.clone()).unwrap();

    // Every row moved; one description per old identity (web-1 has two owners).
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM pod_samples").await,
        old_samples
    );
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM pod_costs_hourly").await,
        old_hours
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM pods WHERE pod = 'web-1' AND fingerprint IS NULL"
        )
        .await,
        2
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM node_samples WHERE node_id IS NULL"
        )
        .await,
        0
    );
    // Each cluster is rolled up to the hour after its latest snapshot, and the days
    // before that have daily rollups.
    let ten = at(10, 0).timestamp();
    assert_eq!(
        scalar(
            &db,
            &format!("SELECT COUNT(*) FROM rollup_state WHERE rolled_until = {ten}")
        )
        .await,
        3,
        "rolled until 2026-11-20 10:00"
    );
    assert_eq!(
        scalar(&db, "SELECT COUNT(DISTINCT day) FROM pod_costs_daily").await,
        1,
        "only 2026-11-19 is over"
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'legacy_%'"
        )
        .await,
        0
    );

    for (i, t) in tenants.into_iter().enumerate() {
        assert_eq!(
            answers(&migrated, t).await,
            answers(&reference.store, t).await,
            "tenant {i} right after the migration"
        );
    }
    // The totals are the priced snapshots'.
    let day = window(utc(2026, 11, 19, 0, 0, 0), utc(2026, 11, 22, 0, 0, 0));
    let rows = costs(
        &migrated,
        tenants[0],
        CostGrouping::Cluster,
        day,
        CostFilter::default(),
    )
    .await;
    let mine: Vec<&PricedSnapshot> = history
        .iter()
        .filter(|(t, _)| *t == 0)
        .map(|(_, s)| s)
        .collect();
    let pods = mine.iter().map(|s| all_pods(s)).sum();
    assert_eq!(
        rows.iter()
            .map(|r| r.cost.allocated())
            .sum::<kcost_domain::money::Money>(),
        pods
    );
    assert_eq!(
        rows.iter()
            .map(|r| r.cost.idle)
            .sum::<kcost_domain::money::Money>(),
        idle_of(&mine)
    );

    // Rollup runs and new appends (a late one included) on both: still the same.
    let report = migrated.roll_up(much_later).await.unwrap();
    assert!(report.hours > 0, "{report:?}");
    for (t, snapshot) in after() {
        store_all(&migrated, tenants[t], &[&snapshot]).await;
        store_all(&reference.store, tenants[t], &[&snapshot]).await;
    }
    for (i, t) in tenants.into_iter().enumerate() {
        assert_eq!(
            answers(&migrated, t).await,
            answers(&reference.store, t).await,
            "tenant {i} after new appends"
        );
    }
    migrated.roll_up(much_later).await.unwrap();
    reference.store.roll_up(much_later).await.unwrap();
    for (i, t) in tenants.into_iter().enumerate() {
        assert_eq!(
            answers(&migrated, t).await,
            answers(&reference.store, t).await,
            "tenant {i} after the next rollup run"
        );
    }

    // Migrated descriptions are listed beside the new ones.
    let described = migrated
        .pod_descriptions(tenants[0], &CostFilter::default())
        .await
        .unwrap();
    let web = described
        .iter()
        .filter(|p| p.description.name == "web-1")
        .count();
    assert_eq!(web, 3, "two migrated owners and the one ingested since");
}
