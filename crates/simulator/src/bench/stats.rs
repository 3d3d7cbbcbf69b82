//! Latency percentiles (nearest rank) over a set of timings.

use std::time::Duration;

/// p50, p95 and p99 of a run, and how many timings they come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Percentiles {
    pub count: usize,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
}

impl Percentiles {
    /// `None` for an empty run.
    pub fn of(timings: &[Duration]) -> Option<Self> {
        if timings.is_empty() {
            return None;
        }
        let mut sorted = timings.to_vec();
        sorted.sort_unstable();
        let rank = |p: f64| {
            let index = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
            sorted[index]
        };
        Some(Self {
            count: sorted.len(),
            p50: rank(0.50),
            p95: rank(0.95),
            p99: rank(0.99),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let timings: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let p = Percentiles::of(&timings).unwrap();
        assert_eq!(
            (p.count, p.p50, p.p95, p.p99),
            (
                100,
                Duration::from_millis(50),
                Duration::from_millis(95),
                Duration::from_millis(99)
            )
        );
        let one = Percentiles::of(&[Duration::from_millis(7)]).unwrap();
        assert_eq!(one.p99, Duration::from_millis(7));
        assert!(Percentiles::of(&[]).is_none());
    }
}
