//! `PgMetricsStore` on TimescaleDB for real: PGlite (WASM PostgreSQL) with TimescaleDB,
//! served by `tools/pglite-timescale` at `KCOST_TEST_TIMESCALE_URL`
//! (e.g. `postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable`). Without that
//! variable every test prints "skipped: set KCOST_TEST_TIMESCALE_URL" and returns.
//!
//! PGlite holds one database and serves one connection at a time, so the tests run one
//! after another (a process-wide lock), each on a pool of one connection whose
//! `search_path` is a fresh schema (`kcost_tsdb_<uuid>`, then `public` where the extension
//! lives), dropped with its hypertables afterwards — even when the test panics.
//!
//! Covered: the migration's hypertables, compression and retention policies (read back
//! from `timescaledb_information`), idempotent migrations, the whole shared contract suites
//! (`kcost_ports::contract::{metrics, detail}`), retention through `drop_chunks`, and
//! compressed chunks that stay queryable and appendable.

// Test helpers outside #[test] functions may unwrap and panic too.
use std::future::Future;
use std::io::Write;
use std::str::FromStr;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use kcost_domain::costs::{CostFilter, CostGrouping, CostKey, CostQuery, CostRow};
use kcost_domain::window::TimeWindow;
use kcost_migrations::timeseries::timescale;
use kcost_migrations::{MigratorTrait, TimeseriesMigrator};
use kcost_ports::contract::fixtures::{SMALL, priced, store_all, tenant_a};
use kcost_ports::{AppendOutcome, MetricsStore};
use kcost_timescale_adapter::{PgMetricsStore, StorageLayout};
use sea_orm::{DatabaseConnection, DatabaseExecutor, SqlxPostgresConnector};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, PgPool};
use tokio::sync::Mutex;

const URL_VAR: &str = "KCOST_TEST_TIMESCALE_URL";

/// One test at a time: PGlite serves a single connection.
static SERIAL: Mutex<()> = Mutex::const_new(());

/// The server's URL, or `None` after saying (on the real stderr, past the test harness's
/// capture, so it shows in `cargo test` output) that the test is skipped.
fn server_url(test: &str) -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            let _ = writeln!(
                std::io::stderr().lock(),
                "timescaledb::{test}: skipped: set {URL_VAR} (see tools/pglite-timescale)"
            );
            None
        }
    }
}

/// A fresh schema on the TimescaleDB server, reached through a one-connection pool.
struct Scratch {
    schema: String,
    pool: PgPool,
}

