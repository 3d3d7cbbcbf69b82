//! `kcost serve` (also plain `kcost`): logging, then [`Application`] until a signal.

use std::io::Write;
use std::process::ExitCode;

use crate::app::Application;
use crate::config::Settings;
use crate::{secrets, telemetry};

/// Serves until SIGTERM/SIGINT. Start-up failures (unreachable database, port in use,
/// configured Redis…) are reported on `err` with exit code 1.
pub fn run(settings: Settings, err: &mut dyn Write) -> anyhow::Result<ExitCode> {
    telemetry::init(&settings.telemetry)?;
    // The HTTP workers run on threads of their own (server.workers); this runtime only
    // carries start-up, the background tasks and the shutdown sequence.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut app = match Application::build(settings).await {
            Ok(app) => app,
            Err(error) => {
                writeln!(err, "kcost serve: {error:#}")?;
                return Ok(ExitCode::FAILURE);
            }
        };
        if let Some(token) = app.take_generated_admin_token() {
            secrets::announce_admin_token(&token, err)?;
        }
        match app.run_until_stopped().await {
            Ok(()) => Ok(ExitCode::SUCCESS),
            Err(error) => {
                writeln!(err, "kcost serve: {error:#}")?;
                Ok(ExitCode::FAILURE)
            }
        }
    })
}
