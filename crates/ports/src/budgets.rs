//! Budget repository port.

use async_trait::async_trait;
use kcost_domain::budget::{Budget, BudgetId};
use kcost_domain::tenant::TenantId;

/// Errors of [`BudgetRepository`].
#[derive(Debug, thiserror::Error)]
pub enum BudgetRepositoryError {
    /// No budget with this id belongs to the tenant.
    #[error("budget not found")]
    NotFound,
    /// The tenant does not exist (an insert's foreign key failed).
    #[error("tenant not found")]
    TenantNotFound,
    /// The store failed to answer: unavailable (retry later) or unexpected.
    #[error(transparent)]
    Failed(#[from] crate::BackendFailure),
}

crate::carries_backend_failure!(BudgetRepositoryError);

/// Stores budgets, always scoped to a tenant.
///
/// Contract: every read and write takes the tenant, and another tenant's id reads as
/// `NotFound` (never another tenant's budget); `create` of a budget for an unknown tenant
/// is `TenantNotFound`; `update` replaces the spec and `updated_at` of an existing budget
/// (else `NotFound`); `delete` removes it and its alerts (else `NotFound`); lists are
/// ordered by creation time, then id. Connection failures are `Unavailable`; anything
/// else is `Unexpected`.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait BudgetRepository: Send + Sync {
    async fn create(&self, budget: &Budget) -> Result<(), BudgetRepositoryError>;
    async fn get(&self, tenant: TenantId, id: BudgetId) -> Result<Budget, BudgetRepositoryError>;
    /// The tenant's budgets (at most [`MAX_BUDGETS_PER_TENANT`]).
    async fn list(&self, tenant: TenantId) -> Result<Vec<Budget>, BudgetRepositoryError>;
    async fn update(&self, budget: &Budget) -> Result<(), BudgetRepositoryError>;
    async fn delete(&self, tenant: TenantId, id: BudgetId) -> Result<(), BudgetRepositoryError>;
    /// Every tenant that has at least one budget (what the evaluator visits).
    async fn tenants_with_budgets(&self) -> Result<Vec<TenantId>, BudgetRepositoryError>;
}

/// Most budgets one tenant may have: each is evaluated every minute.
pub const MAX_BUDGETS_PER_TENANT: usize = 200;
