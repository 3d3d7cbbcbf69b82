//! Budgets for one tenant: create, read (with the period's spend, its forecast and the
//! status they give), list, replace and delete them. Evaluating them for alerts
//! ([`watch`]) and delivering those alerts ([`delivery`]) run in the background.
//!
//! - [`spend`]: what a scope cost so far, per day, and forecast to the period's end.
//! - [`watch`]: budgets evaluated after ingest and every minute; alerts recorded once.
//! - [`delivery`]: pending alerts sent to their webhooks, retried with backoff.

pub mod delivery;
pub mod spend;
pub mod watch;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use kcost_domain::api_key::{AuthError, AuthenticatedKey, Scope};
use kcost_domain::budget::{
    Budget, BudgetDraft, BudgetId, BudgetStatus, InvalidBudget, WebhookPolicy,
};
use kcost_domain::money::Money;
use kcost_domain::tenant::TenantId;
use kcost_ports::{
    AlertFilter, AlertPage, AlertRepository, BackendFailure, BudgetRepository,
    BudgetRepositoryError, Clock, MAX_BUDGETS_PER_TENANT, Page,
};
use uuid::Uuid;

use crate::costs::QueryError;
use spend::{PeriodSpend, ScopeSpend};

/// Why a budget request failed.
#[derive(Debug, thiserror::Error)]
pub enum BudgetError {
    #[error(transparent)]
    Forbidden(#[from] AuthError),
    #[error(transparent)]
    Invalid(#[from] InvalidBudget),
    /// No budget with this id belongs to the key's tenant.
    #[error("budget not found")]
    NotFound,
    /// The tenant has [`MAX_BUDGETS_PER_TENANT`] budgets already.
    #[error("a tenant may have at most {MAX_BUDGETS_PER_TENANT} budgets; delete one first")]
    TooMany,
    /// A store failed to answer (unavailable: the caller may retry).
    #[error(transparent)]
    Failed(#[from] BackendFailure),
}

kcost_ports::carries_backend_failure!(BudgetError);

impl From<BudgetRepositoryError> for BudgetError {
    fn from(error: BudgetRepositoryError) -> Self {
        match error {
            BudgetRepositoryError::NotFound => Self::NotFound,
            // The key's tenant was deleted after the key was authenticated.
            BudgetRepositoryError::TenantNotFound => Self::NotFound,
            BudgetRepositoryError::Failed(failure) => Self::Failed(failure),
        }
    }
}

impl From<QueryError> for BudgetError {
    fn from(error: QueryError) -> Self {
        match error {
            QueryError::Forbidden(error) => Self::Forbidden(error),
            QueryError::Failed(failure) => Self::Failed(failure),
        }
    }
}

impl From<kcost_ports::AlertRepositoryError> for BudgetError {
    fn from(error: kcost_ports::AlertRepositoryError) -> Self {
        match error {
            kcost_ports::AlertRepositoryError::NotFound => Self::NotFound,
            kcost_ports::AlertRepositoryError::Failed(failure) => Self::Failed(failure),
        }
    }
}

/// A budget with where it stands now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetView {
    pub budget: Budget,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    /// Spend from the period's start to now.
    pub spend: Money,
    /// Spend expected by the period's end.
    pub forecast: Money,
    pub status: BudgetStatus,
}

/// The budget use cases.
pub struct Budgets {
    budgets: Arc<dyn BudgetRepository>,
    alerts: Arc<dyn AlertRepository>,
    spend: ScopeSpend,
    clock: Arc<dyn Clock>,
    webhook_policy: WebhookPolicy,
}

impl std::fmt::Debug for Budgets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Budgets")
            .field("webhook_policy", &self.webhook_policy)
            .finish_non_exhaustive()
    }
}

impl Budgets {
    pub fn new(
        budgets: Arc<dyn BudgetRepository>,
        alerts: Arc<dyn AlertRepository>,
        spend: ScopeSpend,
        clock: Arc<dyn Clock>,
        webhook_policy: WebhookPolicy,
    ) -> Self {
        Self {
            budgets,
            alerts,
            spend,
            clock,
            webhook_policy,
        }
    }

