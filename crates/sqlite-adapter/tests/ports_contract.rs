//! The shared store contract suite (`kcost_ports::contract::metrics`, the one every metrics
//! backend must pass) against `SqliteMetricsStore`, one fresh temporary file per test.

// Test helpers outside #[test] functions may unwrap and panic too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use kcost_ports::contract::metrics;
use support::TestDb;

macro_rules! contract_tests {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            let test = TestDb::new().await;
            metrics::$name(&test.store).await;
        }
    )*};
}

contract_tests!(
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
);

/// Every test of the suite is run above.
#[test]
fn every_contract_test_is_run() {
    let here = include_str!("ports_contract.rs");
    for name in metrics::ALL {
        assert!(
            here.contains(&format!("    {name},\n")),
            "{name} is not run"
        );
    }
}
