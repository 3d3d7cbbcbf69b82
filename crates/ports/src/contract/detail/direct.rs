//! Pods' direct costs (storage, network, load balancer), as an OpenCost import stores them:
//! every grouping, the namespace filter, trends and utilization sum them exactly, from
//! rollups (whole hours, including an hour several snapshots merge into) and from raw
//! samples (edge hours) alike; they never count as idle; agent-fed rows carry none.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use kcost_domain::cost_engine::{DirectCosts, PricedSnapshot};
use kcost_domain::costs::{CostBreakdown, CostFilter, CostGrouping, CostKey, TrendInterval};
use kcost_domain::money::Money;
use kcost_domain::opencost::{Allocation, AllocationProperties, AllocationSet};
use kcost_domain::opencost_mapping::snapshot_from_allocations;
use rust_decimal::Decimal;

use crate::MetricsStore;
use crate::contract::fixtures::{
    SMALL, agent_snapshot, at, costs, idle_of, namespace_of, pod_of, store_all, tenant,
    unfiltered_costs, utc, window,
};

const CLUSTER: &str = "imported";

/// A priced pod row of an allocation set `[start, start + minutes)`: costs in 10⁻⁹ units,
/// chosen to need every digit of the cost scale's first nine places.
fn pod_row(
    start: DateTime<Utc>,
    minutes: i64,
    namespace: &str,
    pod: &str,
    costs: [i64; 5],
) -> Allocation {
    let mut row = Allocation::zero(
        format!("{namespace}/{pod}"),
        start,
        start + Duration::minutes(minutes),
    );
    row.properties = AllocationProperties {
        namespace: Some(namespace.into()),
        pod: Some(pod.into()),
        ..AllocationProperties::default()
    };
    row.minutes = Decimal::from(minutes);
    row.cpu_core_hours = Decimal::ONE;
    row.ram_byte_hours = Decimal::from(1_u64 << 30);
    let [cpu, ram, pv, network, load_balancer] = costs.map(|units| Decimal::new(units, 9));
    (row.cpu_cost, row.ram_cost) = (cpu, ram);
    (row.pv_cost, row.network_cost, row.load_balancer_cost) = (pv, network, load_balancer);
    row
}

/// One imported step starting at `start`: two pods in `web`, one in `db`, and idle.
fn imported_step(start: DateTime<Utc>, minutes: i64, scale: i64) -> PricedSnapshot {
    let mut idle = Allocation::zero(Allocation::IDLE, start, start + Duration::minutes(minutes));
    idle.cpu_cost = Decimal::new(70_000_001 * scale, 9);
    idle.ram_cost = Decimal::new(9_000_003 * scale, 9);
    let set = AllocationSet {
        start,
        end: start + Duration::minutes(minutes),
        allocations: vec![
            pod_row(
                start,
                minutes,
                "web",
                "web-1",
                [
                    11_000_001 * scale,
                    2_000_007 * scale,
                    3_000_011 * scale,
                    400_013 * scale,
                    25_000_017 * scale,
                ],
            ),
            pod_row(
                start,
                minutes,
                "web",
                "web-2",
                [13_000_019, 1_000_023, 0, 700_029 * scale, 0],
            ),
            pod_row(
                start,
                minutes,
                "db",
                "db-0",
                [20_000_031, 9_000_037 * scale, 41_000_041 * scale, 43, 0],
            ),
            idle,
        ],
    };
    snapshot_from_allocations(&set, CLUSTER, utc(2027, 1, 1, 0, 0, 0)).expect("maps")
}

/// Σ direct costs per key of each pod over `snapshots`.
fn direct_by<K: Ord>(
    snapshots: &[&PricedSnapshot],
    key: impl Fn(&PricedSnapshot, &str, &str) -> K,
) -> BTreeMap<K, DirectCosts> {
    let mut sums: BTreeMap<K, DirectCosts> = BTreeMap::new();
    for priced in snapshots {
        for (sample, cost) in priced.snapshot().pods().iter().zip(priced.pods()) {
            let entry = sums
                .entry(key(priced, &sample.namespace, &sample.name))
                .or_default();
            *entry = *entry + cost.direct;
        }
    }
    sums
}

fn direct_of(cost: &CostBreakdown) -> DirectCosts {
    DirectCosts {
        storage: cost.storage,
        network: cost.network,
        load_balancer: cost.load_balancer,
    }
}

