//! `hour_sums`: each cluster-hour's per-pod sums, kept in memory as this process appends
//! snapshots, so the rollup job can write a closed hour's `pod_costs_hourly` rows without
//! reading and summing its raw samples again (that build was two thirds of the rollups'
//! CPU under a sustained ingest; docs/benchmarks.md).
//!
//! Memory is only ever a shortcut; the samples stay the truth. A stretch of hours is
//! written from memory only when memory holds every snapshot the database holds for it:
//! - a snapshot is added after its append committed, so memory holds a subset of the
//!   committed snapshots (no snapshot is stored twice: `(tenant, cluster, ts)` is unique);
//! - the rollup reads the stretch's sums *before* counting the stretch's committed
//!   snapshots, so equal counts mean equal sets. (Counting first would let a snapshot
//!   committed but not yet added, and one added after the count, balance out.)
//!
//! Sums stay after they are read, until the cluster's rollups have moved past their hour
//! and its latest snapshot is of a later hour: a back-filled hour is closed by the clock
//! and built while its snapshots still arrive, and each one that arrives sends the hour
//! back to be built again — from memory, which holds them all.
//!
//! Anything else — another replica's appends, a restart, a late snapshot for an hour
//! already dropped, sums evicted to bound memory — shows as a count that differs, and the
//! rollup sums the samples as before. Sums are exact: money is rounded as `numeric(20,10)`
//! rounds the stored sample (half away from zero) and then added; resource-seconds are
//! summed as `bigint`, and an hour whose sum would overflow is dropped.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use kcost_domain::cost_engine::PricedSnapshot;
use rust_decimal::{Decimal, RoundingStrategy};
use uuid::Uuid;

/// Pod-hours kept before the oldest hours are dropped (about 210 bytes each: ~21 MB).
const CAPACITY: usize = 100_000;

/// Decimal places of money at rest (`numeric(20,10)`).
const MONEY_SCALE: u32 = 10;

/// Which hour of which cluster: the hour first, so the oldest sums are the first entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct HourKey {
    hour: DateTime<Utc>,
    tenant: Uuid,
    cluster: String,
}

/// A pod's name, namespace and node (`""` when pending), as `pod_costs_hourly` stores them.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PodNames {
    pub namespace: String,
    pub pod: String,
    pub node: String,
}

/// One pod's sums over one hour: the columns `hourly::hourly_from_samples` computes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PodHour {
    pub names: Arc<PodNames>,
    pub cpu_cost: Decimal,
    pub ram_cost: Decimal,
    pub storage_cost: Decimal,
    pub network_cost: Decimal,
    pub load_balancer_cost: Decimal,
    pub cpu_usage_mcs: i64,
    pub cpu_request_mcs: i64,
    pub mem_usage_bs: i64,
    pub mem_request_bs: i64,
    pub max_cpu_usage_m: i64,
    pub max_mem_usage_b: i64,
    pub sample_count: i32,
    pub sample_seconds: i64,
    pub cpu_alloc_mcs: i64,
    pub mem_alloc_bs: i64,
}

impl PodHour {
    /// No samples yet; the maxima start at the first sample's figures.
    fn new(names: Arc<PodNames>, cpu_usage: i64, mem_usage: i64) -> Self {
        Self {
            names,
            cpu_cost: Decimal::ZERO,
            ram_cost: Decimal::ZERO,
            storage_cost: Decimal::ZERO,
            network_cost: Decimal::ZERO,
            load_balancer_cost: Decimal::ZERO,
            cpu_usage_mcs: 0,
            cpu_request_mcs: 0,
            mem_usage_bs: 0,
            mem_request_bs: 0,
            max_cpu_usage_m: cpu_usage,
            max_mem_usage_b: mem_usage,
            sample_count: 0,
            sample_seconds: 0,
            cpu_alloc_mcs: 0,
            mem_alloc_bs: 0,
        }
    }
}

/// One cluster-hour: its pods' sums stored densely (a map of 1,000 sums directly took
/// twice the memory: hash tables keep a power of two of slots), found by pod id.
#[derive(Debug, Default)]
struct HourEntry {
    snapshots: i64,
    pods: Vec<(i64, PodHour)>,
    index: HashMap<i64, u32>,
}

