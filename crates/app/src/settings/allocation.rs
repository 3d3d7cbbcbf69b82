//! `[allocation]`: OpenCost's allocation API (`/allocation`, `/model/allocation`,
//! `/v1/allocation`) — which tenant, if any, it serves to requests without an API key.

use kcost_domain::settings::{SettingIssue, SettingIssues, de};
use kcost_domain::tenant::TenantId;
use kcost_ports::TenantRepository;
use serde::{Deserialize, Serialize};

/// `[allocation]`: OpenCost's allocation API (`/allocation`, `/model/allocation`,
/// `/v1/allocation`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AllocationSettings {
    /// Name or id of a tenant whose data the allocation routes serve, read-only, to
    /// requests carrying no API key at all (the OpenCost UI and kubectl-cost send none).
    /// Absent (the default): every request needs a key. The tenant must exist at start-up.
    #[serde(
        deserialize_with = "de::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub anonymous_tenant: Option<String>,
}

impl AllocationSettings {
    /// Every problem with the section, keyed within it.
    pub fn validate(&self) -> Vec<SettingIssue> {
        let mut v = SettingIssues::default();
        super::check_anonymous_tenant(&mut v, "anonymous_tenant", self.anonymous_tenant.as_ref());
        v.into_vec()
    }

    /// The tenant `anonymous_tenant` names (`None` when unset), looked up at start-up; one
    /// that does not exist is an error naming `allocation.anonymous_tenant`.
    pub async fn resolve_anonymous_tenant(
        &self,
        tenants: &dyn TenantRepository,
    ) -> anyhow::Result<Option<TenantId>> {
        super::resolve_anonymous_tenant(
            tenants,
            "allocation.anonymous_tenant",
            self.anonymous_tenant.as_deref(),
            "the allocation routes",
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_tenant_is_an_id_or_a_name() {
        for ok in [
            None,
            Some("acme"),
            Some("6f1c1a5e-1b2c-4d3e-8f90-123456789abc"),
        ] {
            let settings = AllocationSettings {
                anonymous_tenant: ok.map(str::to_owned),
            };
            assert_eq!(settings.validate(), [], "{ok:?}");
        }
        let issues = AllocationSettings {
            anonymous_tenant: Some("t".repeat(200)),
        }
        .validate();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].key, "anonymous_tenant");
        assert!(
            issues[0].message.starts_with("must be a tenant id or name"),
            "{issues:?}"
        );
    }
}
