//! Where a budget's alerts go: an `http(s)` URL, checked before it is stored. kcost makes
//! requests to it from inside the deployment, so by default it refuses what would point a
//! request at the deployment's own network (loopback, private, link-local and unspecified
//! addresses, `localhost`): a tenant must not be able to probe what only the server can
//! reach. Operators who deliver to internal receivers allow them ([`WebhookPolicy`]).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Longest URL accepted.
pub const MAX_URL_CHARS: usize = 2048;
/// The host of Slack's incoming webhooks: they get a `text` field Slack shows.
const SLACK_HOST: &str = "hooks.slack.com";

/// What webhook targets the installation allows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WebhookPolicy {
    /// Allow `http://` (not only `https://`).
    pub allow_http: bool,
    /// Allow loopback, private and link-local addresses and `localhost`.
    pub allow_private: bool,
}

/// A validated webhook URL.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct WebhookUrl {
    url: String,
    host: String,
}

impl WebhookUrl {
    /// Checks `url` against `policy`; the error says what is wrong, for a 422.
    pub fn parse(url: &str, policy: WebhookPolicy) -> Result<Self, String> {
        if url.chars().count() > MAX_URL_CHARS {
            return Err(format!("must be at most {MAX_URL_CHARS} characters"));
        }
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("must not contain spaces or control characters".into());
        }
        let rest = if let Some(rest) = url.strip_prefix("https://") {
            rest
        } else if let Some(rest) = url.strip_prefix("http://") {
            if !policy.allow_http {
                return Err("must be an https:// URL".into());
            }
            rest
        } else {
            return Err("must be an https:// URL".into());
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err("must not carry credentials before the host".into());
        }
        let host = host_of(authority).ok_or("must name a host, with an optional port")?;
        if !policy.allow_private && is_internal(&host) {
            return Err("must not point at a loopback, private or link-local address".to_owned());
        }
        Ok(Self {
            url: url.to_owned(),
            host,
        })
    }

    /// Reads back a URL that was valid when stored, whatever the policy is now (a stored
    /// budget keeps working if the policy tightens; delivery re-checks nothing).
    pub fn stored(url: &str) -> Result<Self, String> {
        Self::parse(
            url,
            WebhookPolicy {
                allow_http: true,
                allow_private: true,
            },
        )
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// Whether this is a Slack incoming webhook.
    pub fn is_slack(&self) -> bool {
        self.host == SLACK_HOST
    }
}

/// A URL may embed a token (Slack's do): only the host is shown in logs and debug output.
impl fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookUrl({}/…)", self.host)
    }
}

/// The lower-cased host of `authority` (`host`, `host:port`, `[v6]` or `[v6]:port`).
fn host_of(authority: &str) -> Option<String> {
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']')?;
        host.parse::<Ipv6Addr>().ok()?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if let Some(port) = port
        && port.parse::<u16>().map_or(true, |p| p == 0)
    {
        return None;
    }
    let valid_name = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    (valid_name || host.parse::<Ipv6Addr>().is_ok()).then(|| host.to_ascii_lowercase())
}

/// Loopback, private, link-local, unspecified, or a name for the machine itself.
fn is_internal(host: &str) -> bool {
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => internal_v4(v4),
        Ok(IpAddr::V6(v6)) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(internal_v4)
        }
        Err(_) => false,
    }
}

fn internal_v4(v4: Ipv4Addr) -> bool {
    v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        // 100.64.0.0/10: carrier-grade NAT, often a cluster's own network.
        || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: WebhookPolicy = WebhookPolicy {
        allow_http: false,
        allow_private: false,
    };

    #[test]
    fn https_urls_with_public_hosts_are_accepted() {
        for url in [
            "https://hooks.slack.com/services/T000/B000/XXXX",
            "https://alerts.example.com:8443/kcost?team=a",
            "https://93.184.216.34/hook",
        ] {
            assert!(WebhookUrl::parse(url, STRICT).is_ok(), "{url}");
        }
    }

    #[test]
    fn slack_is_recognised_by_its_host() {
        let slack = WebhookUrl::parse("https://HOOKS.slack.com/services/x", STRICT);
        assert!(slack.expect("valid").is_slack());
        let other = WebhookUrl::parse("https://hooks.slack.com.evil.test/x", STRICT);
        assert!(!other.expect("valid").is_slack());
    }

    #[test]
    fn internal_targets_are_refused_unless_allowed() {
        for url in [
            "https://localhost/x",
            "https://127.0.0.1:9000/x",
            "https://10.0.0.7/x",
            "https://192.168.1.1/x",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/x",
            "https://[fd00::1]/x",
            "https://[::ffff:10.0.0.1]/x",
            "https://0.0.0.0/x",
            "https://100.64.0.1/x",
        ] {
            assert!(WebhookUrl::parse(url, STRICT).is_err(), "{url}");
            let open = WebhookPolicy {
                allow_http: false,
                allow_private: true,
            };
            assert!(WebhookUrl::parse(url, open).is_ok(), "{url}");
        }
    }

    #[test]
    fn malformed_urls_say_what_is_wrong() {
        let cases = [
            ("ftp://example.com/x", "https://"),
            ("http://example.com/x", "https://"),
            ("https://", "host"),
            ("https://user:pw@example.com/x", "credentials"),
            ("https://example.com:99999/x", "host"),
            ("https://exa mple.com/x", "spaces"),
            ("https://ex_ample.com/x", "host"),
        ];
        for (url, says) in cases {
            let error = WebhookUrl::parse(url, STRICT).expect_err(url);
            assert!(error.contains(says), "{url}: {error}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_CHARS));
        assert!(WebhookUrl::parse(&long, STRICT).is_err());
    }

    #[test]
    fn debug_output_hides_the_path_and_its_token() {
        let url = WebhookUrl::parse("https://hooks.slack.com/services/T/B/secret", STRICT)
            .expect("valid");
        assert!(!format!("{url:?}").contains("secret"));
    }
}
