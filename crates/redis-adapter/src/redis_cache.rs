//! [`RedisCache`]: the cache port on Redis (fred), shared by every replica.
//!
//! Every command is bounded by the configured timeout and fails fast while disconnected,
//! so a dead or slow Redis costs a request at most that timeout before it is served from
//! the database; fred reconnects in the background and the next command after that simply
//! works again. A Redis that keeps timing out (frozen) opens the [`Circuit`]: commands are
//! then skipped at once until a background ping gets an answer. Outages are logged
//! through [`OutageLog`] (rate-limited).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use fred::clients::Pool;
use fred::error::{Error as FredError, ErrorKind};
use fred::prelude::{ClientLike, Expiration, KeysInterface, Options, Value};
use kcost_ports::{Cache, CacheError};

use crate::circuit::{Circuit, OPEN_AFTER, PROBE_INTERVAL};
use crate::outage_log::OutageLog;
use crate::redis_options::{InvalidRedisUrl, RedisOptions};

/// How long [`RedisCache::connect`] waits for the first connection before starting
/// degraded (it keeps connecting in the background).
const FIRST_CONNECTION_WAIT: Duration = Duration::from_secs(2);

/// The Redis cache. Cheap to clone: clones share the pool.
#[derive(Clone)]
pub struct RedisCache {
    pool: Pool,
    options: Arc<RedisOptions>,
    command: Options,
    outages: Arc<OutageLog>,
    circuit: Arc<Circuit>,
    /// Set by [`RedisCache::close`]: the probe stops.
    closed: Arc<std::sync::atomic::AtomicBool>,
}

impl std::fmt::Debug for RedisCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCache")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl RedisCache {
    /// Starts the pool's connections and waits briefly for them. An unreachable Redis is
    /// not an error (kcost serves from the database and reconnects); an invalid URL is.
    pub async fn connect(options: RedisOptions) -> Result<Self, InvalidRedisUrl> {
        let pool = options
            .builder()?
            .build_pool(options.pool_size.max(1))
            .map_err(|error| InvalidRedisUrl::new(&options, error.details()))?;
        // Commands go to a connected client when there is one.
        pool.prefer_connected(true);
        let _connection_task = pool.connect();
        let outages = Arc::new(OutageLog::new("cache"));
        match tokio::time::timeout(FIRST_CONNECTION_WAIT, pool.wait_for_connect()).await {
            Ok(Ok(())) => {
                tracing::info!(url = %options.redacted_url(), "connected to Redis");
            }
            Ok(Err(error)) => {
                outages.failure(&error);
            }
            Err(_) => {
                outages.failure(&"no connection within 2 s");
            }
        }
        let command = Options {
            timeout: Some(options.command_timeout),
            max_attempts: Some(1),
            fail_fast: true,
            ..Options::default()
        };
        Ok(Self {
            pool,
            options: Arc::new(options),
            command,
            outages,
            circuit: Arc::default(),
            closed: Arc::default(),
        })
    }

    /// Closes the connections (at shutdown); later commands fail as `Unavailable`.
    pub async fn close(&self) {
        self.closed
            .store(true, std::sync::atomic::Ordering::Release);
        let _ = tokio::time::timeout(self.options.command_timeout, self.pool.quit()).await;
    }

    /// The prefixed key.
    fn key(&self, key: &str) -> String {
        let mut full = String::with_capacity(self.options.key_prefix.len() + key.len());
        full.push_str(&self.options.key_prefix);
        full.push_str(key);
        full
    }

    /// Runs one command on the next connected client, bounded by the command timeout.
    async fn run<T, F, Fut>(&self, command: F) -> Result<T, CacheError>
    where
        F: FnOnce(fred::clients::WithOptions<fred::clients::Client>) -> Fut,
        Fut: Future<Output = Result<T, FredError>>,
    {
        if self.circuit.is_open() {
            return Err(CacheError::Unavailable(anyhow::anyhow!(
                "Redis skipped: it failed {OPEN_AFTER} times in a row (circuit open, probing \
                 every {} s)",
                PROBE_INTERVAL.as_secs()
            )));
        }
        let client = self.pool.next_connected().with_options(&self.command);
        // fred applies the timeout too; this bound also covers waiting for a connection.
        let outcome = tokio::time::timeout(self.options.command_timeout, command(client)).await;
        match outcome {
            Ok(Ok(value)) => {
                self.answered();
                Ok(value)
            }
            Ok(Err(error)) if is_reply_error(&error) => {
                // Redis answered: it is up; the command itself was refused.
                self.answered();
                Err(CacheError::Unexpected(anyhow::anyhow!(
                    "Redis refused the command: {}",
                    error.details()
                )))
            }
            Ok(Err(error)) => {
                self.failed(&error);
                Err(CacheError::Unavailable(anyhow::anyhow!(
                    "Redis command failed: {error}"
                )))
            }
            Err(_) => {
                let error = format!(
                    "Redis did not answer within {} ms",
                    self.options.command_timeout.as_millis()
                );
                self.failed(&error);
                Err(CacheError::Unavailable(anyhow::anyhow!(error)))
            }
        }
    }

    fn answered(&self) {
        self.outages.success();
        self.circuit.success();
    }

    /// Logs the failure; the one that opens the circuit starts the probe.
    fn failed(&self, error: &dyn std::fmt::Display) {
        self.outages.failure(error);
        if self.circuit.failure() {
            tokio::spawn(self.clone().probe());
        }
    }

    /// While the circuit is open: a PING every [`PROBE_INTERVAL`], bounded by the command
    /// timeout, until Redis answers (the circuit closes) or the cache is closed.
    async fn probe(self) {
        while !self.closed.load(std::sync::atomic::Ordering::Acquire) {
            tokio::time::sleep(PROBE_INTERVAL).await;
            let client = self.pool.next_connected().with_options(&self.command);
            let ping = tokio::time::timeout(self.options.command_timeout, client.ping::<()>(None));
            if let Ok(Ok(())) = ping.await {
                self.answered();
                return;
            }
        }
    }
}

