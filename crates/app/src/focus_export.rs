//! The FOCUS export use case: a window's cost per workload and idle per cluster, one UTC
//! day at a time, for a billing export (the CSV itself is the HTTP layer's wire format).
//!
//! An export may span a year; holding a year of every pod's sums would be a year of
//! memory, so [`FocusExport::start`] checks the caller and names the billing account, and
//! [`ExportDays::next_day`] then reads one day's sums from the metrics store and turns them
//! into that day's lines ([`kcost_domain::allocation::workloads`]): memory is bounded by a
//! day whatever the window. Days are read straight from the store, not through the query
//! cache — a year of per-pod sums would push every dashboard's answers out of it, and an
//! export is read once.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use kcost_domain::allocation::query::Accumulate;
use kcost_domain::allocation::workloads::{WorkloadCosts, workload_costs};
use kcost_domain::api_key::{AuthenticatedKey, Scope};
use kcost_domain::money::Currency;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::{MetricsStore, TenantRepository, TenantRepositoryError};

use crate::costs::QueryError;

/// Who is billed, and in what currency: the same on every line of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingAccount {
    pub tenant: TenantId,
    /// The tenant's name; `None` if the tenant is no longer stored.
    pub name: Option<String>,
    pub currency: Currency,
}

/// The FOCUS export use case.
pub struct FocusExport {
    metrics: Arc<dyn MetricsStore>,
    tenants: Arc<dyn TenantRepository>,
    currency: Currency,
}

impl std::fmt::Debug for FocusExport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FocusExport")
            .field("currency", &self.currency)
            .finish_non_exhaustive()
    }
}

impl FocusExport {
    /// `currency`: `pricing.currency`, what every amount is in (kcost converts nothing).
    pub fn new(
        metrics: Arc<dyn MetricsStore>,
        tenants: Arc<dyn TenantRepository>,
        currency: Currency,
    ) -> Self {
        Self {
            metrics,
            tenants,
            currency,
        }
    }

    /// An export of `window` for the key's tenant only (needs `costs:read`): the billing
    /// account now, the days as they are asked for.
    #[tracing::instrument(name = "focus_export", skip_all, fields(tenant = %key.tenant_id))]
    pub async fn start(
        &self,
        key: &AuthenticatedKey,
        window: &TimeWindow,
    ) -> Result<ExportDays, QueryError> {
        key.require(Scope::CostsRead)?;
        let tenant = key.tenant_id;
        let name = match self.tenants.get(tenant).await {
            Ok(found) => Some(found.name.as_str().to_owned()),
            // A key outliving its tenant still reads its data; the name is unknown.
            Err(TenantRepositoryError::NotFound) => None,
            Err(TenantRepositoryError::Failed(failure)) => return Err(failure.into()),
            Err(other @ TenantRepositoryError::Duplicate(_)) => {
                return Err(QueryError::unexpected(anyhow::Error::new(other)));
            }
        };
        Ok(ExportDays {
            metrics: self.metrics.clone(),
            account: BillingAccount {
                tenant,
                name,
                currency: self.currency,
            },
            window: *window,
            next_start: window.start(),
        })
    }
}

/// The days of one export, read one at a time, oldest first.
pub struct ExportDays {
    metrics: Arc<dyn MetricsStore>,
    account: BillingAccount,
    window: TimeWindow,
    /// Where the next day starts; the window's end once every day was read.
    next_start: DateTime<Utc>,
}

impl std::fmt::Debug for ExportDays {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportDays")
            .field("account", &self.account)
            .field("window", &self.window)
            .field("next_start", &self.next_start)
            .finish_non_exhaustive()
    }
}

impl ExportDays {
    pub fn account(&self) -> &BillingAccount {
        &self.account
    }

    pub fn window(&self) -> &TimeWindow {
        &self.window
    }

    /// The next UTC day's part of the window — its workloads and idle — or `None` after
    /// the last. A failed read is returned as it is and may be retried by asking again.
    pub async fn next_day(&mut self) -> Option<Result<WorkloadCosts, QueryError>> {
        let start = self.next_start;
        if start >= self.window.end() {
            return None;
        }
        let end = Accumulate::Day
            .next_boundary(start)
            .map_or(self.window.end(), |midnight| {
                midnight.min(self.window.end())
            });
        let day = match TimeWindow::new(start, end) {
            Ok(day) => day,
            // A part of a valid window is valid; this would be a bug.
            Err(error) => return Some(Err(QueryError::unexpected(anyhow::Error::new(error)))),
        };
        let sums = match self.metrics.window_sums(self.account.tenant, &day).await {
            Ok(sums) => sums,
            Err(failure) => return Some(Err(failure.into())),
        };
        self.next_start = end;
        Some(Ok(workload_costs(&day, &sums)))
    }
}

#[cfg(test)]
#[path = "focus_export_tests.rs"]
mod tests;
