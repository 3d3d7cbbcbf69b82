//! OpenCost source port: where imported allocations come from.

use async_trait::async_trait;
use kcost_domain::opencost::{AllocationQuery, AllocationSet};

/// Errors of [`OpenCostSource`].
#[derive(Debug, thiserror::Error)]
pub enum OpenCostError {
    /// OpenCost could not be reached, timed out, or kept answering 5xx after the retries.
    #[error("OpenCost unreachable")]
    Unreachable(#[source] anyhow::Error),
    /// OpenCost refused the request (4xx); retrying will not help.
    #[error("OpenCost refused the request ({status}): {message}")]
    Rejected { status: u16, message: String },
    /// OpenCost answered with something that is not an allocation response.
    #[error("OpenCost sent an unreadable response: {0}")]
    BadResponse(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// One OpenCost instance.
///
/// Contract: `allocations` returns one set per step of the query's window, oldest first,
/// having already retried transient failures (connection errors, timeouts, 5xx) with
/// backoff; what is left is `Unreachable`. 4xx are `Rejected` without retry; malformed
/// bodies are `BadResponse`.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait OpenCostSource: Send + Sync {
    async fn allocations(
        &self,
        query: &AllocationQuery,
    ) -> Result<Vec<AllocationSet>, OpenCostError>;
    async fn health(&self) -> Result<(), OpenCostError>;
}
