//! Tenant repository port.

use async_trait::async_trait;
use kcost_domain::tenant::{Tenant, TenantId, TenantName};

/// Errors of [`TenantRepository`].
#[derive(Debug, thiserror::Error)]
pub enum TenantRepositoryError {
    /// Another tenant already has this name.
    #[error("a tenant named {0} already exists")]
    Duplicate(TenantName),
    /// No tenant has this id.
    #[error("tenant not found")]
    NotFound,
    /// The store failed to answer: unavailable (retry later) or unexpected.
    #[error(transparent)]
    Failed(#[from] crate::BackendFailure),
}

crate::carries_backend_failure!(TenantRepositoryError);

/// Stores tenants.
///
/// Contract: `create` fails with `Duplicate` when the name is taken (names are unique);
/// `get` fails with `NotFound` for an unknown id; connection failures are `Unavailable`;
/// anything else is `Unexpected`.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait TenantRepository: Send + Sync {
    async fn create(&self, tenant: &Tenant) -> Result<(), TenantRepositoryError>;
    async fn get(&self, id: TenantId) -> Result<Tenant, TenantRepositoryError>;
    async fn find_by_name(
        &self,
        name: &TenantName,
    ) -> Result<Option<Tenant>, TenantRepositoryError>;
    /// All tenants, oldest first.
    async fn list(&self) -> Result<Vec<Tenant>, TenantRepositoryError>;
    /// Cheap reachability check of the relational store, for health endpoints.
    async fn ping(&self) -> Result<(), TenantRepositoryError>;
}
