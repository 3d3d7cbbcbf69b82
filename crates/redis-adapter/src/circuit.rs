//! [`Circuit`]: a circuit breaker in front of Redis. A frozen Redis (connections open,
//! no answers) costs every command the full command timeout; after [`OPEN_AFTER`]
//! failures in a row the circuit opens and commands are skipped at once (the callers fall
//! back to the database), while one background probe pings Redis every
//! [`PROBE_INTERVAL`] and closes the circuit when it answers.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

/// Failures (timeouts, lost connections) in a row that open the circuit.
pub const OPEN_AFTER: u32 = 3;
/// Time between pings while the circuit is open.
pub const PROBE_INTERVAL: Duration = Duration::from_secs(1);

/// The breaker's state; shared by the clones of one cache.
#[derive(Debug, Default)]
pub(crate) struct Circuit {
    failures_in_a_row: AtomicU32,
    open: AtomicBool,
}

impl Circuit {
    /// Whether commands are skipped.
    pub fn is_open(&self) -> bool {
        self.open.load(Ordering::Acquire)
    }

    /// Counts a failure; `true` when it is the one that opened the circuit (the caller
    /// then starts the probe, so there is only ever one).
    pub fn failure(&self) -> bool {
        let failures = self.failures_in_a_row.fetch_add(1, Ordering::AcqRel) + 1;
        failures >= OPEN_AFTER && !self.open.swap(true, Ordering::AcqRel)
    }

    /// Redis answered: the count starts again and the circuit closes.
    pub fn success(&self) {
        self.failures_in_a_row.store(0, Ordering::Release);
        self.open.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_opens_after_failures_in_a_row_once_and_closes_on_success() {
        let circuit = Circuit::default();
        assert!(!circuit.failure());
        circuit.success();
        for _ in 1..OPEN_AFTER {
            assert!(!circuit.failure());
            assert!(!circuit.is_open());
        }
        assert!(circuit.failure(), "the third failure in a row opens it");
        assert!(circuit.is_open());
        assert!(!circuit.failure(), "already open: no second probe");
        circuit.success();
        assert!(!circuit.is_open());
        assert!(!circuit.failure(), "counting starts again");
    }
}
