//! [`ApiKeyAdmin`]: creating, listing and revoking API keys (admin API and CLI). Creation
//! and revocation drop the key id from every cache level, on every replica.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use kcost_domain::api_key::{
    ApiKeyRecord, ApiKeySecret, ApiKeyString, ExpiryError, KeyId, Pepper, Salt, Scopes, SecretHash,
    validate_expiry,
};
use kcost_domain::cluster::ClusterName;
use kcost_domain::tenant::TenantId;
use kcost_ports::BackendFailure;
use kcost_ports::{ApiKeyRepository, ApiKeyRepositoryError, Clock};
use rand::RngCore;

use super::key_cache::ApiKeyCache;

/// A request to create a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiKey {
    pub tenant_id: TenantId,
    pub scopes: Scopes,
    pub expires_at: Option<DateTime<Utc>>,
    pub name: Option<String>,
    pub cluster: Option<ClusterName>,
}

/// A freshly created key: its record and the full key text, shown once.
#[derive(Debug, Clone)]
pub struct CreatedApiKey {
    pub record: ApiKeyRecord,
    pub api_key: ApiKeyString,
}

/// Why a key could not be created, listed or revoked.
#[derive(Debug, thiserror::Error)]
pub enum ApiKeyAdminError {
    #[error(transparent)]
    InvalidExpiry(#[from] ExpiryError),
    #[error("tenant not found")]
    TenantNotFound,
    #[error("API key not found")]
    NotFound,
    /// The key store failed to answer.
    #[error(transparent)]
    Failed(#[from] BackendFailure),
}

kcost_ports::carries_backend_failure!(ApiKeyAdminError);

impl From<ApiKeyRepositoryError> for ApiKeyAdminError {
    fn from(error: ApiKeyRepositoryError) -> Self {
        match error {
            ApiKeyRepositoryError::TenantNotFound => Self::TenantNotFound,
            ApiKeyRepositoryError::NotFound => Self::NotFound,
            ApiKeyRepositoryError::Failed(failure) => Self::Failed(failure),
            // A random 122-bit id colliding is not a client error.
            other @ ApiKeyRepositoryError::Duplicate(_) => {
                Self::Failed(BackendFailure::Unexpected(other.into()))
            }
        }
    }
}

/// Key administration (admin API).
pub struct ApiKeyAdmin {
    keys: Arc<dyn ApiKeyRepository>,
    cache: Arc<ApiKeyCache>,
    pepper: Pepper,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ApiKeyAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeyAdmin").finish_non_exhaustive()
    }
}

impl ApiKeyAdmin {
    /// `cache` must be the authenticator's, so revocation drops the right entries.
    pub fn new(
        keys: Arc<dyn ApiKeyRepository>,
        cache: Arc<ApiKeyCache>,
        pepper: Pepper,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            keys,
            cache,
            pepper,
            clock,
        }
    }

    /// Creates a key with a fresh id, salt and 32-byte secret from the OS-seeded CSPRNG.
    #[tracing::instrument(skip_all, fields(tenant = %request.tenant_id))]
    pub async fn create(&self, request: NewApiKey) -> Result<CreatedApiKey, ApiKeyAdminError> {
        let now = self.clock.now();
        validate_expiry(request.expires_at, now)?;
        let mut rng = rand::rng();
        let mut id_bytes = [0u8; 16];
        let mut salt_bytes = [0u8; 16];
        let mut secret_bytes = [0u8; 32];
        rng.fill_bytes(&mut id_bytes);
        rng.fill_bytes(&mut salt_bytes);
        rng.fill_bytes(&mut secret_bytes);
        let key_id = KeyId::from_random_bytes(id_bytes);
        let salt = Salt::from_bytes(salt_bytes);
        let secret = ApiKeySecret::from_random_bytes(&secret_bytes);
        let record = ApiKeyRecord {
            key_id,
            tenant_id: request.tenant_id,
            name: request.name,
            secret_hash: SecretHash::compute(&self.pepper, &salt, &secret),
            salt,
            scopes: request.scopes,
            cluster: request.cluster,
            revoked: false,
            expires_at: request.expires_at,
            created_at: now,
            last_used_at: None,
        };
        self.keys.insert(&record).await?;
        // A negative entry may exist if someone probed this id before; drop it everywhere.
        self.cache.forget(key_id).await;
        Ok(CreatedApiKey {
            api_key: ApiKeyString::new(key_id, &secret),
            record,
        })
    }

    pub async fn list(&self, tenant: TenantId) -> Result<Vec<ApiKeyRecord>, ApiKeyAdminError> {
        Ok(self.keys.list(tenant).await?)
    }

    /// Revokes a key and drops it from the caches: this replica refuses it at once, the
    /// others when the invalidation message arrives (at the latest when their local entry
    /// expires).
    #[tracing::instrument(skip(self))]
    pub async fn revoke(&self, key_id: KeyId) -> Result<ApiKeyRecord, ApiKeyAdminError> {
        let record = self.keys.revoke(key_id).await?;
        self.cache.forget(key_id).await;
        Ok(record)
    }
}
