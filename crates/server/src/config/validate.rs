//! Rules checked after extraction. Each failure is an [`Issue`] naming the dotted key;
//! all failures are reported together.

use std::net::IpAddr;

use kcost_domain::api_key::{
    AdminToken, AdminTokenError, MAX_ADMIN_TOKEN_LEN, MIN_ADMIN_TOKEN_LEN,
};
use kcost_domain::tenant::TenantName;
use rust_decimal::Decimal;

use super::Settings;
use super::error::Issue;
use super::redact::ConnectionUrl;
use super::sections::TimescaleMode;
use super::sources::Environment;

/// Minimum length of the API-key pepper, in bytes.
pub const MIN_SECRET_BYTES: usize = 16;

const DATABASE_SCHEMES: &[&str] = &["sqlite", "postgres", "postgresql"];
const REDIS_SCHEMES: &[&str] = &["redis", "rediss"];

/// All problems with `settings` in environment `env` (empty = valid).
pub(crate) fn validate(settings: &Settings, env: &Environment) -> Vec<Issue> {
    let mut v = Issues(Vec::new());
    server(&mut v, settings);
    database(&mut v, settings);
    redis(&mut v, settings);
    security(&mut v, settings, env);
    ingest(&mut v, settings);
    pricing(&mut v, settings);
    telemetry(&mut v, settings);
    kubecent(&mut v, settings);
    allocation(&mut v, settings);
    opencost(&mut v, settings);
    v.0
}

struct Issues(Vec<Issue>);

impl Issues {
    fn push(&mut self, key: &str, message: impl Into<String>) {
        self.0.push(Issue::new(key, message));
    }

    fn positive(&mut self, key: &str, value: u64) {
        if value == 0 {
            self.push(key, "must be greater than 0");
        }
    }
}

fn server(v: &mut Issues, s: &Settings) {
    let server = &s.server;
    if !is_host(&server.host) {
        v.push("server.host", "must be an IP address or a host name");
    }
    if server.port == 0 {
        v.push("server.port", "must be between 1 and 65535");
    }
    v.positive("server.read_timeout_seconds", server.read_timeout_seconds);
    v.positive("server.write_timeout_seconds", server.write_timeout_seconds);
    v.positive(
        "server.shutdown_timeout_seconds",
        server.shutdown_timeout_seconds,
    );
    if server.workers == Some(0) {
        v.push(
            "server.workers",
            "must be greater than 0 (omit it for one per CPU)",
        );
    }
    let origins = &server.cors_origins;
    if origins.iter().any(|o| o == "*") && origins.len() > 1 {
        v.push(
            "server.cors_origins",
            "`*` must be the only entry when used",
        );
    }
    for origin in origins.iter().filter(|o| *o != "*") {
        if !is_origin(origin) {
            v.push(
                "server.cors_origins",
                format!(
                    "`{origin}` is not `*` or an origin like https://app.example.com \
                     (http or https scheme, host, optional port, no path)"
                ),
            );
        }
    }
}

fn database(v: &mut Issues, s: &Settings) {
    let db = &s.database;
    check_url(
        v,
        "database.url",
        &db.url,
        DATABASE_SCHEMES,
        "must start with sqlite:// or postgres://",
    );
    v.positive("database.max_connections", u64::from(db.max_connections));
    v.positive(
        "database.connect_timeout_seconds",
        db.connect_timeout_seconds,
    );

    if let Some(url) = &s.timescale.url {
        check_url(
            v,
            "timescale.url",
            url,
            DATABASE_SCHEMES,
            "must start with postgres:// or sqlite:// (or be empty to use database.url)",
        );
    }
    let series_scheme = s.timeseries_url().scheme();
    if s.timescale.timescaledb == TimescaleMode::On
        && series_scheme
            .as_deref()
            .is_some_and(|scheme| scheme == "sqlite")
    {
        v.push(
            "timescale.timescaledb",
            "`on` needs a PostgreSQL time-series store (set timescale.url or database.url \
             to postgres://…, or use `auto`)",
        );
    }
}

