//! `[opencost]`: importing allocations from OpenCost instances (docs/opencost.md) — the
//! `aggregate` and back-fill of every import ([`OpenCostSettings::import_settings`]) and
//! one `[[opencost.sources]]` entry per instance: its tenant, cluster, URL and interval,
//! resolved at start-up into an import target ([`OpenCostSourceSettings::resolve`]).

use std::collections::HashSet;
use std::time::Duration;

use anyhow::Context as _;
use kcost_domain::cluster::ClusterName;
use kcost_domain::duration_text::parse_duration;
use kcost_domain::tenant::TenantName;
use kcost_ports::TenantRepository;
use kcost_settings::{ConnectionUrl, SettingIssue, SettingIssues, de};
use serde::{Deserialize, Serialize};

use super::tenant_by_name::tenant_by_name;
use crate::opencost_import::{ImportSettings, ImportTarget};

/// Accepted `aggregate` values.
pub const OPENCOST_AGGREGATES: &[&str] = &["namespace,pod", "cluster,node,namespace,pod"];
/// Bounds of `sources[i].interval`, in seconds.
pub const MIN_OPENCOST_INTERVAL_SECONDS: u64 = 10;
pub const MAX_OPENCOST_INTERVAL_SECONDS: u64 = 24 * 60 * 60;
/// Most `backfill_hours` (90 days).
pub const MAX_OPENCOST_BACKFILL_HOURS: u32 = 90 * 24;

/// `[opencost]`: importing allocations from OpenCost instances (docs/opencost.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OpenCostSettings {
    /// OpenCost `aggregate` for imports: `namespace,pod` (one synthetic node per cluster)
    /// or `cluster,node,namespace,pod` (one per OpenCost node).
    #[serde(deserialize_with = "de::text")]
    pub aggregate: String,
    /// Most hours back one run fetches: the back-fill limit after an outage, and the
    /// history a first import brings in.
    pub backfill_hours: u32,
    /// `[[opencost.sources]]`: one per OpenCost instance. None (the default): no import.
    pub sources: Vec<OpenCostSourceSettings>,
}

impl Default for OpenCostSettings {
    fn default() -> Self {
        Self {
            aggregate: "namespace,pod".to_owned(),
            backfill_hours: 48,
            sources: Vec::new(),
        }
    }
}

/// One `[[opencost.sources]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenCostSourceSettings {
    /// Name of the tenant the data is stored for; must exist at start-up.
    #[serde(deserialize_with = "de::text")]
    pub tenant: String,
    /// Cluster name the data is stored under.
    #[serde(deserialize_with = "de::text")]
    pub cluster: String,
    /// OpenCost's API root, `http(s)://host[:port][/prefix]`. Shown redacted: it may carry
    /// credentials.
    pub url: ConnectionUrl,
    /// How often to import: a duration such as `30s`, `5m`, `1h` (default).
    #[serde(default = "default_opencost_interval", deserialize_with = "de::text")]
    pub interval: String,
}

fn default_opencost_interval() -> String {
    "1h".to_owned()
}

impl OpenCostSourceSettings {
    /// Source `index` at start-up: its tenant looked up by name (one that does not exist
    /// is an error naming `opencost.sources[index].tenant`), its cluster and how often to
    /// import parsed.
    pub async fn resolve(
        &self,
        index: usize,
        tenants: &dyn TenantRepository,
    ) -> anyhow::Result<(ImportTarget, Duration)> {
        let key = |field: &str| format!("opencost.sources[{index}].{field}");
        let name = self.tenant.as_str();
        let tenant_name = TenantName::new(name)
            .with_context(|| format!("{}: `{name}` is not a tenant name", key("tenant")))?;
        let tenant =
            tenant_by_name(tenants, &key("tenant"), &tenant_name, "remove the source").await?;
        let cluster = ClusterName::new(self.cluster.as_str()).with_context(|| key("cluster"))?;
        let interval = parse_duration(&self.interval)
            .map_err(anyhow::Error::msg)
            .with_context(|| key("interval"))?;
        let target = ImportTarget {
            tenant: tenant.id,
            tenant_name: name.to_owned(),
            cluster,
        };
        Ok((target, interval))
    }
}

impl OpenCostSettings {
    /// How every source is imported.
    pub fn import_settings(&self) -> ImportSettings {
        ImportSettings {
            aggregate: self.aggregate.split(',').map(str::to_owned).collect(),
            backfill_hours: self.backfill_hours,
        }
    }

