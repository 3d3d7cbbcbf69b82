//! Merging the sets of consecutive steps into periods (OpenCost's `accumulate`): each
//! allocation's sums and running time add up across the steps of its period.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Timelike, Utc};

use super::compute::AllocationSet;
use super::query::Accumulate;

/// The sets of `steps` (in time order) merged as `how` says.
pub fn accumulate(steps: Vec<AllocationSet>, how: Accumulate) -> Vec<AllocationSet> {
    if how == Accumulate::None {
        return steps;
    }
    let mut out: Vec<(PeriodKey, AllocationSet)> = Vec::new();
    for step in steps {
        let key = period_of(step.start, how);
        match out.last_mut() {
            Some((last_key, merged)) if *last_key == key => merge(merged, step),
            _ => out.push((key, step)),
        }
    }
    out.into_iter().map(|(_, set)| set).collect()
}

type PeriodKey = (i32, u32, u32);

/// The period `t` falls in, as a comparable key.
fn period_of(t: DateTime<Utc>, how: Accumulate) -> PeriodKey {
    match how {
        Accumulate::None | Accumulate::All => (0, 0, 0),
        Accumulate::Hour => (t.year(), t.ordinal(), t.hour()),
        Accumulate::Day => (t.year(), t.ordinal(), 0),
        Accumulate::Week => {
            let sunday = t.date_naive()
                - chrono::TimeDelta::days(i64::from(t.weekday().num_days_from_sunday()));
            (sunday.year(), sunday.ordinal(), 0)
        }
        Accumulate::Month => (t.year(), t.month(), 0),
        Accumulate::Quarter => (t.year(), (t.month() - 1) / 3, 0),
    }
}

fn merge(into: &mut AllocationSet, later: AllocationSet) {
    into.end = later.end;
    let mut by_name: BTreeMap<String, _> = std::mem::take(&mut into.allocations)
        .into_iter()
        .map(|a| (a.name.clone(), a))
        .collect();
    for allocation in later.allocations {
        match by_name.get_mut(&allocation.name) {
            Some(existing) => existing.accumulate(&allocation),
            None => {
                by_name.insert(allocation.name.clone(), allocation);
            }
        }
    }
    into.allocations = by_name.into_values().collect();
}
