//! Authentication and key administration with mock ports: the repository, the shared
//! cache and the invalidation bus.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use kcost_domain::api_key::{
    ApiKeyRecord, ApiKeySecret, AuthError, Pepper, PresentedApiKey, Scope, Scopes,
};
use kcost_ports::{
    ApiKeyRepositoryError, CacheError, InvalidationEvent, MockApiKeyRepository, MockCache,
    MockInvalidationBus,
};
use mockall::predicate::eq;

use super::key_cache::CachedKey;
use super::*;
use crate::test_support::{clock, now, tenant};

/// A bus that accepts every message.
fn quiet_bus() -> MockInvalidationBus {
    let mut bus = MockInvalidationBus::new();
    bus.expect_publish().returning(|_| Ok(()));
    bus
}

fn key_cache_with(cache: MockCache, bus: MockInvalidationBus, ttl: u64) -> Arc<ApiKeyCache> {
    Arc::new(ApiKeyCache::new(
        Arc::new(cache),
        Arc::new(bus),
        ApiKeyCacheSettings::new(Duration::from_secs(ttl)),
        "t:",
    ))
}

fn key_cache(cache: MockCache, ttl: u64) -> Arc<ApiKeyCache> {
    key_cache_with(cache, quiet_bus(), ttl)
}

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
    let created = admin(keys, cache)
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

fn authenticator(keys: MockApiKeyRepository, cache: MockCache, ttl: u64) -> ApiKeyAuthenticator {
    ApiKeyAuthenticator::new(Arc::new(keys), key_cache(cache, ttl), pepper(), clock())
}

fn admin(keys: MockApiKeyRepository, cache: MockCache) -> ApiKeyAdmin {
    ApiKeyAdmin::new(Arc::new(keys), key_cache(cache, 60), pepper(), clock())
}

/// A repository that must not be asked: the answer comes from a cache.
fn repository_never_asked() -> MockApiKeyRepository {
    let mut keys = MockApiKeyRepository::new();
    keys.expect_find().never();
    keys
}

/// A repository asked once, answering `record`.
fn repository_finding(record: Option<ApiKeyRecord>) -> MockApiKeyRepository {
    let mut keys = MockApiKeyRepository::new();
    keys.expect_find()
        .times(1)
        .returning(move |_| Ok(record.clone()));
    keys
}

/// A cache entry holding `record`.
fn known(record: &ApiKeyRecord) -> Vec<u8> {
    serde_json::to_vec(&CachedKey::Known(record.clone())).unwrap()
}

/// A shared cache whose every read answers `entry`.
fn shared_cache_answering(entry: Option<Vec<u8>>) -> MockCache {
    let mut cache = MockCache::new();
    cache.expect_get().returning(move |_| Ok(entry.clone()));
    cache
}

fn as_revoked(record: &ApiKeyRecord) -> ApiKeyRecord {
    ApiKeyRecord {
        revoked: true,
        ..record.clone()
    }
}

/// Why `auth` denied `presented`; panics if it did not.
async fn denial(auth: &ApiKeyAuthenticator, presented: &PresentedApiKey) -> AuthError {
    match auth.authenticate(presented).await {
        Err(AuthenticationError::Denied(reason)) => reason,
        other => panic!("expected a denial, got {other:?}"),
    }
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
    let mut cache = shared_cache_answering(None);
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
    let cache = shared_cache_answering(Some(known(&record)));
    let auth = authenticator(repository_never_asked(), cache, 60);
    assert!(auth.authenticate(&presented).await.is_ok());
    let forged = PresentedApiKey::new(
        presented.key_id,
        ApiKeySecret::from_random_bytes(&[7u8; 32]),
    );
    assert_eq!(denial(&auth, &forged).await, AuthError::InvalidCredentials);
}

