//! What an OpenCost import reports about its source: reachability, last success, last
//! error and counters, for `/v1/health`, `/metrics` and Kubecent's `/api/v1/health`.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Whether kcost could reach the source on its last attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenCostConnection {
    /// Not asked yet (the first import runs right after start-up).
    Unknown,
    /// OpenCost answered (even if with an error of its own, see `last_error`).
    Connected,
    /// Connection errors, timeouts or 5xx after the client's retries.
    Unreachable,
}

impl OpenCostConnection {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Connected => "connected",
            Self::Unreachable => "unreachable",
        }
    }
}

/// One source's import state at a point in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportStatus {
    pub tenant: String,
    pub cluster: String,
    pub connection: OpenCostConnection,
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    /// The last run's error, cleared by the next successful run.
    pub last_error: Option<String>,
    /// Start of the latest hour kcost holds for the cluster after the last run.
    pub latest_hour: Option<DateTime<Utc>>,
    /// Hours stored since start-up.
    pub hours_imported: u64,
    /// Hours OpenCost sent again that were already stored (nothing changed).
    pub hours_duplicate: u64,
    /// Runs that ended in an error since start-up.
    pub failures: u64,
}

impl ImportStatus {
    /// The status of a source not asked yet: nothing attempted, nothing counted.
    pub fn not_yet_run(tenant: String, cluster: String) -> Self {
        Self {
            tenant,
            cluster,
            connection: OpenCostConnection::Unknown,
            last_attempt: None,
            last_success: None,
            last_error: None,
            latest_hour: None,
            hours_imported: 0,
            hours_duplicate: 0,
            failures: 0,
        }
    }
}

/// The status, shared between the import task and the readers.
#[derive(Debug)]
pub(crate) struct StatusCell(Mutex<ImportStatus>);

impl StatusCell {
    pub fn new(tenant: String, cluster: String) -> Self {
        Self(Mutex::new(ImportStatus::not_yet_run(tenant, cluster)))
    }

    pub fn get(&self) -> ImportStatus {
        self.lock().clone()
    }

    pub fn update(&self, change: impl FnOnce(&mut ImportStatus)) {
        change(&mut self.lock());
    }

    // A poisoned lock only means a reader panicked mid-clone; the status is still whole.
    fn lock(&self) -> std::sync::MutexGuard<'_, ImportStatus> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Kubecent's one-word `opencost` health over every configured source: `not_configured`
/// without sources, `unreachable` when any source is, `connected` when all are, else
/// `unknown` (before the first import has run).
pub fn overall_connection(statuses: &[ImportStatus]) -> &'static str {
    if statuses.is_empty() {
        "not_configured"
    } else if statuses
        .iter()
        .any(|s| s.connection == OpenCostConnection::Unreachable)
    {
        OpenCostConnection::Unreachable.as_str()
    } else if statuses
        .iter()
        .all(|s| s.connection == OpenCostConnection::Connected)
    {
        OpenCostConnection::Connected.as_str()
    } else {
        OpenCostConnection::Unknown.as_str()
    }
}
