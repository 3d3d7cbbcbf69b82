//! Shared fixtures for the use-case tests: a stopped clock, the tenant and its keys, and
//! query caches over a mocked shared cache.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use kcost_domain::api_key::{AuthError, AuthenticatedKey, KeyId, Scope, Scopes};
use kcost_domain::cluster::ClusterName;
use kcost_domain::tenant::TenantId;
use kcost_ports::{Clock, MockCache};
use uuid::Uuid;

use crate::costs::QueryError;
use crate::query_cache::QueryCache;

pub use kcost_test_support::FixedClock;

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0)
        .single()
        .unwrap_or_default()
}

pub fn clock() -> Arc<dyn Clock> {
    Arc::new(FixedClock(now()))
}

pub fn tenant() -> TenantId {
    TenantId::from_uuid(Uuid::from_u128(0x7e4a))
}

pub fn key_with(scopes: &[Scope], cluster: Option<&str>) -> AuthenticatedKey {
    AuthenticatedKey {
        key_id: KeyId::from_uuid(Uuid::from_u128(0x1)),
        tenant_id: tenant(),
        scopes: Scopes::new(scopes.iter().copied()).unwrap(),
        cluster: cluster.map(|c| ClusterName::new(c).unwrap()),
    }
}

/// The scope a query was refused for lacking, if that was the refusal.
pub fn missing_scope(error: &QueryError) -> Option<Scope> {
    match error {
        QueryError::Forbidden(AuthError::MissingScope(scope)) => Some(*scope),
        _ => None,
    }
}

/// A query cache over `shared`, the mocked shared cache beneath it.
pub fn query_cache_over(shared: MockCache) -> Arc<QueryCache> {
    Arc::new(QueryCache::new(
        Arc::new(shared),
        Duration::from_secs(60),
        "t:",
    ))
}

/// A query cache holding nothing, that accepts whatever it is given.
pub fn empty_cache() -> Arc<QueryCache> {
    let mut shared = MockCache::new();
    shared.expect_get().returning(|_| Ok(None));
    shared.expect_set().returning(|_, _, _| Ok(()));
    query_cache_over(shared)
}

/// A query cache that must see exactly `invalidations` invalidations of a tenant's answers.
pub fn invalidation_counting_cache(invalidations: usize) -> Arc<QueryCache> {
    let mut shared = MockCache::new();
    shared
        .expect_increment()
        .times(invalidations)
        .returning(|_| Ok(1));
    query_cache_over(shared)
}
