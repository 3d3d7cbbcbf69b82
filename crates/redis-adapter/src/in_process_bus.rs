//! [`InProcessInvalidationBus`]: the invalidation bus within one process, used when no
//! Redis is configured (a single replica: every subscriber lives here).

use async_trait::async_trait;
use kcost_ports::{
    InvalidationBus, InvalidationError, InvalidationEvent, InvalidationSubscription,
};
use tokio::sync::broadcast;

/// Messages a slow subscriber may fall behind by before it is told `MayHaveMissed`.
const CAPACITY: usize = 1024;

/// The in-process bus. Cheap to clone: clones share subscribers.
#[derive(Debug, Clone)]
pub struct InProcessInvalidationBus {
    sender: broadcast::Sender<String>,
}

impl Default for InProcessInvalidationBus {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(CAPACITY).0,
        }
    }
}

#[async_trait]
impl InvalidationBus for InProcessInvalidationBus {
    async fn publish(&self, message: &str) -> Result<(), InvalidationError> {
        // No subscriber is not an error: nobody holds anything to invalidate.
        let _ = self.sender.send(message.to_owned());
        Ok(())
    }

    fn subscribe(&self) -> Box<dyn InvalidationSubscription> {
        Box::new(BroadcastSubscription(self.sender.subscribe()))
    }
}

/// A subscription fed by a tokio broadcast channel (also the Redis bus's, fed by its
/// connection task). Falling behind the channel's capacity reads as `MayHaveMissed`.
#[derive(Debug)]
pub(crate) struct BroadcastSubscription<T>(pub(crate) broadcast::Receiver<T>);

/// What a broadcast channel carries: a message, or a notice that some may be lost.
pub(crate) trait IntoEvent: Clone + Send + std::fmt::Debug {
    fn into_event(self) -> InvalidationEvent;
}

impl IntoEvent for String {
    fn into_event(self) -> InvalidationEvent {
        InvalidationEvent::Message(self)
    }
}

impl IntoEvent for InvalidationEvent {
    fn into_event(self) -> InvalidationEvent {
        self
    }
}

#[async_trait]
impl<T: IntoEvent + 'static> InvalidationSubscription for BroadcastSubscription<T> {
    async fn next(&mut self) -> Option<InvalidationEvent> {
        match self.0.recv().await {
            Ok(item) => Some(item.into_event()),
            Err(broadcast::error::RecvError::Lagged(_)) => Some(InvalidationEvent::MayHaveMissed),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}
