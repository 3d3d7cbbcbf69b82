//! Invalidation bus port: tells every replica to drop something it caches in its own
//! memory (API keys in the authenticator's local cache). Messages are short texts whose
//! meaning belongs to the use cases; the bus only carries them.
//!
//! Delivery is at most once: a replica that is disconnected when a message is sent never
//! sees it. Each subscription says so with [`InvalidationEvent::MayHaveMissed`], and
//! whatever a subscriber caches must expire on its own anyway (a short TTL), so a lost
//! message delays an invalidation by at most that TTL and never forever.

use async_trait::async_trait;

/// Errors of [`InvalidationBus::publish`]: `Unavailable` when the bus cannot be reached or
/// timed out and the message was not sent (callers log it and carry on: the receivers' own
/// TTLs bound the staleness), else `Unexpected`.
pub type InvalidationError = crate::BackendFailure;

/// What a subscription yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidationEvent {
    /// A message someone published (possibly this replica).
    Message(String),
    /// Messages may have been lost (the connection to the bus dropped and came back, or
    /// this subscriber fell behind): drop everything that could depend on them.
    MayHaveMissed,
}

/// A publish/subscribe channel shared by every replica (Redis pub/sub), or by the
/// components of one process (the in-process bus, used without Redis).
///
/// Contract: a message published after `subscribe` returned reaches that subscription,
/// on every replica, unless the subscription reports `MayHaveMissed` in its place;
/// `publish` answers `Unavailable` within the backend's timeout rather than blocking.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait InvalidationBus: Send + Sync {
    /// Sends `message` to every subscription, this replica's included.
    async fn publish(&self, message: &str) -> Result<(), InvalidationError>;

    /// A new subscription to every message published from now on.
    fn subscribe(&self) -> Box<dyn InvalidationSubscription>;
}

/// One subscriber's stream of events.
#[async_trait]
pub trait InvalidationSubscription: Send + std::fmt::Debug {
    /// The next event; `None` once the bus has shut down.
    async fn next(&mut self) -> Option<InvalidationEvent>;
}
