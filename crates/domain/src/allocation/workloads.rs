//! One window's cost per workload, with idle per cluster: the rows of a cost export.
//!
//! A workload is what a team deploys and is charged for: a pod's owning controller
//! (Deployment, StatefulSet, DaemonSet, Job, …), or the pod itself when it has none. Pods
//! become allocations by the allocation rules ([`super::compute`], no idle, no sharing),
//! and a workload's pods are merged into one allocation, keeping only the labels all of
//! them carry. Idle — what nodes cost beyond what their pods were allocated — belongs to no
//! workload and stays a line of its own per cluster, so that the workloads and the idle
//! lines of a window add up, exactly, to what its clusters cost.

use std::collections::BTreeMap;

use super::allocation::Allocation;
use super::compute::compute;
use super::query::AllocationQuery;
use super::sums::WindowSums;
use crate::money::Money;
use crate::window::TimeWindow;

/// What a workload is: an owning controller, or a pod nobody owns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Workload {
    /// `kind` lower-case, as allocations name it (`deployment`, `statefulset`, …).
    Controller {
        kind: String,
        name: String,
    },
    Pod {
        name: String,
    },
}

impl Workload {
    /// The kind as Kubernetes spells it (`Deployment`, `StatefulSet`, `Pod`); kinds kcost
    /// does not know keep their name with a capital first letter.
    pub fn kind_display(&self) -> String {
        let kind = match self {
            Self::Pod { .. } => return "Pod".to_owned(),
            Self::Controller { kind, .. } => kind,
        };
        match kind.as_str() {
            "deployment" => "Deployment".to_owned(),
            "statefulset" => "StatefulSet".to_owned(),
            "daemonset" => "DaemonSet".to_owned(),
            "replicaset" => "ReplicaSet".to_owned(),
            "job" => "Job".to_owned(),
            "cronjob" => "CronJob".to_owned(),
            "replicationcontroller" => "ReplicationController".to_owned(),
            other => {
                let mut chars = other.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_uppercase().chain(chars).collect()
                })
            }
        }
    }

    /// The workload's (or the pod's) name.
    pub fn name(&self) -> &str {
        match self {
            Self::Controller { name, .. } | Self::Pod { name } => name,
        }
    }
}

/// One workload's cost over the window: its pods' allocations merged (costs and
/// resource-seconds added, labels those all its pods share).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadCost {
    pub cluster: String,
    pub namespace: String,
    pub workload: Workload,
    pub allocation: Allocation,
}

impl WorkloadCost {
    /// Hours its pods ran, added over the pods (two pods for a day are 48 hours).
    pub fn pod_hours(&self) -> rust_decimal::Decimal {
        self.allocation.resources.seconds / crate::quantity::SECONDS_PER_HOUR
    }
}

/// One cluster's idle cost over the window, per resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdleCost {
    pub cpu: Money,
    pub ram: Money,
}

impl IdleCost {
    pub fn total(&self) -> Money {
        self.cpu + self.ram
    }
}

/// A window's workloads (by cluster, namespace and workload) and idle (by cluster).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadCosts {
    pub window: TimeWindow,
    pub workloads: Vec<WorkloadCost>,
    /// Cluster name → its idle; clusters whose idle is exactly zero are absent.
    pub idle: BTreeMap<String, IdleCost>,
}

impl WorkloadCosts {
    /// Everything the window cost: its workloads and its idle.
    pub fn total_cost(&self) -> Money {
        self.workloads
            .iter()
            .map(|w| w.allocation.total_cost())
            .chain(self.idle.values().map(IdleCost::total))
            .sum()
    }
}

/// The workloads and idle of `window` from the store's `sums`.
pub fn workload_costs(window: &TimeWindow, sums: &WindowSums) -> WorkloadCosts {
    // Per pod (descriptions of one pod in the window already added up), nothing shared.
    let pods = compute(window, sums, &AllocationQuery::default()).allocations;
    let mut workloads: BTreeMap<(String, String, Workload), Allocation> = BTreeMap::new();
    for pod in pods {
        let props = &pod.properties;
        let workload = match (&props.controller_kind, &props.controller) {
            (Some(kind), Some(name)) => Workload::Controller {
                kind: kind.clone(),
                name: name.clone(),
            },
            _ => Workload::Pod {
                name: props.pod.clone(),
            },
        };
        let key = (props.cluster.clone(), props.namespace.clone(), workload);
        match workloads.get_mut(&key) {
            Some(merged) => merged.absorb(&pod),
            None => {
                workloads.insert(key, pod);
            }
        }
    }

    let mut idle: BTreeMap<String, IdleCost> = BTreeMap::new();
    for node in &sums.nodes {
        let cluster = idle
            .entry(node.cluster.as_str().to_owned())
            .or_insert(IdleCost {
                cpu: Money::ZERO,
                ram: Money::ZERO,
            });
        cluster.cpu += node.idle_cpu;
        cluster.ram += node.idle_ram;
    }
    idle.retain(|_, cost| !cost.total().is_zero());

    WorkloadCosts {
        window: *window,
        workloads: workloads
            .into_iter()
            .map(
                |((cluster, namespace, workload), allocation)| WorkloadCost {
                    cluster,
                    namespace,
                    workload,
                    allocation,
                },
            )
            .collect(),
        idle,
    }
}

#[cfg(test)]
#[path = "workloads_tests.rs"]
mod tests;
