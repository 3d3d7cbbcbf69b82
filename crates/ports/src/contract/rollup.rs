//! Contract of rollups and dimensions: `append` only appends, `roll_up` builds hourly and
//! daily rollups off the ingest path, and every answer is the same — to the last digit —
//! before, between and after rollup runs, whatever the interleaving with appends (late
//! ones included). Pod descriptions are stored once and again only when they change.

use chrono::{DateTime, Duration, Utc};
use kcost_domain::cluster::ClusterName;
use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::costs::{CostFilter, CostGrouping, CostRow, TrendInterval};
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;

use super::fixtures::{
    LABELS, NODES_NULL, SMALL, agent_snapshot, at, costs, snapshot, store_all, tenant,
    three_pod_snapshot, utc, window,
};
use crate::{AppendOutcome, MetricsStore};

/// Every detailed rollup contract test, by name.
pub const ALL: [&str; 6] = [
    "rolled_up_answers_equal_raw_answers",
    "rollups_are_idempotent",
    "only_closed_hours_are_rolled_up",
    "a_late_snapshot_is_counted_after_its_hour_was_rolled_up",
    "any_interleaving_of_appends_and_rollups_answers_the_same",
    "descriptions_are_stored_once_and_again_when_changed",
];

const GROUPINGS: [CostGrouping; 6] = [
    CostGrouping::Cluster,
    CostGrouping::Namespace,
    CostGrouping::Pod,
    CostGrouping::Time(TrendInterval::Hourly),
    CostGrouping::Time(TrendInterval::Daily),
    CostGrouping::Time(TrendInterval::Weekly),
];

/// Windows over 2026-11-19 20:00 – 2026-11-21 04:00: whole hours, cut hours, whole days,
/// one sub-hour window.
fn windows() -> Vec<TimeWindow> {
    vec![
        window(utc(2026, 11, 19, 0, 0, 0), utc(2026, 11, 22, 0, 0, 0)),
        window(utc(2026, 11, 19, 22, 25, 0), utc(2026, 11, 20, 9, 35, 0)),
        window(at(8, 0), at(10, 0)),
        window(at(8, 5), at(8, 45)),
        window(utc(2026, 11, 20, 0, 0, 0), utc(2026, 11, 21, 0, 0, 0)),
        window(at(23, 10), utc(2026, 11, 21, 3, 50, 0)),
    ]
}

/// Everything the store answers about `tenant`, for comparison.
#[derive(Debug, PartialEq)]
pub struct Answers {
    costs: Vec<Vec<CostRow>>,
    utilization: Vec<String>,
    series: Vec<String>,
    window_sums: Vec<Vec<String>>,
}

impl Answers {
    /// The answers of the endpoints that existed before the allocation API: what a
    /// migration must keep. (Rollups built before the allocated resource-seconds existed
    /// hold the `max(Σ request, Σ usage)` approximation, so window sums over them differ
    /// from a fresh build by design; see migration `m20261208_000001_allocated_seconds`.)
    pub fn without_window_sums(mut self) -> Self {
        self.window_sums.clear();
        self
    }
}

/// Every cost grouping under three filters, utilization and usage series, over windows
/// from 2026-11-19 to 2026-11-22 (whole hours, cut hours, whole days, sub-hour).
pub async fn answers(store: &dyn MetricsStore, tenant: TenantId) -> Answers {
    answers_over(store, tenant, &windows()).await
}

/// As [`answers`], over the given windows.
pub async fn answers_over(
    store: &dyn MetricsStore,
    tenant: TenantId,
    windows: &[TimeWindow],
) -> Answers {
    let mut all = Answers {
        costs: Vec::new(),
        utilization: Vec::new(),
        series: Vec::new(),
        window_sums: Vec::new(),
    };
    let filters = [
        CostFilter::default(),
        CostFilter {
            cluster: Some(ClusterName::new("prod").unwrap()),
            namespace: None,
        },
        CostFilter {
            cluster: None,
            namespace: Some("web".into()),
        },
    ];
    for &window in windows {
        for grouping in GROUPINGS {
            for filter in &filters {
                let mut rows = costs(store, tenant, grouping, window, filter.clone()).await;
                // Ties in total may come in any order.
                rows.sort_by(|a, b| a.key.cmp(&b.key));
                all.costs.push(rows);
            }
        }
        let filter = CostFilter::default();
        let utilization = store.utilization(tenant, &window, &filter).await.unwrap();
        all.utilization.push(format!("{utilization:?}"));
        let series = store.usage_series(tenant, &window, &filter).await.unwrap();
        all.series.push(format!("{series:?}"));
        let sums = store.window_sums(tenant, &window).await.unwrap();
        // Stores need not order: compare as sorted lists.
        let mut listed: Vec<String> = sums.pods.iter().map(|p| format!("{p:?}")).collect();
        listed.extend(sums.nodes.iter().map(|n| format!("{n:?}")));
        listed.sort();
        all.window_sums.push(listed);
    }
    all
}

