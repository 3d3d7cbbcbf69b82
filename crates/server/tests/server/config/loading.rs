//! Loading scenarios through the library: layering, env overrides, error naming,
//! validation keyed in full, redaction. Every test uses an explicit temp dir and variable
//! map; none reads the process env. (Each section's own rules are unit-tested beside it.)

use std::path::{Path, PathBuf};

use kcost_server::config::{
    ConfigError, ConfigSources, ConnectionUrl, DEFAULT_TOML, Environment, Issue, LogFormat, Secret,
    Settings, TimescaleMode,
};
use rust_decimal::Decimal;

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    fn sources(&self, env: &str) -> ConfigSources {
        ConfigSources::for_dir(self.dir.path(), Environment::parse(env).unwrap())
    }

    fn load(&self, env: &str) -> Result<Settings, ConfigError> {
        Settings::load(&self.sources(env))
    }

    fn load_with(&self, env: &str, vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let sources = vars
            .iter()
            .fold(self.sources(env), |s, (k, v)| s.with_var(*k, *v));
        Settings::load(&sources)
    }

    fn error(&self, env: &str, vars: &[(&str, &str)]) -> String {
        self.load_with(env, vars).unwrap_err().to_string()
    }
}

const PEPPER: &str = "0123456789abcdef-pepper";

fn repo_config_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config")
}

#[test]
fn defaults_load_with_no_files_and_no_env() {
    let fx = Fixture::new();
    let settings = fx.load("development").unwrap();
    assert_eq!(settings, Settings::default());
    assert_eq!(settings.server.host, "127.0.0.1");
    assert_eq!(settings.server.port, 8080);
    assert_eq!(settings.server.shutdown_timeout_seconds, 30);
    assert!(settings.server.cors_origins.is_empty());
    assert_eq!(settings.server.rate_limit_per_minute, 600);
    assert_eq!(settings.server.workers, None);
    assert_eq!(settings.database.url.expose(), "sqlite://kcost.db?mode=rwc");
    assert!(settings.database.run_migrations);
    assert_eq!(settings.timescale.retention_days, 400);
    assert_eq!(settings.timescale.rollup_interval_seconds, 60);
    assert_eq!(settings.timescale.timescaledb, TimescaleMode::Auto);
    assert_eq!(settings.redis.url, None);
    assert_eq!(settings.redis.timeout_ms, 250);
    assert_eq!(settings.redis.query_cache_ttl_seconds, 300);
    assert_eq!(settings.security.api_key_pepper, None);
    assert_eq!(settings.security.api_key_cache_ttl_seconds, 60);
    assert_eq!(settings.ingest.max_payload_bytes, 10 * 1024 * 1024);
    assert_eq!(settings.ingest.default_interval_seconds, 600);
    assert_eq!(settings.ingest.max_sample_gap_seconds, 1800);
    assert_eq!(settings.ingest.max_clock_skew_seconds, 300);
    assert_eq!(settings.ingest.store_timeout_seconds, 8);
    assert_eq!(settings.pricing.currency, "USD");
    assert_eq!(settings.pricing.cpu_core_hourly.to_string(), "0.031611");
    assert_eq!(settings.pricing.ram_gib_hourly.to_string(), "0.004237");
    assert_eq!(settings.telemetry.log_level, "info");
    assert_eq!(settings.telemetry.log_format, LogFormat::Auto);
    assert_eq!(settings.agent.default_api_key_id, None);
    assert_eq!(
        settings.kubecent.anonymous_tenant.value(),
        None,
        "anonymous access is off"
    );
    assert_eq!(settings.kubecent.warm_interval_seconds, 240);
    assert_eq!(settings.environment, Environment::development());
}

#[test]
fn embedded_defaults_match_the_repository_file() {
    let on_disk = std::fs::read_to_string(repo_config_dir().join("default.toml")).unwrap();
    assert_eq!(on_disk, DEFAULT_TOML);
}

