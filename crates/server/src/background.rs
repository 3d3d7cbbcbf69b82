//! Periodic work beside the HTTP server, as tokio tasks that stop together:
//! - flushing API-key last-use times every [`KEY_USAGE_FLUSH_INTERVAL`];
//! - building the rollups of closed hours and days (`timescale.rollup_interval_seconds`,
//!   0 = not on this replica; the `MetricsStore::roll_up` contract says why this is safe at
//!   any moment); a run that found work is followed by another after
//!   [`ROLLUP_BUSY_DELAY`], so a back-fill is rolled up as it arrives, in small steps,
//!   instead of in one long catch-up competing with the end of the load; an idle job is
//!   woken within [`ROLLUP_BUSY_DELAY`] by this replica's next ingest;
//! - creating day partitions ahead of need, at start and daily (PostgreSQL);
//! - retention (`timescale.retention_days`, 0 = keep), shortly after start and daily;
//! - warming the Kubecent answers of active tenants (`kubecent.warm_interval_seconds`);
//! - importing from each OpenCost source, at start and every `interval`
//!   ([`BackgroundTasks::add_opencost_imports`]);
//! - evaluating budgets every `budgets.evaluate_interval_seconds`, and the tenants that
//!   ingested every `budgets.after_ingest_seconds`; delivering due alerts every
//!   `budgets.delivery_interval_seconds` ([`BackgroundTasks::add_budget_alerts`]).
//!
//! A failing run is logged and retried at the next tick; it never stops the server.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use kcost_app::Clock;
use kcost_app::key_usage::KeyUsage;
use kcost_app::kubecent::CacheWarming;
use kcost_app::ports::MetricsStore;
use kcost_app::query_cache::QueryCache;
use kcost_app::schedule::{Busy, every, paced};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::maintenance::MetricsMaintenance;
use crate::opencost::{ScheduledImport, run_import};
use crate::services::BudgetAlerts;

/// How often recorded API-key uses are written.
pub const KEY_USAGE_FLUSH_INTERVAL: Duration = Duration::from_secs(5);
/// The first rollup run waits this long after start.
pub const ROLLUP_START_DELAY: Duration = Duration::from_secs(5);
/// After a rollup run that built something, the next one comes this soon.
pub const ROLLUP_BUSY_DELAY: Duration = Duration::from_secs(1);
/// Period of the partition and retention jobs.
pub const DAILY: Duration = Duration::from_secs(24 * 60 * 60);
/// Retention waits this long after start, so start-up and readiness are not slowed.
pub const RETENTION_START_DELAY: Duration = Duration::from_secs(60);

/// After a delivery run that sent something, the next comes this soon (a backlog drains).
pub const ALERT_DELIVERY_BUSY_DELAY: Duration = Duration::from_millis(500);

/// When budgets are evaluated.
#[derive(Debug, Clone)]
pub struct BudgetSchedule {
    pub evaluate_every: Duration,
    pub after_ingest: Duration,
    pub deliver_every: Duration,
    /// Knows which tenants ingested lately (their answers were invalidated).
    pub query_cache: Arc<QueryCache>,
}

/// The rollup job's inputs: the store and the clock saying which periods have closed.
#[derive(Clone)]
pub struct Rollups {
    pub store: Arc<dyn MetricsStore>,
    pub clock: Arc<dyn Clock>,
    /// Time between runs.
    pub interval: Duration,
    /// Counts this replica's ingests (its invalidations): an idle job runs again within
    /// [`ROLLUP_BUSY_DELAY`] once it moved, so a back-fill that starts while the job is idle
    /// is rolled up as it arrives, not a whole interval later.
    pub ingests: Arc<QueryCache>,
}

impl std::fmt::Debug for Rollups {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rollups").finish_non_exhaustive()
    }
}

