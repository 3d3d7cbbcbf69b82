//! [`Application`]: the assembled `kcost serve` — stores, secrets, use cases, HTTP server
//! and background tasks — built once from [`Settings`], shared by `main` and the tests.
//!
//! Shutdown (SIGTERM, SIGINT or a [`Stopper`]): the listener stops accepting; in-flight
//! requests get `server.shutdown_timeout_seconds` to finish; background tasks and the
//! invalidation follower stop; the API-key last-use times recorded so far are written; the
//! database pools and Redis connections close.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use anyhow::Context as _;
use kcost_app::key_usage::KeyUsage;
use kcost_app::kubecent::CacheWarming;
use kcost_app::opencost_import::OpenCostImports;
use kcost_app::{Clock, SystemClock};
use kcost_domain::api_key::AdminToken;

use crate::background::{self, BackgroundTasks};
use crate::config::Settings;
use crate::invalidations::InvalidationFollower;
use crate::opencost::{self, ScheduledImport};
use crate::secrets;
use crate::services::{BudgetAlerts, Services};
use crate::shutdown::{self, StopRequested, Stopper};
use crate::stores::Stores;

/// How long background tasks get to finish their current run at shutdown.
const BACKGROUND_STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A built, listening, not yet serving kcost.
pub struct Application {
    local_addr: SocketAddr,
    server: Server,
    stores: Stores,
    key_usage: Arc<KeyUsage>,
    invalidation_follower: InvalidationFollower,
    retention_days: u32,
    rollup_interval: Option<Duration>,
    warming: Option<CacheWarming>,
    opencost: Arc<OpenCostImports>,
    opencost_schedule: Vec<ScheduledImport>,
    budget_alerts: BudgetAlerts,
    budget_schedule: background::BudgetSchedule,
    stopper: Stopper,
    stop_requested: StopRequested,
    generated_admin_token: Option<AdminToken>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("local_addr", &self.local_addr)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Opens (and migrates, if configured) storage, settles the secrets, wires the use
    /// cases and binds `server.host:server.port` (port 0: any free port, see
    /// [`Application::port`]).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// [`Application::build`] reading the time from `clock`: key expiry, ingest's clock
    /// skew, closed rollup periods, default query windows. Tests move a clock of their own
    /// instead of waiting for the real one.
    pub async fn build_with_clock(
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        let stores = Stores::open(&settings).await?;
        match Self::assemble(&settings, stores.clone(), clock).await {
            Ok(app) => Ok(app),
            Err(error) => {
                stores.close().await;
                Err(error)
            }
        }
    }

