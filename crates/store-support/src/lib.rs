//! kcost: what every metrics store computes around its SQL, so the SQLite and PostgreSQL
//! stores cannot drift apart — storage knowledge shared by the adapters, kept out of the
//! domain (which holds rules): a query window split into whole hours (read from hourly rollups)
//! and partial edge hours (read from raw samples), resource-seconds as resource-hours, cost
//! rows merged with node idle and ordered, time-weighted utilization averages, raw samples
//! grouped into per-pod usage series and the stored spelling of sample enums. Pure:
//! the stores sum in SQL and hand the sums over.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;

use kcost_domain::cluster::ClusterName;
use kcost_domain::cost_engine::{DurationBasis, Placement};
use kcost_domain::costs::{
    CostBreakdown, CostFilter, CostGrouping, CostKey, CostRow, PodUsageSeries, PodUtilization,
    ResourceHours, UsagePoint,
};
use kcost_domain::money::Money;
use kcost_domain::pricing::ResourceRates;
use kcost_domain::quantity::{BYTES_PER_GIB, MILLICORE_SECONDS_PER_CORE_HOUR};
use kcost_domain::snapshot::Owner;
use kcost_domain::window::TimeWindow;

/// A window `[start, end)` split at its whole hours `[whole_start, whole_end)`: rollups
/// cover `whole_start ≤ hour < whole_end`, raw samples cover `start ≤ ts < whole_start`
/// and `whole_end ≤ ts < end`. A rollup's hour is its samples' timestamp truncated to the
/// hour, so the three ranges are disjoint and together count exactly the samples with
/// `start ≤ ts < end`. Without any whole hour, `whole_start = whole_end = end`: everything
/// comes from raw samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourSplit {
    pub start: DateTime<Utc>,
    pub whole_start: DateTime<Utc>,
    pub whole_end: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl HourSplit {
    pub fn of(window: &TimeWindow) -> Self {
        let (whole_start, whole_end) = window
            .whole_hours()
            .map_or((window.end(), window.end()), |w| (w.start(), w.end()));
        Self {
            start: window.start(),
            whole_start,
            whole_end,
            end: window.end(),
        }
    }

    /// The split of `window` when rollups exist only for hours before `rolled_until` (the
    /// tenant's rollup watermark; `None`: no rollup at all): whole hours at or past it are
    /// read from raw samples like the edges. Shrinks only `whole_end`, so the three ranges
    /// still cover exactly `[start, end)`.
    pub fn rolled_up_before(window: &TimeWindow, rolled_until: Option<DateTime<Utc>>) -> Self {
        let mut split = Self::of(window);
        let limit = rolled_until.unwrap_or(split.whole_start);
        if limit < split.whole_end {
            split.whole_end = limit.max(split.whole_start);
        }
        split
    }
}

/// Rollups are built for an hour once it has closed: its cluster has sent a later
/// snapshot, or this long has passed since its end (agents send every 10 minutes and
/// retry for 2).
pub const ROLLUP_GRACE_SECONDS: i64 = 15 * 60;

/// The end of the closed hours of a cluster whose latest snapshot is at `latest`, at `now`:
/// every hour before it is closed.
pub fn closed_until(latest: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    let grace = Duration::seconds(ROLLUP_GRACE_SECONDS);
    floor_hour(latest).max(floor_hour(now - grace))
}

/// `t` truncated to its UTC hour.
pub fn floor_hour(t: DateTime<Utc>) -> DateTime<Utc> {
    let secs = t.timestamp().div_euclid(3600) * 3600;
    DateTime::from_timestamp(secs, 0).unwrap_or(t)
}

/// Hours rebuilt per rollup transaction: short enough that appends waiting on it are not
/// delayed long, long enough that a back-log is caught up in few transactions.
pub const ROLLUP_BATCH_HOURS: i64 = 6;

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

/// Decimal places of utilization averages (thousandths of a millicore or byte).
pub const AVERAGE_SCALE: u32 = 3;

/// One pod's sums over a window, as a store reads them from rollups and edge samples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UtilizationSums {
    pub cluster: ClusterName,
    pub namespace: String,
    pub pod: String,
    pub cost: Money,
    pub cpu_usage_mcs: Decimal,
    pub cpu_request_mcs: Decimal,
    pub mem_usage_bs: Decimal,
    pub mem_request_bs: Decimal,
    pub max_cpu_usage_millicores: u64,
    pub max_memory_usage_bytes: u64,
    pub samples: u64,
    pub seconds: u64,
}

