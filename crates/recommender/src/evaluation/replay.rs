//! Walks a series forward in time, closed loop: every `recompute_hours` the algorithm sees
//! what a cluster running *its own advice* would have shown it, strictly before that
//! instant, and its answer is in force until the next recompute. Each interval after the
//! warm-up is one pod-day, scored against the usage that actually followed.
//!
//! The model (docs/recommender.md, "Closed loop"):
//! - Applied advice. Until an algorithm first answers, the samples carry the trace's
//!   provisioned requests. From then on every sample it sees carries the requests it
//!   recommended for that interval: CPU request, memory request and memory limit = memory
//!   request (the limits policy the OOM proxy measures). "No answer" keeps what is applied.
//! - OOM kills. A container is killed when its memory usage goes above the applied memory
//!   limit. One kill per excursion: a run of consecutive samples above the limit is one
//!   kill, at its first sample (the container restarts and runs into the limit again only
//!   after coming back under it). The algorithm sees each kill as an [`OomEvent`] with the
//!   memory request in force, and `restarts` counts them.
//! - What a killed container shows. Memory usage can never be observed above the limit: a
//!   sample above it is seen at the limit (censored). CPU is compressible and seen as is.
//! - Scoring is against the trace's true usage (the demand), so an OOM pod-day is a day
//!   with any sample above the applied memory request.

use chrono::Duration;
use kcost_domain::costs::UsagePoint;
use kcost_domain::quantity::{Bytes, Millicores};

use crate::history::{History, OomEvent, Recommender, Requests};

/// How the replay walks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplayConfig {
    pub recompute_hours: i64,
    /// Intervals (from the series' first sample) excluded from scoring.
    pub warmup_intervals: i64,
    /// A change counts when it moves a request by more than this fraction.
    pub change_threshold: f64,
}

impl Default for ReplayConfig {
    fn default() -> Self {
        Self {
            recompute_hours: 24,
            warmup_intervals: 7,
            change_threshold: 0.10,
        }
    }
}

/// What one pod-day (one recompute interval after the warm-up) looked like under an
/// algorithm's requests. Resource-time sums are in millicore-seconds and byte-seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PodDay {
    pub samples: u64,
    pub seconds: f64,
    pub cpu_request: f64,
    pub cpu_slack: f64,
    pub memory_request: f64,
    pub memory_slack: f64,
    /// Samples whose CPU usage exceeded the recommended CPU.
    pub cpu_over: u64,
    /// Some sample's memory usage exceeded the recommended memory (an OOM kill, by proxy).
    pub oom: bool,
    /// Requests (CPU and memory counted separately) changed by more than the threshold at
    /// the recompute that opened this interval.
    pub changes: u32,
    /// Resource-time of the requests the pod originally ran with, for scale.
    pub original_cpu_request: f64,
    pub original_memory_request: f64,
}

/// Replays `points` (oldest first) under `algorithm`, closed loop; returns the scored
/// pod-days.
pub fn replay(
    points: &[UsagePoint],
    algorithm: &dyn Recommender,
    config: &ReplayConfig,
) -> Vec<PodDay> {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Vec::new();
    };
    let interval = Duration::hours(config.recompute_hours);
    let mut observed: Vec<UsagePoint> = Vec::with_capacity(points.len());
    let mut ooms: Vec<OomEvent> = Vec::new();
    let mut applied: Option<Requests> = None;
    let mut days = Vec::new();
    let mut k: i32 = 1;
    loop {
        let now = first.at + interval * k;
        if now > last.at {
            break;
        }
        let end = now + interval;
        let seen = points.partition_point(|p| p.at < now);
        // The interval that just ended joins what the algorithm sees, under what was applied.
        let newly_seen = &points[observed.len()..seen];
        observed.extend(newly_seen.iter().map(|p| as_observed(p, applied)));
        let history = History {
            points: &observed,
            ooms: &ooms,
            restarts: u32::try_from(ooms.len()).unwrap_or(u32::MAX),
            now,
        };
        let recommended = algorithm.recommend(&history);
        let in_force = applied.or(history.current_requests());
        let Some(requests) = recommended.or(in_force) else {
            k += 1;
            continue;
        };
        let upcoming = &points[seen..];
        let upcoming = &upcoming[..upcoming.partition_point(|p| p.at < end)];
        let mut day = score(upcoming, requests);
        ooms.extend(oom_kills(upcoming, requests));
        if let Some(before) = in_force {
            day.changes =
                u32::from(changed(
                    before.cpu_millicores,
                    requests.cpu_millicores,
                    config,
                )) + u32::from(changed(before.memory_bytes, requests.memory_bytes, config));
        }
        if recommended.is_some() || applied.is_some() {
            applied = Some(requests);
        }
        if i64::from(k) >= config.warmup_intervals && day.samples > 0 {
            days.push(day);
        }
        k += 1;
    }
    days
}

