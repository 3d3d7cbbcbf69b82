//! `kcost`: the Kubernetes cost API server and its tools. See `kcost --help`.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use kcost_server::cli::{self, Cli, Context};

/// jemalloc instead of glibc's malloc, with the options in `.cargo/config.toml` (two arenas,
/// freed pages returned within a second). Measured with `kcost bench` (docs/benchmarks.md):
/// glibc spent about a fifth of the ingest workers' CPU in malloc and free, and its
/// per-thread arenas kept freed query memory (peak RSS 254 MiB on SQLite against 183 MiB).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
