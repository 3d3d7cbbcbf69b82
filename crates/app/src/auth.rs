//! API keys: authentication on every request (cache, then repository) and administration
//! (create, list, revoke).
//!
//! The cache holds the verified key's stored record — salt, hash, scopes, binding, expiry —
//! never the secret; the presented secret is checked against the hash on every request,
//! cached or not. Unknown key ids are cached briefly too, so a flood of made-up keys does
//! not reach the database. Revocation deletes the cache entry, so the revoking replica
//! refuses the key at once.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use kcost_domain::api_key::{
    ApiKeyRecord, ApiKeySecret, ApiKeyString, AuthError, AuthenticatedKey, ExpiryError, KeyId,
    Pepper, PresentedApiKey, Salt, Scopes, SecretHash, validate_expiry,
};
use kcost_domain::cluster::ClusterName;
use kcost_domain::tenant::TenantId;
use kcost_ports::{ApiKeyRepository, ApiKeyRepositoryError, Cache, Clock};
use rand::RngCore;
use serde::{Deserialize, Serialize};

/// Longest time an unknown key id stays cached as unknown.
const MAX_NEGATIVE_TTL: Duration = Duration::from_secs(10);

/// Why a request could not be authenticated.
#[derive(Debug, thiserror::Error)]
pub enum AuthenticationError {
    /// The key is unknown, wrong, revoked or expired. Clients get one message for all.
    #[error(transparent)]
    Denied(#[from] AuthError),
    /// The key store is unreachable and the key is not cached.
    #[error("API key store unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Unexpected(anyhow::Error),
}

/// What the cache holds for a key id.
#[derive(Debug, Serialize, Deserialize)]
enum CachedKey {
    Known(ApiKeyRecord),
    Unknown,
}

/// Authenticates presented API keys.
pub struct ApiKeyAuthenticator {
    keys: Arc<dyn ApiKeyRepository>,
    cache: Arc<dyn Cache>,
    pepper: Pepper,
    clock: Arc<dyn Clock>,
    ttl: Duration,
    prefix: String,
}

impl std::fmt::Debug for ApiKeyAuthenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeyAuthenticator")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

fn cache_key(prefix: &str, key_id: KeyId) -> String {
    format!("{prefix}apikey:{key_id}")
}

impl ApiKeyAuthenticator {
    /// `ttl` is `security.api_key_cache_ttl_seconds`; zero disables caching.
    pub fn new(
        keys: Arc<dyn ApiKeyRepository>,
        cache: Arc<dyn Cache>,
        pepper: Pepper,
        clock: Arc<dyn Clock>,
        ttl: Duration,
        prefix: impl Into<String>,
    ) -> Self {
        Self {
            keys,
            cache,
            pepper,
            clock,
            ttl,
            prefix: prefix.into(),
        }
    }

    /// Checks `presented` and returns who is calling.
    #[tracing::instrument(name = "authenticate", skip_all, fields(key_id = %presented.key_id))]
    pub async fn authenticate(
        &self,
        presented: &PresentedApiKey,
    ) -> Result<AuthenticatedKey, AuthenticationError> {
        let record = self.lookup(presented.key_id).await?;
        // An unknown id is checked against nothing: the answer is the same as a wrong secret.
        let record = record.ok_or(AuthError::InvalidCredentials)?;
        Ok(record.authenticate(&self.pepper, presented, self.clock.now())?)
    }

    async fn lookup(&self, key_id: KeyId) -> Result<Option<ApiKeyRecord>, AuthenticationError> {
        let key = cache_key(&self.prefix, key_id);
        if !self.ttl.is_zero() {
            match self.cache.get(&key).await {
                Ok(Some(bytes)) => match serde_json::from_slice::<CachedKey>(&bytes) {
                    Ok(CachedKey::Known(record)) => return Ok(Some(record)),
                    Ok(CachedKey::Unknown) => return Ok(None),
                    Err(error) => tracing::warn!(%error, "unreadable API-key cache entry"),
                },
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(%error, "API-key cache unavailable; using the database")
                }
            }
        }
        let record = self.keys.find(key_id).await.map_err(|error| match error {
            ApiKeyRepositoryError::Unavailable(e) => AuthenticationError::Unavailable(e),
            other => AuthenticationError::Unexpected(
                anyhow::Error::new(other).context("finding an API key"),
            ),
        })?;
        if !self.ttl.is_zero() {
            let (entry, ttl) = match &record {
                Some(record) => (CachedKey::Known(record.clone()), self.ttl),
                None => (CachedKey::Unknown, self.ttl.min(MAX_NEGATIVE_TTL)),
            };
            if let Ok(bytes) = serde_json::to_vec(&entry)
                && let Err(error) = self.cache.set(&key, &bytes, ttl).await
            {
                tracing::warn!(%error, "could not cache an API key");
            }
        }
        Ok(record)
    }
}

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
    #[error("API key store unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Unexpected(anyhow::Error),
}

