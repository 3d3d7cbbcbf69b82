//! Where configuration comes from, and the figment providers for each layer.
//!
//! Layers, later wins:
//! 1. `config/default.toml` embedded in the binary;
//! 2. `<config dir>/default.toml` on disk, if present;
//! 3. `<config dir>/<KCOST_ENV>.toml`, if present;
//! 4. the file named by `--config` / `KCOST_CONFIG_FILE` (must exist when given);
//! 5. environment variables `KCOST_<SECTION>__<KEY>`.
//!
//! The config dir is `KCOST_CONFIG_DIR`, else `./config`. `KCOST_ENV` defaults to
//! `development`; `prod` is accepted as an alias of `production`.
//!
//! Environment values: a value starting with `[`, `{` or `"` is parsed as structured
//! data (`KCOST_SERVER__CORS_ORIGINS='["https://a.example","https://b.example"]'`); any
//! other value is taken as text, and numbers and booleans are read from that text when
//! the key needs one. Lists also accept a comma-separated string
//! (`KCOST_SERVER__CORS_ORIGINS=https://a.example,https://b.example`).
//! `KCOST_*` variables without `__` (`KCOST_ENV`, `KCOST_CONFIG_DIR`, …) are not keys.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use figment::providers::{Format, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Metadata, Profile, Provider};

use super::error::{ConfigError, Issue};

/// The built-in defaults, identical to the repository's `config/default.toml`.
pub const DEFAULT_TOML: &str = include_str!("../../../../config/default.toml");

/// Prefix of every kcost environment variable.
pub const ENV_PREFIX: &str = "KCOST_";
/// Separator between section and key in environment variable names.
pub const ENV_SEPARATOR: &str = "__";
/// Selects `<config dir>/<name>.toml`.
pub const ENV_VAR_ENV: &str = "KCOST_ENV";
/// Overrides the config dir.
pub const ENV_VAR_CONFIG_DIR: &str = "KCOST_CONFIG_DIR";
/// Names an extra config file (same as `--config`).
pub const ENV_VAR_CONFIG_FILE: &str = "KCOST_CONFIG_FILE";
/// Default config dir, relative to the working directory.
pub const DEFAULT_CONFIG_DIR: &str = "config";

pub(crate) const EMBEDDED_SOURCE_NAME: &str = "built-in defaults";
pub(crate) const ENV_SOURCE_NAME: &str = "environment variable";

/// The deployment environment named by `KCOST_ENV`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Environment(String);

impl Environment {
    /// `development`, the default.
    pub fn development() -> Self {
        Self("development".to_owned())
    }

    /// `production`.
    pub fn production() -> Self {
        Self("production".to_owned())
    }

    /// Parses a `KCOST_ENV` value: lower-case letters, digits, `-` and `_`
    /// (it names a file). `prod` means `production`.
    pub fn parse(name: &str) -> Result<Self, ConfigError> {
        let name = name.trim();
        let valid = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !valid {
            return Err(ConfigError::single(Issue::new(
                ENV_VAR_ENV,
                "must be a name of lower-case letters, digits, '-' or '_' (e.g. development, production, test)",
            )));
        }
        Ok(if name == "prod" {
            Self::production()
        } else {
            Self(name.to_owned())
        })
    }

    /// The name, e.g. `development`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is `production`, where missing secrets are errors.
    pub fn is_production(&self) -> bool {
        self.0 == "production"
    }
}

