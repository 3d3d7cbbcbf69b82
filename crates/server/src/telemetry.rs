//! Logging: a `tracing-subscriber` writing to stderr (stdout stays free for command
//! output such as `kcost config show`), JSON or human-readable (`auto`: readable on a
//! terminal), filtered by `telemetry.log_level` unless `RUST_LOG` is set. The migration
//! library's line per applied migration is left out (kcost logs one line per store with
//! every migration it applied) unless a filter asks for it. Configured by `[telemetry]`
//! ([`settings`]).

pub mod settings;

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

pub use settings::{LogFormat, TelemetrySettings};

/// Logging could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// A filter (from `RUST_LOG` or `telemetry.log_level`) did not parse.
    #[error("invalid log filter from {source_name} `{filter}`: {reason}")]
    Filter {
        /// `RUST_LOG` or `telemetry.log_level`.
        source_name: &'static str,
        /// The filter text.
        filter: String,
        /// Why it did not parse.
        reason: String,
    },
}

/// The filter to use: `rust_log` (the value of `RUST_LOG`) when set and non-empty,
/// else `settings.log_level`.
pub fn filter(
    settings: &TelemetrySettings,
    rust_log: Option<&str>,
) -> Result<EnvFilter, TelemetryError> {
    let (source_name, text) = match rust_log.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => ("RUST_LOG", text),
        None => ("telemetry.log_level", settings.log_level.as_str()),
    };
    // One line per applied migration (25 on a first start) says nothing the store's own
    // summary line does not.
    let text = if text.contains("sea_orm_migration") {
        text.to_owned()
    } else {
        format!("{text},{QUIET_MIGRATIONS}")
    };
    EnvFilter::try_new(&text).map_err(|e| TelemetryError::Filter {
        source_name,
        filter: text.clone(),
        reason: e.to_string(),
    })
}

/// The directive that keeps the migration library to warnings.
const QUIET_MIGRATIONS: &str = "sea_orm_migration=warn";

/// Installs the global subscriber. Returns `Ok(false)` (and changes nothing) when a
/// subscriber is already installed, so calling it twice is harmless.
pub fn init(settings: &TelemetrySettings) -> Result<bool, TelemetryError> {
    let rust_log = std::env::var("RUST_LOG").ok();
    let filter = filter(settings, rust_log.as_deref())?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let installed = match settings.log_format.resolve(std::io::stderr().is_terminal()) {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
            .is_ok(),
        LogFormat::Pretty | LogFormat::Auto => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init()
            .is_ok(),
    };
    Ok(installed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(level: &str, format: LogFormat) -> TelemetrySettings {
        TelemetrySettings {
            log_level: level.to_owned(),
            log_format: format,
        }
    }

    #[test]
    fn rust_log_wins_over_log_level() {
        let s = settings("info", LogFormat::Json);
        let quiet = "sea_orm_migration=warn";
        assert_eq!(
            filter(&s, None).unwrap().to_string(),
            format!("{quiet},info")
        );
        assert_eq!(
            filter(&s, Some("  ")).unwrap().to_string(),
            format!("{quiet},info")
        );
        assert_eq!(
            filter(&s, Some("warn,kcost=debug")).unwrap().to_string(),
            format!("{quiet},kcost=debug,warn")
        );
        // Asking for the migration library's lines gets them.
        assert_eq!(
            filter(&s, Some("info,sea_orm_migration=info"))
                .unwrap()
                .to_string(),
            "sea_orm_migration=info,info"
        );
    }

    #[test]
    fn auto_is_readable_on_a_terminal_and_json_otherwise() {
        assert_eq!(LogFormat::Auto.resolve(true), LogFormat::Pretty);
        assert_eq!(LogFormat::Auto.resolve(false), LogFormat::Json);
        assert_eq!(LogFormat::Json.resolve(true), LogFormat::Json);
        assert_eq!(LogFormat::Pretty.resolve(false), LogFormat::Pretty);
    }

    #[test]
    fn bad_filters_name_their_source() {
        let s = settings("info,=nonsense=", LogFormat::Json);
        let err = filter(&s, None).unwrap_err().to_string();
        assert!(err.contains("telemetry.log_level"), "{err}");
        let err = filter(&settings("info", LogFormat::Json), Some("x=notalevel"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("RUST_LOG"), "{err}");
    }

    #[test]
    fn init_twice_is_harmless() {
        let s = settings("warn", LogFormat::Pretty);
        let first = init(&s).unwrap();
        let second = init(&s).unwrap();
        assert!(
            !second,
            "second init must not install again (first: {first})"
        );
    }
}