#[test]
fn layers_override_in_order() {
    let fx = Fixture::new();
    fx.write(
        "default.toml",
        "[server]\nport = 7000\nhost = \"0.0.0.0\"\n[redis]\ntimeout_ms = 100\n",
    );
    fx.write(
        "staging.toml",
        "[server]\nport = 7001\n[telemetry]\nlog_format = \"pretty\"\n",
    );
    let extra = fx.write("extra.toml", "[server]\nport = 7002\n");

    let s = fx.load("staging").unwrap();
    assert_eq!(s.server.port, 7001, "env file beats default.toml");
    assert_eq!(
        s.server.host, "0.0.0.0",
        "on-disk default.toml beats embedded"
    );
    assert_eq!(s.redis.timeout_ms, 100);
    assert_eq!(s.telemetry.log_format, LogFormat::Pretty);
    assert_eq!(
        s.server.rate_limit_per_minute, 600,
        "embedded fills the rest"
    );

    let s = Settings::load(&fx.sources("staging").with_file(&extra)).unwrap();
    assert_eq!(s.server.port, 7002, "--config file beats env file");

    let s = Settings::load(
        &fx.sources("staging")
            .with_file(&extra)
            .with_var("KCOST_SERVER__PORT", "9090"),
    )
    .unwrap();
    assert_eq!(s.server.port, 9090, "KCOST_SERVER__PORT beats every file");

    let s = fx.load("development").unwrap();
    assert_eq!(s.server.port, 7000, "a missing env file is fine");
}

#[test]
fn env_vars_cover_every_type() {
    let fx = Fixture::new();
    let s = fx
        .load_with(
            "development",
            &[
                ("KCOST_SERVER__PORT", "9090"),
                ("KCOST_SERVER__WORKERS", "4"),
                ("KCOST_DATABASE__RUN_MIGRATIONS", "false"),
                ("KCOST_DATABASE__URL", "postgres://kcost:pw@db:5432/kcost"),
                ("KCOST_TIMESCALE__TIMESCALEDB", "off"),
                ("KCOST_REDIS__URL", "redis://cache:6379/0"),
                ("KCOST_SECURITY__API_KEY_PEPPER", "000123456789012345678"),
                ("KCOST_PRICING__CPU_CORE_HOURLY", "0.0400000000000000001"),
                ("KCOST_PRICING__CURRENCY", "EUR"),
                ("KCOST_TELEMETRY__LOG_FORMAT", "pretty"),
                (
                    "KCOST_AGENT__DEFAULT_API_KEY_ID",
                    "6f1c1a5e-1b2c-4d3e-8f90-123456789abc",
                ),
            ],
        )
        .unwrap();
    assert_eq!(s.server.port, 9090);
    assert_eq!(s.server.workers, Some(4));
    assert!(!s.database.run_migrations);
    assert_eq!(s.database.url.expose(), "postgres://kcost:pw@db:5432/kcost");
    assert_eq!(s.timescale.timescaledb, TimescaleMode::Off);
    assert_eq!(
        s.redis.url.as_ref().map(ConnectionUrl::expose),
        Some("redis://cache:6379/0")
    );
    // Numeric-looking secrets keep their exact text (leading zeros included).
    assert_eq!(
        s.security.api_key_pepper.as_ref().map(Secret::expose),
        Some("000123456789012345678")
    );
    // Decimals from the environment are exact, not routed through f64.
    assert_eq!(
        s.pricing.cpu_core_hourly.to_string(),
        "0.0400000000000000001"
    );
    assert_eq!(s.pricing.currency, "EUR");
    assert_eq!(s.telemetry.log_format, LogFormat::Pretty);
    assert_eq!(
        s.agent
            .default_api_key_id
            .map(|id| id.to_string())
            .as_deref(),
        Some("6f1c1a5e-1b2c-4d3e-8f90-123456789abc")
    );
}

#[test]
fn cors_origins_from_env_as_list_or_comma_separated() {
    let fx = Fixture::new();
    let want = ["https://a.example", "https://b.example:8443"];
    for value in [
        r#"["https://a.example", "https://b.example:8443"]"#,
        "https://a.example,https://b.example:8443",
        " https://a.example , https://b.example:8443 ",
    ] {
        let s = fx
            .load_with("development", &[("KCOST_SERVER__CORS_ORIGINS", value)])
            .unwrap();
        assert_eq!(s.server.cors_origins, want, "{value}");
    }
    let s = fx
        .load_with("development", &[("KCOST_SERVER__CORS_ORIGINS", "*")])
        .unwrap();
    assert_eq!(s.server.cors_origins, ["*"]);
}

