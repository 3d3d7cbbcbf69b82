//! [`ApiKeyAuthenticator`]: checks the key presented with a request — record from the
//! [`ApiKeyCache`] (L1, then shared) or else the repository, then the secret against the
//! record's hash, on every request, cached or not.

use std::sync::Arc;

use kcost_domain::api_key::{
    ApiKeyRecord, AuthError, AuthenticatedKey, KeyId, Pepper, PresentedApiKey,
};
use kcost_ports::{ApiKeyRepository, ApiKeyRepositoryError, BackendFailure, Clock};

use super::key_cache::{ApiKeyCache, Cached, CachedKey};

/// Why a request could not be authenticated.
#[derive(Debug, thiserror::Error)]
pub enum AuthenticationError {
    /// The key is unknown, wrong, revoked or expired. Clients get one message for all.
    #[error(transparent)]
    Denied(#[from] AuthError),
    /// The key store failed to answer (unreachable, and the key is not cached).
    #[error(transparent)]
    Failed(#[from] BackendFailure),
}

kcost_ports::carries_backend_failure!(AuthenticationError);

/// Authenticates presented API keys.
pub struct ApiKeyAuthenticator {
    keys: Arc<dyn ApiKeyRepository>,
    cache: Arc<ApiKeyCache>,
    pepper: Pepper,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ApiKeyAuthenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeyAuthenticator")
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl ApiKeyAuthenticator {
    /// `cache` must be the one [`super::ApiKeyAdmin`] forgets revoked keys in.
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

    /// The cache this authenticator reads (the server feeds it invalidations).
    pub fn cache(&self) -> &Arc<ApiKeyCache> {
        &self.cache
    }

    /// Checks `presented` and returns who is calling.
    #[tracing::instrument(name = "authenticate", skip_all, fields(key_id = %presented.key_id))]
    pub async fn authenticate(
        &self,
        presented: &PresentedApiKey,
    ) -> Result<AuthenticatedKey, AuthenticationError> {
        let now = self.clock.now();
        let cached = match self.cache.get(presented.key_id).await {
            Cached::Local(entry) | Cached::Shared(entry) => entry,
            Cached::Miss => {
                let record = self.find(presented.key_id).await?;
                self.cache.put(presented.key_id, record.as_ref()).await;
                let record = record.ok_or(AuthError::InvalidCredentials)?;
                return Ok(record.authenticate(&self.pepper, presented, now)?);
            }
        };
        match &*cached {
            CachedKey::Known(record) => Ok(record.authenticate(&self.pepper, presented, now)?),
            // An unknown id is checked against nothing: the answer is the same as a wrong
            // secret.
            CachedKey::Unknown => Err(AuthError::InvalidCredentials.into()),
        }
    }

    async fn find(&self, key_id: KeyId) -> Result<Option<ApiKeyRecord>, AuthenticationError> {
        self.keys.find(key_id).await.map_err(|error| match error {
            ApiKeyRepositoryError::Failed(failure) => failure.into(),
            other => {
                BackendFailure::Unexpected(anyhow::Error::new(other).context("finding an API key"))
                    .into()
            }
        })
    }
}