impl Default for Environment {
    fn default() -> Self {
        Self::development()
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The process environment's variables that are valid UTF-8 (others cannot be
/// configuration and are skipped rather than panicking like `std::env::vars`).
pub fn process_vars() -> impl Iterator<Item = (String, String)> {
    std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
}

/// Everything [`super::Settings::load`] reads, made explicit so tests need no process
/// environment: the config dir, the environment name, an optional extra file and the
/// `KCOST_*` variables. `Debug` lists variable names only (values may be secrets).
#[derive(Clone, PartialEq, Eq)]
pub struct ConfigSources {
    /// Directory holding `default.toml` and `<env>.toml`.
    pub config_dir: PathBuf,
    /// Whether `config_dir` was chosen explicitly (then it must exist).
    pub config_dir_explicit: bool,
    /// Selects `<config_dir>/<environment>.toml`.
    pub environment: Environment,
    /// Extra file layered after the env file (`--config` / `KCOST_CONFIG_FILE`).
    pub config_file: Option<PathBuf>,
    /// `KCOST_<SECTION>__<KEY>` variables (others are ignored).
    pub env_vars: BTreeMap<String, String>,
}

impl fmt::Debug for ConfigSources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigSources")
            .field("config_dir", &self.config_dir)
            .field("config_dir_explicit", &self.config_dir_explicit)
            .field("environment", &self.environment)
            .field("config_file", &self.config_file)
            .field("env_vars", &self.env_vars.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl ConfigSources {
    /// Sources from the process environment plus the `--config` flag.
    pub fn from_process_env(config_file: Option<PathBuf>) -> Result<Self, ConfigError> {
        Self::from_vars(process_vars(), config_file)
    }

    /// Sources from an explicit variable list (e.g. a test's map) plus `--config`.
    /// `config_file`, when given, wins over `KCOST_CONFIG_FILE`.
    pub fn from_vars<I, K, V>(vars: I, config_file: Option<PathBuf>) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let vars: BTreeMap<String, String> = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .filter(|(k, _)| k.starts_with(ENV_PREFIX))
            .collect();
        let non_empty = |name: &str| vars.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());

        let environment = match non_empty(ENV_VAR_ENV) {
            Some(name) => Environment::parse(name)?,
            None => Environment::development(),
        };
        let (config_dir, config_dir_explicit) = match non_empty(ENV_VAR_CONFIG_DIR) {
            Some(dir) => (PathBuf::from(dir), true),
            None => (PathBuf::from(DEFAULT_CONFIG_DIR), false),
        };
        let config_file = config_file
            .filter(|p| !p.as_os_str().is_empty())
            .or_else(|| non_empty(ENV_VAR_CONFIG_FILE).map(PathBuf::from));
        let env_vars = vars
            .iter()
            .filter(|(k, _)| k[ENV_PREFIX.len()..].contains(ENV_SEPARATOR))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();

        Ok(Self {
            config_dir,
            config_dir_explicit,
            environment,
            config_file,
            env_vars,
        })
    }

    /// Sources for a given directory and environment, with no file or variables:
    /// the starting point for tests.
    pub fn for_dir(config_dir: impl Into<PathBuf>, environment: Environment) -> Self {
        Self {
            config_dir: config_dir.into(),
            config_dir_explicit: true,
            environment,
            config_file: None,
            env_vars: BTreeMap::new(),
        }
    }

    /// Adds one `KCOST_<SECTION>__<KEY>` variable (builder style, for tests).
    #[must_use]
    pub fn with_var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env_vars.insert(name.into(), value.into());
        self
    }

