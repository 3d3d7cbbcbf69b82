//! Recommendation repository port.

use async_trait::async_trait;
use kcost_domain::cluster::ClusterName;
use kcost_domain::recommendation::{
    Recommendation, RecommendationId, RecommendationStatus, RecommendationTarget, Resource,
};
use kcost_domain::tenant::TenantId;

/// Errors of [`RecommendationRepository`].
#[derive(Debug, thiserror::Error)]
pub enum RecommendationRepositoryError {
    /// No recommendation with this id belongs to the tenant.
    #[error("recommendation not found")]
    NotFound,
    /// The recommendation's status changed concurrently.
    #[error("recommendation was changed concurrently")]
    Conflict,
    /// The store failed to answer: unavailable (retry later) or unexpected.
    #[error(transparent)]
    Failed(#[from] crate::BackendFailure),
}

crate::carries_backend_failure!(RecommendationRepositoryError);

/// Filters of the list endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecommendationFilter {
    pub status: Option<RecommendationStatus>,
    pub cluster: Option<ClusterName>,
    pub namespace: Option<String>,
}

/// Offset pagination, validated: `limit` in 1..=[`Page::MAX_LIMIT`], `offset` at most
/// [`Page::MAX_OFFSET`] (stores take it as a signed 64-bit integer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    limit: u32,
    offset: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("`limit` must be between 1 and {}", Page::MAX_LIMIT)]
    Limit,
    #[error("`offset` must be at most {}", Page::MAX_OFFSET)]
    Offset,
}

impl Page {
    pub const MAX_LIMIT: u32 = 500;
    pub const MAX_OFFSET: u64 = 1_000_000_000;

    pub fn new(limit: u32, offset: u64) -> Result<Self, PageError> {
        if limit == 0 || limit > Self::MAX_LIMIT {
            return Err(PageError::Limit);
        }
        if offset > Self::MAX_OFFSET {
            return Err(PageError::Offset);
        }
        Ok(Self { limit, offset })
    }

    pub const fn limit(&self) -> u32 {
        self.limit
    }

    pub const fn offset(&self) -> u64 {
        self.offset
    }
}

impl Default for Page {
    fn default() -> Self {
        Self {
            limit: 50,
            offset: 0,
        }
    }
}

/// One page of recommendations and the total matching the filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecommendationPage {
    pub items: Vec<Recommendation>,
    pub total: u64,
}

/// Stores recommendations, always scoped to a tenant.
///
/// Contract: every read takes the tenant, and another tenant's id reads as `NotFound`;
/// `latest_for_target` returns the newest open or dismissed recommendation for a target and
/// resource (what regeneration compares against), `Ok(None)` if none; `save` inserts or
/// replaces by id; `transition` writes `updated` only if the stored status is still
/// `from`, else `Conflict`; connection failures are `Unavailable`; anything else is
/// `Unexpected`. Lists are ordered by monthly savings, largest first, then by id.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait RecommendationRepository: Send + Sync {
    async fn get(
        &self,
        tenant: TenantId,
        id: RecommendationId,
    ) -> Result<Recommendation, RecommendationRepositoryError>;
    async fn list(
        &self,
        tenant: TenantId,
        filter: &RecommendationFilter,
        page: Page,
    ) -> Result<RecommendationPage, RecommendationRepositoryError>;
    async fn latest_for_target(
        &self,
        tenant: TenantId,
        target: &RecommendationTarget,
        resource: Resource,
    ) -> Result<Option<Recommendation>, RecommendationRepositoryError>;
    async fn save(
        &self,
        recommendation: &Recommendation,
    ) -> Result<(), RecommendationRepositoryError>;
    async fn transition(
        &self,
        from: RecommendationStatus,
        updated: &Recommendation,
    ) -> Result<(), RecommendationRepositoryError>;
}
