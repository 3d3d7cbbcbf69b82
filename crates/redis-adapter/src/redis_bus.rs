//! [`RedisInvalidationBus`]: the invalidation bus on Redis pub/sub, across replicas.
//!
//! Publishing goes through the cache's pool. Receiving needs a connection of its own (a
//! subscribed connection can do nothing else); a task owns it and feeds every local
//! subscription. fred reconnects that connection by itself; on every (re)connection the
//! task subscribes again and tells the subscriptions `MayHaveMissed`, since messages
//! published while it was away are gone (Redis pub/sub keeps nothing).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use fred::clients::Client;
use fred::prelude::{ClientLike, EventInterface, Options, PubsubInterface};
use kcost_ports::{
    CacheError, InvalidationBus, InvalidationError, InvalidationEvent, InvalidationSubscription,
};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use crate::in_process_bus::BroadcastSubscription;
use crate::outage_log::OutageLog;
use crate::redis_cache::RedisCache;
use crate::redis_options::{InvalidRedisUrl, RedisOptions};

/// Messages a slow local subscriber may fall behind by before it is told `MayHaveMissed`.
const CAPACITY: usize = 1024;
/// While not subscribed (Redis down at start, or SUBSCRIBE failed), try again this often.
const SUBSCRIBE_RETRY: Duration = Duration::from_secs(1);

/// The Redis pub/sub bus on channel `<key_prefix><channel>`.
pub struct RedisInvalidationBus {
    publisher: RedisCache,
    channel: String,
    /// `None` once closed: new subscriptions then end at once.
    events: Mutex<Option<broadcast::Sender<InvalidationEvent>>>,
    stop: watch::Sender<bool>,
    receiver: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for RedisInvalidationBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisInvalidationBus")
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

impl RedisInvalidationBus {
    /// Starts the receiving connection and its task (on the current tokio runtime);
    /// publishes through `publisher`. Redis being down is not an error.
    pub fn start(
        options: &RedisOptions,
        publisher: RedisCache,
        channel: &str,
    ) -> Result<Self, InvalidRedisUrl> {
        let client = options
            .builder()?
            .build()
            .map_err(|error| InvalidRedisUrl::new(options, error.details()))?;
        let channel = format!("{}{channel}", options.key_prefix);
        let (events, _) = broadcast::channel(CAPACITY);
        let (stop, stopped) = watch::channel(false);
        let receiver = Receiver {
            client,
            channel: channel.clone(),
            events: events.clone(),
            command: Options {
                timeout: Some(options.command_timeout),
                max_attempts: Some(1),
                fail_fast: true,
                ..Options::default()
            },
            outages: Arc::new(OutageLog::new("invalidation bus")),
        };
        let task = tokio::spawn(receiver.run(stopped));
        Ok(Self {
            publisher,
            channel,
            events: Mutex::new(Some(events)),
            stop,
            receiver: Mutex::new(Some(task)),
        })
    }

    /// Stops the receiving task and closes its connection; open subscriptions end.
    pub async fn close(&self) {
        let _ = self.stop.send(true);
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let task = self
            .receiver
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(mut task) = task
            && tokio::time::timeout(Duration::from_secs(2), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

#[async_trait]
impl InvalidationBus for RedisInvalidationBus {
    async fn publish(&self, message: &str) -> Result<(), InvalidationError> {
        self.publisher
            .publish(&self.channel, message)
            .await
            .map_err(|error| match error {
                CacheError::Unavailable(e) => InvalidationError::Unavailable(e),
                CacheError::Unexpected(e) => InvalidationError::Unexpected(e),
            })
    }

    fn subscribe(&self) -> Box<dyn InvalidationSubscription> {
        let receiver = match &*self.events.lock().unwrap_or_else(PoisonError::into_inner) {
            Some(events) => events.subscribe(),
            // Closed: a receiver whose sender is already gone ends at once.
            None => broadcast::channel::<InvalidationEvent>(1).0.subscribe(),
        };
        Box::new(BroadcastSubscription(receiver))
    }
}

/// The receiving connection's task.
struct Receiver {
    client: Client,
    channel: String,
    events: broadcast::Sender<InvalidationEvent>,
    command: Options,
    outages: Arc<OutageLog>,
}

impl Receiver {
    async fn run(self, mut stopped: watch::Receiver<bool>) {
        // Listen before connecting, so the first connection's notice is not missed.
        let mut connections = self.client.reconnect_rx();
        let mut messages = self.client.message_rx();
        let _connection_task = self.client.connect();
        let mut retry = tokio::time::interval(SUBSCRIBE_RETRY);
        retry.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut subscribed = false;
        loop {
            tokio::select! {
                changed = stopped.changed() => {
                    if changed.is_err() || *stopped.borrow() {
                        break;
                    }
                }
                connected = connections.recv() => {
                    if matches!(connected, Err(broadcast::error::RecvError::Closed)) {
                        break;
                    }
                    // A new connection has no subscription, and whatever was published
                    // while there was none is lost.
                    let _ = self.events.send(InvalidationEvent::MayHaveMissed);
                    subscribed = self.subscribe().await;
                }
                _ = retry.tick(), if !subscribed => {
                    subscribed = self.subscribe().await;
                }
                message = messages.recv() => match message {
                    Ok(message) if *message.channel == *self.channel => {
                        if let Some(text) = message.value.as_string() {
                            let _ = self.events.send(InvalidationEvent::Message(text));
                        }
                    }
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let _ = self.events.send(InvalidationEvent::MayHaveMissed);
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        }
        let _ = tokio::time::timeout(Duration::from_secs(1), self.client.quit()).await;
    }

    async fn subscribe(&self) -> bool {
        let client = self.client.with_options(&self.command);
        match client.subscribe(self.channel.as_str()).await {
            Ok(()) => {
                self.outages.success();
                tracing::debug!(channel = %self.channel, "subscribed to invalidations");
                true
            }
            Err(error) => {
                self.outages.failure(&error);
                false
            }
        }
    }
}
