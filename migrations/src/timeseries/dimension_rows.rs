//! The statements of `m20261206_000001_pod_dimensions` that both backends run
//! (`postgres_dimensions`, `sqlite_dimensions`): old pods and nodes described as dimension
//! rows, old samples copied under their pod's id. Where the engines differ (the old rollup's
//! name, how NULLs compare, SQLite's ordering), the caller passes its own text.

/// Describes each pod of the old wide samples once per node and owner it was seen with,
/// first seen at its earliest sample; `then` follows the GROUP BY (SQLite's ORDER BY).
pub fn pods_of_legacy_samples(then: &str) -> String {
    format!(
        "INSERT INTO pods (tenant_id, cluster, namespace, pod, node, owner_kind, owner_name,
                       first_seen)
     SELECT tenant_id, cluster, namespace, pod, node, owner_kind, owner_name, min(ts)
     FROM legacy_pod_samples
     GROUP BY tenant_id, cluster, namespace, pod, node, owner_kind, owner_name{then}"
    )
}

/// Describes the pods of the old hourly rollup `rollups` that no description matches yet:
/// those whose samples retention already dropped.
pub fn pods_of_rollups(rollups: &str) -> String {
    format!(
        "INSERT INTO pods (tenant_id, cluster, namespace, pod, node, first_seen)
     SELECT h.tenant_id, h.cluster, h.namespace, h.pod, NULLIF(h.node, ''), min(h.hour)
     FROM {rollups} h
     WHERE NOT EXISTS (SELECT 1 FROM pods p
                       WHERE p.tenant_id = h.tenant_id AND p.cluster = h.cluster
                         AND p.namespace = h.namespace AND p.pod = h.pod
                         AND COALESCE(p.node, '') = h.node)
     GROUP BY h.tenant_id, h.cluster, h.namespace, h.pod, h.node"
    )
}

/// Copies the old wide samples into the narrow `pod_samples` under the id of their pod's
/// description; `same_description` completes the join on `pods` (node and owner compared
/// NULL-safely, which each engine spells its own way) and may order the copy.
pub fn narrow_samples(same_description: &str) -> String {
    format!(
        "INSERT INTO pod_samples (tenant_id, ts, pod_id, duration_seconds, placement, cpu_usage_m,
                              cpu_request_m, cpu_limit_m, mem_usage_b, mem_request_b,
                              mem_limit_b, cpu_cost, ram_cost, storage_cost, network_cost,
                              load_balancer_cost, cpu_rate, ram_rate)
     SELECT l.tenant_id, l.ts, p.pod_id, l.duration_seconds, l.placement, l.cpu_usage_m,
            l.cpu_request_m, l.cpu_limit_m, l.mem_usage_b, l.mem_request_b, l.mem_limit_b,
            l.cpu_cost, l.ram_cost, l.storage_cost, l.network_cost, l.load_balancer_cost,
            l.cpu_rate, l.ram_rate
     FROM legacy_pod_samples l
     JOIN pods p ON p.tenant_id = l.tenant_id AND p.cluster = l.cluster
                AND p.namespace = l.namespace AND p.pod = l.pod{same_description}"
    )
}

/// Describes each node of `node_samples` once per instance type, first seen at its earliest
/// sample.
pub const NODES_OF_SAMPLES: &str =
    "INSERT INTO nodes (tenant_id, cluster, node, instance_type, first_seen)
     SELECT tenant_id, cluster, node, instance_type, min(ts)
     FROM node_samples GROUP BY tenant_id, cluster, node, instance_type";
