//! One simulated cluster over time: [`ClusterSim::step`] advances it to a sample time
//! (autoscalers follow the daily load, rollouts replace pods, pods get evicted and
//! rescheduled, CronJobs come and go, a pod now and then waits to be scheduled) and
//! returns the snapshot the reference agent would send at that moment.
//!
//! Pure: no clock, no I/O; the same seed and the same sample times give the same snapshots.

use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use kcost_agent_contract::{AgentPayload, WireFigures, WireNode, WirePod, WireTimestamp};
use kcost_domain::catalog::Catalog;
use rust_decimal::prelude::ToPrimitive;

use super::blueprint::{ClusterBlueprint, Workload, WorkloadKind};
use super::rng::SimRng;
use super::usage::diurnal;

/// Per sample: chance a running pod is evicted and replaced (new name, new node).
const EVICTION_CHANCE: f64 = 0.005;
/// Per sample: chance a Deployment rolls out a new version (every pod replaced).
const ROLLOUT_CHANCE: f64 = 0.003;
/// Chance a new pod is still pending at its first sample (image pull, volume attach).
const SLOW_START_CHANCE: f64 = 0.03;
/// CronJobs start every this many hours and run for the first half hour.
const CRONJOB_PERIOD_HOURS: u32 = 6;
/// Memory the kubelet and system reserve on every node.
const RESERVED_MEMORY_BYTES: u64 = 512 * 1024 * 1024;
/// CPU the kubelet and system reserve on every node.
const RESERVED_CPU_MILLICORES: u64 = 70;

/// Why a cluster cannot be simulated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cluster {cluster}: instance type {instance_type} is not in the price catalog")]
pub struct UnknownInstanceType {
    pub cluster: String,
    pub instance_type: String,
}

#[derive(Debug, Clone, PartialEq)]
struct SimNode {
    name: String,
    instance_type: String,
    cpu_capacity: u64,
    memory_capacity: u64,
    cpu_allocatable: u64,
    memory_allocatable: u64,
}

#[derive(Debug, Clone, PartialEq)]
struct LivePod {
    name: String,
    controller_name: String,
    /// `None` while pending.
    node: Option<usize>,
    /// Held pending at its first sample even if it would fit.
    slow_start: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct WorkloadState {
    spec: Workload,
    template_hash: String,
    pods: Vec<LivePod>,
    /// The CronJob run the pods belong to.
    job_run: Option<i64>,
}

/// A cluster's state between samples.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSim {
    name: String,
    nodes: Vec<SimNode>,
    workloads: Vec<WorkloadState>,
    rng: SimRng,
}

