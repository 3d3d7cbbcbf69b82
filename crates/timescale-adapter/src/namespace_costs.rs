//! The allocation query for the cluster and namespace breakdowns, from the namespace-level
//! rollups for the window's rolled-up whole hours (`namespace_costs_daily` for whole days,
//! `namespace_costs_hourly` for the other hours: ~20 rows per cluster and day or hour
//! instead of one per pod), raw samples for the rest (summed straight to namespaces), and
//! distinct pods from the presence spans (about one row per pod whatever the window's
//! length) and the raw samples. Same result columns, same sums to the last digit, same
//! exact distinct counts as the per-pod query in `costs`.

use crate::scope::{EDGE_RANGE, Scope};

/// `(cluster, namespace, pod)` of every pod with a sample in the window: those whose
/// presence spans overlap the rolled-up whole hours (when there are any: `$3 < $4`), and
/// those in the raw edge samples.
/// Distinct pod ids (integers) first, names after: de-duplicating by text names sorts,
/// integer ids hash.
fn pods_sql(filters: &str) -> String {
    format!(
        "SELECT DISTINCT p.cluster, p.namespace, p.pod
         FROM (SELECT pod_id FROM pod_presence_spans
               WHERE tenant_id = $1 AND span_start < $4 AND span_end > $3 AND $3 < $4{filters}
               UNION
               SELECT pod_id FROM pod_samples WHERE {EDGE_RANGE}) AS ids
         JOIN pods p ON p.tenant_id = $1 AND p.pod_id = ids.pod_id
         WHERE TRUE{filters}"
    )
}

/// Namespace-level rollup rows of the rolled-up whole hours: `namespace_costs_daily` for
/// the whole UTC days among them, `namespace_costs_hourly` for the other hours.
fn namespace_rollups_sql(scope: &Scope<'_>, filters: &str) -> String {
    // Instants computed here, not user input: safe to inline as literals.
    let (d1, d2) = scope.whole_days();
    let (d1, d2) = (d1.to_rfc3339(), d2.to_rfc3339());
    format!(
        "SELECT {NAMESPACE_SUMS} FROM namespace_costs_daily
         WHERE tenant_id = $1 AND day >= '{d1}'::timestamptz
           AND day < '{d2}'::timestamptz{filters}
         UNION ALL
         SELECT {NAMESPACE_SUMS} FROM namespace_costs_hourly
         WHERE tenant_id = $1
           AND ((hour >= $3 AND hour < '{d1}'::timestamptz)
                OR (hour >= '{d2}'::timestamptz AND hour < $4)){filters}"
    )
}

/// The raw edge samples summed straight to cluster and namespace (`NAMESPACE_SUMS`
/// columns): the rollup rows and these are summed again per group, and the sums are exact
/// (`numeric`, and `bigint` products summed by `SUM(bigint)` as in `hourly`), so skipping
/// the per-pod hourly rows the per-pod path goes through changes no digit. Measured with
/// the adapter bench (2,000 pods × 30 days, a window cutting its first and last hour,
/// cluster breakdown): p50 59.4 ms through per-pod hourly rows, 46.1 ms summed straight.
fn edge_namespace_sums() -> String {
    format!(
        "SELECT p.cluster, p.namespace, SUM(s.cpu_cost) AS cpu_cost, SUM(s.ram_cost) AS ram_cost,
                SUM(s.storage_cost) AS storage_cost, SUM(s.network_cost) AS network_cost,
                SUM(s.load_balancer_cost) AS load_balancer_cost,
                SUM(s.cpu_usage_m * s.duration_seconds) AS cpu_usage_mcs,
                SUM(s.cpu_request_m * s.duration_seconds) AS cpu_request_mcs,
                SUM(s.mem_usage_b * s.duration_seconds) AS mem_usage_bs,
                SUM(s.mem_request_b * s.duration_seconds) AS mem_request_bs
         FROM (SELECT * FROM pod_samples WHERE {EDGE_RANGE}) AS s
         JOIN pods p ON p.tenant_id = $1 AND p.pod_id = s.pod_id
         GROUP BY p.cluster, p.namespace"
    )
}

/// The columns summed per group, as every source names them.
const NAMESPACE_SUMS: &str = "cluster, namespace, cpu_cost, ram_cost, storage_cost, \
    network_cost, load_balancer_cost, cpu_usage_mcs, cpu_request_mcs, mem_usage_bs, \
    mem_request_bs";

/// `cluster` and `namespace` are the key expressions over columns `cluster`/`namespace`
/// (`NULL::text` where the grouping has none); parameters as `scope` numbers them.
pub(crate) fn allocation_sql(cluster: &str, namespace: &str, scope: &Scope<'_>) -> String {
    let filters = scope.filter_sql(6, true);
    let pods = pods_sql(&filters);
    let rollups = namespace_rollups_sql(scope, &filters);
    let edges = edge_namespace_sums();
    format!(
        "WITH sums AS (
            SELECT {cluster} AS k_cluster, {namespace} AS k_namespace,
                   SUM(cpu_cost) AS cpu_cost, SUM(ram_cost) AS ram_cost,
                   SUM(storage_cost) AS storage_cost, SUM(network_cost) AS network_cost,
                   SUM(load_balancer_cost) AS load_balancer_cost,
                   SUM(cpu_usage_mcs) AS cpu_usage_mcs, SUM(cpu_request_mcs) AS cpu_request_mcs,
                   SUM(mem_usage_bs) AS mem_usage_bs, SUM(mem_request_bs) AS mem_request_bs
            FROM ({rollups}
                  UNION ALL
                  SELECT {NAMESPACE_SUMS} FROM ({edges}) AS edges
                  WHERE TRUE{filters}) AS src
            GROUP BY 1, 2
        ), pods AS (
            {pods}
        ), counts AS (
            SELECT {cluster} AS k_cluster, {namespace} AS k_namespace,
                   COUNT(*) AS pod_count, COUNT(DISTINCT namespace) AS namespace_count
            FROM pods GROUP BY 1, 2
        )
        SELECT s.k_cluster, s.k_namespace, NULL::text AS k_pod, NULL::timestamptz AS k_bucket,
               s.cpu_cost, s.ram_cost, s.storage_cost, s.network_cost,
               s.load_balancer_cost, s.cpu_usage_mcs, s.cpu_request_mcs, s.mem_usage_bs,
               s.mem_request_bs, COALESCE(c.pod_count, 0) AS pod_count,
               COALESCE(c.namespace_count, 0) AS namespace_count
        FROM sums s LEFT JOIN counts c
          ON c.k_cluster IS NOT DISTINCT FROM s.k_cluster
         AND c.k_namespace IS NOT DISTINCT FROM s.k_namespace"
    )
}
