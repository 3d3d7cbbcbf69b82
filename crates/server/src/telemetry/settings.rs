//! `[telemetry]`: logging — the `tracing` filter and the line format.

use kcost_settings::{SettingIssue, SettingIssues, de};
use serde::{Deserialize, Serialize};

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// `pretty` when stderr is a terminal (someone is reading), `json` otherwise (a log
    /// shipper is).
    #[default]
    Auto,
    /// One JSON object per line (for log shippers).
    Json,
    /// Human-readable lines.
    Pretty,
}

impl LogFormat {
    /// The format to write in, `Auto` decided by whether stderr `is_terminal`.
    pub fn resolve(self, is_terminal: bool) -> Self {
        match self {
            Self::Auto if is_terminal => Self::Pretty,
            Self::Auto => Self::Json,
            chosen => chosen,
        }
    }
}

/// `[telemetry]`: logging.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelemetrySettings {
    /// `tracing` filter directives, e.g. `info` or `info,kcost_http=debug`.
    /// `RUST_LOG`, when set, wins.
    #[serde(deserialize_with = "de::text")]
    pub log_level: String,
    /// `auto` (pretty on a terminal, JSON otherwise), `json` or `pretty`.
    pub log_format: LogFormat,
}

impl Default for TelemetrySettings {
    fn default() -> Self {
        Self {
            log_level: "info".to_owned(),
            log_format: LogFormat::Auto,
        }
    }
}

impl TelemetrySettings {
    /// Every problem with the section, keyed within it.
    pub fn validate(&self) -> Vec<SettingIssue> {
        let mut v = SettingIssues::default();
        let level = &self.log_level;
        if level.is_empty() {
            v.push("log_level", "must not be empty (e.g. `info`)");
        } else if let Err(e) = tracing_subscriber::EnvFilter::try_new(level) {
            v.push(
                "log_level",
                format!("invalid filter `{level}`: {e} (e.g. `info` or `info,kcost_http=debug`)"),
            );
        }
        v.into_vec()
    }
}
