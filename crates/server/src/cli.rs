//! The `kcost` command line. Each subcommand is one variant of [`Command`]; `run`
//! dispatches. `serve` is the default when no subcommand is given. Administration
//! (`tenants`, `keys`) runs the admin API's use cases directly on the configured database
//! ([`admin`]).

pub mod admin;
pub mod serve;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kcost_simulator::cli::{bench, simulate};

use crate::cli::admin::AdminCommand;
use crate::config::{ConfigSources, Settings};
use crate::storage;

/// kcost — Kubernetes cost API server.
#[derive(Debug, Parser)]
#[command(name = "kcost", version)]
pub struct Cli {
    /// Extra TOML config file, layered after config/<KCOST_ENV>.toml and before
    /// KCOST_* environment variables.
    #[arg(long, global = true, value_name = "PATH", env = "KCOST_CONFIG_FILE")]
    pub config: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Apply pending schema migrations to the relational and time-series databases.
    Migrate,
    /// Run the API server (the default command).
    Serve,
    /// Manage tenants.
    #[command(subcommand)]
    Tenants(admin::TenantsCommand),
    /// Manage API keys.
    #[command(subcommand)]
    Keys(admin::KeysCommand),
    /// Simulate agents: push snapshots of simulated clusters to a running server.
    Simulate(simulate::SimulateArgs),
    /// Load-test a kcost server on this machine and print the figures as markdown.
    Bench(bench::BenchArgs),
}

/// `kcost config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Load and validate the configuration; exit non-zero with the problems otherwise.
    Check,
    /// Print the effective configuration as TOML (secrets and URL passwords redacted).
    Show,
}

/// What a command needs from the outside world, explicit so it can run in tests.
pub struct Context<'a> {
    /// The process environment (only `KCOST_*` entries matter).
    pub vars: BTreeMap<String, String>,
    /// Command output (stdout in the binary).
    pub out: &'a mut dyn Write,
    /// Diagnostics (stderr in the binary).
    pub err: &'a mut dyn Write,
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("vars", &self.vars.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Runs `cli`. Errors that are the user's (bad configuration) are reported on `err`
/// with exit code 1; I/O failures writing output are returned.
pub fn run(cli: Cli, ctx: Context<'_>) -> anyhow::Result<ExitCode> {
    let Context { vars, out, err } = ctx;
    // Clients of a running server need none of the server's configuration.
    match cli.command.unwrap_or(Command::Serve) {
        Command::Simulate(args) => simulate::run(args, out, err),
        Command::Bench(args) => bench::run(args, out, err),
        command => run_configured(command, cli.config, vars, out, err),
    }
}

/// Runs a command that reads the configuration (server, administration, inspection).
fn run_configured(
    command: Command,
    config_file: Option<PathBuf>,
    vars: BTreeMap<String, String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let loaded = ConfigSources::from_vars(vars, config_file)
        .and_then(|sources| Settings::load(&sources).map(|settings| (sources, settings)));
    let (sources, settings) = match loaded {
        Ok(loaded) => loaded,
        Err(e) => {
            writeln!(err, "{e}")?;
            return Ok(ExitCode::FAILURE);
        }
    };
    match command {
        Command::Config(cmd) => config(cmd, &sources, &settings, out),
        Command::Migrate => migrate(&settings, out, err),
        Command::Serve => serve::run(settings, err),
        Command::Tenants(cmd) => admin::run(AdminCommand::Tenants(cmd), &settings, out, err),
        Command::Keys(cmd) => admin::run(AdminCommand::Keys(cmd), &settings, out, err),
        Command::Simulate(args) => simulate::run(args, out, err),
        Command::Bench(args) => bench::run(args, out, err),
    }
}

fn config(
    cmd: ConfigCommand,
    sources: &ConfigSources,
    settings: &Settings,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    match cmd {
        ConfigCommand::Check => {
            writeln!(out, "configuration OK ({})", settings.environment)?;
        }
        ConfigCommand::Show => {
            let toml = settings.to_redacted_toml()?;
            writeln!(
                out,
                "# kcost effective configuration, KCOST_ENV={}",
                settings.environment
            )?;
            writeln!(out, "# layers: {}", sources.layers().join(" < "))?;
            writeln!(
                out,
                "# secrets and URL passwords are shown as \"[redacted]\"\n"
            )?;
            write!(out, "{toml}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `kcost migrate`: opens both stores and applies what is pending, saying what it applied.
fn migrate(
    settings: &Settings,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(async {
        let databases = storage::open(settings).await?;
        let report = storage::migrate(&databases, settings.timescale.timescaledb).await;
        // Close explicitly so SQLite checkpoints its WAL before the process ends; a second
        // close of a shared pool is harmless.
        let _ = databases.relational.close().await;
        let _ = databases.timeseries.close().await;
        report
    });
    match result {
        Ok(report) => {
            for (store, applied) in [
                ("relational", &report.relational),
                ("time-series", &report.timeseries),
            ] {
                if applied.is_empty() {
                    writeln!(out, "{store}: up to date")?;
                } else {
                    writeln!(out, "{store}: applied {}", applied.join(", "))?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            writeln!(err, "kcost migrate: {e}")?;
            Ok(ExitCode::FAILURE)
        }
    }
}
