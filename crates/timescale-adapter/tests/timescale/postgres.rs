//! `PgMetricsStore` against the real PostgreSQL: what only PostgreSQL has — day
//! partitions, retention dropping them, and a closed pool reported as `Unavailable`. One
//! fresh database per test. The shared contract suites run in `ports_contract.rs`.

// Test helpers outside #[test] functions may unwrap and panic too.

use chrono::{Duration, NaiveDate, Utc};
use kcost_domain::costs::{CostFilter, CostGrouping};
use kcost_domain::window::TimeWindow;
use kcost_ports::{AppendOutcome, MetricsStore, MetricsStoreError};
use kcost_timescale_adapter::{PgMetricsStore, StorageLayout};

use crate::support::{TestDb, with_store};
use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::tenant::TenantId;
use kcost_migrations::{MigratorTrait, TimeseriesMigrator};
use kcost_ports::contract::fixtures::{
    labelled_with_sidecar, query, store_all, tenant, three_pod_snapshot, utc,
};
use kcost_ports::contract::rollup::{answers, history};

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
        let snapshots = [before, midnight].map(|ts| three_pod_snapshot("prod", ts, 600));
        store_all(&store, t, &snapshots.iter().collect::<Vec<_>>()).await;
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
        let snapshots = [old, recent].map(|ts| three_pod_snapshot("prod", ts, 600));
        store_all(&store, t, &snapshots.iter().collect::<Vec<_>>()).await;
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

// ---------------------------------------------------------------------------------------
// Migrating a database filled by the previous schema (wide samples, rollups written on
// ingest, pod presence bitmaps) to pods as dimensions and append-only samples.

/// Time-series migrations before `m20261206_000001_pod_dimensions`.
const STEPS_BEFORE_DIMENSIONS: u32 = 3;

/// Writes `priced` as the previous schema's append did: the snapshot row, wide pod
/// samples, node samples (rollups are derived afterwards by [`legacy_rollups`]).
async fn legacy_append(pool: &sqlx::PgPool, tenant: TenantId, priced: &PricedSnapshot) {
    let snapshot = priced.snapshot();
    let ts = snapshot.timestamp();
    let cluster = snapshot.cluster().as_str();
    let seconds = i32::try_from(priced.duration().seconds).unwrap();
    let totals = priced.totals();
    let day = ts.date_naive();
    sqlx::query("SELECT kcost_ensure_sample_partitions($1, $1)")
        .bind(day)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO snapshots (tenant_id, cluster, ts, duration_seconds, duration_basis,
                                pod_count, node_count, node_cost, idle, off_node_pod_cost)
         VALUES ($1, $2, $3, $4, 'declared', $5, $6, $7, $8, $9)",
    )
    .bind(tenant.as_uuid())
    .bind(cluster)
    .bind(ts)
    .bind(seconds)
    .bind(i32::try_from(snapshot.pods().len()).unwrap())
    .bind(i32::try_from(snapshot.nodes().len()).unwrap())
    .bind(totals.node_cost.amount())
    .bind(totals.idle.amount())
    .bind(totals.off_node_pod_cost.amount())
    .execute(pool)
    .await
    .unwrap();
    for (pod, cost) in snapshot.pods().iter().zip(priced.pods()) {
        let f = &pod.figures;
        let big = |v: u64| i64::try_from(v).unwrap();
        sqlx::query(
            "INSERT INTO pod_samples (tenant_id, cluster, ts, namespace, pod, node, placement,
                 owner_kind, owner_name, cpu_usage_m, cpu_request_m, cpu_limit_m, mem_usage_b,
                 mem_request_b, mem_limit_b, duration_seconds, cpu_cost, ram_cost, cpu_rate,
                 ram_rate, storage_cost, network_cost, load_balancer_cost)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                     $17, $18, $19, $20, $21, $22, $23)",
        )
        .bind(tenant.as_uuid())
        .bind(cluster)
        .bind(ts)
        .bind(&pod.namespace)
        .bind(&pod.name)
        .bind(pod.node.as_deref())
        .bind(kcost_store_support::stored_placement(cost.placement))
        .bind(pod.owner.as_ref().map(|o| o.kind.clone()))
        .bind(pod.owner.as_ref().map(|o| o.name.clone()))
        .bind(big(f.cpu_usage.get()))
        .bind(big(f.cpu_request.get()))
        .bind(f.cpu_limit.map(|l| big(l.get())))
        .bind(big(f.memory_usage.get()))
        .bind(big(f.memory_request.get()))
        .bind(f.memory_limit.map(|l| big(l.get())))
        .bind(seconds)
        .bind(cost.cpu_cost.amount())
        .bind(cost.ram_cost.amount())
        .bind(cost.rates.cpu_core_hourly)
        .bind(cost.rates.ram_gib_hourly)
        .bind(cost.direct.storage.amount())
        .bind(cost.direct.network.amount())
        .bind(cost.direct.load_balancer.amount())
        .execute(pool)
        .await
        .unwrap();
    }
    for (node, cost) in snapshot.nodes().iter().zip(priced.nodes()) {
        let big = |v: u64| i64::try_from(v).unwrap();
        sqlx::query(
            "INSERT INTO node_samples (tenant_id, cluster, ts, node, instance_type,
                 cpu_capacity_m, mem_capacity_b, cpu_allocatable_m, mem_allocatable_b,
                 hourly_price, price_source, cpu_rate, ram_rate, cpu_cost, ram_cost, idle_cpu,
                 idle_ram, overcommit_cpu, overcommit_ram, duration_seconds)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                     $17, $18, $19, $20)",
        )
        .bind(tenant.as_uuid())
        .bind(cluster)
        .bind(ts)
        .bind(&node.name)
        .bind(node.instance_type.as_deref())
        .bind(big(node.cpu_capacity.get()))
        .bind(big(node.memory_capacity.get()))
        .bind(big(node.cpu_allocatable.get()))
        .bind(big(node.memory_allocatable.get()))
        .bind(cost.price.hourly)
        .bind(cost.price.source.as_str())
        .bind(cost.price.rates.cpu_core_hourly)
        .bind(cost.price.rates.ram_gib_hourly)
        .bind(cost.cpu_cost.amount())
        .bind(cost.ram_cost.amount())
        .bind(cost.idle_cpu.amount())
        .bind(cost.idle_ram.amount())
        .bind(cost.overcommit_cpu.amount())
        .bind(cost.overcommit_ram.amount())
        .bind(seconds)
        .execute(pool)
        .await
        .unwrap();
    }
}

