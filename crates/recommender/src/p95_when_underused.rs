//! The rule of the server kcost replaces, for comparison: over the lookback (24 h, its
//! default), if average CPU usage is below 50% of the average request, recommend P95 + 20%;
//! otherwise keep the request. CPU only: memory keeps its request.

use chrono::Duration;

use crate::history::{History, Recommender, Requests};
use crate::stats::quantile_interpolated;

const LOOKBACK_HOURS: i64 = 24;

/// "P95 + 20% if average utilisation < 50%": the rule of the cost API kcost replaces.
#[derive(Debug, Clone, Copy, Default)]
pub struct P95WhenUnderused;

impl Recommender for P95WhenUnderused {
    fn name(&self) -> &'static str {
        "p95-when-underused"
    }

    fn recommend(&self, history: &History<'_>) -> Option<Requests> {
        let current = history.current_requests()?;
        let since = history.now - Duration::hours(LOOKBACK_HOURS);
        let recent: Vec<_> = history.points.iter().filter(|p| p.at >= since).collect();
        if recent.is_empty() {
            return None;
        }
        let usage_sum: f64 = recent
            .iter()
            .map(|p| p.figures.cpu_usage.get() as f64)
            .sum();
        let request_sum: f64 = recent
            .iter()
            .map(|p| p.figures.cpu_request.get() as f64)
            .sum();
        if request_sum <= 0.0 || usage_sum / request_sum >= 0.5 {
            return Some(current);
        }
        let mut cpu: Vec<f64> = recent
            .iter()
            .map(|p| p.figures.cpu_usage.get() as f64)
            .collect();
        let p95 = quantile_interpolated(&mut cpu, 0.95);
        Some(Requests {
            cpu_millicores: (p95 * 1.2).ceil() as u64,
            ..current
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_series::{CPU_REQUEST, MEMORY_REQUEST, flat, hours_after_start};

    #[test]
    fn underused_cpu_gets_p95_plus_20_percent_and_memory_is_untouched() {
        let points = flat(30, 100, 1 << 20);
        let history = History {
            points: &points,
            ooms: &[],
            restarts: 0,
            now: hours_after_start(30),
        };
        let rec = P95WhenUnderused.recommend(&history).unwrap();
        assert_eq!(rec.cpu_millicores, 120);
        assert_eq!(rec.memory_bytes, MEMORY_REQUEST);
    }

    #[test]
    fn busy_cpu_keeps_its_request() {
        let points = flat(30, 600, 1 << 20);
        let history = History {
            points: &points,
            ooms: &[],
            restarts: 0,
            now: hours_after_start(30),
        };
        assert_eq!(
            P95WhenUnderused.recommend(&history).unwrap().cpu_millicores,
            CPU_REQUEST
        );
    }
}
