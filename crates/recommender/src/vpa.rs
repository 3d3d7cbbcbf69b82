//! A faithful re-implementation of the Kubernetes Vertical Pod Autoscaler's *target*
//! recommendation (recommender defaults, autoscaler 1.x):
//!
//! - CPU: every usage sample goes into a decaying histogram (half-life 24 h, 5% buckets)
//!   weighted by the CPU request (at least 0.1 core); target = P90.
//! - Memory: one peak per 24-hour aggregation window (windows start at the first sample),
//!   timestamped at the window's end, weight 1, same decay; target = P90 of the peaks.
//! - An OOM kill adds a peak of max(used + 100 MiB, used × 1.2), where used is the larger of
//!   the request and the window's usage peak.
//! - Both targets get a 15% safety margin, then the pod minimums (25 m, 250 MiB).
//! - Amounts are whole millicores and bytes, truncated as VPA's `resourceAmountFromFloat`
//!   does: the percentile is truncated, the margin (base × fraction) is truncated and added.
//!
//! The target percentile (`--target-cpu-percentile`, `--target-memory-percentile`, one knob
//! here for both) and the margin (`--recommendation-margin-fraction`) are parameters so the
//! evaluation can sweep them.
//!
//! Used by the evaluation as the baseline to beat; kcost's own advice comes from
//! [`crate::right_size`].

use chrono::{DateTime, Duration, Utc};

use crate::histogram::{BucketLayout, DecayingHistogram};
use crate::history::{History, Recommender, Requests};

const HALF_LIFE_HOURS: f64 = 24.0;
const MIN_CPU_MILLICORES: u64 = 25;
const MIN_MEMORY_BYTES: u64 = 250 * 1024 * 1024;
const MIN_CPU_SAMPLE_WEIGHT_MILLICORES: f64 = 100.0;
const OOM_MIN_BUMP_BYTES: f64 = 100.0 * 1024.0 * 1024.0;
const OOM_BUMP_RATIO: f64 = 1.2;

/// VPA's target recommender; `Default` is VPA's default flags.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VpaTarget {
    /// Percentile of the CPU and memory histograms the target is based on (0.9).
    pub target_percentile: f64,
    /// Fraction added on top of the percentile (0.15).
    pub safety_margin: f64,
}

impl Default for VpaTarget {
    fn default() -> Self {
        Self {
            target_percentile: 0.9,
            safety_margin: 0.15,
        }
    }
}

impl VpaTarget {
    /// VPA's margin estimator on a whole amount: base + ⌊base × margin⌋, then the minimum.
    fn with_margin(&self, base: u64, minimum: u64) -> u64 {
        (base + truncate(base as f64 * self.safety_margin)).max(minimum)
    }
}

/// VPA's `resourceAmountFromFloat`: negative → 0, otherwise truncated to a whole amount.
fn truncate(amount: f64) -> u64 {
    amount.max(0.0) as u64
}

impl Recommender for VpaTarget {
    fn name(&self) -> &'static str {
        "vpa"
    }

    fn recommend(&self, history: &History<'_>) -> Option<Requests> {
        if history.points.is_empty() {
            return None;
        }
        let cpu = truncate(cpu_histogram(history).percentile(self.target_percentile));
        let memory = truncate(memory_histogram(history).percentile(self.target_percentile));
        Some(Requests {
            cpu_millicores: self.with_margin(cpu, MIN_CPU_MILLICORES),
            memory_bytes: self.with_margin(memory, MIN_MEMORY_BYTES),
        })
    }
}

fn cpu_histogram(history: &History<'_>) -> DecayingHistogram {
    let mut histogram = DecayingHistogram::new(BucketLayout::cpu_millicores(), HALF_LIFE_HOURS);
    for point in history.points {
        let weight = (point.figures.cpu_request.get() as f64).max(MIN_CPU_SAMPLE_WEIGHT_MILLICORES);
        histogram.add(
            point.figures.cpu_usage.get() as f64,
            weight / 1000.0,
            history.age_hours(point),
        );
    }
    histogram
}

/// The 24-hour peak aggregation of VPA's `ContainerState`.
struct PeakWindows {
    histogram: DecayingHistogram,
    now: DateTime<Utc>,
    window_end: Option<DateTime<Utc>>,
    usage_peak: f64,
    oom_peak: f64,
}

impl PeakWindows {
    fn age(&self, at: DateTime<Utc>) -> f64 {
        (self.now - at).num_seconds() as f64 / 3600.0
    }

