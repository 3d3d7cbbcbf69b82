//! `kcost bench`: load-tests a kcost server on this machine and prints the figures as
//! markdown. The API key (or the admin token used to make a fresh tenant's key) is
//! never printed.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use crate::bench::{self, BenchPlan, Target, target};

/// `kcost bench …`
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// The kcost server's root URL (loopback only).
    #[arg(long, default_value = "http://127.0.0.1:8080", env = "KCOST_URL")]
    pub url: String,
    /// API key `<key_id>:<secret>` with scope `*` (ingest and cost reads).
    #[arg(
        long,
        env = "KCOST_API_KEY",
        hide_env_values = true,
        required_unless_present = "admin_token"
    )]
    pub api_key: Option<String>,
    /// Admin token: the bench makes a fresh tenant and key with it, keeping its data apart.
    #[arg(long, env = "KCOST_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Snapshot sizes (pods) for the ingest latency runs.
    #[arg(long, value_delimiter = ',', default_value = "100,1000,5000")]
    pub sizes: Vec<usize>,
    /// Snapshots per size.
    #[arg(long, default_value_t = 20)]
    pub samples: usize,
    /// Sustained ingest: clusters sending at once.
    #[arg(long, default_value_t = 2)]
    pub throughput_clusters: usize,
    /// Sustained ingest: snapshots per cluster (0 skips the run).
    #[arg(long, default_value_t = 20)]
    pub throughput_snapshots: usize,
    /// Sustained ingest: pods per snapshot.
    #[arg(long, default_value_t = 2000)]
    pub throughput_pods: usize,
    /// Requests per cost endpoint and window (1, 7, 30 days).
    #[arg(long, default_value_t = 20)]
    pub queries: usize,
    /// The server's process id, to report its resident memory (Linux /proc).
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// A PostgreSQL database (loopback) to time the seed's storage on in the same run:
    /// bare COPY of the sustained run's rows into the seed's `pod_metrics` table, and the
    /// seed's namespace SQL over them. The table is dropped afterwards.
    #[arg(
        long,
        env = "KCOST_BENCH_BASELINE_DATABASE_URL",
        hide_env_values = true
    )]
    pub baseline_database_url: Option<String>,
    /// Stop starting new requests after this many seconds.
    #[arg(long, default_value_t = 300)]
    pub max_seconds: u64,
    /// After the sustained load, wait at most this many seconds for PostgreSQL (on this
    /// machine) to go quiet before the baseline and the queries; 0: do not wait.
    #[arg(long, default_value_t = 180)]
    pub settle_seconds: u64,
}

/// Runs the bench and writes the markdown report to `out`; failures go to `err`, exit 1.
pub fn run(args: BenchArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    match runtime.block_on(bench_with(&args, err)) {
        Ok(markdown) => {
            write!(out, "{markdown}")?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            writeln!(err, "kcost bench: {error:#}")?;
            Ok(ExitCode::FAILURE)
        }
    }
}

async fn bench_with(args: &BenchArgs, err: &mut dyn Write) -> anyhow::Result<String> {
    target::ensure_loopback(&args.url)?;
    let base = args.url.trim_end_matches('/').to_owned();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let run_id = chrono::Utc::now().format("%Y%m%d%H%M%S").to_string();
    let api_key = match (&args.admin_token, &args.api_key) {
        (Some(admin), _) => {
            let tenant = format!("bench-{run_id}");
            writeln!(err, "kcost bench: loading a fresh tenant {tenant}")?;
            target::fresh_tenant_key(&http, &base, admin, &tenant).await?
        }
        (None, Some(key)) => key.clone(),
        (None, None) => anyhow::bail!("give --api-key or --admin-token"),
    };
    let target = Target {
        authorization: target::api_key_header(&api_key)?,
        http,
        base,
    };
    let plan = BenchPlan {
        sizes: args.sizes.clone(),
        samples: args.samples,
        throughput_clusters: args.throughput_clusters,
        throughput_snapshots: args.throughput_snapshots,
        throughput_pods: args.throughput_pods,
        queries: args.queries,
        max_duration: Duration::from_secs(args.max_seconds),
        settle_limit: Duration::from_secs(args.settle_seconds),
        baseline_database_url: args.baseline_database_url.clone(),
        run_id,
    };
    writeln!(
        err,
        "kcost bench: running against {} (at most {} s)",
        target.base, args.max_seconds
    )?;
    let results = bench::run(&target, &plan, args.server_pid).await?;
    Ok(results.to_markdown())
}
