//! `[server]`: the HTTP listener — address, timeouts, worker threads — and the limits every
//! request meets before a route: CORS origins and the per-key rate limit. Read by
//! [`crate::serve`] when it binds and builds its workers ([`crate::HttpApp`]); validated here, each
//! problem keyed within the section (`port`, `cors_origins`).

use std::net::{IpAddr, Ipv6Addr};

use kcost_settings::{SettingIssue, SettingIssues, de};
use serde::{Deserialize, Deserializer, Serialize};

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
    /// Reserved, not applied: checked and accepted so existing files keep loading, but
    /// actix-web has no deadline for writing a response.
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

fn opt_positive_usize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<usize>, D::Error> {
    de::opt_parsed(deserializer, "a positive integer")
}

impl ServerSettings {
    /// Every problem with the section, keyed within it.
    pub fn validate(&self) -> Vec<SettingIssue> {
        let mut v = SettingIssues::default();
        if !is_host(&self.host) {
            v.push("host", "must be an IP address or a host name");
        }
        if self.port == 0 {
            v.push("port", "must be between 1 and 65535");
        }
        v.positive("read_timeout_seconds", self.read_timeout_seconds);
        v.positive("write_timeout_seconds", self.write_timeout_seconds);
        v.positive("shutdown_timeout_seconds", self.shutdown_timeout_seconds);
        if self.workers == Some(0) {
            v.push(
                "workers",
                "must be greater than 0 (omit it for one per CPU)",
            );
        }
        let origins = &self.cors_origins;
        if origins.iter().any(|o| o == "*") && origins.len() > 1 {
            v.push("cors_origins", "`*` must be the only entry when used");
        }
        for origin in origins.iter().filter(|o| *o != "*") {
            if !is_origin(origin) {
                v.push(
                    "cors_origins",
                    format!(
                        "`{origin}` is not `*` or an origin like https://app.example.com \
                         (http or https scheme, host, optional port, no path)"
                    ),
                );
            }
        }
        v.into_vec()
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
        return addr.parse::<Ipv6Addr>().is_ok()
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

    #[test]
    fn every_rule_names_its_key_within_the_section() {
        assert_eq!(ServerSettings::default().validate(), []);
        let bad = ServerSettings {
            host: "http://x".into(),
            port: 0,
            read_timeout_seconds: 0,
            write_timeout_seconds: 0,
            shutdown_timeout_seconds: 0,
            cors_origins: vec!["*".into(), "example.com".into()],
            rate_limit_per_minute: 0,
            workers: Some(0),
        };
        let keys: Vec<String> = bad.validate().into_iter().map(|i| i.key).collect();
        assert_eq!(
            keys,
            [
                "host",
                "port",
                "read_timeout_seconds",
                "write_timeout_seconds",
                "shutdown_timeout_seconds",
                "workers",
                "cors_origins",
                "cors_origins",
            ]
        );
    }
}
