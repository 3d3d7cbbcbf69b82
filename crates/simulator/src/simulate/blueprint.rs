//! What a simulated cluster is made of: its nodes (real instance types from the built-in
//! catalog) and its workloads by namespace, with requests, limits, replica counts and
//! usage profiles. Three environments (production, staging, development) on three clouds;
//! a fourth cluster reuses the first environment under a numbered name.

use super::rng::SimRng;
use super::usage::UsageProfile;
use WorkloadKind::{CronJob, DaemonSet, Deployment, StatefulSet};

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

/// The controller that owns a workload's pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    /// Pods owned by a ReplicaSet named `<deployment>-<template hash>`.
    Deployment,
    /// Pods named `<name>-<ordinal>`, owned by the StatefulSet.
    StatefulSet,
    /// One pod per node.
    DaemonSet,
    /// Short-lived pods owned by a Job `<cronjob>-<run>`, started every few hours.
    CronJob,
}

/// One workload in a namespace.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    pub namespace: &'static str,
    pub name: &'static str,
    pub kind: WorkloadKind,
    /// Replicas at peak load (DaemonSets: ignored; CronJobs: pods per run).
    pub replicas: u32,
    /// Whether replicas follow load (a horizontal autoscaler).
    pub autoscaled: bool,
    pub cpu_request_millicores: u64,
    pub memory_request_bytes: u64,
    /// Zero means no limit (the agent omits it).
    pub cpu_limit_millicores: u64,
    pub memory_limit_bytes: u64,
    /// What a pod uses when it requests nothing (best-effort pods).
    pub cpu_baseline_millicores: u64,
    pub memory_baseline_bytes: u64,
    pub usage: UsageProfile,
}

/// A cluster to simulate.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterBlueprint {
    pub name: String,
    /// Node instance types, one entry per node.
    pub node_types: Vec<&'static str>,
    /// Prefix and suffix of node names (`ip-10-0-1-<n>.ec2.internal`, …).
    pub node_name_prefix: &'static str,
    pub node_name_suffix: &'static str,
    pub workloads: Vec<Workload>,
}

/// The blueprints for `count` clusters. Usage profiles vary with the seed.
pub fn clusters(count: usize, seed: u64) -> Vec<ClusterBlueprint> {
    (0..count)
        .map(|index| {
            let environment = index % 3;
            let round = index / 3;
            let mut blueprint = match environment {
                0 => production(),
                1 => staging(),
                _ => development(),
            };
            if round > 0 {
                blueprint.name = format!("{}-{}", blueprint.name, round + 1);
            }
            let mut rng = SimRng::derive(seed, &blueprint.name);
            for workload in &mut blueprint.workloads {
                jitter(&mut workload.usage, &mut rng);
            }
            blueprint
        })
        .collect()
}

/// Seeds change how hungry each workload is, within its character.
fn jitter(usage: &mut UsageProfile, rng: &mut SimRng) {
    usage.cpu_at_peak *= rng.between(0.8, 1.2);
    usage.memory_share = (usage.memory_share * rng.between(0.85, 1.15)).min(1.5);
}

fn production() -> ClusterBlueprint {
    let mut node_types = vec!["m5.2xlarge"; 6];
    node_types.extend(["r5.xlarge", "r5.xlarge", "c5.2xlarge", "c5.2xlarge"]);
    ClusterBlueprint {
        name: "prod-aws-us-east-1".to_owned(),
        node_types,
        node_name_prefix: "ip-10-0-1-",
        node_name_suffix: ".ec2.internal",
        workloads: common_workloads(1.0),
    }
}

fn staging() -> ClusterBlueprint {
    ClusterBlueprint {
        name: "staging-gcp-us-central1".to_owned(),
        node_types: vec![
            "n2-standard-8",
            "n2-standard-8",
            "n2-standard-8",
            "e2-standard-4",
        ],
        node_name_prefix: "gke-staging-default-pool-",
        node_name_suffix: "",
        workloads: common_workloads(0.5),
    }
}

fn development() -> ClusterBlueprint {
    ClusterBlueprint {
        name: "dev-azure-eastus".to_owned(),
        node_types: vec!["Standard_D4s_v5", "Standard_D4s_v5", "Standard_D8s_v5"],
        node_name_prefix: "aks-nodepool1-",
        node_name_suffix: "-vmss",
        workloads: common_workloads(0.3),
    }
}

