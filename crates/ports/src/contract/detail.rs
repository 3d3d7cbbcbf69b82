//! The detailed contract of [`MetricsStore`](crate::MetricsStore): hand-built pods with
//! owners and agent payloads in named clusters, checked for counts, usage hours, filters
//! (a namespace filter drops idle), windows cutting hours anywhere, trend buckets, tenant
//! isolation, utilization averages and usage series, and pods' direct costs (storage,
//! network, load balancer) as an OpenCost import stores them. Same conventions as
//! [`metrics`](super::metrics): each function takes a store on an empty, migrated schema
//! and panics on a breach; every scenario uses fresh tenants.

mod costs;
mod direct;
mod series;
mod windows;

pub use costs::{
    append_then_costs_equal_priced_sums, filters_narrow_and_namespace_filters_drop_idle,
    reappend_is_duplicate_and_changes_nothing, tenants_are_isolated,
};
pub use direct::direct_costs_are_summed_exactly;
pub use series::{previous_snapshot_time, usage_series_ordering, utilization_averages};
pub use windows::{
    a_snapshot_at_midnight_lands_in_its_day, a_window_cutting_hours_in_half, trend_buckets,
};

/// Every detailed contract test, by name, for adapters that want to check they run them all.
pub const ALL: [&str; 11] = [
    "append_then_costs_equal_priced_sums",
    "reappend_is_duplicate_and_changes_nothing",
    "tenants_are_isolated",
    "filters_narrow_and_namespace_filters_drop_idle",
    "a_window_cutting_hours_in_half",
    "a_snapshot_at_midnight_lands_in_its_day",
    "trend_buckets",
    "utilization_averages",
    "usage_series_ordering",
    "previous_snapshot_time",
    "direct_costs_are_summed_exactly",
];