    fn add(&mut self, at: DateTime<Utc>, usage: f64, is_oom: bool) {
        let interval = Duration::hours(24);
        let end = *self.window_end.get_or_insert(at);
        let mut add_new_peak = false;
        if at < end {
            let old = self.usage_peak.max(self.oom_peak);
            if old != 0.0 && usage > old {
                self.histogram.subtract(old, 1.0, self.age(end));
                add_new_peak = true;
            }
        } else {
            let elapsed = at - end;
            let whole = elapsed.num_seconds() / interval.num_seconds();
            let new_end = end + interval * (whole as i32 + 1);
            self.window_end = Some(new_end);
            self.usage_peak = 0.0;
            self.oom_peak = 0.0;
            add_new_peak = true;
        }
        if add_new_peak {
            let end = self.window_end.unwrap_or(at);
            self.histogram.add(usage, 1.0, self.age(end));
            if is_oom {
                self.oom_peak = usage;
            } else {
                self.usage_peak = usage;
            }
        }
    }
}

fn memory_histogram(history: &History<'_>) -> DecayingHistogram {
    let mut windows = PeakWindows {
        histogram: DecayingHistogram::new(BucketLayout::memory_bytes(), HALF_LIFE_HOURS),
        now: history.now,
        window_end: None,
        usage_peak: 0.0,
        oom_peak: 0.0,
    };
    let mut ooms = history.ooms.iter().peekable();
    for point in history.points {
        while let Some(oom) = ooms.next_if(|oom| oom.at <= point.at) {
            let used = (oom.memory_request_bytes as f64).max(windows.usage_peak);
            let needed = (used + OOM_MIN_BUMP_BYTES).max(used * OOM_BUMP_RATIO);
            windows.add(oom.at, needed, true);
        }
        windows.add(point.at, point.figures.memory_usage.get() as f64, false);
    }
    for oom in ooms {
        let used = (oom.memory_request_bytes as f64).max(windows.usage_peak);
        let needed = (used + OOM_MIN_BUMP_BYTES).max(used * OOM_BUMP_RATIO);
        windows.add(oom.at, needed, true);
    }
    windows.histogram
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_series::{flat, hours_after_start};

    #[test]
    fn flat_usage_gets_p90_plus_15_percent_at_bucket_resolution() {
        let points = flat(24 * 8, 200, 512 << 20);
        let history = History {
            points: &points,
            ooms: &[],
            restarts: 0,
            now: hours_after_start(24 * 8),
        };
        let rec = VpaTarget::default().recommend(&history).unwrap();
        // 200 m lands in a bucket ending at most 1.05 × 200 + 10 m; its end × 1.15.
        assert!(
            rec.cpu_millicores >= 230 && rec.cpu_millicores <= 253,
            "{rec:?}"
        );
        let mem = rec.memory_bytes as f64 / (512u64 << 20) as f64;
        assert!((1.15..1.21).contains(&mem), "{mem}");
    }

    #[test]
    fn tiny_usage_gets_the_minimums_and_an_oom_bumps_memory() {
        let points = flat(48, 1, 1 << 20);
        let now = hours_after_start(48);
        let history = History {
            points: &points,
            ooms: &[],
            restarts: 0,
            now,
        };
        let rec = VpaTarget::default().recommend(&history).unwrap();
        assert_eq!(rec.cpu_millicores, 25);
        assert_eq!(rec.memory_bytes, 250 << 20);
        let ooms = [crate::history::OomEvent {
            at: hours_after_start(47),
            memory_request_bytes: 1 << 30,
        }];
        let bumped = VpaTarget::default()
            .recommend(&History {
                ooms: &ooms,
                ..history
            })
            .unwrap();
        assert!(bumped.memory_bytes > (1u64 << 30), "{bumped:?}");
    }

    #[test]
    fn amounts_are_truncated_before_and_after_the_margin() {
        let vpa = VpaTarget::default();
        // 20.5 m → 20 m; 20 × 0.15 = 3 → 23 m, below the 25 m minimum.
        assert_eq!(vpa.with_margin(truncate(20.5), 25), 25);
        // 1001.9 m → 1001 m; ⌊1001 × 0.15⌋ = 150 → 1151 m (rounding up would give 1152).
        assert_eq!(vpa.with_margin(truncate(1001.9), 25), 1151);
        let no_margin = VpaTarget {
            safety_margin: 0.0,
            ..vpa
        };
        assert_eq!(no_margin.with_margin(truncate(7_340_032.99), 0), 7_340_032);
    }

    #[test]
    fn a_higher_percentile_or_margin_never_recommends_less() {
        let points = crate::test_series::diurnal(24 * 8, 50, 900, 1 << 30);
        let history = History {
            points: &points,
            ooms: &[],
            restarts: 0,
            now: hours_after_start(24 * 8),
        };
        let at = |target_percentile, safety_margin| {
            VpaTarget {
                target_percentile,
                safety_margin,
            }
            .recommend(&history)
            .unwrap()
        };
        let (low, high, wide) = (at(0.8, 0.0), at(0.95, 0.0), at(0.8, 0.3));
        assert!(high.cpu_millicores > low.cpu_millicores);
        assert!(wide.cpu_millicores > low.cpu_millicores);
        assert!(wide.memory_bytes > low.memory_bytes && high.memory_bytes >= low.memory_bytes);
    }
}
