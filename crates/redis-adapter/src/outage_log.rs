//! [`OutageLog`]: logs a Redis outage without flooding the log. While Redis is down every
//! request fails over to the database, hundreds per second; one warning per
//! [`WARNING_INTERVAL`] says so (with how many were held back), and one info line says
//! when Redis answers again.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// At most one outage warning per this interval.
pub const WARNING_INTERVAL: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
struct State {
    /// When the last warning was written; `None`: Redis is healthy.
    last_warning: Option<Instant>,
    /// Failures since the last warning, not logged one by one.
    held_back: u64,
}

/// Rate-limited outage and recovery logging for one Redis client.
#[derive(Debug)]
pub struct OutageLog {
    what: &'static str,
    interval: Duration,
    /// Mirrors `state.last_warning.is_some()`, so the healthy path takes no lock.
    down: AtomicBool,
    state: Mutex<State>,
}

impl OutageLog {
    /// `what` names the client in log lines (`"cache"`, `"invalidation bus"`).
    pub fn new(what: &'static str) -> Self {
        Self::with_interval(what, WARNING_INTERVAL)
    }

    pub fn with_interval(what: &'static str, interval: Duration) -> Self {
        Self {
            what,
            interval,
            down: AtomicBool::new(false),
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // Two plain fields: a panic elsewhere cannot leave them inconsistent.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records a failed command; returns whether a warning was written.
    pub fn failure(&self, error: &dyn std::fmt::Display) -> bool {
        let now = Instant::now();
        let mut state = self.state();
        let due = state
            .last_warning
            .is_none_or(|last| now.duration_since(last) >= self.interval);
        if !due {
            state.held_back += 1;
            return false;
        }
        let held_back = std::mem::take(&mut state.held_back);
        state.last_warning = Some(now);
        self.down.store(true, Ordering::Relaxed);
        drop(state);
        tracing::warn!(
            client = self.what,
            %error,
            similar_failures_not_logged = held_back,
            "Redis unavailable; serving from the database and reconnecting in the background"
        );
        true
    }

    /// Records a successful command; logs the recovery once after an outage.
    pub fn success(&self) {
        if !self.down.load(Ordering::Relaxed) {
            return;
        }
        let mut state = self.state();
        self.down.store(false, Ordering::Relaxed);
        if state.last_warning.take().is_some() {
            let held_back = std::mem::take(&mut state.held_back);
            drop(state);
            tracing::info!(
                client = self.what,
                similar_failures_not_logged = held_back,
                "Redis reachable again"
            );
        }
    }

    /// Whether the last command failed and none succeeded since.
    #[cfg(test)]
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_warning_per_interval_and_recovery_resets() {
        let log = OutageLog::with_interval("cache", Duration::from_millis(200));
        assert!(log.failure(&"refused"));
        assert!(!log.failure(&"refused"));
        assert!(!log.failure(&"refused"));
        assert!(log.is_down());
        std::thread::sleep(Duration::from_millis(250));
        assert!(log.failure(&"refused"), "the next interval warns again");
        log.success();
        assert!(!log.is_down());
        assert!(log.failure(&"refused"), "a new outage warns at once");
    }
}
