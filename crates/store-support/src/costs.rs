//! What a cost answer is made of around the stores' sums: resource-seconds as
//! resource-hours, whether node idle belongs in it, and the rows merged with idle and
//! ordered as the port says.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use kcost_domain::costs::{
    CostBreakdown, CostFilter, CostGrouping, CostKey, CostRow, ResourceHours,
};
use kcost_domain::money::Money;
use kcost_domain::quantity::{BYTES_PER_GIB, MILLICORE_SECONDS_PER_CORE_HOUR};

/// Millicore-seconds and byte-seconds as core-hours and GiB-hours: exact sums, one
/// division each.
pub fn resource_hours(
    cpu_usage_mcs: Decimal,
    cpu_request_mcs: Decimal,
    mem_usage_bs: Decimal,
    mem_request_bs: Decimal,
) -> ResourceHours {
    let byte_seconds_per_gib_hour = Decimal::from(3_600 * BYTES_PER_GIB);
    ResourceHours {
        cpu_usage_core_hours: cpu_usage_mcs / MILLICORE_SECONDS_PER_CORE_HOUR,
        cpu_request_core_hours: cpu_request_mcs / MILLICORE_SECONDS_PER_CORE_HOUR,
        memory_usage_gib_hours: mem_usage_bs / byte_seconds_per_gib_hour,
        memory_request_gib_hours: mem_request_bs / byte_seconds_per_gib_hour,
    }
}

/// Whether a cost answer carries node idle: the cluster and time groupings, and only
/// without a namespace filter (idle belongs to nodes, not namespaces).
pub fn includes_idle(grouping: CostGrouping, filter: &CostFilter) -> bool {
    matches!(grouping, CostGrouping::Cluster | CostGrouping::Time(_)) && filter.namespace.is_none()
}

/// The answer to a cost query from its allocation rows (one per key) and idle sums (any
/// number per key; a key with idle only gets a row of its own): largest total first, ties
/// by key, except time buckets, which come by start ascending.
pub fn merge_cost_rows(
    grouping: CostGrouping,
    allocation: impl IntoIterator<Item = CostRow>,
    idle: impl IntoIterator<Item = (CostKey, Money)>,
) -> Vec<CostRow> {
    let mut merged: BTreeMap<CostKey, CostRow> = allocation
        .into_iter()
        .map(|row| (row.key.clone(), row))
        .collect();
    for (key, idle) in idle {
        let entry = merged.entry(key.clone()).or_insert_with(|| empty_row(key));
        entry.cost.idle += idle;
    }
    let mut rows: Vec<CostRow> = merged.into_values().collect();
    if !matches!(grouping, CostGrouping::Time(_)) {
        rows.sort_by(|a, b| {
            b.cost
                .total()
                .cmp(&a.cost.total())
                .then_with(|| a.key.cmp(&b.key))
        });
    }
    rows
}

fn empty_row(key: CostKey) -> CostRow {
    CostRow {
        key,
        cost: CostBreakdown::default(),
        usage: ResourceHours::default(),
        pod_count: 0,
        namespace_count: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_values::{at, cluster, money};
    use kcost_domain::costs::TrendInterval;

    fn row(key: CostKey, cpu: i64) -> CostRow {
        CostRow {
            cost: CostBreakdown {
                cpu: money(cpu),
                ..CostBreakdown::default()
            },
            pod_count: 1,
            namespace_count: 1,
            ..empty_row(key)
        }
    }

    #[test]
    fn resource_seconds_become_hours() {
        let gib_hour = Decimal::from(3_600 * BYTES_PER_GIB);
        let hours = resource_hours(
            Decimal::from(1_800_000),
            Decimal::from(3_600_000),
            gib_hour,
            gib_hour * Decimal::TWO,
        );
        assert_eq!(hours.cpu_usage_core_hours, Decimal::new(5, 1));
        assert_eq!(hours.cpu_request_core_hours, Decimal::ONE);
        assert_eq!(hours.memory_usage_gib_hours, Decimal::ONE);
        assert_eq!(hours.memory_request_gib_hours, Decimal::TWO);
    }

    #[test]
    fn idle_only_for_clusters_and_trends_without_a_namespace_filter() {
        let none = CostFilter::default();
        let in_namespace = CostFilter {
            cluster: None,
            namespace: Some("web".into()),
        };
        let in_cluster = CostFilter {
            cluster: Some(cluster("prod")),
            namespace: None,
        };
        let trend = CostGrouping::Time(TrendInterval::Daily);
        assert!(includes_idle(CostGrouping::Cluster, &none));
        assert!(includes_idle(trend, &in_cluster));
        assert!(!includes_idle(CostGrouping::Cluster, &in_namespace));
        assert!(!includes_idle(trend, &in_namespace));
        assert!(!includes_idle(CostGrouping::Namespace, &none));
        assert!(!includes_idle(CostGrouping::Pod, &none));
    }

    #[test]
    fn cost_rows_add_idle_and_come_largest_first_ties_by_key() {
        let (a, b, c) = (
            CostKey::Cluster(cluster("a")),
            CostKey::Cluster(cluster("b")),
            CostKey::Cluster(cluster("c")),
        );
        let rows = merge_cost_rows(
            CostGrouping::Cluster,
            [row(a.clone(), 100), row(b.clone(), 50)],
            [
                (b.clone(), money(30)),
                (b.clone(), money(20)),
                (c.clone(), money(100)),
            ],
        );
        let keys: Vec<_> = rows.iter().map(|r| r.key.clone()).collect();
        assert_eq!(keys, [a, b, c.clone()]);
        assert_eq!(rows[1].cost.idle, money(50));
        assert_eq!(rows[1].cost.total(), money(100));
        // A key with idle only: an otherwise empty row.
        assert_eq!(
            rows[2],
            CostRow {
                cost: CostBreakdown {
                    idle: money(100),
                    ..CostBreakdown::default()
                },
                ..empty_row(c)
            }
        );
    }

    #[test]
    fn time_buckets_come_by_start_ascending() {
        let (early, late) = (CostKey::Time(at(9, 0)), CostKey::Time(at(10, 0)));
        let rows = merge_cost_rows(
            CostGrouping::Time(TrendInterval::Hourly),
            [row(late.clone(), 100), row(early.clone(), 1)],
            [],
        );
        let keys: Vec<_> = rows.iter().map(|r| r.key.clone()).collect();
        assert_eq!(keys, [early, late]);
    }
}
