//! Replicas of one workload are recommended together: their samples are pooled as draws of
//! the same demand (every replica gets the same request, so the request must fit the
//! busiest), and the savings count every running replica. Pods without an owner stand alone.

use std::collections::BTreeMap;

use chrono::Duration;
use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::{PodUsageSeries, UsagePoint};
use kcost_domain::pricing::ResourceRates;
use kcost_domain::recommendation::RecommendationTarget;

/// A replica counts as running if it has a sample this close to the workload's latest one.
const RUNNING_WITHIN_MINUTES: i64 = 60;

/// The pods of one workload (or one pod without an owner).
#[derive(Debug, Clone)]
pub struct WorkloadUsage<'a> {
    pub target: RecommendationTarget,
    pub pods: Vec<&'a PodUsageSeries>,
}

impl WorkloadUsage<'_> {
    /// Every replica's samples, oldest first.
    pub fn merged_points(&self) -> Vec<UsagePoint> {
        let mut points: Vec<UsagePoint> = self
            .pods
            .iter()
            .flat_map(|pod| pod.points.iter().copied())
            .collect();
        points.sort_by_key(|p| p.at);
        points
    }

    /// Replicas running at the workload's latest sample (at least 1).
    pub fn running_replicas(&self) -> u32 {
        let Some(latest) = self
            .pods
            .iter()
            .filter_map(|p| p.points.last())
            .map(|p| p.at)
            .max()
        else {
            return 1;
        };
        let since = latest - Duration::minutes(RUNNING_WITHIN_MINUTES);
        let running = self
            .pods
            .iter()
            .filter(|pod| pod.points.last().is_some_and(|p| p.at >= since))
            .count();
        u32::try_from(running.max(1)).unwrap_or(u32::MAX)
    }

    /// The rates of the replica sampled last: what the workload costs now.
    pub fn rates(&self) -> Option<ResourceRates> {
        self.pods
            .iter()
            .filter_map(|pod| pod.points.last().map(|p| (p.at, pod.rates)))
            .max_by_key(|(at, _)| *at)
            .map(|(_, rates)| rates)
    }
}

/// The workload `kubectl set resources` should act on. A ReplicaSet named
/// `<deployment>-<hash>` belongs to a Deployment, which would revert a change made to the
/// ReplicaSet itself, so advice goes to the Deployment.
fn workload_of(kind: &str, name: &str) -> (String, String) {
    if kind == "ReplicaSet"
        && let Some((deployment, hash)) = name.rsplit_once('-')
        && !deployment.is_empty()
        && (5..=10).contains(&hash.len())
        && hash.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return ("Deployment".to_owned(), deployment.to_owned());
    }
    (kind.to_owned(), name.to_owned())
}

/// Groups series by (cluster, namespace, owning workload); unowned pods stay alone.
/// Ordered by cluster, namespace, then workload or pod name.
pub fn group_by_workload(series: &[PodUsageSeries]) -> Vec<WorkloadUsage<'_>> {
    type Key = (
        ClusterName,
        String,
        Option<(String, String)>,
        Option<String>,
    );
    let mut groups: BTreeMap<Key, Vec<&PodUsageSeries>> = BTreeMap::new();
    for pod in series {
        let key = match &pod.owner {
            Some(owner) => (
                pod.cluster.clone(),
                pod.namespace.clone(),
                Some(workload_of(&owner.kind, &owner.name)),
                None,
            ),
            None => (
                pod.cluster.clone(),
                pod.namespace.clone(),
                None,
                Some(pod.pod.clone()),
            ),
        };
        groups.entry(key).or_default().push(pod);
    }
    groups
        .into_iter()
        .map(
            |((cluster, namespace, workload, pod), pods)| WorkloadUsage {
                target: RecommendationTarget {
                    cluster,
                    namespace,
                    workload,
                    pod,
                    container: None,
                },
                pods,
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_series::{flat, point};
    use kcost_domain::snapshot::Owner;

    fn pod(name: &str, owner: Option<(&str, &str)>, points: Vec<UsagePoint>) -> PodUsageSeries {
        PodUsageSeries {
            cluster: ClusterName::new("prod").unwrap(),
            namespace: "web".into(),
            pod: name.into(),
            owner: owner.map(|(kind, name)| Owner {
                kind: kind.into(),
                name: name.into(),
            }),
            rates: ResourceRates::opencost_defaults(),
            points,
        }
    }

    #[test]
    fn replicas_are_grouped_under_their_deployment_and_loners_stay_alone() {
        let series = vec![
            pod(
                "api-5d8f7c-x1",
                Some(("ReplicaSet", "api-5d8f7c")),
                flat(2, 10, 1),
            ),
            pod(
                "api-5d8f7c-x2",
                Some(("ReplicaSet", "api-5d8f7c")),
                flat(2, 20, 1),
            ),
            pod("db-0", Some(("StatefulSet", "db")), flat(2, 10, 1)),
            pod("debug", None, flat(2, 10, 1)),
        ];
        let groups = group_by_workload(&series);
        assert_eq!(groups.len(), 3);
        // Unowned pods sort first within a namespace.
        assert_eq!(groups[0].target.pod.as_deref(), Some("debug"));
        assert_eq!(groups[0].target.workload, None);
        let api = &groups[1];
        assert_eq!(
            api.target.workload,
            Some(("Deployment".to_owned(), "api".to_owned()))
        );
        assert_eq!(api.pods.len(), 2);
        assert_eq!(api.running_replicas(), 2);
        let merged = api.merged_points();
        assert_eq!(merged.len(), 48);
        assert!(merged.windows(2).all(|w| w[0].at <= w[1].at));
    }

    #[test]
    fn replicas_that_stopped_long_ago_are_not_running() {
        let old = vec![point(0, 10, 1)];
        let series = vec![
            pod("a", Some(("StatefulSet", "s")), flat(5, 10, 1)),
            pod("b", Some(("StatefulSet", "s")), old),
        ];
        let groups = group_by_workload(&series);
        assert_eq!(groups[0].running_replicas(), 1);
        assert_eq!(
            groups[0].target.workload,
            Some(("StatefulSet".to_owned(), "s".to_owned()))
        );
    }
}