#[tokio::test]
async fn unknown_keys_are_denied_and_negatively_cached_briefly() {
    let (_, presented) = created_key(None).await;
    let mut cache = shared_cache_answering(None);
    cache
        .expect_set()
        .withf(|_, value, ttl| {
            String::from_utf8_lossy(value).contains("Unknown") && *ttl == MAX_NEGATIVE_TTL
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    let auth = authenticator(repository_finding(None), cache, 60);
    assert_eq!(
        denial(&auth, &presented).await,
        AuthError::InvalidCredentials
    );
}

#[tokio::test]
async fn a_negative_cache_entry_denies_without_the_repository() {
    let (_, presented) = created_key(None).await;
    let unknown = serde_json::to_vec(&CachedKey::Unknown).unwrap();
    let cache = shared_cache_answering(Some(unknown));
    let auth = authenticator(repository_never_asked(), cache, 60);
    assert_eq!(
        denial(&auth, &presented).await,
        AuthError::InvalidCredentials
    );
}

#[tokio::test]
async fn a_failing_cache_falls_back_to_the_repository() {
    let (record, presented) = created_key(None).await;
    let mut cache = MockCache::new();
    cache
        .expect_get()
        .returning(|_| Err(CacheError::unavailable(anyhow::anyhow!("refused"))));
    cache
        .expect_set()
        .returning(|_, _, _| Err(CacheError::unavailable(anyhow::anyhow!("refused"))));
    assert!(
        authenticator(repository_finding(Some(record)), cache, 60)
            .authenticate(&presented)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_zero_ttl_disables_the_cache() {
    let (record, presented) = created_key(None).await;
    let mut cache = MockCache::new();
    cache.expect_get().never();
    cache.expect_set().never();
    assert!(
        authenticator(repository_finding(Some(record)), cache, 0)
            .authenticate(&presented)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn revoked_and_expired_keys_are_denied() {
    let (record, presented) = created_key(Some(now() + chrono::Duration::hours(1))).await;
    let expired = ApiKeyRecord {
        expires_at: Some(now()),
        ..record.clone()
    };
    for (stored, reason) in [
        (as_revoked(&record), AuthError::Revoked),
        (expired, AuthError::Expired),
    ] {
        let auth = authenticator(repository_finding(Some(stored)), MockCache::new(), 0);
        assert_eq!(denial(&auth, &presented).await, reason);
    }
}

#[tokio::test]
async fn an_unavailable_repository_without_a_cached_key_is_unavailable() {
    let (_, presented) = created_key(None).await;
    let mut keys = MockApiKeyRepository::new();
    keys.expect_find().returning(|_| {
        Err(ApiKeyRepositoryError::unavailable(anyhow::anyhow!(
            "pool closed"
        )))
    });
    let err = authenticator(keys, MockCache::new(), 0)
        .authenticate(&presented)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        AuthenticationError::Failed(kcost_ports::BackendFailure::Unavailable(_))
    ));
}

#[tokio::test]
async fn revocation_drops_the_cache_entry() {
    let (record, _) = created_key(None).await;
    let key_id = record.key_id;
    let mut keys = MockApiKeyRepository::new();
    keys.expect_revoke()
        .with(eq(key_id))
        .times(1)
        .returning(move |_| Ok(as_revoked(&record)));
    let mut cache = MockCache::new();
    cache
        .expect_delete()
        .with(eq(format!("t:apikey:{key_id}")))
        .times(1)
        .returning(|_| Ok(()));
    assert!(admin(keys, cache).revoke(key_id).await.unwrap().revoked);
}

#[tokio::test]
async fn creation_refuses_a_past_expiry_and_an_unknown_tenant() {
    let request = NewApiKey {
        tenant_id: tenant(),
        scopes: Scopes::single(Scope::All),
        expires_at: Some(now() - chrono::Duration::seconds(1)),
        name: None,
        cluster: None,
    };
    let nothing_stored = admin(MockApiKeyRepository::new(), MockCache::new());
    assert!(matches!(
        nothing_stored.create(request.clone()).await,
        Err(ApiKeyAdminError::InvalidExpiry(_))
    ));

    let mut keys = MockApiKeyRepository::new();
    keys.expect_insert()
        .returning(|_| Err(ApiKeyRepositoryError::TenantNotFound));
    let request = NewApiKey {
        expires_at: None,
        ..request
    };
    assert!(matches!(
        admin(keys, MockCache::new()).create(request).await,
        Err(ApiKeyAdminError::TenantNotFound)
    ));
}

// ---------------------------------------------------------------------------------------------
// The local cache (L1) and invalidation
// ---------------------------------------------------------------------------------------------

/// A shared cache mock holding one entry that `delete` removes.
fn shared_cache_holding(entry: Vec<u8>, expected_gets: usize) -> MockCache {
    let slot = Arc::new(Mutex::new(Some(entry)));
    let mut cache = MockCache::new();
    let read = slot.clone();
    cache
        .expect_get()
        .times(expected_gets)
        .returning(move |_| Ok(read.lock().unwrap().clone()));
    cache.expect_delete().returning(move |_| {
        slot.lock().unwrap().take();
        Ok(())
    });
    cache.expect_set().returning(|_, _, _| Ok(()));
    cache
}

#[tokio::test]
async fn an_l1_hit_skips_the_shared_cache_and_the_repository() {
    let (record, presented) = created_key(None).await;
    let auth = authenticator(
        repository_never_asked(),
        shared_cache_holding(known(&record), 1),
        60,
    );
    for _ in 0..3 {
        assert!(auth.authenticate(&presented).await.is_ok());
    }
}

#[tokio::test]
async fn revocation_refuses_the_key_at_once_and_tells_the_other_replicas() {
    let (record, presented) = created_key(None).await;
    let key_id = record.key_id;
    let revoked = as_revoked(&record);
    let mut keys = MockApiKeyRepository::new();
    let after_revocation = revoked.clone();
    keys.expect_revoke()
        .times(1)
        .returning(move |_| Ok(after_revocation.clone()));
    keys.expect_find()
        .times(1)
        .returning(move |_| Ok(Some(revoked.clone())));
    let mut bus = MockInvalidationBus::new();
    bus.expect_publish()
        .with(eq(format!("apikey:{key_id}")))
        .times(1)
        .returning(|_| Ok(()));
    let cache = key_cache_with(shared_cache_holding(known(&record), 2), bus, 60);
    let keys = Arc::new(keys);
    let auth = ApiKeyAuthenticator::new(keys.clone(), cache.clone(), pepper(), clock());
    let admin = ApiKeyAdmin::new(keys, cache, pepper(), clock());

    assert!(auth.authenticate(&presented).await.is_ok(), "cached in L1");
    admin.revoke(key_id).await.unwrap();
    assert!(matches!(
        auth.authenticate(&presented).await,
        Err(AuthenticationError::Denied(AuthError::Revoked))
    ));
}

#[tokio::test]
async fn an_invalidation_message_drops_that_key_from_l1_and_may_have_missed_drops_all() {
    let (record, presented) = created_key(None).await;
    // Read from the shared cache three times: first use, after the message, after the
    // "may have missed" notice; never for the unrelated message.
    let auth = authenticator(
        repository_never_asked(),
        shared_cache_holding(known(&record), 3),
        60,
    );
    let cache = auth.cache().clone();

    auth.authenticate(&presented).await.unwrap();
    cache.apply(&InvalidationEvent::Message(format!(
        "apikey:{}",
        uuid::Uuid::new_v4()
    )));
    cache.apply(&InvalidationEvent::Message("something else".into()));
    auth.authenticate(&presented).await.unwrap();

    cache.apply(&InvalidationEvent::Message(format!(
        "apikey:{}",
        record.key_id
    )));
    auth.authenticate(&presented).await.unwrap();

    cache.apply(&InvalidationEvent::MayHaveMissed);
    auth.authenticate(&presented).await.unwrap();
}

#[tokio::test]
async fn l1_entries_expire_after_the_local_ttl_even_without_a_message() {
    let (record, presented) = created_key(None).await;
    let cache = Arc::new(ApiKeyCache::new(
        Arc::new(shared_cache_holding(known(&record), 2)),
        Arc::new(quiet_bus()),
        ApiKeyCacheSettings {
            local_ttl: Duration::from_millis(100),
            ..ApiKeyCacheSettings::new(Duration::from_secs(60))
        },
        "t:",
    ));
    let auth =
        ApiKeyAuthenticator::new(Arc::new(repository_never_asked()), cache, pepper(), clock());
    auth.authenticate(&presented).await.unwrap();
    auth.authenticate(&presented).await.unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    auth.authenticate(&presented).await.unwrap();
}

/// A subscription replaying a fixed list of events, then ending.
#[derive(Debug)]
struct Replay(Vec<InvalidationEvent>);

#[async_trait::async_trait]
impl kcost_ports::InvalidationSubscription for Replay {
    async fn next(&mut self) -> Option<InvalidationEvent> {
        (!self.0.is_empty()).then(|| self.0.remove(0))
    }
}

#[tokio::test]
async fn follow_applies_every_event_until_the_bus_ends() {
    let (record, presented) = created_key(None).await;
    let auth = authenticator(
        repository_never_asked(),
        shared_cache_holding(known(&record), 2),
        60,
    );
    auth.authenticate(&presented).await.unwrap();
    let events = vec![InvalidationEvent::Message(format!(
        "apikey:{}",
        record.key_id
    ))];
    auth.cache().follow(Box::new(Replay(events))).await;
    auth.authenticate(&presented).await.unwrap();
}

#[tokio::test]
async fn a_failing_bus_does_not_fail_revocation() {
    let (record, _) = created_key(None).await;
    let mut keys = MockApiKeyRepository::new();
    let revoked = as_revoked(&record);
    keys.expect_revoke().returning(move |_| Ok(revoked.clone()));
    let mut bus = MockInvalidationBus::new();
    bus.expect_publish().returning(|_| {
        Err(kcost_ports::InvalidationError::unavailable(
            anyhow::anyhow!("refused"),
        ))
    });
    let cache = key_cache_with(shared_cache_holding(known(&record), 0), bus, 60);
    let admin = ApiKeyAdmin::new(Arc::new(keys), cache, pepper(), clock());
    assert!(admin.revoke(record.key_id).await.unwrap().revoked);
}
