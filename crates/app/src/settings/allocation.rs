//! `[allocation]`: OpenCost's allocation API (`/allocation`, `/model/allocation`,
//! `/v1/allocation`) — which tenant, if any, it serves to requests without an API key.

use kcost_settings::{SettingIssue, SettingIssues};
use serde::{Deserialize, Serialize};

use super::AnonymousTenant;

/// `[allocation]`: OpenCost's allocation API (`/allocation`, `/model/allocation`,
/// `/v1/allocation`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AllocationSettings {
    /// Name or id of a tenant whose data the allocation routes serve, read-only, to
    /// requests carrying no API key at all (the OpenCost UI and kubectl-cost send none).
    /// Absent (the default): every request needs a key. The tenant must exist at start-up
    /// (resolved by the server as `allocation.anonymous_tenant`).
    #[serde(skip_serializing_if = "AnonymousTenant::is_unset")]
    pub anonymous_tenant: AnonymousTenant,
}

impl AllocationSettings {
    /// Every problem with the section, keyed within it.
    pub fn validate(&self) -> Vec<SettingIssue> {
        let mut v = SettingIssues::default();
        self.anonymous_tenant.check(&mut v, "anonymous_tenant");
        v.into_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_tenant_is_checked_under_its_key() {
        let issues = AllocationSettings {
            anonymous_tenant: AnonymousTenant::new("t".repeat(200)),
        }
        .validate();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].key, "anonymous_tenant");
    }
}