fn redis(v: &mut Issues, s: &Settings) {
    if let Some(url) = &s.redis.url {
        check_url(
            v,
            "redis.url",
            url,
            REDIS_SCHEMES,
            "must start with redis:// or rediss:// (or be empty for the in-process cache)",
        );
    }
    v.positive("redis.timeout_ms", s.redis.timeout_ms);
}

fn security(v: &mut Issues, s: &Settings, env: &Environment) {
    let sec = &s.security;
    match &sec.api_key_pepper {
        None if env.is_production() => v.push(
            "security.api_key_pepper",
            format!(
                "required when KCOST_ENV=production (at least {MIN_SECRET_BYTES} random bytes; \
                 e.g. set KCOST_SECURITY__API_KEY_PEPPER)"
            ),
        ),
        Some(pepper) if pepper.len() < MIN_SECRET_BYTES => v.push(
            "security.api_key_pepper",
            format!(
                "must be at least {MIN_SECRET_BYTES} bytes (got {})",
                pepper.len()
            ),
        ),
        _ => {}
    }
    // The same rule the server applies when it hashes the token at start-up.
    if let Some(token) = &sec.admin_token
        && let Err(error) = AdminToken::new(token.expose())
    {
        let message = match error {
            AdminTokenError::TooShort { len } => format!(
                "must be at least {MIN_ADMIN_TOKEN_LEN} characters (got {len}); omit it to \
                 have one generated"
            ),
            AdminTokenError::TooLong { len } => {
                format!("must be at most {MAX_ADMIN_TOKEN_LEN} characters (got {len})")
            }
            AdminTokenError::InvalidCharacters => {
                "must be printable ASCII characters without spaces".to_owned()
            }
        };
        v.push("security.admin_token", message);
    }
}

/// Upper bound of the durations a sample may stand for.
const MAX_SAMPLE_SECONDS: u64 = 86_400;

/// Upper bound of `ingest.store_timeout_seconds`.
const MAX_STORE_TIMEOUT_SECONDS: u64 = 300;

fn ingest(v: &mut Issues, s: &Settings) {
    let ingest = &s.ingest;
    v.positive("ingest.max_payload_bytes", ingest.max_payload_bytes);
    v.positive(
        "ingest.default_interval_seconds",
        ingest.default_interval_seconds,
    );
    v.positive(
        "ingest.max_sample_gap_seconds",
        ingest.max_sample_gap_seconds,
    );
    v.positive(
        "ingest.max_clock_skew_seconds",
        ingest.max_clock_skew_seconds,
    );
    v.positive("ingest.store_timeout_seconds", ingest.store_timeout_seconds);
    // A sample stands for at most a day: the stores multiply figures by durations in
    // 64-bit integers (2⁴⁶ bytes × 86,400 s < 2⁶³).
    for (key, value) in [
        (
            "ingest.default_interval_seconds",
            ingest.default_interval_seconds,
        ),
        (
            "ingest.max_sample_gap_seconds",
            ingest.max_sample_gap_seconds,
        ),
    ] {
        if value > MAX_SAMPLE_SECONDS {
            v.push(key, format!("must be at most {MAX_SAMPLE_SECONDS} (a day)"));
        }
    }
    if ingest.store_timeout_seconds > MAX_STORE_TIMEOUT_SECONDS {
        v.push(
            "ingest.store_timeout_seconds",
            format!(
                "must be at most {MAX_STORE_TIMEOUT_SECONDS} (an agent gives up on a request long before)"
            ),
        );
    }
    if ingest.max_sample_gap_seconds > 0
        && ingest.max_sample_gap_seconds < ingest.default_interval_seconds
    {
        v.push(
            "ingest.max_sample_gap_seconds",
            format!(
                "must be at least ingest.default_interval_seconds ({})",
                ingest.default_interval_seconds
            ),
        );
    }
}