impl UtilizationSums {
    /// Time-weighted averages (resource-seconds over seconds, rounded to
    /// [`AVERAGE_SCALE`] places; zero without seconds), with the maxima, cost and count.
    pub fn into_utilization(self) -> PodUtilization {
        let seconds = Decimal::from(self.seconds);
        let average = |total: Decimal| {
            if seconds.is_zero() {
                Decimal::ZERO
            } else {
                (total / seconds).round_dp(AVERAGE_SCALE)
            }
        };
        PodUtilization {
            cluster: self.cluster,
            namespace: self.namespace,
            pod: self.pod,
            avg_cpu_usage_millicores: average(self.cpu_usage_mcs),
            avg_cpu_request_millicores: average(self.cpu_request_mcs),
            max_cpu_usage_millicores: self.max_cpu_usage_millicores,
            avg_memory_usage_bytes: average(self.mem_usage_bs),
            avg_memory_request_bytes: average(self.mem_request_bs),
            max_memory_usage_bytes: self.max_memory_usage_bytes,
            cost: self.cost,
            samples: self.samples,
        }
    }
}

/// One raw pod sample as a store reads it, before grouping into series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodUsageSample {
    pub cluster: ClusterName,
    pub namespace: String,
    pub pod: String,
    pub owner: Option<Owner>,
    pub rates: ResourceRates,
    pub point: UsagePoint,
}

/// The owner stored as two nullable columns: both, or none.
pub fn owner_from_columns(kind: Option<String>, name: Option<String>) -> Option<Owner> {
    match (kind, name) {
        (Some(kind), Some(name)) => Some(Owner { kind, name }),
        _ => None,
    }
}

/// One series per pod from samples ordered by cluster, namespace, pod and time: points
/// oldest first, owner and rates of the pod's latest sample.
pub fn group_usage_samples(
    samples: impl IntoIterator<Item = PodUsageSample>,
) -> Vec<PodUsageSeries> {
    let mut series: Vec<PodUsageSeries> = Vec::new();
    for sample in samples {
        match series.last_mut() {
            Some(last)
                if last.cluster == sample.cluster
                    && last.namespace == sample.namespace
                    && last.pod == sample.pod =>
            {
                // Samples are oldest first: the latest sample's owner and rates win.
                last.points.push(sample.point);
                last.owner = sample.owner;
                last.rates = sample.rates;
            }
            _ => series.push(PodUsageSeries {
                cluster: sample.cluster,
                namespace: sample.namespace,
                pod: sample.pod,
                owner: sample.owner,
                rates: sample.rates,
                points: vec![sample.point],
            }),
        }
    }
    series
}

/// How a pod's placement is stored (`pod_samples.placement`).
pub fn stored_placement(placement: Placement) -> &'static str {
    match placement {
        Placement::OnNode => "on_node",
        Placement::Pending => "pending",
        Placement::UnknownNode => "unknown_node",
    }
}

/// How a sample's duration basis is stored (`snapshots.duration_basis`).
pub fn stored_duration_basis(basis: DurationBasis) -> &'static str {
    match basis {
        DurationBasis::Declared => "declared",
        DurationBasis::GapToPrevious => "gap_to_previous",
        DurationBasis::Default => "default",
    }
}

