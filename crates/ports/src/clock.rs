//! Clock port: use cases ask it for the time so tests can fix it.

use chrono::{DateTime, Utc};

/// The current time.
///
/// Contract: infallible; successive calls never go backwards by more than the system
/// clock does.
#[cfg_attr(feature = "mocks", mockall::automock)]
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The system's UTC clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
