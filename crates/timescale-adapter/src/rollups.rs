//! `roll_up`: the hourly and daily rollups, built off the ingest path when periods close.
//!
//! Per (tenant, cluster), `rollup_state.rolled_until` says which hours are built: every
//! hour before it. A run takes each cluster's closed hours
//! (`kcost_store_support::closed_until`) from its watermark on, in transactions of at most
//! `ROLLUP_BATCH_HOURS` (an empty stretch in one step), and in each:
//! 1. takes the cluster's advisory lock (one builder per cluster at a time; appends never
//!    take it), reads the watermark and counts the stretch's snapshots;
//! 2. deletes and rebuilds the cluster's `pod_costs_hourly`, `namespace_costs_hourly` and
//!    `node_idle_hourly` rows of those hours from the raw samples — the per-pod rows
//!    straight from the sums kept while the snapshots were appended (`hour_sums`), read
//!    before step 1's count, when they cover every snapshot that count found;
//! 3. cuts the cluster's `pod_presence_spans` back to the stretch's start (a late snapshot
//!    sends the watermark back; spans after it are rebuilt like the hours) and extends or
//!    opens them with the runs of consecutive hours just built;
//! 4. rebuilds `pod_costs_daily` and `namespace_costs_daily` for every day that ends
//!    inside the stretch, from the hourly rows;
//! 5. only then locks the state row (`FOR UPDATE`, held to commit) and moves the watermark
//!    to the stretch's end — unless the watermark moved or the stretch's snapshot count
//!    changed meanwhile, when it rolls back and the next run builds the stretch again.
//!
//! Appends insert their snapshot row and then lower the watermark to their hour if it is
//! past it, holding the state row to their commit; so a snapshot committed while a
//! stretch was built either shows in the count (it locked the row first: the stretch is
//! built again) or finds the watermark moved and lowers it. Appends wait for a rollup only
//! for step 5, never for the build.
//!
//! Delete-and-rebuild makes it idempotent and restart-safe: a crash loses the unfinished
//! transaction only, and rollups can always be rebuilt from the samples.

use chrono::{DateTime, Duration, Utc};
use kcost_ports::{MetricsStoreError, RollupReport};
use kcost_store_support::{ROLLUP_BATCH_HOURS, closed_until, floor_day, floor_hour};
use sqlx::{AssertSqlSafe, PgConnection, PgPool, Row};
use uuid::Uuid;

use crate::error::db;
use crate::hour_sums::{HourSums, KeptHours};
use crate::hourly::{COPY_HOURLY, HOURLY_COLUMNS, hourly_from_samples, pod_hourly_rows};
use crate::sample_copy::copy_in;

/// Each cluster's watermark and latest snapshot. (The latest as `ORDER BY … LIMIT 1`, not
/// `max(ts)`, here and in [`NEXT_SNAPSHOT`]: with no statistics yet the planner scans every
/// snapshot of the cluster for `max`.)
const CLUSTERS: &str = "
SELECT s.tenant_id, s.cluster, s.rolled_until,
       (SELECT ts FROM snapshots x WHERE x.tenant_id = s.tenant_id AND x.cluster = s.cluster
        ORDER BY ts DESC LIMIT 1)
FROM rollup_state s";

/// One rollup builder per cluster: a transaction-level advisory lock keyed by the cluster.
const LOCK_BUILDER: &str = "
SELECT pg_advisory_xact_lock(hashtextextended($1::text || '/' || $2, 0))";

const READ_STATE: &str = "
SELECT rolled_until FROM rollup_state WHERE tenant_id = $1 AND cluster = $2";

const LOCK_STATE: &str = "
SELECT rolled_until FROM rollup_state WHERE tenant_id = $1 AND cluster = $2 FOR UPDATE";

/// The stretch's snapshots, as committed when the statement starts.
const COUNT_SNAPSHOTS: &str = "
SELECT count(*) FROM snapshots WHERE tenant_id = $1 AND cluster = $2 AND ts >= $3 AND ts < $4";