/// The rollups the previous schema kept complete on every append, derived from its rows.
async fn legacy_rollups(pool: &sqlx::PgPool) {
    for sql in [
        "INSERT INTO pod_costs_hourly (tenant_id, hour, cluster, namespace, pod, node, cpu_cost,
             ram_cost, cpu_usage_mcs, cpu_request_mcs, mem_usage_bs, mem_request_bs,
             max_cpu_usage_m, max_mem_usage_b, sample_count, sample_seconds, storage_cost,
             network_cost, load_balancer_cost)
         SELECT tenant_id, date_trunc('hour', ts, 'UTC'), cluster, namespace, pod,
                COALESCE(node, ''), SUM(cpu_cost), SUM(ram_cost),
                SUM(cpu_usage_m::numeric * duration_seconds),
                SUM(cpu_request_m::numeric * duration_seconds),
                SUM(mem_usage_b::numeric * duration_seconds),
                SUM(mem_request_b::numeric * duration_seconds), MAX(cpu_usage_m),
                MAX(mem_usage_b), COUNT(*), SUM(duration_seconds), SUM(storage_cost),
                SUM(network_cost), SUM(load_balancer_cost)
         FROM pod_samples GROUP BY 1, 2, 3, 4, 5, 6",
        "INSERT INTO namespace_costs_hourly (tenant_id, hour, cluster, namespace, cpu_cost,
             ram_cost, cpu_usage_mcs, cpu_request_mcs, mem_usage_bs, mem_request_bs,
             sample_count, storage_cost, network_cost, load_balancer_cost)
         SELECT tenant_id, hour, cluster, namespace, SUM(cpu_cost), SUM(ram_cost),
                SUM(cpu_usage_mcs), SUM(cpu_request_mcs), SUM(mem_usage_bs),
                SUM(mem_request_bs), SUM(sample_count), SUM(storage_cost), SUM(network_cost),
                SUM(load_balancer_cost)
         FROM pod_costs_hourly GROUP BY 1, 2, 3, 4",
        "INSERT INTO node_idle_hourly (tenant_id, hour, cluster, node, cpu_cost, ram_cost,
             idle_cpu, idle_ram, overcommit_cpu, overcommit_ram, sample_count)
         SELECT tenant_id, date_trunc('hour', ts, 'UTC'), cluster, node, SUM(cpu_cost),
                SUM(ram_cost), SUM(idle_cpu), SUM(idle_ram), SUM(overcommit_cpu),
                SUM(overcommit_ram), COUNT(*)
         FROM node_samples GROUP BY 1, 2, 3, 4",
        "INSERT INTO pod_presence_monthly (tenant_id, month, cluster, namespace, pod, hours)
         SELECT tenant_id, date_trunc('month', hour, 'UTC'), cluster, namespace, pod,
                bit_or(set_bit(repeat('0', 744)::bit(744),
                       (extract(epoch FROM hour - date_trunc('month', hour, 'UTC')) / 3600)::int,
                       1))
         FROM pod_costs_hourly GROUP BY 1, 2, 3, 4, 5",
    ] {
        sqlx::query(sql).execute(pool).await.unwrap();
    }
}