fn pricing(v: &mut Issues, s: &Settings) {
    let p = &s.pricing;
    if !(p.currency.len() == 3 && p.currency.bytes().all(|b| b.is_ascii_uppercase())) {
        v.push(
            "pricing.currency",
            "must be a three-letter upper-case ISO 4217 code such as USD or EUR",
        );
    }
    for (key, rate) in [
        ("pricing.cpu_core_hourly", p.cpu_core_hourly),
        ("pricing.ram_gib_hourly", p.ram_gib_hourly),
    ] {
        // Node prices are split into CPU and RAM in the ratio of these rates.
        if rate <= Decimal::ZERO {
            v.push(key, "must be greater than 0");
        }
    }
}

fn telemetry(v: &mut Issues, s: &Settings) {
    let level = &s.telemetry.log_level;
    if level.is_empty() {
        v.push("telemetry.log_level", "must not be empty (e.g. `info`)");
    } else if let Err(e) = tracing_subscriber::EnvFilter::try_new(level) {
        v.push(
            "telemetry.log_level",
            format!("invalid filter `{level}`: {e} (e.g. `info` or `info,kcost_http=debug`)"),
        );
    }
}

/// Longest accepted `kubecent.warm_interval_seconds` (a day).
const MAX_WARM_INTERVAL_SECONDS: u64 = 24 * 60 * 60;
/// Shortest non-zero `kubecent.warm_interval_seconds`: warming recomputes every active
/// tenant's answers, so it must not run back to back.
const MIN_WARM_INTERVAL_SECONDS: u64 = 10;

/// An `anonymous_tenant` setting: a tenant id (UUID) or a valid tenant name.
fn anonymous_tenant(v: &mut Issues, key: &str, value: Option<&String>) {
    if let Some(value) = value
        && uuid::Uuid::parse_str(value).is_err()
        && let Err(error) = TenantName::new(value.as_str())
    {
        v.push(
            key,
            format!("must be a tenant id or name ({error}); omit it to require API keys"),
        );
    }
}

fn allocation(v: &mut Issues, s: &Settings) {
    anonymous_tenant(
        v,
        "allocation.anonymous_tenant",
        s.allocation.anonymous_tenant.as_ref(),
    );
}

fn kubecent(v: &mut Issues, s: &Settings) {
    let k = &s.kubecent;
    anonymous_tenant(v, "kubecent.anonymous_tenant", k.anonymous_tenant.as_ref());
    let interval = k.warm_interval_seconds;
    if interval != 0 && !(MIN_WARM_INTERVAL_SECONDS..=MAX_WARM_INTERVAL_SECONDS).contains(&interval)
    {
        v.push(
            "kubecent.warm_interval_seconds",
            format!(
                "must be 0 (off) or between {MIN_WARM_INTERVAL_SECONDS} and \
                 {MAX_WARM_INTERVAL_SECONDS}"
            ),
        );
    }
}

/// Accepted `opencost.aggregate` values.
pub const OPENCOST_AGGREGATES: &[&str] = &["namespace,pod", "cluster,node,namespace,pod"];
/// Bounds of `opencost.sources[i].interval`.
const MIN_OPENCOST_INTERVAL_SECONDS: u64 = 10;
const MAX_OPENCOST_INTERVAL_SECONDS: u64 = 24 * 60 * 60;
/// Most `opencost.backfill_hours` (90 days).
const MAX_OPENCOST_BACKFILL_HOURS: u32 = 90 * 24;