/// The first snapshot of the cluster at or after `$3`.
const NEXT_SNAPSHOT: &str = "
SELECT (SELECT ts FROM snapshots WHERE tenant_id = $1 AND cluster = $2 AND ts >= $3
        ORDER BY ts LIMIT 1)";

/// `$1` tenant, `$2` cluster, `$3`/`$4` the stretch.
const DELETE_HOURLY: [&str; 3] = [
    "DELETE FROM pod_costs_hourly
     WHERE tenant_id = $1 AND cluster = $2 AND hour >= $3 AND hour < $4",
    "DELETE FROM namespace_costs_hourly
     WHERE tenant_id = $1 AND cluster = $2 AND hour >= $3 AND hour < $4",
    "DELETE FROM node_idle_hourly
     WHERE tenant_id = $1 AND cluster = $2 AND hour >= $3 AND hour < $4",
];

/// The closed hours' per-pod rows, from the samples (`hourly`): `$1` tenant, `$2` cluster,
/// `$3`/`$4` the stretch. Only the cluster's samples are summed: filtering after the sums
/// summed every cluster of the tenant once per cluster.
fn build_pod_hourly() -> String {
    let raw = hourly_from_samples(
        "tenant_id = $1 AND ts >= $3 AND ts < $4
         AND pod_id IN (SELECT pod_id FROM pods WHERE tenant_id = $1 AND cluster = $2)",
    );
    format!(
        "INSERT INTO pod_costs_hourly ({HOURLY_COLUMNS}, tenant_id)
         SELECT {HOURLY_COLUMNS}, $1 FROM ({raw}) AS raw"
    )
}

/// For the rollup transaction: the analytic settings (`hourly::NO_NESTED_LOOPS`), and
/// memory to group a stretch's samples by hashing or sorting in memory (with the default
/// 4 MB, 36,000 samples of 1,000 pods spilled to a disk sort).
const ROLLUP_SETTINGS: &str = "
SELECT set_config('enable_nestloop', 'off', true), set_config('jit', 'off', true),
       set_config('work_mem', '64MB', true)";

const BUILD_IDLE_HOURLY: &str = "
INSERT INTO node_idle_hourly (tenant_id, hour, cluster, node, cpu_cost, ram_cost, idle_cpu,
                              idle_ram, overcommit_cpu, overcommit_ram, sample_count)
SELECT tenant_id, date_trunc('hour', ts, 'UTC'), cluster, node, SUM(cpu_cost), SUM(ram_cost),
       SUM(idle_cpu), SUM(idle_ram), SUM(overcommit_cpu), SUM(overcommit_ram), COUNT(*)
FROM node_samples
WHERE tenant_id = $1 AND cluster = $2 AND ts >= $3 AND ts < $4
GROUP BY tenant_id, 2, cluster, node";

/// `$3`: the stretch's start. Spans from it on go; a span across it ends there (the two
/// touch disjoint rows, so one statement may do both).
const CUT_SPANS: &str = "
WITH later AS (
    DELETE FROM pod_presence_spans
    WHERE tenant_id = $1 AND cluster = $2 AND span_start >= $3
)
UPDATE pod_presence_spans SET span_end = $3
WHERE tenant_id = $1 AND cluster = $2 AND span_end > $3 AND span_start < $3";

/// The stretch's runs of consecutive hours per pod (consecutive hours share `hour - n
/// hours`, n the hour's rank); a run starting at `$3` extends the pod's span ending there,
/// the others open spans.
const BUILD_SPANS: &str = "
WITH runs AS (
    SELECT namespace, pod_id, min(hour) AS run_start, max(hour) + interval '1 hour' AS run_end
    FROM (SELECT namespace, pod_id, hour,
                 hour - (row_number() OVER (PARTITION BY pod_id ORDER BY hour))
                        * interval '1 hour' AS run
          FROM pod_costs_hourly
          WHERE tenant_id = $1 AND cluster = $2 AND hour >= $3 AND hour < $4) AS h
    GROUP BY namespace, pod_id, run
), extended AS (
    UPDATE pod_presence_spans s SET span_end = r.run_end
    FROM runs r
    WHERE s.tenant_id = $1 AND s.cluster = $2 AND s.span_end = $3
      AND s.pod_id = r.pod_id AND r.run_start = $3
    RETURNING s.pod_id
)
INSERT INTO pod_presence_spans (tenant_id, cluster, namespace, pod_id, span_start, span_end)
SELECT $1, $2, namespace, pod_id, run_start, run_end FROM runs r
WHERE r.run_start > $3 OR r.pod_id NOT IN (SELECT pod_id FROM extended)";