/// A sample as the cluster would have reported it under `applied` (unchanged before the
/// first applied advice): the applied requests, memory limit = memory request, and memory
/// usage censored at that limit.
fn as_observed(point: &UsagePoint, applied: Option<Requests>) -> UsagePoint {
    let Some(requests) = applied else {
        return *point;
    };
    let mut observed = *point;
    let figures = &mut observed.figures;
    figures.cpu_request = Millicores::new(requests.cpu_millicores);
    figures.memory_request = Bytes::new(requests.memory_bytes);
    figures.memory_limit = Some(Bytes::new(requests.memory_bytes));
    figures.memory_usage = Bytes::new(figures.memory_usage.get().min(requests.memory_bytes));
    observed
}

/// One kill per run of consecutive samples above the memory limit, at the run's start.
fn oom_kills(points: &[UsagePoint], requests: Requests) -> Vec<OomEvent> {
    let mut kills = Vec::new();
    let mut above = false;
    for point in points {
        let over = point.figures.memory_usage.get() > requests.memory_bytes;
        if over && !above {
            kills.push(OomEvent {
                at: point.at,
                memory_request_bytes: requests.memory_bytes,
            });
        }
        above = over;
    }
    kills
}

fn changed(before: u64, after: u64, config: &ReplayConfig) -> bool {
    let before = before as f64;
    (after as f64 - before).abs() > config.change_threshold * before
}