/// Whether Redis itself answered with an error (`ERR value is not an integer…`), as
/// opposed to the connection failing.
fn is_reply_error(error: &FredError) -> bool {
    matches!(
        error.kind(),
        ErrorKind::InvalidCommand
            | ErrorKind::InvalidArgument
            | ErrorKind::Unknown
            | ErrorKind::Parse
    )
}

fn into_bytes(value: Value) -> Result<Option<Vec<u8>>, CacheError> {
    match value {
        Value::Null => Ok(None),
        Value::Bytes(bytes) => Ok(Some(bytes.to_vec())),
        Value::String(text) => Ok(Some(text.as_bytes().to_vec())),
        Value::Integer(number) => Ok(Some(number.to_string().into_bytes())),
        other => Err(CacheError::Unexpected(anyhow::anyhow!(
            "unexpected Redis reply to GET: {:?}",
            other.kind()
        ))),
    }
}

#[async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let key = self.key(key);
        let value: Value = self.run(|c| async move { c.get(key).await }).await?;
        into_bytes(value)
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), CacheError> {
        let key = self.key(key);
        if ttl.is_zero() {
            // Redis refuses a zero expiry; "expired on arrival" means nothing readable.
            return self
                .run(|c| async move { c.del::<i64, _>(key).await })
                .await
                .map(drop);
        }
        // PX is in whole milliseconds; a sub-millisecond TTL still stores for 1 ms.
        let millis = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1);
        let value = fred::bytes::Bytes::copy_from_slice(value);
        self.run(|c| async move {
            c.set::<(), _, _>(key, value, Some(Expiration::PX(millis)), None, false)
                .await
        })
        .await
    }

    async fn delete(&self, key: &str) -> Result<(), CacheError> {
        let key = self.key(key);
        self.run(|c| async move { c.del::<i64, _>(key).await })
            .await
            .map(drop)
    }

    async fn increment(&self, key: &str) -> Result<u64, CacheError> {
        let key = self.key(key);
        let count: i64 = self.run(|c| async move { c.incr(key).await }).await?;
        u64::try_from(count).map_err(|_| {
            CacheError::Unexpected(anyhow::anyhow!("Redis counter is negative: {count}"))
        })
    }
}

impl RedisCache {
    /// PUBLISH on `channel` (already prefixed), for the invalidation bus.
    pub(crate) async fn publish(&self, channel: &str, message: &str) -> Result<(), CacheError> {
        let (channel, message) = (channel.to_owned(), message.to_owned());
        self.run(|c| async move {
            fred::prelude::PubsubInterface::publish::<i64, _, _>(&c, channel, message).await
        })
        .await
        .map(drop)
    }
}
