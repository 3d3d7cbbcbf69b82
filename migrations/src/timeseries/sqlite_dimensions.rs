//! SQLite branch of `m20261206_000001_pod_dimensions`: pods and nodes as dimensions,
//! append-only narrow samples, rollups built off the ingest path — the PostgreSQL layout
//! (`postgres_dimensions`) with SQLite's representation (INTEGER unix seconds, INTEGER
//! 10⁻¹⁰ money units, TEXT decimals; see [`super::sqlite`]).
//!
//! After it:
//! - `pods`, `nodes`: one row per distinct description, keyed by `pod_id` / `node_id`
//!   (INTEGER rowids, never reused: dimension rows are never deleted), unique on
//!   `(tenant_id, cluster, namespace, pod, fingerprint)` / `(tenant_id, cluster, node,
//!   fingerprint)`; `labels` is a JSON object, `containers` a JSON array of names. Rows
//!   migrated from the old schema have no fingerprint (NULL): the first ingest after the
//!   migration stores each live pod's description once more.
//! - `pod_samples`: narrow, append-only (`tenant_id, ts, pod_id`, figures, money, rates),
//!   indexed by `(tenant_id, ts)`; the old wide table's rows are moved in.
//!   `pod_samples_named` is the view queries read (samples joined with `pods`).
//! - `container_samples`: per container per snapshot when agents send containers;
//!   `container` indexes the pod's `containers` array.
//! - `node_samples` gains `node_id`.
//! - `pod_costs_hourly` is keyed by `(tenant_id, hour, pod_id)` (its text columns stay,
//!   denormalised for the queries; `node` is `''` for pending pods); `pod_costs_daily` is
//!   the same per UTC day (`day`, unix seconds of its midnight).
//! - `rollup_state`: per (tenant, cluster) `rolled_until`, the hour before which every
//!   rollup of the cluster is built. The old code kept rollups complete up to the latest
//!   snapshot's hour, so each cluster starts at the hour after it, and the daily rollups of
//!   the days entirely before that are built here.
//!
//! Runs in one transaction: a failure leaves the old schema as it was.

use std::str::FromStr;

use rust_decimal::Decimal;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{DbBackend, Statement, TransactionTrait, Value};

use super::{dimension_rows, execute};