#[derive(Debug, Default)]
struct State {
    hours: BTreeMap<HourKey, HourEntry>,
    pod_hours: usize,
    /// Names by pod id (ids are unique across tenants), shared by every hour of the pod.
    names: HashMap<i64, Arc<PodNames>>,
}

/// The per-pod sums of the hours this process appended to (see the module docs).
#[derive(Debug)]
pub(crate) struct HourSums {
    state: Mutex<State>,
    /// Pod-hours kept at most.
    capacity: usize,
}

impl Default for HourSums {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

/// A stretch's sums read from memory: how many snapshots they cover, and one row per
/// (hour, pod id).
#[derive(Debug, Default)]
pub(crate) struct KeptHours {
    pub snapshots: i64,
    pub rows: Vec<(DateTime<Utc>, i64, PodHour)>,
}

/// Money as the `numeric(20,10)` column stores it.
fn at_rest(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(MONEY_SCALE, RoundingStrategy::MidpointAwayFromZero)
}

impl HourSums {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            state: Mutex::default(),
            capacity,
        }
    }

    /// Adds a committed snapshot: `ids` are its pods' dimension ids, in snapshot order;
    /// `seconds` its stored duration; `hour` the hour of its time. A figure or a sum beyond
    /// `bigint` drops the hour from memory instead: its rollup sums the samples.
    pub fn add(
        &self,
        tenant: Uuid,
        hour: DateTime<Utc>,
        seconds: i32,
        priced: &PricedSnapshot,
        ids: &[i64],
    ) {
        let key = HourKey {
            hour,
            tenant,
            cluster: priced.snapshot().cluster().as_str().to_owned(),
        };
        let mut state = self.lock();
        let State {
            hours,
            pod_hours,
            names,
        } = &mut *state;
        if names.len() > self.capacity {
            names.clear();
        }
        let entry = hours.entry(key.clone()).or_default();
        let before = entry.pods.len();
        let added = add_pods(entry, names, seconds, priced, ids);
        *pod_hours += entry.pods.len() - before;
        if added.is_none()
            && let Some(dropped) = hours.remove(&key)
        {
            *pod_hours -= dropped.pods.len();
        }
        // Bounded: the oldest hours go first (their rollup falls back to the samples).
        while *pod_hours > self.capacity {
            let Some((_, dropped)) = hours.pop_first() else {
                break;
            };
            *pod_hours -= dropped.pods.len();
        }
    }

    /// The sums of `tenant`'s `cluster` for the hours in `[start, end)`, copied (they stay:
    /// see the module docs); the cluster's sums of hours before `drop_before` (at most
    /// `start`) are dropped: built already, and no snapshot is expected for them.
    pub fn read(
        &self,
        tenant: Uuid,
        cluster: &str,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
        drop_before: DateTime<Utc>,
    ) -> KeptHours {
        let mut state = self.lock();
        let mine: Vec<HourKey> = state
            .hours
            .keys()
            .take_while(|key| key.hour < end)
            .filter(|key| key.tenant == tenant && key.cluster == cluster)
            .cloned()
            .collect();
        let mut kept = KeptHours::default();
        for key in mine {
            if key.hour < drop_before {
                if let Some(dropped) = state.hours.remove(&key) {
                    state.pod_hours -= dropped.pods.len();
                }
            } else if key.hour >= start
                && let Some(entry) = state.hours.get(&key)
            {
                kept.snapshots += entry.snapshots;
                kept.rows.extend(
                    entry
                        .pods
                        .iter()
                        .map(|(id, pod)| (key.hour, *id, pod.clone())),
                );
            }
        }
        kept
    }

    /// Forgets every sum (retention deleted samples they may cover).
    pub fn clear(&self) {
        *self.lock() = State::default();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Adds one snapshot's pods to an hour's sums; `None` when a figure or a sum leaves
/// `bigint` (then the hour is summed from the samples).
fn add_pods(
    entry: &mut HourEntry,
    names: &mut HashMap<i64, Arc<PodNames>>,
    seconds: i32,
    priced: &PricedSnapshot,
    ids: &[i64],
) -> Option<()> {
    entry.snapshots += 1;
    let duration = i64::from(seconds);
    for ((sample, cost), id) in priced.snapshot().pods().iter().zip(priced.pods()).zip(ids) {
        let figures = &sample.figures;
        let cpu_usage = i64::try_from(figures.cpu_usage.get()).ok()?;
        let cpu_request = i64::try_from(figures.cpu_request.get()).ok()?;
        let mem_usage = i64::try_from(figures.memory_usage.get()).ok()?;
        let mem_request = i64::try_from(figures.memory_request.get()).ok()?;
        let slot = match entry.index.get(id) {
            Some(&slot) => slot as usize,
            None => {
                let slot = entry.pods.len();
                entry.index.insert(*id, u32::try_from(slot).ok()?);
                let names = names.entry(*id).or_insert_with(|| {
                    Arc::new(PodNames {
                        namespace: sample.namespace.clone(),
                        pod: sample.name.clone(),
                        node: sample.node.clone().unwrap_or_default(),
                    })
                });
                entry
                    .pods
                    .push((*id, PodHour::new(Arc::clone(names), cpu_usage, mem_usage)));
                slot
            }
        };
        let pod = &mut entry.pods[slot].1;
        pod.cpu_cost += at_rest(cost.cpu_cost.amount());
        pod.ram_cost += at_rest(cost.ram_cost.amount());
        pod.storage_cost += at_rest(cost.direct.storage.amount());
        pod.network_cost += at_rest(cost.direct.network.amount());
        pod.load_balancer_cost += at_rest(cost.direct.load_balancer.amount());
        let add = |sum: &mut i64, figure: i64| -> Option<()> {
            *sum = sum.checked_add(figure.checked_mul(duration)?)?;
            Some(())
        };
        add(&mut pod.cpu_usage_mcs, cpu_usage)?;
        add(&mut pod.cpu_request_mcs, cpu_request)?;
        add(&mut pod.mem_usage_bs, mem_usage)?;
        add(&mut pod.mem_request_bs, mem_request)?;
        add(&mut pod.cpu_alloc_mcs, cpu_usage.max(cpu_request))?;
        add(&mut pod.mem_alloc_bs, mem_usage.max(mem_request))?;
        pod.max_cpu_usage_m = pod.max_cpu_usage_m.max(cpu_usage);
        pod.max_mem_usage_b = pod.max_mem_usage_b.max(mem_usage);
        pod.sample_count = pod.sample_count.checked_add(1)?;
        pod.sample_seconds = pod.sample_seconds.checked_add(duration)?;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kcost_ports::contract::fixtures::{GIB, node, pod, snapshot, utc};

    fn at(hour: u32, minute: u32) -> PricedSnapshot {
        snapshot(
            "prod",
            utc(2026, 11, 20, hour, minute, 0),
            600,
            vec![
                pod("web", "web-1", Some("n1"), (500, 731), (GIB, GIB / 3)),
                pod("batch", "job-1", None, (1000, 0), (4 * GIB, 0)),
            ],
            vec![node("n1", 4, 16, "0.192")],
        )
    }

    fn add(sums: &HourSums, hour: u32, minute: u32) {
        let tenant = Uuid::nil();
        sums.add(
            tenant,
            utc(2026, 11, 20, hour, 0, 0),
            600,
            &at(hour, minute),
            &[1, 2],
        );
    }

    /// Reads `[from, to)`, dropping the hours before `from`.
    fn read(sums: &HourSums, from: u32, to: u32) -> KeptHours {
        let start = utc(2026, 11, 20, from, 0, 0);
        sums.read(
            Uuid::nil(),
            "prod",
            (start, utc(2026, 11, 20, to, 0, 0)),
            start,
        )
    }

    #[test]
    fn an_hour_sums_its_snapshots_per_pod_as_the_columns_store_them() {
        let sums = HourSums::default();
        add(&sums, 9, 0);
        add(&sums, 9, 10);
        let kept = read(&sums, 9, 10);
        assert_eq!(kept.snapshots, 2);
        let (_, _, web) = kept.rows.iter().find(|(_, id, _)| *id == 1).unwrap();
        let one = at(9, 0);
        let cost = one.pods()[0];
        assert_eq!(web.cpu_cost, at_rest(cost.cpu_cost.amount()) * Decimal::TWO);
        assert!(web.cpu_cost.scale() <= MONEY_SCALE);
        assert_eq!(web.cpu_usage_mcs, 2 * 731 * 600);
        assert_eq!(web.cpu_alloc_mcs, 2 * 731 * 600, "usage above the request");
        assert_eq!(
            web.mem_alloc_bs,
            2 * i64::try_from(GIB).unwrap() * 600,
            "request above usage"
        );
        assert_eq!((web.sample_count, web.sample_seconds), (2, 1200));
        assert_eq!(web.names.node, "n1");
        let (_, _, pending) = kept.rows.iter().find(|(_, id, _)| *id == 2).unwrap();
        assert_eq!(pending.names.node, "", "a pending pod's node, as stored");
    }

    #[test]
    fn money_is_rounded_half_away_from_zero_at_ten_places() {
        let half = Decimal::new(5, 11);
        assert_eq!(at_rest(half), Decimal::new(1, 10));
        assert_eq!(at_rest(-half), Decimal::new(-1, 10));
        assert_eq!(at_rest(Decimal::new(4, 11)), Decimal::ZERO);
    }

    #[test]
    fn reading_a_stretch_keeps_it_and_drops_the_hours_before_it() {
        let sums = HourSums::default();
        for hour in [8, 9, 10, 11] {
            add(&sums, hour, 0);
        }
        let kept = read(&sums, 9, 11);
        assert_eq!(kept.snapshots, 2);
        assert_eq!(kept.rows.len(), 4);
        add(&sums, 10, 30);
        assert_eq!(read(&sums, 9, 11).snapshots, 3, "kept, and added to");
        assert_eq!(
            read(&sums, 8, 9).snapshots,
            0,
            "dropped: before the stretch"
        );
        assert_eq!(read(&sums, 11, 12).snapshots, 1);
        assert_eq!(read(&sums, 9, 12).snapshots, 1, "09:00 and 10:00 dropped");
        let day = (utc(2026, 11, 20, 0, 0, 0), utc(2026, 11, 21, 0, 0, 0));
        assert_eq!(sums.read(Uuid::nil(), "other", day, day.0).snapshots, 0);
    }

    #[test]
    fn hours_from_where_more_snapshots_may_come_stay() {
        let sums = HourSums::default();
        add(&sums, 9, 0);
        let nine = utc(2026, 11, 20, 9, 0, 0);
        let stretch = (utc(2026, 11, 20, 15, 0, 0), utc(2026, 11, 21, 0, 0, 0));
        assert_eq!(sums.read(Uuid::nil(), "prod", stretch, nine).snapshots, 0);
        assert_eq!(read(&sums, 9, 10).snapshots, 1, "kept: 09:00 may get more");
    }

    #[test]
    fn beyond_its_capacity_the_oldest_hours_go_first() {
        let sums = HourSums::with_capacity(4);
        for hour in [9, 10, 11] {
            add(&sums, hour, 0);
        }
        assert_eq!(read(&sums, 9, 10).snapshots, 0, "the oldest, dropped");
        assert_eq!(read(&sums, 10, 12).snapshots, 2);
    }

    #[test]
    fn an_hour_whose_sums_would_leave_bigint_is_dropped() {
        let huge = snapshot(
            "prod",
            utc(2026, 11, 20, 9, 0, 0),
            600,
            vec![pod("big", "p", Some("n1"), (500, 731), (1 << 46, 1 << 46))],
            vec![node("n1", 4, 16, "0.192")],
        );
        let sums = HourSums::default();
        let nine = utc(2026, 11, 20, 9, 0, 0);
        // 2⁴⁶ bytes × 86,400 s fits a bigint once, not twice.
        sums.add(Uuid::nil(), nine, 86_400, &huge, &[1]);
        assert_eq!(read(&sums, 9, 10).snapshots, 1);
        sums.add(Uuid::nil(), nine, 86_400, &huge, &[1]);
        assert_eq!(
            read(&sums, 9, 10).snapshots,
            0,
            "summed from the samples instead"
        );
    }

    #[test]
    fn clearing_forgets_every_hour() {
        let sums = HourSums::default();
        add(&sums, 9, 0);
        sums.clear();
        assert_eq!(read(&sums, 9, 10).snapshots, 0);
    }
}
