//! Test fixtures shared by the api_key submodules' tests: one pepper, key id, secret and
//! stored record, so every test speaks of the same key.

use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

use super::{
    ApiKeyRecord, ApiKeySecret, KeyId, Pepper, PresentedApiKey, Salt, Scope, Scopes, SecretHash,
};
use crate::tenant::TenantId;

pub(super) const PEPPER: &str = "kcost-test-pepper-0123456789";

pub(super) fn pepper() -> Pepper {
    Pepper::new(PEPPER).unwrap()
}

pub(super) fn counting_bytes<const N: usize>() -> [u8; N] {
    std::array::from_fn(|i| i as u8)
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

pub(super) fn key_id() -> KeyId {
    "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f".parse().unwrap()
}

pub(super) fn secret() -> ApiKeySecret {
    ApiKeySecret::from_random_bytes(&counting_bytes())
}

pub(super) fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 15, hour, 0, 0).unwrap()
}

pub(super) fn record() -> ApiKeyRecord {
    let salt = Salt::from_bytes(counting_bytes());
    ApiKeyRecord {
        key_id: key_id(),
        tenant_id: TenantId::from_uuid(Uuid::from_u128(7)),
        name: Some("prod agent".to_owned()),
        salt,
        secret_hash: SecretHash::compute(&pepper(), &salt, &secret()),
        scopes: Scopes::single(Scope::MetricsWrite),
        cluster: None,
        revoked: false,
        expires_at: None,
        created_at: at(0),
        last_used_at: None,
    }
}

pub(super) fn presented() -> PresentedApiKey {
    PresentedApiKey::new(key_id(), secret())
}

pub(super) fn header_value() -> String {
    presented().to_header_value().expose().to_owned()
}
