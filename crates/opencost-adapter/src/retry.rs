//! How often and how patiently to retry OpenCost: exponential backoff with jitter, as
//! plain data so tests can shrink seconds to milliseconds.

use std::time::Duration;

/// Retry schedule for transient failures (connection errors, timeouts, 5xx).
///
/// Before retry `n` (after `n` failed attempts) the client waits `base·2ⁿ⁻¹` plus up to half
/// of that again at random, never less than `base` nor more than `max`. The default — 3
/// attempts, 1 s, 10 s — waits 1–1.5 s, then 2–3 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included; 0 counts as 1.
    pub attempts: u32,
    pub base: Duration,
    pub max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 3,
            base: Duration::from_secs(1),
            max: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// Attempts in total, at least one.
    pub fn total_attempts(&self) -> u32 {
        self.attempts.max(1)
    }

    /// The wait after `failed_attempts` failures (1-based), given `jitter` in `[0, 1)`.
    /// Random jitter spreads retries of many sources so they do not hit OpenCost together.
    pub fn delay(&self, failed_attempts: u32, jitter: f64) -> Duration {
        let floor = self.base.min(self.max);
        let doublings = failed_attempts.saturating_sub(1).min(31);
        let nominal = self.base.saturating_mul(1 << doublings).min(self.max);
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let spread = nominal.mul_f64(0.5 * jitter);
        nominal.saturating_add(spread).clamp(floor, self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn default_is_three_attempts_between_one_and_ten_seconds() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.total_attempts(), 3);
        assert_eq!(policy.base, secs(1.0));
        assert_eq!(policy.max, secs(10.0));
    }

    #[test]
    fn delays_double_with_up_to_half_again_of_jitter() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(1, 0.0), secs(1.0));
        assert_eq!(policy.delay(1, 0.999), secs(1.4995));
        assert_eq!(policy.delay(2, 0.0), secs(2.0));
        assert_eq!(policy.delay(2, 0.5), secs(2.5));
        assert_eq!(policy.delay(3, 0.0), secs(4.0));
    }

    #[test]
    fn delays_never_exceed_max() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(4, 0.9), secs(10.0));
        assert_eq!(policy.delay(40, 0.9), secs(10.0));
        assert_eq!(policy.delay(u32::MAX, 1.0), secs(10.0));
    }

    #[test]
    fn odd_jitter_and_attempts_are_tamed() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(1, f64::NAN), secs(1.0));
        assert_eq!(policy.delay(1, -3.0), secs(1.0));
        assert_eq!(policy.delay(0, 0.0), secs(1.0));
        let none = RetryPolicy {
            attempts: 0,
            ..policy
        };
        assert_eq!(none.total_attempts(), 1);
    }

    #[test]
    fn base_above_max_waits_max() {
        let policy = RetryPolicy {
            attempts: 3,
            base: secs(5.0),
            max: secs(2.0),
        };
        assert_eq!(policy.delay(1, 0.5), secs(2.0));
    }
}
