//! Synthetic snapshots of a given size for the load test: `pods` pods in 20 namespaces
//! on m5.4xlarge nodes (30 pods a node), in the reference agent's later, labelled JSON form
//! (labels, phase, QoS class, one container per pod, owners left to kcost to infer). Pure.

use chrono::{DateTime, SecondsFormat, Utc};
use kcost_agent_contract::{
    AgentPayload, WireContainer, WireFigures, WireNode, WirePod, WireTimestamp,
};

use crate::simulate::rng::SimRng;

const PODS_PER_NODE: usize = 30;
const NAMESPACES: usize = 20;
const TEAMS: usize = 7;
/// A ReplicaSet hash as Kubernetes spells them (its "safe" alphabet).
const TEMPLATE_HASH: &str = "5d8f7c9b4";

/// A pod's 5-character suffix in Kubernetes' alphabet, unique per index.
fn pod_suffix(index: usize) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut rest = index;
    (0..5)
        .map(|_| {
            let c = ALPHABET[rest % ALPHABET.len()];
            rest /= ALPHABET.len();
            char::from(c)
        })
        .collect()
}

/// The JSON body of one snapshot of `cluster` at `at` with `pods` pods.
pub fn snapshot_body(cluster: &str, at: DateTime<Utc>, pods: usize) -> serde_json::Result<Vec<u8>> {
    serde_json::to_vec(&snapshot(cluster, at, pods))
}

/// One snapshot of `cluster` at `at` with `pods` pods; usage varies with the time.
pub fn snapshot(cluster: &str, at: DateTime<Utc>, pods: usize) -> AgentPayload {
    let mut rng = SimRng::derive(at.timestamp().unsigned_abs(), cluster);
    let node_count = pods.div_ceil(PODS_PER_NODE).max(1);
    let node_time = at.to_rfc3339_opts(SecondsFormat::Micros, true);
    let nodes = (0..node_count)
        .map(|n| WireNode {
            timestamp: Some(node_time.clone()),
            cluster_name: Some(cluster.to_owned()),
            node_name: format!("ip-10-1-{}-{}.ec2.internal", n / 250, n % 250),
            instance_type: "m5.4xlarge".to_owned(),
            cpu_capacity: 16_000,
            memory_capacity: 66_000_000_000,
            cpu_allocatable: 15_890,
            memory_allocatable: 64_500_000_000,
            hourly_cost_usd: None,
            labels: None,
        })
        .collect();
    let pod_metrics = (0..pods)
        .map(|p| {
            let deployment = p / 5;
            let figures = WireFigures {
                cpu_usage_millicores: (rng.between(20.0, 450.0)) as i64,
                memory_usage_bytes: (rng.between(100e6, 900e6)) as i64,
                cpu_request_millicores: 250,
                memory_request_bytes: 512 * 1024 * 1024,
                cpu_limit_millicores: Some(1000),
                memory_limit_bytes: None,
            };
            WirePod {
                pod_name: format!("app-{deployment}-{TEMPLATE_HASH}-{}", pod_suffix(p)),
                namespace: format!("team-{:02}", deployment % NAMESPACES),
                node_name: format!(
                    "ip-10-1-{}-{}.ec2.internal",
                    (p / PODS_PER_NODE) / 250,
                    (p / PODS_PER_NODE) % 250
                ),
                labels: Some(
                    [
                        ("app.kubernetes.io/name", format!("app-{deployment}")),
                        ("pod-template-hash", TEMPLATE_HASH.to_owned()),
                        ("team", format!("team-{:02}", deployment % TEAMS)),
                    ]
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect(),
                ),
                // The later agent sends no owner: kcost infers the Deployment.
                controller_kind: None,
                controller_name: None,
                containers: Some(vec![WireContainer {
                    name: "app".to_owned(),
                    figures: figures.clone(),
                    restarts: 0,
                }]),
                figures,
                phase: Some("Running".to_owned()),
                qos_class: Some("Burstable".to_owned()),
            }
        })
        .collect();
    AgentPayload {
        cluster_name: cluster.to_owned(),
        timestamp: WireTimestamp::UnixSeconds(at.timestamp()),
        pod_metrics: Some(pod_metrics),
        node_metrics: Some(nodes),
        interval_seconds: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kcost_domain::snapshot::SnapshotRules;

    #[test]
    fn snapshots_have_the_size_asked_and_are_valid() {
        let at = Utc::now();
        let payload = snapshot("bench", at, 95);
        assert_eq!(payload.pod_metrics.as_ref().unwrap().len(), 95);
        assert_eq!(payload.node_metrics.as_ref().unwrap().len(), 4);
        let snapshot = payload
            .into_draft()
            .validate(at, &SnapshotRules::default())
            .unwrap();
        let pod = &snapshot.pods()[7];
        let owner = pod.owner.as_ref().expect("owner inferred from the name");
        assert_eq!(
            (owner.kind.as_str(), owner.name.as_str()),
            ("Deployment", "app-1")
        );
        assert!(pod.owner_inferred);
        assert_eq!(pod.containers.len(), 1);
        let names: std::collections::BTreeSet<_> =
            snapshot.pods().iter().map(|p| p.name.clone()).collect();
        assert_eq!(names.len(), 95, "pod names are unique");
    }
}