#[test]
fn empty_env_values_unset_optional_keys() {
    let fx = Fixture::new();
    fx.write(
        "development.toml",
        "[redis]\nurl = \"redis://cache\"\n[server]\nworkers = 3\n",
    );
    let s = fx
        .load_with(
            "development",
            &[("KCOST_REDIS__URL", ""), ("KCOST_SERVER__WORKERS", " ")],
        )
        .unwrap();
    assert_eq!(s.redis.url, None);
    assert_eq!(s.server.workers, None);
}

#[test]
fn unknown_keys_are_rejected_and_named() {
    let fx = Fixture::new();
    let file = fx.write("development.toml", "[server]\nportt = 1\n");
    let err = fx.error("development", &[]);
    assert!(
        err.starts_with(
            "invalid configuration: server.portt: unknown key (expected one of `host`, `port`"
        ),
        "{err}"
    );
    assert!(
        err.contains(&file.display().to_string()),
        "names the file: {err}"
    );

    let fx = Fixture::new();
    fx.write("development.toml", "[servre]\nport = 1\n");
    let err = fx.error("development", &[]);
    assert!(
        err.contains("servre: unknown section (expected one of `server`"),
        "{err}"
    );

    let fx = Fixture::new();
    let err = fx.error("development", &[("KCOST_SERVER__PORTT", "1")]);
    assert!(err.contains("server.portt: unknown key"), "{err}");
    assert!(
        err.contains("environment variable KCOST_SERVER__PORTT"),
        "{err}"
    );

    // `environment` is derived from KCOST_ENV, not a key.
    let fx = Fixture::new();
    fx.write("development.toml", "environment = \"production\"\n");
    assert!(
        fx.error("development", &[])
            .contains("environment: unknown section")
    );
}

#[test]
fn wrong_types_are_named() {
    let fx = Fixture::new();
    let file = fx.write("development.toml", "[server]\nport = \"abc\"\n");
    let err = fx.error("development", &[]);
    assert!(
        err.starts_with("invalid configuration: server.port: invalid type"),
        "{err}"
    );
    assert!(err.contains(&file.display().to_string()), "{err}");

    let fx = Fixture::new();
    let err = fx.error("development", &[("KCOST_SERVER__PORT", "70000")]);
    assert!(err.contains("server.port: "), "{err}");
    assert!(
        err.contains("environment variable KCOST_SERVER__PORT"),
        "{err}"
    );

    for (var, value, key) in [
        (
            "KCOST_DATABASE__RUN_MIGRATIONS",
            "maybe",
            "database.run_migrations",
        ),
        ("KCOST_TELEMETRY__LOG_FORMAT", "xml", "telemetry.log_format"),
        (
            "KCOST_TIMESCALE__TIMESCALEDB",
            "sometimes",
            "timescale.timescaledb",
        ),
        (
            "KCOST_PRICING__RAM_GIB_HOURLY",
            "cheap",
            "pricing.ram_gib_hourly",
        ),
        (
            "KCOST_AGENT__DEFAULT_API_KEY_ID",
            "not-a-uuid",
            "agent.default_api_key_id",
        ),
        ("KCOST_SERVER__WORKERS", "-1", "server.workers"),
    ] {
        let err = Fixture::new().error("development", &[(var, value)]);
        assert!(err.contains(&format!("{key}: ")), "{var}: {err}");
        assert!(err.contains(var), "{var}: {err}");
    }
}

#[test]
fn toml_syntax_errors_name_the_file_without_quoting_it() {
    let fx = Fixture::new();
    let file = fx.write(
        "development.toml",
        "[security]\napi_key_pepper = \"pepper-that-must-not-leak\n",
    );
    let err = fx.error("development", &[]);
    assert!(err.contains(&file.display().to_string()), "{err}");
    assert!(err.contains("line 2"), "{err}");
    assert!(!err.contains("pepper-that-must-not-leak"), "{err}");
}

