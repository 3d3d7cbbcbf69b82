//! `[opencost]` at run time: one import per `[[opencost.sources]]` entry, its tenant
//! resolved by name at start-up (`OpenCostSourceSettings::resolve`: an unknown tenant
//! fails start-up, naming the key), its client the OpenCost adapter's, run on its own
//! background task every `interval` (see `background.rs`), its status reported through the
//! health check (`/v1/health`, `/api/v1/health`, `/metrics`).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use kcost_app::Clock;
use kcost_app::opencost_import::{OpenCostImport, OpenCostImports};
use kcost_http::AppState;
use kcost_opencost_adapter::{HttpOpenCostSource, OpenCostClientConfig};

use crate::config::Settings;
use crate::stores::Stores;

/// One source's import and how often it runs.
#[derive(Debug, Clone)]
pub struct ScheduledImport {
    pub import: Arc<OpenCostImport>,
    pub interval: Duration,
}

/// Builds every configured import and attaches them to the health check. Fails, naming the
/// key, when a source's tenant does not exist or its settings cannot be used.
pub async fn imports(
    settings: &Settings,
    stores: &Stores,
    state: &AppState,
) -> anyhow::Result<(Arc<OpenCostImports>, Vec<ScheduledImport>)> {
    let opencost = &settings.opencost;
    let import_settings = opencost.import_settings();
    let clock: Arc<dyn Clock> = state.clock.clone();
    let mut scheduled = Vec::with_capacity(opencost.sources.len());
    for (i, source) in opencost.sources.iter().enumerate() {
        let (target, interval) = source.resolve(i, stores.tenants.as_ref()).await?;
        let client = HttpOpenCostSource::new(OpenCostClientConfig::new(source.url.expose()))
            .with_context(|| format!("opencost.sources[{i}].url"))?;
        let import = OpenCostImport::new(
            target,
            Arc::new(client),
            stores.metrics.clone(),
            clock.clone(),
            state.query_cache.clone(),
            import_settings.clone(),
        );
        tracing::info!(
            tenant = source.tenant.as_str(), cluster = %source.cluster,
            url = %source.url.redacted(), interval = %source.interval,
            "OpenCost import configured"
        );
        scheduled.push(ScheduledImport {
            import: Arc::new(import),
            interval,
        });
    }
    let registry = Arc::new(OpenCostImports::new(
        scheduled.iter().map(|s| s.import.clone()).collect(),
    ));
    if !scheduled.is_empty() {
        state.health.attach_opencost(registry.clone());
    }
    Ok((registry, scheduled))
}

/// One scheduled run; failures are recorded in the status and logged by the use case.
pub async fn run_import(import: &OpenCostImport) {
    let _ = import.run().await;
}