const CREATE: [&str; 13] = [
    "CREATE TABLE pods (
        pod_id         INTEGER PRIMARY KEY,
        tenant_id      TEXT    NOT NULL,
        cluster        TEXT    NOT NULL,
        namespace      TEXT    NOT NULL,
        pod            TEXT    NOT NULL,
        node           TEXT,
        owner_kind     TEXT,
        owner_name     TEXT,
        owner_inferred INTEGER NOT NULL DEFAULT 0 CHECK (owner_inferred IN (0, 1)),
        labels         TEXT    NOT NULL DEFAULT '{}',
        phase          TEXT,
        qos_class      TEXT,
        containers     TEXT    NOT NULL DEFAULT '[]',
        fingerprint    INTEGER,
        first_seen     INTEGER NOT NULL,
        UNIQUE (tenant_id, cluster, namespace, pod, fingerprint)
    )",
    // Ingest looks new descriptions up by fingerprint.
    "CREATE INDEX pods_tenant_fingerprint ON pods (tenant_id, fingerprint)",
    "CREATE TABLE nodes (
        node_id       INTEGER PRIMARY KEY,
        tenant_id     TEXT    NOT NULL,
        cluster       TEXT    NOT NULL,
        node          TEXT    NOT NULL,
        instance_type TEXT,
        labels        TEXT    NOT NULL DEFAULT '{}',
        fingerprint   INTEGER,
        first_seen    INTEGER NOT NULL,
        UNIQUE (tenant_id, cluster, node, fingerprint)
    )",
    "CREATE INDEX nodes_tenant_fingerprint ON nodes (tenant_id, fingerprint)",
    "CREATE TABLE rollup_state (
        tenant_id    TEXT    NOT NULL,
        cluster      TEXT    NOT NULL,
        rolled_until INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, cluster)
    )",
    "DROP INDEX pod_samples_tenant_ts",
    "ALTER TABLE pod_samples RENAME TO legacy_pod_samples",
    "CREATE TABLE pod_samples (
        tenant_id          TEXT    NOT NULL,
        ts                 INTEGER NOT NULL,
        pod_id             INTEGER NOT NULL,
        duration_seconds   INTEGER NOT NULL CHECK (duration_seconds > 0),
        placement          TEXT    NOT NULL,
        cpu_usage_m        INTEGER NOT NULL,
        cpu_request_m      INTEGER NOT NULL,
        cpu_limit_m        INTEGER,
        mem_usage_b        INTEGER NOT NULL,
        mem_request_b      INTEGER NOT NULL,
        mem_limit_b        INTEGER,
        cpu_cost           INTEGER NOT NULL,
        ram_cost           INTEGER NOT NULL,
        storage_cost       INTEGER NOT NULL DEFAULT 0,
        network_cost       INTEGER NOT NULL DEFAULT 0,
        load_balancer_cost INTEGER NOT NULL DEFAULT 0,
        cpu_rate           TEXT    NOT NULL,
        ram_rate           TEXT    NOT NULL
    )",
    "CREATE INDEX pod_samples_tenant_ts ON pod_samples (tenant_id, ts)",
    "CREATE TABLE container_samples (
        tenant_id     TEXT    NOT NULL,
        ts            INTEGER NOT NULL,
        pod_id        INTEGER NOT NULL,
        container     INTEGER NOT NULL,
        cpu_usage_m   INTEGER NOT NULL,
        cpu_request_m INTEGER NOT NULL,
        cpu_limit_m   INTEGER,
        mem_usage_b   INTEGER NOT NULL,
        mem_request_b INTEGER NOT NULL,
        mem_limit_b   INTEGER,
        restarts      INTEGER NOT NULL
    )",
    "CREATE INDEX container_samples_tenant_ts ON container_samples (tenant_id, ts)",
    "ALTER TABLE node_samples ADD COLUMN node_id INTEGER",
    "CREATE VIEW pod_samples_named AS
     SELECT s.tenant_id, s.ts, s.pod_id, s.duration_seconds, s.placement, s.cpu_usage_m,
            s.cpu_request_m, s.cpu_limit_m, s.mem_usage_b, s.mem_request_b, s.mem_limit_b,
            s.cpu_cost, s.ram_cost, s.storage_cost, s.network_cost, s.load_balancer_cost,
            s.cpu_rate, s.ram_rate, p.cluster, p.namespace, p.pod, p.node, p.owner_kind,
            p.owner_name
     FROM pod_samples s JOIN pods p ON p.pod_id = s.pod_id",
];

/// Columns of `pod_costs_hourly` after the migration, and of `pod_costs_daily` with
/// `{period}` = `day`.
fn rollup_table(name: &str, period: &str) -> String {
    format!(
        "CREATE TABLE {name} (
            tenant_id          TEXT    NOT NULL,
            {period}           INTEGER NOT NULL,
            pod_id             INTEGER NOT NULL,
            cluster            TEXT    NOT NULL,
            namespace          TEXT    NOT NULL,
            pod                TEXT    NOT NULL,
            node               TEXT    NOT NULL,
            cpu_cost           INTEGER NOT NULL,
            ram_cost           INTEGER NOT NULL,
            storage_cost       INTEGER NOT NULL,
            network_cost       INTEGER NOT NULL,
            load_balancer_cost INTEGER NOT NULL,
            cpu_usage_mcs      TEXT    NOT NULL,
            cpu_request_mcs    TEXT    NOT NULL,
            mem_usage_bs       TEXT    NOT NULL,
            mem_request_bs     TEXT    NOT NULL,
            max_cpu_usage_m    INTEGER NOT NULL,
            max_mem_usage_b    INTEGER NOT NULL,
            sample_count       INTEGER NOT NULL,
            sample_seconds     INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, {period}, pod_id)
        )"
    )
}

