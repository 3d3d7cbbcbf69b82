//! A multi-container workload advised per container: each container's usage series
//! (stored when agents send `containers`) pooled across all the workload's replicas, by
//! container name, as one [`WorkloadUsage`] whose target names the container. Replicas
//! of one workload run the same pod template, so a container's samples from every replica,
//! restart and rollout are draws of the same demand, as a single-container workload's are.

use std::collections::{BTreeMap, BTreeSet};

use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::{ContainerUsageSeries, PodUsageSeries};
use kcost_recommender::WorkloadUsage;

/// The workload's containers, each with its series from every replica, in container name
/// order; empty when no replica has container usage stored (a pod with one container, or
/// an agent that does not send them): then the workload is advised as a whole.
pub(super) fn per_container<'a>(
    workload: &WorkloadUsage<'_>,
    containers: &'a [ContainerUsageSeries],
) -> Vec<WorkloadUsage<'a>> {
    let replicas: BTreeSet<(&ClusterName, &str, &str)> = workload
        .pods
        .iter()
        .map(|pod| (&pod.cluster, pod.namespace.as_str(), pod.pod.as_str()))
        .collect();
    let mut by_name: BTreeMap<&str, Vec<&'a PodUsageSeries>> = BTreeMap::new();
    for series in containers {
        let usage = &series.usage;
        if replicas.contains(&(&usage.cluster, usage.namespace.as_str(), usage.pod.as_str())) {
            by_name
                .entry(series.container.as_str())
                .or_default()
                .push(usage);
        }
    }
    by_name
        .into_iter()
        .map(|(name, pods)| {
            let mut target = workload.target.clone();
            target.container = Some(name.to_owned());
            WorkloadUsage { target, pods }
        })
        .collect()
}
