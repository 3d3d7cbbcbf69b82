//! `[redis]`: the shared cache — Redis when `url` is set (every replica shares it), else
//! the in-process cache — with its per-command timeout and how long cost-query answers
//! stay cached.

use kcost_settings::{ConnectionUrl, SettingIssue, SettingIssues, de};
use serde::{Deserialize, Serialize};

/// Accepted `url` schemes.
pub const REDIS_SCHEMES: &[&str] = &["redis", "rediss"];

/// `[redis]`: optional shared cache; absent = in-process cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedisSettings {
    /// `redis://…` or `rediss://…`; absent = in-process cache.
    #[serde(
        deserialize_with = "de::opt_url",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<ConnectionUrl>,
    /// Per-command timeout; on timeout kcost serves from the database.
    pub timeout_ms: u64,
    /// TTL of cached cost-query results; 0 disables the query cache.
    pub query_cache_ttl_seconds: u64,
}

impl Default for RedisSettings {
    fn default() -> Self {
        Self {
            url: None,
            timeout_ms: 250,
            query_cache_ttl_seconds: 300,
        }
    }
}

impl RedisSettings {
    /// Every problem with the section, keyed within it. The URL is never echoed.
    pub fn validate(&self) -> Vec<SettingIssue> {
        let mut v = SettingIssues::default();
        if let Some(url) = &self.url {
            v.url(
                "url",
                url,
                REDIS_SCHEMES,
                "must start with redis:// or rediss:// (or be empty for the in-process cache)",
            );
        }
        v.positive("timeout_ms", self.timeout_ms);
        v.into_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_and_timeout_rules() {
        assert_eq!(RedisSettings::default().validate(), []);
        let ok = RedisSettings {
            url: Some(ConnectionUrl::new("rediss://:pw@cache:6380")),
            ..RedisSettings::default()
        };
        assert_eq!(ok.validate(), []);
        let bad = RedisSettings {
            url: Some(ConnectionUrl::new("http://user:hunter2@cache")),
            timeout_ms: 0,
            query_cache_ttl_seconds: 0,
        };
        let found: Vec<(String, String)> = bad
            .validate()
            .into_iter()
            .map(|i| (i.key, i.message))
            .collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, "url");
        assert!(
            found[0]
                .1
                .starts_with("must start with redis:// or rediss://")
        );
        assert!(!found[0].1.contains("hunter2"));
        assert_eq!(
            found[1],
            ("timeout_ms".to_owned(), "must be greater than 0".to_owned())
        );
    }
}
