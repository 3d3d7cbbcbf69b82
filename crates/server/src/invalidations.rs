//! [`InvalidationFollower`]: the task applying invalidation-bus events to this replica's
//! API-key L1, from start-up (subscribed before the server accepts requests, so no
//! revocation published meanwhile is missed) until shutdown.

use std::sync::Arc;
use std::time::Duration;

use kcost_app::auth::ApiKeyCache;
use kcost_ports::InvalidationBus;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The running follower.
#[derive(Debug)]
pub struct InvalidationFollower {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl InvalidationFollower {
    /// Subscribes now and follows on the current tokio runtime.
    pub fn start(cache: Arc<ApiKeyCache>, bus: &dyn InvalidationBus) -> Self {
        let subscription = bus.subscribe();
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            tokio::select! {
                () = cache.follow(subscription) => {}
                _ = stopped.wait_for(|stop| *stop) => {}
            }
        });
        Self { stop, task }
    }

    /// Stops following (at shutdown).
    pub async fn stop(self, timeout: Duration) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(timeout, &mut task).await.is_err() {
            task.abort();
        }
    }
}
