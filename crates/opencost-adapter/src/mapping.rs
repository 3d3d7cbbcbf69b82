//! Wire allocations to kcost's [`AllocationSet`]s. Pure: no I/O, the query supplies what
//! the response leaves out (the window of a step without allocations).

use chrono::{DateTime, TimeDelta, Utc};
use kcost_domain::opencost::{Allocation, AllocationProperties, AllocationQuery, AllocationSet};
use rust_decimal::Decimal;

use crate::number::WireNumber;
use crate::wire::{WireAllocation, WireProperties, WireStep, WireWindow};

/// A step's `[start, end)`.
type StepWindow = (DateTime<Utc>, DateTime<Utc>);

/// Why a well-formed JSON response still does not describe allocations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("allocation `{key}`: `{field}` is not an RFC3339 timestamp: {value:.40}")]
    InvalidTimestamp {
        key: String,
        field: &'static str,
        value: String,
    },
    #[error("step {index} lies outside the representable date range")]
    StepOutOfRange { index: usize },
}

/// Maps OpenCost's steps (in response order) to allocation sets, oldest first.
///
/// A step's window is the `window` its allocations carry (OpenCost stamps every allocation
/// with its step's window); a step without allocations gets the `index`-th step of the
/// query, clipped to the query's end. Allocations come sorted by name so equal responses
/// map to equal sets.
pub fn to_allocation_sets(
    steps: Vec<Option<WireStep>>,
    query: &AllocationQuery,
) -> Result<Vec<AllocationSet>, MappingError> {
    let mut sets = steps
        .into_iter()
        .enumerate()
        .map(|(index, step)| to_allocation_set(index, step.unwrap_or_default(), query))
        .collect::<Result<Vec<_>, _>>()?;
    sets.sort_by_key(|set| set.start);
    Ok(sets)
}

fn to_allocation_set(
    index: usize,
    step: WireStep,
    query: &AllocationQuery,
) -> Result<AllocationSet, MappingError> {
    let mut entries: Vec<(String, WireAllocation)> = step
        .into_iter()
        .filter_map(|(key, allocation)| allocation.map(|a| (key, a)))
        .collect();
    entries.sort_by(|(a, _), (b, _)| a.cmp(b));

    let (start, end) = match window_of_entries(&entries)? {
        Some(window) => window,
        None => query_step_window(index, query)?,
    };
    let allocations = entries
        .into_iter()
        .map(|(key, wire)| to_allocation(key, wire, start, end))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(AllocationSet {
        start,
        end,
        allocations,
    })
}

/// The first complete `window` among the step's allocations.
fn window_of_entries(
    entries: &[(String, WireAllocation)],
) -> Result<Option<StepWindow>, MappingError> {
    for (key, wire) in entries {
        if let Some(WireWindow {
            start: Some(start),
            end: Some(end),
        }) = &wire.window
        {
            let start = timestamp(key, "window.start", start)?;
            let end = timestamp(key, "window.end", end)?;
            return Ok(Some((start, end)));
        }
    }
    Ok(None)
}

/// Step `index` of the query: OpenCost steps from the window's start; a zero step means
/// one step over the whole window.
fn query_step_window(index: usize, query: &AllocationQuery) -> Result<StepWindow, MappingError> {
    let (window_start, window_end) = (query.window.start(), query.window.end());
    if query.step_seconds == 0 {
        return Ok((window_start, window_end));
    }
    let step = TimeDelta::seconds(i64::from(query.step_seconds));
    let offset = i32::try_from(index)
        .ok()
        .and_then(|i| step.checked_mul(i))
        .ok_or(MappingError::StepOutOfRange { index })?;
    let start = window_start
        .checked_add_signed(offset)
        .ok_or(MappingError::StepOutOfRange { index })?;
    let end = start
        .checked_add_signed(step)
        .ok_or(MappingError::StepOutOfRange { index })?
        .min(window_end);
    Ok((start, end))
}

fn to_allocation(
    key: String,
    wire: WireAllocation,
    set_start: DateTime<Utc>,
    set_end: DateTime<Utc>,
) -> Result<Allocation, MappingError> {
    let start = optional_timestamp(&key, "start", wire.start.as_deref())?.unwrap_or(set_start);
    let end = optional_timestamp(&key, "end", wire.end.as_deref())?.unwrap_or(set_end);

    let mut allocation = Allocation {
        properties: wire.properties.map(to_properties).unwrap_or_default(),
        name: key,
        start,
        end,
        minutes: wire.minutes.or_zero(),
        cpu_core_request_average: wire.cpu_core_request_average.or_zero(),
        cpu_core_usage_average: wire.cpu_core_usage_average.or_zero(),
        cpu_core_limit_average: wire.cpu_core_limit_average.or_zero(),
        cpu_core_hours: wire.cpu_core_hours.or_zero(),
        ram_byte_request_average: wire.ram_byte_request_average.or_zero(),
        ram_byte_usage_average: wire.ram_byte_usage_average.or_zero(),
        ram_byte_limit_average: wire.ram_byte_limit_average.or_zero(),
        ram_byte_hours: wire.ram_byte_hours.or_zero(),
        gpu_hours: wire.gpu_hours.or_zero(),
        pv_byte_hours: wire.pv_byte_hours.or_zero(),
        cpu_cost: adjusted(wire.cpu_cost, wire.cpu_cost_adjustment),
        ram_cost: adjusted(wire.ram_cost, wire.ram_cost_adjustment),
        gpu_cost: adjusted(wire.gpu_cost, wire.gpu_cost_adjustment),
        pv_cost: adjusted(wire.pv_cost, wire.pv_cost_adjustment),
        network_cost: adjusted(wire.network_cost, wire.network_cost_adjustment),
        load_balancer_cost: adjusted(wire.load_balancer_cost, wire.load_balancer_cost_adjustment),
        shared_cost: wire.shared_cost.or_zero(),
        external_cost: wire.external_cost.or_zero(),
        total_cost: Decimal::ZERO,
    };
    // OpenCost's own total wins: it was computed before each part was rounded for JSON.
    if let Some(total) = wire.total_cost.0 {
        allocation.total_cost = total;
    } else {
        allocation.total_cost = allocation.cost_of_parts();
    }
    Ok(allocation)
}

/// A resource's cost with OpenCost's adjustment added, as OpenCost's own totals have it.
fn adjusted(cost: WireNumber, adjustment: WireNumber) -> Decimal {
    cost.or_zero().saturating_add(adjustment.or_zero())
}

fn to_properties(wire: WireProperties) -> AllocationProperties {
    AllocationProperties {
        cluster: wire.cluster,
        node: wire.node,
        namespace: wire.namespace,
        pod: wire.pod,
        controller_kind: wire.controller_kind,
        controller: wire.controller,
        container: wire.container,
        provider_id: wire.provider_id,
        labels: wire.labels.unwrap_or_default(),
    }
}

fn optional_timestamp(
    key: &str,
    field: &'static str,
    value: Option<&str>,
) -> Result<Option<DateTime<Utc>>, MappingError> {
    value.map(|v| timestamp(key, field, v)).transpose()
}

fn timestamp(key: &str, field: &'static str, value: &str) -> Result<DateTime<Utc>, MappingError> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| MappingError::InvalidTimestamp {
            key: key.to_owned(),
            field,
            value: value.to_owned(),
        })
}