/// Copies the old hourly rollups under the id of their pod's first description.
const HOURLY_ROLLUPS: &str = "INSERT INTO pod_costs_hourly
     SELECT h.tenant_id, h.hour,
            (SELECT MIN(p.pod_id) FROM pods p
             WHERE p.tenant_id = h.tenant_id AND p.cluster = h.cluster
               AND p.namespace = h.namespace AND p.pod = h.pod
               AND COALESCE(p.node, '') = h.node),
            h.cluster, h.namespace, h.pod, h.node, h.cpu_cost, h.ram_cost, h.storage_cost,
            h.network_cost, h.load_balancer_cost, h.cpu_usage_mcs, h.cpu_request_mcs,
            h.mem_usage_bs, h.mem_request_bs, h.max_cpu_usage_m, h.max_mem_usage_b,
            h.sample_count, h.sample_seconds
     FROM legacy_pod_costs_hourly h";

/// Points each node sample at its node's description.
const NODE_IDS: &str = "UPDATE node_samples SET node_id = (
         SELECT d.node_id FROM nodes d
         WHERE d.tenant_id = node_samples.tenant_id AND d.cluster = node_samples.cluster
           AND d.node = node_samples.node AND d.instance_type IS node_samples.instance_type
           AND d.fingerprint IS NULL)";

/// Each cluster's rollups are complete up to the hour after its latest snapshot.
const ROLLUP_STATE: &str = "INSERT INTO rollup_state (tenant_id, cluster, rolled_until)
     SELECT tenant_id, cluster, MAX(ts) - ((MAX(ts) % 3600) + 3600) % 3600 + 3600
     FROM snapshots GROUP BY tenant_id, cluster";

/// Moves the old rows: descriptions from the old samples (and from rollups whose samples
/// retention already dropped), the samples themselves, rollups under their pod ids, node
/// ids and the rollup watermark.
fn move_data() -> Vec<String> {
    let mut statements = vec![
        dimension_rows::pods_of_legacy_samples(
            "
     ORDER BY tenant_id, cluster, namespace, pod, min(ts)",
        ),
        dimension_rows::pods_of_rollups("legacy_pod_costs_hourly"),
        dimension_rows::narrow_samples(
            " AND p.fingerprint IS NULL
                AND p.node IS l.node AND p.owner_kind IS l.owner_kind
                AND p.owner_name IS l.owner_name
     ORDER BY l.tenant_id, l.ts",
        ),
    ];
    statements.extend(
        [
            HOURLY_ROLLUPS,
            "DROP TABLE legacy_pod_samples",
            "DROP TABLE legacy_pod_costs_hourly",
            dimension_rows::NODES_OF_SAMPLES,
            NODE_IDS,
            ROLLUP_STATE,
        ]
        .map(str::to_owned),
    );
    statements
}

/// The start of the UTC day of an hourly rollup row `h`.
const DAY_OF_HOUR: &str = "h.hour - ((h.hour % 86400) + 86400) % 86400";

/// Applies the migration (see the module docs).
pub async fn up(db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    execute::all(&txn, CREATE).await?;
    let rollups = [
        "ALTER TABLE pod_costs_hourly RENAME TO legacy_pod_costs_hourly".to_owned(),
        rollup_table("pod_costs_hourly", "hour"),
        rollup_table("pod_costs_daily", "day"),
    ];
    execute::all(&txn, rollups).await?;
    execute::all(&txn, move_data()).await?;
    build_daily_rollups(&txn).await?;
    txn.commit().await
}

