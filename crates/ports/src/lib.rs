//! kcost's ports: the traits at every boundary of the application core.
//!
//! Adapters implement them (PostgreSQL, TimescaleDB, SQLite, Redis, OpenCost over HTTP);
//! the use cases in `kcost-app` depend only on these traits. Every trait is `Send + Sync`,
//! states its error contract in its doc comment: domain variants an adapter must translate
//! into (a unique violation becomes `Duplicate`), and [`BackendFailure`] — `Unavailable`
//! for an unreachable backend, one opaque `Unexpected` catch-all — shared by every port but
//! `OpenCostSource`, which has its own (unreachable, rejected, bad response).
//!
//! With the `mocks` feature, each trait has a mockall mock (`MockTenantRepository`, …)
//! for use-case tests.

pub mod alerts;
pub mod api_keys;
pub mod budgets;
pub mod cache;
pub mod clock;
#[cfg(feature = "contract")]
pub mod contract;
pub mod failure;
pub mod instance;
pub mod invalidation;
pub mod metrics;
pub mod opencost;
pub mod prices;
pub mod recommendations;
pub mod tenants;
pub mod webhooks;

pub use alerts::{AlertFilter, AlertPage, AlertRepository, AlertRepositoryError};
pub use api_keys::{ApiKeyRepository, ApiKeyRepositoryError};
pub use budgets::{BudgetRepository, BudgetRepositoryError, MAX_BUDGETS_PER_TENANT};
pub use cache::{Cache, CacheError};
pub use clock::{Clock, SystemClock};
pub use failure::BackendFailure;
pub use instance::{InstanceSettingsError, InstanceSettingsRepository};
pub use invalidation::{
    InvalidationBus, InvalidationError, InvalidationEvent, InvalidationSubscription,
};
pub use metrics::{AppendOutcome, MetricsStore, MetricsStoreError, RollupReport};
pub use opencost::{OpenCostError, OpenCostSource};
pub use prices::{PriceRepository, PriceRepositoryError};
pub use recommendations::{
    Page, RecommendationFilter, RecommendationPage, RecommendationRepository,
    RecommendationRepositoryError,
};
pub use tenants::{TenantRepository, TenantRepositoryError};
pub use webhooks::{WebhookError, WebhookSender};

#[cfg(feature = "mocks")]
pub use {
    alerts::MockAlertRepository, api_keys::MockApiKeyRepository, budgets::MockBudgetRepository,
    cache::MockCache, clock::MockClock, instance::MockInstanceSettingsRepository,
    invalidation::MockInvalidationBus, metrics::MockMetricsStore, opencost::MockOpenCostSource,
    prices::MockPriceRepository, recommendations::MockRecommendationRepository,
    tenants::MockTenantRepository, webhooks::MockWebhookSender,
};
