//! The metrics over scored pod-days:
//! M1 slack fraction Σ max(R − u, 0)·Δt / Σ R·Δt (pooled and median per pod-day; CPU,
//! memory, and cost-weighted with the default rates), M2 CPU risk (fraction of samples
//! above the recommended CPU), M3 memory risk (OOM-proxy events per pod-day and the share
//! of OOM-free pod-days), M4 stability (changes > 10% per pod-day, median and p99).

use kcost_domain::pricing::ResourceRates;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use super::replay::PodDay;
use crate::stats::quantile_interpolated;

/// One algorithm's scores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Metrics {
    pub pod_days: usize,
    pub slack_cpu_pooled: f64,
    pub slack_memory_pooled: f64,
    pub slack_cost_pooled: f64,
    pub slack_cpu_median_pod_day: f64,
    pub slack_memory_median_pod_day: f64,
    pub slack_cost_median_pod_day: f64,
    pub cpu_risk: f64,
    pub oom_events_per_pod_day: f64,
    pub oom_free_pod_days_percent: f64,
    pub changes_per_pod_day_median: f64,
    pub changes_per_pod_day_p99: f64,
    /// Cost of the recommended requests over cost of the original ones (lower saves more).
    pub cost_vs_original_requests: f64,
}

/// Rates as `f64` per millicore-second and per byte-second.
pub(super) struct Weights {
    pub(super) cpu: f64,
    pub(super) memory: f64,
}

impl Weights {
    pub(super) fn from(rates: &ResourceRates) -> Self {
        let cpu = rates.cpu_core_hourly.to_f64().unwrap_or(0.0);
        let memory = rates.ram_gib_hourly.to_f64().unwrap_or(0.0);
        Self {
            cpu: cpu / 1000.0 / 3600.0,
            memory: memory / (1u64 << 30) as f64 / 3600.0,
        }
    }

    fn cost(&self, cpu_millicore_seconds: f64, memory_byte_seconds: f64) -> f64 {
        cpu_millicore_seconds * self.cpu + memory_byte_seconds * self.memory
    }
}

fn ratio(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

/// Aggregates pod-days of every series; `rates` weight the cost-weighted slack.
pub fn summarize(days: &[PodDay], rates: &ResourceRates) -> Metrics {
    let w = Weights::from(rates);
    let sum = |f: fn(&PodDay) -> f64| days.iter().map(f).sum::<f64>();
    let cpu_request = sum(|d| d.cpu_request);
    let cpu_slack = sum(|d| d.cpu_slack);
    let memory_request = sum(|d| d.memory_request);
    let memory_slack = sum(|d| d.memory_slack);
    let samples: u64 = days.iter().map(|d| d.samples).sum();
    let cpu_over: u64 = days.iter().map(|d| d.cpu_over).sum();
    let ooms = days.iter().filter(|d| d.oom).count();
    let median = |f: &dyn Fn(&PodDay) -> f64| {
        let mut values: Vec<f64> = days.iter().map(f).collect();
        quantile_interpolated(&mut values, 0.5)
    };
    let mut changes: Vec<f64> = days.iter().map(|d| f64::from(d.changes)).collect();
    let pod_days = days.len();
    Metrics {
        pod_days,
        slack_cpu_pooled: ratio(cpu_slack, cpu_request),
        slack_memory_pooled: ratio(memory_slack, memory_request),
        slack_cost_pooled: ratio(
            w.cost(cpu_slack, memory_slack),
            w.cost(cpu_request, memory_request),
        ),
        slack_cpu_median_pod_day: median(&|d| ratio(d.cpu_slack, d.cpu_request)),
        slack_memory_median_pod_day: median(&|d| ratio(d.memory_slack, d.memory_request)),
        slack_cost_median_pod_day: median(&|d| {
            ratio(
                w.cost(d.cpu_slack, d.memory_slack),
                w.cost(d.cpu_request, d.memory_request),
            )
        }),
        cpu_risk: ratio(cpu_over as f64, samples as f64),
        oom_events_per_pod_day: ratio(ooms as f64, pod_days as f64),
        oom_free_pod_days_percent: 100.0 * ratio((pod_days - ooms) as f64, pod_days as f64),
        changes_per_pod_day_median: quantile_interpolated(&mut changes, 0.5),
        changes_per_pod_day_p99: quantile_interpolated(&mut changes, 0.99),
        cost_vs_original_requests: ratio(
            w.cost(cpu_request, memory_request),
            w.cost(
                sum(|d| d.original_cpu_request),
                sum(|d| d.original_memory_request),
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(cpu_slack: f64, memory_slack: f64, oom: bool, changes: u32) -> PodDay {
        PodDay {
            samples: 10,
            seconds: 3000.0,
            cpu_request: 1000.0,
            cpu_slack,
            memory_request: 1000.0,
            memory_slack,
            cpu_over: 1,
            oom,
            changes,
            original_cpu_request: 2000.0,
            original_memory_request: 2000.0,
        }
    }

    #[test]
    fn pooled_median_risk_and_stability() {
        let days = [day(500.0, 100.0, false, 0), day(100.0, 900.0, true, 2)];
        let m = summarize(&days, &ResourceRates::opencost_defaults());
        assert_eq!(m.pod_days, 2);
        assert!((m.slack_cpu_pooled - 0.3).abs() < 1e-12);
        assert!((m.slack_memory_pooled - 0.5).abs() < 1e-12);
        assert!((m.slack_cpu_median_pod_day - 0.3).abs() < 1e-12);
        assert!((m.cpu_risk - 0.1).abs() < 1e-12);
        assert!((m.oom_free_pod_days_percent - 50.0).abs() < 1e-12);
        assert!((m.oom_events_per_pod_day - 0.5).abs() < 1e-12);
        assert!((m.changes_per_pod_day_p99 - 1.98).abs() < 1e-12);
        assert!((m.cost_vs_original_requests - 0.5).abs() < 1e-12);
        // Cost weighting leans on CPU: a millicore-second costs far more than a byte-second.
        assert!((m.slack_cost_pooled - 0.3).abs() < 0.01);
    }

    #[test]
    fn no_days_is_all_zeros() {
        let m = summarize(&[], &ResourceRates::opencost_defaults());
        assert_eq!(m.pod_days, 0);
        assert_eq!(m.slack_cost_pooled, 0.0);
    }
}
