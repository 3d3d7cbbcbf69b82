//! `kcost simulate`: runs the agent simulator against a server — a fast back-fill of
//! history with a progress bar, or real time like agents in the field. The API key comes
//! from `--api-key` or `KCOST_API_KEY` and is never printed.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};

use crate::simulate::progress::{Progress, render_bar};
use crate::simulate::run::{backfill, build_clusters, send_round};
use crate::simulate::schedule::backfill_times;
use crate::simulate::{AgentClient, RetryPolicy};
use kcost_domain::duration_text::parse_duration;

/// The reference agent's sample period; back-fills use it too.
const AGENT_INTERVAL_SECONDS: u64 = 600;

/// `kcost simulate …`
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// The kcost server's root URL.
    #[arg(long, default_value = "http://127.0.0.1:8080", env = "KCOST_URL")]
    pub url: String,
    /// API key `<key_id>:<secret>` with the `metrics:write` scope.
    #[arg(long, env = "KCOST_API_KEY", hide_env_values = true)]
    pub api_key: String,
    /// Number of clusters (production, staging, development, then numbered copies).
    #[arg(long, default_value_t = 3)]
    pub clusters: usize,
    /// Real time: send every cluster's snapshot this often.
    #[arg(long, default_value = "600s", value_parser = parse_duration)]
    pub interval: Duration,
    /// Back-fill this much history (snapshots every 600 s, ending now) as fast as the
    /// server takes them, then exit.
    #[arg(long, value_parser = parse_duration, conflicts_with_all = ["interval", "rounds"])]
    pub backfill: Option<Duration>,
    /// Seed of the simulation: the same seed and times give the same snapshots.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Back-fill: most snapshots in flight at once (each cluster's stay in order).
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Real time: stop after this many rounds (default: until interrupted).
    #[arg(long)]
    pub rounds: Option<u64>,
}

/// Runs the simulator; delivery failures are reported on `err` with exit code 1.
pub fn run(
    args: SimulateArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let clusters = build_clusters(args.clusters, args.seed)?;
    let client = AgentClient::new(&args.url, &args.api_key, RetryPolicy::default())?;
    let result = match args.backfill {
        Some(period) => runtime.block_on(run_backfill(&args, period, client, clusters, out, err)),
        None => runtime.block_on(run_real_time(&args, client, clusters, out, err)),
    };
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(error) => {
            writeln!(err, "\nkcost simulate: {error:#}")?;
            Ok(ExitCode::FAILURE)
        }
    }
}

async fn run_backfill(
    args: &SimulateArgs,
    period: Duration,
    client: AgentClient,
    clusters: Vec<crate::simulate::ClusterSim>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let times: Arc<[_]> =
        backfill_times(Utc::now(), period.as_secs(), AGENT_INTERVAL_SECONDS).into();
    let total = (times.len() * clusters.len()) as u64;
    writeln!(
        out,
        "back-filling {} of {} cluster(s) to {}: {total} snapshots (seed {})",
        humantime(period),
        clusters.len(),
        args.url,
        args.seed
    )?;
    let progress = Arc::new(Progress::default());
    let started = Instant::now();
    let work = backfill(
        client,
        clusters,
        times,
        args.concurrency,
        Arc::clone(&progress),
    );
    tokio::pin!(work);
    let mut ticker = tokio::time::interval(Duration::from_millis(200));
    let report = loop {
        tokio::select! {
            finished = &mut work => break finished,
            _ = ticker.tick() => {
                write!(err, "\r{}", render_bar(progress.sent(), total, started.elapsed()))?;
                err.flush()?;
            }
        }
    };
    writeln!(
        err,
        "\r{}",
        render_bar(progress.sent(), total, started.elapsed())
    )?;
    let report = report?;
    let seconds = report.elapsed.as_secs_f64().max(1e-9);
    writeln!(
        out,
        "sent {} snapshots ({} pod samples) in {:.1} s: {:.0} snapshots/s, {:.0} pod-samples/s; {} duplicate(s), {} retry(ies)",
        report.snapshots,
        report.pod_samples,
        seconds,
        report.snapshots as f64 / seconds,
        report.pod_samples as f64 / seconds,
        report.duplicates,
        report.retries
    )?;
    Ok(())
}

async fn run_real_time(
    args: &SimulateArgs,
    client: AgentClient,
    mut clusters: Vec<crate::simulate::ClusterSim>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "simulating {} cluster(s) against {} every {} (seed {}); Ctrl-C to stop",
        clusters.len(),
        args.url,
        humantime(args.interval),
        args.seed
    )?;
    let mut ticker = tokio::time::interval(args.interval);
    let mut round = 0;
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
        let at = Utc::now();
        let stamp = at.to_rfc3339_opts(SecondsFormat::Secs, true);
        // Like the agent: a failed round is reported and the next one goes ahead.
        match send_round(&client, &mut clusters, at).await {
            Ok(pods) => writeln!(
                out,
                "{stamp} sent {} snapshot(s), {pods} pods",
                clusters.len()
            )?,
            Err(error) => writeln!(err, "{stamp} {error:#}")?,
        }
        round += 1;
        if args.rounds.is_some_and(|rounds| round >= rounds) {
            return Ok(());
        }
    }
}

/// `7d`, `6h`, `90s`: the way the duration was probably given.
fn humantime(duration: Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s >= 3600 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}
