//! Alert repository port: alerts recorded once per budget, kind, threshold and period,
//! and the outcome of each delivery attempt.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kcost_domain::alert::{Alert, AlertId, Delivery};
use kcost_domain::budget::BudgetId;
use kcost_domain::tenant::TenantId;

use crate::recommendations::Page;

/// Errors of [`AlertRepository`].
#[derive(Debug, thiserror::Error)]
pub enum AlertRepositoryError {
    /// No alert with this id.
    #[error("alert not found")]
    NotFound,
    /// The store failed to answer: unavailable (retry later) or unexpected.
    #[error(transparent)]
    Failed(#[from] crate::BackendFailure),
}

crate::carries_backend_failure!(AlertRepositoryError);

/// Filters of the alert list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertFilter {
    pub budget: Option<BudgetId>,
}

/// One page of alerts and the total matching the filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertPage {
    pub items: Vec<Alert>,
    pub total: u64,
}

/// Stores alerts.
///
/// Contract: `record` inserts the alert unless one with the same tenant, budget, kind,
/// threshold and period start exists, and says whether it inserted (so an alert goes out
/// once, however many replicas evaluate at once); an alert whose budget is gone is not
/// recorded (`Ok(false)`). `list` is the tenant's only, newest first, then by id. `due`
/// returns pending alerts of any tenant whose next attempt is at or before `now`, oldest
/// first. `claim` moves a pending alert's next attempt from `due_at` (as read) to
/// `lease_until` and says whether it did: of several replicas about to send one alert,
/// exactly one wins, and if it dies the lease runs out and the alert is due again.
/// `save_delivery` writes an attempt's outcome only if the stored attempt count is
/// still `attempts_before` (`Ok(false)` otherwise: another replica delivered it), else
/// `NotFound` when the alert is gone. Connection failures are `Unavailable`; anything
/// else is `Unexpected`.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait AlertRepository: Send + Sync {
    async fn record(&self, alert: &Alert) -> Result<bool, AlertRepositoryError>;
    async fn list(
        &self,
        tenant: TenantId,
        filter: &AlertFilter,
        page: Page,
    ) -> Result<AlertPage, AlertRepositoryError>;
    async fn due(&self, now: DateTime<Utc>, limit: u32)
    -> Result<Vec<Alert>, AlertRepositoryError>;
    async fn claim(
        &self,
        id: AlertId,
        due_at: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, AlertRepositoryError>;
    async fn save_delivery(
        &self,
        id: AlertId,
        attempts_before: u32,
        delivery: &Delivery,
    ) -> Result<bool, AlertRepositoryError>;
}