/// Direct costs of an imported cluster, summed exactly by every query: namespace, cluster,
/// pod and trend rows, a namespace filter and utilization; totals include them, idle does
/// not; an agent-fed cluster of the same tenant shows none.
pub async fn direct_costs_are_summed_exactly(store: &dyn MetricsStore) {
    let t = tenant();
    // 10:30 lies in an edge hour of the window below (raw samples); 11:00 and 11:30 merge
    // into one rollup hour; 12:00 is a whole hour of its own.
    let steps = [
        imported_step(at(10, 30), 30, 1),
        imported_step(at(11, 0), 30, 3),
        imported_step(at(11, 30), 30, 7),
        imported_step(at(12, 0), 60, 11),
    ];
    let agent = agent_snapshot(SMALL, "agent-fed", at(11, 0), 600);
    let snapshots: Vec<&PricedSnapshot> = steps.iter().collect();
    let mut everything = snapshots.clone();
    everything.push(&agent);
    store_all(store, t, &everything).await;
    let span = window(at(10, 15), at(13, 0));
    let direct_total: DirectCosts = steps.iter().map(|s| s.totals().direct).sum();
    assert!(direct_total.storage > Money::ZERO && direct_total.load_balancer > Money::ZERO);

    // Namespaces (PostgreSQL: the namespace rollup) and pods (the per-pod rollup).
    let by_namespace = direct_by(&snapshots, |_, namespace, _| namespace.to_owned());
    let rows = unfiltered_costs(store, t, CostGrouping::Namespace, span).await;
    for row in &rows {
        let namespace = namespace_of(row);
        let expected = by_namespace.get(namespace).copied().unwrap_or_default();
        assert_eq!(direct_of(&row.cost), expected, "namespace {namespace}");
    }
    let by_pod = direct_by(&snapshots, |_, namespace, pod| {
        (namespace.to_owned(), pod.to_owned())
    });
    let rows = unfiltered_costs(store, t, CostGrouping::Pod, span).await;
    for row in &rows {
        let (cluster, namespace, pod) = pod_of(row);
        let expected = if cluster.as_str() == CLUSTER {
            by_pod[&(namespace.to_owned(), pod.to_owned())]
        } else {
            DirectCosts::ZERO
        };
        assert_eq!(
            direct_of(&row.cost),
            expected,
            "{cluster}/{namespace}/{pod}"
        );
    }

    // Clusters: direct costs beside CPU, memory and idle; the total is everything.
    let rows = unfiltered_costs(store, t, CostGrouping::Cluster, span).await;
    let imported = rows
        .iter()
        .find(|row| matches!(&row.key, CostKey::Cluster(c) if c.as_str() == CLUSTER))
        .expect("imported cluster row");
    assert_eq!(direct_of(&imported.cost), direct_total);
    assert_eq!(imported.cost.idle, idle_of(&snapshots));
    let grand_total: Money = steps.iter().map(|s| s.totals().total()).sum();
    assert_eq!(imported.cost.total(), grand_total);
    let agent_row = rows
        .iter()
        .find(|row| matches!(&row.key, CostKey::Cluster(c) if c.as_str() == "agent-fed"))
        .expect("agent-fed cluster row");
    assert_eq!(direct_of(&agent_row.cost), DirectCosts::ZERO);

    // A namespace filter keeps that namespace's direct costs.
    let filter = CostFilter {
        namespace: Some("web".into()),
        ..CostFilter::default()
    };
    let rows = costs(store, t, CostGrouping::Cluster, span, filter).await;
    let web: DirectCosts = rows.iter().map(|row| direct_of(&row.cost)).sum();
    assert_eq!(web, by_namespace["web"]);

    // Hourly trend: the edge hour from samples, the merged hour from its rollup.
    let by_hour = direct_by(&snapshots, |priced, _, _| {
        let ts = priced.snapshot().timestamp();
        ts - Duration::minutes(i64::from(chrono::Timelike::minute(&ts)))
    });
    let rows = unfiltered_costs(store, t, CostGrouping::Time(TrendInterval::Hourly), span).await;
    assert_eq!(rows.len(), by_hour.len());
    for row in &rows {
        let CostKey::Time(hour) = row.key else {
            panic!("unexpected key {:?}", row.key)
        };
        assert_eq!(direct_of(&row.cost), by_hour[&hour], "hour {hour}");
    }

    // Utilization: a pod's cost is everything it cost.
    let pods = store
        .utilization(t, &span, &CostFilter::default())
        .await
        .expect("utilization");
    let pod_totals = {
        let mut sums: BTreeMap<(String, String), Money> = BTreeMap::new();
        for priced in &snapshots {
            for (sample, cost) in priced.snapshot().pods().iter().zip(priced.pods()) {
                *sums
                    .entry((sample.namespace.clone(), sample.name.clone()))
                    .or_default() += cost.total();
            }
        }
        sums
    };
    for pod in pods.iter().filter(|p| p.cluster.as_str() == CLUSTER) {
        assert_eq!(
            pod.cost,
            pod_totals[&(pod.namespace.clone(), pod.pod.clone())],
            "{}/{}",
            pod.namespace,
            pod.pod
        );
    }
}