/// `pod_costs_daily` for every day of every cluster entirely before its `rolled_until`,
/// from the hourly rollups, one (tenant, day) at a time. Resource-seconds are TEXT
/// decimals, summed here exactly (SQLite would sum them as floating point).
async fn build_daily_rollups<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let days = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            format!(
                "SELECT DISTINCT h.tenant_id AS tenant_id, {DAY_OF_HOUR} AS day
                 FROM pod_costs_hourly h
                 JOIN rollup_state s ON s.tenant_id = h.tenant_id AND s.cluster = h.cluster
                 WHERE {DAY_OF_HOUR} + 86400 <= s.rolled_until
                 ORDER BY 1, 2"
            ),
        ))
        .await?;
    for row in days {
        let tenant: String = row.try_get_by("tenant_id")?;
        let day: i64 = row.try_get_by("day")?;
        let sums = db
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "SELECT h.pod_id, h.cluster, h.namespace, h.pod, h.node,
                        SUM(h.cpu_cost) AS cpu_cost, SUM(h.ram_cost) AS ram_cost,
                        SUM(h.storage_cost) AS storage_cost,
                        SUM(h.network_cost) AS network_cost,
                        SUM(h.load_balancer_cost) AS load_balancer_cost,
                        group_concat(h.cpu_usage_mcs) AS cpu_usage_mcs,
                        group_concat(h.cpu_request_mcs) AS cpu_request_mcs,
                        group_concat(h.mem_usage_bs) AS mem_usage_bs,
                        group_concat(h.mem_request_bs) AS mem_request_bs,
                        MAX(h.max_cpu_usage_m) AS max_cpu_usage_m,
                        MAX(h.max_mem_usage_b) AS max_mem_usage_b,
                        SUM(h.sample_count) AS sample_count,
                        SUM(h.sample_seconds) AS sample_seconds
                 FROM pod_costs_hourly h
                 JOIN rollup_state s ON s.tenant_id = h.tenant_id AND s.cluster = h.cluster
                 WHERE h.tenant_id = ?1 AND h.hour >= ?2 AND h.hour < ?2 + 86400
                   AND ?2 + 86400 <= s.rolled_until
                 GROUP BY h.pod_id",
                [tenant.clone().into(), day.into()],
            ))
            .await?;
        let mut rows = Vec::with_capacity(sums.len());
        for row in sums {
            let text = |c: &str| row.try_get_by::<String, _>(c);
            let int = |c: &str| row.try_get_by::<i64, _>(c);
            let values: Vec<Value> = vec![
                tenant.clone().into(),
                day.into(),
                int("pod_id")?.into(),
                text("cluster")?.into(),
                text("namespace")?.into(),
                text("pod")?.into(),
                text("node")?.into(),
                int("cpu_cost")?.into(),
                int("ram_cost")?.into(),
                int("storage_cost")?.into(),
                int("network_cost")?.into(),
                int("load_balancer_cost")?.into(),
                sum_listed(&text("cpu_usage_mcs")?)?.into(),
                sum_listed(&text("cpu_request_mcs")?)?.into(),
                sum_listed(&text("mem_usage_bs")?)?.into(),
                sum_listed(&text("mem_request_bs")?)?.into(),
                int("max_cpu_usage_m")?.into(),
                int("max_mem_usage_b")?.into(),
                int("sample_count")?.into(),
                int("sample_seconds")?.into(),
            ];
            rows.push(values);
        }
        for chunk in rows.chunks(DAILY_ROWS_PER_INSERT) {
            let placeholders = vec![DAILY_ROW; chunk.len()].join(", ");
            db.execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                format!("INSERT INTO pod_costs_daily VALUES {placeholders}"),
                chunk.iter().flatten().cloned(),
            ))
            .await?;
        }
    }
    Ok(())
}

/// One `pod_costs_daily` row's placeholders, and rows per INSERT (well under SQLite's
/// bound-parameter limit).
const DAILY_ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const DAILY_ROWS_PER_INSERT: usize = 1_000;

/// The exact sum of a `group_concat` list of stored decimals, as stored.
fn sum_listed(list: &str) -> Result<String, DbErr> {
    let mut sum = Decimal::ZERO;
    for item in list.split(',') {
        let value = Decimal::from_str(item)
            .map_err(|e| DbErr::Migration(format!("stored decimal {item:?}: {e}")))?;
        sum = sum
            .checked_add(value)
            .ok_or_else(|| DbErr::Migration("resource-second sum overflows a decimal".into()))?;
    }
    Ok(sum.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_decimals_sum_exactly() {
        assert_eq!(
            sum_listed("1,2.5,99999999999999999999").unwrap(),
            "100000000000000000002.5"
        );
        assert!(sum_listed("1,x").is_err());
    }
}
