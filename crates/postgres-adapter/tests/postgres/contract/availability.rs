//! A store that cannot be reached answers `Unavailable` on every port.

use kcost_domain::api_key::KeyId;
use kcost_domain::pricing::PriceOverride;
use kcost_domain::recommendation::RecommendationId;
use kcost_ports::{
    ApiKeyRepositoryError, BackendFailure, Page, PriceRepositoryError, RecommendationFilter,
    RecommendationRepositoryError, TenantRepositoryError,
};
use uuid::Uuid;

use super::fixtures::{api_key, at, dec, recommendation, target, tenant};
use crate::support::Repositories;

/// `repos` sit on a store whose pool has been closed (or whose server is gone).
pub async fn closed_store_is_unavailable(repos: &Repositories) {
    let t = tenant("team-payments", 0);
    assert!(matches!(
        repos.tenants.create(&t).await,
        Err(TenantRepositoryError::Failed(BackendFailure::Unavailable(
            _
        )))
    ));
    assert!(matches!(
        repos.tenants.list().await,
        Err(TenantRepositoryError::Failed(BackendFailure::Unavailable(
            _
        )))
    ));
    assert!(matches!(
        repos.tenants.ping().await,
        Err(TenantRepositoryError::Failed(BackendFailure::Unavailable(
            _
        )))
    ));

    let key = api_key(t.id, 1);
    assert!(matches!(
        repos.api_keys.insert(&key).await,
        Err(ApiKeyRepositoryError::Failed(BackendFailure::Unavailable(
            _
        )))
    ));
    assert!(matches!(
        repos.api_keys.find(KeyId::from_uuid(Uuid::new_v4())).await,
        Err(ApiKeyRepositoryError::Failed(BackendFailure::Unavailable(
            _
        )))
    ));
    assert!(matches!(
        repos.api_keys.revoke(key.key_id).await,
        Err(ApiKeyRepositoryError::Failed(BackendFailure::Unavailable(
            _
        )))
    ));
    assert!(matches!(
        repos
            .api_keys
            .record_last_used(&[(key.key_id, at(1))])
            .await,
        Err(ApiKeyRepositoryError::Failed(BackendFailure::Unavailable(
            _
        )))
    ));

    let price = PriceOverride::new("m5.xlarge", dec("0.15")).unwrap();
    assert!(matches!(
        repos.prices.put(t.id, &price).await,
        Err(PriceRepositoryError::Failed(BackendFailure::Unavailable(_)))
    ));
    assert!(matches!(
        repos.prices.overrides(t.id).await,
        Err(PriceRepositoryError::Failed(BackendFailure::Unavailable(_)))
    ));

    let rec = recommendation(t.id, target("prod", "web", "api"), "1", 0);
    assert!(matches!(
        repos.recommendations.save(&rec).await,
        Err(RecommendationRepositoryError::Failed(
            BackendFailure::Unavailable(_)
        ))
    ));
    assert!(matches!(
        repos
            .recommendations
            .get(t.id, RecommendationId::from_uuid(Uuid::new_v4()))
            .await,
        Err(RecommendationRepositoryError::Failed(
            BackendFailure::Unavailable(_)
        ))
    ));
    assert!(matches!(
        repos
            .recommendations
            .list(t.id, &RecommendationFilter::default(), Page::default())
            .await,
        Err(RecommendationRepositoryError::Failed(
            BackendFailure::Unavailable(_)
        ))
    ));
}
