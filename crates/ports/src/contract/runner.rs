//! The one list of metrics-store contract tests, as a macro every backend's test file calls,
//! so no backend can skip a function or keep its own copy of the list.
//!
//! ```ignore
//! // In an adapter's tests: how to run one contract function on a fresh store.
//! macro_rules! on_fresh_store {
//!     ($suite:ident, $name:ident) => {{
//!         let test = crate::support::TestDb::new().await;
//!         kcost_ports::contract::$suite::$name(&test.store).await;
//!     }};
//! }
//! kcost_ports::metrics_store_contract_tests!(on_fresh_store);
//! ```

/// One `#[tokio::test]` per function of `contract::metrics`, `detail`, `rollup`,
/// `allocation` and `containers`, in
/// modules named after the suites, each running `$run!(suite, function)`; plus a test per
/// suite that the list here is exactly the suite's `ALL`.
#[macro_export]
macro_rules! metrics_store_contract_tests {
    ($run:ident) => {
        $crate::__contract_suite!(
            $run,
            metrics {
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
            }
        );
        $crate::__contract_suite!(
            $run,
            detail {
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
            }
        );
        $crate::__contract_suite!(
            $run,
            rollup {
                rolled_up_answers_equal_raw_answers,
                rollups_are_idempotent,
                only_closed_hours_are_rolled_up,
                a_late_snapshot_is_counted_after_its_hour_was_rolled_up,
                any_interleaving_of_appends_and_rollups_answers_the_same,
                descriptions_are_stored_once_and_again_when_changed,
            }
        );
        $crate::__contract_suite!(
            $run,
            allocation {
                window_sums_equal_the_priced_samples,
                node_assets_equal_the_node_samples,
                container_sums_equal_the_container_samples,
            }
        );
        $crate::__contract_suite!(
            $run,
            containers {
                container_series_equal_the_container_samples,
            }
        );
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __contract_suite {
    ($run:ident, $suite:ident { $($name:ident),* $(,)? }) => {
        mod $suite {
            $(
                #[tokio::test]
                async fn $name() {
                    $run!($suite, $name);
                }
            )*

            #[test]
            fn every_contract_function_runs_here() {
                assert_eq!([$(stringify!($name)),*], $crate::contract::$suite::ALL);
            }
        }
    };
}
