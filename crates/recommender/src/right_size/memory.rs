//! The memory estimate, built from daily peaks (memory is not compressible: what matters
//! is the highest point of each day, not the typical one).
//!
//! base = the highest daily peak of the window (peaks older than the window but within the
//! learning days count at a discount); margin = the largest "surprise" this workload has
//! shown — how far (in bytes) a day's peak rose above every peak of the days before it —
//! at least `min_margin` and at most `max_margin` of the peak, and at least a cushion in
//! bytes (capped at a multiple of the peak); a rising trend of the daily peaks is
//! extrapolated over the horizon the advice stays in force. Surprises are measured in
//! bytes, not ratios, so that more usage never yields a smaller request.
//!
//! Why a cushion in bytes. OOM-free pod-days count every workload alike, while the money
//! a margin costs grows with the workload's size. A margin proportional to the peak (VPA's
//! and KRR's) pays the most for headroom where it is dearest and protects small workloads
//! least; a fixed number of bytes is the same price everywhere, so the risk budget is spent
//! where it buys the most OOM-free days per byte (the memory side of the CPU estimate's
//! single price of risk).
//!
//! After an OOM kill the usage seen is capped by the limit, so the real need is unknown:
//! the request backs off multiplicatively from the limit it was killed at
//! (`oom_growth`) for as long as the kill is in the window.

use chrono::Duration;

use crate::history::History;

/// Tuning of the memory estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryPolicy {
    /// Days of daily peaks the request must hold.
    pub window_days: usize,
    /// Days of daily peaks the margin is learned from (surprises), at least `window_days`.
    pub learning_days: usize,
    /// Peaks older than the window but within the learning days still count, × this.
    pub older_peak_weight: f64,
    /// A day's surprise is its peak over the highest peak of this many days before it.
    pub surprise_lookback_days: usize,
    /// Margin every workload gets, however stable.
    pub min_margin: f64,
    /// Cap of the learned margin.
    pub max_margin: f64,
    /// Margin every workload gets in bytes, however small: headroom priced in money, not
    /// as a share of the peak.
    pub cushion_bytes: f64,
    /// …but never more than this × the peak.
    pub cushion_max_ratio: f64,
    /// After an OOM kill in the window, at least the memory it was killed at × this: the
    /// kill hid how much more it needed (usage is capped by the limit), so back off
    /// multiplicatively.
    pub oom_growth: f64,
    /// Days a rising trend is extrapolated over.
    pub trend_horizon_days: f64,
}

impl Default for MemoryPolicy {
    /// The balanced profile.
    fn default() -> Self {
        Self {
            window_days: 28,
            learning_days: 28,
            older_peak_weight: 0.0,
            surprise_lookback_days: 7,
            min_margin: 0.1,
            max_margin: 0.2,
            cushion_bytes: 4.0 * GIB,
            cushion_max_ratio: 4.0,
            oom_growth: 2.0,
            trend_horizon_days: 1.0,
        }
    }
}

const GIB: f64 = (1u64 << 30) as f64;

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
    /// The floor set by OOM kills in the window (limit killed at × `oom_growth`), 0 if none.
    pub after_kill: f64,
    /// Highest usage over the memory limit in force, when one is set…
    pub peak_of_limit: Option<f64>,
    /// …and that limit (bytes): a bump is relative to the limit that was pressed, not to
    /// a later one (which would ratchet up at every recompute).
    pub pressed_limit: Option<f64>,
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
    let learning_days = policy.learning_days.max(policy.window_days);
    let all_peaks = daily_peaks(history, learning_days);
    let peaks = &all_peaks[..policy.window_days.min(all_peaks.len())];
    let highest = |days: &[Option<f64>]| days.iter().flatten().fold(0.0_f64, |a, b| a.max(*b));
    let older = all_peaks.get(policy.window_days..).map_or(0.0, highest);
    let peak = highest(peaks).max(policy.older_peak_weight * older);
    let since = history.now - Duration::days(policy.window_days as i64);
    let recent_ooms = history.ooms.iter().filter(|o| o.at >= since).count();
    let surprise = largest_surprise(&all_peaks, policy.surprise_lookback_days);
    let margin_bytes = surprise
        .min(policy.max_margin * peak)
        .max(policy.min_margin * peak)
        .max(policy.cushion_bytes.min(policy.cushion_max_ratio * peak));
    let margin = if peak > 0.0 {
        margin_bytes / peak
    } else {
        policy.min_margin
    };
    let trend_per_day = trend(peaks).max(0.0);
    let pressed = history
        .points
        .iter()
        .filter(|p| p.at >= since)
        .filter_map(|p| {
            let limit = p.figures.memory_limit?.get();
            (limit > 0).then(|| {
                let limit = limit as f64;
                (p.figures.memory_usage.get() as f64 / limit, limit)
            })
        })
        .reduce(|a, b| if (b.0, b.1) > (a.0, a.1) { b } else { a });
    let after_kill = history
        .ooms
        .iter()
        .filter(|o| o.at >= since)
        .map(|o| o.memory_request_bytes as f64 * policy.oom_growth)
        .fold(0.0_f64, f64::max);
    let learned = peak + trend_per_day * policy.trend_horizon_days + margin_bytes;
    MemoryEstimate {
        value: learned.max(after_kill),
        peak,
        margin,
        trend_per_day,
        recent_ooms,
        after_kill,
        peak_of_limit: pressed.map(|(ratio, _)| ratio),
        pressed_limit: pressed.map(|(_, limit)| limit),
    }
}