    /// Every problem with the section, keyed within it (`sources[1].url`).
    pub fn validate(&self) -> Vec<SettingIssue> {
        let mut v = SettingIssues::default();
        if !OPENCOST_AGGREGATES.contains(&self.aggregate.as_str()) {
            v.push(
                "aggregate",
                format!("must be one of {}", OPENCOST_AGGREGATES.join(" or ")),
            );
        }
        if !(1..=MAX_OPENCOST_BACKFILL_HOURS).contains(&self.backfill_hours) {
            v.push(
                "backfill_hours",
                format!("must be between 1 and {MAX_OPENCOST_BACKFILL_HOURS}"),
            );
        }
        let mut seen = HashSet::new();
        for (i, source) in self.sources.iter().enumerate() {
            let key = |field: &str| format!("sources[{i}].{field}");
            if let Err(error) = TenantName::new(source.tenant.as_str()) {
                v.push(key("tenant"), format!("must be a tenant name ({error})"));
            }
            if let Err(error) = ClusterName::new(source.cluster.as_str()) {
                v.push(key("cluster"), error.to_string());
            }
            v.url(
                &key("url"),
                &source.url,
                &["http", "https"],
                "must be an http:// or https:// URL of OpenCost's API",
            );
            match parse_duration(&source.interval) {
                Ok(interval)
                    if (MIN_OPENCOST_INTERVAL_SECONDS..=MAX_OPENCOST_INTERVAL_SECONDS)
                        .contains(&interval.as_secs()) => {}
                Ok(_) => v.push(
                    key("interval"),
                    format!(
                        "must be between {MIN_OPENCOST_INTERVAL_SECONDS}s and \
                         {MAX_OPENCOST_INTERVAL_SECONDS}s"
                    ),
                ),
                Err(error) => v.push(key("interval"), error),
            }
            if !seen.insert((source.tenant.as_str(), source.cluster.as_str())) {
                v.push(
                    key("cluster"),
                    "another source already imports this tenant's cluster",
                );
            }
        }
        v.into_vec()
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use kcost_domain::tenant::{Tenant, TenantId};
    use kcost_ports::MockTenantRepository;

    use super::*;

    #[tokio::test]
    async fn sources_resolve_to_an_existing_tenant() {
        let acme = Tenant {
            id: TenantId::from_uuid(uuid::Uuid::from_u128(7)),
            name: TenantName::new("acme").unwrap(),
            created_at: Utc::now(),
        };
        let mut tenants = MockTenantRepository::new();
        let found = acme.clone();
        tenants
            .expect_find_by_name()
            .returning(move |name| Ok((name.as_str() == "acme").then(|| found.clone())));
        let source = |tenant: &str| OpenCostSourceSettings {
            tenant: tenant.into(),
            cluster: "prod".into(),
            url: ConnectionUrl::new("http://opencost:9003"),
            interval: "5m".into(),
        };

        let (target, interval) = source("acme").resolve(0, &tenants).await.unwrap();
        assert_eq!(target.tenant, acme.id);
        assert_eq!(target.tenant_name, "acme");
        assert_eq!(target.cluster.as_str(), "prod");
        assert_eq!(interval, Duration::from_secs(300));

        let err = format!(
            "{:#}",
            source("nobody").resolve(2, &tenants).await.unwrap_err()
        );
        assert!(
            err.starts_with("opencost.sources[2].tenant: no tenant is named `nobody`"),
            "{err}"
        );
    }

    #[test]
    fn sources_are_validated_by_key() {
        let source = |url: &str, interval: &str| OpenCostSourceSettings {
            tenant: "acme".into(),
            cluster: "prod".into(),
            url: ConnectionUrl::new(url),
            interval: interval.into(),
        };
        let settings = OpenCostSettings {
            aggregate: "namespace".into(),
            sources: vec![
                source("http://opencost:9003", "5m"),
                source("ftp://opencost", "soon"),
                source("https://opencost", "1s"),
            ],
            ..OpenCostSettings::default()
        };
        let err: Vec<String> = settings
            .validate()
            .into_iter()
            .map(|i| format!("{}: {}", i.key, i.message))
            .collect();
        let err = err.join("; ");
        assert!(err.contains("aggregate"), "{err}");
        assert!(err.contains("sources[1].url"), "{err}");
        assert!(
            err.contains("sources[1].interval: `soon` is not a duration"),
            "{err}"
        );
        assert!(
            err.contains("sources[2].interval: must be between"),
            "{err}"
        );
        assert!(err.contains("sources[1].cluster: another source"), "{err}");
        assert!(!err.contains("sources[0]"), "{err}");
    }

    #[test]
    fn defaults_are_valid_and_import_settings_split_the_aggregate() {
        let settings = OpenCostSettings::default();
        assert_eq!(settings.validate(), []);
        assert_eq!(settings.import_settings(), ImportSettings::default());
        let per_node = OpenCostSettings {
            aggregate: "cluster,node,namespace,pod".into(),
            backfill_hours: 0,
            ..OpenCostSettings::default()
        };
        assert_eq!(
            per_node.import_settings().aggregate,
            ["cluster", "node", "namespace", "pod"]
        );
        let issues = per_node.validate();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].key, "backfill_hours");
        assert_eq!(issues[0].message, "must be between 1 and 2160");
    }
}