#[tokio::test]
async fn a_database_of_the_previous_schema_migrates_with_its_data() {
    let legacy = TestDb::create_at(Some(STEPS_BEFORE_DIMENSIONS)).await;
    let fresh = TestDb::create().await;
    let legacy_pool = sqlx::PgPool::connect(&legacy.url).await.unwrap();
    let t = tenant();
    let snapshots = history();
    for priced in &snapshots {
        legacy_append(&legacy_pool, t, priced).await;
    }
    legacy_rollups(&legacy_pool).await;
    legacy_pool.close().await;

    let db = sea_orm::Database::connect(&legacy.url).await.unwrap();
    TimeseriesMigrator::up(&db, None)
        .await
        .expect("the previous schema migrates with its data");
    db.close().await.unwrap();

    let migrated = legacy.store().await;
    let reference = fresh.store().await;
    let refs: Vec<&PricedSnapshot> = snapshots.iter().collect();
    store_all(&reference, t, &refs).await;

    let expected = answers(&reference, t).await.without_window_sums();
    assert_eq!(
        answers(&migrated, t).await.without_window_sums(),
        expected,
        "right after the migration"
    );
    let later = utc(2026, 11, 22, 12, 0, 0);
    migrated.roll_up(later).await.unwrap();
    assert_eq!(
        answers(&migrated, t).await.without_window_sums(),
        expected,
        "after rollups"
    );

    // Every pod kept its identity; new snapshots land next to the migrated rows.
    let stored = migrated
        .pod_descriptions(t, &CostFilter::default())
        .await
        .unwrap();
    let distinct: std::collections::BTreeSet<_> = snapshots
        .iter()
        .flat_map(|s| {
            let cluster = s.snapshot().cluster().to_string();
            s.snapshot()
                .pods()
                .iter()
                .map(move |p| (cluster.clone(), p.namespace.clone(), p.name.clone()))
        })
        .collect();
    assert_eq!(stored.len(), distinct.len());
    let next = three_pod_snapshot("prod", utc(2026, 11, 20, 10, 0, 0), 600);
    for store in [&migrated, &reference] {
        assert_eq!(store.append(t, &next).await.unwrap(), AppendOutcome::Stored);
    }
    assert_eq!(
        answers(&migrated, t).await.without_window_sums(),
        answers(&reference, t).await.without_window_sums()
    );

    for store in [migrated, reference] {
        store.pool().close().await;
    }
    legacy.destroy().await;
    fresh.destroy().await;
}