impl From<ApiKeyRepositoryError> for ApiKeyAdminError {
    fn from(error: ApiKeyRepositoryError) -> Self {
        match error {
            ApiKeyRepositoryError::TenantNotFound => Self::TenantNotFound,
            ApiKeyRepositoryError::NotFound => Self::NotFound,
            ApiKeyRepositoryError::Unavailable(e) => Self::Unavailable(e),
            // A random 122-bit id colliding is not a client error.
            other @ ApiKeyRepositoryError::Duplicate(_) => Self::Unexpected(other.into()),
            ApiKeyRepositoryError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

/// Key administration (admin API).
pub struct ApiKeyAdmin {
    keys: Arc<dyn ApiKeyRepository>,
    cache: Arc<dyn Cache>,
    pepper: Pepper,
    clock: Arc<dyn Clock>,
    prefix: String,
}

impl std::fmt::Debug for ApiKeyAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeyAdmin").finish_non_exhaustive()
    }
}

impl ApiKeyAdmin {
    /// `prefix` must be the authenticator's, so revocation deletes the right cache entry.
    pub fn new(
        keys: Arc<dyn ApiKeyRepository>,
        cache: Arc<dyn Cache>,
        pepper: Pepper,
        clock: Arc<dyn Clock>,
        prefix: impl Into<String>,
    ) -> Self {
        Self {
            keys,
            cache,
            pepper,
            clock,
            prefix: prefix.into(),
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
        // A negative entry may exist if someone probed this id before; drop it.
        self.forget(key_id).await;
        Ok(CreatedApiKey {
            api_key: ApiKeyString::new(key_id, &secret),
            record,
        })
    }

    pub async fn list(&self, tenant: TenantId) -> Result<Vec<ApiKeyRecord>, ApiKeyAdminError> {
        Ok(self.keys.list(tenant).await?)
    }

    /// Revokes a key and drops it from the cache so this replica refuses it at once.
    #[tracing::instrument(skip(self))]
    pub async fn revoke(&self, key_id: KeyId) -> Result<ApiKeyRecord, ApiKeyAdminError> {
        let record = self.keys.revoke(key_id).await?;
        self.forget(key_id).await;
        Ok(record)
    }

    async fn forget(&self, key_id: KeyId) {
        if let Err(error) = self.cache.delete(&cache_key(&self.prefix, key_id)).await {
            tracing::warn!(%error, %key_id, "could not drop an API key from the cache");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use kcost_domain::api_key::Scope;
    use kcost_ports::{CacheError, MockApiKeyRepository, MockCache};
    use mockall::predicate::eq;

    use super::*;
    use crate::test_support::{clock, now, tenant};

    fn pepper() -> Pepper {
        Pepper::new("a-test-pepper-of-32-bytes-length").unwrap()
    }

    /// Creates a key through `ApiKeyAdmin` with a capturing repository; returns the stored
    /// record and the key text, as a client would receive it.
    async fn created_key(expires_at: Option<DateTime<Utc>>) -> (ApiKeyRecord, PresentedApiKey) {
        let stored = Arc::new(Mutex::new(None));
        let mut keys = MockApiKeyRepository::new();
        let sink = stored.clone();
        keys.expect_insert().times(1).returning(move |record| {
            *sink.lock().unwrap() = Some(record.clone());
            Ok(())
        });
        let mut cache = MockCache::new();
        cache.expect_delete().returning(|_| Ok(()));
        let admin = ApiKeyAdmin::new(Arc::new(keys), Arc::new(cache), pepper(), clock(), "t:");
        let created = admin
            .create(NewApiKey {
                tenant_id: tenant(),
                scopes: Scopes::single(Scope::MetricsWrite),
                expires_at,
                name: Some("agent".into()),
                cluster: None,
            })
            .await
            .unwrap();
        let record = stored.lock().unwrap().clone().unwrap();
        assert_eq!(record, created.record);
        (
            record,
            PresentedApiKey::parse(created.api_key.expose()).unwrap(),
        )
    }

    fn authenticator(
        keys: MockApiKeyRepository,
        cache: MockCache,
        ttl: u64,
    ) -> ApiKeyAuthenticator {
        ApiKeyAuthenticator::new(
            Arc::new(keys),
            Arc::new(cache),
            pepper(),
            clock(),
            Duration::from_secs(ttl),
            "t:",
        )
    }

    #[tokio::test]
    async fn a_created_key_authenticates_from_the_repository_and_is_then_cached() {
        let (record, presented) = created_key(None).await;
        assert!(
            !record
                .secret_hash
                .to_base64()
                .contains(presented.secret.expose())
        );
        let mut keys = MockApiKeyRepository::new();
        let found = record.clone();
        keys.expect_find()
            .with(eq(record.key_id))
            .times(1)
            .returning(move |_| Ok(Some(found.clone())));
        let mut cache = MockCache::new();
        cache.expect_get().returning(|_| Ok(None));
        let expected_key = format!("t:apikey:{}", record.key_id);
        cache
            .expect_set()
            .withf(move |key, value, ttl| {
                let text = String::from_utf8_lossy(value);
                key == expected_key && *ttl == Duration::from_secs(60) && text.contains("Known")
            })
            .times(1)
            .returning(|_, _, _| Ok(()));
        let key = authenticator(keys, cache, 60)
            .authenticate(&presented)
            .await
            .unwrap();
        assert_eq!(key.tenant_id, tenant());
        assert!(key.scopes.allows(Scope::MetricsWrite));
    }

    #[tokio::test]
    async fn a_cache_hit_skips_the_repository_but_still_checks_the_secret() {
        let (record, presented) = created_key(None).await;
        let entry = serde_json::to_vec(&CachedKey::Known(record)).unwrap();
        let mut keys = MockApiKeyRepository::new();
        keys.expect_find().never();
        let mut cache = MockCache::new();
        cache
            .expect_get()
            .returning(move |_| Ok(Some(entry.clone())));
        let auth = authenticator(keys, cache, 60);
        assert!(auth.authenticate(&presented).await.is_ok());
        let forged = PresentedApiKey::new(
            presented.key_id,
            ApiKeySecret::from_random_bytes(&[7u8; 32]),
        );
        assert!(matches!(
            auth.authenticate(&forged).await,
            Err(AuthenticationError::Denied(AuthError::InvalidCredentials))
        ));
    }

    #[tokio::test]
    async fn unknown_keys_are_denied_and_negatively_cached_briefly() {
        let (_, presented) = created_key(None).await;
        let mut keys = MockApiKeyRepository::new();
        keys.expect_find().times(1).returning(|_| Ok(None));
        let mut cache = MockCache::new();
        cache.expect_get().returning(|_| Ok(None));
        cache
            .expect_set()
            .withf(|_, value, ttl| {
                String::from_utf8_lossy(value).contains("Unknown") && *ttl == MAX_NEGATIVE_TTL
            })
            .times(1)
            .returning(|_, _, _| Ok(()));
        let err = authenticator(keys, cache, 60)
            .authenticate(&presented)
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            AuthenticationError::Denied(AuthError::InvalidCredentials)
        ));
    }

    #[tokio::test]
    async fn a_negative_cache_entry_denies_without_the_repository() {
        let (_, presented) = created_key(None).await;
        let mut keys = MockApiKeyRepository::new();
        keys.expect_find().never();
        let mut cache = MockCache::new();
        let entry = serde_json::to_vec(&CachedKey::Unknown).unwrap();
        cache
            .expect_get()
            .returning(move |_| Ok(Some(entry.clone())));
        let err = authenticator(keys, cache, 60)
            .authenticate(&presented)
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            AuthenticationError::Denied(AuthError::InvalidCredentials)
        ));
    }