/// `$3`/`$4`: the days (midnights) to rebuild.
const DELETE_DAILY: [&str; 2] = [
    "DELETE FROM pod_costs_daily
     WHERE tenant_id = $1 AND cluster = $2 AND day >= $3 AND day < $4",
    "DELETE FROM namespace_costs_daily
     WHERE tenant_id = $1 AND cluster = $2 AND day >= $3 AND day < $4",
];

const BUILD_DAILY: &str = "
INSERT INTO pod_costs_daily (tenant_id, day, pod_id, cluster, namespace, pod, node, cpu_cost,
                             ram_cost, storage_cost, network_cost, load_balancer_cost,
                             cpu_usage_mcs, cpu_request_mcs, mem_usage_bs, mem_request_bs,
                             max_cpu_usage_m, max_mem_usage_b, sample_count, sample_seconds,
                             cpu_alloc_mcs, mem_alloc_bs)
SELECT tenant_id, date_trunc('day', hour, 'UTC'), pod_id, cluster, namespace, pod, node,
       SUM(cpu_cost), SUM(ram_cost), SUM(storage_cost), SUM(network_cost),
       SUM(load_balancer_cost), SUM(cpu_usage_mcs), SUM(cpu_request_mcs), SUM(mem_usage_bs),
       SUM(mem_request_bs), MAX(max_cpu_usage_m), MAX(max_mem_usage_b), SUM(sample_count),
       SUM(sample_seconds), SUM(cpu_alloc_mcs), SUM(mem_alloc_bs)
FROM pod_costs_hourly
WHERE tenant_id = $1 AND cluster = $2 AND hour >= $3 AND hour < $4
GROUP BY tenant_id, 2, pod_id, cluster, namespace, pod, node";

/// The columns a namespace rollup row sums from its per-pod rows.
const NAMESPACE_SUMS: [&str; 10] = [
    "cpu_cost",
    "ram_cost",
    "storage_cost",
    "network_cost",
    "load_balancer_cost",
    "cpu_usage_mcs",
    "cpu_request_mcs",
    "mem_usage_bs",
    "mem_request_bs",
    "sample_count",
];

/// The cluster's namespace rollup rows of the periods in `$3`/`$4`, from the per-pod rows
/// of the same periods just built: `namespace_costs_hourly` from `pod_costs_hourly` (the
/// period column `hour`), or `namespace_costs_daily` from `pod_costs_daily` (`day`).
fn build_namespace(period: &str, tables: &str) -> String {
    let columns = NAMESPACE_SUMS.join(", ");
    let sums = NAMESPACE_SUMS
        .map(|column| format!("SUM({column})"))
        .join(", ");
    format!(
        "INSERT INTO namespace_costs_{tables} (tenant_id, {period}, cluster, namespace, {columns})
         SELECT tenant_id, {period}, cluster, namespace, {sums}
         FROM pod_costs_{tables}
         WHERE tenant_id = $1 AND cluster = $2 AND {period} >= $3 AND {period} < $4
         GROUP BY tenant_id, {period}, cluster, namespace"
    )
}

const ADVANCE: &str = "
UPDATE rollup_state SET rolled_until = $3 WHERE tenant_id = $1 AND cluster = $2";