#[tokio::test]
async fn append_writes_samples_and_descriptions_but_no_rollup() {
    with_store(|store| async move {
        let t = tenant();
        // One pod gets a sidecar: its two containers are stored; the others' lone
        // container, with the pod's own figures, is not stored again.
        let with_sidecar = |ts| labelled_with_sidecar("prod-eu", ts);
        let first = with_sidecar(utc(2026, 11, 20, 9, 0, 0));
        let second = with_sidecar(utc(2026, 11, 20, 9, 10, 0));
        store_all(&store, t, &[&first, &second]).await;
        let pods = i64::try_from(first.snapshot().pods().len()).unwrap();
        let nodes = i64::try_from(first.snapshot().nodes().len()).unwrap();
        for (sql, expected) in [
            ("SELECT count(*) FROM pod_samples", 2 * pods),
            ("SELECT count(*) FROM container_samples", 2 * 2),
            ("SELECT count(DISTINCT container) FROM container_samples", 2),
            ("SELECT count(*) FROM node_samples", 2 * nodes),
            ("SELECT count(*) FROM node_samples WHERE node_id IS NULL", 0),
            ("SELECT count(*) FROM pods", pods),
            ("SELECT count(*) FROM nodes", nodes),
            ("SELECT count(*) FROM pod_costs_hourly", 0),
            ("SELECT count(*) FROM namespace_costs_hourly", 0),
            ("SELECT count(*) FROM node_idle_hourly", 0),
            ("SELECT count(*) FROM pod_costs_daily", 0),
        ] {
            let found: i64 = sqlx::query_scalar(sql)
                .fetch_one(store.pool())
                .await
                .unwrap();
            assert_eq!(found, expected, "{sql}");
        }
        let watermark: chrono::DateTime<Utc> =
            sqlx::query_scalar("SELECT rolled_until FROM rollup_state")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(watermark, utc(2026, 11, 20, 9, 0, 0));
    })
    .await;
}

/// A late snapshot committing while a rollup stretch is being built: appends do not wait
/// for the build, so the stretch must notice under the watermark lock that its hours
/// gained a snapshot, and leave the watermark for the next run to build them again.
#[tokio::test]
async fn a_snapshot_committed_while_a_stretch_is_built_sends_it_back_to_be_built_again() {
    with_store(|store| async move {
        let t = tenant();
        let snapshots =
            [9, 11].map(|hour| three_pod_snapshot("prod-eu", utc(2026, 11, 20, hour, 0, 0), 600));
        store_all(&store, t, &snapshots.iter().collect::<Vec<_>>()).await;
        let watermark = || async {
            sqlx::query_scalar::<_, chrono::DateTime<Utc>>("SELECT rolled_until FROM rollup_state")
                .fetch_one(store.pool())
                .await
                .unwrap()
        };
        assert_eq!(watermark().await, utc(2026, 11, 20, 9, 0, 0));

        // An append of 10:00 in flight, as `append` leaves it before its commit: the
        // snapshot row inserted and the watermark row locked.
        let mut late = store.pool().begin().await.unwrap();
        sqlx::query(
            "INSERT INTO snapshots (tenant_id, cluster, ts, duration_seconds, duration_basis,
                                    pod_count, node_count, node_cost, idle, off_node_pod_cost)
             VALUES ($1, 'prod-eu', $2, 600, 'declared', 0, 0, 0, 0, 0)",
        )
        .bind(t.as_uuid())
        .bind(utc(2026, 11, 20, 10, 0, 0))
        .execute(&mut *late)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO rollup_state AS r (tenant_id, cluster, rolled_until)
             VALUES ($1, 'prod-eu', $2)
             ON CONFLICT (tenant_id, cluster) DO UPDATE SET rolled_until = EXCLUDED.rolled_until
             WHERE r.rolled_until > EXCLUDED.rolled_until",
        )
        .bind(t.as_uuid())
        .bind(utc(2026, 11, 20, 10, 0, 0))
        .execute(&mut *late)
        .await
        .unwrap();

        // The rollup builds 09:00–11:00 without waiting, then waits for the row.
        let now = utc(2026, 11, 20, 12, 0, 0);
        let rolling = {
            let store = store.clone();
            tokio::spawn(async move { store.roll_up(now).await })
        };
        loop {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
            .fetch_one(store.pool())
            .await
            .unwrap();
            if waiting > 0 {
                break;
            }
            tokio::task::yield_now().await;
        }
        late.commit().await.unwrap();
        let report = rolling.await.unwrap().unwrap();
        assert_eq!(
            report.hours, 0,
            "the stretch gained a snapshot: not recorded"
        );
        assert_eq!(watermark().await, utc(2026, 11, 20, 9, 0, 0));

        let report = store.roll_up(now).await.unwrap();
        assert_eq!(report.hours, 2);
        assert_eq!(watermark().await, utc(2026, 11, 20, 11, 0, 0));
    })
    .await;
}
