//! Values that must never reach a log line, an error message or `kcost config show`:
//! [`Secret`] (peppers, tokens) and [`ConnectionUrl`] (may embed a password).
//!
//! Both print and serialize in redacted form; the real value is only available through
//! an explicit `expose()` call at the place that needs it (hashing, connecting). Both read
//! as lenient text ([`super::de::text`]).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a redacted value prints as.
pub const REDACTED: &str = "[redacted]";

/// A secret string. `Debug`, `Display` and `Serialize` all print `[redacted]`.
///
/// Equality is plain (not constant-time): this type is for configuration, not for
/// checking credentials presented by clients.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The real value. Call only where the secret is used (e.g. as an HMAC key).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Length in bytes (safe to report; the content is not).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        super::de::text(deserializer).map(Secret)
    }
}

/// A database or cache URL. It may carry credentials (`postgres://user:pw@host/db`,
/// `?password=…`), so `Debug`, `Display` and `Serialize` show it with the password
/// replaced by `[redacted]`; [`ConnectionUrl::expose`] gives the real URL.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionUrl(String);

impl ConnectionUrl {
    /// Wraps a URL (trimmed).
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into().trim().to_owned())
    }

    /// The full URL including any credentials. Call only where a connection is made.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The scheme in lower case (`sqlite`, `postgres`, `redis`, …), if there is one.
    pub fn scheme(&self) -> Option<String> {
        self.0
            .split_once("://")
            .map(|(scheme, _)| scheme.to_ascii_lowercase())
    }

    /// Everything after `scheme://`.
    pub fn rest(&self) -> Option<&str> {
        self.0.split_once("://").map(|(_, rest)| rest)
    }

    /// The URL with passwords replaced by `[redacted]`.
    pub fn redacted(&self) -> String {
        redact_url(&self.0)
    }
}

impl fmt::Debug for ConnectionUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

impl fmt::Display for ConnectionUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Serialize for ConnectionUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.redacted())
    }
}

impl<'de> Deserialize<'de> for ConnectionUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        super::de::text(deserializer).map(ConnectionUrl)
    }
}

/// Query parameters whose values are credentials (libpq / sqlx / redis spellings).
const SECRET_QUERY_KEYS: &[&str] = &["password", "pass", "pwd", "sslpassword", "token"];

fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return redact_query(url);
    };
    let authority_start = scheme_end + 3;
    let authority_end = url[authority_start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| authority_start + i);
    let authority = &url[authority_start..authority_end];

    let mut out = String::with_capacity(url.len() + REDACTED.len());
    out.push_str(&url[..authority_start]);
    match authority.rfind('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            match userinfo.split_once(':') {
                Some((user, _password)) => {
                    out.push_str(user);
                    out.push(':');
                    out.push_str(REDACTED);
                }
                None => out.push_str(userinfo),
            }
            out.push_str(&authority[at..]);
        }
        None => out.push_str(authority),
    }
    out.push_str(&redact_query(&url[authority_end..]));
    out
}

/// Redacts credential-bearing `key=value` pairs in the query part of `s` (if any).
fn redact_query(s: &str) -> String {
    let Some((before, after)) = s.split_once('?') else {
        return s.to_owned();
    };
    let (query, fragment) = match after.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (after, None),
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if SECRET_QUERY_KEYS.contains(&key.to_ascii_lowercase().as_str()) => {
                format!("{key}={REDACTED}")
            }
            _ => pair.to_owned(),
        })
        .collect();
    let mut out = format!("{before}?{}", pairs.join("&"));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("hunter2-hunter2-hunter2");
        assert_eq!(format!("{s}"), REDACTED);
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(format!("{:?}", Some(s.clone())), "Some([redacted])");
        assert_eq!(
            serde_json::to_string(
                &[("k", &s)]
                    .into_iter()
                    .collect::<std::collections::BTreeMap<_, _>>()
            )
            .unwrap(),
            r#"{"k":"[redacted]"}"#
        );
        assert_eq!(s.expose(), "hunter2-hunter2-hunter2");
        assert_eq!(s.len(), 23);
    }

    #[test]
    fn url_password_is_redacted() {
        let cases = [
            ("sqlite://kcost.db?mode=rwc", "sqlite://kcost.db?mode=rwc"),
            (
                "postgres://kcost:s3cret@db:5432/kcost",
                "postgres://kcost:[redacted]@db:5432/kcost",
            ),
            ("postgres://kcost@db/kcost", "postgres://kcost@db/kcost"),
            (
                "redis://:s3cret@cache:6379/0",
                "redis://:[redacted]@cache:6379/0",
            ),
            (
                "rediss://user:p%40ss@cache",
                "rediss://user:[redacted]@cache",
            ),
            (
                "postgres://db/kcost?user=k&password=s3cret&sslmode=disable#x",
                "postgres://db/kcost?user=k&password=[redacted]&sslmode=disable#x",
            ),
        ];
        for (url, want) in cases {
            let u = ConnectionUrl::new(url);
            assert_eq!(u.redacted(), want);
            assert_eq!(u.to_string(), want);
            assert!(!format!("{u:?}").contains("s3cret"));
            assert_eq!(u.expose(), url);
        }
    }

    #[test]
    fn url_scheme() {
        assert_eq!(
            ConnectionUrl::new("Postgres://x").scheme().as_deref(),
            Some("postgres")
        );
        assert_eq!(ConnectionUrl::new("nonsense").scheme(), None);
        assert_eq!(ConnectionUrl::new("sqlite://a.db").rest(), Some("a.db"));
    }
}