/// Builds every closed period's rollups (see the module docs).
pub(crate) async fn roll_up(
    pool: &PgPool,
    sums: &HourSums,
    now: DateTime<Utc>,
) -> Result<RollupReport, MetricsStoreError> {
    let clusters = sqlx::query(CLUSTERS)
        .fetch_all(pool)
        .await
        .map_err(db("roll_up: clusters"))?;
    let mut report = RollupReport::default();
    for row in clusters {
        let decoded: Result<_, sqlx::Error> = (|| {
            Ok((
                row.try_get::<Uuid, _>(0)?,
                row.try_get::<String, _>(1)?,
                row.try_get::<DateTime<Utc>, _>(2)?,
                row.try_get::<Option<DateTime<Utc>>, _>(3)?,
            ))
        })();
        let (tenant, cluster, mut rolled, latest) = decoded.map_err(db("roll_up: decode"))?;
        let Some(latest) = latest else { continue };
        let closed = closed_until(latest, now);
        let open = Open {
            closed,
            latest_hour: floor_hour(latest),
        };
        while rolled < closed {
            match roll_stretch(pool, sums, tenant, &cluster, open, &mut report).await? {
                Some(next) => rolled = next,
                None => break,
            }
        }
    }
    Ok(report)
}

/// Where a cluster's rollups may go in this run: to `closed`; `latest_hour`, the hour of
/// its latest snapshot, may still get snapshots.
#[derive(Debug, Clone, Copy)]
struct Open {
    closed: DateTime<Utc>,
    latest_hour: DateTime<Utc>,
}

/// One transaction: the next stretch of closed hours of one cluster. Returns the new
/// watermark, or `None` when another run got there first or a snapshot of the stretch
/// committed while it was built (the next run builds it again).
async fn roll_stretch(
    pool: &PgPool,
    sums: &HourSums,
    tenant: Uuid,
    cluster: &str,
    Open {
        closed,
        latest_hour,
    }: Open,
    report: &mut RollupReport,
) -> Result<Option<DateTime<Utc>>, MetricsStoreError> {
    let mut tx = pool.begin().await.map_err(db("roll_up: begin"))?;
    sqlx::query(LOCK_BUILDER)
        .bind(tenant)
        .bind(cluster)
        .execute(&mut *tx)
        .await
        .map_err(db("roll_up: builder lock"))?;
    let start = watermark(&mut tx, READ_STATE, tenant, cluster, "roll_up: read state").await?;
    if start >= closed {
        tx.rollback().await.map_err(db("roll_up: rollback"))?;
        return Ok(None);
    }
    let end = stretch_end(&mut tx, tenant, cluster, start, closed).await?;
    // Read before counting: see `hour_sums` for why the order matters.
    // Sums of the latest snapshot's hour stay: a back-fill may still be sending it.
    let kept = sums.read(tenant, cluster, (start, end), start.min(latest_hour));
    let snapshots = count_snapshots(&mut tx, tenant, cluster, start, end).await?;
    sqlx::query(ROLLUP_SETTINGS)
        .execute(&mut *tx)
        .await
        .map_err(db("roll_up: settings"))?;
    for sql in DELETE_HOURLY {
        run(&mut tx, sql, tenant, cluster, start, end).await?;
    }
    let from_memory = snapshots > 0 && kept.snapshots == snapshots;
    if from_memory {
        copy_kept(&mut tx, tenant, cluster, kept).await?;
    } else {
        run(&mut tx, &build_pod_hourly(), tenant, cluster, start, end).await?;
    }
    sqlx::query(CUT_SPANS)
        .bind(tenant)
        .bind(cluster)
        .bind(start)
        .execute(&mut *tx)
        .await
        .map_err(db("roll_up: cut spans"))?;
    let namespace_hourly = build_namespace("hour", "hourly");
    for sql in [&namespace_hourly, BUILD_IDLE_HOURLY, BUILD_SPANS] {
        run(&mut tx, sql, tenant, cluster, start, end).await?;
    }
    let (first_day, end_day) = (floor_day(start), floor_day(end));
    if first_day < end_day {
        let namespace_daily = build_namespace("day", "daily");
        for sql in DELETE_DAILY
            .into_iter()
            .chain([BUILD_DAILY, &namespace_daily])
        {
            run(&mut tx, sql, tenant, cluster, first_day, end_day).await?;
        }
        report.days += u64::try_from((end_day - first_day).num_days()).unwrap_or_default();
    }
    // Step 5: from here to the commit, appends of the cluster wait.
    let locked = watermark(&mut tx, LOCK_STATE, tenant, cluster, "roll_up: lock state").await?;
    if locked != start || count_snapshots(&mut tx, tenant, cluster, start, end).await? != snapshots
    {
        // A snapshot of the stretch (or before it) committed while it was built.
        tx.rollback().await.map_err(db("roll_up: rollback"))?;
        return Ok(None);
    }
    sqlx::query(ADVANCE)
        .bind(tenant)
        .bind(cluster)
        .bind(end)
        .execute(&mut *tx)
        .await
        .map_err(db("roll_up: advance"))?;
    tx.commit().await.map_err(db("roll_up: commit"))?;
    let hours = u64::try_from((end - start).num_hours()).unwrap_or_default();
    report.hours += hours;
    if from_memory {
        report.hours_from_memory += hours;
    }
    Ok(Some(end))
}

