//! [`RedisOptions`]: how to reach Redis, and the fred client configuration built from
//! them — one place for timeouts and the reconnect policy, shared by the cache's pool and
//! the invalidation bus's subscriber connection.

use std::time::Duration;

use fred::prelude::{Builder, Config, ReconnectPolicy};

/// Connections in the cache's pool. fred pipelines commands on each connection, so two
/// are plenty for kcost's small GET/SET traffic and keep one usable while the other
/// reconnects.
pub const DEFAULT_POOL_SIZE: usize = 2;

/// Reconnect delays: from 50 ms, doubling, to at most 2 s; never give up.
const RECONNECT_MIN_DELAY_MS: u32 = 50;
const RECONNECT_MAX_DELAY_MS: u32 = 2_000;
/// A connection that answers nothing for this long is dropped and reconnected (a hung,
/// not closed, Redis would otherwise hold every command until its timeout forever).
const UNRESPONSIVE_AFTER: Duration = Duration::from_secs(2);

/// How to reach Redis.
#[derive(Clone)]
pub struct RedisOptions {
    /// `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS). Carries the
    /// password: never logged, see [`RedisOptions::redacted_url`].
    pub url: String,
    /// Per-command bound (`redis.timeout_ms`): a slow or dead Redis answers
    /// `Unavailable` after this long.
    pub command_timeout: Duration,
    /// Connections in the cache's pool.
    pub pool_size: usize,
    /// Prepended to every key and channel name, so several deployments (or tests) can
    /// share one Redis.
    pub key_prefix: String,
}

impl std::fmt::Debug for RedisOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisOptions")
            .field("url", &self.redacted_url())
            .field("command_timeout", &self.command_timeout)
            .field("pool_size", &self.pool_size)
            .field("key_prefix", &self.key_prefix)
            .finish()
    }
}

/// The URL is not a Redis URL. The message names the URL with its password redacted.
#[derive(Debug, thiserror::Error)]
#[error("redis.url `{url}` is not a valid Redis URL: {reason}")]
pub struct InvalidRedisUrl {
    url: String,
    reason: String,
}

impl InvalidRedisUrl {
    pub(crate) fn new(options: &RedisOptions, reason: &str) -> Self {
        Self {
            url: options.redacted_url(),
            reason: scrub(reason, &options.url),
        }
    }
}

impl RedisOptions {
    /// Options with the default pool size and no key prefix.
    pub fn new(url: impl Into<String>, command_timeout: Duration) -> Self {
        Self {
            url: url.into(),
            command_timeout,
            pool_size: DEFAULT_POOL_SIZE,
            key_prefix: String::new(),
        }
    }

    pub fn with_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// The URL with any password replaced by `[redacted]`, for logs and errors.
    pub fn redacted_url(&self) -> String {
        redact(&self.url)
    }

    /// A fred builder for these options: command timeout, connection timeouts, unresponsive
    /// detection and an endless reconnect policy. The first connection is retried like a
    /// lost one, so kcost starts (degraded) while Redis is down.
    pub(crate) fn builder(&self) -> Result<Builder, InvalidRedisUrl> {
        // fred's details describe the syntax error; `scrub` drops them if they quote the URL.
        let mut config = Config::from_url(&self.url)
            .map_err(|error| InvalidRedisUrl::new(self, error.details()))?;
        config.fail_fast = false;
        let timeout = self.command_timeout;
        let connect_timeout = timeout.max(Duration::from_secs(1));
        let mut builder = Builder::from_config(config);
        builder
            .with_performance_config(|performance| {
                performance.default_command_timeout = timeout;
            })
            .with_connection_config(|connection| {
                connection.connection_timeout = connect_timeout;
                connection.internal_command_timeout = connect_timeout;
                // A command whose connection died is not retried: the caller falls back
                // to the database instead of waiting for a reconnection.
                connection.max_command_attempts = 1;
                connection.unresponsive.max_timeout = Some(UNRESPONSIVE_AFTER.max(timeout));
                connection.unresponsive.interval = Duration::from_millis(500);
            })
            .set_policy(ReconnectPolicy::new_exponential(
                0,
                RECONNECT_MIN_DELAY_MS,
                RECONNECT_MAX_DELAY_MS,
                2,
            ));
        Ok(builder)
    }
}

/// `scheme://user:password@host…` → `scheme://user:[redacted]@host…`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "[unparseable, redacted]".to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or("", |(user, _)| user);
            let shown = if userinfo.contains(':') {
                format!("{user}:[redacted]")
            } else {
                // `redis://password@host` is how some write a password without a user.
                "[redacted]".to_owned()
            };
            format!("{scheme}://{shown}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

/// `text`, unless it quotes `url` (or its password): then a generic message.
fn scrub(text: &str, url: &str) -> String {
    let password = url
        .split_once("://")
        .and_then(|(_, rest)| rest.rsplit_once('@'))
        .map(|(userinfo, _)| userinfo.rsplit_once(':').map_or(userinfo, |(_, pw)| pw))
        .filter(|pw| !pw.is_empty());
    match password {
        Some(password) if text.contains(password) => "malformed URL".to_owned(),
        _ if text.contains(url) => "malformed URL".to_owned(),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("rediss://:s3cret@cache:6380/0"),
            "rediss://:[redacted]@cache:6380/0"
        );
        assert_eq!(
            redact("redis://kcost:s3cret@cache"),
            "redis://kcost:[redacted]@cache"
        );
        assert_eq!(redact("redis://s3cret@cache"), "redis://[redacted]@cache");
        assert_eq!(redact("redis://cache:6379"), "redis://cache:6379");
        let options = RedisOptions::new("redis://u:s3cret@cache", Duration::from_millis(1));
        assert!(!format!("{options:?}").contains("s3cret"));
    }

    #[test]
    fn an_invalid_url_is_refused_without_its_password() {
        let options = RedisOptions::new("redis://u:s3cret@[bad/0", Duration::from_millis(100));
        let error = options.builder().err().map(|e| e.to_string());
        let error = error.unwrap_or_default();
        assert!(error.contains("not a valid Redis URL"), "{error}");
        assert!(!error.contains("s3cret"), "{error}");
    }
}
