//! A faithful re-implementation of Robusta KRR's `simple` strategy (defaults):
//! CPU = P95 of usage over the last 14 days (Prometheus `quantile_over_time`, linear
//! interpolation), memory = max usage over the same 14 days + 15%; at least 100 data points,
//! else no recommendation; rounded up to whole millicores and whole MiB (KRR's
//! `_round_value`), at least 10 m and 100 MiB. The CPU percentile (`--cpu_percentile`) and the
//! memory buffer (`--memory_buffer_percentage`) are parameters so the evaluation can sweep them.

use chrono::Duration;

use crate::history::{History, Recommender, Requests};
use crate::stats::quantile_interpolated;

const HISTORY_HOURS: i64 = 336;
const POINTS_REQUIRED: usize = 100;
const MIB: u64 = 1024 * 1024;
const MIN_CPU_MILLICORES: u64 = 10;
const MIN_MEMORY_BYTES: u64 = 100 * MIB;

/// KRR's `simple` strategy; `Default` is KRR's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KrrSimple {
    /// Quantile of CPU usage recommended (0.95).
    pub cpu_percentile: f64,
    /// Fraction added to the highest memory usage (0.15).
    pub memory_buffer: f64,
}

impl Default for KrrSimple {
    fn default() -> Self {
        Self {
            cpu_percentile: 0.95,
            memory_buffer: 0.15,
        }
    }
}

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
        let cpu = quantile_interpolated(&mut cpu, self.cpu_percentile);
        let memory = memory_max * (1.0 + self.memory_buffer);
        Some(Requests {
            cpu_millicores: (cpu.ceil() as u64).max(MIN_CPU_MILLICORES),
            memory_bytes: whole_mib_up(memory).max(MIN_MEMORY_BYTES),
        })
    }
}

/// Bytes rounded up to a whole MiB.
fn whole_mib_up(bytes: f64) -> u64 {
    (bytes / MIB as f64).ceil() as u64 * MIB
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
        let rec = KrrSimple::default().recommend(&history).unwrap();
        assert_eq!(rec.cpu_millicores, 900);
        // 1.15 GiB = 1177.6 MiB, rounded up to 1178 MiB.
        assert_eq!(rec.memory_bytes, 1178 * MIB);
        let tuned = KrrSimple {
            cpu_percentile: 0.5,
            memory_buffer: 0.5,
        };
        let rec = tuned.recommend(&history).unwrap();
        assert_eq!(rec.cpu_millicores, 100);
        assert_eq!(rec.memory_bytes, 1536 * MIB);
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
        assert_eq!(KrrSimple::default().recommend(&history), None);
    }
}