#[test]
fn every_validation_rule_names_its_key() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "KCOST_SERVER__HOST",
            "http://x",
            "server.host: must be an IP address",
        ),
        (
            "KCOST_SERVER__PORT",
            "0",
            "server.port: must be between 1 and 65535",
        ),
        (
            "KCOST_SERVER__READ_TIMEOUT_SECONDS",
            "0",
            "server.read_timeout_seconds: must be greater than 0",
        ),
        (
            "KCOST_SERVER__WRITE_TIMEOUT_SECONDS",
            "0",
            "server.write_timeout_seconds: must be greater than 0",
        ),
        (
            "KCOST_SERVER__SHUTDOWN_TIMEOUT_SECONDS",
            "0",
            "server.shutdown_timeout_seconds: must be greater than 0",
        ),
        (
            "KCOST_SERVER__WORKERS",
            "0",
            "server.workers: must be greater than 0",
        ),
        (
            "KCOST_SERVER__CORS_ORIGINS",
            "example.com",
            "server.cors_origins: `example.com` is not `*` or an origin",
        ),
        (
            "KCOST_SERVER__CORS_ORIGINS",
            "https://a.example/app",
            "server.cors_origins: `https://a.example/app` is not",
        ),
        (
            "KCOST_SERVER__CORS_ORIGINS",
            "*,https://a.example",
            "server.cors_origins: `*` must be the only entry",
        ),
        (
            "KCOST_DATABASE__URL",
            "mysql://db/kcost",
            "database.url: must start with sqlite:// or postgres://",
        ),
        (
            "KCOST_DATABASE__URL",
            "sqlite://",
            "database.url: must name a database",
        ),
        (
            "KCOST_DATABASE__MAX_CONNECTIONS",
            "0",
            "database.max_connections: must be greater than 0",
        ),
        (
            "KCOST_DATABASE__CONNECT_TIMEOUT_SECONDS",
            "0",
            "database.connect_timeout_seconds: must be greater than 0",
        ),
        (
            "KCOST_TIMESCALE__URL",
            "redis://x",
            "timescale.url: must start with postgres://",
        ),
        (
            "KCOST_TIMESCALE__TIMESCALEDB",
            "on",
            "timescale.timescaledb: `on` needs a PostgreSQL",
        ),
        (
            "KCOST_REDIS__URL",
            "http://cache",
            "redis.url: must start with redis:// or rediss://",
        ),
        (
            "KCOST_REDIS__TIMEOUT_MS",
            "0",
            "redis.timeout_ms: must be greater than 0",
        ),
        (
            "KCOST_SECURITY__API_KEY_PEPPER",
            "short",
            "security.api_key_pepper: must be at least 16 bytes (got 5)",
        ),
        (
            "KCOST_SECURITY__ADMIN_TOKEN",
            "short",
            "security.admin_token: must be at least 32 characters (got 5)",
        ),
        (
            "KCOST_INGEST__MAX_PAYLOAD_BYTES",
            "0",
            "ingest.max_payload_bytes: must be greater than 0",
        ),
        (
            "KCOST_INGEST__DEFAULT_INTERVAL_SECONDS",
            "0",
            "ingest.default_interval_seconds: must be greater than 0",
        ),
        (
            "KCOST_INGEST__MAX_SAMPLE_GAP_SECONDS",
            "0",
            "ingest.max_sample_gap_seconds: must be greater than 0",
        ),
        (
            "KCOST_INGEST__MAX_SAMPLE_GAP_SECONDS",
            "60",
            "ingest.max_sample_gap_seconds: must be at least ingest.default_interval_seconds (600)",
        ),
        (
            "KCOST_INGEST__MAX_CLOCK_SKEW_SECONDS",
            "0",
            "ingest.max_clock_skew_seconds: must be greater than 0",
        ),
        (
            "KCOST_INGEST__MAX_SAMPLE_GAP_SECONDS",
            "86401",
            "ingest.max_sample_gap_seconds: must be at most 86400 (a day)",
        ),
        (
            "KCOST_INGEST__STORE_TIMEOUT_SECONDS",
            "0",
            "ingest.store_timeout_seconds: must be greater than 0",
        ),
        (
            "KCOST_INGEST__STORE_TIMEOUT_SECONDS",
            "301",
            "ingest.store_timeout_seconds: must be at most 300",
        ),
        (
            "KCOST_PRICING__CURRENCY",
            "usd",
            "pricing.currency: must be a three-letter upper-case ISO 4217 code",
        ),
        (
            "KCOST_PRICING__CURRENCY",
            "EURO",
            "pricing.currency: must be",
        ),
        (
            "KCOST_PRICING__CPU_CORE_HOURLY",
            "-0.01",
            "pricing.cpu_core_hourly: must be greater than 0",
        ),
        (
            "KCOST_PRICING__RAM_GIB_HOURLY",
            "-1",
            "pricing.ram_gib_hourly: must be greater than 0",
        ),
        (
            "KCOST_TELEMETRY__LOG_LEVEL",
            "info,x=loud",
            "telemetry.log_level: invalid filter",
        ),
        (
            "KCOST_KUBECENT__WARM_INTERVAL_SECONDS",
            "5",
            "kubecent.warm_interval_seconds: must be 0 (off) or between 10 and 86400",
        ),
    ];
    for (var, value, want) in cases {
        let err = Fixture::new().error("development", &[(var, value)]);
        assert!(
            err.starts_with(&format!("invalid configuration: {want}")),
            "{var}={value}: got {err}"
        );
    }
}