#[cfg(test)]
mod rollup_tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0).unwrap()
    }

    #[test]
    fn the_watermark_shrinks_only_the_whole_hours() {
        let window = TimeWindow::new(at(8, 30), at(14, 15)).unwrap();
        let all = HourSplit::of(&window);
        assert_eq!((all.whole_start, all.whole_end), (at(9, 0), at(14, 0)));
        let split = HourSplit::rolled_up_before(&window, Some(at(11, 0)));
        assert_eq!((split.whole_start, split.whole_end), (at(9, 0), at(11, 0)));
        let none = HourSplit::rolled_up_before(&window, None);
        assert_eq!((none.whole_start, none.whole_end), (at(9, 0), at(9, 0)));
        let early = HourSplit::rolled_up_before(&window, Some(at(3, 0)));
        assert_eq!(early.whole_end, at(9, 0));
        let late = HourSplit::rolled_up_before(&window, Some(at(20, 0)));
        assert_eq!(late, all);
    }

    #[test]
    fn hours_close_with_a_later_snapshot_or_after_the_grace() {
        assert_eq!(closed_until(at(10, 0), at(10, 1)), at(10, 0));
        assert_eq!(closed_until(at(10, 50), at(10, 51)), at(10, 0));
        assert_eq!(closed_until(at(9, 50), at(10, 14)), at(9, 0));
        assert_eq!(closed_until(at(9, 50), at(10, 15)), at(10, 0));
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use kcost_domain::costs::TrendInterval;
    use kcost_domain::quantity::{Bytes, Millicores};
    use kcost_domain::snapshot::ResourceFigures;

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, hour, minute, 0).unwrap()
    }

    fn money(cents: i64) -> Money {
        Money::from_decimal(Decimal::new(cents, 2))
    }

    fn cluster(name: &str) -> ClusterName {
        ClusterName::new(name).unwrap()
    }

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
    fn a_window_splits_into_edges_and_whole_hours() {
        let split = HourSplit::of(&TimeWindow::new(at(9, 30), at(12, 15)).unwrap());
        assert_eq!(
            (split.start, split.whole_start, split.whole_end, split.end),
            (at(9, 30), at(10, 0), at(12, 0), at(12, 15))
        );
    }

    #[test]
    fn a_window_without_whole_hours_is_all_edge() {
        let split = HourSplit::of(&TimeWindow::new(at(9, 10), at(9, 50)).unwrap());
        assert_eq!((split.whole_start, split.whole_end), (at(9, 50), at(9, 50)));
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

    fn sums(seconds: u64) -> UtilizationSums {
        UtilizationSums {
            cluster: cluster("prod"),
            namespace: "web".into(),
            pod: "api".into(),
            cost: money(7),
            // 100 m for 600 s and 400 m for 1200 s; 1 GiB then 3 GiB.
            cpu_usage_mcs: Decimal::from(100 * 600 + 400 * 1200),
            cpu_request_mcs: Decimal::from(200 * 1800),
            mem_usage_bs: Decimal::from(BYTES_PER_GIB * 600 + 3 * BYTES_PER_GIB * 1200),
            mem_request_bs: Decimal::ZERO,
            max_cpu_usage_millicores: 400,
            max_memory_usage_bytes: 3 * BYTES_PER_GIB,
            samples: 2,
            seconds,
        }
    }

    #[test]
    fn utilization_averages_are_time_weighted_and_rounded() {
        let pod = sums(1800).into_utilization();
        assert_eq!(pod.avg_cpu_usage_millicores, Decimal::from(300));
        assert_eq!(pod.avg_cpu_request_millicores, Decimal::from(200));
        let seven_thirds_gib = (Decimal::from(7 * BYTES_PER_GIB) / Decimal::from(3)).round_dp(3);
        assert_eq!(pod.avg_memory_usage_bytes, seven_thirds_gib);
        assert_eq!(pod.avg_memory_request_bytes, Decimal::ZERO);
        assert_eq!(
            (pod.max_cpu_usage_millicores, pod.max_memory_usage_bytes),
            (400, 3 * BYTES_PER_GIB)
        );
        assert_eq!((pod.cost, pod.samples), (money(7), 2));
    }

    #[test]
    fn utilization_without_seconds_averages_zero() {
        let pod = sums(0).into_utilization();
        assert_eq!(pod.avg_cpu_usage_millicores, Decimal::ZERO);
        assert_eq!(pod.avg_memory_usage_bytes, Decimal::ZERO);
    }

    fn sample(pod: &str, minute: u32, rate: i64, owner: Option<&str>) -> PodUsageSample {
        PodUsageSample {
            cluster: cluster("prod"),
            namespace: "web".into(),
            pod: pod.into(),
            owner: owner_from_columns(Some("Deployment".into()), owner.map(Into::into)),
            rates: ResourceRates {
                cpu_core_hourly: Decimal::from(rate),
                ram_gib_hourly: Decimal::ONE,
            },
            point: UsagePoint {
                at: at(9, minute),
                seconds: 600,
                figures: ResourceFigures {
                    cpu_request: Millicores::new(100),
                    cpu_usage: Millicores::new(u64::from(minute)),
                    memory_request: Bytes::new(1),
                    memory_usage: Bytes::new(1),
                    cpu_limit: None,
                    memory_limit: None,
                },
            },
        }
    }

    #[test]
    fn samples_group_per_pod_with_the_latest_owner_and_rates() {
        let series = group_usage_samples([
            sample("a", 0, 1, None),
            sample("a", 10, 2, Some("a-deploy")),
            sample("b", 0, 3, Some("b-deploy")),
        ]);
        assert_eq!(series.len(), 2);
        let a = &series[0];
        assert_eq!(a.pod, "a");
        let times: Vec<_> = a.points.iter().map(|p| p.at).collect();
        assert_eq!(times, [at(9, 0), at(9, 10)]);
        assert_eq!(a.rates.cpu_core_hourly, Decimal::TWO);
        assert_eq!(a.owner.as_ref().map(|o| o.name.as_str()), Some("a-deploy"));
        assert_eq!((series[1].pod.as_str(), series[1].points.len()), ("b", 1));
    }

    #[test]
    fn an_owner_needs_both_columns() {
        assert_eq!(owner_from_columns(Some("Job".into()), None), None);
        assert_eq!(owner_from_columns(None, Some("x".into())), None);
        assert_eq!(
            owner_from_columns(Some("Job".into()), Some("x".into())),
            Some(Owner {
                kind: "Job".into(),
                name: "x".into()
            })
        );
    }

    #[test]
    fn sample_enums_keep_their_stored_spelling() {
        assert_eq!(stored_placement(Placement::OnNode), "on_node");
        assert_eq!(stored_placement(Placement::Pending), "pending");
        assert_eq!(stored_placement(Placement::UnknownNode), "unknown_node");
        assert_eq!(stored_duration_basis(DurationBasis::Declared), "declared");
        assert_eq!(
            stored_duration_basis(DurationBasis::GapToPrevious),
            "gap_to_previous"
        );
        assert_eq!(stored_duration_basis(DurationBasis::Default), "default");
    }
}
