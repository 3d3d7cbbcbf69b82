//! What every algorithm sees: a resource history (usage with the requests in force), the
//! OOM kills observed so far, and the instant of the recommendation. Internally numbers are
//! `f64` millicores and bytes: these are statistics, not money.

use chrono::{DateTime, Utc};
use kcost_domain::costs::UsagePoint;

/// Requests an algorithm recommends, in millicores and bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Requests {
    pub cpu_millicores: u64,
    pub memory_bytes: u64,
}

/// A container killed for exceeding its memory, and the memory request it had then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OomEvent {
    pub at: DateTime<Utc>,
    pub memory_request_bytes: u64,
}

/// The input of one recommendation: every sample strictly before `now`, oldest first.
/// Replicas of one workload are interleaved (see [`crate::workload`]).
#[derive(Debug, Clone, Copy)]
pub struct History<'a> {
    pub points: &'a [UsagePoint],
    pub ooms: &'a [OomEvent],
    /// Container restarts observed over the history (0 when the agent does not report them).
    pub restarts: u32,
    pub now: DateTime<Utc>,
}

impl History<'_> {
    /// Seconds of history the samples cover (Σ of their durations).
    pub fn covered_seconds(&self) -> u64 {
        self.points.iter().map(|p| u64::from(p.seconds)).sum()
    }

    /// The requests in force at the latest sample, if any.
    pub fn current_requests(&self) -> Option<Requests> {
        self.points.last().map(|p| Requests {
            cpu_millicores: p.figures.cpu_request.get(),
            memory_bytes: p.figures.memory_request.get(),
        })
    }

    /// Age of a sample relative to `now`, in hours (≥ 0).
    pub fn age_hours(&self, point: &UsagePoint) -> f64 {
        let seconds = (self.now - point.at).num_seconds().max(0);
        seconds as f64 / 3600.0
    }
}

/// A right-sizing algorithm as the evaluation replays it.
pub trait Recommender {
    /// Short name for tables and JSON.
    fn name(&self) -> &'static str;
    /// The requests to run with from `history.now` on; `None` keeps the current requests
    /// (not enough history, or nothing to say).
    fn recommend(&self, history: &History<'_>) -> Option<Requests>;
}