impl ClusterSim {
    /// Builds the cluster with nodes priced and shaped from `catalog`; no pods yet.
    pub fn new(
        blueprint: ClusterBlueprint,
        catalog: &Catalog,
        seed: u64,
    ) -> Result<Self, UnknownInstanceType> {
        let nodes = blueprint
            .node_types
            .iter()
            .enumerate()
            .map(|(index, instance_type)| {
                let entry = catalog
                    .get(instance_type)
                    .ok_or_else(|| UnknownInstanceType {
                        cluster: blueprint.name.clone(),
                        instance_type: (*instance_type).to_owned(),
                    })?;
                let cpu_capacity = (entry.vcpu.to_f64().unwrap_or(0.0) * 1000.0) as u64;
                // Kernel and firmware keep ~3 % of the memory the instance type advertises.
                let memory_capacity =
                    (entry.memory_gib.to_f64().unwrap_or(0.0) * 0.97 * 1024f64.powi(3)) as u64;
                Ok(SimNode {
                    name: format!(
                        "{}{}{}",
                        blueprint.node_name_prefix, index, blueprint.node_name_suffix
                    ),
                    instance_type: (*instance_type).to_owned(),
                    cpu_capacity,
                    memory_capacity,
                    cpu_allocatable: cpu_capacity.saturating_sub(RESERVED_CPU_MILLICORES),
                    memory_allocatable: memory_capacity.saturating_sub(RESERVED_MEMORY_BYTES),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut rng = SimRng::derive(seed, &format!("cluster/{}", blueprint.name));
        let workloads = blueprint
            .workloads
            .into_iter()
            .map(|spec| WorkloadState {
                template_hash: rng.suffix(10),
                spec,
                pods: Vec::new(),
                job_run: None,
            })
            .collect();
        Ok(Self {
            name: blueprint.name,
            nodes,
            workloads,
            rng,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Advances the cluster to `at` and returns the snapshot the agent sends then.
    pub fn step(&mut self, at: DateTime<Utc>) -> AgentPayload {
        let load = diurnal(at);
        for index in 0..self.workloads.len() {
            self.reconcile(index, at, load);
        }
        self.schedule();
        let pods = self.pod_metrics(load);
        let node_time = at.to_rfc3339_opts(SecondsFormat::Micros, true);
        let nodes = self
            .nodes
            .iter()
            .map(|node| WireNode {
                timestamp: Some(node_time.clone()),
                cluster_name: Some(self.name.clone()),
                node_name: node.name.clone(),
                instance_type: node.instance_type.clone(),
                cpu_capacity: to_i64(node.cpu_capacity),
                memory_capacity: to_i64(node.memory_capacity),
                cpu_allocatable: to_i64(node.cpu_allocatable),
                memory_allocatable: to_i64(node.memory_allocatable),
                hourly_cost_usd: None,
                labels: None,
            })
            .collect();
        AgentPayload {
            cluster_name: self.name.clone(),
            timestamp: WireTimestamp::UnixSeconds(at.timestamp()),
            pod_metrics: Some(pods),
            node_metrics: Some(nodes),
            interval_seconds: None,
        }
    }

    /// Brings one workload's pods to what its controller wants at `at`.
    fn reconcile(&mut self, index: usize, at: DateTime<Utc>, load: f64) {
        let node_count = self.nodes.len();
        let rng = &mut self.rng;
        let state = &mut self.workloads[index];
        let spec = &state.spec;
        let desired = match spec.kind {
            WorkloadKind::DaemonSet => node_count,
            WorkloadKind::CronJob => {
                let hour_in_period = at.hour() % CRONJOB_PERIOD_HOURS;
                let run = at.timestamp() / (i64::from(CRONJOB_PERIOD_HOURS) * 3600);
                if hour_in_period == 1 && at.minute() < 30 {
                    if state.job_run != Some(run) {
                        state.job_run = Some(run);
                        state.pods.clear();
                    }
                    spec.replicas as usize
                } else {
                    0
                }
            }
            _ if spec.autoscaled => {
                let wanted = f64::from(spec.replicas) * (0.4 + 0.6 * load);
                (wanted.round() as usize).max(1)
            }
            _ => spec.replicas as usize,
        };
        if spec.kind == WorkloadKind::Deployment && rng.chance(ROLLOUT_CHANCE) {
            state.template_hash = rng.suffix(10);
            state.pods.clear();
        }
        // Evictions: the controller replaces the pod; StatefulSet pods keep their name.
        // DaemonSet pods restart on their own node.
        for (ordinal, pod) in state.pods.iter_mut().enumerate() {
            if pod.node.is_some() && rng.chance(EVICTION_CHANCE) {
                if spec.kind != WorkloadKind::DaemonSet {
                    pod.node = None;
                    pod.slow_start = rng.chance(SLOW_START_CHANCE);
                }
                if spec.kind != WorkloadKind::StatefulSet {
                    pod.name = pod_name(spec, &state.template_hash, state.job_run, ordinal, rng);
                }
            }
        }
        state.pods.truncate(desired);
        while state.pods.len() < desired {
            let ordinal = state.pods.len();
            let name = pod_name(spec, &state.template_hash, state.job_run, ordinal, rng);
            let controller_name = match spec.kind {
                WorkloadKind::Deployment => format!("{}-{}", spec.name, state.template_hash),
                WorkloadKind::CronJob => format!("{}-{}", spec.name, state.job_run.unwrap_or(0)),
                WorkloadKind::StatefulSet | WorkloadKind::DaemonSet => spec.name.to_owned(),
            };
            let node = (spec.kind == WorkloadKind::DaemonSet).then_some(ordinal);
            state.pods.push(LivePod {
                name,
                controller_name,
                node,
                slow_start: node.is_none() && rng.chance(SLOW_START_CHANCE),
            });
        }
    }

    /// Places pending pods on the node with the most CPU left that fits their requests;
    /// pods that fit nowhere stay pending.
    fn schedule(&mut self) {
        let mut cpu_free: Vec<i128> = self
            .nodes
            .iter()
            .map(|n| i128::from(n.cpu_allocatable))
            .collect();
        let mut memory_free: Vec<i128> = self
            .nodes
            .iter()
            .map(|n| i128::from(n.memory_allocatable))
            .collect();
        for state in &self.workloads {
            for pod in &state.pods {
                if let Some(node) = pod.node {
                    cpu_free[node] -= i128::from(state.spec.cpu_request_millicores);
                    memory_free[node] -= i128::from(state.spec.memory_request_bytes);
                }
            }
        }
        for state in &mut self.workloads {
            let (cpu, memory) = (
                i128::from(state.spec.cpu_request_millicores),
                i128::from(state.spec.memory_request_bytes),
            );
            for pod in state.pods.iter_mut().filter(|pod| pod.node.is_none()) {
                if pod.slow_start {
                    pod.slow_start = false;
                    continue;
                }
                let best = (0..cpu_free.len())
                    .filter(|&n| cpu_free[n] >= cpu && memory_free[n] >= memory)
                    .max_by_key(|&n| (cpu_free[n], std::cmp::Reverse(n)));
                if let Some(node) = best {
                    cpu_free[node] -= cpu;
                    memory_free[node] -= memory;
                    pod.node = Some(node);
                }
            }
        }
    }

    fn pod_metrics(&mut self, load: f64) -> Vec<WirePod> {
        let rng = &mut self.rng;
        let nodes = &self.nodes;
        let mut pods = Vec::new();
        for state in &self.workloads {
            let spec = &state.spec;
            let cpu_basis = nonzero_or(spec.cpu_request_millicores, spec.cpu_baseline_millicores);
            let memory_basis = nonzero_or(spec.memory_request_bytes, spec.memory_baseline_bytes);
            for pod in &state.pods {
                let (node_name, cpu_usage, memory_usage) = match pod.node {
                    Some(node) => (
                        nodes[node].name.clone(),
                        (cpu_basis as f64 * spec.usage.cpu_factor(load, rng)) as i64,
                        (memory_basis as f64 * spec.usage.memory_factor(load, rng)) as i64,
                    ),
                    // Pending: not on a node, nothing running yet.
                    None => (String::new(), 0, 0),
                };
                pods.push(WirePod {
                    pod_name: pod.name.clone(),
                    namespace: spec.namespace.to_owned(),
                    node_name,
                    figures: WireFigures {
                        cpu_usage_millicores: cpu_usage,
                        memory_usage_bytes: memory_usage,
                        cpu_request_millicores: to_i64(spec.cpu_request_millicores),
                        memory_request_bytes: to_i64(spec.memory_request_bytes),
                        // The agent omits limits that are zero.
                        cpu_limit_millicores: omit_zero(spec.cpu_limit_millicores),
                        memory_limit_bytes: omit_zero(spec.memory_limit_bytes),
                    },
                    labels: None,
                    controller_kind: Some(controller_kind(spec.kind).to_owned()),
                    controller_name: Some(pod.controller_name.clone()),
                    containers: None,
                    phase: Some(
                        if pod.node.is_some() {
                            "Running"
                        } else {
                            "Pending"
                        }
                        .to_owned(),
                    ),
                    qos_class: None,
                });
            }
        }
        pods
    }
}

#[cfg(test)]
#[path = "cluster_tests.rs"]
mod tests;

fn pod_name(
    spec: &Workload,
    template_hash: &str,
    job_run: Option<i64>,
    ordinal: usize,
    rng: &mut SimRng,
) -> String {
    match spec.kind {
        WorkloadKind::Deployment => format!("{}-{template_hash}-{}", spec.name, rng.suffix(5)),
        WorkloadKind::StatefulSet => format!("{}-{ordinal}", spec.name),
        WorkloadKind::DaemonSet => format!("{}-{}", spec.name, rng.suffix(5)),
        WorkloadKind::CronJob => {
            format!("{}-{}-{}", spec.name, job_run.unwrap_or(0), rng.suffix(5))
        }
    }
}

/// The `ownerReferences` kind the agent reports for a pod.
fn controller_kind(kind: WorkloadKind) -> &'static str {
    match kind {
        WorkloadKind::Deployment => "ReplicaSet",
        WorkloadKind::StatefulSet => "StatefulSet",
        WorkloadKind::DaemonSet => "DaemonSet",
        WorkloadKind::CronJob => "Job",
    }
}

fn nonzero_or(value: u64, fallback: u64) -> u64 {
    if value == 0 { fallback } else { value }
}

fn omit_zero(value: u64) -> Option<i64> {
    (value != 0).then(|| to_i64(value))
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