fn score(points: &[UsagePoint], requests: Requests) -> PodDay {
    let cpu_r = requests.cpu_millicores as f64;
    let memory_r = requests.memory_bytes as f64;
    let mut day = PodDay::default();
    for point in points {
        let dt = f64::from(point.seconds);
        let cpu_u = point.figures.cpu_usage.get() as f64;
        let memory_u = point.figures.memory_usage.get() as f64;
        day.samples += 1;
        day.seconds += dt;
        day.cpu_request += cpu_r * dt;
        day.cpu_slack += (cpu_r - cpu_u).max(0.0) * dt;
        day.memory_request += memory_r * dt;
        day.memory_slack += (memory_r - memory_u).max(0.0) * dt;
        day.cpu_over += u64::from(cpu_u > cpu_r);
        day.oom |= memory_u > memory_r;
        day.original_cpu_request += point.figures.cpu_request.get() as f64 * dt;
        day.original_memory_request += point.figures.memory_request.get() as f64 * dt;
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_series::{flat, series};

    /// Recommends fixed requests.
    struct Fixed(Requests);

    impl Recommender for Fixed {
        fn name(&self) -> &'static str {
            "fixed"
        }
        fn recommend(&self, _: &History<'_>) -> Option<Requests> {
            Some(self.0)
        }
    }

    #[test]
    fn scores_only_days_after_the_warmup_from_the_requests_in_force() {
        let points = flat(24 * 10, 100, 1000);
        let fixed = Fixed(Requests {
            cpu_millicores: 200,
            memory_bytes: 1000,
        });
        let days = replay(&points, &fixed, &ReplayConfig::default());
        // Recomputes at days 1..=9 (day 10 starts after the last sample); days 7, 8, 9 scored.
        assert_eq!(days.len(), 3);
        let day = days[0];
        assert_eq!(day.samples, 288);
        assert!((day.cpu_slack / day.cpu_request - 0.5).abs() < 1e-12);
        assert_eq!(day.memory_slack, 0.0);
        assert!(!day.oom && day.cpu_over == 0 && day.changes == 0);
    }

    #[test]
    fn an_oom_is_counted_once_per_interval_and_fed_back() {
        // Memory jumps above the recommendation on day 8.
        let points = series(24 * 10, |i| (100, if i / 288 == 8 { 2000 } else { 900 }));
        struct Feedback;
        impl Recommender for Feedback {
            fn name(&self) -> &'static str {
                "feedback"
            }
            fn recommend(&self, history: &History<'_>) -> Option<Requests> {
                Some(Requests {
                    cpu_millicores: 50,
                    memory_bytes: 1000 + 5000 * history.ooms.len() as u64,
                })
            }
        }
        let days = replay(&points, &Feedback, &ReplayConfig::default());
        let ooms: Vec<bool> = days.iter().map(|d| d.oom).collect();
        assert_eq!(ooms, vec![false, true, false]);
        assert_eq!(days[2].changes, 1);
        assert_eq!(days[0].cpu_over, 288);
    }

    /// What one recommendation saw: memory request, memory limit and usage of the latest
    /// sample, and the restarts.
    type Seen = (u64, Option<u64>, u64, u32);

    /// Recommends half of the current memory request, and records what it saw.
    struct Halving(std::cell::RefCell<Vec<Seen>>);

    impl Recommender for Halving {
        fn name(&self) -> &'static str {
            "halving"
        }
        fn recommend(&self, history: &History<'_>) -> Option<Requests> {
            let current = history.current_requests()?;
            let latest = history.points.last()?.figures;
            self.0.borrow_mut().push((
                current.memory_bytes,
                latest.memory_limit.map(|l| l.get()),
                latest.memory_usage.get(),
                history.restarts,
            ));
            Some(Requests {
                cpu_millicores: current.cpu_millicores,
                memory_bytes: current.memory_bytes / 2,
            })
        }
    }

    #[test]
    fn the_current_request_is_the_applied_advice_and_usage_is_censored_at_the_limit() {
        // The trace provisions 4 GiB throughout; usage is a flat 600 MiB.
        let points = flat(24 * 6, 100, 600 << 20);
        let halving = Halving(Default::default());
        replay(&points, &halving, &ReplayConfig::default());
        let seen = halving.0.borrow();
        let requests: Vec<u64> = seen.iter().map(|s| s.0 >> 20).collect();
        // Day 1 sees the trace's 4 GiB; each later day sees the advice applied the day before.
        assert_eq!(requests, vec![4096, 2048, 1024, 512, 256]);
        assert_eq!(seen[0].1, None);
        assert_eq!(seen[1].1, Some(2048 << 20));
        // Until then the 600 MiB are seen as they are; 512 MiB (applied on day 3) is below
        // them: day 4 sees usage capped at 512 MiB, and the overrun was one kill (the day is
        // one excursion); day 5 has seen two.
        assert_eq!(seen[3].2, 512 << 20);
        assert_eq!(seen[2].2, 600 << 20);
        let restarts: Vec<u32> = seen.iter().map(|s| s.3).collect();
        assert_eq!(restarts, vec![0, 0, 0, 1, 2]);
        drop(seen);
        let config = ReplayConfig {
            warmup_intervals: 1,
            ..Default::default()
        };
        let ooms: Vec<bool> = replay(&points, &halving, &config)
            .iter()
            .map(|d| d.oom)
            .collect();
        assert_eq!(ooms, vec![false, false, true, true, true]);
    }

    #[test]
    fn each_excursion_above_the_limit_is_one_kill() {
        let requests = Requests {
            cpu_millicores: 100,
            memory_bytes: 1000,
        };
        // Above, above, below, above: two excursions.
        let points = series(1, |i| (100, [1500, 1600, 900, 1200, 800, 800][i % 6]));
        let kills = oom_kills(&points[..6], requests);
        assert_eq!(kills.len(), 2);
        assert_eq!(kills[0].at, points[0].at);
        assert_eq!(kills[1].at, points[3].at);
        assert!(kills.iter().all(|k| k.memory_request_bytes == 1000));
        assert!(oom_kills(&points[4..6], requests).is_empty());
    }

    /// Answers `memory` from the second recompute on, and checks on every call that what it
    /// sees after its first answer is under its own applied requests and never above the limit.
    struct Checked {
        memory: u64,
        violations: std::cell::Cell<u32>,
    }

    impl Recommender for Checked {
        fn name(&self) -> &'static str {
            "checked"
        }
        fn recommend(&self, history: &History<'_>) -> Option<Requests> {
            let applied = history
                .points
                .iter()
                .filter(|p| p.figures.memory_limit.is_some());
            for p in applied {
                let f = p.figures;
                if f.memory_request.get() != self.memory
                    || f.memory_usage.get() > self.memory
                    || f.cpu_request.get() != 77
                {
                    self.violations.set(self.violations.get() + 1);
                }
            }
            (history.points.len() > 12 * 24 * 2).then_some(Requests {
                cpu_millicores: 77,
                memory_bytes: self.memory,
            })
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]

        #[test]
        fn the_loop_is_closed_and_more_memory_never_means_more_oom_days(
            daily in proptest::collection::vec(0u64..4000, 10..14),
            low in 500u64..2000,
            extra in 0u64..2000,
        ) {
            let points = series(24 * daily.len(), |i| (50, daily[i / 288] + (i % 7) as u64));
            let config = ReplayConfig { warmup_intervals: 1, ..Default::default() };
            let ooms = |memory| {
                let checked = Checked { memory, violations: Default::default() };
                let days = replay(&points, &checked, &config);
                (days.iter().filter(|d| d.oom).count(), checked.violations.get())
            };
            let (tight, tight_violations) = ooms(low);
            let (roomy, roomy_violations) = ooms(low + extra);
            proptest::prop_assert_eq!((tight_violations, roomy_violations), (0, 0));
            proptest::prop_assert!(roomy <= tight);
        }
    }
}
