//! The CPU estimate. Each workload gets the request that minimises
//! idle request + `overrun_price` × time above the request, over its recent usage (recent
//! samples weigh more), kept between two quantiles. One price of risk for every workload
//! spends a risk budget where it buys the most: a flat workload is covered almost to its
//! maximum because that costs little, a spiky one is covered to where its bursts make
//! covering them expensive (CPU is compressible: a burst above request borrows idle
//! cycles). The same choice over the last day alone is a floor, so a rising load is
//! followed within one recompute while a fading one is let go of gradually.

use chrono::Duration;

use crate::history::History;
use crate::stats::weighted_quantile;

/// Tuning of the CPU estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpuPolicy {
    /// Samples older than this are ignored.
    pub window_hours: i64,
    /// Weight halves every this many hours of age.
    pub half_life_hours: f64,
    /// Millicores of idle request worth paying to avoid one sample-time above the request.
    pub overrun_price: f64,
    /// The request covers at least this quantile of usage…
    pub min_quantile: f64,
    /// …and at most this one.
    pub max_quantile: f64,
    /// The quantile of the last `recent_hours` alone is a floor.
    pub recent_hours: i64,
}

impl Default for CpuPolicy {
    fn default() -> Self {
        Self {
            window_hours: 7 * 24,
            half_life_hours: 72.0,
            overrun_price: 2000.0,
            min_quantile: 0.8,
            max_quantile: 0.99,
            recent_hours: 24,
        }
    }
}

/// The CPU estimate and what it came from, in millicores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpuEstimate {
    pub value: f64,
    /// The choice over the whole window and over the last day.
    pub window_choice: f64,
    pub recent_choice: f64,
    /// Share of usage (recency-weighted) the chosen request covers.
    pub covered_share: f64,
    /// Samples at or above 90% of a CPU limit (throttled: true demand is unknown).
    pub at_limit_fraction: f64,
}

pub fn estimate(history: &History<'_>, policy: &CpuPolicy) -> CpuEstimate {
    let since = history.now - Duration::hours(policy.window_hours);
    let recent_since = history.now - Duration::hours(policy.recent_hours);
    let mut all = Vec::new();
    let mut recent = Vec::new();
    let mut at_limit = 0usize;
    for point in history.points.iter().filter(|p| p.at >= since) {
        let usage = point.figures.cpu_usage.get() as f64;
        let weight = (-history.age_hours(point) / policy.half_life_hours).exp2()
            * f64::from(point.seconds.max(1));
        all.push((usage, weight));
        if point.at >= recent_since {
            recent.push((usage, f64::from(point.seconds.max(1))));
        }
        if let Some(limit) = point.figures.cpu_limit
            && limit.get() > 0
            && usage >= 0.9 * limit.get() as f64
        {
            at_limit += 1;
        }
    }
    let samples = all.len().max(1) as f64;
    let (window_choice, window_share) = priced_request(&mut all, policy);
    let (recent_choice, recent_share) = priced_request(&mut recent, policy);
    let (value, covered_share) = if recent_choice > window_choice {
        (recent_choice, recent_share)
    } else {
        (window_choice, window_share)
    };
    CpuEstimate {
        value,
        window_choice,
        recent_choice,
        covered_share,
        at_limit_fraction: at_limit as f64 / samples,
    }
}

/// The request minimising Σ w·(R − u)⁺ + price · Σ w·[u > R] over the observed usage
/// values, clamped to the policy's quantiles; with the weighted share of samples it covers.
fn priced_request(samples: &mut [(f64, f64)], policy: &CpuPolicy) -> (f64, f64) {
    let low = weighted_quantile(samples, policy.min_quantile);
    let high = weighted_quantile(samples, policy.max_quantile);
    // `weighted_quantile` sorted the samples by usage.
    let total: f64 = samples.iter().map(|(_, w)| w).sum();
    if total <= 0.0 {
        return (0.0, 1.0);
    }
    let mut best = (high, f64::INFINITY, 1.0);
    let (mut weight_below, mut usage_below) = (0.0, 0.0);
    for (i, (usage, weight)) in samples.iter().enumerate() {
        weight_below += weight;
        usage_below += weight * usage;
        // Evaluate each distinct value once, at its last occurrence.
        if samples.get(i + 1).is_some_and(|(next, _)| next == usage) {
            continue;
        }
        if *usage < low || *usage > high {
            continue;
        }
        let idle = usage * weight_below - usage_below;
        let overrun = policy.overrun_price * (total - weight_below);
        if idle + overrun < best.1 {
            best = (*usage, idle + overrun, weight_below / total);
        }
    }
    (best.0, best.2)
}
