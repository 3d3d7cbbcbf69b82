//! The memory estimate, built from daily peaks (memory is not compressible: what matters
//! is the highest point of each day, not the typical one).
//!
//! base = the highest daily peak of the window; margin = the largest "surprise" this
//! workload has shown — how far (in bytes) a day's peak rose above every peak of the days
//! before it — at least `min_margin` and at most `max_margin` of the peak, plus a step for
//! every OOM kill in the window; a rising trend of the daily peaks is extrapolated over the
//! horizon the advice will stay in force. Surprises are measured in bytes, not ratios, so
//! that more usage never yields a smaller request.
//!
//! Then a share of the gap between that estimate and the current request is kept. The
//! current request is the owner's prior: what they provisioned for. History cannot foresee
//! a first-ever jump (a batch run, a cache warm-up after weeks of calm), and on real traces
//! those jumps go towards the provisioned size; keeping part of the unexplained gap is what
//! turns "few OOM kills" into "almost none". Applied advice becomes the next current
//! request, so repeated advice closes the gap step by step instead of all at once.

use chrono::Duration;

use crate::history::History;

/// Tuning of the memory estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryPolicy {
    /// Days of daily peaks considered.
    pub window_days: usize,
    /// A day's surprise is its peak over the highest peak of this many days before it.
    pub surprise_lookback_days: usize,
    /// Margin every workload gets, however stable.
    pub min_margin: f64,
    /// Cap of the learned margin.
    pub max_margin: f64,
    /// Extra margin per OOM kill in the window.
    pub margin_per_oom: f64,
    /// Days a rising trend is extrapolated over.
    pub trend_horizon_days: f64,
    /// Share of the gap between the estimate and a larger current request that is kept.
    pub gap_retention: f64,
}

impl Default for MemoryPolicy {
    fn default() -> Self {
        Self {
            window_days: 14,
            surprise_lookback_days: 7,
            min_margin: 0.1,
            max_margin: 0.5,
            margin_per_oom: 0.1,
            trend_horizon_days: 1.0,
            gap_retention: 0.4,
        }
    }
}

/// The memory estimate and what it came from, in bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryEstimate {
    pub value: f64,
    pub peak: f64,
    /// The margin as a fraction of the peak.
    pub margin: f64,
    /// Growth of daily peaks per day (bytes), when rising.
    pub trend_per_day: f64,
    pub recent_ooms: usize,
    /// Bytes kept of the gap up to the current request (0 when the estimate reaches it).
    pub retained_gap: f64,
    /// Highest usage over the memory limit in force, when one is set.
    pub peak_of_limit: Option<f64>,
}

/// Daily peaks, index 0 = the 24 h before `now`; `None` for days without samples.
fn daily_peaks(history: &History<'_>, days: usize) -> Vec<Option<f64>> {
    let mut peaks = vec![None; days];
    for point in history.points {
        let age = (history.now - point.at).num_seconds();
        let day = usize::try_from(age / 86_400).unwrap_or(usize::MAX);
        if let Some(slot) = peaks.get_mut(day) {
            let usage = point.figures.memory_usage.get() as f64;
            *slot = Some(slot.map_or(usage, |p: f64| p.max(usage)));
        }
    }
    peaks
}

/// The largest excess (bytes) of a day's peak over the highest of the days before it.
fn largest_surprise(peaks: &[Option<f64>], lookback: usize) -> f64 {
    let mut largest = 0.0_f64;
    for (day, peak) in peaks.iter().enumerate() {
        let Some(peak) = peak else { continue };
        let before = peaks
            .iter()
            .skip(day + 1)
            .take(lookback)
            .flatten()
            .fold(0.0_f64, |a, b| a.max(*b));
        if before > 0.0 {
            largest = largest.max(peak - before);
        }
    }
    largest
}

/// Least-squares slope of the daily peaks (bytes per day), oldest to newest.
fn trend(peaks: &[Option<f64>]) -> f64 {
    let points: Vec<(f64, f64)> = peaks
        .iter()
        .enumerate()
        .filter_map(|(day, peak)| peak.map(|p| (-(day as f64), p)))
        .collect();
    if points.len() < 4 {
        return 0.0;
    }
    let n = points.len() as f64;
    let mean_x = points.iter().map(|(x, _)| x).sum::<f64>() / n;
    let mean_y = points.iter().map(|(_, y)| y).sum::<f64>() / n;
    let covariance: f64 = points
        .iter()
        .map(|(x, y)| (x - mean_x) * (y - mean_y))
        .sum();
    let variance: f64 = points.iter().map(|(x, _)| (x - mean_x).powi(2)).sum();
    if variance > 0.0 {
        covariance / variance
    } else {
        0.0
    }
}

pub fn estimate(history: &History<'_>, policy: &MemoryPolicy) -> MemoryEstimate {
    let peaks = daily_peaks(history, policy.window_days);
    let peak = peaks.iter().flatten().fold(0.0_f64, |a, b| a.max(*b));
    let since = history.now - Duration::days(policy.window_days as i64);
    let recent_ooms = history.ooms.iter().filter(|o| o.at >= since).count();
    let surprise = largest_surprise(&peaks, policy.surprise_lookback_days);
    let margin_bytes = surprise
        .min(policy.max_margin * peak)
        .max(policy.min_margin * peak)
        + recent_ooms as f64 * policy.margin_per_oom * peak;
    let margin = if peak > 0.0 {
        margin_bytes / peak
    } else {
        policy.min_margin
    };
    let trend_per_day = trend(&peaks).max(0.0);
    let peak_of_limit = history
        .points
        .iter()
        .filter(|p| p.at >= since)
        .filter_map(|p| {
            let limit = p.figures.memory_limit?.get();
            (limit > 0).then(|| p.figures.memory_usage.get() as f64 / limit as f64)
        })
        .reduce(f64::max);
    let learned = peak + trend_per_day * policy.trend_horizon_days + margin_bytes;
    let current = history
        .current_requests()
        .map_or(0.0, |r| r.memory_bytes as f64);
    let retained_gap = policy.gap_retention * (current - learned).max(0.0);
    MemoryEstimate {
        value: learned + retained_gap,
        peak,
        margin,
        trend_per_day,
        recent_ooms,
        retained_gap,
        peak_of_limit,
    }
}
