//! The simulated clusters' costs, hour by hour: every snapshot the simulator's agents
//! would send, decoded and validated as the server does (`AgentPayload::into_draft`,
//! `SnapshotDraft::validate`), given its duration from the gap to the previous one and
//! priced by the domain cost engine at catalog prices, exactly like an ingest without
//! overrides. Each sample's cost goes to the hour its period starts in.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use kcost_domain::catalog::Catalog;
use kcost_domain::cost_engine::{DurationRules, price_snapshot, sample_duration};
use kcost_domain::pricing::{PriceBook, ResourceRates};
use kcost_domain::snapshot::SnapshotRules;
use kcost_simulator::simulate::run::build_clusters;
use rust_decimal::Decimal;

/// The groups' hourly costs from `start`, one entry per hour.
#[derive(Debug, Default)]
pub struct HourlyCosts {
    /// `cluster/namespace` → cost per hour of the pods in that namespace.
    pub namespaces: BTreeMap<String, Vec<Decimal>>,
    /// `cluster` → cost per hour of the whole cluster (nodes and pods no node pays for).
    pub clusters: BTreeMap<String, Vec<Decimal>>,
    /// `cluster/namespace` → what the namespace's pods *used* (usage × the rates they
    /// were priced at), not what kcost allocates them (max(request, usage)): a stand-in
    /// for usage-driven spend (autoscaled nodes, serverless, usage-based showback), which
    /// follows the simulator's daily curve and weekends far more than requests do.
    pub usage_namespaces: BTreeMap<String, Vec<Decimal>>,
}

impl HourlyCosts {
    /// Daily sums of each hourly series (complete days only).
    pub fn daily(series: &BTreeMap<String, Vec<Decimal>>) -> BTreeMap<String, Vec<Decimal>> {
        series
            .iter()
            .map(|(group, hours)| {
                let days = hours.chunks_exact(24).map(|day| day.iter().sum()).collect();
                (group.clone(), days)
            })
            .collect()
    }
}

/// Simulates `clusters` clusters for `days` days from `start`, a snapshot every
/// `step_seconds`, and prices every snapshot.
pub fn simulate(
    clusters: usize,
    seed: u64,
    start: DateTime<Utc>,
    days: u32,
    step_seconds: u32,
) -> anyhow::Result<HourlyCosts> {
    let catalog = Catalog::builtin()?;
    let book = PriceBook::new(&[], &catalog, ResourceRates::opencost_defaults());
    let (snapshot_rules, duration_rules) = (SnapshotRules::default(), DurationRules::default());
    let hours = days as usize * 24;
    let mut costs = HourlyCosts::default();
    for mut cluster in build_clusters(clusters, seed)? {
        let name = cluster.name().to_owned();
        let mut previous: Option<DateTime<Utc>> = None;
        let mut cluster_hours = vec![Decimal::ZERO; hours];
        // The first sample's period would start before `start`: begin one step later.
        let samples = (1..).map(|step| start + Duration::seconds(i64::from(step_seconds) * step));
        for at in samples.take_while(|at| *at <= start + Duration::days(i64::from(days))) {
            let snapshot = cluster
                .step(at)
                .into_draft()
                .validate(at, &snapshot_rules)?;
            let duration = sample_duration(None, previous, at, &duration_rules);
            previous = Some(at);
            let period_start = at - Duration::seconds(i64::from(duration.seconds));
            let Ok(hour) = usize::try_from((period_start - start).num_hours()) else {
                continue;
            };
            if hour >= hours {
                continue;
            }
            let priced = price_snapshot(snapshot, &book, duration);
            cluster_hours[hour] += priced.totals().total().amount();
            for (pod, cost) in priced.snapshot().pods().iter().zip(priced.pods()) {
                let series = costs
                    .namespaces
                    .entry(format!("{name}/{}", pod.namespace))
                    .or_insert_with(|| vec![Decimal::ZERO; hours]);
                series[hour] += cost.total().amount();
                let hours_in_sample = Decimal::from(duration.seconds) / Decimal::from(3600);
                let used = pod.figures.cpu_usage.cores() * cost.rates.cpu_core_hourly
                    + pod.figures.memory_usage.gib() * cost.rates.ram_gib_hourly;
                costs
                    .usage_namespaces
                    .entry(format!("{name}/{}", pod.namespace))
                    .or_insert_with(|| vec![Decimal::ZERO; hours])[hour] +=
                    (used * hours_in_sample).round_dp(10);
            }
        }
        costs.clusters.insert(name, cluster_hours);
    }
    Ok(costs)
}