    #[tokio::test]
    async fn a_failing_cache_falls_back_to_the_repository() {
        let (record, presented) = created_key(None).await;
        let mut keys = MockApiKeyRepository::new();
        keys.expect_find()
            .times(1)
            .returning(move |_| Ok(Some(record.clone())));
        let mut cache = MockCache::new();
        cache
            .expect_get()
            .returning(|_| Err(CacheError::Unavailable(anyhow::anyhow!("refused"))));
        cache
            .expect_set()
            .returning(|_, _, _| Err(CacheError::Unavailable(anyhow::anyhow!("refused"))));
        assert!(
            authenticator(keys, cache, 60)
                .authenticate(&presented)
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn a_zero_ttl_disables_the_cache() {
        let (record, presented) = created_key(None).await;
        let mut keys = MockApiKeyRepository::new();
        keys.expect_find()
            .times(1)
            .returning(move |_| Ok(Some(record.clone())));
        let mut cache = MockCache::new();
        cache.expect_get().never();
        cache.expect_set().never();
        assert!(
            authenticator(keys, cache, 0)
                .authenticate(&presented)
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn revoked_and_expired_keys_are_denied() {
        let (mut record, presented) = created_key(Some(now() + chrono::Duration::hours(1))).await;
        record.revoked = true;
        let revoked = record.clone();
        let mut keys = MockApiKeyRepository::new();
        keys.expect_find()
            .returning(move |_| Ok(Some(revoked.clone())));
        let err = authenticator(keys, MockCache::new(), 0)
            .authenticate(&presented)
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            AuthenticationError::Denied(AuthError::Revoked)
        ));

        record.revoked = false;
        record.expires_at = Some(now());
        let mut keys = MockApiKeyRepository::new();
        keys.expect_find()
            .returning(move |_| Ok(Some(record.clone())));
        let err = authenticator(keys, MockCache::new(), 0)
            .authenticate(&presented)
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            AuthenticationError::Denied(AuthError::Expired)
        ));
    }

