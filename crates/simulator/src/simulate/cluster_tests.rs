//! The cluster model's properties: determinism, churn, the daily curve, pending pods,
//! owners, and payloads the server accepts.

use std::collections::HashSet;

use chrono::{Duration, TimeZone, Utc};
use kcost_agent_contract::AgentPayload;
use kcost_domain::snapshot::SnapshotRules;

use super::*;
use crate::simulate::run::build_clusters;
use crate::simulate::schedule::backfill_times;

fn monday_midnight() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 16, 0, 0, 0)
        .single()
        .unwrap()
}

/// Every snapshot of `cluster` over `days` days from Monday 00:00, every 10 minutes.
fn run(cluster: usize, seed: u64, days: i64) -> Vec<AgentPayload> {
    let mut sims = build_clusters(3, seed).unwrap();
    let end = monday_midnight() + Duration::days(days);
    backfill_times(end, days as u64 * 86_400, 600)
        .into_iter()
        .map(|at| sims[cluster].step(at))
        .collect()
}

fn pods(payload: &AgentPayload) -> &[WirePod] {
    payload.pod_metrics.as_deref().unwrap_or_default()
}

#[test]
fn the_same_seed_gives_the_same_snapshots() {
    assert_eq!(run(0, 7, 1), run(0, 7, 1));
    assert_ne!(run(0, 7, 1), run(0, 8, 1));
}

#[test]
fn every_snapshot_is_accepted_by_the_server_model() {
    let now = monday_midnight() + Duration::days(3);
    for cluster in 0..3 {
        for payload in run(cluster, 1, 2) {
            // Through JSON, as the server receives it.
            let json = serde_json::to_string(&payload).unwrap();
            let parsed: AgentPayload = serde_json::from_str(&json).unwrap();
            let snapshot = parsed.into_draft().validate(now, &SnapshotRules::default());
            assert!(snapshot.is_ok(), "{snapshot:?}");
        }
    }
}

#[test]
fn the_json_is_the_reference_agents_form() {
    let payload = &run(0, 1, 1)[0];
    let json: serde_json::Value = serde_json::to_value(payload).unwrap();
    assert!(json["timestamp"].is_i64(), "unix seconds");
    assert!(json.get("interval_seconds").is_none());
    let node = &json["node_metrics"][0];
    for key in [
        "Timestamp",
        "ClusterName",
        "NodeName",
        "InstanceType",
        "CPUCapacity",
        "MemoryCapacity",
        "CPUAllocatable",
        "MemoryAllocatable",
    ] {
        assert!(node.get(key).is_some(), "{key} in {node}");
    }
    assert!(
        node.get("hourly_cost_usd").is_none(),
        "the agent sends no price"
    );
    let text = json.to_string();
    assert!(!text.contains("\"cpu_limit_millicores\":0"));
    assert!(!text.contains("\"memory_limit_bytes\":0"));
}

#[test]
fn pods_come_and_go() {
    let snapshots = run(0, 1, 2);
    let names = |p: &AgentPayload| -> HashSet<String> {
        pods(p).iter().map(|pod| pod.pod_name.clone()).collect()
    };
    let first = names(&snapshots[0]);
    let all: HashSet<String> = snapshots.iter().flat_map(names).collect();
    let largest = snapshots.iter().map(|p| pods(p).len()).max().unwrap();
    assert!(
        all.len() > largest + 20,
        "{} names, {largest} at most at once",
        all.len()
    );
    assert!(
        first
            .iter()
            .any(|name| !names(snapshots.last().unwrap()).contains(name))
    );
    // CronJob pods exist only while their job runs.
    let with_jobs = snapshots
        .iter()
        .filter(|p| {
            pods(p)
                .iter()
                .any(|pod| pod.controller_kind.as_deref() == Some("Job"))
        })
        .count();
    assert!(
        with_jobs > 0 && with_jobs < snapshots.len() / 4,
        "{with_jobs}"
    );
}

#[test]
fn usage_and_replicas_follow_the_day() {
    let snapshots = run(0, 1, 1);
    let frontend = |p: &AgentPayload| {
        let pods: Vec<&WirePod> = pods(p)
            .iter()
            .filter(|pod| pod.pod_name.starts_with("frontend-"))
            .collect();
        let cpu: i64 = pods
            .iter()
            .map(|pod| pod.figures.cpu_usage_millicores)
            .sum();
        (pods.len(), cpu)
    };
    // Index 0 is 00:10 Monday; 14:00 is index 83, 03:00 is index 17.
    let (afternoon_pods, afternoon_cpu) = frontend(&snapshots[83]);
    let (night_pods, night_cpu) = frontend(&snapshots[17]);
    assert!(
        afternoon_pods > night_pods,
        "{afternoon_pods} vs {night_pods}"
    );
    assert!(
        afternoon_cpu > 2 * night_cpu,
        "{afternoon_cpu} vs {night_cpu}"
    );
}

#[test]
fn now_and_then_a_pod_is_pending_with_no_usage() {
    let snapshots = run(2, 1, 2);
    let pending: Vec<&WirePod> = snapshots
        .iter()
        .flat_map(pods)
        .filter(|pod| pod.node_name.is_empty())
        .collect();
    assert!(!pending.is_empty());
    assert!(pending.len() * 20 < snapshots.iter().map(|p| pods(p).len()).sum::<usize>());
    assert!(pending.iter().all(|pod| pod.figures.cpu_usage_millicores == 0
        && pod.figures.memory_usage_bytes == 0));
}

#[test]
fn every_pod_names_its_owner_and_runs_on_a_known_node() {
    for payload in run(1, 1, 1) {
        let nodes: HashSet<&str> = payload
            .node_metrics
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|n| n.node_name.as_str())
            .collect();
        for pod in pods(&payload) {
            let (kind, owner) = (
                pod.controller_kind.as_deref().unwrap(),
                pod.controller_name.as_deref().unwrap(),
            );
            assert!(
                pod.pod_name.starts_with(owner),
                "{} owned by {owner}",
                pod.pod_name
            );
            assert!(["ReplicaSet", "StatefulSet", "DaemonSet", "Job"].contains(&kind));
            assert!(pod.node_name.is_empty() || nodes.contains(pod.node_name.as_str()));
        }
    }
}
