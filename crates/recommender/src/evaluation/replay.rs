//! Walks a series forward in time: every `recompute_hours` the algorithm sees the samples
//! (and the OOM kills its own earlier advice caused) strictly before that instant; its
//! answer is in force until the next recompute. Each interval after the warm-up is one
//! pod-day, scored against the usage that actually followed.

use chrono::Duration;
use kcost_domain::costs::UsagePoint;

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

/// Replays `points` (oldest first) under `algorithm`; returns the scored pod-days.
pub fn replay(
    points: &[UsagePoint],
    algorithm: &dyn Recommender,
    config: &ReplayConfig,
) -> Vec<PodDay> {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Vec::new();
    };
    let interval = Duration::hours(config.recompute_hours);
    let mut ooms: Vec<OomEvent> = Vec::new();
    let mut previous: Option<Requests> = None;
    let mut days = Vec::new();
    let mut k: i32 = 1;
    loop {
        let now = first.at + interval * k;
        if now > last.at {
            break;
        }
        let end = now + interval;
        let seen = points.partition_point(|p| p.at < now);
        let history = History {
            points: &points[..seen],
            ooms: &ooms,
            restarts: u32::try_from(ooms.len()).unwrap_or(u32::MAX),
            now,
        };
        let current = history.current_requests();
        let Some(requests) = algorithm.recommend(&history).or(current) else {
            k += 1;
            continue;
        };
        let upcoming = &points[seen..];
        let upcoming = &upcoming[..upcoming.partition_point(|p| p.at < end)];
        let mut day = score(upcoming, requests);
        if let Some(oom_at) = upcoming
            .iter()
            .find(|p| p.figures.memory_usage.get() > requests.memory_bytes)
            .map(|p| p.at)
        {
            ooms.push(OomEvent {
                at: oom_at,
                memory_request_bytes: requests.memory_bytes,
            });
        }
        if let Some(before) = previous {
            day.changes =
                u32::from(changed(
                    before.cpu_millicores,
                    requests.cpu_millicores,
                    config,
                )) + u32::from(changed(before.memory_bytes, requests.memory_bytes, config));
        }
        previous = Some(requests);
        if i64::from(k) >= config.warmup_intervals && day.samples > 0 {
            days.push(day);
        }
        k += 1;
    }
    days
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
}
