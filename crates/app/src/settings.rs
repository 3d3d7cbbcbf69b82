//! The configuration sections the use cases own, each declared (serde, defaults equal to
//! `config/default.toml`) and validated beside the others the use cases read:
//!
//! - [`ingest`]: `[ingest]` (snapshot intake) and `[pricing]` (the default rates), turned
//!   into what [`crate::ingest::IngestSnapshot`] takes;
//! - [`security`]: `[security]` (the API-key pepper, the key cache, the admin token);
//! - [`kubecent`]: `[kubecent]` (anonymous `/api/v1` access, cache warming);
//! - [`allocation`]: `[allocation]` (anonymous access to the allocation API);
//! - [`opencost`]: `[opencost]` (the OpenCost sources to import from).
//!
//! Each section's `validate` keys its problems within the section (`sources[1].url`); the
//! server prefixes the section's name and reports every problem at once. Rules that need
//! another section or the environment (a pepper required in production) are the server's.
//! What needs a store is resolved at start-up (`resolve_anonymous_tenant`).

pub mod allocation;
pub mod ingest;
pub mod kubecent;
pub mod opencost;
pub mod security;

pub use allocation::AllocationSettings;
pub use ingest::{IngestSettings, PricingSettings};
pub use kubecent::KubecentSettings;
pub use opencost::{OPENCOST_AGGREGATES, OpenCostSettings, OpenCostSourceSettings};
pub use security::{MIN_PEPPER_BYTES, SecuritySettings};

use anyhow::Context as _;
use kcost_domain::settings::SettingIssues;
use kcost_domain::tenant::{TenantId, TenantName};
use kcost_ports::{TenantRepository, TenantRepositoryError};

/// An `anonymous_tenant` setting (`[kubecent]`, `[allocation]`): a tenant id (UUID) or a
/// valid tenant name.
fn check_anonymous_tenant(v: &mut SettingIssues, key: &str, value: Option<&String>) {
    if let Some(value) = value
        && uuid::Uuid::parse_str(value).is_err()
        && let Err(error) = TenantName::new(value.as_str())
    {
        v.push(
            key,
            format!("must be a tenant id or name ({error}); omit it to require API keys"),
        );
    }
}

/// The tenant an `anonymous_tenant` setting (`key`) names, by id (UUID) or name; `None`
/// when unset. A tenant that does not exist fails start-up: serving nothing (or a 500 per
/// request) would hide the mistake. `routes` says what answers without a key, for the
/// warning logged when the mode is on.
async fn resolve_anonymous_tenant(
    tenants: &dyn TenantRepository,
    key: &str,
    value: Option<&str>,
    routes: &str,
) -> anyhow::Result<Option<TenantId>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let tenant = if let Ok(id) = uuid::Uuid::parse_str(value) {
        match tenants.get(TenantId::from_uuid(id)).await {
            Ok(tenant) => tenant.id,
            Err(TenantRepositoryError::NotFound) => {
                anyhow::bail!("{key}: no tenant has the id `{value}`")
            }
            Err(error) => {
                return Err(anyhow::Error::new(error)
                    .context(format!("{key}: looking up tenant `{value}`")));
            }
        }
    } else {
        let name = TenantName::new(value)
            .with_context(|| format!("{key}: `{value}` is not a tenant id or name"))?;
        tenants
            .find_by_name(&name)
            .await
            .with_context(|| format!("{key}: looking up tenant `{value}`"))?
            .with_context(|| {
                format!(
                    "{key}: no tenant is named `{value}`; create it (`kcost tenants create`) \
                     or unset the key"
                )
            })?
            .id
    };
    tracing::warn!(%tenant, setting = key, "{key} is set: {routes} answer without an API key");
    Ok(Some(tenant))
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use kcost_domain::tenant::Tenant;
    use kcost_ports::MockTenantRepository;

    use super::*;

    fn acme() -> Tenant {
        Tenant {
            id: TenantId::from_uuid(uuid::Uuid::from_u128(7)),
            name: TenantName::new("acme").unwrap(),
            created_at: Utc::now(),
        }
    }

    #[tokio::test]
    async fn anonymous_tenants_resolve_by_id_or_name_and_must_exist() {
        let mut tenants = MockTenantRepository::new();
        tenants.expect_get().returning(|id| {
            if id == acme().id {
                Ok(acme())
            } else {
                Err(TenantRepositoryError::NotFound)
            }
        });
        tenants
            .expect_find_by_name()
            .returning(|name| Ok((name.as_str() == "acme").then(acme)));
        let resolve = |value: Option<&'static str>| {
            resolve_anonymous_tenant(&tenants, "kubecent.anonymous_tenant", value, "routes")
        };

        assert_eq!(resolve(None).await.unwrap(), None);
        assert_eq!(resolve(Some("acme")).await.unwrap(), Some(acme().id));
        let id = acme().id.to_string();
        let by_id = resolve_anonymous_tenant(&tenants, "k", Some(&id), "routes").await;
        assert_eq!(by_id.unwrap(), Some(acme().id));

        let err = format!("{:#}", resolve(Some("nobody")).await.unwrap_err());
        assert!(
            err.starts_with("kubecent.anonymous_tenant: no tenant is named `nobody`"),
            "{err}"
        );
        let unknown = uuid::Uuid::from_u128(8).to_string();
        let err = resolve_anonymous_tenant(&tenants, "k", Some(&unknown), "routes")
            .await
            .unwrap_err()
            .to_string();
        assert_eq!(err, format!("k: no tenant has the id `{unknown}`"));
    }
}
