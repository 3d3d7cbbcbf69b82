//! The shared store contract suites (`kcost_ports::contract::{metrics, detail}`, the ones
//! every metrics backend must pass) against `SqliteMetricsStore`, one fresh temporary file
//! per test.

// Test helpers outside #[test] functions may unwrap and panic too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

/// One `#[tokio::test]` per function of `kcost_ports::contract::$suite`, in a module of the
/// same name, plus a check that every name of the suite's `ALL` list is among them.
macro_rules! contract_tests {
    ($suite:ident { $($name:ident),* $(,)? }) => {
        mod $suite {
            use kcost_ports::contract::$suite;

            use crate::support::TestDb;

            $(
                #[tokio::test]
                async fn $name() {
                    let test = TestDb::new().await;
                    $suite::$name(&test.store).await;
                }
            )*

            #[test]
            fn every_contract_test_is_run() {
                let run = [$(stringify!($name)),*];
                for name in $suite::ALL {
                    assert!(run.contains(&name), "{name} is not run");
                }
            }
        }
    };
}

contract_tests!(metrics {
    costs_by_namespace_equal_the_priced_snapshot,
    costs_by_cluster_include_idle,
    costs_by_pod_equal_each_pods_cost,
    reappending_is_a_duplicate_and_changes_nothing,
    tenants_never_see_each_others_rows,
    windows_cutting_hours_count_exactly_their_samples,
    a_snapshot_at_midnight_belongs_to_the_new_day,
    trends_bucket_by_hour_day_and_week,
    previous_snapshot_time_is_the_latest_strictly_before,
    utilization_averages_usage_and_requests,
    usage_series_are_ordered_oldest_first,
});

contract_tests!(detail {
    append_then_costs_equal_priced_sums,
    reappend_is_duplicate_and_changes_nothing,
    tenants_are_isolated,
    filters_narrow_and_namespace_filters_drop_idle,
    a_window_cutting_hours_in_half,
    a_snapshot_at_midnight_lands_in_its_day,
    trend_buckets,
    utilization_averages,
    usage_series_ordering,
    previous_snapshot_time,
    direct_costs_are_summed_exactly,
});
