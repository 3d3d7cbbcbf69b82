//! API-key repository port. Stores salted, peppered hashes, never secrets.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kcost_domain::api_key::{ApiKeyRecord, KeyId};
use kcost_domain::tenant::TenantId;

/// Errors of [`ApiKeyRepository`].
#[derive(Debug, thiserror::Error)]
pub enum ApiKeyRepositoryError {
    /// A key with this id already exists.
    #[error("API key {0} already exists")]
    Duplicate(KeyId),
    /// No key has this id.
    #[error("API key not found")]
    NotFound,
    /// The key's tenant does not exist.
    #[error("tenant not found")]
    TenantNotFound,
    /// The store failed to answer: unavailable (retry later) or unexpected.
    #[error(transparent)]
    Failed(#[from] crate::BackendFailure),
}

crate::carries_backend_failure!(ApiKeyRepositoryError);

/// Stores API keys.
///
/// Contract: `insert` fails with `Duplicate` for an existing key id and `TenantNotFound`
/// when the tenant is unknown; `find` returns `Ok(None)` for an unknown id (not an error:
/// unknown keys are ordinary on the authentication path); `revoke` fails with `NotFound`
/// for an unknown id and is idempotent for an already revoked key; connection failures are
/// `Unavailable`; anything else is `Unexpected`.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait ApiKeyRepository: Send + Sync {
    async fn insert(&self, record: &ApiKeyRecord) -> Result<(), ApiKeyRepositoryError>;
    async fn find(&self, key_id: KeyId) -> Result<Option<ApiKeyRecord>, ApiKeyRepositoryError>;
    /// The tenant's keys, newest first.
    async fn list(&self, tenant: TenantId) -> Result<Vec<ApiKeyRecord>, ApiKeyRepositoryError>;
    /// Marks the key revoked and returns the updated record.
    async fn revoke(&self, key_id: KeyId) -> Result<ApiKeyRecord, ApiKeyRepositoryError>;
    /// Records last-use times in one batch (authentication never writes per request).
    /// Unknown ids are skipped; an older time never overwrites a newer one.
    async fn record_last_used(
        &self,
        uses: &[(KeyId, DateTime<Utc>)],
    ) -> Result<(), ApiKeyRepositoryError>;
}
