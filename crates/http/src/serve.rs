//! The actix-web server over [`HttpApp`], as `[server]` ([`ServerSettings`]) sets it: one
//! `App` per worker, all built by one [`HttpApp`] (so they share one state and one rate
//! limit), on an already bound listener (so port 0 works and the caller knows the port
//! before serving).

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{HttpServer, web};
use anyhow::Context as _;

use crate::{AppState, HttpApp, ServerSettings};

/// Starts serving on `listener`. Signals are not handled here: the caller owns the shutdown
/// sequence (drain, then flush, then close).
pub fn serve(
    settings: &ServerSettings,
    state: AppState,
    listener: TcpListener,
) -> anyhow::Result<Server> {
    let app = HttpApp::new(
        web::Data::new(state),
        settings.rate_limit_per_minute,
        settings.cors_origins.clone(),
    )
    .context("server.rate_limit_per_minute")?;
    let mut server = HttpServer::new(move || app.app())
        .client_request_timeout(Duration::from_secs(settings.read_timeout_seconds))
        .shutdown_timeout(settings.shutdown_timeout_seconds)
        .disable_signals();
    if let Some(workers) = settings.workers {
        server = server.workers(workers);
    }
    Ok(server
        .listen(listener)
        .context("server: cannot serve on the bound socket")?
        .run())
}
