//! `[kubecent]`: the Kubecent-compatible API under `/api/v1` — which tenant, if any, it
//! serves to requests without an API key, and how often the default answers of active
//! tenants are recomputed into the query cache.

use kcost_settings::{SettingIssue, SettingIssues};
use serde::{Deserialize, Serialize};

use super::AnonymousTenant;

/// Longest accepted `warm_interval_seconds` (a day).
pub const MAX_WARM_INTERVAL_SECONDS: u64 = 24 * 60 * 60;
/// Shortest non-zero `warm_interval_seconds`: warming recomputes every active tenant's
/// answers, so it must not run back to back.
pub const MIN_WARM_INTERVAL_SECONDS: u64 = 10;

/// `[kubecent]`: the Kubecent-compatible API under `/api/v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KubecentSettings {
    /// Name or id of a tenant whose data the read-only `/api/v1` endpoints serve to
    /// requests carrying no API key at all (Kubecent's frontend sends none). Absent (the
    /// default): every request needs a key. The tenant must exist at start-up (resolved by
    /// the server as `kubecent.anonymous_tenant`).
    #[serde(skip_serializing_if = "AnonymousTenant::is_unset")]
    pub anonymous_tenant: AnonymousTenant,
    /// How often the default answers of tenants that ingested lately are recomputed into
    /// the query cache; 0 turns warming off.
    pub warm_interval_seconds: u64,
}

impl Default for KubecentSettings {
    fn default() -> Self {
        Self {
            anonymous_tenant: AnonymousTenant::default(),
            warm_interval_seconds: 240,
        }
    }
}

impl KubecentSettings {
    /// Every problem with the section, keyed within it.
    pub fn validate(&self) -> Vec<SettingIssue> {
        let mut v = SettingIssues::default();
        self.anonymous_tenant.check(&mut v, "anonymous_tenant");
        let interval = self.warm_interval_seconds;
        if interval != 0
            && !(MIN_WARM_INTERVAL_SECONDS..=MAX_WARM_INTERVAL_SECONDS).contains(&interval)
        {
            v.push(
                "warm_interval_seconds",
                format!(
                    "must be 0 (off) or between {MIN_WARM_INTERVAL_SECONDS} and \
                     {MAX_WARM_INTERVAL_SECONDS}"
                ),
            );
        }
        v.into_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_interval(seconds: u64) -> KubecentSettings {
        KubecentSettings {
            warm_interval_seconds: seconds,
            ..KubecentSettings::default()
        }
    }

    #[test]
    fn warm_interval_is_off_or_between_ten_seconds_and_a_day() {
        for ok in [0, 10, 240, 86_400] {
            assert_eq!(with_interval(ok).validate(), [], "{ok}");
        }
        for bad in [5, 86_401] {
            let issues = with_interval(bad).validate();
            assert_eq!(issues.len(), 1, "{bad}");
            assert_eq!(issues[0].key, "warm_interval_seconds");
            assert_eq!(issues[0].message, "must be 0 (off) or between 10 and 86400");
        }
    }

    #[test]
    fn anonymous_tenant_is_an_id_or_a_name() {
        let settings = KubecentSettings {
            anonymous_tenant: AnonymousTenant::new("t".repeat(200)),
            ..KubecentSettings::default()
        };
        let issues = settings.validate();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].key, "anonymous_tenant");
    }
}
