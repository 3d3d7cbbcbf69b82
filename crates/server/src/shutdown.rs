//! What ends `kcost serve`: SIGTERM or SIGINT (Ctrl-C), or a [`Stopper`] (tests, embedding).

use tokio::sync::watch;

/// Asks a running [`crate::app::Application`] to shut down gracefully. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Stopper(watch::Sender<bool>);

/// The receiving side, held by the application.
#[derive(Debug, Clone)]
pub(crate) struct StopRequested(watch::Receiver<bool>);

pub(crate) fn channel() -> (Stopper, StopRequested) {
    let (tx, rx) = watch::channel(false);
    (Stopper(tx), StopRequested(rx))
}

impl Stopper {
    /// Starts a graceful shutdown (idempotent).
    pub fn stop(&self) {
        self.0.send_replace(true);
    }
}

impl StopRequested {
    /// Resolves once a stop is requested (or every [`Stopper`] is gone, which means
    /// nobody can ask any more: keep running until a signal).
    pub(crate) async fn wait(mut self) {
        loop {
            if *self.0.borrow_and_update() {
                return;
            }
            if self.0.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

/// Resolves on SIGTERM or SIGINT, naming the signal. If a handler cannot be installed,
/// that signal is not awaited (the other still is) and the failure is logged.
pub(crate) async fn signal() -> &'static str {
    let interrupt = async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => "SIGINT",
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGINT");
                std::future::pending().await
            }
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
                "SIGTERM"
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending().await
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<&'static str>();
    tokio::select! {
        name = interrupt => name,
        name = terminate => name,
    }
}