/// Snapshots every 10 minutes from 2026-11-19 23:00 to 2026-11-20 01:50 and 08:00 to
/// 09:50 in cluster `prod` (hand-built) and `edge` (the reference agent's), so rollups
/// cross midnight and leave gaps.
pub fn history() -> Vec<PricedSnapshot> {
    let mut snapshots = Vec::new();
    let starts = [utc(2026, 11, 19, 23, 0, 0), at(8, 0)];
    for (start, hours) in starts.into_iter().zip([3, 2]) {
        for step in 0..hours * 6 {
            let ts = start + Duration::minutes(10 * step);
            snapshots.push(three_pod_snapshot("prod", ts, 600));
            let payload = if step % 5 == 0 { NODES_NULL } else { SMALL };
            snapshots.push(agent_snapshot(payload, "edge", ts, 600));
        }
    }
    snapshots
}

async fn store_history(store: &dyn MetricsStore, tenant: TenantId) -> Vec<PricedSnapshot> {
    let snapshots = history();
    let refs: Vec<&PricedSnapshot> = snapshots.iter().collect();
    store_all(store, tenant, &refs).await;
    snapshots
}

/// Long after the history: every hour of it has closed.
fn later() -> DateTime<Utc> {
    utc(2026, 11, 22, 12, 0, 0)
}

/// Rollups change where answers come from, never what they are.
pub async fn rolled_up_answers_equal_raw_answers(store: &dyn MetricsStore) {
    let tenant = tenant();
    store_history(store, tenant).await;
    let raw = answers(store, tenant).await;
    let report = store.roll_up(later()).await.expect("roll up");
    assert!(report.hours >= 5, "closed hours rolled up: {report:?}");
    assert!(report.days >= 2, "closed days rolled up: {report:?}");
    assert_eq!(answers(store, tenant).await, raw);
}

/// A second run over the same data changes nothing and reports nothing to do.
pub async fn rollups_are_idempotent(store: &dyn MetricsStore) {
    let tenant = tenant();
    store_history(store, tenant).await;
    let raw = answers(store, tenant).await;
    store.roll_up(later()).await.expect("roll up");
    let again = store.roll_up(later()).await.expect("roll up again");
    assert_eq!((again.hours, again.days), (0, 0), "{again:?}");
    assert_eq!(answers(store, tenant).await, raw);
}

/// The open hour is left to raw samples until its cluster moves on or the grace passes.
pub async fn only_closed_hours_are_rolled_up(store: &dyn MetricsStore) {
    let tenant = tenant();
    let first = three_pod_snapshot("prod", at(9, 0), 600);
    let second = three_pod_snapshot("prod", at(9, 50), 600);
    store_all(store, tenant, &[&first, &second]).await;
    let report = store.roll_up(at(9, 55)).await.expect("roll up");
    assert_eq!(report.hours, 0, "hour 9 is still open: {report:?}");
    let raw = answers(store, tenant).await;
    let report = store.roll_up(at(10, 20)).await.expect("roll up");
    assert_eq!(report.hours, 1, "hour 9 closed by the clock: {report:?}");
    assert_eq!(answers(store, tenant).await, raw);
    // A later snapshot closes the hour before it without waiting for the clock.
    let third = three_pod_snapshot("prod", at(11, 0), 600);
    store_all(store, tenant, &[&third]).await;
    let report = store.roll_up(at(11, 1)).await.expect("roll up");
    assert_eq!(
        report.hours, 1,
        "hour 10 closed by the 11:00 snapshot: {report:?}"
    );
}

/// A snapshot arriving for an hour already rolled up (an agent's retry after an outage)
/// is in every answer at once, and in the rollup after the next run.
pub async fn a_late_snapshot_is_counted_after_its_hour_was_rolled_up(store: &dyn MetricsStore) {
    let reference = tenant();
    let tenant = tenant();
    let snapshots = history();
    let late_index = 7;
    for (i, snapshot) in snapshots.iter().enumerate() {
        store_all(store, reference, &[snapshot]).await;
        if i != late_index {
            store_all(store, tenant, &[snapshot]).await;
        }
    }
    store.roll_up(later()).await.expect("roll up");
    store_all(store, tenant, &[&snapshots[late_index]]).await;
    let expected = answers(store, reference).await;
    assert_eq!(
        answers(store, tenant).await,
        expected,
        "before the next run"
    );
    let report = store.roll_up(later()).await.expect("roll up");
    assert!(report.hours >= 1, "the late hour is rebuilt: {report:?}");
    assert_eq!(answers(store, tenant).await, expected, "after the next run");
}

