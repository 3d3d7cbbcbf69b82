//! Instance settings port: named values this kcost installation generates once and every
//! start and replica must then agree on (the generated API-key pepper, the admin-token
//! hash).

use async_trait::async_trait;

/// Errors of the port: `Unavailable` when the store cannot be reached (the caller may
/// retry later), else `Unexpected`.
pub type InstanceSettingsError = crate::BackendFailure;

/// Stores write-once named values.
///
/// Contract: `get` of an unknown name is `Ok(None)`; `insert_if_absent` stores `value`
/// under `name` unless the name already has a value, and returns the value stored under
/// the name afterwards — so of several concurrent first writers (two replicas starting at
/// once) every one gets the same winning value back, and a later call never replaces it.
/// Connection failures are `Unavailable`; anything else is `Unexpected`. Values may be
/// secrets: implementations never log them.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait InstanceSettingsRepository: Send + Sync {
    async fn get(&self, name: &str) -> Result<Option<String>, InstanceSettingsError>;
    async fn insert_if_absent(
        &self,
        name: &str,
        value: &str,
    ) -> Result<String, InstanceSettingsError>;
}
