//! From one window's sums to OpenCost's allocation set: pods become allocations, idle is
//! added or shared, shared namespaces and labels are spread, the filter keeps what was
//! asked for, and the rest is grouped by the aggregate properties.
//!
//! Order, as OpenCost's `AllocationSet` pipeline: idle is shared first (over every pod of
//! its cluster or node, before any filter, so a filtered answer still carries each pod's
//! fair share), then shared namespaces and labels are spread over the pods that remain,
//! then the filter applies, then aggregation. Every split is exact (`money::apportion`):
//! the money an answer holds is, to the last digit, the money of the pods (and idle) it
//! covers. What cannot be spread — idle of a cluster without pods, shared cost with no
//! other pods — stays visible as `__idle__` or `__shared__` rather than vanishing.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::allocation::{Allocation, AllocationCost, IDLE, UNALLOCATED};
use super::containers;
use super::properties::AllocationProperties;
use super::query::{AllocationQuery, ShareSplit, Sharing};
use super::sums::{PodWindowSums, ResourceSeconds, WindowSums};
use crate::costs::HOURS_PER_MONTH;
use crate::money::{Money, apportion};
use crate::window::TimeWindow;

/// Name of the allocation holding shared cost nobody could receive (OpenCost's
/// `SharedSuffix`).
pub const SHARED: &str = "__shared__";

/// The allocations of one window, ordered by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationSet {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub allocations: Vec<Allocation>,
}

impl AllocationSet {
    pub fn total_cost(&self) -> Money {
        self.allocations.iter().map(Allocation::total_cost).sum()
    }
}

/// Answers `query` for `window` from the store's `sums`.
pub fn compute(window: &TimeWindow, sums: &WindowSums, query: &AllocationQuery) -> AllocationSet {
    let mut pods: Vec<Allocation> = sums
        .pods
        .iter()
        .map(|p| pod_allocation(window, p))
        .collect();
    if query.needs_containers() {
        let containers = containers::by_pod(&sums.containers);
        pods = sums
            .pods
            .iter()
            .zip(pods)
            .flat_map(|(sums, pod)| {
                let of_pod = containers
                    .get(&sums.pod.fingerprint())
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                containers::split(pod, of_pod)
            })
            .collect();
    }
    let mut extra = idle_allocations(window, sums, &query.sharing, &mut pods);
    extra.extend(spread_shared(window, &query.sharing, &mut pods));

    let mut groups: BTreeMap<String, Allocation> = BTreeMap::new();
    for allocation in pods.into_iter().chain(extra) {
        if !query.filter.matches(&allocation.properties) {
            continue;
        }
        let unaggregated =
            allocation.name == IDLE || allocation.name == SHARED || query.aggregate.is_empty();
        let key = if unaggregated {
            allocation.name.clone()
        } else {
            query
                .aggregate
                .iter()
                .map(|by| {
                    by.value_of(&allocation.properties)
                        .map_or_else(|| UNALLOCATED.to_owned(), |v| v.into_owned())
                })
                .collect::<Vec<_>>()
                .join("/")
        };
        match groups.get_mut(&key) {
            // One pod's descriptions in the window (relabelled, rescheduled) ran one
            // after the other: their times add up.
            Some(group) if query.aggregate.is_empty() && key != IDLE && key != SHARED => {
                group.accumulate(&allocation)
            }
            Some(group) => group.absorb(&allocation),
            None => {
                let mut first = allocation;
                first.name = key.clone();
                groups.insert(key, first);
            }
        }
    }
    AllocationSet {
        start: window.start(),
        end: window.end(),
        allocations: groups.into_values().collect(),
    }
}

/// A pod description's allocation, named as OpenCost names unaggregated allocations
/// (`cluster/node/namespace/pod`).
fn pod_allocation(window: &TimeWindow, sums: &PodWindowSums) -> Allocation {
    let pod = &sums.pod;
    let properties = AllocationProperties {
        cluster: pod.cluster.as_str().to_owned(),
        node: pod.node.clone(),
        namespace: pod.namespace.clone(),
        pod: pod.name.clone(),
        // A pod's cost is per pod: only a lone container can be named for it.
        container: match pod.containers.as_slice() {
            [only] => Some(only.clone()),
            _ => None,
        },
        controller_kind: pod.owner.as_ref().map(|o| o.kind.to_ascii_lowercase()),
        controller: pod.owner.as_ref().map(|o| o.name.clone()),
        labels: pod.labels.clone(),
    };
    Allocation {
        name: format!(
            "{}/{}/{}/{}",
            properties.cluster,
            properties.node.as_deref().unwrap_or(""),
            properties.namespace,
            properties.pod
        ),
        properties,
        start: window.start(),
        end: window.end(),
        running_seconds: sums.resources.seconds,
        cost: AllocationCost {
            cpu: sums.cost.cpu,
            ram: sums.cost.memory,
            pv: sums.cost.storage,
            network: sums.cost.network,
            load_balancer: sums.cost.load_balancer,
            ..AllocationCost::default()
        },
        resources: sums.resources,
    }
}

