//! `[database]` (the relational store: tenants, keys, recommendations, prices) and
//! `[timescale]` (the time-series store: samples and hourly rollups). Their URLs choose the
//! adapter — an SQLite file or PostgreSQL — which is this crate's wiring, so both sections
//! live here, beside the code that opens and migrates the stores.

use kcost_settings::{ConnectionUrl, SettingIssue, SettingIssues, de};
use serde::{Deserialize, Deserializer, Serialize};

/// The embedded default database: one SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://kcost.db?mode=rwc";

/// Accepted URL schemes of both stores.
pub const DATABASE_SCHEMES: &[&str] = &["sqlite", "postgres", "postgresql"];

/// `[database]`: the relational store (tenants, keys, recommendations, prices).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://…` (embedded default) or `postgres://…`.
    pub url: ConnectionUrl,
    /// Pool size.
    pub max_connections: u32,
    /// Time allowed to open one connection.
    pub connect_timeout_seconds: u64,
    /// Apply pending migrations at start-up.
    pub run_migrations: bool,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: ConnectionUrl::new(DEFAULT_DATABASE_URL),
            max_connections: 10,
            connect_timeout_seconds: 5,
            run_migrations: true,
        }
    }
}

impl DatabaseSettings {
    /// Every problem with the section, keyed within it. The URL is never echoed.
    pub fn validate(&self) -> Vec<SettingIssue> {
        let mut v = SettingIssues::default();
        v.url(
            "url",
            &self.url,
            DATABASE_SCHEMES,
            "must start with sqlite:// or postgres://",
        );
        v.positive("max_connections", u64::from(self.max_connections));
        v.positive("connect_timeout_seconds", self.connect_timeout_seconds);
        v.into_vec()
    }
}

/// Whether to use TimescaleDB features on the time-series store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimescaleMode {
    /// Use TimescaleDB when the extension is available.
    #[default]
    Auto,
    /// Require TimescaleDB (fail at start-up when it is missing).
    On,
    /// Never use TimescaleDB, even when present (plain PostgreSQL tables).
    Off,
}

impl<'de> Deserialize<'de> for TimescaleMode {
    /// Accepts `"auto" | "on" | "off"` (any case) and the booleans `true`/`false`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        const VARIANTS: &[&str] = &["auto", "on", "off"];
        let text = de::text(deserializer)?;
        match text.to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "on" | "true" => Ok(Self::On),
            "off" | "false" => Ok(Self::Off),
            _ => Err(serde::de::Error::unknown_variant(&text, VARIANTS)),
        }
    }
}

/// `[timescale]`: the time-series store (samples and hourly rollups).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TimescaleSettings {
    /// Own URL for the time-series store; absent = `database.url`.
    #[serde(
        deserialize_with = "de::opt_url",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<ConnectionUrl>,
    /// Raw samples older than this are dropped; 0 = keep forever.
    pub retention_days: u32,
    /// How often the rollups of closed hours are built, in seconds; 0 = never here.
    pub rollup_interval_seconds: u64,
    /// `auto`, `on` or `off`.
    pub timescaledb: TimescaleMode,
}

impl Default for TimescaleSettings {
    fn default() -> Self {
        Self {
            url: None,
            retention_days: 400,
            rollup_interval_seconds: 60,
            timescaledb: TimescaleMode::Auto,
        }
    }
}

impl TimescaleSettings {
    /// Every problem with the section, keyed within it. Whether `timescaledb = on` fits the
    /// store depends on `database.url` too, so the configuration checks that.
    pub fn validate(&self) -> Vec<SettingIssue> {
        let mut v = SettingIssues::default();
        if let Some(url) = &self.url {
            v.url(
                "url",
                url,
                DATABASE_SCHEMES,
                "must start with postgres:// or sqlite:// (or be empty to use database.url)",
            );
        }
        v.into_vec()
    }
}
