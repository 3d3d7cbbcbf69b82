//! kcost: what every metrics store computes around its SQL, so the SQLite and PostgreSQL
//! stores cannot drift apart — storage knowledge shared by the adapters, kept out of the
//! domain (which holds rules): a query window split into whole hours (read from hourly rollups)
//! and partial edge hours (read from raw samples), resource-seconds as resource-hours, cost
//! rows merged with node idle and ordered, the key columns of each grouping, time-weighted utilization averages, raw samples
//! grouped into per-pod and per-container usage series, result rows decoded into domain values and the stored
//! spelling of sample enums. Pure: the stores sum in SQL and hand the sums over.

mod container_usage;
mod costs;
mod key_columns;
mod result_row;
mod split;
mod stored_spelling;
mod usage;
mod utilization;

#[cfg(test)]
mod test_values;

pub use container_usage::{
    CONTAINER_NAME_COLUMN, ContainerUsageSample, container_usage_sample, group_container_samples,
};
pub use costs::{includes_idle, merge_cost_rows, resource_hours};
pub use key_columns::{KeyColumns, KeyDialect};
pub use result_row::{
    DecodeError, ResultRow, USAGE_SAMPLE_COLUMNS, allocation_row, cost_key, idle_row, pod_costs,
    usage_sample, usage_samples_sql, utilization_sums,
};
pub use split::{
    HourSplit, ROLLUP_BATCH_HOURS, ROLLUP_GRACE_SECONDS, closed_until, floor_day, floor_hour,
};
pub use stored_spelling::{stored_duration_basis, stored_placement};
pub use usage::{PodUsageSample, group_usage_samples, owner_from_columns};
pub use utilization::{AVERAGE_SCALE, UtilizationSums};
