//! How one OpenCost source is reached: base URL, timeouts, retries, which endpoint.

use std::time::Duration;

use reqwest::Url;

use crate::retry::RetryPolicy;

/// Which allocation endpoint to ask. OpenCost builds differ: older ones serve
/// `/allocation/compute`, newer ones `/allocation`; both take the same parameters and
/// answer in the same envelope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AllocationEndpoint {
    /// `/allocation/compute`; on a 404 switch to `/allocation` and stay there.
    #[default]
    ComputeWithFallback,
    /// Only `/allocation/compute`.
    Compute,
    /// Only `/allocation`.
    Allocation,
}

/// Settings of one [`crate::HttpOpenCostSource`]. Build with [`OpenCostClientConfig::new`]
/// and adjust the public fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCostClientConfig {
    /// OpenCost's API root, e.g. `http://opencost.opencost:9003` or, behind the UI's
    /// proxy, `http://opencost-ui/model`. Paths are appended to it.
    pub base_url: String,
    /// Per attempt, connecting through reading the whole body. Default 30 s.
    pub timeout: Duration,
    /// For `/healthz`, tried once: a health probe must answer fast. Default 5 s.
    pub health_timeout: Duration,
    pub retry: RetryPolicy,
    pub endpoint: AllocationEndpoint,
}

impl OpenCostClientConfig {
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
    pub const DEFAULT_HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

    /// Defaults: 30 s timeout, 5 s health timeout, [`RetryPolicy::default`],
    /// [`AllocationEndpoint::ComputeWithFallback`].
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            timeout: Self::DEFAULT_TIMEOUT,
            health_timeout: Self::DEFAULT_HEALTH_TIMEOUT,
            retry: RetryPolicy::default(),
            endpoint: AllocationEndpoint::default(),
        }
    }
}

/// Why a client could not be built from its configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("OpenCost base URL `{url}` is invalid: {reason}")]
    InvalidBaseUrl { url: String, reason: String },
    #[error("could not build the OpenCost HTTP client")]
    Client(#[source] reqwest::Error),
}

/// Parses `base_url` as an http(s) URL whose path ends in `/`, so that joining
/// `allocation/compute` keeps any prefix such as `/model`.
pub(crate) fn normalized_base_url(base_url: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: String| ConfigError::InvalidBaseUrl {
        url: base_url.to_owned(),
        reason,
    };
    let mut url = Url::parse(base_url.trim()).map_err(|e| invalid(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "scheme `{}` is not http or https",
            url.scheme()
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment".to_owned()));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_issue() {
        let config = OpenCostClientConfig::new("http://opencost:9003");
        assert_eq!(config.timeout, Duration::from_secs(30));
        assert_eq!(config.retry, RetryPolicy::default());
        assert_eq!(config.endpoint, AllocationEndpoint::ComputeWithFallback);
    }

    #[test]
    fn base_url_keeps_its_path_prefix() {
        let url = normalized_base_url("http://opencost-ui/model").unwrap();
        assert_eq!(
            url.join("allocation/compute").unwrap().as_str(),
            "http://opencost-ui/model/allocation/compute"
        );
        let url = normalized_base_url("http://opencost:9003").unwrap();
        assert_eq!(
            url.join("healthz").unwrap().as_str(),
            "http://opencost:9003/healthz"
        );
    }

    #[test]
    fn base_url_must_be_plain_http() {
        assert!(normalized_base_url("opencost:9003").is_err());
        assert!(normalized_base_url("ftp://opencost").is_err());
        assert!(normalized_base_url("http://opencost/?x=1").is_err());
        assert!(normalized_base_url("not a url").is_err());
    }
}