impl Rollups {
    /// One run; failures are logged and retried at the next tick (answers read raw
    /// samples for whatever is not rolled up, so nothing is wrong meanwhile, only slower).
    /// Says whether it built anything.
    pub async fn run(&self) -> Busy {
        match self.store.roll_up(self.clock.now()).await {
            Ok(report) if report.hours > 0 || report.days > 0 => {
                tracing::debug!(
                    hours = report.hours,
                    hours_from_memory = report.hours_from_memory,
                    days = report.days,
                    "rollups built"
                );
                Busy::Yes
            }
            Ok(_) => Busy::No,
            Err(error) => {
                tracing::error!(error = format!("{error:#}"), "building rollups failed");
                Busy::No
            }
        }
    }
}

/// The running background tasks.
#[derive(Debug)]
pub struct BackgroundTasks {
    stop: watch::Sender<bool>,
    tasks: Vec<(&'static str, JoinHandle<()>)>,
}

impl BackgroundTasks {
    /// Spawns every task on the current tokio runtime.
    pub fn start(
        maintenance: MetricsMaintenance,
        retention_days: u32,
        key_usage: Arc<KeyUsage>,
        warming: Option<CacheWarming>,
        rollups: Option<Rollups>,
    ) -> Self {
        let (stop, stopped) = watch::channel(false);
        let mut tasks = Vec::new();

        if let Some(rollups) = rollups {
            let idle = rollups.interval;
            // Ingests counted when the last run started.
            let seen = Arc::new(AtomicU64::new(rollups.ingests.invalidations()));
            let (woken_seen, woken_ingests) = (seen.clone(), rollups.ingests.clone());
            tasks.push((
                "rollups",
                tokio::spawn(paced(
                    ROLLUP_START_DELAY,
                    idle,
                    ROLLUP_BUSY_DELAY,
                    stopped.clone(),
                    move || woken_ingests.invalidations() != woken_seen.load(Ordering::Relaxed),
                    move || {
                        let rollups = rollups.clone();
                        seen.store(rollups.ingests.invalidations(), Ordering::Relaxed);
                        async move { rollups.run().await }
                    },
                )),
            ));
        }

        if let Some(warming) = warming {
            let period = warming.interval;
            tasks.push((
                "cache warming",
                tokio::spawn(every(period, period, stopped.clone(), move || {
                    let warming = warming.clone();
                    async move { warming.run().await }
                })),
            ));
        }

        tasks.push((
            "key-usage flush",
            tokio::spawn(every(
                KEY_USAGE_FLUSH_INTERVAL,
                KEY_USAGE_FLUSH_INTERVAL,
                stopped.clone(),
                move || {
                    let key_usage = key_usage.clone();
                    async move { flush_key_usage(&key_usage).await }
                },
            )),
        ));

        let partitions = maintenance.clone();
        tasks.push((
            "partitions",
            tokio::spawn(every(Duration::ZERO, DAILY, stopped.clone(), move || {
                let maintenance = partitions.clone();
                async move {
                    if let Err(error) = maintenance.ensure_upcoming_partitions().await {
                        tracing::error!(
                            error = format!("{error:#}"),
                            "creating day partitions failed"
                        );
                    }
                }
            })),
        ));

        if retention_days > 0 {
            tasks.push((
                "retention",
                tokio::spawn(every(RETENTION_START_DELAY, DAILY, stopped, move || {
                    let maintenance = maintenance.clone();
                    async move {
                        if let Err(error) = maintenance.apply_retention(retention_days).await {
                            tracing::error!(error = format!("{error:#}"), "retention failed");
                        }
                    }
                })),
            ));
        }
        Self { stop, tasks }
    }

    /// One task per OpenCost source: an import right away, then every `interval`. Each
    /// source has its own task, so a slow or unreachable OpenCost delays only itself.
    pub fn add_opencost_imports(&mut self, imports: Vec<ScheduledImport>) {
        for scheduled in imports {
            let import = scheduled.import;
            let task = every(
                Duration::ZERO,
                scheduled.interval,
                self.stop.subscribe(),
                move || {
                    let import = import.clone();
                    async move { run_import(&import).await }
                },
            );
            self.tasks.push(("opencost import", tokio::spawn(task)));
        }
    }