    /// Sets the extra config file (builder style).
    #[must_use]
    pub fn with_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config_file = Some(path.into());
        self
    }

    /// `<config dir>/default.toml`.
    pub fn default_file(&self) -> PathBuf {
        self.config_dir.join("default.toml")
    }

    /// `<config dir>/<KCOST_ENV>.toml`.
    pub fn env_file(&self) -> PathBuf {
        self.config_dir.join(format!("{}.toml", self.environment))
    }

    /// The layers that will be read, in order, for messages and `config show`.
    pub fn layers(&self) -> Vec<String> {
        let mut layers = vec![EMBEDDED_SOURCE_NAME.to_owned()];
        for file in [self.default_file(), self.env_file()] {
            if file.is_file() {
                layers.push(file.display().to_string());
            }
        }
        if let Some(file) = &self.config_file {
            layers.push(file.display().to_string());
        }
        if !self.env_vars.is_empty() {
            let names: Vec<&str> = self.env_vars.keys().map(String::as_str).collect();
            layers.push(format!("environment ({})", names.join(", ")));
        }
        layers
    }

    /// Builds the layered figment. Fails only on a missing explicit file or directory;
    /// parse errors surface at extraction.
    pub(crate) fn figment(&self) -> Result<figment::Figment, ConfigError> {
        if self.config_dir_explicit && !self.config_dir.is_dir() {
            return Err(ConfigError::single(Issue::new(
                ENV_VAR_CONFIG_DIR,
                format!("directory {} not found", self.config_dir.display()),
            )));
        }
        let mut figment = figment::Figment::from(Embedded);
        for file in [self.default_file(), self.env_file()] {
            if file.is_file() {
                figment = figment.merge(Toml::file_exact(file));
            }
        }
        if let Some(file) = &self.config_file {
            if !file.is_file() {
                return Err(ConfigError::single(Issue::new(
                    "--config",
                    format!("file {} not found", file.display()),
                )));
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        Ok(figment.merge(EnvLayer {
            vars: self.env_vars.clone(),
        }))
    }
}

/// The embedded `config/default.toml`, with a readable source name.
struct Embedded;

impl Provider for Embedded {
    fn metadata(&self) -> Metadata {
        Metadata::named(EMBEDDED_SOURCE_NAME)
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Toml::string(DEFAULT_TOML).data()
    }
}

/// `KCOST_<SECTION>__<KEY>` variables from an explicit map. Error messages name the
/// variable (`KCOST_SERVER__PORT`) through the metadata interpolater.
struct EnvLayer {
    vars: BTreeMap<String, String>,
}

/// `["server", "port"]` → `KCOST_SERVER__PORT`.
pub(crate) fn env_var_name<S: AsRef<str>>(keys: &[S]) -> String {
    let parts: Vec<String> = keys
        .iter()
        .map(|k| k.as_ref().to_ascii_uppercase())
        .collect();
    format!("{ENV_PREFIX}{}", parts.join(ENV_SEPARATOR))
}

/// Text, unless it looks structured (`[…]`, `{…}`, `"…"`): then figment's value syntax.
fn parse_env_value(raw: &str) -> Value {
    let trimmed = raw.trim();
    if trimmed.starts_with(['[', '{', '"']) {
        trimmed
            .parse::<Value>()
            .unwrap_or_else(|never| match never {})
    } else {
        Value::from(trimmed.to_owned())
    }
}

impl Provider for EnvLayer {
    fn metadata(&self) -> Metadata {
        Metadata::named(ENV_SOURCE_NAME).interpolater(|_profile, keys| env_var_name(keys))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let mut root = Dict::new();
        for (name, raw) in &self.vars {
            let Some(rest) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let path: Vec<String> = rest
                .split(ENV_SEPARATOR)
                .map(str::to_ascii_lowercase)
                .collect();
            if path.iter().any(String::is_empty) {
                return Err(figment::Error::from(format!(
                    "malformed variable name `{name}`: expected KCOST_<SECTION>__<KEY>"
                )));
            }
            insert(&mut root, &path, parse_env_value(raw));
        }
        Ok(Profile::Default.collect(root))
    }
}

/// Inserts `value` at `path` in `dict`, creating (or replacing non-dict values with)
/// nested dictionaries on the way.
fn insert(dict: &mut Dict, path: &[String], value: Value) {
    match path {
        [] => {}
        [last] => {
            dict.insert(last.clone(), value);
        }
        [first, rest @ ..] => {
            let entry = dict
                .entry(first.clone())
                .or_insert_with(|| Value::from(Dict::new()));
            if !matches!(entry, Value::Dict(..)) {
                *entry = Value::from(Dict::new());
            }
            if let Value::Dict(_, inner) = entry {
                insert(inner, rest, value);
            }
        }
    }
}

/// Whether `md` describes the environment-variable layer.
pub(crate) fn is_env(md: &Metadata) -> bool {
    md.name == ENV_SOURCE_NAME
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_values() {
        assert_eq!(parse_env_value(" 9090 "), Value::from("9090".to_owned()));
        assert_eq!(
            parse_env_value(r#"["https://a", "https://b"]"#),
            Value::from(vec!["https://a".to_owned(), "https://b".to_owned()])
        );
        assert_eq!(parse_env_value(r#""x y""#), Value::from("x y".to_owned()));
        assert_eq!(
            env_var_name(&["server", "cors_origins"]),
            "KCOST_SERVER__CORS_ORIGINS"
        );
    }
}
