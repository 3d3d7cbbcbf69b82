//! `anonymous_tenant` of `[kubecent]` and `[allocation]`: a tenant, by id (UUID) or name,
//! whose data read-only routes serve to requests carrying no API key at all. One type for
//! both sections, so the setting is read, checked and resolved at start-up the same way.

use anyhow::Context as _;
use kcost_domain::tenant::{TenantId, TenantName};
use kcost_ports::{TenantRepository, TenantRepositoryError};
use kcost_settings::{SettingIssues, de};
use serde::{Deserialize, Serialize};

use super::tenant_by_name::tenant_by_name;

/// A tenant id or name, or unset (the default: every request needs a key). Read leniently
/// (trimmed; empty means unset); sections skip it in their output while unset.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AnonymousTenant(#[serde(deserialize_with = "de::opt_text")] Option<String>);

impl AnonymousTenant {
    /// The tenant with this id or name.
    pub fn new(id_or_name: impl Into<String>) -> Self {
        Self(Some(id_or_name.into()))
    }

    /// The id or name as configured; `None` when unset.
    pub fn value(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// Whether unset (for `skip_serializing_if`).
    pub fn is_unset(&self) -> bool {
        self.0.is_none()
    }

    /// Records a problem under `key` unless unset, a tenant id or a valid tenant name.
    pub(crate) fn check(&self, v: &mut SettingIssues, key: &str) {
        if let Some(value) = self.value()
            && uuid::Uuid::parse_str(value).is_err()
            && let Err(error) = TenantName::new(value)
        {
            v.push(
                key,
                format!("must be a tenant id or name ({error}); omit it to require API keys"),
            );
        }
    }

    /// The tenant named, by id or name; `None` when unset. `key` is the setting's full
    /// name (`kubecent.anonymous_tenant`), for errors and the log. A tenant that does not
    /// exist fails start-up: serving nothing (or a 500 per request) would hide the
    /// mistake. `routes` says what answers without a key, for the warning logged when the
    /// mode is on.
    pub async fn resolve(
        &self,
        tenants: &dyn TenantRepository,
        key: &str,
        routes: &str,
    ) -> anyhow::Result<Option<TenantId>> {
        let Some(value) = self.value() else {
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
            tenant_by_name(tenants, key, &name, "unset the key")
                .await?
                .id
        };
        tracing::warn!(%tenant, setting = key, "{key} is set: {routes} answer without an API key");
        Ok(Some(tenant))
    }
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

    #[test]
    fn an_id_or_a_name_is_accepted() {
        for ok in [
            AnonymousTenant::default(),
            AnonymousTenant::new("acme"),
            AnonymousTenant::new("6f1c1a5e-1b2c-4d3e-8f90-123456789abc"),
        ] {
            let mut v = SettingIssues::default();
            ok.check(&mut v, "anonymous_tenant");
            assert_eq!(v.into_vec(), [], "{ok:?}");
        }
        let mut v = SettingIssues::default();
        AnonymousTenant::new("t".repeat(200)).check(&mut v, "anonymous_tenant");
        let issues = v.into_vec();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].key, "anonymous_tenant");
        assert!(
            issues[0].message.starts_with("must be a tenant id or name"),
            "{issues:?}"
        );
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
        let resolve = |setting: AnonymousTenant, key: &'static str| {
            let tenants = &tenants;
            async move { setting.resolve(tenants, key, "routes").await }
        };
        let key = "kubecent.anonymous_tenant";

        assert_eq!(
            resolve(AnonymousTenant::default(), key).await.unwrap(),
            None
        );
        let by_name = resolve(AnonymousTenant::new("acme"), key).await;
        assert_eq!(by_name.unwrap(), Some(acme().id));
        let by_id = resolve(AnonymousTenant::new(acme().id.to_string()), "k").await;
        assert_eq!(by_id.unwrap(), Some(acme().id));

        let err = format!(
            "{:#}",
            resolve(AnonymousTenant::new("nobody"), key)
                .await
                .unwrap_err()
        );
        assert!(
            err.starts_with("kubecent.anonymous_tenant: no tenant is named `nobody`"),
            "{err}"
        );
        let unknown = uuid::Uuid::from_u128(8).to_string();
        let err = resolve(AnonymousTenant::new(unknown.clone()), "k")
            .await
            .unwrap_err()
            .to_string();
        assert_eq!(err, format!("k: no tenant has the id `{unknown}`"));
    }
}