    #[tokio::test]
    async fn an_unavailable_repository_without_a_cached_key_is_unavailable() {
        let (_, presented) = created_key(None).await;
        let mut keys = MockApiKeyRepository::new();
        keys.expect_find().returning(|_| {
            Err(ApiKeyRepositoryError::Unavailable(anyhow::anyhow!(
                "pool closed"
            )))
        });
        let err = authenticator(keys, MockCache::new(), 0)
            .authenticate(&presented)
            .await
            .unwrap_err();
        assert!(matches!(err, AuthenticationError::Unavailable(_)));
    }

    #[tokio::test]
    async fn revocation_drops_the_cache_entry() {
        let (record, _) = created_key(None).await;
        let key_id = record.key_id;
        let mut keys = MockApiKeyRepository::new();
        keys.expect_revoke()
            .with(eq(key_id))
            .times(1)
            .returning(move |_| {
                Ok(ApiKeyRecord {
                    revoked: true,
                    ..record.clone()
                })
            });
        let mut cache = MockCache::new();
        cache
            .expect_delete()
            .with(eq(format!("t:apikey:{key_id}")))
            .times(1)
            .returning(|_| Ok(()));
        let admin = ApiKeyAdmin::new(Arc::new(keys), Arc::new(cache), pepper(), clock(), "t:");
        assert!(admin.revoke(key_id).await.unwrap().revoked);
    }

    #[tokio::test]
    async fn creation_refuses_a_past_expiry_and_an_unknown_tenant() {
        let admin = ApiKeyAdmin::new(
            Arc::new(MockApiKeyRepository::new()),
            Arc::new(MockCache::new()),
            pepper(),
            clock(),
            "t:",
        );
        let request = NewApiKey {
            tenant_id: tenant(),
            scopes: Scopes::single(Scope::All),
            expires_at: Some(now() - chrono::Duration::seconds(1)),
            name: None,
            cluster: None,
        };
        assert!(matches!(
            admin.create(request.clone()).await,
            Err(ApiKeyAdminError::InvalidExpiry(_))
        ));

        let mut keys = MockApiKeyRepository::new();
        keys.expect_insert()
            .returning(|_| Err(ApiKeyRepositoryError::TenantNotFound));
        let admin = ApiKeyAdmin::new(
            Arc::new(keys),
            Arc::new(MockCache::new()),
            pepper(),
            clock(),
            "t:",
        );
        let request = NewApiKey {
            expires_at: None,
            ..request
        };
        assert!(matches!(
            admin.create(request).await,
            Err(ApiKeyAdminError::TenantNotFound)
        ));
    }
}