/// Appends in time order with rollup runs at every point of the way (the clock following
/// the data), and a few appends arriving late, answer as the same data with no rollup.
pub async fn any_interleaving_of_appends_and_rollups_answers_the_same(store: &dyn MetricsStore) {
    let reference = tenant();
    let tenant = tenant();
    let snapshots = history();
    let refs: Vec<&PricedSnapshot> = snapshots.iter().collect();
    store_all(store, reference, &refs).await;
    let expected = answers(store, reference).await;

    // A fixed pseudo-random schedule: deterministic, yet no hand-picked pattern.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut held_back = Vec::new();
    for snapshot in &snapshots {
        if next() % 9 == 0 {
            held_back.push(snapshot);
            continue;
        }
        store_all(store, tenant, &[snapshot]).await;
        if next() % 3 == 0 {
            let now = snapshot.snapshot().timestamp() + Duration::minutes((next() % 90) as i64);
            store.roll_up(now).await.expect("roll up");
        }
        if next() % 4 == 0
            && let Some(late) = held_back.pop()
        {
            store_all(store, tenant, &[late]).await;
        }
    }
    for late in held_back {
        store_all(store, tenant, &[late]).await;
    }
    assert_eq!(
        answers(store, tenant).await,
        expected,
        "before the final run"
    );
    store.roll_up(later()).await.expect("roll up");
    assert_eq!(
        answers(store, tenant).await,
        expected,
        "after the final run"
    );
}

/// One stored description per distinct description: repeated snapshots add none, a
/// relabelled pod adds a version; owners keep whether they were inferred.
pub async fn descriptions_are_stored_once_and_again_when_changed(store: &dyn MetricsStore) {
    let tenant = tenant();
    let other = super::fixtures::tenant();
    let first = agent_snapshot(LABELS, "prod-eu", at(9, 0), 600);
    let second = agent_snapshot(LABELS, "prod-eu", at(9, 10), 600);
    store_all(store, tenant, &[&first, &second]).await;
    let stored = store
        .pod_descriptions(tenant, &CostFilter::default())
        .await
        .expect("descriptions");
    assert_eq!(stored.len(), first.snapshot().pods().len());
    assert!(stored.iter().all(|p| p.first_seen == at(9, 0)));
    let payments = stored
        .iter()
        .find(|p| p.description.name == "payments-api-7pt8cn474-kxsrd")
        .expect("payments pod");
    let owner = payments.description.owner.as_ref().expect("owner");
    assert_eq!(
        (owner.kind.as_str(), owner.name.as_str()),
        ("Deployment", "payments-api")
    );
    assert!(payments.description.owner_inferred);
    assert_eq!(payments.description.phase.as_deref(), Some("Running"));
    assert_eq!(payments.description.qos_class.as_deref(), Some("Burstable"));
    assert_eq!(payments.description.containers, ["app"]);
    assert_eq!(
        payments.description.labels.get("team").map(String::as_str),
        Some("checkout")
    );

    // The same pod relabelled: a second version, first seen at its own time.
    let base = agent_snapshot(LABELS, "prod-eu", at(9, 20), 600);
    let pods = relabelled_pods(base.snapshot(), "payments-api-7pt8cn474-kxsrd");
    let third = snapshot(
        "prod-eu",
        at(9, 20),
        600,
        pods,
        base.snapshot().nodes().to_vec(),
    );
    assert_eq!(
        store.append(tenant, &third).await.unwrap(),
        AppendOutcome::Stored
    );
    let stored = store
        .pod_descriptions(tenant, &CostFilter::default())
        .await
        .expect("descriptions");
    assert_eq!(stored.len(), first.snapshot().pods().len() + 1);
    let versions: Vec<_> = stored
        .iter()
        .filter(|p| p.description.name == "payments-api-7pt8cn474-kxsrd")
        .collect();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].first_seen, at(9, 0), "ordered by first seen");
    assert_eq!(versions[1].first_seen, at(9, 20));
    assert_eq!(
        versions[1]
            .description
            .labels
            .get("team")
            .map(String::as_str),
        Some("payments")
    );

    // Filters and tenants.
    let filter = CostFilter {
        cluster: None,
        namespace: Some("payments".into()),
    };
    let narrowed = store.pod_descriptions(tenant, &filter).await.unwrap();
    assert_eq!(narrowed.len(), 2);
    assert!(
        store
            .pod_descriptions(other, &CostFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
}

fn relabelled_pods(
    snapshot: &kcost_domain::snapshot::Snapshot,
    name: &str,
) -> Vec<kcost_domain::snapshot::PodSample> {
    let mut pods = snapshot.pods().to_vec();
    for pod in &mut pods {
        if pod.name == name {
            pod.labels.insert("team".into(), "payments".into());
        }
    }
    pods
}
