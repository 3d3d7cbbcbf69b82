//! Shared fixtures for the use-case tests.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use kcost_domain::api_key::{AuthenticatedKey, KeyId, Scope, Scopes};
use kcost_domain::cluster::ClusterName;
use kcost_domain::tenant::TenantId;
use kcost_ports::Clock;
use uuid::Uuid;

/// A clock stopped at one instant.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

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