/// Idle per cluster (or node): shared into `pods` when asked, else returned as `__idle__`
/// allocations when included. Idle that has no pod to go to (no pod, or none that paid for
/// the resource) is returned even when shared.
fn idle_allocations(
    window: &TimeWindow,
    sums: &WindowSums,
    sharing: &Sharing,
    pods: &mut [Allocation],
) -> Vec<Allocation> {
    if !sharing.include_idle && !sharing.share_idle {
        return Vec::new();
    }
    // (cluster, node when by node) → (cpu, ram) idle.
    let mut pools: BTreeMap<(String, Option<String>), (Money, Money)> = BTreeMap::new();
    for node in &sums.nodes {
        let key = (
            node.cluster.as_str().to_owned(),
            sharing.idle_by_node.then(|| node.node.clone()),
        );
        let pool = pools.entry(key).or_default();
        pool.0 += node.idle_cpu;
        pool.1 += node.idle_ram;
    }
    let mut out = Vec::new();
    for ((cluster, node), (mut cpu, mut ram)) in pools {
        if sharing.share_idle {
            let members: Vec<usize> = (0..pods.len())
                .filter(|&i| {
                    pods[i].properties.cluster == cluster
                        && (node.is_none() || pods[i].properties.node == node)
                })
                .collect();
            // A resource's idle goes to the pods by what they paid for it; when none paid
            // anything there is no weight to follow, so it stays listed (as OpenCost does).
            if let Some(parts) = share_by_cost(cpu, &members, pods, |a| a.cost.cpu) {
                for (&i, part) in members.iter().zip(parts) {
                    pods[i].cost.cpu += part;
                    pods[i].cost.cpu_idle += part;
                }
                cpu = Money::ZERO;
            }
            if let Some(parts) = share_by_cost(ram, &members, pods, |a| a.cost.ram) {
                for (&i, part) in members.iter().zip(parts) {
                    pods[i].cost.ram += part;
                    pods[i].cost.ram_idle += part;
                }
                ram = Money::ZERO;
            }
        }
        if cpu.is_zero() && ram.is_zero() && (sharing.share_idle || !sharing.include_idle) {
            continue;
        }
        out.push(Allocation {
            name: IDLE.to_owned(),
            properties: AllocationProperties {
                cluster,
                node,
                ..AllocationProperties::default()
            },
            start: window.start(),
            end: window.end(),
            running_seconds: window_seconds(window),
            cost: AllocationCost {
                cpu,
                ram,
                ..AllocationCost::default()
            },
            resources: ResourceSeconds::default(),
        });
    }
    out
}

/// `idle` split over `members` by `cost`, or `None` when no member paid anything.
fn share_by_cost(
    idle: Money,
    members: &[usize],
    pods: &[Allocation],
    cost: fn(&Allocation) -> Money,
) -> Option<Vec<Money>> {
    let weights: Vec<Decimal> = members.iter().map(|&i| cost(&pods[i]).amount()).collect();
    weights
        .iter()
        .any(|w| *w > Decimal::ZERO)
        .then(|| apportion(idle, &weights))
}

/// Removes the pods of shared namespaces and labels from `pods` and spreads their cost,
/// with the monthly overhead's share of the window, over the pods left (`shared` cost).
/// Returns a `__shared__` allocation when nobody is left to receive it.
fn spread_shared(
    window: &TimeWindow,
    sharing: &Sharing,
    pods: &mut Vec<Allocation>,
) -> Option<Allocation> {
    let is_shared = |props: &AllocationProperties| {
        sharing.share_namespaces.contains(&props.namespace)
            || sharing
                .share_labels
                .iter()
                .any(|(key, value)| props.label(key) == Some(value.as_str()))
    };
    let overhead = Money::from_decimal(
        sharing.share_cost_monthly.amount() * window_seconds(window)
            / Decimal::from(HOURS_PER_MONTH * 3_600),
    );
    let (shared, kept): (Vec<Allocation>, Vec<Allocation>) = std::mem::take(pods)
        .into_iter()
        .partition(|a| is_shared(&a.properties));
    *pods = kept;
    let pool: Money = shared.iter().map(Allocation::total_cost).sum::<Money>() + overhead;
    if pool.is_zero() && shared.is_empty() {
        return None;
    }
    if pods.is_empty() {
        let mut leftover = shared
            .into_iter()
            .reduce(|mut a, b| {
                a.absorb(&b);
                a
            })
            .unwrap_or_else(|| Allocation::empty(SHARED, window.start(), window.end()));
        leftover.name = SHARED.to_owned();
        leftover.cost.shared += overhead;
        return Some(leftover);
    }
    let weights: Vec<Decimal> = match sharing.split {
        ShareSplit::Weighted => pods.iter().map(|a| a.total_cost().amount()).collect(),
        ShareSplit::Even => vec![Decimal::ONE; pods.len()],
    };
    for (pod, part) in pods.iter_mut().zip(apportion(pool, &weights)) {
        pod.cost.shared += part;
    }
    None
}

fn window_seconds(window: &TimeWindow) -> Decimal {
    Decimal::from(window.duration().num_seconds())
}