    /// Creates a budget (needs `budgets:write`).
    #[tracing::instrument(skip_all, fields(tenant = %key.tenant_id))]
    pub async fn create(
        &self,
        key: &AuthenticatedKey,
        draft: BudgetDraft,
    ) -> Result<BudgetView, BudgetError> {
        key.require(Scope::BudgetsWrite)?;
        let spec = draft.validate(self.webhook_policy)?;
        if self.budgets.list(key.tenant_id).await?.len() >= MAX_BUDGETS_PER_TENANT {
            return Err(BudgetError::TooMany);
        }
        let now = self.clock.now();
        let budget = Budget {
            id: BudgetId::from_uuid(Uuid::new_v4()),
            tenant_id: key.tenant_id,
            spec,
            created_at: now,
            updated_at: now,
        };
        self.budgets.create(&budget).await?;
        self.view(budget, now).await
    }

    /// One budget with its spend (needs `budgets:read`); another tenant's is `NotFound`.
    #[tracing::instrument(skip_all, fields(tenant = %key.tenant_id, %id))]
    pub async fn get(
        &self,
        key: &AuthenticatedKey,
        id: BudgetId,
    ) -> Result<BudgetView, BudgetError> {
        key.require(Scope::BudgetsRead)?;
        let budget = self.budgets.get(key.tenant_id, id).await?;
        self.view(budget, self.clock.now()).await
    }

    /// The tenant's budgets with their spend, oldest first (needs `budgets:read`).
    #[tracing::instrument(skip_all, fields(tenant = %key.tenant_id))]
    pub async fn list(&self, key: &AuthenticatedKey) -> Result<Vec<BudgetView>, BudgetError> {
        key.require(Scope::BudgetsRead)?;
        let now = self.clock.now();
        let mut views = Vec::new();
        for budget in self.budgets.list(key.tenant_id).await? {
            views.push(self.view(budget, now).await?);
        }
        Ok(views)
    }

    /// Replaces a budget's spec (needs `budgets:write`). Alerts already sent for the
    /// current period stay sent.
    #[tracing::instrument(skip_all, fields(tenant = %key.tenant_id, %id))]
    pub async fn replace(
        &self,
        key: &AuthenticatedKey,
        id: BudgetId,
        draft: BudgetDraft,
    ) -> Result<BudgetView, BudgetError> {
        key.require(Scope::BudgetsWrite)?;
        let spec = draft.validate(self.webhook_policy)?;
        let mut budget = self.budgets.get(key.tenant_id, id).await?;
        let now = self.clock.now();
        budget.spec = spec;
        budget.updated_at = now;
        self.budgets.update(&budget).await?;
        self.view(budget, now).await
    }

    /// Deletes a budget and its alerts (needs `budgets:write`).
    #[tracing::instrument(skip_all, fields(tenant = %key.tenant_id, %id))]
    pub async fn delete(&self, key: &AuthenticatedKey, id: BudgetId) -> Result<(), BudgetError> {
        key.require(Scope::BudgetsWrite)?;
        self.budgets.delete(key.tenant_id, id).await?;
        Ok(())
    }

    /// The tenant's alerts, newest first (needs `budgets:read`); filtered by budget, which
    /// must be the tenant's.
    #[tracing::instrument(skip_all, fields(tenant = %key.tenant_id))]
    pub async fn alerts(
        &self,
        key: &AuthenticatedKey,
        budget: Option<BudgetId>,
        page: Page,
    ) -> Result<AlertPage, BudgetError> {
        key.require(Scope::BudgetsRead)?;
        if let Some(budget) = budget {
            self.budgets.get(key.tenant_id, budget).await?;
        }
        let filter = AlertFilter { budget };
        Ok(self.alerts.list(key.tenant_id, &filter, page).await?)
    }

    async fn view(&self, budget: Budget, now: DateTime<Utc>) -> Result<BudgetView, BudgetError> {
        let (period, forecast) =
            period_and_forecast(&self.spend, budget.tenant_id, &budget, now).await?;
        Ok(BudgetView {
            status: budget.spec.status(period.spend),
            period_start: period.start,
            period_end: period.end,
            spend: period.spend,
            forecast,
            budget,
        })
    }
}

/// The period's spend so far and its forecast at the end.
pub(crate) async fn period_and_forecast(
    spend: &ScopeSpend,
    tenant: TenantId,
    budget: &Budget,
    now: DateTime<Utc>,
) -> Result<(PeriodSpend, Money), QueryError> {
    let period = spend.period(tenant, &budget.spec, now).await?;
    let history = spend
        .daily_history(tenant, &budget.spec.scope, now.date_naive())
        .await?;
    let forecast = ScopeSpend::forecast_at_end(&period, &history, now);
    Ok((period, forecast))
}

#[cfg(test)]
mod tests;
