//! Typed, layered configuration (figment).
//!
//! Layers, later wins: the embedded `config/default.toml`; `<config dir>/default.toml`;
//! `<config dir>/<KCOST_ENV>.toml`; the `--config` / `KCOST_CONFIG_FILE` file; then
//! environment variables `KCOST_<SECTION>__<KEY>` (see [`sources`] for the value syntax,
//! including lists). Unknown keys are errors that name the key; after extraction
//! [`Settings::validate`] checks every value and reports all problems at once.
//!
//! Each section is declared and validated next to what it configures, and re-exported
//! here: `[server]` in `kcost_http::settings`; `[ingest]`, `[pricing]`, `[security]`,
//! `[kubecent]`, `[allocation]`, `[opencost]` and `[budgets]` in `kcost_app::settings`; `[redis]` in
//! `kcost_redis_adapter`; `[agent]` in `kcost_simulator::settings`; `[database]` and
//! `[timescale]` in [`crate::storage::settings`]; `[telemetry]` in
//! [`crate::telemetry::settings`]. Secrets and URLs are `kcost_settings` types that
//! never print their secret part.
//!
//! ```no_run
//! # fn main() -> Result<(), kcost_server::config::ConfigError> {
//! use kcost_server::config::{ConfigSources, Settings};
//! let settings = Settings::load(&ConfigSources::from_process_env(None)?)?;
//! println!("listening on {}:{}", settings.server.host, settings.server.port);
//! # Ok(()) }
//! ```

pub mod error;
pub mod sources;
mod validate;

use serde::{Deserialize, Serialize};

pub use crate::storage::settings::{
    DEFAULT_DATABASE_URL, DatabaseSettings, TimescaleMode, TimescaleSettings,
};
pub use crate::telemetry::settings::{LogFormat, TelemetrySettings};
pub use error::{ConfigError, Issue};
pub use kcost_app::settings::{
    AllocationSettings, BudgetSettings, IngestSettings, KubecentSettings, OpenCostSettings,
    OpenCostSourceSettings, PricingSettings, SecuritySettings,
};
pub use kcost_http::ServerSettings;
pub use kcost_redis_adapter::RedisSettings;
pub use kcost_settings::{ConnectionUrl, REDACTED, Secret};
pub use kcost_simulator::settings::AgentSettings;
pub use sources::{ConfigSources, DEFAULT_TOML, Environment};

/// The whole configuration. Build it with [`Settings::load`]; `Default` equals the
/// embedded `config/default.toml` in the `development` environment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `[server]`
    pub server: ServerSettings,
    /// `[database]`
    pub database: DatabaseSettings,
    /// `[timescale]`
    pub timescale: TimescaleSettings,
    /// `[redis]`
    pub redis: RedisSettings,
    /// `[security]`
    pub security: SecuritySettings,
    /// `[ingest]`
    pub ingest: IngestSettings,
    /// `[pricing]`
    pub pricing: PricingSettings,
    /// `[telemetry]`
    pub telemetry: TelemetrySettings,
    /// `[agent]`
    pub agent: AgentSettings,
    /// `[kubecent]`
    pub kubecent: KubecentSettings,
    /// `[allocation]`
    pub allocation: AllocationSettings,
    /// `[opencost]`
    pub opencost: OpenCostSettings,
    /// `[budgets]`
    pub budgets: BudgetSettings,
    /// The `KCOST_ENV` the settings were loaded for (not a config key).
    #[serde(skip)]
    pub environment: Environment,
}

impl Settings {
    /// Loads every layer named by `sources`, extracts and validates. Reads only the
    /// files named by `sources` (never the process environment).
    pub fn load(sources: &ConfigSources) -> Result<Self, ConfigError> {
        let figment = sources.figment()?;
        let mut settings: Settings = figment
            .extract_lossy()
            .map_err(|e| ConfigError::from_figment(e, &figment))?;
        settings.environment = sources.environment.clone();
        settings.validate()?;
        Ok(settings)
    }

    /// Checks every rule; the error lists every failing key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match ConfigError::from_issues(validate::validate(self, &self.environment)) {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    /// The time-series store's URL: `timescale.url`, else `database.url`.
    pub fn timeseries_url(&self) -> &ConnectionUrl {
        self.timescale.url.as_ref().unwrap_or(&self.database.url)
    }

    /// The effective configuration as TOML, secrets and URL passwords redacted.
    pub fn to_redacted_toml(&self) -> Result<String, ConfigError> {
        toml::to_string(self)
            .map_err(|e| ConfigError::single(Issue::new("", format!("cannot render as TOML: {e}"))))
    }
}
