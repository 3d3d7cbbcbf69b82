//! Contract of `container_usage_series`, the recommender's input for pods with several
//! containers: per (cluster, namespace, pod, container) the container's own figures at
//! each of its pod's samples in the window, oldest first, with the pod's latest owner and
//! rates — equal, series for series, to what the ingested snapshots said, in every store.

use std::collections::BTreeMap;

use chrono::Duration;
use kcost_domain::cluster::ClusterName;
use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::costs::{ContainerUsageSeries, CostFilter, PodUsageSeries, UsagePoint};
use kcost_domain::quantity::{Bytes, Millicores};
use kcost_domain::window::TimeWindow;

use super::fixtures::{at, labelled_with_sidecar, snapshot, store_all, tenant, window};
use crate::MetricsStore;

/// Every container contract test, by name.
pub const ALL: [&str; 1] = ["container_series_equal_the_container_samples"];

/// The labelled agent payload (`LABELS`: each pod with its `app` container) in `cluster`
/// at 08:00 + 10 × `step` minutes, its first pod with a `sidecar` whose usage moves with
/// `step`, so the sidecar's series differs from its pod's and from `app`'s.
fn with_busy_sidecar(cluster: &str, step: i64) -> PricedSnapshot {
    let timestamp = at(8, 0) + Duration::minutes(10 * step);
    let base = labelled_with_sidecar(cluster, timestamp);
    let mut pods = base.snapshot().pods().to_vec();
    let sidecar = &mut pods[0].containers[1];
    let step = u64::try_from(step).unwrap();
    sidecar.figures.cpu_usage = Millicores::new(20 + 7 * step);
    sidecar.figures.memory_usage = Bytes::new((64 + 3 * step) << 20);
    snapshot(
        cluster,
        timestamp,
        600,
        pods,
        base.snapshot().nodes().to_vec(),
    )
}

/// What the snapshots said, as series: pods with two or more containers in the window and
/// the filter, one series per container, points oldest first, the latest owner and rates.
fn expected(
    snapshots: &[PricedSnapshot],
    window: &TimeWindow,
    filter: &CostFilter,
) -> Vec<ContainerUsageSeries> {
    let mut in_scope: Vec<&PricedSnapshot> = snapshots
        .iter()
        .filter(|p| window.contains(p.snapshot().timestamp()))
        .filter(|p| {
            filter
                .cluster
                .as_ref()
                .is_none_or(|c| c == p.snapshot().cluster())
        })
        .collect();
    in_scope.sort_by_key(|p| p.snapshot().timestamp());
    type Key = (String, String, String, String);
    let mut out: BTreeMap<Key, ContainerUsageSeries> = BTreeMap::new();
    for priced in in_scope {
        let snapshot = priced.snapshot();
        let cluster: &ClusterName = snapshot.cluster();
        for (pod, cost) in snapshot.pods().iter().zip(priced.pods()) {
            if pod.containers.len() < 2
                || filter
                    .namespace
                    .as_ref()
                    .is_some_and(|n| *n != pod.namespace)
            {
                continue;
            }
            for container in &pod.containers {
                let key = (
                    cluster.as_str().to_owned(),
                    pod.namespace.clone(),
                    pod.name.clone(),
                    container.name.clone(),
                );
                let series = out.entry(key).or_insert_with(|| ContainerUsageSeries {
                    container: container.name.clone(),
                    usage: PodUsageSeries {
                        cluster: cluster.clone(),
                        namespace: pod.namespace.clone(),
                        pod: pod.name.clone(),
                        owner: None,
                        rates: cost.rates,
                        points: Vec::new(),
                    },
                });
                series.usage.owner.clone_from(&pod.owner);
                series.usage.rates = cost.rates;
                series.usage.points.push(UsagePoint {
                    at: snapshot.timestamp(),
                    seconds: priced.duration().seconds,
                    figures: container.figures,
                });
            }
        }
    }
    out.into_values().collect()
}

/// Two clusters, snapshots appended out of order: every window and filter answers exactly
/// the container samples' series, in the documented order; another tenant sees none.
pub async fn container_series_equal_the_container_samples(store: &dyn MetricsStore) {
    let owner = tenant();
    let mut snapshots: Vec<PricedSnapshot> = (0..3)
        .rev()
        .map(|step| with_busy_sidecar("prod-eu", step))
        .collect();
    snapshots.push(with_busy_sidecar("prod-us", 1));
    let refs: Vec<&PricedSnapshot> = snapshots.iter().collect();
    store_all(store, owner, &refs).await;
    let namespace = snapshots[0].snapshot().pods()[0].namespace.clone();
    let filters = [
        CostFilter::default(),
        CostFilter {
            cluster: Some(ClusterName::new("prod-us").unwrap()),
            namespace: None,
        },
        CostFilter {
            cluster: None,
            namespace: Some(namespace),
        },
        CostFilter {
            cluster: None,
            namespace: Some("no-such-namespace".into()),
        },
    ];
    for w in [window(at(8, 0), at(9, 0)), window(at(8, 5), at(8, 25))] {
        for filter in &filters {
            let want = expected(&snapshots, &w, filter);
            let got = store
                .container_usage_series(owner, &w, filter)
                .await
                .expect("container usage series");
            assert_eq!(got, want, "{w:?} {filter:?}");
        }
    }
    let everything = expected(&snapshots, &window(at(8, 0), at(9, 0)), &filters[0]);
    // Two clusters × (app, sidecar); the sidecar's own figures, not its pod's.
    assert_eq!(everything.len(), 4);
    let sidecar = everything
        .iter()
        .find(|s| s.container == "sidecar")
        .unwrap();
    assert_eq!(sidecar.usage.points.len(), 3);
    assert_eq!(
        sidecar.usage.points[2].figures.cpu_usage,
        Millicores::new(34)
    );
    let other = store
        .container_usage_series(tenant(), &window(at(8, 0), at(9, 0)), &filters[0])
        .await
        .expect("container usage series");
    assert!(other.is_empty(), "another tenant sees nothing");
}
