//! Tenant price-override repository port.

use async_trait::async_trait;
use kcost_domain::pricing::PriceOverride;
use kcost_domain::tenant::TenantId;

/// Errors of [`PriceRepository`].
#[derive(Debug, thiserror::Error)]
pub enum PriceRepositoryError {
    /// The tenant has no override for this instance type.
    #[error("no price override for instance type {0}")]
    NotFound(String),
    /// The tenant does not exist.
    #[error("tenant not found")]
    TenantNotFound,
    /// The store failed to answer: unavailable (retry later) or unexpected.
    #[error(transparent)]
    Failed(#[from] crate::BackendFailure),
}

crate::carries_backend_failure!(PriceRepositoryError);

/// Stores each tenant's hourly price per instance type.
///
/// Contract: `put` inserts or replaces (one override per tenant and instance type) and fails
/// with `TenantNotFound` for an unknown tenant; `delete` fails with `NotFound` when there is
/// no such override; `overrides` of a tenant without any is an empty list; connection
/// failures are `Unavailable`; anything else is `Unexpected`.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait PriceRepository: Send + Sync {
    async fn overrides(&self, tenant: TenantId)
    -> Result<Vec<PriceOverride>, PriceRepositoryError>;
    async fn put(
        &self,
        tenant: TenantId,
        price: &PriceOverride,
    ) -> Result<(), PriceRepositoryError>;
    async fn delete(
        &self,
        tenant: TenantId,
        instance_type: &str,
    ) -> Result<(), PriceRepositoryError>;
}
