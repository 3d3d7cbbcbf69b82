//! [`HttpOpenCostSource`]: the [`OpenCostSource`] port over OpenCost's HTTP API.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use kcost_domain::opencost::{AllocationQuery, AllocationSet};
use kcost_ports::{OpenCostError, OpenCostSource};
use reqwest::Url;

use crate::attempt::{AttemptOutcome, attempt, is_not_found};
use crate::config::{AllocationEndpoint, ConfigError, OpenCostClientConfig, normalized_base_url};
use crate::request::allocation_params;
use crate::response::parse_allocation_response;
use crate::retry::RetryPolicy;

const COMPUTE_PATH: &str = "allocation/compute";
const ALLOCATION_PATH: &str = "allocation";
const HEALTH_PATH: &str = "healthz";

/// One OpenCost instance reached over HTTP.
///
/// `allocations` retries connection errors, timeouts and 5xx per the [`RetryPolicy`];
/// `health` tries `/healthz` once within the health timeout.
#[derive(Debug)]
pub struct HttpOpenCostSource {
    pub(crate) client: reqwest::Client,
    pub(crate) base_url: Url,
    /// `base_url` without credentials, for logs and messages.
    pub(crate) source_label: String,
    pub(crate) timeout: Duration,
    pub(crate) health_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    endpoint: AllocationEndpoint,
    /// Set when `/allocation/compute` answered 404 under `ComputeWithFallback`.
    compute_missing: AtomicBool,
}

impl HttpOpenCostSource {
    /// A source with its own connection pool.
    pub fn new(config: OpenCostClientConfig) -> Result<Self, ConfigError> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("kcost/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(ConfigError::Client)?;
        Self::with_client(config, client)
    }

    /// A source sharing `client` (and its connection pool) with others. Timeouts come
    /// from `config`, per request.
    pub fn with_client(
        config: OpenCostClientConfig,
        client: reqwest::Client,
    ) -> Result<Self, ConfigError> {
        let base_url = normalized_base_url(&config.base_url)?;
        Ok(Self {
            client,
            source_label: without_credentials(&base_url),
            base_url,
            timeout: config.timeout,
            health_timeout: config.health_timeout,
            retry: config.retry,
            endpoint: config.endpoint,
            compute_missing: AtomicBool::new(false),
        })
    }

    /// OpenCost's API root, as configured (with a trailing `/`).
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    fn allocation_path(&self) -> &'static str {
        match self.endpoint {
            AllocationEndpoint::Compute => COMPUTE_PATH,
            AllocationEndpoint::Allocation => ALLOCATION_PATH,
            AllocationEndpoint::ComputeWithFallback
                if self.compute_missing.load(Ordering::Relaxed) =>
            {
                ALLOCATION_PATH
            }
            AllocationEndpoint::ComputeWithFallback => COMPUTE_PATH,
        }
    }

    pub(crate) fn url(&self, path: &str) -> Result<Url, OpenCostError> {
        self.base_url.join(path).map_err(|e| {
            OpenCostError::Unexpected(anyhow::Error::new(e).context("joining the OpenCost URL"))
        })
    }
}

#[async_trait]
impl OpenCostSource for HttpOpenCostSource {
    async fn allocations(
        &self,
        query: &AllocationQuery,
    ) -> Result<Vec<AllocationSet>, OpenCostError> {
        let params = allocation_params(query);
        let path = self.allocation_path();
        let body = match self.get_with_retries(path, &params).await {
            Err(error)
                if is_not_found(&error)
                    && path == COMPUTE_PATH
                    && self.endpoint == AllocationEndpoint::ComputeWithFallback =>
            {
                tracing::info!(
                    source = %self.source_label,
                    "OpenCost has no /allocation/compute; using /allocation from now on"
                );
                self.compute_missing.store(true, Ordering::Relaxed);
                self.get_with_retries(ALLOCATION_PATH, &params).await?
            }
            other => other?,
        };
        parse_allocation_response(&body, query).map_err(|error| {
            tracing::warn!(source = %self.source_label, %error, "unreadable OpenCost allocation response");
            OpenCostError::BadResponse(error.to_string())
        })
    }

    async fn health(&self) -> Result<(), OpenCostError> {
        let request = self
            .client
            .get(self.url(HEALTH_PATH)?)
            .timeout(self.health_timeout);
        match attempt(request).await {
            AttemptOutcome::Success { .. } => Ok(()),
            AttemptOutcome::Final { error, .. } => Err(error),
            AttemptOutcome::Transient { status, error } => {
                tracing::debug!(source = %self.source_label, status, %error, "OpenCost health check failed");
                Err(OpenCostError::Unreachable(error))
            }
        }
    }
}

/// `url` with user name and password removed.
fn without_credentials(url: &Url) -> String {
    let mut url = url.clone();
    // Both fail only for URLs that cannot carry credentials, which then have none.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_reach_the_label() {
        let source = HttpOpenCostSource::new(OpenCostClientConfig::new(
            "https://admin:s3cret@opencost.example/model",
        ))
        .unwrap();
        assert_eq!(source.source_label, "https://opencost.example/model/");
    }

    #[test]
    fn endpoint_choice() {
        let mut config = OpenCostClientConfig::new("http://opencost:9003");
        let source = HttpOpenCostSource::new(config.clone()).unwrap();
        assert_eq!(source.allocation_path(), COMPUTE_PATH);
        source.compute_missing.store(true, Ordering::Relaxed);
        assert_eq!(source.allocation_path(), ALLOCATION_PATH);
        config.endpoint = AllocationEndpoint::Compute;
        let source = HttpOpenCostSource::new(config).unwrap();
        source.compute_missing.store(true, Ordering::Relaxed);
        assert_eq!(source.allocation_path(), COMPUTE_PATH);
    }
}