/// Writes the stretch's per-pod rows from the sums kept in memory.
async fn copy_kept(
    conn: &mut PgConnection,
    tenant: Uuid,
    cluster: &str,
    kept: KeptHours,
) -> Result<(), MetricsStoreError> {
    if !kept.rows.is_empty() {
        let data = pod_hourly_rows(tenant, cluster, &kept.rows);
        copy_in(conn, COPY_HOURLY, data, "roll_up: copy hourly sums").await?;
    }
    Ok(())
}

/// The cluster's watermark, read by `sql` ([`READ_STATE`] or [`LOCK_STATE`]).
async fn watermark(
    conn: &mut PgConnection,
    sql: &'static str,
    tenant: Uuid,
    cluster: &str,
    what: &'static str,
) -> Result<DateTime<Utc>, MetricsStoreError> {
    sqlx::query_scalar(sql)
        .bind(tenant)
        .bind(cluster)
        .fetch_one(conn)
        .await
        .map_err(db(what))
}

async fn count_snapshots(
    conn: &mut PgConnection,
    tenant: Uuid,
    cluster: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<i64, MetricsStoreError> {
    sqlx::query_scalar(COUNT_SNAPSHOTS)
        .bind(tenant)
        .bind(cluster)
        .bind(start)
        .bind(end)
        .fetch_one(conn)
        .await
        .map_err(db("roll_up: count snapshots"))
}

/// At most `ROLLUP_BATCH_HOURS` past `start`, or straight to the hour of the next
/// snapshot when there is none before it (nothing to build in between), never past
/// `closed`.
async fn stretch_end(
    conn: &mut PgConnection,
    tenant: Uuid,
    cluster: &str,
    start: DateTime<Utc>,
    closed: DateTime<Utc>,
) -> Result<DateTime<Utc>, MetricsStoreError> {
    let next: Option<DateTime<Utc>> = sqlx::query_scalar(NEXT_SNAPSHOT)
        .bind(tenant)
        .bind(cluster)
        .bind(start)
        .fetch_one(conn)
        .await
        .map_err(db("roll_up: next snapshot"))?;
    let batch = start + Duration::hours(ROLLUP_BATCH_HOURS);
    let end = match next {
        Some(next) => batch.max(floor_hour(next)),
        None => closed,
    };
    Ok(end.min(closed))
}

async fn run(
    conn: &mut PgConnection,
    sql: &str,
    tenant: Uuid,
    cluster: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(), MetricsStoreError> {
    sqlx::query(AssertSqlSafe(sql.to_owned()))
        .bind(tenant)
        .bind(cluster)
        .bind(from)
        .bind(to)
        .execute(conn)
        .await
        .map(drop)
        .map_err(db("roll_up: rebuild"))
}
