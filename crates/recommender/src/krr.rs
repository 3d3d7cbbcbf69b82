//! A faithful re-implementation of Robusta KRR's `simple` strategy (defaults):
//! CPU = P95 of usage over the last 14 days (Prometheus `quantile_over_time`, linear
//! interpolation), memory = max usage over the same 14 days + 15%; at least 100 data points,
//! else no recommendation; rounded up to 1 m and 1 byte, at least 10 m and 100 MiB.

use chrono::Duration;

use crate::history::{History, Recommender, Requests};
use crate::stats::quantile_interpolated;

const HISTORY_HOURS: i64 = 336;
const CPU_PERCENTILE: f64 = 0.95;
const MEMORY_BUFFER: f64 = 0.15;
const POINTS_REQUIRED: usize = 100;
const MIN_CPU_MILLICORES: f64 = 10.0;
const MIN_MEMORY_BYTES: f64 = 100.0 * 1024.0 * 1024.0;

/// KRR's `simple` strategy.
#[derive(Debug, Clone, Copy, Default)]
pub struct KrrSimple;

impl Recommender for KrrSimple {
    fn name(&self) -> &'static str {
        "krr-simple"
    }

    fn recommend(&self, history: &History<'_>) -> Option<Requests> {
        let since = history.now - Duration::hours(HISTORY_HOURS);
        let recent = history.points.iter().filter(|p| p.at >= since);
        let mut cpu: Vec<f64> = Vec::new();
        let mut memory_max = 0.0_f64;
        for point in recent {
            cpu.push(point.figures.cpu_usage.get() as f64);
            memory_max = memory_max.max(point.figures.memory_usage.get() as f64);
        }
        if cpu.len() < POINTS_REQUIRED {
            return None;
        }
        let cpu = quantile_interpolated(&mut cpu, CPU_PERCENTILE);
        Some(Requests {
            cpu_millicores: cpu.ceil().max(MIN_CPU_MILLICORES) as u64,
            memory_bytes: (memory_max * (1.0 + MEMORY_BUFFER))
                .ceil()
                .max(MIN_MEMORY_BYTES) as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_series::{hours_after_start, spiky};

    #[test]
    fn p95_cpu_and_max_memory_plus_15_percent() {
        // One sample in ten spikes: P95 is the spike, memory is flat at 1 GiB.
        let points = spiky(48, 100, 900, 10, 1 << 30);
        let history = History {
            points: &points,
            ooms: &[],
            restarts: 0,
            now: hours_after_start(48),
        };
        let rec = KrrSimple.recommend(&history).unwrap();
        assert_eq!(rec.cpu_millicores, 900);
        assert_eq!(rec.memory_bytes, ((1u64 << 30) as f64 * 1.15).ceil() as u64);
    }

    #[test]
    fn fewer_than_100_points_is_not_enough_data() {
        let points = spiky(8, 100, 900, 10, 1 << 30);
        let history = History {
            points: &points,
            ooms: &[],
            restarts: 0,
            now: hours_after_start(8),
        };
        assert_eq!(points.len(), 96);
        assert_eq!(KrrSimple.recommend(&history), None);
    }
}