#[test]
fn kubecent_settings_load_from_the_environment() {
    let fx = Fixture::new();
    let s = fx
        .load_with(
            "development",
            &[
                ("KCOST_KUBECENT__ANONYMOUS_TENANT", " acme "),
                ("KCOST_KUBECENT__WARM_INTERVAL_SECONDS", "0"),
            ],
        )
        .unwrap();
    assert_eq!(s.kubecent.anonymous_tenant.value(), Some("acme"));
    assert_eq!(s.kubecent.warm_interval_seconds, 0, "0 turns warming off");
    let s = fx
        .load_with("development", &[("KCOST_KUBECENT__ANONYMOUS_TENANT", "")])
        .unwrap();
    assert_eq!(
        s.kubecent.anonymous_tenant.value(),
        None,
        "empty means unset"
    );
    let long = "t".repeat(200);
    let err = fx.error(
        "development",
        &[("KCOST_KUBECENT__ANONYMOUS_TENANT", long.as_str())],
    );
    assert!(
        err.starts_with(
            "invalid configuration: kubecent.anonymous_tenant: must be a tenant id or name"
        ),
        "{err}"
    );
}

#[test]
fn all_problems_are_reported_together() {
    let err = Fixture::new().error(
        "development",
        &[
            ("KCOST_SERVER__PORT", "0"),
            ("KCOST_PRICING__CURRENCY", "x"),
        ],
    );
    assert!(err.contains("server.port: "), "{err}");
    assert!(err.contains("; pricing.currency: "), "{err}");
}

