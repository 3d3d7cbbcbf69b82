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
        Command::Tenants(cmd) => admin::tenants(cmd, &settings, out, err),
        Command::Keys(cmd) => admin::keys(cmd, &settings, out, err),
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    fn run_with(args: &[&str], vars: &[(&str, &str)]) -> (u8, String, String) {
        let cli = Cli::try_parse_from(args).unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let ctx = Context {
            vars: vars
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            out: &mut out,
            err: &mut err,
        };
        let code = run(cli, ctx).unwrap();
        let code = if code == ExitCode::SUCCESS {
            0
        } else if code == ExitCode::FAILURE {
            1
        } else {
            2
        };
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn config_check_and_show() {
        let dir = tempfile::tempdir().unwrap();
        let dir_s = dir.path().to_str().unwrap();
        let pepper = "pepper-value-that-must-not-leak";
        let token = "admin-token-that-must-not-leak-0123456789";
        let vars = [
            ("KCOST_CONFIG_DIR", dir_s),
            ("KCOST_ENV", "production"),
            ("KCOST_SECURITY__API_KEY_PEPPER", pepper),
            ("KCOST_SECURITY__ADMIN_TOKEN", token),
            (
                "KCOST_DATABASE__URL",
                "postgres://kcost:db-password-x@db/kcost",
            ),
        ];

        let (code, out, _) = run_with(&["kcost", "config", "check"], &vars);
        assert_eq!((code, out.as_str()), (0, "configuration OK (production)\n"));

        let (code, out, _) = run_with(&["kcost", "config", "show"], &vars);
        assert_eq!(code, 0);
        for secret in [pepper, token, "db-password-x"] {
            assert!(!out.contains(secret), "leaked {secret}:\n{out}");
        }
        assert!(out.contains("api_key_pepper = \"[redacted]\""), "{out}");
        assert!(
            out.contains("url = \"postgres://kcost:[redacted]@db/kcost\""),
            "{out}"
        );
        assert!(out.contains("KCOST_ENV=production"), "{out}");
    }

    #[test]
    fn config_check_reports_errors() {
        let dir = tempfile::tempdir().unwrap();
        let vars = [
            ("KCOST_CONFIG_DIR", dir.path().to_str().unwrap()),
            ("KCOST_ENV", "production"),
        ];
        let (code, out, err) = run_with(&["kcost", "config", "check"], &vars);
        assert_eq!(code, 1);
        assert!(out.is_empty());
        assert!(
            err.starts_with("invalid configuration: security.api_key_pepper: required"),
            "{err}"
        );
    }

    #[test]
    fn no_command_means_serve_and_bad_config_stops_it_before_binding() {
        assert!(Cli::try_parse_from(["kcost"]).unwrap().command.is_none());
        let dir = tempfile::tempdir().unwrap();
        let vars = [
            ("KCOST_CONFIG_DIR", dir.path().to_str().unwrap()),
            ("KCOST_ENV", "production"),
        ];
        let (code, _, err) = run_with(&["kcost"], &vars);
        assert_eq!(code, 1);
        assert!(err.contains("security.api_key_pepper: required"), "{err}");
    }
}
