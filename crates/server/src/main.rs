//! `kcost`: the Kubernetes cost API server and its tools. See `kcost --help`.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use kcost_server::cli::{self, Cli, Context};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Not locked for the whole run: `serve` logs to stderr from other threads.
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    let ctx = Context {
        vars: kcost_server::config::sources::process_vars().collect(),
        out: &mut out,
        err: &mut err,
    };
    match cli::run(cli, ctx) {
        Ok(code) => code,
        Err(e) => {
            // Nothing more useful to do if stderr itself is gone.
            let _ = writeln!(std::io::stderr(), "kcost: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