    /// Three tasks: every budget on a timer; the tenants that ingested since the last
    /// look (debounced: one evaluation however many snapshots arrived); delivery of due
    /// alerts, in its own task so a slow receiver delays only other alerts.
    pub fn add_budget_alerts(&mut self, alerts: BudgetAlerts, schedule: BudgetSchedule) {
        let watch = alerts.watch.clone();
        let sweep = every(
            schedule.evaluate_every,
            schedule.evaluate_every,
            self.stop.subscribe(),
            move || {
                let watch = watch.clone();
                async move {
                    match watch.evaluate_all().await {
                        Ok(done) => log_evaluation("budget sweep", done),
                        Err(error) => tracing::error!(
                            error = format!("{error:#}"),
                            "listing tenants with budgets failed"
                        ),
                    }
                }
            },
        );
        self.tasks.push(("budget sweep", tokio::spawn(sweep)));

        let watch = alerts.watch.clone();
        let after_ingest = schedule.after_ingest;
        let recent = every(
            after_ingest,
            after_ingest,
            self.stop.subscribe(),
            move || {
                let watch = watch.clone();
                let tenants = schedule.query_cache.recently_invalidated(after_ingest);
                async move {
                    if !tenants.is_empty() {
                        log_evaluation(
                            "budgets after ingest",
                            watch.evaluate_tenants(&tenants).await,
                        );
                    }
                }
            },
        );
        self.tasks
            .push(("budgets after ingest", tokio::spawn(recent)));

        let delivery = alerts.delivery;
        let deliver = paced(
            schedule.deliver_every,
            schedule.deliver_every,
            ALERT_DELIVERY_BUSY_DELAY,
            self.stop.subscribe(),
            || false,
            move || {
                let delivery = delivery.clone();
                async move {
                    match delivery.run().await {
                        Ok(run) if run.delivered + run.failed_attempts > 0 => Busy::Yes,
                        Ok(_) => Busy::No,
                        Err(error) => {
                            tracing::error!(error = format!("{error:#}"), "alert delivery failed");
                            Busy::No
                        }
                    }
                }
            },
        );
        self.tasks.push(("alert delivery", tokio::spawn(deliver)));
    }

    /// Asks every task to stop and waits up to `timeout` for each; a task still busy
    /// then (a long retention run) is aborted, which rolls its transaction back.
    pub async fn stop(self, timeout: Duration) {
        let _ = self.stop.send(true);
        for (name, mut task) in self.tasks {
            if tokio::time::timeout(timeout, &mut task).await.is_err() {
                tracing::warn!(task = name, "background task did not stop in time; aborted");
                task.abort();
            }
        }
    }
}

fn log_evaluation(pass: &'static str, done: kcost_app::budgets::watch::Evaluation) {
    if done.alerts > 0 || done.failed_tenants > 0 {
        tracing::info!(
            pass,
            budgets = done.budgets,
            alerts = done.alerts,
            failed_tenants = done.failed_tenants,
            "budgets evaluated"
        );
    }
}

/// Writes pending API-key uses; failures are kept for the next flush.
async fn flush_key_usage(key_usage: &KeyUsage) {
    match key_usage.flush().await {
        Ok(0) => {}
        Ok(written) => tracing::debug!(written, "recorded API-key last use"),
        Err(error) => tracing::warn!(
            error = format!("{:#}", anyhow::Error::new(error)),
            pending = key_usage.pending_len(),
            "could not record API-key last use; will retry"
        ),
    }
}

/// The last flush, at shutdown, retried briefly (nothing flushes after it).
pub async fn flush_key_usage_at_shutdown(key_usage: &KeyUsage) {
    match key_usage.final_flush().await {
        Ok(written) => tracing::debug!(written, "recorded API-key last use at shutdown"),
        Err(error) => tracing::warn!(
            error = format!("{:#}", anyhow::Error::new(error)),
            lost = key_usage.pending_len(),
            "could not record API-key last use at shutdown"
        ),
    }
}