/// The same applications everywhere, scaled down outside production.
fn common_workloads(scale: f64) -> Vec<Workload> {
    let replicas = |n: u32| ((f64::from(n) * scale).round() as u32).max(1);
    vec![
        daemon(
            "kube-system",
            "kube-proxy",
            100,
            128 * MIB,
            profile(0.3, 0.3, 0.6),
        ),
        daemon(
            "monitoring",
            "node-exporter",
            50,
            64 * MIB,
            profile(0.4, 0.5, 0.5),
        ),
        workload(
            Deployment,
            "kube-system",
            "coredns",
            replicas(2),
            100,
            70 * MIB,
            profile(0.3, 0.7, 0.5),
        ),
        Workload {
            cpu_limit_millicores: 2000,
            memory_limit_bytes: 4 * GIB,
            ..workload(
                StatefulSet,
                "monitoring",
                "prometheus",
                1,
                1000,
                2 * GIB,
                profile(0.6, 0.4, 0.8),
            )
        },
        workload(
            Deployment,
            "monitoring",
            "grafana",
            1,
            250,
            256 * MIB,
            profile(0.1, 0.6, 0.5),
        ),
        Workload {
            autoscaled: true,
            cpu_limit_millicores: 1000,
            memory_limit_bytes: GIB,
            ..workload(
                Deployment,
                "web",
                "frontend",
                replicas(8),
                500,
                512 * MIB,
                profile(0.55, 0.9, 0.6),
            )
        },
        Workload {
            autoscaled: true,
            ..workload(
                Deployment,
                "payments",
                "payments-api",
                replicas(4),
                1000,
                GIB,
                profile(0.35, 0.8, 0.5),
            )
        },
        workload(
            Deployment,
            "payments",
            "ledger-worker",
            replicas(2),
            500,
            GIB,
            profile(1.3, 0.5, 0.9),
        ),
        workload(
            StatefulSet,
            "payments",
            "postgres",
            1,
            2000,
            8 * GIB,
            profile(0.25, 0.6, 0.7),
        ),
        workload(
            StatefulSet,
            "search",
            "elasticsearch",
            replicas(3),
            2000,
            8 * GIB,
            profile(0.4, 0.6, 0.85),
        ),
        workload(
            Deployment,
            "search",
            "indexer",
            replicas(2),
            500,
            GIB,
            profile(0.7, 0.3, 0.6),
        ),
        // Requests far more than it uses: the right-sizing showcase.
        workload(
            Deployment,
            "ml",
            "model-server",
            replicas(2),
            4000,
            16 * GIB,
            profile(0.12, 0.5, 0.3),
        ),
        Workload {
            cpu_limit_millicores: 2000,
            ..workload(
                CronJob,
                "batch",
                "nightly-report",
                replicas(3),
                1000,
                2 * GIB,
                profile(0.9, 0.0, 0.7),
            )
        },
        // Best-effort: no requests at all.
        Workload {
            cpu_baseline_millicores: 50,
            memory_baseline_bytes: 96 * MIB,
            ..workload(
                Deployment,
                "default",
                "debug-shell",
                1,
                0,
                0,
                profile(1.0, 0.2, 1.0),
            )
        },
    ]
}

fn profile(cpu_at_peak: f64, cpu_diurnal_share: f64, memory_share: f64) -> UsageProfile {
    UsageProfile {
        cpu_at_peak,
        cpu_diurnal_share,
        memory_share,
        spike_chance: 0.01,
    }
}

/// A workload of `kind` with requests, without limits or a usage floor, not autoscaled.
fn workload(
    kind: WorkloadKind,
    namespace: &'static str,
    name: &'static str,
    replicas: u32,
    cpu_request_millicores: u64,
    memory_request_bytes: u64,
    usage: UsageProfile,
) -> Workload {
    Workload {
        namespace,
        name,
        kind,
        replicas,
        autoscaled: false,
        cpu_request_millicores,
        memory_request_bytes,
        cpu_limit_millicores: 0,
        memory_limit_bytes: 0,
        cpu_baseline_millicores: 0,
        memory_baseline_bytes: 0,
        usage,
    }
}

/// A DaemonSet (one pod per node, so no replica count) whose memory is limited to twice
/// its request.
fn daemon(
    namespace: &'static str,
    name: &'static str,
    cpu_request_millicores: u64,
    memory_request_bytes: u64,
    usage: UsageProfile,
) -> Workload {
    Workload {
        memory_limit_bytes: 2 * memory_request_bytes,
        ..workload(
            DaemonSet,
            namespace,
            name,
            0,
            cpu_request_millicores,
            memory_request_bytes,
            usage,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kcost_domain::catalog::Catalog;

    #[test]
    fn every_node_is_a_catalog_instance_type_and_names_are_unique() {
        let catalog = Catalog::builtin().unwrap();
        let blueprints = clusters(5, 1);
        let mut names: Vec<&str> = blueprints.iter().map(|b| b.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 5);
        for blueprint in &blueprints {
            for instance_type in &blueprint.node_types {
                assert!(catalog.get(instance_type).is_some(), "{instance_type}");
            }
        }
    }

    #[test]
    fn the_seed_changes_usage_but_not_shape() {
        let (a, b) = (clusters(3, 1), clusters(3, 2));
        assert_eq!(a[0].workloads.len(), b[0].workloads.len());
        assert_eq!(a[0].node_types, b[0].node_types);
        assert_ne!(a[0].workloads[0].usage, b[0].workloads[0].usage);
        assert_eq!(a, clusters(3, 1));
    }
}
