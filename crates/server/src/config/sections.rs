//! The typed configuration sections. Each struct is one `[section]` of the TOML files;
//! unknown keys are rejected by name. The `Default` impls mirror `config/default.toml`
//! (a test keeps the two equal), so a section missing from every layer still has sane
//! values.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

use super::de;
use super::redact::{ConnectionUrl, Secret, opt_secret, opt_url};

/// `[server]`: the HTTP listener.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to bind (IP address or host name).
    #[serde(deserialize_with = "de::text")]
    pub host: String,
    /// TCP port, 1–65535.
    pub port: u16,
    /// Time allowed to receive a request's head and body.
    pub read_timeout_seconds: u64,
    /// Time allowed to send a response.
    pub write_timeout_seconds: u64,
    /// Time in-flight requests get to finish after SIGTERM.
    pub shutdown_timeout_seconds: u64,
    /// Allowed browser origins: `*` or absolute `http(s)://host[:port]` origins.
    /// Empty = same-origin only (no CORS headers).
    #[serde(deserialize_with = "de::string_list")]
    pub cors_origins: Vec<String>,
    /// Requests per minute per API key; 0 disables rate limiting.
    pub rate_limit_per_minute: u32,
    /// HTTP worker threads; absent = one per CPU.
    #[serde(
        deserialize_with = "opt_positive_usize",
        skip_serializing_if = "Option::is_none"
    )]
    pub workers: Option<usize>,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".to_owned(),
            port: 8080,
            read_timeout_seconds: 30,
            write_timeout_seconds: 30,
            shutdown_timeout_seconds: 30,
            cors_origins: Vec::new(),
            rate_limit_per_minute: 600,
            workers: None,
        }
    }
}

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

/// The embedded default database: one SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://kcost.db?mode=rwc";

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
    #[serde(deserialize_with = "opt_url", skip_serializing_if = "Option::is_none")]
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

/// `[redis]`: optional shared cache; absent = in-process cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedisSettings {
    /// `redis://…` or `rediss://…`; absent = in-process cache.
    #[serde(deserialize_with = "opt_url", skip_serializing_if = "Option::is_none")]
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

/// `[security]`: API-key hashing and the admin API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecuritySettings {
    /// HMAC key for API-key hashes, ≥ 16 bytes. Required when `KCOST_ENV=production`;
    /// elsewhere, when absent, one is generated and persisted.
    #[serde(
        deserialize_with = "opt_secret",
        skip_serializing_if = "Option::is_none"
    )]
    pub api_key_pepper: Option<Secret>,
    /// How long a verified key stays cached; 0 disables the cache.
    pub api_key_cache_ttl_seconds: u64,
    /// Bearer token for the admin API: 32–512 printable ASCII characters, no spaces;
    /// absent = generated at first start (only its hash is stored).
    #[serde(
        deserialize_with = "opt_secret",
        skip_serializing_if = "Option::is_none"
    )]
    pub admin_token: Option<Secret>,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        Self {
            api_key_pepper: None,
            api_key_cache_ttl_seconds: 60,
            admin_token: None,
        }
    }
}

/// `[ingest]`: agent snapshot intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngestSettings {
    /// Largest accepted request body (after decompression), bytes.
    pub max_payload_bytes: u64,
    /// The agent's push interval, used when a snapshot does not say.
    pub default_interval_seconds: u64,
    /// A gap between samples longer than this is not interpolated over.
    pub max_sample_gap_seconds: u64,
    /// Snapshots timestamped further than this in the future are rejected.
    pub max_clock_skew_seconds: u64,
    /// Longest an ingest waits on the stores before answering 503 with `Retry-After`.
    pub store_timeout_seconds: u64,
}

impl Default for IngestSettings {
    fn default() -> Self {
        Self {
            max_payload_bytes: 10 * 1024 * 1024,
            default_interval_seconds: 600,
            max_sample_gap_seconds: 1800,
            max_clock_skew_seconds: 300,
            store_timeout_seconds: 8,
        }
    }
}

/// `[pricing]`: default rates (OpenCost defaults) used when no node price is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PricingSettings {
    /// ISO 4217 code, three upper-case letters.
    #[serde(deserialize_with = "de::text")]
    pub currency: String,
    /// Price of one vCPU for one hour (string or number; exact decimal).
    pub cpu_core_hourly: Decimal,
    /// Price of one GiB of RAM for one hour (string or number; exact decimal).
    pub ram_gib_hourly: Decimal,
}

impl Default for PricingSettings {
    fn default() -> Self {
        Self {
            currency: "USD".to_owned(),
            // OpenCost configs/default.json: 0.031611 $/vCPU-h, 0.004237 $/GiB-h.
            cpu_core_hourly: Decimal::new(31_611, 6),
            ram_gib_hourly: Decimal::new(4_237, 6),
        }
    }
}

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

/// `[kubecent]`: the Kubecent-compatible API under `/api/v1` (seed 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KubecentSettings {
    /// Name or id of a tenant whose data the read-only `/api/v1` endpoints serve to
    /// requests carrying no API key at all (Kubecent's frontend sends none). Absent (the
    /// default): every request needs a key. The tenant must exist at start-up.
    #[serde(
        deserialize_with = "de::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub anonymous_tenant: Option<String>,
    /// How often the default answers of tenants that ingested lately are recomputed into
    /// the query cache; 0 turns warming off.
    pub warm_interval_seconds: u64,
}

impl Default for KubecentSettings {
    fn default() -> Self {
        Self {
            anonymous_tenant: None,
            warm_interval_seconds: 240,
        }
    }
}

/// `[allocation]`: OpenCost's allocation API (`/allocation`, `/model/allocation`,
/// `/v1/allocation`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AllocationSettings {
    /// Name or id of a tenant whose data the allocation routes serve, read-only, to
    /// requests carrying no API key at all (the OpenCost UI and kubectl-cost send none).
    /// Absent (the default): every request needs a key. The tenant must exist at start-up.
    #[serde(
        deserialize_with = "de::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub anonymous_tenant: Option<String>,
}

/// `[agent]`: settings for the bundled agent simulator.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentSettings {
    /// Key id (UUID) of the API key bootstrapped for the bundled simulator.
    #[serde(deserialize_with = "opt_uuid", skip_serializing_if = "Option::is_none")]
    pub default_api_key_id: Option<Uuid>,
}

fn opt_uuid<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Uuid>, D::Error> {
    de::opt_parsed(deserializer, "a UUID")
}

fn opt_positive_usize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<usize>, D::Error> {
    de::opt_parsed(deserializer, "a positive integer")
}

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
