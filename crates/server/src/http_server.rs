//! The actix-web server over `kcost_http`: one `App` per worker sharing one state and one
//! rate limiter, on an already bound listener (so port 0 works and the caller knows the
//! port before serving).

use std::net::TcpListener;
use std::time::Duration;

use actix_governor::governor::middleware::NoOpMiddleware;
use actix_governor::{Governor, GovernorConfig, GovernorConfigBuilder};
use actix_web::dev::Server;
use actix_web::middleware::{Condition, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context as _;
use kcost_http::AppState;
use kcost_http::rate_limit::ApiKeyOrPeerIp;

use crate::config::Settings;

/// Starts serving on `listener`. Signals are not handled here: `Application` owns the
/// shutdown sequence (drain, then flush, then close).
pub fn start(
    settings: &Settings,
    state: AppState,
    listener: TcpListener,
) -> anyhow::Result<Server> {
    let server_settings = &settings.server;
    let state = web::Data::new(state);
    let cors_origins = server_settings.cors_origins.clone();
    let per_minute = server_settings.rate_limit_per_minute;
    let rate_limit = rate_limit_config(per_minute)?;
    let mut server = HttpServer::new(move || {
        // Innermost first: actix runs the last `wrap` first (see kcost_http's docs).
        App::new()
            .app_data(state.clone())
            .configure(kcost_http::configure)
            .wrap(Condition::new(per_minute > 0, Governor::new(&rate_limit)))
            .wrap(kcost_http::cors(&cors_origins))
            .wrap(from_fn(kcost_http::track_metrics))
            .wrap(from_fn(kcost_http::request_id))
    })
    .client_request_timeout(Duration::from_secs(server_settings.read_timeout_seconds))
    .shutdown_timeout(server_settings.shutdown_timeout_seconds)
    .disable_signals();
    if let Some(workers) = server_settings.workers {
        server = server.workers(workers);
    }
    Ok(server
        .listen(listener)
        .context("server: cannot serve on the bound socket")?
        .run())
}

/// The rate limit's configuration, built once: clones share one limiter, so every worker
/// spends from the same per-key buckets. (`kcost_http::rate_limiter` builds a fresh limiter
/// per call, which per worker would multiply the limit by the worker count.)
fn rate_limit_config(
    per_minute: u32,
) -> anyhow::Result<GovernorConfig<ApiKeyOrPeerIp, NoOpMiddleware>> {
    let quota = per_minute.max(1);
    GovernorConfigBuilder::default()
        .key_extractor(ApiKeyOrPeerIp)
        // One request's worth of quota comes back every 60/N seconds.
        .period(Duration::from_nanos(60_000_000_000 / u64::from(quota)))
        .burst_size(quota)
        .finish()
        .with_context(|| format!("server.rate_limit_per_minute: cannot limit to {per_minute}"))
}