    async fn assemble(
        settings: &Settings,
        stores: Stores,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        let secrets = secrets::settle(settings, &stores).await?;
        let mut services = Services::new(settings, &stores, &secrets, clock.clone())?;
        let invalidation_follower = InvalidationFollower::start(
            services.api_key_cache.clone(),
            stores.invalidations.as_ref(),
        );
        let tenants = stores.tenants.as_ref();
        services.state.kubecent_anonymous_tenant = (settings.kubecent.anonymous_tenant)
            .resolve(
                tenants,
                "kubecent.anonymous_tenant",
                "/api/v1 cost endpoints",
            )
            .await?;
        services.state.allocation_anonymous_tenant = (settings.allocation.anonymous_tenant)
            .resolve(
                tenants,
                "allocation.anonymous_tenant",
                "the allocation routes",
            )
            .await?;
        let warming = CacheWarming::new(
            &settings.kubecent,
            settings.redis.query_cache_ttl_seconds,
            services.state.kubecent.clone(),
            services.state.query_cache.clone(),
        );
        let (opencost, opencost_schedule) =
            opencost::imports(settings, &stores, &services.state).await?;
        let (host, port) = (settings.server.host.as_str(), settings.server.port);
        let listener = TcpListener::bind((host, port))
            .with_context(|| format!("server.host/server.port: cannot listen on {host}:{port}"))?;
        let local_addr = listener.local_addr()?;
        let budget_schedule = background::BudgetSchedule {
            evaluate_every: Duration::from_secs(settings.budgets.evaluate_interval_seconds),
            after_ingest: Duration::from_secs(settings.budgets.after_ingest_seconds),
            deliver_every: Duration::from_secs(settings.budgets.delivery_interval_seconds),
            query_cache: services.state.query_cache.clone(),
        };
        let server = kcost_http::serve(&settings.server, services.state, listener)?;
        let (stopper, stop_requested) = shutdown::channel();
        tracing::info!(address = %local_addr, "kcost listening");
        Ok(Self {
            local_addr,
            server,
            stores,
            key_usage: services.key_usage,
            invalidation_follower,
            retention_days: settings.timescale.retention_days,
            rollup_interval: (settings.timescale.rollup_interval_seconds > 0)
                .then(|| Duration::from_secs(settings.timescale.rollup_interval_seconds)),
            warming,
            opencost,
            opencost_schedule,
            budget_alerts: services.budget_alerts,
            budget_schedule,
            stopper,
            stop_requested,
            generated_admin_token: secrets.generated_admin_token,
            clock,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The bound port (the real one when `server.port` was 0).
    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    /// The OpenCost imports (`[[opencost.sources]]`), for on-demand runs and re-imports.
    pub fn opencost_imports(&self) -> Arc<OpenCostImports> {
        self.opencost.clone()
    }

    /// Budget evaluation and alert delivery, which background tasks run on a timer; tests
    /// run a pass themselves instead of waiting for one.
    pub fn budget_alerts(&self) -> BudgetAlerts {
        self.budget_alerts.clone()
    }

    /// A handle that shuts this application down gracefully.
    pub fn stopper(&self) -> Stopper {
        self.stopper.clone()
    }

    /// The admin token this start generated, if it did; the caller shows it once.
    pub fn take_generated_admin_token(&mut self) -> Option<AdminToken> {
        self.generated_admin_token.take()
    }

    /// Serves until SIGTERM, SIGINT or [`Stopper::stop`], then shuts down gracefully.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Self {
            server,
            stores,
            key_usage,
            invalidation_follower,
            retention_days,
            rollup_interval,
            warming,
            opencost_schedule,
            budget_alerts,
            budget_schedule,
            stop_requested,
            clock,
            ..
        } = self;
        let handle = server.handle();
        let mut background = BackgroundTasks::start(
            stores.maintenance.clone(),
            retention_days,
            key_usage.clone(),
            warming,
            rollup_interval.map(|interval| background::Rollups {
                store: stores.metrics.clone(),
                clock,
                interval,
                ingests: budget_schedule.query_cache.clone(),
            }),
        );
        background.add_opencost_imports(opencost_schedule);
        background.add_budget_alerts(budget_alerts, budget_schedule);
        let mut serving = tokio::spawn(server);
        let outcome = tokio::select! {
            ended = &mut serving => Some(ended),
            reason = shutdown::signal() => {
                tracing::info!(reason, "shutting down: draining in-flight requests");
                None
            }
            () = stop_requested.wait() => {
                tracing::info!("shutting down: draining in-flight requests");
                None
            }
        };
        let served = match outcome {
            Some(ended) => ended,
            None => {
                // Stops accepting at once; workers finish in-flight requests within
                // server.shutdown_timeout_seconds, then are dropped.
                handle.stop(true).await;
                serving.await
            }
        };
        background.stop(BACKGROUND_STOP_TIMEOUT).await;
        invalidation_follower.stop(BACKGROUND_STOP_TIMEOUT).await;
        background::flush_key_usage_at_shutdown(&key_usage).await;
        stores.close().await;
        tracing::info!("kcost stopped");
        served
            .context("the HTTP server task failed")?
            .context("the HTTP server failed")
    }
}