fn opencost(v: &mut Issues, s: &Settings) {
    let o = &s.opencost;
    if !OPENCOST_AGGREGATES.contains(&o.aggregate.as_str()) {
        v.push(
            "opencost.aggregate",
            format!("must be one of {}", OPENCOST_AGGREGATES.join(" or ")),
        );
    }
    if !(1..=MAX_OPENCOST_BACKFILL_HOURS).contains(&o.backfill_hours) {
        v.push(
            "opencost.backfill_hours",
            format!("must be between 1 and {MAX_OPENCOST_BACKFILL_HOURS}"),
        );
    }
    let mut seen = std::collections::HashSet::new();
    for (i, source) in o.sources.iter().enumerate() {
        let key = |field: &str| format!("opencost.sources[{i}].{field}");
        if let Err(error) = TenantName::new(source.tenant.as_str()) {
            v.push(&key("tenant"), format!("must be a tenant name ({error})"));
        }
        if let Err(error) = kcost_domain::cluster::ClusterName::new(source.cluster.as_str()) {
            v.push(&key("cluster"), error.to_string());
        }
        check_url(
            v,
            &key("url"),
            &source.url,
            &["http", "https"],
            "must be an http:// or https:// URL of OpenCost's API",
        );
        match kcost_domain::duration_text::parse_duration(&source.interval) {
            Ok(interval)
                if (MIN_OPENCOST_INTERVAL_SECONDS..=MAX_OPENCOST_INTERVAL_SECONDS)
                    .contains(&interval.as_secs()) => {}
            Ok(_) => v.push(
                &key("interval"),
                format!(
                    "must be between {MIN_OPENCOST_INTERVAL_SECONDS}s and \
                     {MAX_OPENCOST_INTERVAL_SECONDS}s"
                ),
            ),
            Err(error) => v.push(&key("interval"), error),
        }
        if !seen.insert((source.tenant.as_str(), source.cluster.as_str())) {
            v.push(
                &key("cluster"),
                "another source already imports this tenant's cluster",
            );
        }
    }
}

/// Checks `scheme://rest` with an allowed scheme and a non-empty rest. The URL itself is
/// never echoed: it may hold a password.
fn check_url(v: &mut Issues, key: &str, url: &ConnectionUrl, schemes: &[&str], message: &str) {
    let scheme_ok = url
        .scheme()
        .is_some_and(|scheme| schemes.contains(&scheme.as_str()));
    if !scheme_ok {
        v.push(key, message);
    } else if url.rest().is_none_or(|rest| rest.trim().is_empty()) {
        v.push(key, "must name a database or server after the scheme");
    }
}

/// An IP address or an RFC 1123 host name.
fn is_host(host: &str) -> bool {
    if host.parse::<IpAddr>().is_ok() {
        return true;
    }
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// `http(s)://host[:port]`, no path, query, fragment or credentials.
fn is_origin(origin: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    if !matches!(scheme, "http" | "https") || rest.contains(['/', '?', '#', '@']) {
        return false;
    }
    // Bracketed IPv6 literal, optionally followed by a port.
    if let Some(v6) = rest.strip_prefix('[') {
        let Some((addr, after)) = v6.split_once(']') else {
            return false;
        };
        return addr.parse::<std::net::Ipv6Addr>().is_ok()
            && (after.is_empty() || after.strip_prefix(':').is_some_and(is_port));
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (rest, None),
    };
    is_host(host) && port.is_none_or(is_port)
}

fn is_port(port: &str) -> bool {
    port.parse::<u16>().is_ok_and(|p| p > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        for ok in [
            "https://app.example.com",
            "http://localhost:3000",
            "http://127.0.0.1:8080",
            "https://[::1]:8443",
        ] {
            assert!(is_origin(ok), "{ok}");
        }
        for bad in [
            "app.example.com",
            "ftp://example.com",
            "https://example.com/",
            "https://example.com/path",
            "https://user@example.com",
            "https://example.com:0",
            "https://example.com:99999",
            "https://",
            "https://exa mple.com",
        ] {
            assert!(!is_origin(bad), "{bad}");
        }
    }

    #[test]
    fn hosts() {
        for ok in [
            "127.0.0.1",
            "0.0.0.0",
            "::",
            "localhost",
            "kcost-api.internal",
        ] {
            assert!(is_host(ok), "{ok}");
        }
        for bad in ["", "http://x", "a..b", "-a", "has space"] {
            assert!(!is_host(bad), "{bad}");
        }
    }
}