impl Scratch {
    async fn create(url: &str) -> Self {
        let schema = format!("kcost_tsdb_{}", uuid::Uuid::new_v4().simple());
        let options = PgConnectOptions::from_str(url).expect("KCOST_TEST_TIMESCALE_URL parses");
        // PGlite ignores startup parameters (`options=-c search_path=…`): set it on connect.
        let set_path = format!("SET search_path TO \"{schema}\", public");
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(StdDuration::from_secs(120))
            .after_connect(move |conn, _meta| {
                let set_path = set_path.clone();
                Box::pin(async move {
                    sqlx::raw_sql(AssertSqlSafe(set_path)).execute(conn).await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .expect("connect to the TimescaleDB test server");
        sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
            .execute(&pool)
            .await
            .expect("create test schema");
        assert_eq!(current_schema(&pool).await, schema, "search_path applies");
        Self { schema, pool }
    }

    /// A sea-orm connection sharing the one-connection pool.
    fn connection(&self) -> DatabaseConnection {
        SqlxPostgresConnector::from_sqlx_postgres_pool(self.pool.clone())
    }

    async fn migrate(&self) {
        TimeseriesMigrator::up(&self.connection(), None)
            .await
            .expect("time-series migration on TimescaleDB");
    }

    async fn destroy(self) {
        sqlx::query(AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS \"{}\" CASCADE",
            self.schema
        )))
        .execute(&self.pool)
        .await
        .expect("drop test schema");
        self.pool.close().await;
    }
}

/// Runs `test` on a migrated store in a fresh schema (one test at a time), then drops the
/// schema; a panic in the test is re-raised after the cleanup.
async fn with_store<F, Fut>(name: &str, test: F)
where
    F: FnOnce(PgMetricsStore, PgPool) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(url) = server_url(name) else { return };
    let _serial = SERIAL.lock().await;
    let scratch = Scratch::create(&url).await;
    scratch.migrate().await;
    let store = PgMetricsStore::from_pool(scratch.pool.clone());
    let outcome = tokio::spawn(test(store, scratch.pool.clone())).await;
    scratch.destroy().await;
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

async fn scalar_i64(pool: &PgPool, sql: &str, schema: &str) -> i64 {
    sqlx::query_scalar(AssertSqlSafe(sql.to_owned()))
        .bind(schema)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The rows of `sql`, a catalog query about the schema `$1`.
async fn catalog_rows<T>(pool: &PgPool, sql: &'static str, schema: &str) -> Vec<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    sqlx::query_as(sql)
        .bind(schema)
        .fetch_all(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn current_schema(pool: &PgPool) -> String {
    sqlx::query_scalar("SELECT current_schema()::text")
        .fetch_one(pool)
        .await
        .unwrap()
}

fn cluster_costs_query(window: TimeWindow) -> CostQuery {
    CostQuery {
        window,
        grouping: CostGrouping::Cluster,
        filter: CostFilter::default(),
    }
}

async fn cluster_rows(
    store: &PgMetricsStore,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<CostRow> {
    let window = TimeWindow::new(start, end).unwrap();
    store
        .costs(tenant_a(), &cluster_costs_query(window))
        .await
        .unwrap()
}

// ---------------------------------------------------------------------------------------
// Schema: hypertables, compression, retention policy.

#[tokio::test]
async fn migration_creates_hypertables_with_compression_and_retention() {
    with_store(
        "migration_creates_hypertables_with_compression_and_retention",
        |store, pool| async move {
            assert_eq!(store.layout().await.unwrap(), StorageLayout::Hypertables);
            let schema = current_schema(&pool).await;

            let hypertables: Vec<(String, bool)> = catalog_rows(
                &pool,
                "SELECT hypertable_name::text, compression_enabled
                 FROM timescaledb_information.hypertables
                 WHERE hypertable_schema = $1 ORDER BY 1",
                &schema,
            )
            .await;
            assert_eq!(
                hypertables,
                [
                    ("container_samples".to_owned(), true),
                    ("node_samples".to_owned(), true),
                    ("pod_samples".to_owned(), true)
                ]
            );

            let dimensions: Vec<(String, String, String)> = catalog_rows(
                &pool,
                "SELECT hypertable_name::text, column_name::text, time_interval::text
                 FROM timescaledb_information.dimensions
                 WHERE hypertable_schema = $1 ORDER BY 1",
                &schema,
            )
            .await;
            assert_eq!(
                dimensions,
                [
                    ("container_samples".into(), "ts".into(), "1 day".into()),
                    ("node_samples".into(), "ts".into(), "1 day".into()),
                    ("pod_samples".into(), "ts".into(), "1 day".into())
                ]
            );

            let segment_by: Vec<(String, String)> = catalog_rows(
                &pool,
                "SELECT hypertable_name::text,
                        string_agg(attname::text, ',' ORDER BY segmentby_column_index)
                 FROM timescaledb_information.compression_settings
                 WHERE hypertable_schema = $1 AND segmentby_column_index IS NOT NULL
                 GROUP BY 1 ORDER BY 1",
                &schema,
            )
            .await;
            assert_eq!(
                segment_by,
                [
                    ("container_samples".into(), "tenant_id".into()),
                    ("node_samples".into(), "tenant_id,cluster".into()),
                    // Narrow rows: the cluster lives in the pod's description.
                    ("pod_samples".into(), "tenant_id".into())
                ]
            );

            let jobs: Vec<(String, String, String)> = catalog_rows(
                &pool,
                "SELECT hypertable_name::text, proc_name::text,
                        COALESCE(config->>'compress_after', config->>'drop_after')
                 FROM timescaledb_information.jobs
                 WHERE hypertable_schema = $1 ORDER BY 1, 2",
                &schema,
            )
            .await;
            assert_eq!(
                jobs,
                [
                    (
                        "container_samples".into(),
                        "policy_compression".into(),
                        "7 days".into()
                    ),
                    (
                        "container_samples".into(),
                        "policy_retention".into(),
                        "400 days".into()
                    ),
                    (
                        "node_samples".into(),
                        "policy_compression".into(),
                        "7 days".into()
                    ),
                    (
                        "node_samples".into(),
                        "policy_retention".into(),
                        "400 days".into()
                    ),
                    (
                        "pod_samples".into(),
                        "policy_compression".into(),
                        "7 days".into()
                    ),
                    (
                        "pod_samples".into(),
                        "policy_retention".into(),
                        "400 days".into()
                    ),
                ]
            );

            // The same indexes as the native layout: no extra default index on `ts`, and
            // no key on the append-only narrow samples (the snapshot row is the
            // idempotency key).
            let indexes: Vec<String> = sqlx::query_scalar(
                "SELECT indexname::text FROM pg_indexes
                 WHERE schemaname = $1
                   AND tablename IN ('pod_samples', 'node_samples', 'container_samples')
                 ORDER BY 1",
            )
            .bind(&schema)
            .fetch_all(&pool)
            .await
            .unwrap();
            assert_eq!(
                indexes,
                [
                    "container_samples_tenant_ts",
                    "node_samples_pkey",
                    "node_samples_tenant_ts",
                    "pod_samples_tenant_ts"
                ]
            );

            // No native partitions on this path: the maintenance function is a no-op.
            let partitioned = scalar_i64(
                &pool,
                "SELECT count(*) FROM pg_partitioned_table p
                 JOIN pg_class c ON c.oid = p.partrelid
                 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1",
                &schema,
            )
            .await;
            assert_eq!(partitioned, 0);
            let today = Utc::now().date_naive();
            assert_eq!(
                store
                    .ensure_partitions(today, today + Duration::days(30))
                    .await
                    .unwrap(),
                0
            );
            // Rollups and snapshots stay plain tables.
            let plain = scalar_i64(
                &pool,
                "SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename IN
                 ('snapshots', 'pod_costs_hourly', 'node_idle_hourly')",
                &schema,
            )
            .await;
            assert_eq!(plain, 3);
        },
    )
    .await;
}

#[tokio::test]
async fn migrations_are_idempotent() {
    with_store("migrations_are_idempotent", |store, pool| async move {
        let db = SqlxPostgresConnector::from_sqlx_postgres_pool(pool.clone());
        // Re-running the migrator applies nothing; re-running the conversion itself (as an
        // operator might after a partial failure) changes nothing either.
        TimeseriesMigrator::up(&db, None).await.unwrap();
        timescale::convert(&DatabaseExecutor::Connection(&db))
            .await
            .expect("conversion is re-runnable");
        let schema = current_schema(&pool).await;
        let count_jobs = "SELECT count(*) FROM timescaledb_information.jobs
                          WHERE hypertable_schema = $1";
        assert_eq!(scalar_i64(&pool, count_jobs, &schema).await, 6);

        // Data in, then down and up again: a clean slate with the same layout.
        let snapshot = priced(SMALL, Utc::now() - Duration::hours(2), 600);
        assert_eq!(
            store.append(tenant_a(), &snapshot).await.unwrap(),
            AppendOutcome::Stored
        );
        // Even with a compressed chunk, the conversion re-runs cleanly.
        let compressed: i64 = sqlx::query_scalar(
            "SELECT count(compress_chunk(c)) FROM show_chunks('pod_samples'::regclass) c",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(compressed, 1);
        timescale::convert(&DatabaseExecutor::Connection(&db))
            .await
            .expect("conversion is re-runnable over compressed chunks");
        assert_eq!(scalar_i64(&pool, count_jobs, &schema).await, 6);

        TimeseriesMigrator::down(&db, None).await.unwrap();
        assert_eq!(scalar_i64(&pool, count_jobs, &schema).await, 0);
        TimeseriesMigrator::up(&db, None).await.unwrap();
        let fresh = PgMetricsStore::from_pool(pool.clone());
        assert_eq!(fresh.layout().await.unwrap(), StorageLayout::Hypertables);
        assert_eq!(scalar_i64(&pool, count_jobs, &schema).await, 6);
        assert_eq!(
            fresh.append(tenant_a(), &snapshot).await.unwrap(),
            AppendOutcome::Stored,
            "the old rows went with the tables"
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// The shared contract suites, one test per function, in a module named after the suite.

/// Runs one contract function in a fresh schema of the shared PGlite database.
macro_rules! on_fresh_store {
    ($suite:ident, $name:ident) => {{
        let test = concat!(stringify!($suite), "::", stringify!($name));
        crate::timescaledb::with_store(test, |store, _pool| async move {
            kcost_ports::contract::$suite::$name(&store).await
        })
        .await;
    }};
}

kcost_ports::metrics_store_contract_tests!(on_fresh_store);

// ---------------------------------------------------------------------------------------
// Retention and compression.

async fn chunk_count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM show_chunks($1::regclass)")
        .bind(table)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// `drop_after` of the sample tables' retention policies, node_samples first.
async fn retention_policies(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT config->>'drop_after' FROM timescaledb_information.jobs
         WHERE hypertable_schema = current_schema() AND proc_name = 'policy_retention'
         ORDER BY hypertable_name",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn retention_drops_whole_chunks_through_drop_chunks() {
    with_store(
        "retention_drops_whole_chunks_through_drop_chunks",
        |store, pool| async move {
            let now = Utc::now();
            let old = now - Duration::days(500);
            let recent = now - Duration::days(3);
            let snapshots = [old, recent].map(|ts| priced(SMALL, ts, 600));
            store_all(&store, tenant_a(), &snapshots.iter().collect::<Vec<_>>()).await;
            assert_eq!(chunk_count(&pool, "pod_samples").await, 2);
            assert_eq!(chunk_count(&pool, "node_samples").await, 2);
            assert!(store.roll_up(now).await.unwrap().hours > 0);

            let report = store.drop_expired_partitions(400).await.unwrap();
            assert_eq!(report.dropped.len(), 2, "one chunk per table: {report:?}");
            assert!(
                report.dropped.iter().all(|c| c.contains("_hyper_")),
                "chunk names: {report:?}"
            );
            assert_eq!(report.deleted_snapshots, 1);
            assert!(report.deleted_rollup_rows >= 3, "{report:?}");
            assert_eq!(chunk_count(&pool, "pod_samples").await, 1);
            assert_eq!(chunk_count(&pool, "node_samples").await, 1);
            let old_samples: i64 =
                sqlx::query_scalar("SELECT count(*) FROM pod_samples WHERE ts < $1")
                    .bind(report.cutoff)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            assert_eq!(old_samples, 0);

            let kept = cluster_rows(&store, now - Duration::days(10), now).await;
            assert_eq!(kept.len(), 1, "recent data kept");
            assert!(
                cluster_rows(&store, old - Duration::days(1), old + Duration::days(1))
                    .await
                    .is_empty(),
                "old data gone"
            );

            // Nothing left to drop; a snapshot for the dropped day gets a new chunk.
            let again = store.drop_expired_partitions(400).await.unwrap();
            assert!(again.dropped.is_empty(), "{again:?}");
            assert_eq!(
                retention_policies(&pool).await,
                ["400 days", "400 days", "400 days"]
            );
            // A longer configured retention moves the policy's horizon with it, so the
            // background job never drops what the configuration keeps.
            let longer = store.drop_expired_partitions(730).await.unwrap();
            assert!(longer.dropped.is_empty(), "{longer:?}");
            assert_eq!(
                retention_policies(&pool).await,
                ["730 days", "730 days", "730 days"]
            );
            let snapshot = priced(SMALL, old, 600);
            assert_eq!(
                store.append(tenant_a(), &snapshot).await.unwrap(),
                AppendOutcome::Stored
            );
            assert_eq!(chunk_count(&pool, "pod_samples").await, 2);
        },
    )
    .await;
}

#[tokio::test]
async fn compressed_chunks_stay_queryable_and_appendable() {
    with_store(
        "compressed_chunks_stay_queryable_and_appendable",
        |store, pool| async move {
            // Ten days ago: past the 7-day compression policy, as late or backfilled data is.
            let day = (Utc::now() - Duration::days(10))
                .date_naive()
                .and_hms_opt(9, 0, 0)
                .unwrap()
                .and_utc();
            let first = priced(SMALL, day, 600);
            assert_eq!(
                store.append(tenant_a(), &first).await.unwrap(),
                AppendOutcome::Stored
            );
            let window = (day - Duration::hours(1), day + Duration::hours(3));
            let before = cluster_rows(&store, window.0, window.1).await;

            // What the compression policy's job would do (PGlite runs no background jobs).
            for table in ["pod_samples", "node_samples"] {
                let compressed: i64 = sqlx::query_scalar(
                    "SELECT count(compress_chunk(c))
                     FROM show_chunks($1::regclass, older_than => INTERVAL '7 days') c",
                )
                .bind(table)
                .fetch_one(&pool)
                .await
                .unwrap();
                assert_eq!(compressed, 1, "{table}");
            }
            let compressed_chunks: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM timescaledb_information.chunks
                 WHERE hypertable_schema = current_schema() AND is_compressed",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            assert_eq!(compressed_chunks, 2);

            // Queries read compressed chunks (edge hours come from raw samples).
            assert_eq!(cluster_rows(&store, window.0, window.1).await, before);
            let edge = cluster_rows(
                &store,
                day - Duration::minutes(30),
                day + Duration::minutes(30),
            )
            .await;
            assert_eq!(edge.len(), 1);
            assert_eq!(
                edge[0].cost, before[0].cost,
                "the sample lies inside the edge hour"
            );

            // Appending into a compressed chunk works; a duplicate is still a duplicate.
            assert_eq!(
                store.append(tenant_a(), &first).await.unwrap(),
                AppendOutcome::Duplicate
            );
            let second = priced(SMALL, day + Duration::minutes(10), 600);
            assert_eq!(
                store.append(tenant_a(), &second).await.unwrap(),
                AppendOutcome::Stored
            );
            let after = cluster_rows(&store, window.0, window.1).await;
            assert_eq!(after.len(), 1);
            let CostKey::Cluster(_) = &after[0].key else {
                panic!("cluster key")
            };
            assert_eq!(
                after[0].cost.total(),
                before[0].cost.total() + before[0].cost.total(),
                "two identical snapshots cost twice one"
            );

            // Retention drops compressed chunks too.
            let cutoff = day.date_naive() + Duration::days(1);
            let report = store.drop_partitions_before(cutoff).await.unwrap();
            assert_eq!(report.dropped.len(), 2, "{report:?}");
            assert!(cluster_rows(&store, window.0, window.1).await.is_empty());
        },
    )
    .await;
}