#[test]
fn urls_are_checked_without_echoing_them() {
    let err = Fixture::new().error(
        "development",
        &[(
            "KCOST_DATABASE__URL",
            "mysql://kcost:hunter2-password@db/kcost",
        )],
    );
    assert!(err.contains("database.url"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn production_requires_a_pepper() {
    let fx = Fixture::new();
    let err = fx.error("production", &[]);
    assert!(
        err.starts_with(
            "invalid configuration: security.api_key_pepper: required when KCOST_ENV=production"
        ),
        "{err}"
    );
    // `prod` is an alias.
    assert!(
        fx.error("prod", &[])
            .contains("security.api_key_pepper: required")
    );

    let s = fx
        .load_with("production", &[("KCOST_SECURITY__API_KEY_PEPPER", PEPPER)])
        .unwrap();
    assert!(s.environment.is_production());
    assert_eq!(
        s.security.api_key_pepper.as_ref().map(Secret::expose),
        Some(PEPPER)
    );

    let err = fx.error(
        "production",
        &[("KCOST_SECURITY__API_KEY_PEPPER", "tooshort")],
    );
    assert!(
        err.contains("security.api_key_pepper: must be at least 16 bytes"),
        "{err}"
    );
    // Elsewhere the pepper may be absent.
    assert!(fx.load("staging").is_ok());
}

#[test]
fn timeseries_url_falls_back_to_database_url() {
    let fx = Fixture::new();
    let s = fx.load("development").unwrap();
    assert_eq!(s.timeseries_url().expose(), s.database.url.expose());

    let s = fx
        .load_with(
            "development",
            &[
                ("KCOST_DATABASE__URL", "postgres://db/kcost"),
                ("KCOST_TIMESCALE__URL", "postgres://tsdb/metrics"),
                ("KCOST_TIMESCALE__TIMESCALEDB", "on"),
            ],
        )
        .unwrap();
    assert_eq!(s.timeseries_url().expose(), "postgres://tsdb/metrics");

    // An empty timescale.url means "use database.url".
    let s = fx
        .load_with(
            "development",
            &[
                ("KCOST_DATABASE__URL", "postgres://db/kcost"),
                ("KCOST_TIMESCALE__URL", ""),
            ],
        )
        .unwrap();
    assert_eq!(s.timeseries_url().expose(), "postgres://db/kcost");
}

#[test]
fn pricing_accepts_strings_and_numbers_exactly() {
    let fx = Fixture::new();
    fx.write(
        "development.toml",
        "[pricing]\ncpu_core_hourly = 0.031611\nram_gib_hourly = \"0.0042370\"\n",
    );
    let s = fx.load("development").unwrap();
    assert_eq!(s.pricing.cpu_core_hourly, Decimal::new(31_611, 6));
    assert_eq!(s.pricing.ram_gib_hourly.to_string(), "0.0042370");
}

#[test]
fn timescaledb_modes() {
    let fx = Fixture::new();
    for (value, want) in [
        ("auto", TimescaleMode::Auto),
        ("OFF", TimescaleMode::Off),
        ("false", TimescaleMode::Off),
    ] {
        let s = fx
            .load_with("development", &[("KCOST_TIMESCALE__TIMESCALEDB", value)])
            .unwrap();
        assert_eq!(s.timescale.timescaledb, want);
    }
    fx.write(
        "development.toml",
        "[timescale]\ntimescaledb = true\nurl = \"postgres://t/db\"\n",
    );
    assert_eq!(
        fx.load("development").unwrap().timescale.timescaledb,
        TimescaleMode::On
    );
}

#[test]
fn secrets_never_appear_in_debug_or_show_output() {
    let fx = Fixture::new();
    let pepper = "pepper-secret-value-123";
    let token = "admin-secret-value-456-long-enough-to-use";
    let s = fx
        .load_with(
            "production",
            &[
                ("KCOST_SECURITY__API_KEY_PEPPER", pepper),
                ("KCOST_SECURITY__ADMIN_TOKEN", token),
                (
                    "KCOST_DATABASE__URL",
                    "postgres://kcost:db-secret-789@db/kcost",
                ),
                ("KCOST_REDIS__URL", "rediss://:redis-secret-0ab@cache:6380"),
            ],
        )
        .unwrap();
    let debug = format!("{s:?} {s:#?}");
    let shown = s.to_redacted_toml().unwrap();
    for secret in [pepper, token, "db-secret-789", "redis-secret-0ab"] {
        assert!(!debug.contains(secret), "Debug leaked {secret}");
        assert!(!shown.contains(secret), "show leaked {secret}:\n{shown}");
    }
    assert!(shown.contains("admin_token = \"[redacted]\""), "{shown}");
    assert!(
        shown.contains("url = \"rediss://:[redacted]@cache:6380\""),
        "{shown}"
    );
    // The real values are still there for the code that needs them.
    assert_eq!(
        s.security.admin_token.as_ref().map(Secret::expose),
        Some(token)
    );
    assert_eq!(
        s.database.url.expose(),
        "postgres://kcost:db-secret-789@db/kcost"
    );
}

#[test]
fn show_output_is_valid_toml_that_reloads() {
    let fx = Fixture::new();
    let s = fx
        .load_with(
            "development",
            &[
                ("KCOST_SERVER__CORS_ORIGINS", "https://a.example"),
                ("KCOST_SERVER__WORKERS", "2"),
            ],
        )
        .unwrap();
    let shown = s.to_redacted_toml().unwrap();
    let file = fx.write("shown.toml", &shown);
    let reloaded = Settings::load(&fx.sources("development").with_file(file)).unwrap();
    assert_eq!(reloaded, s);
}

#[test]
fn missing_explicit_sources_are_errors() {
    let fx = Fixture::new();
    let err = Settings::load(
        &fx.sources("development")
            .with_file(fx.dir.path().join("nope.toml")),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("invalid configuration: --config: file "),
        "{err}"
    );

    let err = Settings::load(&ConfigSources::for_dir(
        fx.dir.path().join("missing"),
        Environment::development(),
    ))
    .unwrap_err()
    .to_string();
    assert!(err.contains("KCOST_CONFIG_DIR: directory"), "{err}");

    // The implicit ./config may be absent: embedded defaults suffice.
    let mut sources =
        ConfigSources::for_dir(fx.dir.path().join("missing"), Environment::development());
    sources.config_dir_explicit = false;
    assert_eq!(Settings::load(&sources).unwrap(), Settings::default());
}

#[test]
fn shipped_config_files_are_valid() {
    let dir = repo_config_dir();
    for env in ["development", "test", "staging"] {
        let s = Settings::load(&ConfigSources::for_dir(
            &dir,
            Environment::parse(env).unwrap(),
        ))
        .map_err(|e| format!("{env}: {e}"))
        .unwrap();
        assert_eq!(s.environment.as_str(), env);
    }
    let dev = Settings::load(&ConfigSources::for_dir(&dir, Environment::development())).unwrap();
    assert_eq!(dev.telemetry.log_format, LogFormat::Pretty);

    let prod = ConfigSources::for_dir(&dir, Environment::production());
    let err = Settings::load(&prod).unwrap_err().to_string();
    assert!(err.contains("security.api_key_pepper: required"), "{err}");
    let s = Settings::load(&prod.with_var("KCOST_SECURITY__API_KEY_PEPPER", PEPPER)).unwrap();
    assert_eq!(s.server.host, "0.0.0.0");
    assert_eq!(s.telemetry.log_format, LogFormat::Json);
}

#[test]
fn environment_names() {
    assert_eq!(
        Environment::parse("prod").unwrap(),
        Environment::production()
    );
    assert!(Environment::parse("production").unwrap().is_production());
    assert!(!Environment::parse("staging").unwrap().is_production());
    let err = Environment::parse("../etc").unwrap_err().to_string();
    assert!(err.contains("KCOST_ENV: must be"), "{err}");
    assert!(Environment::parse("Production").is_err());
}

#[test]
fn sources_from_vars() {
    let s = ConfigSources::from_vars(
        [
            ("KCOST_ENV", "test"),
            ("KCOST_CONFIG_DIR", "/etc/kcost"),
            ("KCOST_CONFIG_FILE", "/etc/kcost/extra.toml"),
            ("KCOST_SERVER__PORT", "9090"),
            ("KCOST_SOMETHING_ELSE", "ignored"),
            ("HOME", "/root"),
        ],
        None,
    )
    .unwrap();
    assert_eq!(s.environment.as_str(), "test");
    assert_eq!(s.config_dir, PathBuf::from("/etc/kcost"));
    assert!(s.config_dir_explicit);
    assert_eq!(s.config_file, Some(PathBuf::from("/etc/kcost/extra.toml")));
    assert_eq!(
        s.env_vars.keys().collect::<Vec<_>>(),
        ["KCOST_SERVER__PORT"]
    );
    assert_eq!(s.env_file(), PathBuf::from("/etc/kcost/test.toml"));

    let debug = format!(
        "{:?}",
        s.clone()
            .with_var("KCOST_SECURITY__ADMIN_TOKEN", "tok-value")
    );
    assert!(debug.contains("KCOST_SECURITY__ADMIN_TOKEN") && !debug.contains("tok-value"));

    let flag = ConfigSources::from_vars(
        [("KCOST_CONFIG_FILE", "/a.toml")],
        Some(PathBuf::from("/b.toml")),
    )
    .unwrap();
    assert_eq!(flag.config_file, Some(PathBuf::from("/b.toml")));

    let empty = ConfigSources::from_vars(Vec::<(String, String)>::new(), None).unwrap();
    assert_eq!(empty.environment, Environment::development());
    assert_eq!(empty.config_dir, PathBuf::from("config"));
    assert!(!empty.config_dir_explicit);
}

#[test]
fn display_joins_issues() {
    let err = ConfigError::from_issues(vec![
        Issue::new("server.port", "must be between 1 and 65535"),
        Issue::new("redis.url", "must start with redis:// or rediss://")
            .with_origin(Some("environment variable KCOST_REDIS__URL".to_owned())),
    ])
    .unwrap();
    assert_eq!(
        err.to_string(),
        "invalid configuration: server.port: must be between 1 and 65535; \
         redis.url: must start with redis:// or rediss:// \
         (from environment variable KCOST_REDIS__URL)"
    );
    assert!(ConfigError::from_issues(Vec::new()).is_none());
}
